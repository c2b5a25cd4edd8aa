package bindings

// The calling convention of every wecom.<group>.<method> function.
//
// A method is called positionally, with wechatpy 1.8's parameters in
// wechatpy's order, or with ONE table of named arguments using wechatpy's
// parameter names:
//
//	wecom.user.get("zhangsan")
//	wecom.department.create{name = "研发部", parent_id = 1}
//
// A call is named when its only argument is a table that is not an array. A
// named argument that is not a parameter is an error, except for methods that
// take wechatpy's **kwargs (user.create, user.update, appchat.send), where it
// goes into the request body. Lists are Lua arrays; parameters that wechatpy
// also accepts as '|'-joined strings accept both.
//
// An API failure raises a table {errcode=..., errmsg=..., api=...} whose
// __tostring reads "wecom user/get: errcode 60111: userid not found".

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"

	lua "github.com/yuin/gopher-lua"

	"github.com/wecomrunner/runner/bindings/luajson"
	"github.com/wecomrunner/runner/wecom"
)

// method is one Lua function of an API group. Its spec comes from wecom's
// method table (methods_gen.go); prepare is generated for a plain method and
// written by hand for one with real logic.
type method struct {
	doc     string             // one line for editor stubs: what it does
	http    string             // the APIs it calls: "POST tag/addtagusers"; "" for none
	params  []param            // wechatpy's parameters, in order
	kwargs  string             // what the other named arguments are, for a method that passes them on (**kwargs)
	result  string             // the LuaLS type of its result; "" for table
	span    *span              // the bound of a time range of two parameters, or nil
	prepare func(a *args) call // reads and checks the arguments; no I/O
}

// param is the spec of one parameter: its checks, its default and its doc.
type param struct {
	name  string
	typ   string     // its LuaLS type: "integer", "string[]|string"
	opt   bool       // it may be left out
	def   lua.LValue // the value taken when it is left out; nil for none
	agent bool       // left out, it is the client's agent id
	max   int        // for a list, the most items WeCom takes in one call; 0 for no limit
	doc   string     // its meaning, from wechatpy's documentation or the official API's
}

// names are the names of m's parameters.
func (m *method) names() []string {
	names := make([]string, len(m.params))
	for i, p := range m.params {
		names[i] = p.name
	}
	return names
}

// call does the I/O of one prepared method call. Its result is a
// json.RawMessage (decoded straight into Lua tables) or a Go value that
// toLua converts.
type call func(ctx context.Context) (any, error)

// args are the arguments of one call, positional or named.
type args struct {
	L      *lua.LState
	fn     string        // "user.get", for messages
	m      *method       // the method called
	env    *Env          // the run
	client *wecom.Client // the client the call goes to
	pos    []lua.LValue  // positional arguments
	named  *lua.LTable   // the table of named arguments, or nil
	where  string        // "item 3: " in a fan-out, else ""
}

// newArgs reads the arguments values for m. It raises on a named argument
// that m does not take.
func newArgs(L *lua.LState, fn string, m *method, env *Env, c *wecom.Client, values []lua.LValue, where string) *args {
	a := &args{L: L, fn: fn, m: m, env: env, client: c, pos: values, where: where}
	if len(values) == 1 {
		if t, ok := values[0].(*lua.LTable); ok && isNamed(m, t) {
			a.named, a.pos = t, nil
			t.ForEach(func(k, _ lua.LValue) {
				name, ok := k.(lua.LString)
				if !ok {
					a.fail("named arguments must have string keys, got %s", k.Type())
				}
				if m.kwargs == "" && a.index(string(name)) < 0 {
					a.fail("unknown argument %q (%s takes %s)", string(name), fn, strings.Join(m.names(), ", "))
				}
			})
		}
	}
	if len(a.pos) > len(m.params) && m.kwargs == "" {
		a.fail("%s takes at most %d arguments, got %d", fn, len(m.params), len(a.pos))
	}
	a.checkLimits()
	return a
}

// isNamed reports whether t, the only argument of a call to m, is a table of
// named arguments rather than a positional table argument (a list of ids, a
// file {filename=, content=}): it is when one of its keys is a parameter of
// m, or when m takes **kwargs and t is not an array.
func isNamed(m *method, t *lua.LTable) bool {
	named, hasString := false, false
	t.ForEach(func(k, _ lua.LValue) {
		if s, ok := k.(lua.LString); ok {
			hasString = true
			if slices.Contains(m.names(), string(s)) {
				named = true
			}
		}
	})
	return named || (m.kwargs != "" && hasString)
}

func (a *args) index(name string) int {
	for i, p := range a.m.params {
		if p.name == name {
			return i
		}
	}
	return -1
}

// spec is the parameter name, or nil for a named argument that is not one
// (a message field of appchat.send).
func (a *args) spec(name string) *param {
	if i := a.index(name); i >= 0 {
		return &a.m.params[i]
	}
	return nil
}

// fail raises an argument error naming the function.
func (a *args) fail(format string, v ...any) {
	a.L.RaiseError("%sbad argument to %s: %s", a.where, a.fn, fmt.Sprintf(format, v...))
}

// failArg raises an error about the argument name.
func (a *args) failArg(name, format string, v ...any) {
	if a.named == nil {
		a.L.RaiseError("%sbad argument #%d (%s) to %s: %s", a.where, a.index(name)+1, name, a.fn, fmt.Sprintf(format, v...))
	}
	a.L.RaiseError("%sbad argument %q to %s: %s", a.where, name, a.fn, fmt.Sprintf(format, v...))
}

// value is the argument name, or LNil when it was not given.
func (a *args) value(name string) lua.LValue {
	if a.named != nil {
		return a.named.RawGetString(name)
	}
	i := a.index(name)
	if i < 0 || i >= len(a.pos) {
		return lua.LNil
	}
	return a.pos[i]
}

// has reports whether the argument name was given (and is not nil).
func (a *args) has(name string) bool { return a.value(name) != lua.LNil }

// orDefault is the argument name, or its parameter's default when it was
// not given, or LNil. It raises, with the message "<want> expected, got
// nil", for a required parameter that was not given.
func (a *args) orDefault(name, want string) lua.LValue {
	v := a.value(name)
	if v != lua.LNil {
		return v
	}
	p := a.spec(name)
	switch {
	case p == nil || (!p.opt && !p.agent):
		a.failArg(name, "%s expected, got nil", want)
	case p.def != nil:
		return p.def
	}
	return lua.LNil
}

// str is a string argument; numbers are accepted as their decimal form. A
// left-out optional parameter is its default, or "".
func (a *args) str(name string) string {
	v := a.orDefault(name, "string")
	if v == lua.LNil {
		return ""
	}
	return a.toStr(name, v)
}

// optStr is a named argument that is not a parameter (a message field of
// appchat.send), or "" when it was not given.
func (a *args) optStr(name string) string {
	if !a.has(name) {
		return ""
	}
	return a.toStr(name, a.value(name))
}

func (a *args) toStr(name string, v lua.LValue) string {
	switch v := v.(type) {
	case lua.LString:
		return string(v)
	case lua.LNumber:
		return formatNumber(float64(v))
	}
	a.failArg(name, "string expected, got %s", v.Type())
	return ""
}

// int is an integer argument; numeric strings are accepted. A left-out
// optional parameter is its default, or 0; an agent id is the client's.
func (a *args) int(name string) int {
	if p := a.spec(name); p != nil && p.agent && !a.has(name) {
		if id := a.client.AgentID(); id != 0 {
			return id
		}
		a.failArg(name, "agent id expected (none given, and the client has no agent_id)")
	}
	v := a.orDefault(name, "number")
	if v == lua.LNil {
		return 0
	}
	return a.toInt(name, v)
}

// optInt is a named argument that is not a parameter (safe, sent with every
// message of appchat.send), or 0 when it was not given.
func (a *args) optInt(name string) int {
	if !a.has(name) {
		return 0
	}
	return a.toInt(name, a.value(name))
}

func (a *args) toInt(name string, v lua.LValue) int {
	switch v := v.(type) {
	case lua.LNumber:
		if f := float64(v); f == math.Trunc(f) && math.Abs(f) < 1<<53 {
			return int(f)
		}
	case lua.LString:
		if n, err := strconv.Atoi(strings.TrimSpace(string(v))); err == nil {
			return n
		}
	case lua.LBool:
		if v {
			return 1
		}
		return 0
	}
	a.failArg(name, "integer expected, got %s", luaTypeOf(v))
	return 0
}

// bool is a boolean argument. Lua has no falsy 0, so 0 and 1 are accepted
// as well, as wechatpy's callers pass them. A left-out optional parameter is
// its default, or false.
func (a *args) bool(name string) bool {
	switch v := a.orDefault(name, "boolean").(type) {
	case *lua.LNilType:
		return false
	case lua.LBool:
		return bool(v)
	case lua.LNumber:
		return v != 0
	default:
		a.failArg(name, "boolean expected, got %s", v.Type())
		return false
	}
}

// list is an array argument of strings (numbers as their decimal form).
// A single string or number is a list of one.
func (a *args) list(name string) []string { return elements(a, name, a.toStr) }

// elements is an array argument whose elements conv converts (naming each
// name[i] in its errors); a single string or number is an array of one.
func elements[T any](a *args, name string, conv func(name string, v lua.LValue) T) []T {
	v := a.value(name)
	switch v := v.(type) {
	case *lua.LNilType:
		return nil
	case lua.LString, lua.LNumber:
		return []T{conv(name, v)}
	case *lua.LTable:
		n := v.Len()
		out := make([]T, 0, n)
		for i := 1; i <= n; i++ {
			out = append(out, conv(fmt.Sprintf("%s[%d]", name, i), v.RawGetInt(i)))
		}
		return out
	}
	a.failArg(name, "array expected, got %s", v.Type())
	return nil
}

// joined is a list argument as wechatpy sends it: an array joined with "|",
// or a string passed as it is.
func (a *args) joined(name string) string {
	if s, ok := a.value(name).(lua.LString); ok {
		return string(s)
	}
	return strings.Join(a.list(name), "|")
}

// ints is an array argument of integers.
func (a *args) ints(name string) []int { return elements(a, name, a.toInt) }

// idList is a list argument of integer ids (departments, tags) as wechatpy
// takes them: an array, a single id, or a '|'-joined string ("2|3").
func (a *args) idList(name string) []int {
	s, ok := a.value(name).(lua.LString)
	if !ok {
		return a.ints(name)
	}
	var out []int
	for _, f := range strings.Split(string(s), "|") {
		if f = strings.TrimSpace(f); f != "" {
			out = append(out, a.toInt(name, lua.LString(f)))
		}
	}
	return out
}

// any is an argument converted to a Go value (tables to maps and slices), for
// free-form JSON such as a message body or a menu. A required parameter
// left out raises.
func (a *args) any(name string) any {
	v := a.orDefault(name, "value")
	if v == lua.LNil {
		return nil
	}
	g, err := luajson.ToGo(v)
	if err != nil {
		a.failArg(name, "%v", err)
	}
	return g
}

// rest is the named arguments that are not parameters: wechatpy's **kwargs.
func (a *args) rest() map[string]any {
	if a.named == nil {
		return nil
	}
	out := map[string]any{}
	a.named.ForEach(func(k, v lua.LValue) {
		name := k.String()
		if a.index(name) >= 0 {
			return
		}
		g, err := luajson.ToGo(v)
		if err != nil {
			a.failArg(name, "%v", err)
		}
		out[name] = g
	})
	return out
}

// decode converts the argument name into out, a pointer to a request type,
// through its JSON form. A key that out has no field for is an error, so that
// a mistyped key stops the call before anything is sent.
func (a *args) decode(name string, out any) {
	b, err := json.Marshal(a.any(name))
	if err != nil {
		a.failArg(name, "%v", err)
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(out); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) {
			a.failArg(name, "%s: %s expected, got %s", te.Field, luaKind(te.Type.Kind()), te.Value)
		}
		a.failArg(name, "%s", strings.TrimPrefix(err.Error(), "json: "))
	}
}

// luaKind names the Lua type that a Go kind of a request field takes.
func luaKind(k reflect.Kind) string {
	switch k {
	case reflect.Bool:
		return "boolean"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "integer"
	case reflect.Float32, reflect.Float64:
		return "number"
	case reflect.Slice, reflect.Array:
		return "array"
	case reflect.Map, reflect.Struct:
		return "table"
	}
	return k.String()
}

// upload is a file argument: a path inside the run's allowed directories, or
// a table {filename = "x.csv", content = "..."} holding the bytes.
func (a *args) upload(name string) *wecom.Upload {
	switch v := a.value(name).(type) {
	case lua.LString:
		t, err := newArea(a.env).locate(string(v), false)
		if err != nil {
			a.failArg(name, "%v", err)
		}
		f, size, err := t.openFile()
		if err != nil {
			a.failArg(name, "%v", err)
		}
		closeWhenDone(a.L, f)
		return &wecom.Upload{Filename: filepath.Base(t.path()), Content: f, Size: size}
	case *lua.LTable:
		fn, ok1 := v.RawGetString("filename").(lua.LString)
		content, ok2 := v.RawGetString("content").(lua.LString)
		if !ok1 || !ok2 {
			a.failArg(name, "a file is a path or {filename = ..., content = ...}")
		}
		return &wecom.Upload{Filename: string(fn), Content: strings.NewReader(string(content)), Size: int64(len(content))}
	default:
		a.failArg(name, "a file path or {filename = ..., content = ...} expected, got %s", v.Type())
		return nil
	}
}

// closeWhenDone closes f when the run's context ends, so an upload's file is
// released even if the call is never made (a failed fan-out validation).
func closeWhenDone(L *lua.LState, f *os.File) {
	ctx := contextOf(L)
	context.AfterFunc(ctx, func() { f.Close() })
}

func luaTypeOf(v lua.LValue) string {
	if s, ok := v.(lua.LString); ok {
		return fmt.Sprintf("string %q", string(s))
	}
	return v.Type().String()
}

// formatNumber prints integral numbers without a decimal point.
func formatNumber(f float64) string {
	if f == math.Trunc(f) && math.Abs(f) < 1<<63 {
		return strconv.FormatInt(int64(f), 10)
	}
	return strconv.FormatFloat(f, 'g', -1, 64)
}

// do sends req and keeps WeCom's answer as raw JSON for Lua.
func do(ctx context.Context, c *wecom.Client, req *wecom.Request) (any, error) {
	var raw json.RawMessage
	if err := c.Do(ctx, req, &raw); err != nil {
		return nil, err
	}
	return raw, nil
}

// send is the call that sends req with the arguments' client.
func send(a *args, req *wecom.Request) call {
	c := a.client
	return func(ctx context.Context) (any, error) { return do(ctx, c, req) }
}

// function turns m into the Lua function fn of client c.
func function(L *lua.LState, env *Env, c *wecom.Client, fn string, m *method) *lua.LFunction {
	return L.NewFunction(func(L *lua.LState) int {
		values := make([]lua.LValue, L.GetTop())
		for i := range values {
			values[i] = L.Get(i + 1)
		}
		run := m.prepare(newArgs(L, fn, m, env, c, values, ""))
		res, err := run(contextOf(L))
		if err != nil {
			return raise(L, inRunWords(fn, err))
		}
		L.Push(resultToLua(L, res))
		return 1
	})
}

// resultToLua converts a call's result: WeCom's answer (decoded straight
// into Lua tables) or a Go value.
func resultToLua(L *lua.LState, res any) lua.LValue {
	switch r := res.(type) {
	case json.RawMessage:
		v, err := luajson.Decode(L, r)
		if err != nil {
			L.RaiseError("decoding WeCom's answer: %v", err)
		}
		if t, ok := v.(*lua.LTable); ok {
			numericErrcode(t)
		}
		return v
	case *openAnswer:
		return r.decode(L)
	case *readAnswer:
		return r.decode(L)
	}
	return luajson.ToLua(L, res)
}

// errorMeta names the metatable of raised API errors in the registry.
const errorMeta = "wecom.error"

// raise raises err in L: an *wecom.APIError as a table {errcode, errmsg,
// api} with a readable __tostring, anything else as a string. It never
// returns.
func raise(L *lua.LState, err error) int {
	L.Error(errorValue(L, err), 1)
	return 0
}

// errorValue is the Lua value of err: a table for an *wecom.APIError, a
// string otherwise.
func errorValue(L *lua.LState, err error) lua.LValue {
	var apiErr *wecom.APIError
	if errors.As(err, &apiErr) {
		return errorTable(L, apiErr, err.Error())
	}
	return lua.LString(inRunWords("", err).Error())
}

// inRunWords returns err as a script's run words it: the client's own rate
// limit holding a call past the run's deadline (a *wecom.LimitError) names
// the limit and the run's deadline, prefixed by fn, the Lua function, when
// known. Other errors are returned as they are.
func inRunWords(fn string, err error) error {
	var le *wecom.LimitError
	if errors.As(err, &le) {
		return runLimitError{fn: fn, e: le}
	}
	return err
}

// runLimitError is a *wecom.LimitError in the words of a run.
type runLimitError struct {
	fn string
	e  *wecom.LimitError
}

func (r runLimitError) Error() string {
	msg := fmt.Sprintf("rate limit of %d calls/min for %s: the run's deadline would pass before the next call may be sent", r.e.PerMinute, r.e.API)
	if r.fn != "" {
		msg = r.fn + ": " + msg
	}
	return msg
}

// errorTable is the Lua value of an API error.
func errorTable(L *lua.LState, e *wecom.APIError, msg string) *lua.LTable {
	t := L.CreateTable(0, 4)
	t.RawSetString("errcode", lua.LNumber(e.Code))
	t.RawSetString("errmsg", lua.LString(e.Msg))
	t.RawSetString("api", lua.LString(e.API))
	t.RawSetString("message", lua.LString(msg))
	mt := L.GetTypeMetatable(errorMeta)
	if mt == lua.LNil {
		m := L.NewTypeMetatable(errorMeta)
		m.RawSetString("__tostring", L.NewFunction(func(L *lua.LState) int {
			L.Push(L.CheckTable(1).RawGetString("message"))
			return 1
		}))
		mt = m
	}
	t.Metatable = mt
	return t
}
