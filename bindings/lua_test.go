package bindings

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/wecomrunner/runner/bindings/luajson"
	"github.com/wecomrunner/runner/bindings/luajson/luajsontest"
	lua "github.com/yuin/gopher-lua"
)

// runLuaTests runs each global function named Test* that the Lua file
// defines as a subtest, in the order they are defined. Every test gets a
// fresh state, with t.Context() as its context, prepared by prepare (which
// preloads modules, replaces the context, ...; nil does nothing) before the
// file runs. The test function receives a t with the methods
//
//	t:errorf(fmt, ...)   reports a failure and carries on
//	t:fatalf(fmt, ...)   reports a failure and ends the test
//	t:log(...)           logs its arguments
//	t:name()             the subtest's name
//
// and the file sees the globals of testGlobals: assert_eq(got, want [, msg])
// compares deeply (tables by content) and raises an error showing both
// values; fails(f, ...) calls f and returns the error it must raise;
// contains(s, part) raises unless s contains part; expect_errors(t, cases)
// checks a table of calls that must raise given errcodes. An error raised by the
// test function fails the test with its traceback.
func runLuaTests(t *testing.T, file string, prepare func(L *lua.LState)) {
	t.Helper()
	names, err := luaTestNames(file, prepare)
	if err != nil {
		t.Fatal(err)
	}
	if len(names) == 0 {
		t.Fatalf("%s defines no Test functions", file)
	}
	for _, name := range names {
		t.Run(name, func(t *testing.T) {
			L := lua.NewState()
			defer L.Close()
			L.SetContext(t.Context())
			if prepare != nil {
				prepare(L)
			}
			setTestGlobals(L)
			if err := L.DoFile(file); err != nil {
				t.Fatal(err)
			}
			tv, fatal := luaT(L, t)
			err := L.CallByParam(lua.P{Fn: L.GetGlobal(name), NRet: 0, Protect: true}, tv)
			var apiErr *lua.ApiError
			if errors.As(err, &apiErr) && apiErr.Object == fatal {
				return
			}
			if err != nil {
				t.Error(err)
			}
		})
	}
}

// luaTestNames returns the names of the Test functions file defines, in the
// order of their definitions.
func luaTestNames(file string, prepare func(L *lua.LState)) ([]string, error) {
	L := lua.NewState()
	defer L.Close()
	if prepare != nil {
		prepare(L)
	}
	setTestGlobals(L)
	if err := L.DoFile(file); err != nil {
		return nil, err
	}
	type test struct {
		name string
		line int
	}
	var tests []test
	L.G.Global.ForEach(func(k, v lua.LValue) {
		name, ok := k.(lua.LString)
		fn, isFn := v.(*lua.LFunction)
		if ok && isFn && strings.HasPrefix(string(name), "Test") && fn.Proto != nil {
			tests = append(tests, test{string(name), fn.Proto.LineDefined})
		}
	})
	slices.SortFunc(tests, func(a, b test) int { return a.line - b.line })
	names := make([]string, len(tests))
	for i, tt := range tests {
		names[i] = tt.name
	}
	return names, nil
}

// luaT returns the Lua t of a test, and the value t:fatalf raises to end it.
func luaT(L *lua.LState, t *testing.T) (tv, fatal lua.LValue) {
	fatal = L.NewUserData()
	format := func(L *lua.LState) string {
		args := []lua.LValue{lua.LString(L.CheckString(2))}
		for i := 3; i <= L.GetTop(); i++ {
			args = append(args, L.Get(i))
		}
		fn := L.GetField(L.GetGlobal("string"), "format")
		if err := L.CallByParam(lua.P{Fn: fn, NRet: 1, Protect: true}, args...); err != nil {
			L.RaiseError("%v", err)
		}
		s := L.ToString(-1)
		L.Pop(1)
		return L.Where(1) + " " + s
	}
	methods := map[string]lua.LGFunction{
		"errorf": func(L *lua.LState) int {
			t.Error(format(L))
			return 0
		},
		"fatalf": func(L *lua.LState) int {
			t.Error(format(L))
			L.Error(fatal, 0)
			return 0
		},
		"log": func(L *lua.LState) int {
			parts := []string{L.Where(1)}
			for i := 2; i <= L.GetTop(); i++ {
				parts = append(parts, L.ToStringMeta(L.Get(i)).String())
			}
			t.Log(strings.Join(parts, " "))
			return 0
		},
		"name": func(L *lua.LState) int {
			L.Push(lua.LString(t.Name()))
			return 1
		},
	}
	mt := L.CreateTable(0, 1)
	mt.RawSetString("__index", L.SetFuncs(L.NewTable(), methods))
	ud := L.NewUserData()
	ud.Value = t
	ud.Metatable = mt
	return ud, fatal
}

// luaTestHelpers are the test globals written in Lua.
const luaTestHelpers = `
function fails(f, ...)
  local ok, err = pcall(f, ...)
  if ok then
    error("no error", 2)
  end
  return err
end

-- expect_errors calls each case {name, fn, args, errcode, api} and checks
-- that it raised an error table with that errcode and api.
function expect_errors(t, cases)
  for _, c in ipairs(cases) do
    local name, fn, args, code, api = c[1], c[2], c[3], c[4], c[5]
    local ok, err = pcall(fn, args)
    if ok or type(err) ~= "table" then
      t:errorf("%s: ok = %s, err = %s; want an error table", name, tostring(ok), tostring(err))
    else
      assert_eq({err.errcode, err.api}, {code, api}, name)
    end
  end
end

function contains(s, part)
  if not string.find(s, part, 1, true) then
    error(string.format("%q does not contain %q", s, part), 2)
  end
end
`

// setTestGlobals defines the helpers every Lua test file may use.
func setTestGlobals(L *lua.LState) {
	L.SetGlobal("assert_eq", L.NewFunction(assertEq))
	if err := L.DoString(luaTestHelpers); err != nil {
		panic(err)
	}
}

// assertEq is assert_eq(got, want [, msg]).
func assertEq(L *lua.LState) int {
	got, want := L.Get(1), L.Get(2)
	msg := L.OptString(3, "")
	if L.GetTop() < 2 {
		L.ArgError(2, "value expected")
	}
	if !luaEqual(got, want) {
		if msg != "" {
			msg += ": "
		}
		L.RaiseError("%sgot %s, want %s", msg, dump(got), dump(want))
	}
	return 0
}

// luaEqual and dump compare and show Lua values in tests.
var (
	luaEqual = luajsontest.Equal
	dump     = luajsontest.Dump
)

// helperModules are the constructors of the helper modules by name.
var helperModules = map[string]func(*Env) module{
	"args": newArgsModule,
	"csv":  newCSVModule,
	"env":  newEnvModule,
	"fs":   newFSModule,
	"http": newHTTPModule,
	"json": newJSONModule,
	"kv":   newKVModule,
	"log":  newLogModule,
	"time": newTimeModule,
}

// preloadHelpers returns a prepare function for runLuaTests that preloads
// the helper modules built from env.
func preloadHelpers(env *Env) func(L *lua.LState) {
	return func(L *lua.LState) {
		for name, newModule := range helperModules {
			L.PreloadModule(name, load(name, newModule(env)))
		}
		luajson.GuardSharedKeys(L) // as Preload does
	}
}
