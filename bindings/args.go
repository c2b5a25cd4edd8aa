package bindings

// Module args holds the job's arguments (jobs.yaml args, --arg key=value):
//
//	args.NAME                          the argument NAME, or nil
//	args.get(name [, default]) -> value
//	args.number(name [, default]) -> number    accepts numbers and numeric strings
//	args.bool(name [, default]) -> boolean     accepts booleans, 1/0 and "true"/"false"/"1"/"0"
//	args.all() -> table                        a copy of every argument, to iterate
//
// The table is read-only. Arguments given on the command line are strings,
// which is why number and bool convert them. An argument named like one of
// the functions (get, number, bool, all) is read with args.get.

import (
	"strconv"
	"strings"

	"github.com/wecomrunner/runner/bindings/luajson"
	lua "github.com/yuin/gopher-lua"
)

type argsModule struct {
	args map[string]any
}

func newArgsModule(env *Env) module {
	return &argsModule{args: env.Args}
}

func (m *argsModule) exports() map[string]lua.LGFunction {
	return map[string]lua.LGFunction{
		"all":    m.all,
		"bool":   m.bool,
		"get":    m.get,
		"number": m.number,
	}
}

// finish makes the module a read-only view of its functions, then the
// arguments.
func (m *argsModule) finish(L *lua.LState, mod *lua.LTable) lua.LValue {
	mt := L.CreateTable(0, 1)
	mt.RawSetString("__index", m.table(L))
	mod.Metatable = mt
	return readOnly(L, "args", mod)
}

// table returns a new table of the arguments.
func (m *argsModule) table(L *lua.LState) *lua.LTable {
	t := L.CreateTable(0, len(m.args))
	for k, v := range m.args {
		t.RawSetString(k, luajson.ToLua(L, v))
	}
	return t
}

func (m *argsModule) all(L *lua.LState) int {
	L.Push(m.table(L))
	return 1
}

// value returns the argument name as a Lua value; ok is false when it is
// absent or nil.
func (m *argsModule) value(L *lua.LState, name string) (lua.LValue, bool) {
	v, ok := m.args[name]
	if !ok || v == nil {
		return lua.LNil, false
	}
	return luajson.ToLua(L, v), true
}

func (m *argsModule) get(L *lua.LState) int {
	name := L.CheckString(1)
	lv, ok := m.value(L, name)
	if !ok {
		lv = L.Get(2)
	}
	L.Push(lv)
	return 1
}

// typed pushes the argument named at argument 1: as it is when its type is
// typ, converted by conv when it has another type, or, when it is absent,
// the default at argument 2 (of type typ, or nil). conv raises an error
// naming the argument when it cannot convert it.
func (m *argsModule) typed(L *lua.LState, typ lua.LValueType, conv func(name string, lv lua.LValue) lua.LValue) int {
	name := L.CheckString(1)
	L.CheckTypes(2, typ, lua.LTNil)
	lv, ok := m.value(L, name)
	switch {
	case !ok:
		lv = L.Get(2)
	case lv.Type() != typ:
		lv = conv(name, lv)
	}
	L.Push(lv)
	return 1
}

func (m *argsModule) number(L *lua.LState) int {
	return m.typed(L, lua.LTNumber, func(name string, lv lua.LValue) lua.LValue {
		s, ok := lv.(lua.LString)
		if !ok {
			L.RaiseError("args.number: argument %q is a %s, not a number", name, lv.Type())
		}
		f, err := strconv.ParseFloat(strings.TrimSpace(string(s)), 64)
		if err != nil {
			L.RaiseError("args.number: argument %q is %q, not a number", name, string(s))
		}
		return lua.LNumber(f)
	})
}

func (m *argsModule) bool(L *lua.LState) int {
	return m.typed(L, lua.LTBool, func(name string, lv lua.LValue) lua.LValue {
		switch lv := lv.(type) {
		case lua.LNumber:
			if lv != 0 && lv != 1 {
				L.RaiseError("args.bool: argument %q is %v, not 1 or 0", name, lv)
			}
			return lua.LBool(lv == 1)
		case lua.LString:
			switch strings.ToLower(strings.TrimSpace(string(lv))) {
			case "true", "1":
				return lua.LTrue
			case "false", "0":
				return lua.LFalse
			}
			L.RaiseError("args.bool: argument %q is %q, not true/false/1/0", name, string(lv))
		}
		L.RaiseError("args.bool: argument %q is a %s, not a boolean", name, lv.Type())
		return nil
	})
}
