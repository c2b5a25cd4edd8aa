package bindings

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	lua "github.com/yuin/gopher-lua"
)

func TestSuggest(t *testing.T) {
	user := []string{"create", "update", "delete", "get", "list", "list_id", "batch_delete", "get_info"}
	message := []string{"send", "send_text", "send_markdown", "send_text_card", "recall"}
	for _, tt := range []struct {
		name  string
		names []string
		want  []string
	}{
		{"gett", user, []string{"get"}},
		{"GET", user, []string{"get"}},
		{"craete", user, []string{"create"}}, // a swap is one edit
		{"delte", user, []string{"delete"}},
		{"lst", user, []string{"list"}},
		{"info", user, []string{"get_info"}}, // part of a name
		{"xyzzy", user, nil},
		{"usr", []string{"user", "tag", "agent", "department"}, []string{"user"}},
		{"text", message, []string{"send_text", "send_text_card"}},
		{"markdown", message, []string{"send_markdown"}},
		{"send_txt", message, []string{"send_text"}},
		{"a", []string{"b", "ab", "abc"}, []string{"ab", "b"}},
	} {
		if got := suggest(tt.name, tt.names); !slices.Equal(got, tt.want) {
			t.Errorf("suggest(%q) = %q, want %q", tt.name, got, tt.want)
		}
	}
}

func TestEditDistance(t *testing.T) {
	for _, tt := range []struct {
		a, b string
		want int
	}{
		{"", "", 0}, {"get", "get", 0}, {"gett", "get", 1}, {"", "abc", 3},
		{"usr", "user", 1}, {"ab", "ba", 1}, {"部门", "部们", 1}, {"kitten", "sitting", 3},
	} {
		if got := EditDistance(tt.a, tt.b); got != tt.want {
			t.Errorf("EditDistance(%q, %q) = %d, want %d", tt.a, tt.b, got, tt.want)
		}
	}
}

// TestUnknownNames checks that a name a module lacks stops the script with
// an error naming it and the nearest names, for API groups, their functions
// and the helper modules, with and without require.
func TestUnknownNames(t *testing.T) {
	env, _ := emulatorEnv(t)
	env.KV = NewMemoryKV()
	lib := t.TempDir() // a directory of modules of the scripts'
	if err := os.WriteFile(filepath.Join(lib, "helpers.lua"), []byte("return {}"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct{ script, want string }{
		{`wecom.user.gett("zhangsan")`, `wecom.user has no function "gett"; did you mean "get"?`},
		{`require("wecom").user.gett("zhangsan")`, `wecom.user has no function "gett"; did you mean "get"?`},
		{`require("wecom.user").gett("zhangsan")`, `wecom.user has no function "gett"; did you mean "get"?`},
		{`wecom.usr.get("zhangsan")`, `wecom has no module "usr"; did you mean "user"?`},
		{`wecom.client("default").departmnet.list()`, `wecom has no module "departmnet"; did you mean "department"?`},
		{`wecom.fanot("user.get", {})`, `wecom has no module "fanot"; did you mean "fanout"?`},
		{`wecom.message.send_txt{}`, `wecom.message has no function "send_txt"; did you mean "send_text"?`},
		{`wecom.tag.xyzzy()`, `wecom.tag has no function "xyzzy" (its functions: add_users, create, delete, delete_users, get_users, list, update)`},
		{`json.encod({})`, `json has no function "encod"; did you mean "encode"?`},
		{`require("csv").wirte("x.csv", {})`, `csv has no function "wirte"; did you mean "write"?`},
		{`log.inf("x")`, `log has no function "inf"; did you mean "info"?`},
		{`time.sleeep(1)`, `time has no function "sleeep"; did you mean "sleep"?`},
		{`kv.put("k", 1)`, `kv has no function "put"`},
		{`require("wecom.usr")`, `module "wecom.usr" not found; did you mean "wecom.user"?`},
		{`require("wecom.departmnet")`, `module "wecom.departmnet" not found; did you mean "wecom.department"?`},
		{`require("jsno")`, `module "jsno" not found; did you mean "json"?`},
		{`require("helper")`, `module "helper" not found; did you mean "helpers"?`},
		{`require("xyzzy")`, "module xyzzy not found:"},
	} {
		L := lua.NewState()
		Preload(L, env)
		L.SetField(L.GetGlobal("package"), "path", lua.LString(filepath.Join(lib, "?.lua")))
		err := L.DoString(tt.script)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: error %v\nwant %q", tt.script, err, tt.want)
		}
		L.Close()
	}
}

// TestGlobals checks that every helper module and wecom are globals, the
// same tables that require returns, and that a script may still read what
// the modules have and shadow them with locals.
func TestGlobals(t *testing.T) {
	env, _ := emulatorEnv(t)
	L := lua.NewState()
	defer L.Close()
	Preload(L, env)
	names := []string{"wecom"}
	for name := range helpers {
		if name != "event" { // the run has no event
			names = append(names, name)
		}
	}
	for _, name := range names {
		if err := L.DoString(`assert(` + name + ` ~= nil and ` + name + ` == require("` + name + `"), "` + name + `")`); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
	err := L.DoString(`
		assert(json.null ~= nil and json.decode(json.encode({a = 1})).a == 1)
		assert(args.missing == nil, "a missing argument reads nil")
		assert(wecom.dry_run == false)
		assert(wecom.user.get("zhangsan").name == "张三")
		local log = {info = function() end}
		log.info("shadowed")
		json = nil
		assert(require("json").encode({}) == "[]")
		assert(event == nil, "no event: event is nil")
	`)
	if err != nil {
		t.Error(err)
	}
}
