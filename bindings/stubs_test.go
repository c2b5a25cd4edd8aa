package bindings

import (
	"encoding/json"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	lua "github.com/yuin/gopher-lua"

	"github.com/wecomrunner/runner/wecom"
)

// stubFunctions reads the functions the definition files under dir/library
// declare, by module name ("wecom", "wecom.user", "json").
func stubFunctions(t *testing.T, dir string) map[string][]string {
	t.Helper()
	decl := regexp.MustCompile(`(?m)^function \w+\.(\w+)\(`)
	out := map[string][]string{}
	lib := filepath.Join(dir, stubLibrary)
	err := filepath.WalkDir(lib, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(lib, p)
		mod := strings.TrimSuffix(strings.TrimSuffix(filepath.ToSlash(rel), ".lua"), "/init")
		mod = strings.ReplaceAll(mod, "/", ".")
		if !strings.HasPrefix(string(b), "---@meta") {
			t.Errorf("%s does not start with ---@meta", rel)
		}
		for _, m := range decl.FindAllSubmatch(b, -1) {
			out[mod] = append(out[mod], string(m[1]))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// luaFunctions lists the functions of the table v.
func luaFunctions(v lua.LValue) []string {
	var names []string
	if t, ok := v.(*lua.LTable); ok {
		t.ForEach(func(k, v lua.LValue) {
			if _, ok := v.(*lua.LFunction); ok {
				names = append(names, k.String())
			}
		})
	}
	return names
}

// TestStubsCoverEveryBinding fails when a function scripts can call has no
// stub: every wecom.<group>.<method> as Preload builds it, wecom.client and
// fanout, and every function of every helper module.
func TestStubsCoverEveryBinding(t *testing.T) {
	dir := t.TempDir()
	if err := WriteStubs(dir); err != nil {
		t.Fatal(err)
	}
	stubs := stubFunctions(t, dir)

	want := map[string][]string{}
	L := lua.NewState()
	defer L.Close()
	Preload(L, &Env{Clients: map[string]*wecom.Client{"default": wecom.New("corp", "secret")}, Default: "default"})
	require := func(name string) lua.LValue {
		if err := L.CallByParam(lua.P{Fn: L.GetGlobal("require"), NRet: 1, Protect: true}, lua.LString(name)); err != nil {
			t.Fatalf("require(%q): %v", name, err)
		}
		v := L.Get(-1)
		L.Pop(1)
		return v
	}
	want["wecom"] = luaFunctions(require("wecom"))
	for name := range groups {
		want["wecom."+name] = luaFunctions(require("wecom." + name))
	}
	for name, newModule := range helpers {
		want[name] = slices.Sorted(maps.Keys(newModule(&Env{}).exports()))
	}

	for mod, funcs := range want {
		for _, fn := range funcs {
			if !slices.Contains(stubs[mod], fn) {
				t.Errorf("%s.%s has no stub", mod, fn)
			}
		}
	}
	for mod, funcs := range stubs {
		if mod == "os" {
			continue // the sandbox's part of the standard os library
		}
		for _, fn := range funcs {
			if !slices.Contains(want[mod], fn) {
				t.Errorf("the stub of %s.%s describes no binding", mod, fn)
			}
		}
	}
	init, err := os.ReadFile(filepath.Join(dir, stubLibrary, "wecom", "init.lua"))
	if err != nil {
		t.Fatal(err)
	}
	for name := range groups {
		if !strings.Contains(string(init), "---@field "+name+" wecom."+name+" ") {
			t.Errorf("wecom/init.lua has no field for the group %s", name)
		}
	}
}

// TestStubDocs checks that the documentation the stubs are made of is
// complete: every group has a title, every method a doc line, every
// parameter a type and a doc, and no helper documentation is left for a
// function that is gone.
func TestStubDocs(t *testing.T) {
	for gname, g := range groups {
		if groupTitles[gname] == "" {
			t.Errorf("group %s has no title", gname)
		}
		for mname, m := range g {
			key := gname + "." + mname
			if m.doc == "" {
				t.Errorf("%s has no doc", key)
			}
			for _, p := range m.params {
				if p.doc == "" || p.typ == "" {
					t.Errorf("%s: parameter %s has no doc or no type", key, p.name)
				}
			}
		}
	}
	for key := range helperFuncs {
		mod, fn, _ := strings.Cut(key, ".")
		newModule, ok := helpers[mod]
		if !ok {
			t.Errorf("docs for %s: no helper module %s", key, mod)
			continue
		}
		if _, ok := newModule(&Env{}).exports()[fn]; !ok {
			t.Errorf("docs for %s, which %s does not export", key, mod)
		}
	}
	for name := range helperTitles {
		if _, ok := helpers[name]; !ok {
			t.Errorf("a title for %s, which is not a helper module", name)
		}
	}
}

func TestLuarc(t *testing.T) {
	var cfg struct {
		Runtime struct {
			Version string            `json:"version"`
			Builtin map[string]string `json:"builtin"`
		} `json:"runtime"`
		Workspace struct {
			Library []string `json:"library"`
		} `json:"workspace"`
	}
	if err := json.Unmarshal([]byte(luarc()), &cfg); err != nil {
		t.Fatal(err)
	}
	if cfg.Runtime.Version != "Lua 5.1" {
		t.Errorf("runtime.version = %q, want Lua 5.1", cfg.Runtime.Version)
	}
	if cfg.Runtime.Builtin["io"] != "disable" {
		t.Errorf("io is not disabled: %v", cfg.Runtime.Builtin)
	}
	if !slices.Equal(cfg.Workspace.Library, []string{stubLibrary}) {
		t.Errorf("workspace.library = %v, want [%s]", cfg.Workspace.Library, stubLibrary)
	}
}

func TestIteratorStub(t *testing.T) {
	wantGroupStub(t, "user", userGroup,
		"---@return fun(): table? iterator for a generic for: each call returns the next element, nil after the last",
		"function user.each(department_id, fetch_child, status, simple) end\n",
		"function user.each_id() end\n",
	)
}

// wantGroupStub fails the test unless the stub of the group name has each of
// the wanted lines.
func wantGroupStub(t *testing.T, name string, g group, wants ...string) {
	t.Helper()
	got := groupStub(name, g)
	for _, want := range wants {
		if !strings.Contains(got, want) {
			t.Errorf("stub lacks %q:\n%s", want, got)
		}
	}
}

func TestGroupStub(t *testing.T) {
	wantGroupStub(t, "oauth", oauthGroup,
		"---@meta wecom.oauth\n",
		"---@class wecom.oauth\n",
		"---@param redirect_uri string 授权后重定向的回调链接地址\n",
		"---@param state? string 重定向后会带上 state 参数 (optional)\n",
		"---@return string result as wechatpy returns it",
		"---@overload fun(args: {redirect_uri: string, state?: string}): string\n",
		"function oauth.authorize_url(redirect_uri, state) end\n",
		"return oauth\n",
	)
	wantGroupStub(t, "shakearound", shakearoundGroup, "---@deprecated\n") // a legacy group's functions
}
