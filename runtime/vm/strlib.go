package vm

import (
	"context"
	"strings"

	lua "github.com/yuin/gopher-lua"

	"github.com/wecomrunner/runner/runtime/vm/pattern"
)

// The string functions a script could keep busy or make build unbounded
// strings with are replaced by versions that obey the run: they check the
// run's context every few thousand steps (so a pathological pattern or a
// gsub over megabytes stops at the timeout like any Lua loop), and refuse a
// result longer than the run's string limit before building it. The
// pattern functions run on package pattern, a Lua 5.1 matcher that can be
// stopped; gopher-lua's own matcher cannot, its gsub is quadratic in the
// number of replacements and its gmatch finds every match up front.

// strLib installs the bounded string functions in L, whose strings may
// not exceed max bytes.
func strLib(L *lua.LState, max int) {
	s := &strFuncs{max: max}
	str := L.GetGlobal("string").(*lua.LTable)
	for name, fn := range map[string]lua.LGFunction{
		"find":   s.find,
		"match":  s.match,
		"gmatch": s.gmatch,
		"gsub":   s.gsub,
		"rep":    s.rep,
		"format": s.format(str.RawGetString("format").(*lua.LFunction)),
	} {
		str.RawSetString(name, L.NewFunction(fn))
	}
	str.RawSetString(concatKey, L.NewFunction(s.concatOp))
	L.GetGlobal("table").(*lua.LTable).RawSetString("concat", L.NewFunction(s.concat))
}

type strFuncs struct {
	max int // the longest string a function may return
}

// checker returns the check function of a pattern match: the run's
// context error.
func checker(L *lua.LState) func() error {
	ctx := L.Context()
	if ctx == nil {
		return nil
	}
	return ctx.Err
}

// tooLong raises the error of a result longer than the limit.
func (s *strFuncs) tooLong(L *lua.LState, fn string, n int64) {
	L.RaiseError("%s: result of %d bytes or more exceeds the limit of %d", fn, n, s.max)
}

// raise raises a pattern error, or the error that stopped the match.
func raise(L *lua.LState, err error) {
	if ctx := L.Context(); ctx != nil && !pattern.IsError(err) && context.Cause(ctx) != nil {
		L.RaiseError("%v", context.Cause(ctx))
	}
	L.RaiseError("%s", err.Error())
}

// startIndex converts a 1-based Lua position (negative from the end) to a
// byte offset, as gopher-lua's find and match do: 0 for positions before
// the start; past the end stays past the end (no match).
func startIndex(n, i int) int {
	switch {
	case i > 0:
		return i - 1
	case i < 0:
		return max(n+i, 0)
	}
	return 0
}

// specials are the characters that make a pattern more than plain text.
const specials = "^$*+?.([%-"

func (s *strFuncs) find(L *lua.LState) int { return s.findAux(L, true) }

func (s *strFuncs) match(L *lua.LState) int { return s.findAux(L, false) }

// findAux is string.find (find) and string.match.
func (s *strFuncs) findAux(L *lua.LState, find bool) int {
	str := L.CheckString(1)
	pat := L.CheckString(2)
	init := startIndex(len(str), L.OptInt(3, 1))
	if init > len(str) {
		L.Push(lua.LNil)
		return 1
	}
	if find && (lua.LVAsBool(L.Get(4)) || !strings.ContainsAny(pat, specials)) {
		i := strings.Index(str[init:], pat)
		if i < 0 {
			L.Push(lua.LNil)
			return 1
		}
		L.Push(lua.LNumber(init + i + 1))
		L.Push(lua.LNumber(init + i + len(pat)))
		return 2
	}
	m := pattern.New(str, pat, checker(L))
	pi := 0
	anchor := strings.HasPrefix(pat, "^")
	if anchor {
		pi = 1
	}
	for si := init; ; si++ {
		e, err := m.MatchAt(si, pi)
		if err != nil {
			raise(L, err)
		}
		if e != -1 {
			if !find {
				return pushCaptures(L, m, str, si, e)
			}
			L.Push(lua.LNumber(si + 1))
			L.Push(lua.LNumber(e))
			if m.NumCaptures() == 0 {
				return 2
			}
			return 2 + pushCaptures(L, m, str, si, e)
		}
		if si >= len(str) || anchor {
			L.Push(lua.LNil)
			return 1
		}
	}
}

// pushCaptures pushes the captures of a match of src[start:end] (the whole
// match when the pattern has none) and returns how many it pushed.
func pushCaptures(L *lua.LState, m *pattern.Matcher, src string, start, end int) int {
	caps, err := m.Captures(start, end)
	if err != nil {
		raise(L, err)
	}
	for _, c := range caps {
		L.Push(captureValue(src, c))
	}
	return len(caps)
}

func captureValue(src string, c pattern.Capture) lua.LValue {
	if c.Position {
		return lua.LNumber(c.Start + 1)
	}
	return lua.LString(src[c.Start:c.End])
}

// gmatch returns an iterator over the matches of the pattern. As in Lua
// 5.1, a leading '^' is not an anchor.
func (s *strFuncs) gmatch(L *lua.LState) int {
	str := L.CheckString(1)
	pat := L.CheckString(2)
	m := pattern.New(str, pat, checker(L))
	pos := 0
	L.Push(L.NewFunction(func(L *lua.LState) int {
		for si := pos; si <= len(str); si++ {
			e, err := m.MatchAt(si, 0)
			if err != nil {
				raise(L, err)
			}
			if e != -1 {
				pos = e
				if e == si {
					pos++
				}
				return pushCaptures(L, m, str, si, e)
			}
		}
		pos = len(str) + 1
		return 0
	}))
	return 1
}

// gsub is string.gsub, linear in its output, which may not exceed the
// limit.
func (s *strFuncs) gsub(L *lua.LState) int {
	str := L.CheckString(1)
	pat := L.CheckString(2)
	L.CheckTypes(3, lua.LTString, lua.LTNumber, lua.LTTable, lua.LTFunction)
	repl := L.Get(3)
	maxN := L.OptInt(4, len(str)+1)
	m := pattern.New(str, pat, checker(L))
	pi := 0
	anchor := strings.HasPrefix(pat, "^")
	if anchor {
		pi = 1
	}
	check := checker(L)
	var b strings.Builder
	checked := 0 // the output's length at the last check of the context
	grow := func(add string) {
		if b.Len()+len(add) > s.max {
			s.tooLong(L, "string.gsub", int64(b.Len())+int64(len(add)))
		}
		b.WriteString(add)
		if b.Len()-checked > 1<<20 && check != nil {
			checked = b.Len()
			if err := check(); err != nil {
				raise(L, err)
			}
		}
	}
	si, n := 0, 0
	for n < maxN {
		e, err := m.MatchAt(si, pi)
		if err != nil {
			raise(L, err)
		}
		if e != -1 {
			n++
			s.replace(L, m, str, si, e, repl, grow)
		}
		switch {
		case e != -1 && e > si:
			si = e
		case si < len(str):
			grow(str[si : si+1])
			si++
		default:
			si = len(str) + 1
		}
		if si > len(str) || anchor {
			break
		}
		if n%1024 == 0 && check != nil {
			if err := check(); err != nil {
				raise(L, err)
			}
		}
	}
	if si < len(str) {
		grow(str[si:])
	}
	L.Push(lua.LString(b.String()))
	L.Push(lua.LNumber(n))
	return 2
}

// replace adds the replacement of the match src[start:end] with grow.
func (s *strFuncs) replace(L *lua.LState, m *pattern.Matcher, src string, start, end int, repl lua.LValue, grow func(string)) {
	whole := src[start:end]
	switch r := repl.(type) {
	case lua.LString, lua.LNumber:
		text := lua.LVAsString(r)
		for text != "" {
			i := strings.IndexByte(text, '%')
			if i < 0 || i+1 == len(text) {
				grow(text)
				return
			}
			grow(text[:i])
			switch c := text[i+1]; {
			case c == '0':
				grow(whole)
			case c >= '1' && c <= '9':
				caps, err := m.Captures(start, end)
				if err != nil {
					raise(L, err)
				}
				k := int(c - '1')
				if k >= len(caps) {
					L.RaiseError("invalid capture index")
				}
				grow(lua.LVAsString(captureValue(src, caps[k])))
			default:
				grow(text[i+1 : i+2])
			}
			text = text[i+2:]
		}
		return
	}
	caps, err := m.Captures(start, end)
	if err != nil {
		raise(L, err)
	}
	var v lua.LValue
	switch r := repl.(type) {
	case *lua.LTable:
		v = L.GetTable(r, captureValue(src, caps[0]))
	case *lua.LFunction:
		L.Push(r)
		for _, c := range caps {
			L.Push(captureValue(src, c))
		}
		L.Call(len(caps), 1)
		v = L.Get(-1)
		L.Pop(1)
	}
	switch v := v.(type) {
	case *lua.LNilType:
		grow(whole)
	case lua.LBool:
		if v {
			L.RaiseError("invalid replacement value (a boolean)")
		}
		grow(whole)
	case lua.LString, lua.LNumber:
		grow(lua.LVAsString(v))
	default:
		L.RaiseError("invalid replacement value (a %s)", v.Type().String())
	}
}

// rep is string.rep, refusing results longer than the limit.
func (s *strFuncs) rep(L *lua.LState) int {
	str := L.CheckString(1)
	n := L.CheckInt(2)
	if n <= 0 || len(str) == 0 {
		L.Push(lua.LString(""))
		return 1
	}
	if int64(len(str))*int64(n) > int64(s.max) {
		s.tooLong(L, "string.rep", int64(len(str))*int64(n))
	}
	L.Push(lua.LString(strings.Repeat(str, n)))
	return 1
}

// format wraps string.format: it refuses a format whose result could
// exceed the limit (the arguments' lengths and the widths and precisions
// written in the format), before formatting.
func (s *strFuncs) format(stock *lua.LFunction) lua.LGFunction {
	return func(L *lua.LState) int {
		f := L.CheckString(1)
		size := int64(len(f))
		for i := 2; i <= L.GetTop(); i++ {
			size += int64(len(L.ToStringMeta(L.Get(i)).String())) + 32
		}
		for i := 0; i < len(f); i++ {
			if f[i] != '%' {
				continue
			}
			for i++; i < len(f) && strings.IndexByte("-+ #0", f[i]) >= 0; i++ {
			}
			for digits := 0; i < len(f) && (f[i] >= '0' && f[i] <= '9' || f[i] == '.'); i++ {
				if f[i] == '.' {
					digits = 0
					continue
				}
				if digits++; digits > 2 {
					L.RaiseError("invalid format (width or precision too long)")
				}
				size += int64(f[i]-'0') * 10 // at most 99 per width or precision
			}
		}
		if size > int64(s.max) {
			s.tooLong(L, "string.format", size)
		}
		return callOriginal(L, stock, 1)
	}
}

// concat is table.concat, with gopher-lua's handling of the range, its
// length checked against the limit before it is built.
func (s *strFuncs) concat(L *lua.LState) int {
	t := L.CheckTable(1)
	sep := L.OptString(2, "")
	n := t.Len()
	i := L.OptInt(3, 1)
	j := L.OptInt(4, n)
	if L.GetTop() == 3 && (i > n || i < 1) {
		L.Push(lua.LString(""))
		return 1
	}
	i, j = max(min(i, n), 1), min(j, n)
	if i > j {
		L.Push(lua.LString(""))
		return 1
	}
	check := checker(L)
	size := int64(len(sep)) * int64(j-i)
	for k := i; k <= j; k++ {
		v := t.RawGetInt(k)
		if !lua.LVCanConvToString(v) {
			L.RaiseError("invalid value (%s) at index %d in table for concat", v.Type().String(), k)
		}
		size += int64(len(lua.LVAsString(v)))
		if k%4096 == 0 && check != nil {
			if err := check(); err != nil {
				raise(L, err)
			}
		}
	}
	if size > int64(s.max) {
		s.tooLong(L, "table.concat", size)
	}
	var b strings.Builder
	b.Grow(int(size))
	for k := i; k <= j; k++ {
		if k > i {
			b.WriteString(sep)
		}
		b.WriteString(lua.LVAsString(t.RawGetInt(k)))
	}
	L.Push(lua.LString(b.String()))
	return 1
}
