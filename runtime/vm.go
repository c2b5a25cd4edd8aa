package runtime

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	lua "github.com/yuin/gopher-lua"
	"github.com/yuin/gopher-lua/parse"

	"github.com/wecomrunner/runner/bindings"
)

// Limits of one Lua state. Lua-to-Lua recursion deeper than callStackSize
// fails with "stack overflow" instead of growing without bound, and no
// string function builds a string longer than maxString.
const (
	callStackSize = 1000
	maxString     = 64 << 20
)

// Compile parses and compiles the Lua script at path. Errors name the file
// and line.
func Compile(path string) (*lua.FunctionProto, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return CompileReader(f, path)
}

// CompileReader compiles a script read from r; name is used in messages.
func CompileReader(r io.Reader, name string) (*lua.FunctionProto, error) {
	chunk, err := parse.Parse(bufio.NewReader(r), name)
	if err != nil {
		return nil, err
	}
	return lua.Compile(chunk, name)
}

// Script is what a run executes: a compiled script, the file it came from
// (its directory is where require looks first), and the modules' environment.
type Script struct {
	Proto   *lua.FunctionProto
	Path    string
	LibDirs []string      // further directories require may load from
	Env     *bindings.Env // clients, logger, arguments, allowed directories, kv
}

// Run executes s in a fresh sandboxed Lua state until it returns, fails or
// ctx ends. The error of a failed script carries its file:line and a Lua
// traceback; an API failure keeps WeCom's errcode and errmsg.
func Run(ctx context.Context, s *Script) error {
	L := newState(s)
	defer L.Close()
	L.SetContext(ctx)
	bindings.Preload(L, s.Env)

	var trace string
	L.Push(L.NewFunctionFromProto(s.Proto))
	err := L.PCall(0, 0, L.NewFunction(func(L *lua.LState) int {
		trace = stackTrace(L)
		return traceback(L)
	}))
	switch {
	case err == nil:
		return nil
	case errors.Is(ctx.Err(), context.DeadlineExceeded):
		return &ScriptError{Err: ErrTimeout, Msg: "the run timed out"}
	case ctx.Err() != nil:
		return &ScriptError{Err: ctx.Err(), Msg: "the run was cancelled"}
	}
	se := scriptError(err)
	se.Traceback = trace
	return se
}

// ErrTimeout is wrapped by the error of a run that reached its timeout.
var ErrTimeout = errors.New("timed out")

// ScriptError is the failure of a script.
type ScriptError struct {
	Msg       string // the message, starting with file:line when Lua knows it
	Traceback string // the Lua stack at the error
	Errcode   int    // WeCom's errcode when an API call failed, else 0
	API       string // the API that failed, if any
	Err       error  // ErrTimeout, context.Canceled, or nil
}

func (e *ScriptError) Error() string { return e.Msg }
func (e *ScriptError) Unwrap() error { return e.Err }

// scriptError unpacks a gopher-lua error into a ScriptError.
func scriptError(err error) *ScriptError {
	var apiErr *lua.ApiError
	if !errors.As(err, &apiErr) {
		return &ScriptError{Msg: err.Error()}
	}
	e := &ScriptError{Msg: apiErr.Object.String()}
	if t, ok := apiErr.Object.(*lua.LTable); ok {
		if msg, ok := t.RawGetString("message").(lua.LString); ok {
			e.Msg = string(msg)
		}
		if code, ok := t.RawGetString("errcode").(lua.LNumber); ok {
			e.Errcode = int(code)
		}
		if api, ok := t.RawGetString("api").(lua.LString); ok {
			e.API = string(api)
		}
		if where, ok := t.RawGetString("where").(lua.LString); ok && where != "" {
			e.Msg = string(where) + " " + e.Msg
		}
	}
	return e
}

// traceback is the message handler of the script's pcall: it records where
// the error happened. An error table (an API failure) gets a "where" field,
// because Lua does not prefix tables with a position.
func traceback(L *lua.LState) int {
	v := L.Get(1)
	if t, ok := v.(*lua.LTable); ok {
		if t.RawGetString("where") == lua.LNil {
			t.RawSetString("where", lua.LString(whereLua(L)))
		}
	}
	L.Push(v)
	return 1
}

// stackTrace is the Lua call stack at an error, innermost first, one
// "file:line: in function" line per Lua frame, as debug.traceback shows it.
func stackTrace(L *lua.LState) string {
	var b strings.Builder
	b.WriteString("stack traceback:")
	for level := 1; ; level++ {
		dbg, ok := L.GetStack(level)
		if !ok {
			break
		}
		if _, err := L.GetInfo("Sln", dbg, lua.LNil); err != nil || dbg.CurrentLine <= 0 {
			continue
		}
		var name string
		switch {
		case dbg.What == "main":
			name = "the main chunk"
		case dbg.Name != "":
			name = "function " + dbg.Name
		default:
			name = fmt.Sprintf("function <%s:%d>", dbg.Source, dbg.LineDefined)
		}
		fmt.Fprintf(&b, "\n\t%s:%d: in %s", dbg.Source, dbg.CurrentLine, name)
	}
	return b.String()
}

// whereLua is "file:line:" of the innermost Lua function on the stack.
func whereLua(L *lua.LState) string {
	for level := 0; ; level++ {
		dbg, ok := L.GetStack(level)
		if !ok {
			return ""
		}
		if _, err := L.GetInfo("Sl", dbg, lua.LNil); err != nil {
			return ""
		}
		if dbg.CurrentLine > 0 {
			return fmt.Sprintf("%s:%d:", dbg.Source, dbg.CurrentLine)
		}
	}
}

// newState builds the sandbox: base (without dofile and loadfile), package
// (require from the script's directory and the library directories only),
// table, string, math, coroutine, and os with time, date and clock alone.
// There is no io, no debug, no os.execute, no os.exit.
func newState(s *Script) *lua.LState {
	L := lua.NewState(lua.Options{SkipOpenLibs: true, CallStackSize: callStackSize})
	for _, lib := range []struct {
		name string
		open lua.LGFunction
	}{
		{lua.BaseLibName, lua.OpenBase},
		{lua.LoadLibName, lua.OpenPackage},
		{lua.TabLibName, lua.OpenTable},
		{lua.StringLibName, lua.OpenString},
		{lua.MathLibName, lua.OpenMath},
		{lua.CoroutineLibName, lua.OpenCoroutine},
	} {
		L.Push(L.NewFunction(lib.open))
		L.Push(lua.LString(lib.name))
		L.Call(1, 0)
	}
	for _, name := range []string{"dofile", "loadfile"} {
		L.SetGlobal(name, lua.LNil)
	}
	L.SetGlobal("load", L.NewFunction(sourceOnly(L.GetGlobal("load").(*lua.LFunction))))
	L.SetGlobal("loadstring", L.NewFunction(sourceOnly(L.GetGlobal("loadstring").(*lua.LFunction))))
	L.SetGlobal("print", L.NewFunction(printTo(s.Env.Stdout)))
	os := safeOS(L)
	L.SetGlobal("os", os)
	limitStrings(L)

	pkg := L.GetGlobal("package").(*lua.LTable)
	dirs := append([]string{filepath.Dir(s.Path)}, s.LibDirs...)
	var paths []string
	for _, d := range dirs {
		paths = append(paths, filepath.Join(d, "?.lua"))
	}
	pkg.RawSetString("path", lua.LString(strings.Join(paths, ";")))
	pkg.RawSetString("cpath", lua.LString(""))
	pkg.RawSetString("loadlib", lua.LNil)
	// Opening os registered the whole library as a module: replace it.
	pkg.RawGetString("loaded").(*lua.LTable).RawSetString("os", os)
	return L
}

// sourceOnly wraps load/loadstring so that they refuse precompiled chunks.
func sourceOnly(fn *lua.LFunction) lua.LGFunction {
	return func(L *lua.LState) int {
		if s, ok := L.Get(1).(lua.LString); ok && strings.HasPrefix(string(s), "\x1bLua") {
			L.Push(lua.LNil)
			L.Push(lua.LString("loading precompiled Lua is not allowed"))
			return 2
		}
		top := L.GetTop()
		L.Push(fn)
		for i := 1; i <= top; i++ {
			L.Push(L.Get(i))
		}
		L.Call(top, lua.MultRet)
		return L.GetTop() - top
	}
}

// safeOS is the os table of a script: time, date and clock.
func safeOS(L *lua.LState) *lua.LTable {
	L.Push(L.NewFunction(lua.OpenOs))
	L.Push(lua.LString(lua.OsLibName))
	L.Call(1, 1)
	full := L.Get(-1).(*lua.LTable)
	L.Pop(1)
	os := L.CreateTable(0, 3)
	for _, name := range []string{"time", "date", "clock"} {
		os.RawSetString(name, full.RawGetString(name))
	}
	return os
}

// limitStrings replaces string.rep with a version that refuses results
// longer than maxString, so a script cannot exhaust memory in one call.
func limitStrings(L *lua.LState) {
	str := L.GetGlobal("string").(*lua.LTable)
	rep := str.RawGetString("rep").(*lua.LFunction)
	str.RawSetString("rep", L.NewFunction(func(L *lua.LState) int {
		s := L.CheckString(1)
		n := L.CheckInt(2)
		if n > 0 && len(s) > 0 && int64(len(s))*int64(n) > maxString {
			L.RaiseError("string.rep: result of %d bytes exceeds the limit of %d", int64(len(s))*int64(n), maxString)
		}
		L.Push(rep)
		L.Push(lua.LString(s))
		L.Push(lua.LNumber(n))
		L.Call(2, 1)
		return 1
	}))
}

// printTo is print writing to w (tab-separated, one line per call).
func printTo(w io.Writer) lua.LGFunction {
	if w == nil {
		w = io.Discard
	}
	return func(L *lua.LState) int {
		var b strings.Builder
		for i := 1; i <= L.GetTop(); i++ {
			if i > 1 {
				b.WriteByte('\t')
			}
			b.WriteString(L.ToStringMeta(L.Get(i)).String())
		}
		b.WriteByte('\n')
		io.WriteString(w, b.String())
		return 0
	}
}

// Deadline returns ctx bounded by timeout, or ctx itself when timeout is 0.
func Deadline(ctx context.Context, timeout time.Duration) (context.Context, context.CancelFunc) {
	if timeout <= 0 {
		return context.WithCancel(ctx)
	}
	return context.WithTimeout(ctx, timeout)
}
