package vm

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/wecomrunner/runner/bindings"
)

// runLua runs src as a script in the sandbox and returns what it printed.
func runLua(t *testing.T, ctx context.Context, src string) (string, error) {
	t.Helper()
	proto, err := CompileReader(strings.NewReader(src), "test.lua")
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	dir := t.TempDir()
	err = Run(ctx, &Script{Proto: proto, Path: dir + "/test.lua", Env: &bindings.Env{Stdout: &out, Dirs: []string{dir}}})
	return out.String(), err
}

func TestSandboxHasNoEscapes(t *testing.T) {
	t.Parallel()
	out, err := runLua(t, t.Context(), `
		print(os.execute, os.exit, os.getenv, os.remove, io, debug, dofile, loadfile, package.loadlib)
		print(type(os.time()), type(os.date("%Y")), type(os.clock()))
		print(type(string.format), type(table.insert), type(math.floor), type(coroutine.wrap))
	`)
	if err != nil {
		t.Fatal(err)
	}
	want := "nil\tnil\tnil\tnil\tnil\tnil\tnil\tnil\tnil\nnumber\tstring\tnumber\nfunction\tfunction\tfunction\tfunction\n"
	if out != want {
		t.Errorf("got\n%s\nwant\n%s", out, want)
	}
}

func TestSandboxRefuses(t *testing.T) {
	tests := []struct{ name, src, want string }{
		{"os.execute", `os.execute("true")`, "attempt to call a non-function"},
		{"io.popen", `io.popen("ls")`, "attempt to index a non-table"},
		{"loadfile", `loadfile("/etc/passwd")`, "attempt to call a non-function"},
		{"dofile", `dofile("/etc/passwd")`, "attempt to call a non-function"},
		{"bytecode", `local f, err = load("\27Lua\81\0"); error(err)`, "precompiled Lua is not allowed"},
		{"recursion", `local function f(n) return 1 + f(n + 1) end f(1)`, "stack overflow"},
		{"huge string", `local s = string.rep("x", 1e10)`, "exceeds the limit"},
		{"require os", `assert(require("os").execute == nil, "os.execute reachable through require")`, ""},
		{"require outside", `require("no_such_module")`, "module no_such_module not found"},
		{"require a typo", `require("wecom.usr")`, `test.lua:1: module "wecom.usr" not found; did you mean "wecom.user"?`},
		{"require a typo of a file", `fs.write("helpers.lua", "return {}") require("helper")`, `module "helper" not found; did you mean "helpers"?`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := runLua(t, t.Context(), tt.src)
			if tt.want == "" {
				if err != nil {
					t.Error(err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v, want it to contain %q", err, tt.want)
			}
		})
	}
}

func TestInfiniteLoopStopsAtTimeout(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithTimeout(t.Context(), 100*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := runLua(t, ctx, `while true do end`)
	if !errors.Is(err, ErrTimeout) {
		t.Errorf("err = %v, want ErrTimeout", err)
	}
	if d := time.Since(start); d > time.Minute { // a loop that ignores its timeout never stops
		t.Errorf("stopped after %v", d)
	}
	// The next run is unaffected.
	if out, err := runLua(t, t.Context(), `print("ok")`); err != nil || out != "ok\n" {
		t.Errorf("next run: %q, %v", out, err)
	}
}

func TestScriptErrorHasFileAndLine(t *testing.T) {
	t.Parallel()
	_, err := runLua(t, t.Context(), "local x = 1\nerror(\"boom\")\n")
	var se *ScriptError
	if !errors.As(err, &se) || !strings.Contains(se.Msg, "test.lua:2:") || !strings.Contains(se.Msg, "boom") {
		t.Errorf("err = %v, want test.lua:2: boom", err)
	}
}

// TestRunAbandonsStuckScript: a run stuck where nothing checks its
// context returns stopWait after its timeout, timed out.
func TestRunAbandonsStuckScript(t *testing.T) {
	stuck := make(chan struct{})
	defer close(stuck)
	runScript = func(context.Context, *Script) error { <-stuck; return nil }
	defer func() { runScript = run }()
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Millisecond)
	defer cancel()
	err := Run(ctx, &Script{Path: "stuck.lua"})
	if !errors.Is(err, ErrTimeout) || !strings.Contains(err.Error(), "the run timed out (the script did not stop: abandoned)") {
		t.Errorf("Run = %v, want a timeout naming the abandon", err)
	}
}

// TestRunPanicIsItsError: a Go panic inside a run is the run's error.
func TestRunPanicIsItsError(t *testing.T) {
	runScript = func(ctx context.Context, s *Script) error {
		return run(ctx, &Script{Path: s.Path}) // no Env: Preload panics
	}
	defer func() { runScript = run }()
	err := Run(t.Context(), &Script{Path: "p.lua"})
	if err == nil || !strings.Contains(err.Error(), "p.lua: the Lua VM failed: ") {
		t.Errorf("Run = %v", err)
	}
}
