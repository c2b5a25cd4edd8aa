package service

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/robfig/cron/v3"
	"github.com/wecomrunner/runner/internal/redistest"
	"github.com/wecomrunner/runner/runtime/jobs"
	"github.com/wecomrunner/runner/runtime/scheduler"
	"github.com/wecomrunner/runner/runtime/state"
)

var testEnv = env(map[string]string{
	"CORP_ID":         "ww-test-corp",
	"CONTACTS_SECRET": "contacts-secret-value",
	"APP_SECRET":      "app-secret-value",
})

// eventConfig parses and validates a jobs file written in a temporary
// directory with an empty script.lua, with the callback's secrets in the
// environment.
func eventConfig(t testing.TB, src string) (*jobs.Config, error) {
	t.Helper()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "script.lua"), []byte("return\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	getenv := env(map[string]string{"CB_TOKEN": testCBToken, "CB_KEY": testCBKey, "CORP_ID": testCorpID})
	cfg, err := jobs.Parse(strings.NewReader(src), filepath.Join(dir, "jobs.yaml"), getenv)
	if err != nil {
		t.Fatal(err)
	}
	return cfg, cfg.Validate()
}

func openTestStore(t *testing.T, opts state.BoltOptions) *state.BoltStore {
	t.Helper()
	s, err := state.OpenBolt(filepath.Join(t.TempDir(), "state.db"), opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// redisServer is a redis-server started by a test.
type redisServer struct{ *redistest.Server }

// startRedis starts a redis-server without persistence on a free port of
// 127.0.0.1; it is killed when the test ends.
func startRedis(t *testing.T, args ...string) *redisServer {
	t.Helper()
	return &redisServer{redistest.Start(t, args...)}
}

// open opens a store on the server's database 0, closed when the test ends.
func (r *redisServer) open(t *testing.T, opts state.RedisOptions) *state.RedisStore {
	t.Helper()
	if opts.Logger == nil {
		opts.Logger = testLogger(t)
	}
	s, err := state.OpenRedis(r.URL(), opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// execFunc is an scheduler.Executor made of a function.
type execFunc func(ctx context.Context, job *jobs.Job, a *scheduler.Attempt) error

func (f execFunc) Execute(ctx context.Context, job *jobs.Job, a *scheduler.Attempt) error {
	return f(ctx, job, a)
}

// testJob returns a job ready to schedule on s, with the defaults of
// jobs.yaml; options change it.
func testJob(name string, s cron.Schedule, options ...func(*jobs.Job)) *jobs.Job {
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

func testConfig(js ...*jobs.Job) *jobs.Config {
	return &jobs.Config{
		File: "jobs.yaml", Timezone: "UTC", Location: time.UTC,
		History: state.DefaultHistory, Grace: time.Minute, Jobs: js, Validated: true,
	}
}

// harness is a scheduler running in a test.
type harness struct {
	t     *testing.T
	s     *scheduler.Scheduler
	store *state.BoltStore
	stop  context.CancelFunc
	done  chan error
}

// start runs a scheduler for cfg until the test calls h.shutdown; options
// change the scheduler before it runs.
func start(t *testing.T, cfg *jobs.Config, exec scheduler.Executor, store *state.BoltStore, options ...func(*scheduler.Scheduler)) *harness {
	t.Helper()
	if store == nil {
		store = openTestStore(t, state.BoltOptions{})
	}
	s, err := scheduler.New(cfg, exec, store, scheduler.Options{Logger: testLogger(t)})
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range options {
		o(s)
	}
	ctx, stop := context.WithCancel(t.Context())
	h := &harness{t: t, s: s, store: store, stop: stop, done: make(chan error, 1)}
	go func() { h.done <- s.Run(ctx) }()
	return h
}

// shutdown stops the scheduler as SIGTERM does and returns Run's result.
func (h *harness) shutdown() error {
	h.stop()
	return <-h.done
}

// runs returns a job's runs, oldest first.
func (h *harness) runs(job string) []state.RunRecord {
	h.t.Helper()
	runs, err := h.store.Runs(context.Background(), job, 0)
	if err != nil {
		h.t.Fatal(err)
	}
	slices.Reverse(runs)
	return runs
}

func results(runs []state.RunRecord) []string {
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

// blockUntilDone is an executor whose runs last until their context ends or
// release is closed; it reports each start on started.
func blockUntilDone(started chan<- string, release <-chan struct{}) scheduler.Executor {
	return execFunc(func(ctx context.Context, job *jobs.Job, a *scheduler.Attempt) error {
		if started != nil {
			started <- a.RunID
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-release:
			return nil
		}
	})
}

// loadValidEnv loads and validates a jobs file, with the variables vars,
// written in a new directory with job.lua and the files named.
func loadValidEnv(t *testing.T, yaml string, vars map[string]string, files ...string) *jobs.Config {
	t.Helper()
	dir := t.TempDir()
	for _, f := range append([]string{"job.lua"}, files...) {
		writeFile(t, filepath.Join(dir, f), "return 1\n")
	}
	writeFile(t, filepath.Join(dir, "jobs.yaml"), yaml)
	cfg, err := jobs.Load(filepath.Join(dir, "jobs.yaml"), env(vars))
	if err != nil {
		t.Fatal(err)
	}
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	return cfg
}

// The official example's token and key, used as the test callback's.
const (
	testCBToken = "QDG6eK"
	testCBKey   = "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C"
	testCorpID  = "ww-test-corp"
)
