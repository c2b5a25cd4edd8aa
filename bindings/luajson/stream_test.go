package luajson_test

import (
	"errors"
	"io"
	"strings"
	"testing"
	"testing/iotest"

	lua "github.com/yuin/gopher-lua"

	"github.com/wecomrunner/runner/bindings/luajson"
	"github.com/wecomrunner/runner/bindings/luajson/luajsontest"
)

// readObject reads doc from a stream of pieces of size bytes and writes
// down its parts: key=value for a member, the element for an element.
func readObject(L *lua.LState, doc string, size int) ([]string, error) {
	s := luajson.NewDecoder(L, &pieces{s: doc, n: size}).Stream("list")
	var parts []string
	for range 1000 {
		part, key, v, err := s.Next()
		switch {
		case err != nil:
			return parts, err
		case part == luajson.End:
			return parts, nil
		case part == luajson.Member:
			parts = append(parts, key.String()+"="+luajsontest.Dump(v))
		default:
			parts = append(parts, luajsontest.Dump(v))
		}
	}
	return parts, errors.New("no end")
}

// TestObjectStream reads objects whose list comes first, last, empty, not
// an array or absent, from streams read in pieces of every size.
func TestObjectStream(t *testing.T) {
	L := lua.NewState()
	defer L.Close()
	for _, tt := range []struct{ doc, want string }{
		{"\uFEFF" + `{"errcode":0,"list":[{"a":1},[2],"x"],"next":"c"}` + "\n", `errcode=0 {a=1} {2} "x" next="c"`},
		{`{"list":[1,2],"errcode":0}`, `1 2 errcode=0`},
		{`{"list": [ ] ,"errcode":0}`, `errcode=0`},
		{`{"list":{"a":1},"other":[1,2]}`, `list={a=1} other={1, 2}`},
		{`{}`, ``},
		{` { "a" : null } `, `a=json.null`},
	} {
		for _, size := range []int{1, 3, 1 << 20} {
			parts, err := readObject(L, tt.doc, size)
			if got := strings.Join(parts, " "); err != nil || got != tt.want {
				t.Errorf("%q in pieces of %d: %s (%v), want %s", tt.doc, size, got, err, tt.want)
			}
		}
	}
}

func TestObjectStreamErrors(t *testing.T) {
	L := lua.NewState()
	defer L.Close()
	for _, tt := range []struct{ doc, parts, want string }{
		{`[1]`, ``, "line 1 (offset 0): unexpected character '[', want '{'"},
		{`{"list":[1,2 3]}`, `1`, "want ',' or ']'"},
		{`{"a":1 "b":2}`, `a=1`, "want ',' or '}'"},
		{`{"a":1} x`, `a=1`, "unexpected character 'x' after the JSON value"},
		{`{"list":[1,`, `1`, "unexpected end of input"},
	} {
		parts, err := readObject(L, tt.doc, 2)
		if got := strings.Join(parts, " "); got != tt.parts || err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%q: %s (%v), want %s and an error containing %q", tt.doc, got, err, tt.parts, tt.want)
		}
	}
	s := luajson.NewDecoder(L, io.MultiReader(strings.NewReader(`{"list":[1,`), iotest.ErrReader(io.ErrUnexpectedEOF))).Stream("list")
	var err error
	for part := luajson.Member; err == nil && part != luajson.End; {
		part, _, _, err = s.Next()
	}
	if !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Errorf("stream cut short: err = %v, want the read error", err)
	}
	if part, _, _, err := s.Next(); part != luajson.End || err != nil {
		t.Errorf("after an error: %v, %v; want End", part, err)
	}
}
