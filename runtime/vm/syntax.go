package vm

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	lua "github.com/yuin/gopher-lua"
	"github.com/yuin/gopher-lua/ast"
	"github.com/yuin/gopher-lua/parse"
)

// SyntaxError is a script that does not compile. Its message names the file,
// line and column, what is wrong, and for a block or bracket left open the
// line where it was opened, as the Lua interpreter does; Error() then shows
// the offending source lines with a caret.
type SyntaxError struct {
	File   string
	Line   int // 1-based
	Column int // 1-based, in characters; 0 when unknown
	Msg    string
	// Source is the excerpt of the script: the line of the opener left
	// open, if any, and the offending line, each followed by a caret line.
	Source string
}

func (e *SyntaxError) Error() string {
	pos := fmt.Sprintf("%s:%d", e.File, e.Line)
	if e.Column > 0 {
		pos += fmt.Sprintf(":%d", e.Column)
	}
	if e.Source == "" {
		return pos + ": " + e.Msg
	}
	return pos + ": " + e.Msg + "\n" + e.Source
}

// syntaxError turns the error of parsing or compiling src (a *parse.Error or
// a *lua.CompileError) into a *SyntaxError; other errors are returned as
// they are.
func syntaxError(src []byte, name string, err error) error {
	var (
		pe *parse.Error
		ce *lua.CompileError
	)
	lines := strings.Split(string(src), "\n")
	for i, l := range lines {
		lines[i] = strings.TrimSuffix(l, "\r")
	}
	switch {
	case errors.As(err, &pe):
		return describeParseError(lines, src, name, pe)
	case errors.As(err, &ce):
		e := &SyntaxError{File: name, Line: ce.Line, Msg: strings.TrimSpace(ce.Message)}
		e.Source = excerpt(lines, mark{line: ce.Line})
		return e
	}
	return err
}

// mark is a span of a source line to show with carets: columns are 1-based
// byte offsets; col 0 shows the line without a caret.
type mark struct {
	line, col, width int
}

// describeParseError explains a parse error from the tokens before it: which
// token is wrong, and which bracket or block is still open there.
func describeParseError(lines []string, src []byte, name string, pe *parse.Error) *SyntaxError {
	toks, lexErr := scanTokens(src, name)
	atEOF := pe.Pos.Line == parse.EOF
	// The error's position is the last byte of the offending token: that
	// token is the last one starting at or before it.
	bad := -1
	if !atEOF {
		for i, t := range toks {
			if before(t.Pos, pe.Pos) {
				bad = i
			}
		}
	}
	stop := len(toks)
	if bad >= 0 {
		stop = bad
	}
	open := openers(toks[:stop])

	msg := strings.TrimSpace(pe.Message)
	lexical := msg != "syntax error" && msg != "parse error" // the scanner's error
	e := &SyntaxError{File: name}
	var at mark
	switch {
	case lexical && lexErr != nil && lexErr.start.Line > 0: // e.g. where an unterminated string starts
		at = mark{line: lexErr.start.Line, col: lexErr.start.Column, width: 1}
	case bad >= 0:
		t := toks[bad]
		at = mark{line: t.Pos.Line, col: t.Pos.Column, width: len(t.Str)}
	case !atEOF:
		at = mark{line: pe.Pos.Line, col: pe.Pos.Column, width: 1}
	default:
		last := len(lines)
		for last > 1 && strings.TrimSpace(lines[last-1]) == "" {
			last--
		}
		at = mark{line: last, col: len(lines[last-1]) + 1}
	}
	e.Line = at.line
	e.Column = columnOf(lines, at.line, at.col)

	near := "at the end of the file"
	if !atEOF {
		near = fmt.Sprintf("near '%s'", tokenText(lines, at, pe.Token))
	}
	var opened *opener
	if len(open) > 0 {
		opened = &open[len(open)-1]
	}
	switch {
	case msg == "Invalid token":
		r, _ := utf8.DecodeRuneInString(lineText(lines, at.line)[max(at.col-1, 0):])
		e.Msg = fmt.Sprintf("unexpected character %q", r)
		at.width = utf8.RuneLen(r)
	case lexical:
		e.Msg = strings.ToLower(msg[:1]) + msg[1:]
	case opened != nil && opened.tok.Pos.Line == at.line && !atEOF && closesOther(toks[bad], *opened):
		e.Msg = fmt.Sprintf("'%s' expected %s", opened.closer, near)
	case opened != nil && (atEOF || closesOther(toks[bad], *opened)):
		e.Msg = fmt.Sprintf("'%s' expected (to close '%s' at line %d) %s", opened.closer, opened.tok.Str, opened.tok.Pos.Line, near)
	case opened == nil && bad >= 0 && closer(toks[bad].Type):
		e.Msg = fmt.Sprintf("unexpected '%s': no block or bracket is open here", toks[bad].Str)
	case atEOF:
		e.Msg = "unexpected end of the file"
	default:
		e.Msg = "syntax error " + near
	}
	var marks []mark
	if opened != nil && strings.Contains(e.Msg, "to close") && opened.tok.Pos.Line != at.line {
		o := opened.tok.Pos
		marks = append(marks, mark{line: o.Line, col: o.Column, width: len(opened.tok.Str)})
		if atEOF {
			at = mark{line: at.line} // the end of the file: the line alone
		}
	}
	e.Source = excerpt(lines, append(marks, at)...)
	return e
}

// lexError is where the scanner failed: the start of the token it could not
// finish (an unterminated string or comment).
type lexError struct{ start ast.Position }

// scanTokens returns the tokens of src up to the end or the first token the
// scanner cannot read, and where that one starts.
func scanTokens(src []byte, name string) ([]ast.Token, *lexError) {
	sc := parse.NewScanner(bytes.NewReader(src), name)
	var toks []ast.Token
	for {
		start := sc.Pos
		t, err := sc.Scan(&parse.Lexer{})
		if err != nil {
			if t.Pos.Line > 0 {
				start = t.Pos
			}
			return toks, &lexError{start: start}
		}
		if t.Type == parse.EOF {
			return toks, nil
		}
		toks = append(toks, t)
	}
}

// opener is a bracket or a block still open, and what closes it.
type opener struct {
	tok    ast.Token
	closer string
	// loop is a for or while whose "do" has not come yet.
	loop bool
}

// openers returns the brackets and blocks left open after toks, innermost
// last.
func openers(toks []ast.Token) []opener {
	var stack []opener
	pop := func() {
		if len(stack) > 0 {
			stack = stack[:len(stack)-1]
		}
	}
	for _, t := range toks {
		switch t.Type {
		case '(':
			stack = append(stack, opener{tok: t, closer: ")"})
		case '{':
			stack = append(stack, opener{tok: t, closer: "}"})
		case '[':
			stack = append(stack, opener{tok: t, closer: "]"})
		case ')', '}', ']', parse.TEnd, parse.TUntil:
			pop()
		case parse.TFunction, parse.TIf:
			stack = append(stack, opener{tok: t, closer: "end"})
		case parse.TFor, parse.TWhile:
			stack = append(stack, opener{tok: t, closer: "end", loop: true})
		case parse.TRepeat:
			stack = append(stack, opener{tok: t, closer: "until"})
		case parse.TDo:
			if n := len(stack); n > 0 && stack[n-1].loop {
				stack[n-1].loop = false // the body of the for or while
			} else {
				stack = append(stack, opener{tok: t, closer: "end"})
			}
		}
	}
	return stack
}

// closer reports whether a token of type typ closes a bracket or a block.
func closer(typ int) bool {
	switch typ {
	case ')', '}', ']', parse.TEnd, parse.TUntil:
		return true
	}
	return false
}

// closesOther reports whether the unexpected token t shows that o was left
// open: t closes something else, or o is a bracket, where the parser wanted
// a separator or o's closer (a block inside a bracket would be the innermost
// opener).
func closesOther(t ast.Token, o opener) bool {
	if closer(t.Type) {
		return t.Str != o.closer
	}
	return o.closer != "end" && o.closer != "until"
}

// before reports whether a is at or before b.
func before(a, b ast.Position) bool {
	return a.Line < b.Line || a.Line == b.Line && a.Column <= b.Column
}

// tokenText is the text of the token at m, as the source spells it; tok,
// the parser's idea of it, when the source has no such span.
func tokenText(lines []string, m mark, tok string) string {
	l := lineText(lines, m.line)
	if m.col >= 1 && m.col-1+m.width <= len(l) && m.width > 0 {
		return l[m.col-1 : m.col-1+m.width]
	}
	return tok
}

func lineText(lines []string, n int) string {
	if n < 1 || n > len(lines) {
		return ""
	}
	return lines[n-1]
}

// columnOf converts a 1-based byte column of line n to characters.
func columnOf(lines []string, n, col int) int {
	l := lineText(lines, n)
	if col < 1 {
		return 0
	}
	if col-1 > len(l) {
		return col
	}
	return utf8.RuneCountInString(l[:col-1]) + 1
}

// excerpt shows each marked line, numbered, with carets under its span;
// lines skipped between two marks show as "...".
func excerpt(lines []string, marks ...mark) string {
	width := len(fmt.Sprint(marks[len(marks)-1].line))
	for i := 1; i < len(marks); i++ {
		if marks[i].line > marks[i-1].line+1 {
			width = max(width, len("..."))
		}
	}
	var b strings.Builder
	prev := 0
	for _, m := range marks {
		if m.line < 1 || m.line > len(lines) || m.line == prev {
			continue
		}
		if prev > 0 && m.line > prev+1 {
			fmt.Fprintf(&b, "  %*s |\n", width, "...")
		}
		prev = m.line
		l := lines[m.line-1]
		fmt.Fprintf(&b, "  %*d | %s\n", width, m.line, l)
		if m.col < 1 {
			continue
		}
		var pad strings.Builder
		for _, r := range l[:min(m.col-1, len(l))] {
			switch {
			case r == '\t':
				pad.WriteByte('\t')
			case wide(r):
				pad.WriteString("  ")
			default:
				pad.WriteByte(' ')
			}
		}
		carets := 0
		span := l[min(m.col-1, len(l)):min(m.col-1+max(m.width, 1), len(l))]
		for _, r := range span {
			carets++
			if wide(r) {
				carets++
			}
		}
		fmt.Fprintf(&b, "  %*s | %s%s\n", width, "", pad.String(), strings.Repeat("^", max(carets, 1)))
	}
	return strings.TrimSuffix(b.String(), "\n")
}

// wide reports whether r takes two columns in a terminal (Chinese,
// Japanese and Korean characters, and full-width forms).
func wide(r rune) bool {
	return unicode.In(r, unicode.Han, unicode.Hangul, unicode.Hiragana, unicode.Katakana) ||
		r >= 0x3000 && r <= 0x303f || r >= 0xff01 && r <= 0xff60
}
