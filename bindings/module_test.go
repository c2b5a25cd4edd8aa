package bindings

import (
	"strings"
	"testing"

	"github.com/wecomrunner/runner/bindings/luajson"
	lua "github.com/yuin/gopher-lua"
)

// TestArgumentErrors checks that each helper function refuses bad arguments
// with a Lua argument error naming the function and the argument.
func TestArgumentErrors(t *testing.T) {
	env := &Env{Dirs: []string{t.TempDir()}, Args: map[string]any{"n": "1"}, KV: NewMemoryKV()}
	for _, tt := range []struct{ script, want string }{
		{`json.encode()`, "bad argument #1 to encode (value expected)"},
		{`json.encode({}, 5)`, "bad argument #2 to encode (table expected, got number)"},
		{`json.decode()`, "bad argument #1 to decode (string expected, got nil)"},
		{`json.object("x")`, "bad argument #1 to object (table expected, got string)"},
		{`csv.parse()`, "bad argument #1 to parse (string expected, got nil)"},
		{`csv.parse("a", {header = "yes"})`, "bad argument #2 to parse (header must be true or false)"},
		{`csv.format()`, "bad argument #1 to format (table expected, got nil)"},
		{`csv.format({}, {header = "a"})`, "bad argument #2 to format (header must be a list of column names)"},
		{`csv.write("x.csv")`, "bad argument #2 to write (table expected, got nil)"},
		{`csv.write("../x.csv", {})`, `bad argument #1 to write (path "../x.csv" is outside the allowed directories`},
		{`csv.member_file("x")`, "bad argument #1 to member_file (table or function expected, got string)"},
		{`csv.department_file()`, "bad argument #1 to department_file (table expected, got nil)"},
		{`fs.read()`, "bad argument #1 to read (string expected, got nil)"},
		{`fs.mkdir("/")`, `bad argument #1 to mkdir (path "/" is outside the allowed directories`},
		{`log.info({})`, "bad argument #1 to info (string expected, got table)"},
		{`log.warn("x", "y")`, "bad argument #2 to warn (table expected, got string)"},
		{`time.parse()`, "bad argument #1 to parse (string expected, got nil)"},
		{`time.sleep("x")`, "bad argument #1 to sleep (number expected, got string)"},
		{`time.date({})`, "bad argument #1 to date (number expected, got table)"},
		{`args.get()`, "bad argument #1 to get (string expected, got nil)"},
		{`args.bool("n", "x")`, "bad argument #2 to bool (boolean or nil expected, got string)"},
		{`env.get()`, "bad argument #1 to get (string expected, got nil)"},
		{`http.get()`, "bad argument #1 to get (string expected, got nil)"},
		{`http.post("http://x", 5)`, "bad argument #2 to post (table expected, got number)"},
		{`kv.get()`, "bad argument #1 to get (string expected, got nil)"},
		{`kv.set("k")`, "bad argument #2 to set (value expected)"},
		{`kv.delete()`, "bad argument #1 to delete (string expected, got nil)"},
	} {
		L := lua.NewState()
		preloadHelpers(env)(L)
		for name := range helperModules {
			if err := L.DoString(name + ` = require("` + name + `")`); err != nil {
				t.Fatal(err)
			}
		}
		err := L.DoString(tt.script)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: error %v\nwant %q", tt.script, err, tt.want)
		}
		L.Close()
	}
}

func TestLoad(t *testing.T) {
	L := lua.NewState()
	defer L.Close()
	preloadHelpers(&Env{})(L)
	err := L.DoString(`
		local json = require("json")
		assert(require("json") == json, "require caches the module")
		assert(json.null == require("json").null)
		assert(type(json.encode) == "function")
		assert(json.decode("null") == json.null, "decode uses the state's null")
	`)
	if err != nil {
		t.Fatal(err)
	}
	for name := range helperModules {
		if L.GetGlobal(name) != lua.LNil {
			t.Errorf("require(%q) set a global", name)
		}
	}

	// Each state gets its own module table and null.
	L2 := lua.NewState()
	defer L2.Close()
	preloadHelpers(&Env{})(L2)
	if err := L2.DoString(`json = require("json")`); err != nil {
		t.Fatal(err)
	}
	if err := L.DoString(`json = require("json")`); err != nil {
		t.Fatal(err)
	}
	if L.GetGlobal("json") == L2.GetGlobal("json") || luajson.Null(L) == luajson.Null(L2) {
		t.Error("two states share a module table or json.null")
	}
}
