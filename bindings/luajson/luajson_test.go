package luajson_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"reflect"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/wecomrunner/runner/bindings/luajson"
	"github.com/wecomrunner/runner/bindings/luajson/luajsontest"
	lua "github.com/yuin/gopher-lua"
)

var fixturePath = flag.String("fixture", "", "TestWriteUserListFixture writes the 50,000-member user/list body here")

// TestWriteUserListFixture writes the benchmark's 50,000-member body to the
// file named by -fixture, so that other tools can parse the same bytes:
//
//	go test ./bindings/ -run TestWriteUserListFixture -fixture /tmp/userlist.json
//	python3 -c 'import json,time; b=open("/tmp/userlist.json","rb").read(); t=time.perf_counter(); json.loads(b); print(time.perf_counter()-t)'
func TestWriteUserListFixture(t *testing.T) {
	if *fixturePath == "" {
		t.Skip("no -fixture path")
	}
	body := luajsontest.UserListBody(50000)
	if err := os.WriteFile(*fixturePath, body, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("wrote %d bytes to %s", len(body), *fixturePath)
}

// userListBench returns a 50,000-member user/list body and a Lua state
// for a benchmark that goes through the body once a loop.
func userListBench(b *testing.B) (*lua.LState, []byte) {
	body := luajsontest.UserListBody(50000)
	L := lua.NewState()
	b.Cleanup(L.Close)
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	return L, body
}

func BenchmarkDecodeUserList50k(b *testing.B) {
	L, body := userListBench(b)
	for b.Loop() {
		if _, err := luajson.Decode(L, body); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkDecodeUserList50kViaAny is the naive way, for comparison:
// encoding/json into any, then ToLua.
func BenchmarkDecodeUserList50kViaAny(b *testing.B) {
	L, body := userListBench(b)
	for b.Loop() {
		var v any
		if err := json.Unmarshal(body, &v); err != nil {
			b.Fatal(err)
		}
		luajson.ToLua(L, v)
	}
}

func BenchmarkEncodeUserList50k(b *testing.B) {
	L, body := userListBench(b)
	v, err := luajson.Decode(L, body) // b.Loop times only the loop
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, err := luajson.Encode(v); err != nil {
			b.Fatal(err)
		}
	}
}

// TestDecodeJSONStream decodes documents from streams read in pieces of
// every size, including pieces that end inside tokens, escapes and the byte
// order mark, and compares with decoding them whole.
func TestDecodeJSONStream(t *testing.T) {
	docs := []string{
		"\uFEFF" + `{"a":"\u00e9\ud83d\ude00x","b":[1,-2.5e3,12345678901234567890,true,false,null]}`,
		`[` + strings.Repeat(`"一二三四五六七八九十",`, 20000) + `""]`, // more than a window
		`"` + strings.Repeat("x", 200000) + `"`,              // one token longer than a window
		`{"a":1}` + " \n\t ",
		`{"a":[1,2,}`, `[1 2]`, `"abc`, `{"a":tru}`, "[1,\n2,\n\"\x01\"]", `[1e]`,
	}
	for _, e := range []string{"bom", "department_list", "escapes", "numbers", "userlist"} {
		data, err := os.ReadFile("testdata/fuzz/FuzzJSONRoundTrip/" + e)
		if err != nil {
			t.Fatal(err)
		}
		docs = append(docs, corpusBytes(t, data))
	}
	docs = append(docs, string(luajsontest.UserListBody(500)))
	L := lua.NewState()
	defer L.Close()
	for i, doc := range docs {
		want, werr := luajson.DecodeString(L, doc)
		for _, size := range []int{1, 2, 3, 7, 100, 4096, 1 << 20} {
			got, err := luajson.DecodeStream(L, &pieces{s: doc, n: size})
			if fmt.Sprint(err) != fmt.Sprint(werr) || werr == nil && !luajsontest.Equal(got, want) {
				t.Errorf("document %d in pieces of %d: got %.200s (%v), want %.200s (%v)", i, size, luajsontest.Dump(got), err, luajsontest.Dump(want), werr)
			}
		}
	}
	_, err := luajson.DecodeStream(L, io.MultiReader(strings.NewReader(`{"a":[1,`), iotest.ErrReader(io.ErrUnexpectedEOF)))
	if !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Errorf("stream cut short: err = %v, want the read error", err)
	}
}

// pieces reads s n bytes at a time.
type pieces struct {
	s string
	n int
}

func (p *pieces) Read(b []byte) (int, error) {
	if p.s == "" {
		return 0, io.EOF
	}
	n := copy(b, p.s[:min(p.n, len(p.s))])
	p.s = p.s[n:]
	return n, nil
}

// corpusBytes returns the []byte value of a file of the fuzz corpus.
func corpusBytes(t *testing.T, file []byte) string {
	t.Helper()
	for _, line := range strings.Split(string(file), "\n") {
		if v, ok := strings.CutPrefix(line, "[]byte("); ok {
			s, err := strconv.Unquote(strings.TrimSuffix(v, ")"))
			if err != nil {
				t.Fatal(err)
			}
			return s
		}
	}
	t.Fatalf("no []byte value in %q", file)
	return ""
}

func TestDecodeJSONTables(t *testing.T) {
	L := lua.NewState()
	defer L.Close()
	v, err := luajson.Decode(L, []byte(`{"b":1,"a":[true,false,null,"x"],"b":2,"e":{},"f":[]}`))
	if err != nil {
		t.Fatal(err)
	}
	obj := v.(*lua.LTable)
	if got := obj.RawGetString("b"); got != lua.LNumber(2) {
		t.Errorf("duplicate key: got %v, want the last value 2", got)
	}
	var keys []string
	for k, _ := obj.Next(lua.LNil); k != lua.LNil; k, _ = obj.Next(k) {
		keys = append(keys, k.String())
	}
	if want := []string{"b", "a", "e", "f"}; !slices.Equal(keys, want) {
		t.Errorf("next: keys %v, want %v", keys, want)
	}
	arr := obj.RawGetString("a").(*lua.LTable)
	if arr.Len() != 4 || arr.RawGetInt(1) != lua.LTrue || !luajson.IsNull(arr.RawGetInt(3)) || arr.RawGetInt(4) != lua.LString("x") {
		t.Errorf("array: got %s", luajsontest.Dump(arr))
	}
	if k := luajson.Kind(obj.RawGetString("e").(*lua.LTable)); k != "object" {
		t.Errorf("{} kind = %q, want object", k)
	}
	if k := luajson.Kind(obj.RawGetString("f").(*lua.LTable)); k != "array" {
		t.Errorf("[] kind = %q, want array", k)
	}
	if L.GetGlobal("json") != lua.LNil {
		t.Error("decoding set a global")
	}
}

func TestDecodeJSONValues(t *testing.T) {
	L := lua.NewState()
	defer L.Close()
	for _, tt := range []struct {
		in   string
		want lua.LValue
	}{
		{`0`, lua.LNumber(0)},
		{`-0`, lua.LNumber(0)},
		{`1023`, lua.LNumber(1023)},
		{`-12`, lua.LNumber(-12)},
		{`1.5e3`, lua.LNumber(1500)},
		{`-2.25`, lua.LNumber(-2.25)},
		{`1E-2`, lua.LNumber(0.01)},
		{`999999999999999`, lua.LNumber(999999999999999)},
		{`9007199254740992`, lua.LNumber(9007199254740992)},
		{`9007199254740993`, lua.LString("9007199254740993")},
		{`-9007199254740993`, lua.LString("-9007199254740993")},
		{`123456789012345678901234567890`, lua.LString("123456789012345678901234567890")},
		{`"a\"b\\c\/d\b\f\n\r\t"`, lua.LString("a\"b\\c/d\b\f\n\r\t")},
		{`"\u00e9\u4e2d\ud83d\ude00"`, lua.LString("é中😀")},
		{`"\ud800x"`, lua.LString("\uFFFDx")},
		{`"张三"`, lua.LString("张三")},
		{" \t\r\n true \n", lua.LTrue},
		{"\xEF\xBB\xBF{}", nil},
	} {
		got, err := luajson.Decode(L, []byte(tt.in))
		if err != nil {
			t.Errorf("luajson.Decode(%q): %v", tt.in, err)
			continue
		}
		if tt.want != nil && !luajsontest.Equal(got, tt.want) {
			t.Errorf("luajson.Decode(%q) = %s, want %s", tt.in, luajsontest.Dump(got), luajsontest.Dump(tt.want))
		}
	}
}

func TestDecodeJSONErrors(t *testing.T) {
	L := lua.NewState()
	defer L.Close()
	for _, tt := range []struct{ in, want string }{
		{``, "line 1 (offset 0): unexpected end of input"},
		{`{`, "want a string key"},
		{`{"a" 1}`, "want ':'"},
		{`{"a":1 "b":2}`, "want ',' or '}'"},
		{`[1 2]`, "want ',' or ']'"},
		{`[1,]`, "unexpected character ']'"},
		{`01`, "after the JSON value"},
		{`1.`, "after decimal point"},
		{`1e`, "in exponent"},
		{`-`, "in number"},
		{`1e400`, "out of range"},
		{`tru`, "unexpected character 't'"},
		{`"abc`, "unterminated string"},
		{"\"a\nb\"", "control character 0x0a"},
		{`"\x"`, `invalid escape '\x'`},
		{`"\u12"`, `invalid \u escape`},
		{"\"\xff\"", "not valid UTF-8"},
		{"{\"a\":1,\n\"b\":x}", "line 2 (offset 12): unexpected character 'x'"},
		{strings.Repeat("[", luajson.MaxDepth+1), "nested deeper than 1000 levels"},
	} {
		_, err := luajson.Decode(L, []byte(tt.in))
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("luajson.Decode(%q): error %v, want it to contain %q", tt.in, err, tt.want)
		}
	}
}

func TestEncodeJSON(t *testing.T) {
	L := lua.NewState()
	defer L.Close()
	for _, tt := range []struct{ lua, want string }{
		{`return {1, 2, 3}`, `[1,2,3]`},
		{`return {}`, `[]`},
		{`return {b = 1, a = 2}`, `{"a":2,"b":1}`},
		{`return {1000002, 1.5, -0.25, 1e21, 1e20, 123456789012, 2^53, 2^53+2}`, `[1000002,1.5,-0.25,1e+21,1e+20,123456789012,9007199254740992,9.007199254740994e+15]`},
		{`return {"研发部", "a\"\\\n\r\t\1"}`, `["研发部","a\"\\\n\r\t\u0001"]`},
		{`return {x = {y = {}}}`, `{"x":{"y":[]}}`},
	} {
		if err := L.DoString(tt.lua); err != nil {
			t.Fatal(err)
		}
		v := L.Get(-1)
		L.Pop(1)
		got, err := luajson.Encode(v)
		if err != nil || string(got) != tt.want {
			t.Errorf("luajson.Encode(%s) = %s, %v; want %s", tt.lua, got, err, tt.want)
		}
	}
}

func TestToGo(t *testing.T) {
	L := lua.NewState()
	defer L.Close()
	if err := L.DoString(`return {name = "张三", n = 3, f = 1.5, ok = true, list = {1, "a"}, empty = {}}`); err != nil {
		t.Fatal(err)
	}
	got, err := luajson.ToGo(L.Get(-1))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]any{"name": "张三", "n": int64(3), "f": 1.5, "ok": true, "list": []any{int64(1), "a"}, "empty": []any{}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("ToGo = %#v, want %#v", got, want)
	}
	if err := L.DoString(`local t = {} t.x = {t} return t`); err != nil {
		t.Fatal(err)
	}
	if _, err := luajson.ToGo(L.Get(-1)); err == nil || !strings.Contains(err.Error(), "table contains itself at $.x[1]") {
		t.Errorf("luajson.ToGo(cycle): error %v", err)
	}
	if _, err := luajson.ToGo(L.NewFunction(func(*lua.LState) int { return 0 })); err == nil {
		t.Error("luajson.ToGo(function): no error")
	}
	if v, err := luajson.ToGo(luajson.Null(L)); v != nil || err != nil {
		t.Errorf("luajson.ToGo(json.null) = %v, %v; want nil", v, err)
	}
}

func TestToLua(t *testing.T) {
	L := lua.NewState()
	defer L.Close()
	type dept struct {
		ID   int    `json:"id"`
		Name string `json:"name"`
	}
	for _, tt := range []struct {
		in   any
		want string // the JSON encoding of the Lua value
	}{
		{nil, `null`},
		{"x", `"x"`},
		{int64(1) << 60, `"1152921504606846976"`},
		{uint64(7), `7`},
		{[]string{"a", "b"}, `["a","b"]`},
		{[]any{}, `[]`},
		{map[string]any{}, `{}`},
		{map[string]any{"a": []any{1, true}}, `{"a":[1,true]}`},
		{json.RawMessage(`{"id":2,"name":"研发部","x":{}}`), `{"id":2,"name":"研发部","x":{}}`},
		{dept{ID: 2, Name: "研发部"}, `{"id":2,"name":"研发部"}`},
		{(*dept)(nil), `null`},
		{json.Number("12345678901234567890"), `"12345678901234567890"`},
	} {
		got, err := luajson.Encode(luajson.ToLua(L, tt.in))
		if err != nil || string(got) != tt.want {
			t.Errorf("luajson.ToLua(%#v) encodes as %s, %v; want %s", tt.in, got, err, tt.want)
		}
	}
}

func TestDecodeUserList(t *testing.T) {
	body := luajsontest.UserListBody(200)
	L := lua.NewState()
	defer L.Close()
	v, err := luajson.Decode(L, body)
	if err != nil {
		t.Fatal(err)
	}
	list := v.(*lua.LTable).RawGetString("userlist").(*lua.LTable)
	if list.Len() != 200 {
		t.Fatalf("%d members, want 200", list.Len())
	}
	var want struct{ Userlist []luajsontest.Member }
	if err := json.Unmarshal(body, &want); err != nil {
		t.Fatal(err)
	}
	first := list.RawGetInt(1).(*lua.LTable)
	if got := first.RawGetString("name").String(); got != want.Userlist[0].Name {
		t.Errorf("name = %q, want %q", got, want.Userlist[0].Name)
	}
	// Re-encoding and decoding with encoding/json gives the same document.
	out, err := luajson.Encode(v)
	if err != nil {
		t.Fatal(err)
	}
	var a, b any
	if err := json.Unmarshal(body, &a); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(out, &b); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(a, b) {
		t.Error("decode then encode changed the document")
	}
}

// FuzzJSONRoundTrip checks that what Decode accepts is valid JSON and
// encodes to a text that decodes to the same value and encodes the same
// again, and that decoding it from a stream read a byte at a time gives the
// same value or the same error. The seed corpus is in
// testdata/fuzz/FuzzJSONRoundTrip.
func FuzzJSONRoundTrip(f *testing.F) {
	f.Fuzz(func(t *testing.T, data []byte) {
		L := lua.NewState(lua.Options{SkipOpenLibs: true})
		defer L.Close()
		v, err := luajson.Decode(L, data)
		sv, serr := luajson.DecodeStream(L, iotest.OneByteReader(bytes.NewReader(data)))
		if fmt.Sprint(err) != fmt.Sprint(serr) || err == nil && !luajsontest.Equal(v, sv) {
			t.Fatalf("%q: decoded %s (%v), from a stream %s (%v)", data, luajsontest.Dump(v), err, luajsontest.Dump(sv), serr)
		}
		if err != nil {
			return
		}
		if std := json.Valid(data); !std && !bytes.HasPrefix(data, []byte("\xEF\xBB\xBF")) {
			t.Fatalf("decoded %q, which encoding/json rejects", data)
		}
		out, err := luajson.Encode(v)
		if err != nil {
			t.Fatalf("encode(decode(%q)): %v", data, err)
		}
		v2, err := luajson.Decode(L, out)
		if err != nil {
			t.Fatalf("decode(%q): %v", out, err)
		}
		if !luajsontest.Equal(v, v2) {
			t.Fatalf("round trip of %q: %s, then %s", data, luajsontest.Dump(v), luajsontest.Dump(v2))
		}
		out2, err := luajson.Encode(v2)
		if err != nil || !bytes.Equal(out, out2) {
			t.Fatalf("encodings differ: %s and %s (%v)", out, out2, err)
		}
	})
}

// TestDecodedObjectsOfOneShape checks that objects decoded with the same
// keys, which share their key list and copies of the same maps, stay
// independent tables: keys added, changed or removed in one are not seen in
// the others, and pairs() sees each table's own keys.
func TestDecodedObjectsOfOneShape(t *testing.T) {
	L := lua.NewState()
	defer L.Close()
	v, err := luajson.DecodeString(L, `[{"a":1,"b":2},{"a":3,"b":4},{"a":5,"b":6},{"a":7,"b":8}]`)
	if err != nil {
		t.Fatal(err)
	}
	L.SetGlobal("list", v)
	if err := L.DoString(`
		local function assert_eq(got, want)
		  if got ~= want then error(string.format("got %q, want %q", got, want), 2) end
		end
		local function keys(t)
		  local out = {}
		  for k, v in pairs(t) do out[#out + 1] = k .. "=" .. tostring(v) end
		  table.sort(out)
		  return table.concat(out, ",")
		end
		list[1].c = "x"
		list[2].c = "y"
		list[2].a = 30
		list[3].a = nil
		list[4].d = "z"
		assert_eq(keys(list[1]), "a=1,b=2,c=x")
		assert_eq(keys(list[2]), "a=30,b=4,c=y")
		assert_eq(keys(list[3]), "b=6")
		assert_eq(keys(list[4]), "a=7,b=8,d=z")
	`); err != nil {
		t.Fatal(err)
	}
}

// TestKeptElementKeepsOnlyItself checks that one member kept from a large
// list does not keep the others alive: each element of the list is carved
// from blocks of its own.
func TestKeptElementKeepsOnlyItself(t *testing.T) {
	body := luajsontest.UserListBody(20000)
	L := lua.NewState()
	defer L.Close()
	heap := func() int64 {
		runtime.GC()
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		return int64(ms.HeapAlloc)
	}
	before := heap()
	v, err := luajson.Decode(L, body)
	if err != nil {
		t.Fatal(err)
	}
	list := v.(*lua.LTable).RawGetString("userlist").(*lua.LTable)
	all := heap() - before
	kept := list.RawGetInt(10000)
	list, v = nil, nil
	// The member's strings may keep the copy of the input (a tenth of all).
	if got := heap() - before; got > all/5 {
		runtime.KeepAlive(body)
		t.Errorf("one member kept holds %d bytes; the list held %d", got, all)
	}
	runtime.KeepAlive(kept)
	runtime.KeepAlive(body)
}
