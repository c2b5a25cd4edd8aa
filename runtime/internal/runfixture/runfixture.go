// Package runfixture holds what the scheduler's and the service's tests
// share that needs the jobs and state packages: bbolt and Redis stores opened
// for a test, jobs and configurations with the defaults of jobs.yaml, a
// scheduler running in a test and the results of its runs. It imports
// neither the scheduler nor the service, so the scheduler's own tests use it.
package runfixture

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/robfig/cron/v3"
	"github.com/wecomrunner/runner/internal/redistest"
	"github.com/wecomrunner/runner/runtime/internal/fixture"
	"github.com/wecomrunner/runner/runtime/jobs"
	"github.com/wecomrunner/runner/runtime/state"
)

// OpenBolt opens a bbolt store in a temporary directory, closed when the
// test ends.
func OpenBolt(t *testing.T, opts state.BoltOptions) *state.BoltStore {
	t.Helper()
	s, err := state.OpenBolt(filepath.Join(t.TempDir(), "state.db"), opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// Redis is a redis-server started by a test.
type Redis struct{ *redistest.Server }

// StartRedis starts a redis-server without persistence on a free port of
// 127.0.0.1; it is killed when the test ends.
func StartRedis(t *testing.T, args ...string) *Redis {
	t.Helper()
	return &Redis{redistest.Start(t, args...)}
}

// Open opens a store on the server's database 0, closed when the test ends;
// it logs to the test unless opts name a logger.
func (r *Redis) Open(t *testing.T, opts state.RedisOptions) *state.RedisStore {
	t.Helper()
	if opts.Logger == nil {
		opts.Logger = fixture.Logger(t)
	}
	s, err := state.OpenRedis(r.URL(), opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// Job returns a job ready to schedule on s, with the defaults of jobs.yaml;
// options change it.
func Job(name string, s cron.Schedule, options ...func(*jobs.Job)) *jobs.Job {
	j := &jobs.Job{
		Name: name, Schedule: fmt.Sprint(s), Timezone: "UTC", Location: time.UTC,
		Script: name + ".lua", Timeout: time.Hour, Concurrency: jobs.ConcurrencyForbid,
		Retries: jobs.Retries{Backoff: jobs.DefaultBackoff, MaxBackoff: jobs.DefaultMaxBackoff},
		Catchup: jobs.CatchupSkip, Enabled: true, CronSchedule: s,
	}
	for _, o := range options {
		o(j)
	}
	return j
}

// Config returns a validated configuration in UTC holding js.
func Config(js ...*jobs.Job) *jobs.Config {
	return &jobs.Config{
		File: "jobs.yaml", Timezone: "UTC", Location: time.UTC,
		History: state.DefaultHistory, Grace: time.Minute, Jobs: js, Validated: true,
	}
}

// LoadValidEnv loads and validates a jobs file, with the variables vars,
// written in a new directory with job.lua and the files named.
func LoadValidEnv(t *testing.T, yaml string, vars map[string]string, files ...string) *jobs.Config {
	t.Helper()
	dir := t.TempDir()
	for _, f := range append([]string{"job.lua"}, files...) {
		fixture.WriteFile(t, filepath.Join(dir, f), "return 1\n")
	}
	fixture.WriteFile(t, filepath.Join(dir, "jobs.yaml"), yaml)
	cfg, err := jobs.Load(filepath.Join(dir, "jobs.yaml"), fixture.Env(vars))
	if err != nil {
		t.Fatal(err)
	}
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	return cfg
}

// Runner is what a Harness runs: a scheduler.
type Runner interface {
	Run(ctx context.Context) error
}

// Harness is a scheduler running in a test.
type Harness[S Runner] struct {
	T     *testing.T
	S     S
	Store *state.BoltStore
	stop  context.CancelFunc
	done  chan error
}

// Start makes a scheduler with newS on store (a new bbolt store when nil),
// applies options to it and runs it until the test calls Shutdown.
func Start[S Runner](t *testing.T, store *state.BoltStore, newS func(*state.BoltStore) (S, error), options ...func(S)) *Harness[S] {
	t.Helper()
	if store == nil {
		store = OpenBolt(t, state.BoltOptions{})
	}
	s, err := newS(store)
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range options {
		o(s)
	}
	ctx, stop := context.WithCancel(t.Context())
	h := &Harness[S]{T: t, S: s, Store: store, stop: stop, done: make(chan error, 1)}
	go func() { h.done <- s.Run(ctx) }()
	return h
}

// Shutdown stops the scheduler as SIGTERM does and returns Run's result.
func (h *Harness[S]) Shutdown() error {
	h.stop()
	return <-h.done
}

// Runs returns a job's runs, oldest first.
func (h *Harness[S]) Runs(job string) []state.RunRecord {
	h.T.Helper()
	runs, err := h.Store.Runs(context.Background(), job, 0)
	if err != nil {
		h.T.Fatal(err)
	}
	slices.Reverse(runs)
	return runs
}

// Results returns each run's result, followed by its error if any.
func Results(runs []state.RunRecord) []string {
	var out []string
	for _, r := range runs {
		s := string(r.Result)
		if r.Error != "" {
			s += ": " + r.Error
		}
		out = append(out, s)
	}
	return out
}

// WantResults fails the test unless the runs' results begin with want, one
// for one.
func WantResults(t *testing.T, runs []state.RunRecord, want ...string) {
	t.Helper()
	got := Results(runs)
	ok := len(got) == len(want)
	for i := 0; ok && i < len(got); i++ {
		ok = strings.HasPrefix(got[i], want[i])
	}
	if !ok {
		t.Errorf("results =\n  %s\nwant (prefixes)\n  %s", strings.Join(got, "\n  "), strings.Join(want, "\n  "))
	}
}

// BlockUntilDone returns the function of an executor whose runs last until
// their context ends or release is closed; it reports the run ID of each
// start on started, unless started is nil.
func BlockUntilDone[A any](started chan<- string, release <-chan struct{}, runID func(A) string) func(context.Context, *jobs.Job, A) error {
	return func(ctx context.Context, job *jobs.Job, a A) error {
		if started != nil {
			started <- runID(a)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-release:
			return nil
		}
	}
}
