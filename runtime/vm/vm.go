package vm

import (
	"bytes"
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
// fails with "stack overflow" instead of growing without bound, coroutines
// resumed inside each other more than maxCoroutineDepth deep fail likewise
// (as Lua's own limit of 200 nested C calls does), and no string function
// builds a string longer than the run's string limit (see StringLimit).
//
// The value stack (gopher-lua's registry) starts at registrySize values and
// grows registryGrowStep at a time up to registryMaxSize (16 MiB of values),
// so that unpack of a million values works (table.concat does not use it);
// beyond, a call fails with "registry overflow".
const (
	callStackSize     = 1000
	maxCoroutineDepth = 200
	registrySize      = 1 << 12
	registryGrowStep  = 1 << 18
	registryMaxSize   = 1 << 20
)

// stopWait is how long a run stopped by its context (timeout, cancellation,
// the memory guard) has to return before it is abandoned: its error is
// returned, and the goroutine running it is left to end on its own.
const stopWait = 500 * time.Millisecond

// Compile parses and compiles the Lua script at path. Errors name the file
// and line.
func Compile(path string) (*lua.FunctionProto, error) {
	if err := StatScript(path); err != nil {
		return nil, err
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return CompileReader(f, path)
}

// maxScript bounds the size of a script file.
const maxScript = 16 << 20

// StatScript checks that path is a regular file of at most maxScript bytes,
// so that a script path naming a device (/dev/zero) or a FIFO is an error
// instead of a read that never ends.
func StatScript(path string) error {
	fi, err := os.Stat(path)
	switch {
	case err != nil:
		return err
	case !fi.Mode().IsRegular():
		return fmt.Errorf("%s: not a regular file", path)
	case fi.Size() > maxScript:
		return fmt.Errorf("%s: %d bytes, more than the %d a script may have", path, fi.Size(), maxScript)
	}
	return nil
}

// CompileReader compiles a script read from r; name is used in messages. A
// script that does not compile is a *SyntaxError.
func CompileReader(r io.Reader, name string) (*lua.FunctionProto, error) {
	src, err := io.ReadAll(r)
	if err != nil {
		return nil, err
	}
	chunk, err := parse.Parse(bytes.NewReader(src), name)
	if err != nil {
		return nil, syntaxError(src, name, err)
	}
	boundConcat(chunk)
	proto, err := lua.Compile(chunk, name)
	if err != nil {
		return nil, syntaxError(src, name, err)
	}
	return proto, nil
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
// traceback; an API failure keeps WeCom's errcode and errmsg. A Go panic
// inside the run becomes its error. Once ctx ends, Run returns within
// stopWait even if the script is inside a call that does not notice.
func Run(ctx context.Context, s *Script) error {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	release := guard.watch(cancel)
	done := make(chan error, 1)
	work := runScript
	go func() {
		defer release()
		done <- work(ctx, s)
	}()
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
	}
	t := time.NewTimer(stopWait)
	defer t.Stop()
	select {
	case err := <-done:
		return err
	case <-t.C:
		return stopError(ctx, errors.New("the script did not stop: abandoned"))
	}
}

// runScript is run; tests replace it with a run that ignores its context.
var runScript = run

// run is Run's work, in the goroutine Run waits for.
func run(ctx context.Context, s *Script) (err error) {
	defer func() {
		r := recover()
		if r == nil {
			return
		}
		// A Lua error raised while handling another (the value stack
		// full) escapes PCall; anything else is a Go panic.
		if apiErr, ok := r.(*lua.ApiError); ok {
			err = scriptError(apiErr)
		} else {
			err = &ScriptError{Msg: fmt.Sprintf("%s: the Lua VM failed: %v", s.Path, r)}
		}
		if ctx.Err() != nil {
			err = stopError(ctx, err)
		}
	}()
	L := newState(s)
	defer L.Close()
	L.SetContext(ctx)
	bindings.Preload(L, s.Env)

	var trace string
	L.Push(L.NewFunctionFromProto(s.Proto))
	err = L.PCall(0, 0, L.NewFunction(func(L *lua.LState) int {
		trace = stackTrace(L)
		return traceback(L)
	}))
	if err == nil {
		return nil
	}
	if ctx.Err() != nil {
		return stopError(ctx, err)
	}
	se := scriptError(err)
	se.Traceback = trace
	return se
}

// stopError is the error of a run that ctx stopped: timed out, out of
// memory, or cancelled; err is the error the stop raised in the script.
func stopError(ctx context.Context, err error) *ScriptError {
	switch {
	case errors.Is(context.Cause(ctx), ErrMemory):
		return stopped(ErrMemory, "the run was stopped: "+memoryError(), err)
	case errors.Is(ctx.Err(), context.DeadlineExceeded):
		return stopped(ErrTimeout, "the run timed out", err)
	}
	return stopped(ctx.Err(), "the run was cancelled", err)
}

// stopped is the error of a run that its context stopped: msg, followed by
// where the script was (err, the Lua error the stop raised).
func stopped(cause error, msg string, err error) *ScriptError {
	se := &ScriptError{Err: cause, Msg: msg, At: scriptError(err).Msg}
	if se.At != "" {
		se.Msg += " (" + se.At + ")"
	}
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
	Err       error  // ErrTimeout, ErrMemory, context.Canceled, or nil
	// At is where a run stopped by a timeout, a cancellation or the memory
	// guard was: its position and the API call in flight, whose outcome may
	// then be unknown.
	At string
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
	L := lua.NewState(lua.Options{
		SkipOpenLibs:     true,
		CallStackSize:    callStackSize,
		RegistrySize:     registrySize,
		RegistryGrowStep: registryGrowStep,
		RegistryMaxSize:  registryMaxSize,
	})
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
	loaders(L)
	L.SetGlobal("print", L.NewFunction(printTo(s.Env.Stdout)))
	os := safeOS(L)
	L.SetGlobal("os", os)
	strLib(L, StringLimit())
	limitCoroutines(L)

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

// safeOS is the os table of a script: time, date and clock. os.date takes
// formats of at most maxDateFormat bytes: its output is many times longer.
func safeOS(L *lua.LState) *lua.LTable {
	L.Push(L.NewFunction(lua.OpenOs))
	L.Push(lua.LString(lua.OsLibName))
	L.Call(1, 1)
	full := L.Get(-1).(*lua.LTable)
	L.Pop(1)
	os := L.CreateTable(0, 3)
	for _, name := range []string{"time", "clock"} {
		os.RawSetString(name, full.RawGetString(name))
	}
	date := full.RawGetString("date")
	os.RawSetString("date", L.NewFunction(func(L *lua.LState) int {
		if f, ok := L.Get(1).(lua.LString); ok && len(f) > maxDateFormat {
			L.RaiseError("os.date: a format of %d bytes, more than %d", len(f), maxDateFormat)
		}
		return callOriginal(L, date, 1)
	}))
	return os
}

// maxDateFormat bounds the format of os.date.
const maxDateFormat = 4096

// callOriginal calls fn with the arguments of the running Go function and
// returns the number of results it leaves: nret, or all of them for
// lua.MultRet.
func callOriginal(L *lua.LState, fn lua.LValue, nret int) int {
	top := L.GetTop()
	L.Push(fn)
	for i := 1; i <= top; i++ {
		L.Push(L.Get(i))
	}
	L.Call(top, nret)
	return L.GetTop() - top
}

// limitCoroutines bounds the nesting of coroutines. Each coroutine has its
// own call stack and runs nested in the Go stack of the one that resumed it:
// unbounded, a function that resumes a new coroutine of itself exhausts the
// memory, and unwinding thousands of nested coroutines takes minutes.
func limitCoroutines(L *lua.LState) {
	co := L.GetGlobal("coroutine").(*lua.LTable)
	depth := 0
	nest := func(fn lua.LValue) lua.LGFunction {
		return func(L *lua.LState) int {
			if depth >= maxCoroutineDepth {
				L.RaiseError("stack overflow: coroutines nested more than %d deep", maxCoroutineDepth)
			}
			depth++
			defer func() { depth-- }()
			return callOriginal(L, fn, lua.MultRet)
		}
	}
	co.RawSetString("resume", L.NewFunction(nest(co.RawGetString("resume"))))
	wrap := co.RawGetString("wrap")
	co.RawSetString("wrap", L.NewFunction(func(L *lua.LState) int {
		L.Push(wrap)
		L.Push(L.CheckFunction(1))
		L.Call(1, 1)
		L.Push(L.NewFunction(nest(L.Get(-1))))
		return 1
	}))
}

// printTo is print writing to w (tab-separated, one line per call). A line
// longer than the run's string limit is an error, and a print of very many
// values checks the run's context as it goes.
func printTo(w io.Writer) lua.LGFunction {
	if w == nil {
		w = io.Discard
	}
	return func(L *lua.LState) int {
		var b strings.Builder
		limit := StringLimit()
		for i := 1; i <= L.GetTop(); i++ {
			if i > 1 {
				b.WriteByte('\t')
			}
			b.WriteString(L.ToStringMeta(L.Get(i)).String())
			if b.Len() > limit {
				L.RaiseError("print: a line of more than %d bytes", limit)
			}
			if ctx := L.Context(); i%1024 == 0 && ctx != nil && ctx.Err() != nil {
				L.RaiseError("%v", context.Cause(ctx))
			}
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
