package jobs

import (
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// loadWithJob loads the jobs file yaml from a new directory that also
// holds job.lua, and returns the configuration and the file's path.
func loadWithJob(t *testing.T, yaml string) (*Config, string) {
	t.Helper()
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "job.lua"), "return 1\n")
	path := filepath.Join(dir, "jobs.yaml")
	writeFile(t, path, yaml)
	cfg, err := Load(path, env(nil))
	if err != nil {
		t.Fatal(err)
	}
	return cfg, path
}

func TestRateLimitConfig(t *testing.T) {
	cfg, _ := loadWithJob(t, `timezone: UTC
clients:
  fast: {corp_id: ww1, secret: s, rate_limit: 600, rate_limit_wait: 30s}
  bench: {corp_id: ww1, secret: s, rate_limit: off, rate_limit_wait: 0s}
  plain: {corp_id: ww1, secret: s}
jobs:
  - {name: a, schedule: '@daily', script: job.lua, client: plain}
`)
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		client string
		limit  RateLimit
		wait   RateLimitWait
	}{
		{"fast", RateLimit{PerMinute: 600}, RateLimitWait{Wait: 30 * time.Second, Set: true}},
		{"bench", RateLimit{Off: true}, RateLimitWait{Set: true}},
		{"plain", RateLimit{}, RateLimitWait{}},
	}
	for _, tt := range tests {
		cc := cfg.Clients[tt.client]
		if cc.RateLimit != tt.limit || cc.RateLimitWait != tt.wait {
			t.Errorf("%s: rate_limit %v, rate_limit_wait %v; want %v, %v", tt.client, cc.RateLimit, cc.RateLimitWait, tt.limit, tt.wait)
		}
	}
	if got := cfg.Clients["plain"].RateLimitWait.String(); got != "2m0s" {
		t.Errorf("an unset rate_limit_wait reads %s, want 2m0s", got)
	}
}

func TestRateLimitProblems(t *testing.T) {
	cfg, path := loadWithJob(t, `timezone: UTC
clients:
  a: {corp_id: ww1, secret: s, rate_limit: fast}
  b:
    corp_id: ww1
    secret: s
    rate_limit: 0
    rate_limit_wait: soon
  c: {corp_id: ww1, secret: s, rate_limit: -5, rate_limit_wait: -1s}
  d: {corp_id: ww1, secret: s, rate_limit: [600]}
jobs:
  - {name: a, schedule: '@daily', script: job.lua, client: a}
`)
	err := cfg.Validate()
	var problems Problems
	if !errors.As(err, &problems) {
		t.Fatalf("Validate = %v, want problems", err)
	}
	for _, want := range []string{
		path + `:3: clients.a.rate_limit: want calls a minute per API (a whole number, at least 1) or off, not "fast"`,
		path + `:7: clients.b.rate_limit: want calls a minute per API (a whole number, at least 1) or off, not "0"`,
		path + `:8: clients.b.rate_limit_wait: want a duration such as 2m or 30s (0s: never wait), not "soon"`,
		path + `:9: clients.c.rate_limit: want calls a minute per API (a whole number, at least 1) or off, not "-5"`,
		path + `:9: clients.c.rate_limit_wait: want a duration such as 2m or 30s (0s: never wait), not "-1s"`,
		path + `:10: clients.d.rate_limit: want calls a minute per API (a whole number, at least 1) or off, not "a list"`,
	} {
		if !strings.Contains(err.Error(), want+"\n") && !strings.HasSuffix(err.Error(), want) {
			t.Errorf("problems lack %q:\n%v", want, err)
		}
	}
	if len(problems) != 6 {
		t.Errorf("%d problems, want 6:\n%v", len(problems), err)
	}
}
