package service

import (
	"bytes"
	"context"
	"log/slog"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/wecomrunner/runner/runtime/internal/runfixture"
	"github.com/wecomrunner/runner/runtime/jobs"
	"github.com/wecomrunner/runner/runtime/scheduler"
	"github.com/wecomrunner/runner/runtime/state"
	"github.com/wecomrunner/runner/runtime/vm"
)

// loadValid writes a jobs file, job.lua and files (by relative path) in a
// new directory, loads and validates it.
func loadValid(t *testing.T, yaml string, files ...string) *jobs.Config {
	t.Helper()
	return runfixture.LoadValidEnv(t, yaml, nil, files...)
}

func TestConfigProtectedPaths(t *testing.T) {
	cfg := loadValid(t, "timezone: UTC\nstate: /var/lib/runner/state.db\nlua_path: [.]\njobs:\n  - {name: a, schedule: '@daily', script: job.lua}\n")
	dir := cfg.Dir
	if want := []string{filepath.Join(dir, "data")}; !slices.Equal(cfg.Dirs, want) {
		t.Errorf("Dirs = %q, want %q", cfg.Dirs, want)
	}
	if _, err := os.Stat(filepath.Join(dir, "data")); err == nil {
		t.Error("validating created the data directory; it is created when first written")
	}
	if got, want := cfg.ReadOnly(), []string{filepath.Join(dir, "jobs.yaml"), dir}; !slices.Equal(got, want) {
		t.Errorf("ReadOnly = %q, want %q", got, want)
	}
	if got, want := cfg.Private(), []string{filepath.Join(dir, ".runner"), "/var/lib/runner/state.db", "/var/lib/runner/state.db.service", "/var/lib/runner/control.token", "/var/lib/runner"}; !slices.Equal(got, want) {
		t.Errorf("Private = %q, want %q", got, want)
	}
}

// TestScriptCannotWidenItsSandbox: with dirs naming the configuration's
// directory, a script can neither rewrite jobs.yaml nor its own script, nor
// read the state; it can write elsewhere in the directory.
func TestScriptCannotWidenItsSandbox(t *testing.T) {
	cfg := loadValid(t, "timezone: UTC\ndirs: [.]\nstate: .runner/state.db\njobs:\n  - {name: a, schedule: '@daily', script: scripts/job.lua}\n", "scripts/job.lua", ".runner/state.db")
	var out bytes.Buffer
	src := `
		local fs = require("fs")
		local function try(f, ...) local ok, err = pcall(f, ...) print(ok and "ok" or tostring(err)) end
		try(fs.write, "jobs.yaml", "env: [WECOM_SECRET]\ndirs: [/]\n")
		try(fs.write, "scripts/job.lua", "os.exit()")
		try(fs.read, ".runner/state.db")
		try(fs.list, ".runner")
		try(fs.write, "report.csv", "a,b\n")`
	proto, err := vm.CompileReader(strings.NewReader(src), "attack.lua")
	if err != nil {
		t.Fatal(err)
	}
	job := cfg.Jobs[0]
	job.Proto = proto
	e := scheduler.NewEngine(cfg, scheduler.EngineOptions{})
	if err := e.Execute(t.Context(), job, &scheduler.Attempt{Logger: slog.New(slog.DiscardHandler), Stdout: &out, Config: cfg}); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	want := []string{"may read but not change", "may read but not change", "the runner's state", "the runner's state", "ok"}
	if len(lines) != len(want) {
		t.Fatalf("output:\n%s", out.String())
	}
	for i, w := range want {
		if !strings.Contains(lines[i], w) {
			t.Errorf("line %d = %q, want %q", i+1, lines[i], w)
		}
	}
	if b, _ := os.ReadFile(cfg.File); strings.Contains(string(b), "WECOM_SECRET") {
		t.Error("the script rewrote jobs.yaml")
	}
}

// TestReloadWidening: a reload that allows scripts more directories,
// variables or module directories is logged as a warning naming them and
// shown on the status page; one that narrows them is not.
func TestReloadWidening(t *testing.T) {
	cfg := loadValid(t, "timezone: UTC\nenv: [HR_TOKEN]\njobs:\n  - {name: a, schedule: '@daily', script: job.lua}\n")
	var log bytes.Buffer
	s, err := scheduler.New(cfg, execFunc(func(context.Context, *jobs.Job, *scheduler.Attempt) error { return nil }), runfixture.OpenBolt(t, state.BoltOptions{}),
		scheduler.Options{Logger: slog.New(slog.NewTextHandler(&log, nil))})
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, cfg.File, "timezone: UTC\nenv: [HR_TOKEN, WECOM_SECRET]\ndirs: [/]\nlua_path: [data]\nhttp_allow: [169.254.169.254]\njobs:\n  - {name: a, schedule: '@daily', script: job.lua}\n")
	os.Mkdir(filepath.Join(cfg.Dir, "data"), 0o755)
	if err := s.ReloadFile(cfg.File, env(nil)); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"level=WARN", "RELOAD WIDENED", "dirs: +/", "env: +WECOM_SECRET", "lua_path: +" + filepath.Join(cfg.Dir, "data"), "http_allow: +169.254.169.254"} {
		if !strings.Contains(log.String(), want) {
			t.Errorf("log lacks %q:\n%s", want, log.String())
		}
	}
	if w := s.Widenings(); len(w) != 1 || len(w[0].Changes) != 4 {
		t.Errorf("Widenings = %+v", w)
	}
	srv := httptest.NewServer(StatusHandler(s))
	defer srv.Close()
	if _, page := httpGet(t, srv, "/"); !strings.Contains(page, "widened what scripts may do") || !strings.Contains(page, "<code>env: &#43;WECOM_SECRET</code>") {
		t.Errorf("the status page does not show the widening:\n%s", page)
	}

	// Narrowing back is not a widening.
	writeFile(t, cfg.File, "timezone: UTC\nenv: [HR_TOKEN]\njobs:\n  - {name: a, schedule: '@daily', script: job.lua}\n")
	if err := s.ReloadFile(cfg.File, env(nil)); err != nil {
		t.Fatal(err)
	}
	if w := s.Widenings(); len(w) != 1 {
		t.Errorf("a narrowing reload was recorded: %+v", w)
	}
}
