package jobs

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// golden compares got with testdata/name, or rewrites it with -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs (go test -update rewrites it)\n--- got\n%s\n--- want\n%s", path, got, want)
	}
}

// TestValidateProblems checks that every problem of testdata/invalid/jobs.yaml
// is reported at once, in line order, with its file, line and job.
func TestValidateProblems(t *testing.T) {
	cfg, err := Load("testdata/invalid/jobs.yaml", env(map[string]string{"APP_SECRET": "x"}))
	if err != nil {
		t.Fatal(err)
	}
	err = cfg.Validate()
	var problems Problems
	if !errors.As(err, &problems) {
		t.Fatalf("Validate = %v, want Problems", err)
	}
	golden(t, "invalid/problems.golden", []byte(err.Error()+"\n"))

	// The spot checks the golden file must keep passing.
	for _, want := range []string{
		`testdata/invalid/jobs.yaml:2: timezone: unknown time zone "Mars/Olympus"`,
		`testdata/invalid/jobs.yaml:5: unknown field "bogus_top"`,
		`testdata/invalid/jobs.yaml:9: clients.contacts.secret: environment variable UNSET_SECRET is not set`,
		`job "ok": name: duplicate: the same name is used at line 15`,
		`job "tz-prefix": schedule:`,
		`job "cron-tz": schedule:`,
		`job "never": schedule: "0 0 31 2 *" never fires`,
		`testdata/invalid/scripts/syntax.lua:6:1: job "syntax": syntax error near 'end'`,
		`job "missing-script": script: testdata/invalid/scripts/missing.lua: no such file`,
		`job "unknown-client": client: no client "hr" in clients: contacts, notify`,
		`job "nonsense": timeout: must be positive`,
		`job "nonsense": jitter: 2h0m0s is not shorter than the time between firings (1h0m0s)`,
		`unknown field "shedule"`,
		`job "nonsense": log_limit: "10XB" is not a size (such as 10MB, 512kB or 1GiB)`,
		`http_allow.0: "http://hr.example.com": write a host name, an address or a network (10.0.0.0/8), without scheme, port or path`,
		`http_allow.2: "*" is not a host name`,
		`job "wrong-type": log_limit: 100 B is not between 1.0 kB and 1.0 GB`,
		`30 is not a duration`,
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("problems lack %q", want)
		}
	}
	if cfg.Validated {
		t.Error("a configuration with problems is marked valid")
	}
}

// TestParseSchedule checks the schedules robfig/cron panics on, and the
// shapes it accepts.
func TestParseSchedule(t *testing.T) {
	tests := []struct {
		spec    string
		wantErr bool
	}{
		{"0 2 * * *", false},
		{"*/10 * * * * *", false},
		{"@daily", false},
		{"@every 1h", false},
		{"@every 90s", false},
		{"TZ=0", true},
		{"CRON_TZ=", true},
		{"CRON_TZ=Asia/Tokyo 0 2 * * *", true},
		{"@every 1500ms", true},
		{"@every -1s", true},
		{"* * *", true},
		{"@sometimes", true},
	}
	for _, tt := range tests {
		_, err := ParseSchedule(tt.spec, time.UTC)
		if (err != nil) != tt.wantErr {
			t.Errorf("parseSchedule(%q) error = %v, want error %v", tt.spec, err, tt.wantErr)
		}
	}
}

// writeJobs writes n jobs, each with its own script of some 40 lines, and
// returns the jobs file's path.
func writeJobs(tb testing.TB, dir string, n int, schedule string) string {
	tb.Helper()
	var b strings.Builder
	b.WriteString("timezone: Asia/Shanghai\nclients:\n  contacts: {corp_id: ww1, secret: s}\njobs:\n")
	for i := range n {
		script := fmt.Sprintf("scripts/job%04d.lua", i)
		fmt.Fprintf(&b, "  - name: job-%04d\n    schedule: %q\n    script: %s\n    timeout: 10m\n    args: {n: %d}\n", i, schedule, script, i)
		src := fmt.Sprintf(sampleScript, i)
		writeFile(tb, filepath.Join(dir, script), src)
	}
	path := filepath.Join(dir, "jobs.yaml")
	writeFile(tb, path, b.String())
	return path
}

func writeFile(tb testing.TB, path, content string) {
	tb.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		tb.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		tb.Fatal(err)
	}
}

const sampleScript = `-- job %d: compare the HR export with WeCom's departments.
local wecom = require("wecom")
local csv = require("csv")
local log = require("log")

local rows = csv.read(args.source or "data/hr.csv")
local wanted = {}
for _, row in ipairs(rows) do
  wanted[row.id] = {name = row.name, parent = tonumber(row.parent) or 1}
end

local current = {}
for _, d in ipairs(wecom.department.list()) do
  current[d.id] = d
end

local plan = {create = {}, rename = {}}
for id, w in pairs(wanted) do
  local d = current[tonumber(id)]
  if d == nil then
    table.insert(plan.create, {id = tonumber(id), name = w.name, parentid = w.parent})
  elseif d.name ~= w.name then
    table.insert(plan.rename, {id = d.id, name = w.name})
  end
end

for _, c in ipairs(plan.create) do
  wecom.department.create(c)
  log.info("created", {id = c.id, name = c.name})
end
for _, r in ipairs(plan.rename) do
  wecom.department.update(r)
  log.info("renamed", {id = r.id, name = r.name})
end

return #plan.create + #plan.rename
`

// BenchmarkValidate1000 loads and validates 1,000 jobs, each with its own
// script compiled.
func BenchmarkValidate1000(b *testing.B) {
	path := writeJobs(b, b.TempDir(), 1000, "0 2 * * *")
	for b.Loop() {
		cfg, err := Load(path, env(nil))
		if err != nil {
			b.Fatal(err)
		}
		if err := cfg.Validate(); err != nil {
			b.Fatal(err)
		}
	}
}

// TestValidate1000 keeps validating 1,000 jobs under 2 seconds.
func TestValidate1000(t *testing.T) {
	if testing.Short() {
		t.Skip("writes 1,000 scripts")
	}
	path := writeJobs(t, t.TempDir(), 1000, "0 2 * * *")
	start := time.Now()
	cfg, err := Load(path, env(nil))
	if err != nil {
		t.Fatal(err)
	}
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	// The time it takes is BenchmarkValidate1000's to measure.
	t.Logf("validated 1,000 jobs in %v", time.Since(start))
	if len(cfg.Jobs) != 1000 {
		t.Errorf("%d jobs validated, want 1000", len(cfg.Jobs))
	}
}
