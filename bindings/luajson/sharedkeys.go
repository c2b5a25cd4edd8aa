package luajson

// Objects decoded with the same keys share their key index.
//
// gopher-lua keeps a table's string keys in three places: a map of the
// values (strdict), the list of keys in insertion order (keys) and a map
// from each key to its place in that list (k2i), which next() and pairs()
// use. Objects with the same keys in the same order (the members of a list)
// share the key list, which gopher-lua only ever appends to (its capacity
// is its length, so an append copies it). They share the key index too: it
// is a third of a decoded member's memory. But gopher-lua writes a new key
// into the index in place, where the other objects sharing it would see it
// (and then fail to list the same key when they get it in turn), so such an
// object carries the metatable sharedMetatable until it gets an index of its
// own: its __newindex, called for every new key, first gives the object its
// own index and drops the metatable, so that the key and every later one is
// set as on any table. rawset, setmetatable, json.array and json.object,
// which would bypass __newindex or remove the metatable, do the same first
// (GuardSharedKeys, OwnKeys), and getmetatable does not show it: to a
// script, a decoded object has no metatable, as before.

import (
	"unsafe"

	lua "github.com/yuin/gopher-lua"
)

// jsonSharedKey is the registry key of sharedMetatable.
const jsonSharedKey = "json.shared"

// sharedMetatable returns L's metatable of decoded objects that share their
// key index, creating it on first use. It tags them as JSON objects.
func sharedMetatable(L *lua.LState) *lua.LTable {
	mt := L.NewTypeMetatable(jsonSharedKey)
	if mt.RawGetString(jsonKindField) == lua.LNil {
		mt.RawSetString(jsonKindField, lua.LString("object"))
		mt.RawSetString("__newindex", L.NewFunction(func(L *lua.LState) int {
			t := L.CheckTable(1)
			OwnKeys(L, t)
			L.RawSet(t, L.CheckAny(2), L.Get(3))
			return 0
		}))
	}
	return mt
}

// sharesKeys reports whether t is a decoded object sharing its key index.
func sharesKeys(L *lua.LState, t *lua.LTable) bool {
	mt, ok := t.Metatable.(*lua.LTable)
	if !ok {
		return false
	}
	reg, _ := L.Get(lua.RegistryIndex).(*lua.LTable)
	return reg != nil && reg.RawGetString(jsonSharedKey) == mt
}

// OwnKeys gives t, when it shares its key index, an index of its own built
// from its key list, and drops its metatable.
func OwnKeys(L *lua.LState, t *lua.LTable) {
	if !sharesKeys(L, t) {
		return
	}
	t.Metatable = lua.LNil
	if !knownTableLayout {
		return // the decoder shares nothing
	}
	m := (*tableLayout)(unsafe.Pointer(t))
	k2i := make(map[lua.LValue]int, len(m.keys))
	for i, k := range m.keys {
		k2i[k] = i
	}
	m.k2i = k2i
}

// GuardSharedKeys wraps the base functions that would let a script change
// a decoded object sharing its key index without __newindex (rawset,
// setmetatable) so that they give it an index of its own first, and
// getmetatable so that it shows such an object without a metatable.
func GuardSharedKeys(L *lua.LState) {
	wrap := func(name string, call func(L *lua.LState, t *lua.LTable, orig lua.LGFunction) int) {
		orig, ok := L.GetGlobal(name).(*lua.LFunction)
		if !ok || !orig.IsG {
			return
		}
		g := orig.GFunction
		L.SetGlobal(name, L.NewFunction(func(L *lua.LState) int {
			t, ok := L.Get(1).(*lua.LTable)
			if !ok {
				return g(L)
			}
			return call(L, t, g)
		}))
	}
	own := func(L *lua.LState, t *lua.LTable, orig lua.LGFunction) int {
		OwnKeys(L, t)
		return orig(L)
	}
	wrap("rawset", own)
	wrap("setmetatable", own)
	wrap("getmetatable", func(L *lua.LState, t *lua.LTable, orig lua.LGFunction) int {
		if sharesKeys(L, t) {
			L.Push(lua.LNil)
			return 1
		}
		return orig(L)
	})
}
