// Package pattern matches Lua 5.1 patterns (the language of string.find,
// match, gmatch and gsub) and can be stopped: every few thousand steps of
// the backtracking search it calls a check function, and a match that runs
// past a cancelled run's deadline ends with the check's error instead of
// running for minutes. Nesting is bounded too, so that no pattern exhausts
// the Go stack.
//
// The semantics are Lua 5.1's: character classes %a %c %d %l %p %s %u %w %x
// %z and their complements (ASCII, as in the C locale), sets [...], the
// quantifiers * + - ?, anchors ^ and $, captures (...) and position captures
// (), back references %1-%9, %bxy and the frontier %f[set].
package pattern

import (
	"errors"
	"fmt"
)

const (
	// MaxCaptures is the most captures a pattern may have, as in Lua.
	MaxCaptures = 32
	// maxDepth bounds the nesting of the matcher (one level per capture,
	// optional item or expansion being tried), as Lua 5.2's MAXCCALLS does.
	maxDepth = 200
	// checkEvery is how many steps pass between two calls of the check
	// function.
	checkEvery = 1 << 12
)

const (
	capUnfinished = -1
	capPosition   = -2
)

// Error is a malformed pattern or a pattern too complex to match.
type Error struct{ Msg string }

func (e *Error) Error() string { return e.Msg }

// ErrTooComplex is the Error of a pattern that nests too deeply.
var ErrTooComplex = &Error{"pattern too complex"}

// Capture is one capture of a match: the text src[Start:End], or for a
// position capture (Position) the 1-based position Start+1.
type Capture struct {
	Start, End int
	Position   bool
}

// Matcher matches one pattern against one subject. It is not safe for
// concurrent use.
type Matcher struct {
	src, pat string
	check    func() error

	level   int
	capture [MaxCaptures]struct{ init, len int }
	depth   int
	steps   int
}

// New returns a matcher of pat against src; check, when not nil, is called
// every few thousand steps, and an error it returns ends the match.
func New(src, pat string, check func() error) *Matcher {
	return &Matcher{src: src, pat: pat, check: check}
}

// stop carries an error out of the recursive search.
type stop struct{ err error }

// MatchAt tries the pattern, starting at its byte pi, against the subject
// at its byte si. It returns the end of the match, or -1.
func (m *Matcher) MatchAt(si, pi int) (end int, err error) {
	defer func() {
		if r := recover(); r != nil {
			s, ok := r.(stop)
			if !ok {
				panic(r)
			}
			end, err = -1, s.err
		}
	}()
	m.level, m.depth = 0, 0
	return m.match(si, pi), nil
}

// Captures returns the captures of the last successful MatchAt, which
// matched src[start:end]; a pattern without captures captures the whole
// match.
func (m *Matcher) Captures(start, end int) ([]Capture, error) {
	if m.level == 0 {
		return []Capture{{Start: start, End: end}}, nil
	}
	out := make([]Capture, m.level)
	for i := range out {
		c := m.capture[i]
		switch c.len {
		case capUnfinished:
			return nil, &Error{"unfinished capture"}
		case capPosition:
			out[i] = Capture{Start: c.init, Position: true}
		default:
			out[i] = Capture{Start: c.init, End: c.init + c.len}
		}
	}
	return out, nil
}

// NumCaptures is the number of captures of the last successful MatchAt.
func (m *Matcher) NumCaptures() int { return m.level }

// fail stops the search with a pattern error.
func fail(format string, args ...any) {
	panic(stop{&Error{fmt.Sprintf(format, args...)}})
}

// tick counts a step, and calls the check function every checkEvery steps.
func (m *Matcher) tick() {
	m.steps++
	if m.steps%checkEvery == 0 && m.check != nil {
		if err := m.check(); err != nil {
			panic(stop{err})
		}
	}
}

// match is the backtracking search: the end of a match of pat[pi:] at
// src[si:], or -1.
func (m *Matcher) match(si, pi int) int {
	if m.depth++; m.depth > maxDepth {
		panic(stop{ErrTooComplex})
	}
	defer func() { m.depth-- }()
	for {
		m.tick()
		if pi == len(m.pat) {
			return si
		}
		switch m.pat[pi] {
		case '(':
			if pi+1 < len(m.pat) && m.pat[pi+1] == ')' {
				return m.startCapture(si, pi+2, capPosition)
			}
			return m.startCapture(si, pi+1, capUnfinished)
		case ')':
			return m.endCapture(si, pi+1)
		case '$':
			if pi+1 == len(m.pat) {
				if si == len(m.src) {
					return si
				}
				return -1
			}
		case '%':
			if pi+1 < len(m.pat) {
				switch c := m.pat[pi+1]; {
				case c == 'b':
					if si = m.matchBalance(si, pi+2); si == -1 {
						return -1
					}
					pi += 4
					continue
				case c == 'f':
					pi += 2
					if pi >= len(m.pat) || m.pat[pi] != '[' {
						fail("missing '[' after '%%f' in pattern")
					}
					ep := m.classEnd(pi)
					var prev, cur byte
					if si > 0 {
						prev = m.src[si-1]
					}
					if si < len(m.src) {
						cur = m.src[si]
					}
					if m.matchSet(prev, pi, ep-1) || !m.matchSet(cur, pi, ep-1) {
						return -1
					}
					pi = ep
					continue
				case c >= '0' && c <= '9':
					if si = m.matchCapture(si, c); si == -1 {
						return -1
					}
					pi += 2
					continue
				}
			}
		}
		// A single-character class, perhaps with a quantifier.
		ep := m.classEnd(pi)
		ok := si < len(m.src) && m.singleMatch(m.src[si], pi, ep)
		if ep < len(m.pat) {
			switch m.pat[ep] {
			case '?':
				if ok {
					if r := m.match(si+1, ep+1); r != -1 {
						return r
					}
				}
				pi = ep + 1
				continue
			case '*':
				return m.maxExpand(si, pi, ep)
			case '+':
				if !ok {
					return -1
				}
				return m.maxExpand(si+1, pi, ep)
			case '-':
				return m.minExpand(si, pi, ep)
			}
		}
		if !ok {
			return -1
		}
		si, pi = si+1, ep
	}
}

// classEnd returns the end of the single-character class at pat[pi].
func (m *Matcher) classEnd(pi int) int {
	c := m.pat[pi]
	pi++
	switch c {
	case '%':
		if pi >= len(m.pat) {
			fail("malformed pattern (ends with '%%')")
		}
		return pi + 1
	case '[':
		if pi < len(m.pat) && m.pat[pi] == '^' {
			pi++
		}
		for { // the first character is never the closing ']'
			if pi >= len(m.pat) {
				fail("malformed pattern (missing ']')")
			}
			c := m.pat[pi]
			pi++
			if c == '%' {
				if pi >= len(m.pat) {
					fail("malformed pattern (missing ']')")
				}
				pi++
			}
			if pi >= len(m.pat) {
				fail("malformed pattern (missing ']')")
			}
			if m.pat[pi] == ']' {
				return pi + 1
			}
		}
	}
	return pi
}

// singleMatch reports whether c matches the class pat[pi:ep].
func (m *Matcher) singleMatch(c byte, pi, ep int) bool {
	switch m.pat[pi] {
	case '.':
		return true
	case '%':
		return matchClass(c, m.pat[pi+1])
	case '[':
		return m.matchSet(c, pi, ep-1)
	}
	return m.pat[pi] == c
}

// matchSet reports whether c is in the set pat[pi:ec+1], from '[' to ']'.
func (m *Matcher) matchSet(c byte, pi, ec int) bool {
	in := true
	if m.pat[pi+1] == '^' {
		in = false
		pi++
	}
	for pi++; pi < ec; pi++ {
		switch {
		case m.pat[pi] == '%':
			pi++
			if matchClass(c, m.pat[pi]) {
				return in
			}
		case m.pat[pi+1] == '-' && pi+2 < ec:
			if m.pat[pi] <= c && c <= m.pat[pi+2] {
				return in
			}
			pi += 2
		case m.pat[pi] == c:
			return in
		}
	}
	return !in
}

// matchClass reports whether c is in the class %cl; an upper-case letter
// is the complement of its lower-case class, and any other cl stands for
// itself.
func matchClass(c, cl byte) bool {
	var res bool
	switch cl | 0x20 {
	case 'a':
		res = isAlpha(c)
	case 'c':
		res = c < 32 || c == 127
	case 'd':
		res = '0' <= c && c <= '9'
	case 'l':
		res = 'a' <= c && c <= 'z'
	case 'p':
		res = isPunct(c)
	case 's':
		res = c == ' ' || '\t' <= c && c <= '\r'
	case 'u':
		res = 'A' <= c && c <= 'Z'
	case 'w':
		res = isAlpha(c) || '0' <= c && c <= '9'
	case 'x':
		res = '0' <= c && c <= '9' || 'a' <= c|0x20 && c|0x20 <= 'f'
	case 'z':
		res = c == 0
	default:
		return cl == c
	}
	if 'A' <= cl && cl <= 'Z' {
		return !res
	}
	return res
}

func isAlpha(c byte) bool { return 'a' <= c|0x20 && c|0x20 <= 'z' }

func isPunct(c byte) bool {
	return '!' <= c && c <= '~' && !isAlpha(c) && !('0' <= c && c <= '9')
}

// maxExpand matches as many characters of the class pat[pi:ep] as it can
// at si, then backs off until the rest of the pattern matches.
func (m *Matcher) maxExpand(si, pi, ep int) int {
	i := 0
	for si+i < len(m.src) && m.singleMatch(m.src[si+i], pi, ep) {
		i++
		m.tick()
	}
	for ; i >= 0; i-- {
		if r := m.match(si+i, ep+1); r != -1 {
			return r
		}
	}
	return -1
}

// minExpand matches as few characters of the class pat[pi:ep] as it can.
func (m *Matcher) minExpand(si, pi, ep int) int {
	for {
		if r := m.match(si, ep+1); r != -1 {
			return r
		}
		if si < len(m.src) && m.singleMatch(m.src[si], pi, ep) {
			si++
			continue
		}
		return -1
	}
}

func (m *Matcher) startCapture(si, pi, what int) int {
	if m.level >= MaxCaptures {
		fail("too many captures")
	}
	m.capture[m.level].init, m.capture[m.level].len = si, what
	m.level++
	r := m.match(si, pi)
	if r == -1 {
		m.level--
	}
	return r
}

func (m *Matcher) endCapture(si, pi int) int {
	l := -1
	for i := m.level - 1; i >= 0; i-- {
		if m.capture[i].len == capUnfinished {
			l = i
			break
		}
	}
	if l < 0 {
		fail("invalid pattern capture")
	}
	m.capture[l].len = si - m.capture[l].init
	r := m.match(si, pi)
	if r == -1 {
		m.capture[l].len = capUnfinished
	}
	return r
}

// matchBalance matches %bxy (x and y at pat[pi], pat[pi+1]) at si.
func (m *Matcher) matchBalance(si, pi int) int {
	if pi+1 >= len(m.pat) {
		fail("unbalanced pattern")
	}
	if si >= len(m.src) || m.src[si] != m.pat[pi] {
		return -1
	}
	b, e := m.pat[pi], m.pat[pi+1]
	depth := 1
	for i := si + 1; i < len(m.src); i++ {
		m.tick()
		switch m.src[i] {
		case e:
			if depth--; depth == 0 {
				return i + 1
			}
		case b:
			depth++
		}
	}
	return -1
}

// matchCapture matches the text of capture %c again at si.
func (m *Matcher) matchCapture(si int, c byte) int {
	l := int(c - '1')
	if l < 0 || l >= m.level || m.capture[l].len == capUnfinished {
		fail("invalid capture index")
	}
	n := m.capture[l].len
	if n < 0 || len(m.src)-si < n {
		return -1
	}
	if m.src[m.capture[l].init:m.capture[l].init+n] != m.src[si:si+n] {
		return -1
	}
	return si + n
}

// IsError reports whether err is a pattern error rather than the check
// function's.
func IsError(err error) bool {
	var pe *Error
	return errors.As(err, &pe)
}
