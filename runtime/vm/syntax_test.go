package vm

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestSyntaxErrors checks that a script that does not compile is reported
// with its file, line and column, what is wrong, the line where a bracket or
// block left open was opened, and the source lines with carets.
func TestSyntaxErrors(t *testing.T) {
	for _, tt := range []struct {
		name, src, want string
	}{
		{"unclosed parenthesis", "local x = 1\nprint(\"a\",\nend\n", `syn.lua:3:1: ')' expected (to close '(' at line 2) near 'end'
  2 | print("a",
    |      ^
  3 | end
    | ^^^`},
		{"missing end", "local function f()\n  if x then\n    y()\n  end\n", `syn.lua:4:6: 'end' expected (to close 'function' at line 1) at the end of the file
    1 | local function f()
      |       ^^^^^^^^
  ... |
    4 |   end`},
		{"missing end of a loop", "for i = 1, 2 do\n  print(i)\n", `syn.lua:2:11: 'end' expected (to close 'for' at line 1) at the end of the file
  1 | for i = 1, 2 do
    | ^^^
  2 |   print(i)`},
		{"missing until", "repeat\n  x = x + 1\n", `syn.lua:2:12: 'until' expected (to close 'repeat' at line 1) at the end of the file`},
		{"unclosed table", "local t = {\n  a = 1,\n  b = 2\n\nprint(t)\n", `syn.lua:5:1: '}' expected (to close '{' at line 1) near 'print'
    1 | local t = {
      |           ^
  ... |
    5 | print(t)
      | ^^^^^`},
		{"bracket closed by a keyword", "if x then\n  y = {1, 2\nelse\nend", `syn.lua:3:1: '}' expected (to close '{' at line 2) near 'else'`},
		{"on the same line", "print(\"中文\" x)", `syn.lua:1:12: ')' expected near 'x'
  1 | print("中文" x)
    |              ^`},
		{"tab indented", "x = 1\n\tfoo(a,\n\t\tb c)\n", "syn.lua:3:5: ')' expected (to close '(' at line 2) near 'c'\n  2 | \tfoo(a,\n    | \t   ^\n  3 | \t\tb c)\n    | \t\t  ^"},
		{"stray end", "x = 1\nend\n", `syn.lua:2:1: unexpected 'end': no block or bracket is open here`},
		{"unexpected token", "x = = 1", `syn.lua:1:5: syntax error near '='
  1 | x = = 1
    |     ^`},
		{"unterminated string", "local s = \"abc\nprint(s)", `syn.lua:1:11: unterminated string
  1 | local s = "abc
    |           ^`},
		{"unterminated long string", "x = [[abc\n\n", `syn.lua:1:5: unterminated multiline string`},
		{"unexpected character", "  名字 = 1", `syn.lua:1:3: unexpected character '名'
  1 |   名字 = 1
    |   ^^`},
		{"compile error", "function f(...) end\nfunction g() return ... end", `syn.lua:2: cannot use '...' outside a vararg function
  2 | function g() return ... end`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := CompileReader(strings.NewReader(tt.src), "syn.lua")
			var se *SyntaxError
			if !errors.As(err, &se) {
				t.Fatalf("err = %v (%T), want a *SyntaxError", err, err)
			}
			if got := err.Error(); !strings.HasPrefix(got, tt.want) {
				t.Errorf("got\n%s\nwant\n%s", got, tt.want)
			}
		})
	}
}

// TestCompileErrorNamesFile: Compile reports the path of the script.
func TestCompileErrorNamesFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "bad.lua")
	if err := os.WriteFile(path, []byte("local function f()\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := Compile(path)
	var se *SyntaxError
	if !errors.As(err, &se) || se.File != path || se.Line != 1 || !strings.Contains(err.Error(), path+":1:19: 'end' expected (to close 'function' at line 1)") {
		t.Errorf("err = %v", err)
	}
}
