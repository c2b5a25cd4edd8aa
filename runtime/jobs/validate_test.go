package jobs

import (
	"errors"
	"strings"
	"testing"
	"time"
)

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
