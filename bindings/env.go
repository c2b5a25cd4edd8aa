package bindings

// Module env reads the environment variables the configuration allows:
//
//	env.get(name) -> string, or nil when the variable is unset or empty
//
// Reading a variable outside the allow-list raises an error naming it.

import (
	"slices"

	lua "github.com/yuin/gopher-lua"
)

type envModule struct {
	getenv func(string) string
	allow  []string
}

func newEnvModule(env *Env) module {
	return &envModule{getenv: env.Getenv, allow: env.EnvAllow}
}

func (m *envModule) exports() map[string]lua.LGFunction {
	return map[string]lua.LGFunction{"get": m.get}
}

func (m *envModule) get(L *lua.LState) int {
	name := L.CheckString(1)
	if !slices.Contains(m.allow, name) {
		L.RaiseError("env.get: the variable %q is not in the allow-list of this run", name)
	}
	var v string
	if m.getenv != nil {
		v = m.getenv(name)
	}
	if v == "" {
		L.Push(lua.LNil)
		return 1
	}
	L.Push(lua.LString(v))
	return 1
}
