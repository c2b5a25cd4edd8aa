package bindings

// Module json converts between JSON text and Lua values:
//
//	json.encode(v [, {indent=true}]) -> string
//	json.decode(s) -> value
//	json.null                        the value of JSON null
//	json.array([t]) -> t             tags t (or a new table) to encode as an array
//	json.object([t]) -> t            tags t (or a new table) to encode as an object
//
// Decoding: objects and arrays become tables, null becomes json.null (so that
// a null in an array keeps its place; test it with v == json.null). An
// integer beyond ±2^53, such as a 64-bit id, becomes a string of its digits,
// since a Lua number cannot hold it exactly. Decoded empty objects and arrays
// are tagged, so that they encode as they came.
//
// Encoding a table:
//   - a table whose keys are exactly the integers 1..n is an array;
//   - a table whose keys are all strings is an object, its keys sorted;
//   - an empty table is [] unless it was decoded from {} or tagged with
//     json.object;
//   - json.array(t) encodes t[1] .. t[n], n the largest integer key, with
//     nil as null; json.object(t) encodes integer keys as strings;
//   - any other table (mixed keys, holes, float or boolean keys) is an
//     error naming the key and its path ($.userlist[3].department).
//
// The tags are metatables: json.array and json.object refuse a table that
// has a metatable of its own, and setmetatable on a tagged table drops its
// tag.
//
// Functions, userdata other than json.null, cycles, NaN and ±Inf are
// errors. Integers up to ±2^53 encode without a decimal point (1000002).
// Non-ASCII text is written as is, not \u-escaped; bytes that are not UTF-8
// (binary data, which JSON cannot carry) are written as U+FFFD.

import (
	"github.com/wecomrunner/runner/bindings/luajson"
	lua "github.com/yuin/gopher-lua"
)

type jsonModule struct{}

func newJSONModule(*Env) module { return jsonModule{} }

func (m jsonModule) exports() map[string]lua.LGFunction {
	return map[string]lua.LGFunction{
		"array":  m.array,
		"decode": m.decode,
		"encode": m.encode,
		"object": m.object,
	}
}

func (jsonModule) finish(L *lua.LState, mod *lua.LTable) lua.LValue {
	mod.RawSetString("null", luajson.Null(L))
	return mod
}

func (jsonModule) encode(L *lua.LState) int {
	v := L.CheckAny(1)
	opts := L.OptTable(2, nil)
	indent := opts != nil && lua.LVAsBool(opts.RawGetString("indent"))
	encode := luajson.Encode
	if indent {
		encode = luajson.EncodeIndent
	}
	data, err := encode(v)
	if err != nil {
		L.RaiseError("json.encode: %v", err)
	}
	L.Push(lua.LString(data))
	return 1
}

func (jsonModule) decode(L *lua.LState) int {
	s := L.CheckString(1)
	v, err := luajson.DecodeString(L, s)
	if err != nil {
		L.RaiseError("json.decode: %v", err)
	}
	L.Push(v)
	return 1
}

func (jsonModule) array(L *lua.LState) int {
	t := tagKind(L, "array")
	L.Push(t)
	return 1
}

func (jsonModule) object(L *lua.LState) int {
	t := tagKind(L, "object")
	L.Push(t)
	return 1
}

// tagKind tags the table argument 1 (a new table when absent) with the JSON
// kind. A table with a metatable of its own cannot be tagged.
func tagKind(L *lua.LState, kind string) *lua.LTable {
	t := L.OptTable(1, nil)
	if t == nil {
		t = L.NewTable()
	}
	luajson.OwnKeys(L, t)
	if t.Metatable != lua.LNil && luajson.Kind(t) == "" {
		L.ArgError(1, "table has a metatable")
	}
	t.Metatable = luajson.KindMetatable(L, kind)
	return t
}
