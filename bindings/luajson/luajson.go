// Package luajson converts values between JSON, Go and gopher-lua; values
// cross between them here and nowhere else:
//
//	Decode(L, data) -> lua.LValue   JSON text straight into Lua tables
//	Encode(v)       -> JSON text    Lua value to JSON
//	ToGo(v)         -> any          Lua value to plain Go values
//	ToLua(L, v)     -> lua.LValue   Go value to Lua value
//
// Decoding: objects and arrays become tables, null becomes the state's null
// value (Null; so that a null in an array keeps its place). An integer
// beyond ±2^53, such as a 64-bit id, becomes a string of its digits, since a
// Lua number cannot hold it exactly. Decoded empty objects and arrays are
// tagged (Kind), so that they encode as they came.
//
// Encoding a table:
//   - a table whose keys are exactly the integers 1..n is an array;
//   - a table whose keys are all strings is an object, its keys sorted;
//   - an empty table is [] unless it was decoded from {} or tagged as an
//     object;
//   - a table tagged as an array encodes t[1] .. t[n], n the largest integer
//     key, with nil as null; one tagged as an object encodes integer keys as
//     strings;
//   - any other table (mixed keys, holes, float or boolean keys) is an
//     error naming the key and its path ($.userlist[3].department).
//
// The tags are metatables (KindMetatable); setmetatable on a tagged table
// drops its tag. Functions, userdata other than null, cycles, NaN and ±Inf
// are errors. Integers up to ±2^53 encode without a decimal point
// (1000002). Non-ASCII text is written as is, not \u-escaped; bytes that
// are not UTF-8 (binary data, which JSON cannot carry) are written as
// U+FFFD.
//
// The decoder is the hot path (a 50,000-member user/list is about 13 MB): it
// parses in one pass and builds each table once, with its exact size, from a
// stack of pending values. It fills gopher-lua's tables directly, relying on
// their layout (tableLayout); TestTableLayout fails when a gopher-lua
// upgrade changes it, and the decoder then falls back to gopher-lua's API.
// A Decoder also streams: the elements of a long list one at a time
// (Stream), and tables built from other sources with its machinery (Box,
// Array, Object).
package luajson

import (
	lua "github.com/yuin/gopher-lua"
)

// Registry keys of the per-state JSON values. They live in the registry,
// never in globals, so scripts cannot replace them.
const (
	jsonObjectKey = "json.object" // metatable tagging a table as a JSON object
	jsonArrayKey  = "json.array"  // metatable tagging a table as a JSON array
	jsonNullKey   = "json.null"   // the userdata that stands for JSON null
)

// jsonKindField is the metatable field that tags a table's JSON kind; its
// value is "object" or "array".
const jsonKindField = "__jsonkind"

// MaxText is the longest JSON text Encode writes: the longest string a
// script may build.
const MaxText = 64 << 20

// MaxDepth bounds the nesting of decoded and encoded values.
const MaxDepth = 1000

// MaxSafeInt is 2^53: integers beyond it do not survive a float64, so the
// decoder keeps them as strings.
const MaxSafeInt = 1 << 53

// jsonNull is the Go value inside the json.null userdata.
type jsonNull struct{}

// smallInts holds the Lua values of the integers most JSON documents are made
// of (ids, orders, flags), so that decoding them allocates nothing.
var smallInts = func() (v [1024]lua.LValue) {
	for i := range v {
		v[i] = lua.LNumber(i)
	}
	return v
}()

// Null returns L's json.null, creating it on first use.
func Null(L *lua.LState) lua.LValue {
	reg := L.Get(lua.RegistryIndex).(*lua.LTable)
	if v := reg.RawGetString(jsonNullKey); v != lua.LNil {
		return v
	}
	mt := L.CreateTable(0, 2)
	mt.RawSetString("__tostring", L.NewFunction(func(L *lua.LState) int {
		L.Push(lua.LString("json.null"))
		return 1
	}))
	mt.RawSetString("__metatable", lua.LFalse)
	ud := L.NewUserData()
	ud.Value = jsonNull{}
	ud.Metatable = mt
	reg.RawSetString(jsonNullKey, ud)
	return ud
}

// KindMetatable returns L's metatable tagging tables as JSON kind ("object"
// or "array"), creating it on first use.
func KindMetatable(L *lua.LState, kind string) *lua.LTable {
	key := jsonObjectKey
	if kind == "array" {
		key = jsonArrayKey
	}
	mt := L.NewTypeMetatable(key)
	if mt.RawGetString(jsonKindField) == lua.LNil {
		mt.RawSetString(jsonKindField, lua.LString(kind))
	}
	return mt
}

// IsNull reports whether v is json.null.
func IsNull(v lua.LValue) bool {
	ud, ok := v.(*lua.LUserData)
	if !ok {
		return false
	}
	_, ok = ud.Value.(jsonNull)
	return ok
}

// Kind is the JSON kind a table was tagged with: "object", "array" or "".
func Kind(t *lua.LTable) string {
	mt, ok := t.Metatable.(*lua.LTable)
	if !ok {
		return ""
	}
	s, _ := mt.RawGetString(jsonKindField).(lua.LString)
	return string(s)
}
