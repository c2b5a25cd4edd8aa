package luajson

import (
	"encoding/json"
	"fmt"
	"math"
	"reflect"
	"strconv"

	lua "github.com/yuin/gopher-lua"
)

// ToGo converts a Lua value to plain Go values: nil, bool, string, int64
// (integral numbers within ±2^63) or float64, []any and map[string]any.
// Tables follow the same array/object rules as Encode; json.null becomes
// nil. Functions, userdata, threads and cyclic tables are errors.
func ToGo(v lua.LValue) (any, error) {
	c := goConverter{seen: make(map[*lua.LTable]bool)}
	return c.value(v)
}

// goConverter is the state of one ToGo call.
type goConverter struct {
	path []pathElem
	seen map[*lua.LTable]bool
}

func (c *goConverter) errorf(format string, args ...any) error {
	return fmt.Errorf("%s at %s", fmt.Sprintf(format, args...), formatPath(c.path))
}

func (c *goConverter) value(v lua.LValue) (any, error) {
	switch v := v.(type) {
	case *lua.LNilType:
		return nil, nil
	case lua.LBool:
		return bool(v), nil
	case lua.LString:
		return string(v), nil
	case lua.LNumber:
		f := float64(v)
		if f == math.Trunc(f) && f >= math.MinInt64 && f < math.MaxInt64 {
			return int64(f), nil
		}
		return f, nil
	case *lua.LUserData:
		if IsNull(v) {
			return nil, nil
		}
		return nil, c.errorf("cannot convert a userdata")
	case *lua.LTable:
		return c.table(v)
	default:
		return nil, c.errorf("cannot convert a %s", v.Type())
	}
}

func (c *goConverter) table(t *lua.LTable) (any, error) {
	if c.seen[t] {
		return nil, c.errorf("table contains itself")
	}
	if len(c.path) >= MaxDepth {
		return nil, c.errorf("nested deeper than %d levels", MaxDepth)
	}
	s, _, err := shapeOf(t, nil)
	if err != nil {
		return nil, c.errorf("%v", err)
	}
	c.seen[t] = true
	defer delete(c.seen, t)
	if s.array {
		out := make([]any, s.n)
		for i := range out {
			c.path = append(c.path, pathElem{index: i + 1})
			v, err := c.value(t.RawGet(lua.LNumber(i + 1)))
			c.path = c.path[:len(c.path)-1]
			if err != nil {
				return nil, err
			}
			out[i] = v
		}
		return out, nil
	}
	out := make(map[string]any, len(s.keys))
	for _, k := range s.keys {
		c.path = append(c.path, pathElem{key: k.name})
		v, err := c.value(t.RawGet(k.key))
		c.path = c.path[:len(c.path)-1]
		if err != nil {
			return nil, err
		}
		out[k.name] = v
	}
	return out, nil
}

// ToLua converts a Go value to a Lua value, for the small results bindings
// return: nil, booleans, strings, []byte (as a string), numbers (integers
// beyond ±2^53 as strings of digits, like Decode), slices, maps with
// string keys, json.RawMessage (through Decode) and lua.LValue as is.
// Empty slices and maps become tables tagged as arrays and objects. Any
// other value, a struct for instance, goes through its JSON encoding. A
// value that cannot be converted raises a Lua error.
func ToLua(L *lua.LState, v any) lua.LValue {
	switch v := v.(type) {
	case nil:
		return lua.LNil
	case lua.LValue:
		return v
	case bool:
		return lua.LBool(v)
	case string:
		return lua.LString(v)
	case []byte:
		return lua.LString(v)
	case int:
		return intToLua(int64(v))
	case int8:
		return lua.LNumber(v)
	case int16:
		return lua.LNumber(v)
	case int32:
		return lua.LNumber(v)
	case int64:
		return intToLua(v)
	case uint:
		return uintToLua(uint64(v))
	case uint8:
		return lua.LNumber(v)
	case uint16:
		return lua.LNumber(v)
	case uint32:
		return lua.LNumber(v)
	case uint64:
		return uintToLua(v)
	case float32:
		return lua.LNumber(v)
	case float64:
		return lua.LNumber(v)
	case json.Number:
		return numberToLua(L, string(v))
	case json.RawMessage:
		return rawToLua(L, v)
	case []any:
		t := NewArray(L, len(v))
		for _, e := range v {
			t.Append(ToLua(L, e))
		}
		return t
	case []string:
		t := NewArray(L, len(v))
		for _, e := range v {
			t.Append(lua.LString(e))
		}
		return t
	case map[string]any:
		t := NewObject(L, len(v))
		for k, e := range v {
			t.RawSetString(k, ToLua(L, e))
		}
		return t
	case map[string]string:
		t := NewObject(L, len(v))
		for k, e := range v {
			t.RawSetString(k, lua.LString(e))
		}
		return t
	}
	if rv := reflect.ValueOf(v); (rv.Kind() == reflect.Pointer || rv.Kind() == reflect.Map || rv.Kind() == reflect.Slice) && rv.IsNil() {
		return lua.LNil
	}
	data, err := json.Marshal(v)
	if err != nil {
		L.RaiseError("cannot convert %T to a Lua value: %v", v, err)
	}
	return rawToLua(L, data)
}

func intToLua(v int64) lua.LValue {
	if v < -MaxSafeInt || v > MaxSafeInt {
		return lua.LString(strconv.FormatInt(v, 10))
	}
	return lua.LNumber(v)
}

func uintToLua(v uint64) lua.LValue {
	if v > MaxSafeInt {
		return lua.LString(strconv.FormatUint(v, 10))
	}
	return lua.LNumber(v)
}

func numberToLua(L *lua.LState, s string) lua.LValue {
	v, err := Decode(L, []byte(s))
	if err != nil {
		L.RaiseError("invalid number %q", s)
	}
	return v
}

func rawToLua(L *lua.LState, data []byte) lua.LValue {
	if len(data) == 0 {
		return lua.LNil
	}
	v, err := Decode(L, data)
	if err != nil {
		L.RaiseError("%v", err)
	}
	return v
}

// NewArray returns a table for n elements, tagged as an array when empty.
func NewArray(L *lua.LState, n int) *lua.LTable {
	t := L.CreateTable(n, 0)
	if n == 0 {
		t.Metatable = KindMetatable(L, "array")
	}
	return t
}

// NewObject returns a table for n keys, tagged as an object when empty.
func NewObject(L *lua.LState, n int) *lua.LTable {
	t := L.CreateTable(0, n)
	if n == 0 {
		t.Metatable = KindMetatable(L, "object")
	}
	return t
}
