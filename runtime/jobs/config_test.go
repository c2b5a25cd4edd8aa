package jobs

import (
	"errors"
	"fmt"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/wecomrunner/runner/runtime/state"
)

var testEnv = env(map[string]string{
	"CORP_ID":         "ww-test-corp",
	"CONTACTS_SECRET": "contacts-secret-value",
	"APP_SECRET":      "app-secret-value",
})

func TestLoad(t *testing.T) {
	cfg, err := Load("testdata/valid/jobs.yaml", testEnv)
	if err != nil {
		t.Fatal(err)
	}
	if err := cfg.Validate(); err != nil {
		t.Fatalf("Validate: %v", err)
	}
	dir := filepath.Join("testdata", "valid")
	if got, want := cfg.State, filepath.Join(dir, ".runner/state.db"); got != want {
		t.Errorf("State = %q, want %q", got, want)
	}
	if cfg.History != 50 || cfg.Grace != 2*time.Minute || cfg.Location.String() != "Asia/Shanghai" {
		t.Errorf("History, Grace, Location = %d, %v, %v", cfg.History, cfg.Grace, cfg.Location)
	}
	if got, want := cfg.Clients["notify"], (ClientConfig{CorpID: "ww-test-corp", Secret: "app-secret-value", AgentID: 1000002}); got != want {
		t.Errorf("clients.notify = %#v, want %#v", got, want)
	}
	if got, want := cfg.LuaPath, []string{filepath.Join(dir, "scripts")}; !reflect.DeepEqual(got, want) {
		t.Errorf("LuaPath = %q, want %q", got, want)
	}
	if got, want := cfg.Dirs, []string{filepath.Join(dir, "data")}; !reflect.DeepEqual(got, want) {
		t.Errorf("Dirs = %q, want %q (data beside the file by default)", got, want)
	}
	if got, want := cfg.HTTPAllow, []string{"hr.example.com", "*.corp.example", "10.2.0.0/16"}; !reflect.DeepEqual(got, want) {
		t.Errorf("HTTPAllow = %q, want %q", got, want)
	}
	if len(cfg.Jobs) != 4 {
		t.Fatalf("got %d jobs, want 4", len(cfg.Jobs))
	}

	sync, report, every, hourly := cfg.Jobs[0], cfg.Jobs[1], cfg.Jobs[2], cfg.Jobs[3]
	want := &Job{
		Name:        "nightly-department-sync",
		Schedule:    "0 2 * * *",
		Timezone:    "Asia/Shanghai",
		Script:      filepath.Join(dir, "scripts/sync.lua"),
		Client:      "contacts",
		Args:        map[string]any{"source": "data/hr_departments.csv", "dry_run": false},
		Timeout:     30 * time.Minute,
		Concurrency: ConcurrencyForbid,
		Retries:     Retries{Max: 2, Backoff: time.Minute, MaxBackoff: DefaultMaxBackoff},
		Catchup:     CatchupSkip,
		Enabled:     true,
		LogLimit:    5_000_000,
		File:        "testdata/valid/jobs.yaml",
		Line:        17,
	}
	got := *sync
	got.Location, got.Proto, got.CronSchedule, got.index = nil, nil, nil, 0
	if !reflect.DeepEqual(&got, want) {
		t.Errorf("job 0 =\n%+v\nwant\n%+v", &got, want)
	}
	if report.Client != "notify" || report.Concurrency != ConcurrencyReplace || report.Catchup != CatchupOnce ||
		report.StartingDeadline != 2*time.Hour || report.Jitter != 5*time.Minute || report.Location.String() != "Europe/Paris" {
		t.Errorf("job 1 = %+v", report)
	}
	if got, want := report.Retries, (Retries{Max: 5, Backoff: time.Minute, MaxBackoff: DefaultMaxBackoff}); got != want {
		t.Errorf("job 1 retries = %+v, want %+v (max from the job, backoff from defaults)", got, want)
	}
	if every.Timeout != 5*time.Second || every.Concurrency != ConcurrencyAllow || every.LogLimit != 512<<10 {
		t.Errorf("job 2 = %+v", every)
	}
	if hourly.Enabled {
		t.Errorf("job 3 is enabled, want disabled")
	}
	if sync.Proto == nil || sync.Proto != every.Proto {
		t.Errorf("a script shared by two jobs should be compiled once: %p, %p", sync.Proto, every.Proto)
	}
}

func TestJobNext(t *testing.T) {
	cfg, err := Load("testdata/valid/jobs.yaml", testEnv)
	if err != nil {
		t.Fatal(err)
	}
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	// 2025-03-28 is a Friday; Paris moves to summer time on Sunday 30 March.
	now := time.Date(2025, 3, 28, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		job  int
		want []string
	}{
		{0, []string{"2025-03-29T02:00:00+08:00", "2025-03-30T02:00:00+08:00"}},
		{1, []string{"2025-03-31T09:30:00+02:00", "2025-04-01T09:30:00+02:00"}},
		{2, []string{"2025-03-28T20:00:10+08:00", "2025-03-28T20:00:20+08:00"}},
		{3, []string{"2025-03-28T21:00:00+08:00", "2025-03-28T22:00:00+08:00"}},
	}
	for _, tt := range tests {
		j := cfg.Jobs[tt.job]
		var got []string
		for t := now; len(got) < len(tt.want); {
			t = j.Next(t)
			got = append(got, t.Format(time.RFC3339))
		}
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%s: next = %q, want %q", j.Name, got, tt.want)
		}
	}
}

func TestParseSyntaxError(t *testing.T) {
	_, err := Parse(strings.NewReader("jobs:\n  - name: a\n    args: [1, 2\n"), "jobs.yaml", testEnv)
	var problems Problems
	if !errors.As(err, &problems) || len(problems) != 1 {
		t.Fatalf("err = %v, want one problem", err)
	}
	if p := problems[0]; p.File != "jobs.yaml" || p.Line == 0 {
		t.Errorf("problem = %+v, want file and line", p)
	}
}

func TestParseEmpty(t *testing.T) {
	cfg, err := Parse(strings.NewReader(""), "jobs.yaml", testEnv)
	if err != nil {
		t.Fatal(err)
	}
	if err := cfg.Validate(); err != nil {
		t.Fatalf("an empty file is a valid configuration without jobs: %v", err)
	}
	if cfg.Timezone != DefaultTimezone || cfg.History != state.DefaultHistory || cfg.Grace != DefaultGrace {
		t.Errorf("defaults: %+v", cfg)
	}
}

func TestSecretsNeverShown(t *testing.T) {
	src := `clients:
  a: {corp_id: ww1, secret: "${SET_SECRET}"}
  b: {corp_id: ww1, secret: "${UNSET_SECRET}"}
state: "redis://:${SET_SECRET}@localhost:6379/0"
jobs:
  - {name: x, schedule: "bad", script: missing.lua}
`
	cfg, err := Parse(strings.NewReader(src), "jobs.yaml", env(map[string]string{"SET_SECRET": "s3cr3t-value"}))
	if err != nil {
		t.Fatal(err)
	}
	verr := cfg.Validate()
	if verr == nil {
		t.Fatal("Validate succeeded, want problems")
	}
	if !strings.Contains(verr.Error(), "UNSET_SECRET is not set") {
		t.Errorf("problems do not name the unset variable:\n%v", verr)
	}
	for _, s := range []string{verr.Error(), fmt.Sprint(cfg.Clients), fmt.Sprintf("%+v", cfg.Clients), fmt.Sprintf("%#v", cfg.Clients["a"])} {
		if strings.Contains(s, "s3cr3t-value") {
			t.Errorf("a secret is shown: %s", s)
		}
	}
}

func TestRetriesDelay(t *testing.T) {
	r := Retries{Max: 10, Backoff: time.Second, MaxBackoff: 10 * time.Second}
	var got []time.Duration
	for attempt := 1; attempt <= 6; attempt++ {
		got = append(got, r.Delay(attempt))
	}
	want := []time.Duration{1 * time.Second, 2 * time.Second, 4 * time.Second, 8 * time.Second, 10 * time.Second, 10 * time.Second}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("delays = %v, want %v", got, want)
	}
}

func TestExpandDefault(t *testing.T) {
	src := "clients:\n  a: {corp_id: \"${CORP}\", secret: \"${SECRET}\", base_url: \"${BASE:-https://qyapi.weixin.qq.com/cgi-bin/}\"}\n"
	env := map[string]string{"CORP": "ww1", "SECRET": "s"}
	cfg, err := Parse(strings.NewReader(src), "jobs.yaml", func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	if got, want := cfg.Clients["a"].BaseURL, "https://qyapi.weixin.qq.com/cgi-bin/"; got != want {
		t.Errorf("base_url = %q, want the default %q", got, want)
	}
	env["BASE"] = "http://127.0.0.1:8080/cgi-bin/"
	cfg, _ = Parse(strings.NewReader(src), "jobs.yaml", func(k string) string { return env[k] })
	if got := cfg.Clients["a"].BaseURL; got != env["BASE"] {
		t.Errorf("base_url = %q, want the variable's %q", got, env["BASE"])
	}
}

func TestClientTimeout(t *testing.T) {
	src := "clients:\n  a: {corp_id: ww1, secret: s, timeout: 5s}\n  b: {corp_id: ww1, secret: s, timeout: -1s}\n"
	cfg, err := Parse(strings.NewReader(src), "jobs.yaml", func(string) string { return "" })
	if err != nil {
		t.Fatal(err)
	}
	if got := cfg.Clients["a"].Timeout; got != 5*time.Second {
		t.Errorf("timeout = %v, want 5s", got)
	}
	err = cfg.Validate()
	if err == nil || !strings.Contains(err.Error(), "clients.b.timeout: must not be negative") {
		t.Errorf("Validate() = %v, want the negative timeout reported", err)
	}
}

func TestParseRefusesHugeFile(t *testing.T) {
	big := strings.NewReader("jobs: []\n# " + strings.Repeat("x", MaxConfigSize) + "\n")
	_, err := Parse(big, "big.yaml", env(nil))
	if err == nil || !strings.Contains(err.Error(), "big.yaml: more than 4194304 bytes (4 MiB), the limit of a jobs file") {
		t.Errorf("Parse of a file over the limit: %v", err)
	}
}

// TestClientVariablesOptional: the commands that call no API accept unset
// variables in clients:, while ${VAR:-default} still applies and every other
// unset variable is still a problem.
func TestClientVariablesOptional(t *testing.T) {
	src := `clients:
  contacts: {corp_id: "${CORP}", secret: "${SECRET}", base_url: "${BASE:-https://qyapi.weixin.qq.com/cgi-bin/}"}
jobs: []
`
	parse := func(src string) *Config {
		cfg, err := Parse(strings.NewReader(src), filepath.Join(t.TempDir(), "jobs.yaml"), env(nil))
		if err != nil {
			t.Fatal(err)
		}
		return cfg
	}
	cfg := parse(src)
	if err := cfg.Validate(); err == nil || !strings.Contains(err.Error(), "SECRET is not set") {
		t.Errorf("Validate() = %v, want the unset secret reported", err)
	}
	cfg = parse(src)
	cfg.ClientVariablesOptional()
	if err := cfg.Validate(); err != nil {
		t.Errorf("Validate() without the secrets = %v, want no problem", err)
	}
	if got := cfg.Clients["contacts"].BaseURL; got != "https://qyapi.weixin.qq.com/cgi-bin/" {
		t.Errorf("base_url = %q, want the default", got)
	}
	cfg = parse(src + "state: \"${STATE}\"\n")
	cfg.ClientVariablesOptional()
	if err := cfg.Validate(); err == nil || !strings.Contains(err.Error(), "state: environment variable STATE is not set") {
		t.Errorf("Validate() = %v, want the unset state variable reported", err)
	}
}

func TestMemoryLimit(t *testing.T) {
	for yaml, want := range map[string]string{
		"memory_limit: 1MiB\njobs: []\n":   "jobs.yaml:1: memory_limit: less than the minimum of 16 MiB",
		"memory_limit: lots\njobs: []\n":   `jobs.yaml:1: memory_limit: "lots" is not a size`,
		"memory_limit: 256MiB\njobs: []\n": "",
	} {
		cfg, err := Parse(strings.NewReader(yaml), "jobs.yaml", env(nil))
		if err == nil {
			err = cfg.Validate()
		}
		switch {
		case want == "" && err != nil:
			t.Errorf("%q: %v", yaml, err)
		case want == "" && cfg.MemoryLimit != 256<<20:
			t.Errorf("%q: MemoryLimit = %d", yaml, cfg.MemoryLimit)
		case want != "" && (err == nil || !strings.Contains(err.Error(), want)):
			t.Errorf("%q: %v, want %q", yaml, err, want)
		}
	}
}
