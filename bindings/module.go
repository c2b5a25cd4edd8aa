package bindings

import (
	"context"

	lua "github.com/yuin/gopher-lua"
)

// module is one Lua module of a run: its functions by name.
type module interface {
	exports() map[string]lua.LGFunction
}

// finisher is implemented by a module whose Lua value is more than its
// functions (json.null, the read-only args table): load hands it the table of
// exports and returns what finish returns.
type finisher interface {
	finish(L *lua.LState, mod *lua.LTable) lua.LValue
}

// load returns the package.preload loader of the module name: it opens m in
// the requiring state.
func load(name string, m module) lua.LGFunction {
	return func(L *lua.LState) int {
		L.Push(open(L, name, m))
		return 1
	}
}

// open builds the Lua value of the module name: a fresh table of m's
// exports, which m may finish. A plain table of functions is strict: reading
// a name it lacks raises an error suggesting the nearest.
func open(L *lua.LState, name string, m module) lua.LValue {
	funcs := m.exports()
	mod := L.CreateTable(0, len(funcs))
	L.SetFuncs(mod, funcs)
	var v lua.LValue = mod
	if f, ok := m.(finisher); ok {
		v = f.finish(L, mod)
	}
	if v == mod && mod.Metatable == lua.LNil {
		strict(L, mod, name)
	}
	return v
}

// contextOf is the run's context of L. A state without one (a bare state in
// a test) gets a context that is never cancelled.
func contextOf(L *lua.LState) context.Context {
	if ctx := L.Context(); ctx != nil {
		return ctx
	}
	return context.Background()
}

// readOnly returns a proxy of t that reads through to t and raises on any
// assignment, naming the module.
func readOnly(L *lua.LState, name string, t *lua.LTable) *lua.LTable {
	mt := L.CreateTable(0, 3)
	mt.RawSetString("__index", t)
	mt.RawSetString("__newindex", L.NewFunction(func(L *lua.LState) int {
		L.RaiseError("%s is read-only (cannot set %q)", name, L.ToString(2))
		return 0
	}))
	mt.RawSetString("__metatable", lua.LFalse)
	proxy := L.CreateTable(0, 0)
	proxy.Metatable = mt
	return proxy
}
