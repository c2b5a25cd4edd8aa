package main

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"runtime/debug"
	"strings"
	"testing"

	"github.com/wecomrunner/runner/internal/exampletree"
)

// runCLI runs the program in-process as main does, and returns its stdout,
// stderr and exit code.
func runCLI(t *testing.T, getenv func(string) string, args ...string) (string, string, int) {
	t.Helper()
	if getenv == nil {
		getenv = func(string) string { return "" }
	}
	var stdout, stderr bytes.Buffer
	code := exitCode(run(t.Context(), args, getenv, &stdout, &stderr), &stderr)
	return stdout.String(), stderr.String(), code
}

// TestHelp: help of every command goes to stdout and exits 0, whichever way
// it is asked for, and shows the command's usage line and flags.
func TestHelp(t *testing.T) {
	tests := []struct {
		args []string
		want []string
	}{
		{[]string{"help"}, []string{"usage: runner <command> [arguments]", "  exec ", "  version ", "Run 'runner help <command>'"}},
		{[]string{"--help"}, []string{"usage: runner <command> [arguments]"}},
		{[]string{"-h"}, []string{"usage: runner <command> [arguments]"}},
		{[]string{"help", "exec"}, []string{"usage: runner exec [flags] script.lua", "  --dry-run ", "  --timeout duration ", "(default 10m0s)", "WECOM_CONTACTS_SECRET"}},
		{[]string{"exec", "--help"}, []string{"usage: runner exec [flags] script.lua", "  --emulator "}},
		{[]string{"exec", "-h"}, []string{"usage: runner exec [flags] script.lua"}},
		{[]string{"emulator", "--help"}, []string{"usage: runner emulator [flags]", "  --fail string ", `(default "127.0.0.1:8080")`}},
		{[]string{"serve", "-h"}, []string{"usage: runner serve [flags]", "  --listen string ", "SIGHUP"}},
		{[]string{"validate", "--help"}, []string{"usage: runner validate [flags]", "  --config string "}},
		{[]string{"stubs", "--help"}, []string{"usage: runner stubs DIR"}},
		{[]string{"version", "--help"}, []string{"usage: runner version"}},
		{[]string{"help", "jobs"}, []string{"usage: runner jobs <command> [arguments]", "  history ", "Run 'runner help jobs <command>'"}},
		{[]string{"jobs", "--help"}, []string{"usage: runner jobs <command> [arguments]"}},
		{[]string{"jobs", "help", "run"}, []string{"usage: runner jobs run [flags] NAME...", "  --emulator "}},
		{[]string{"help", "jobs", "history"}, []string{"usage: runner jobs history [flags] NAME", "  --limit int ", "(default 20)"}},
		{[]string{"jobs", "history", "--help"}, []string{"usage: runner jobs history [flags] NAME"}},
		{[]string{"help", "help"}, []string{"usage: runner help [command [subcommand]]"}},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			stdout := wantOutput(t, tt.args, 0, tt.want)
			if strings.Contains(stdout, "[=true|false]") || strings.Contains(stdout, "pflag") {
				t.Errorf("stdout shows pflag's internals:\n%s", stdout)
			}
		})
	}
}

// wantOutput runs args and checks the exit code, and that the output it
// goes with (stdout on success, stderr otherwise) holds every string of want
// while the other stream is empty. It returns that output.
func wantOutput(t *testing.T, args []string, code int, want []string) string {
	t.Helper()
	stdout, stderr, got := runCLI(t, nil, args...)
	out, other, names := stdout, stderr, [2]string{"stdout", "stderr"}
	if code != 0 {
		out, other, names = stderr, stdout, [2]string{"stderr", "stdout"}
	}
	if got != code || other != "" {
		t.Errorf("exit %d, %s %q; want %d and nothing", got, names[1], other, code)
	}
	for _, w := range want {
		if !strings.Contains(out, w) {
			t.Errorf("%s lacks %q:\n%s", names[0], w, out)
		}
	}
	return out
}

// TestUsageErrors: a mistake on the command line exits 2 and prints the
// error, then the command's usage and flags, on stderr only.
func TestUsageErrors(t *testing.T) {
	tests := []struct {
		args []string
		want []string
	}{
		{nil, []string{"runner: no command given", "usage: runner <command> [arguments]", "  exec "}},
		{[]string{"nosuch"}, []string{`runner: unknown command "nosuch"`, "  serve "}},
		{[]string{"exec"}, []string{"runner exec: missing script.lua", "usage: runner exec [flags] script.lua", "  --dry-run ", "  --arg string "}},
		{[]string{"exec", "a.lua", "b.lua"}, []string{"runner exec: unexpected arguments: b.lua", "usage: runner exec"}},
		{[]string{"exec", "--bogus", "a.lua"}, []string{"runner exec: unknown flag: --bogus", "  --timeout duration "}},
		{[]string{"exec", "--timeout", "soon", "a.lua"}, []string{"runner exec: ", "--timeout", "usage: runner exec"}},
		{[]string{"exec", "--arg", "novalue", "a.lua"}, []string{`runner exec: --arg "novalue": want key=value`, "usage: runner exec"}},
		{[]string{"exec", "--log-format", "xml", "a.lua"}, []string{`--log-format "xml": want text or json`, "usage: runner exec"}},
		{[]string{"emulator", "extra"}, []string{"runner emulator: unexpected arguments: extra", "  --listen string "}},
		{[]string{"emulator", "--fail", "user/get"}, []string{"API=ERRCODE", "usage: runner emulator"}},
		{[]string{"jobs"}, []string{"runner jobs: no command given", "  list "}},
		{[]string{"jobs", "nosuch"}, []string{`runner jobs: unknown command "nosuch"`, "usage: runner jobs <command>"}},
		{[]string{"jobs", "run"}, []string{"runner jobs run: missing NAME...", "usage: runner jobs run [flags] NAME..."}},
		{[]string{"jobs", "history", "a", "b"}, []string{"runner jobs history: unexpected arguments: b"}},
		{[]string{"stubs"}, []string{"runner stubs: missing DIR", "usage: runner stubs DIR"}},
		{[]string{"validate", "x"}, []string{"runner validate: unexpected arguments: x", "  --config string "}},
		{[]string{"help", "nosuch"}, []string{`unknown help topic "nosuch"`}},
		{[]string{"help", "jobs", "nosuch"}, []string{`unknown help topic "jobs nosuch"`}},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) { wantOutput(t, tt.args, 2, tt.want) })
	}
}

func TestVersion(t *testing.T) {
	for _, args := range [][]string{{"version"}, {"--version"}} {
		stdout, stderr, code := runCLI(t, nil, args...)
		if code != 0 || stderr != "" || !strings.HasPrefix(stdout, "runner ") || !strings.Contains(stdout, " go1.") {
			t.Errorf("%q: exit %d, stdout %q, stderr %q", args, code, stdout, stderr)
		}
	}
	bi := &debug.BuildInfo{GoVersion: "go1.26.0", Main: debug.Module{Version: "v1.2.3"}, Settings: []debug.BuildSetting{
		{Key: "GOOS", Value: "linux"}, {Key: "GOARCH", Value: "amd64"},
		{Key: "vcs.revision", Value: "4f1c2a9e"}, {Key: "vcs.time", Value: "2025-03-31T02:00:00Z"}, {Key: "vcs.modified", Value: "true"},
	}}
	if got, want := formatVersion(bi), "runner v1.2.3 go1.26.0 linux/amd64 (revision 4f1c2a9e, 2025-03-31T02:00:00Z, modified)"; got != want {
		t.Errorf("formatVersion = %q, want %q", got, want)
	}
	bi.Settings = bi.Settings[:2]
	if got, want := formatVersion(bi), "runner v1.2.3 go1.26.0 linux/amd64"; got != want {
		t.Errorf("without VCS: formatVersion = %q, want %q", got, want)
	}
}

// TestReadingJobsNeedsNoSecrets: jobs list and jobs history read the example
// jobs.yaml with none of its variables set (${VAR:-default} applies before
// any check), while validate and the commands that call WeCom still name
// the unset variables.
func TestReadingJobsNeedsNoSecrets(t *testing.T) {
	config := filepath.Join(exampletree.Copy(t), "jobs.yaml")
	stdout := wantOutput(t, []string{"jobs", "list", "--config", config}, 0, []string{"nightly-department-sync", "daily-report"})
	if strings.Contains(stdout, "(unset)") {
		t.Errorf("jobs list shows placeholders:\n%s", stdout)
	}
	wantOutput(t, []string{"jobs", "history", "--config", config, "daily-report"}, 0, []string{"daily-report has not run yet"})
	stdout, _, code := runCLI(t, nil, "validate", "--config", config)
	if code != 2 || !strings.Contains(stdout, "WECOM_CONTACTS_SECRET is not set") {
		t.Errorf("validate without the secrets: exit %d, stdout:\n%s", code, stdout)
	}
	wantOutput(t, []string{"jobs", "run", "--config", config, "daily-report"}, 2, []string{"WECOM_SECRET is not set"})
}

// TestLogTimesInConfiguredZone: the log lines of runner exec --config carry
// the times of jobs.yaml's timezone, not UTC.
func TestLogTimesInConfiguredZone(t *testing.T) {
	dir := t.TempDir()
	files := map[string]string{
		"jobs.yaml":  "timezone: Asia/Kolkata\njobs: []\n",
		"script.lua": `require("log").info("hello")`,
	}
	for name, content := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for _, format := range []string{"text", "json"} {
		_, stderr, code := runCLI(t, nil, "exec", "--log-format", format, "--config", filepath.Join(dir, "jobs.yaml"), filepath.Join(dir, "script.lua"))
		if code != 0 || !strings.Contains(stderr, "hello") {
			t.Fatalf("exit %d, stderr:\n%s", code, stderr)
		}
		if !regexp.MustCompile(`time"?[=:]"?\d{4}-\d\d-\d\dT[\d:.]+\+05:30`).MatchString(stderr) {
			t.Errorf("--log-format %s: the log times are not in Asia/Kolkata (+05:30):\n%s", format, stderr)
		}
	}
}
