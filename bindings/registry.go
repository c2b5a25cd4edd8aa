package bindings

import (
	"fmt"
	"sort"
	"strings"
	"sync"

	lua "github.com/yuin/gopher-lua"

	"github.com/wecomrunner/runner/bindings/luajson"
	"github.com/wecomrunner/runner/wecom"
)

// group is one WeCom API group as Lua functions: method name → method.
type group map[string]*method

// groups is every API group of the wecom module, by its Lua name.
var groups = map[string]group{
	// WeCom API
	"agent":      agentGroup,
	"appchat":    appchatGroup,
	"batch":      batchGroup,
	"department": departmentGroup,

	"export":                      exportGroup,
	"external_contact":            externalContactGroup,
	"external_contact_group_chat": externalContactGroupChatGroup,
	"oa":                          oaGroup,

	"jsapi":   jsapiGroup,
	"media":   mediaGroup,
	"menu":    menuGroup,
	"message": messageGroup,
	"misc":    miscGroup,
	"oauth":   oauthGroup,
	"service": serviceGroup,
	"tag":     tagGroup,
	"user":    userGroup,

	// legacy: kept for scripts written against wechatpy, warned about once per run
	"chat":        chatGroup,
	"material":    materialGroup,
	"shakearound": shakearoundGroup,
}

// helpers is every helper module, by its require name.
var helpers = map[string]func(env *Env) module{
	"args":    newArgsModule,
	"csv":     newCSVModule,
	"env":     newEnvModule,
	"event":   newEventModule,
	"fs":      newFSModule,
	"history": newHistoryModule,
	"http":    newHTTPModule,
	"json":    newJSONModule,
	"kv":      newKVModule,
	"log":     newLogModule,
	"time":    newTimeModule,
}

// Preload makes every module requirable in L for the run env:
// require("wecom"), require("wecom.user"), require("json"), ... The helper
// modules and wecom are globals too, as string and table are: json.encode
// works without a require, and require("json") returns the same table.
func Preload(L *lua.LState, env *Env) {
	loaded, _ := L.GetField(L.GetGlobal("package"), "loaded").(*lua.LTable)
	global := func(name string, v lua.LValue) {
		L.SetGlobal(name, v)
		if loaded != nil {
			loaded.RawSetString(name, v)
		}
	}
	for name, newModule := range helpers {
		m := newModule(env)
		L.PreloadModule(name, load(name, m))
		if name != "event" { // a global only in a run with an event: see setEventGlobal
			global(name, open(L, name, m))
		}
	}
	w := &wecomModule{env: env, clients: map[string]*lua.LTable{}}
	L.PreloadModule("wecom", func(L *lua.LState) int {
		L.Push(w.root(L))
		return 1
	})
	global("wecom", w.root(L))
	for name := range groups {
		L.PreloadModule("wecom."+name, func(L *lua.LState) int {
			L.Push(L.GetField(w.root(L), name))
			return 1
		})
	}
	if loaders, ok := L.GetField(L.GetGlobal("package"), "loaders").(*lua.LTable); ok {
		loaders.Append(L.NewFunction(suggestModule))
	}
	setEventGlobal(L, env)
	luajson.GuardSharedKeys(L)
}

// wecomModule is the wecom module of one run: a table per client, each with
// a field per API group, built when first used.
type wecomModule struct {
	env     *Env
	clients map[string]*lua.LTable // by client name
	warned  sync.Map               // legacy groups already warned about
	rootTab *lua.LTable
}

// root is require("wecom"): the default client's table, plus client() and fanout().
func (w *wecomModule) root(L *lua.LState) *lua.LTable {
	if w.rootTab != nil {
		return w.rootTab
	}
	t := w.clientTable(L, w.env.Default)
	t.RawSetString("client", L.NewFunction(func(L *lua.LState) int {
		name := L.CheckString(1)
		if _, ok := w.env.Clients[name]; !ok {
			L.ArgError(1, fmt.Sprintf("no client %q in the configuration (have: %s)", name, strings.Join(w.clientNames(), ", ")))
		}
		L.Push(w.clientTable(L, name))
		return 1
	}))
	w.rootTab = t
	return t
}

func (w *wecomModule) clientNames() []string {
	names := make([]string, 0, len(w.env.Clients))
	for n := range w.env.Clients {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// clientTable is the table of the client name: its groups appear on first
// use, so that a run pays only for what it calls.
func (w *wecomModule) clientTable(L *lua.LState, name string) *lua.LTable {
	if t, ok := w.clients[name]; ok {
		return t
	}
	t := L.CreateTable(0, 2)
	t.RawSetString("fanout", L.NewFunction(func(L *lua.LState) int {
		return w.fanout(L, w.client(L, name))
	}))
	mt := L.CreateTable(0, 1)
	mt.RawSetString("__index", L.NewFunction(func(L *lua.LState) int {
		key := L.CheckString(2)
		if key == "dry_run" {
			// A script may plan differently when its writes are held back.
			L.Push(lua.LBool(w.client(L, name).IsDryRun()))
			return 1
		}
		g, ok := groups[key]
		if !ok {
			names := append(stringKeys(t), "dry_run")
			for name := range groups {
				names = append(names, name)
			}
			noSuch(L, "wecom", "module", key, names)
		}
		c := w.client(L, name)
		if legacy[key] {
			if _, done := w.warned.LoadOrStore(key, true); !done {
				w.logger().Warn("wecom."+key+" is a legacy API group: WeCom no longer develops it and may have switched it off", "group", key)
			}
		}
		gt := L.CreateTable(0, len(g))
		for mname, m := range g {
			gt.RawSetString(mname, function(L, w.env, c, key+"."+mname, m))
		}
		strict(L, gt, "wecom."+key)
		t.RawSetString(key, gt)
		L.Push(gt)
		return 1
	}))
	t.Metatable = mt
	w.clients[name] = t
	return t
}

// client is the configured client name, or raises.
func (w *wecomModule) client(L *lua.LState, name string) *wecom.Client {
	c, ok := w.env.Clients[name]
	if !ok || c == nil {
		if name == w.env.Default {
			L.RaiseError("no WeCom client configured: set WECOM_CORP_ID and WECOM_SECRET, use --config, or --emulator")
		}
		L.RaiseError("no client %q in the configuration", name)
	}
	return c
}

func (w *wecomModule) logger() interface{ Warn(string, ...any) } {
	if w.env.Logger != nil {
		return w.env.Logger
	}
	return nopLogger{}
}

type nopLogger struct{}

func (nopLogger) Warn(string, ...any) {}

// lookup finds the method "group.method".
func lookup(name string) (*method, bool) {
	g, m, ok := strings.Cut(name, ".")
	if !ok {
		return nil, false
	}
	meth, ok := groups[g][m]
	return meth, ok
}
