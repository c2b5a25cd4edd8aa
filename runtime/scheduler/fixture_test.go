package scheduler

import (
	"testing"
	"time"

	"github.com/wecomrunner/runner/internal/emulatortest"
	"github.com/wecomrunner/runner/runtime/internal/fixture"
	"github.com/wecomrunner/runner/runtime/internal/runfixture"
	"github.com/wecomrunner/runner/runtime/jobs"
	"github.com/wecomrunner/runner/runtime/state"
)

// The shared test helpers, under the names these tests use.
var (
	env           = fixture.Env
	golden        = fixture.Golden
	writeJobs     = fixture.WriteJobs
	writeFile     = fixture.WriteFile
	waitFor       = fixture.WaitFor
	testLogger    = fixture.Logger
	startEmulator = emulatortest.Start
)

type (
	every       = fixture.Every
	syncBuffer  = fixture.SyncBuffer
	redisServer = runfixture.Redis
	// harness is a scheduler running in a test.
	harness = runfixture.Harness[*Scheduler]
)

// start runs a scheduler for cfg until the test calls h.Shutdown; options
// change the scheduler before it runs.
func start(t *testing.T, cfg *jobs.Config, exec Executor, store *state.BoltStore, options ...func(*Scheduler)) *harness {
	return runfixture.Start(t, store, func(store *state.BoltStore) (*Scheduler, error) {
		return New(cfg, exec, store, Options{Logger: testLogger(t)})
	}, options...)
}

// idle is a scheduler on store, never Run, of one job, sync (every minute),
// whose runs last until their context ends: what runner jobs run works on.
func idle(t *testing.T, store *state.BoltStore) *Scheduler {
	t.Helper()
	s, err := New(runfixture.Config(runfixture.Job("sync", every(time.Minute))), blockUntilDone(nil, nil), store, Options{})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// blockUntilDone is an executor whose runs last until their context ends or
// release is closed; it reports each start on started.
func blockUntilDone(started chan<- string, release <-chan struct{}) Executor {
	return execFunc(runfixture.BlockUntilDone(started, release, func(a *Attempt) string { return a.RunID }))
}
