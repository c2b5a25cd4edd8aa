package service

import (
	"testing"

	"github.com/wecomrunner/runner/runtime/internal/fixture"
	"github.com/wecomrunner/runner/runtime/internal/runfixture"
	"github.com/wecomrunner/runner/runtime/jobs"
	"github.com/wecomrunner/runner/runtime/scheduler"
	"github.com/wecomrunner/runner/runtime/state"
)

// The shared test helpers, under the names these tests use.
var (
	env        = fixture.Env
	writeFile  = fixture.WriteFile
	testLogger = fixture.Logger
)

type (
	every = fixture.Every
	// harness is a scheduler running in a test.
	harness = runfixture.Harness[*scheduler.Scheduler]
)

// start runs a scheduler for cfg until the test calls h.Shutdown; options
// change the scheduler before it runs.
func start(t *testing.T, cfg *jobs.Config, exec scheduler.Executor, store *state.BoltStore, options ...func(*scheduler.Scheduler)) *harness {
	return runfixture.Start(t, store, func(store *state.BoltStore) (*scheduler.Scheduler, error) {
		return scheduler.New(cfg, exec, store, scheduler.Options{Logger: testLogger(t)})
	}, options...)
}

// blockUntilDone is an executor whose runs last until their context ends or
// release is closed; it reports each start on started.
func blockUntilDone(started chan<- string, release <-chan struct{}) scheduler.Executor {
	return execFunc(runfixture.BlockUntilDone(started, release, func(a *scheduler.Attempt) string { return a.RunID }))
}
