package scheduler

import (
	"context"
	"errors"
	"testing"
	"testing/synctest"
	"time"

	"github.com/wecomrunner/runner/runtime/internal/runfixture"
	"github.com/wecomrunner/runner/runtime/jobs"
	"github.com/wecomrunner/runner/runtime/state"
)

// TestPause pauses a job: its firings are passed over, unrecorded, on every
// scheduler sharing the store, until it is resumed.
func TestPause(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		store := runfixture.OpenBolt(t, state.BoltOptions{})
		exec := execFunc(func(context.Context, *jobs.Job, *Attempt) error { return nil })
		h := start(t, runfixture.Config(runfixture.Job("sync", every(time.Minute))), exec, store)
		if err := h.S.Pause(t.Context(), "sync", "alice@host"); err != nil {
			t.Fatal(err)
		}
		if err := h.S.Pause(t.Context(), "nope", "alice@host"); !errors.Is(err, state.ErrNotFound) {
			t.Errorf("Pause of an unknown job: %v", err)
		}
		time.Sleep(3*time.Minute + time.Second)
		if runs := h.Runs("sync"); len(runs) != 0 {
			t.Errorf("a paused job ran: %v", runfixture.Results(runs))
		}
		info, err := h.S.JobInfo(t.Context(), "sync")
		if err != nil || info.Paused == nil || info.Paused.By != "alice@host" {
			t.Errorf("JobInfo = %+v, %v", info, err)
		}
		if err := h.S.Resume(t.Context(), "sync", "alice@host"); err != nil {
			t.Fatal(err)
		}
		time.Sleep(2 * time.Minute)
		h.Shutdown()
		runfixture.WantResults(t, h.Runs("sync"), "ok", "ok")
	})
}

// TestCancelAcrossInstances cancels, through one scheduler, a run of another
// sharing the store: the run stops within a few seconds and says who asked.
func TestCancelAcrossInstances(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		store := runfixture.OpenBolt(t, state.BoltOptions{})
		started := make(chan string, 1)
		job := func() *jobs.Job {
			return runfixture.Job("sync", every(time.Hour), func(j *jobs.Job) { j.Enabled = false })
		}
		a := start(t, runfixture.Config(job()), blockUntilDone(started, nil), store)
		b := start(t, runfixture.Config(job()), blockUntilDone(nil, nil), store)
		run, err := a.S.Trigger(t.Context(), "sync", RunRequest{By: "alice"})
		if err != nil {
			t.Fatal(err)
		}
		<-started
		got, err := b.S.Cancel(t.Context(), run.ID, "bob@host")
		if err != nil || got.Result != state.ResultRunning {
			t.Fatalf("Cancel through the other instance = %+v, %v", got, err)
		}
		final := run.Record()
		if final.Result != state.ResultInterrupted || final.Error != "cancelled by bob@host" || final.Duration() > cancelPoll+time.Second {
			t.Errorf("cancelled run = %+v (took %v)", final, final.Duration())
		}
		if _, err := b.S.Cancel(t.Context(), run.ID, "bob@host"); !errors.Is(err, ErrEnded) {
			t.Errorf("a second cancel: %v, want ErrEnded", err)
		}
		a.Shutdown()
		b.Shutdown()
	})
}

// TestTriggerWithoutRun is runner jobs run on the state directly: without
// Run, cancelling ctx interrupts a triggered run, which is in the history as
// soon as Trigger returns.
func TestTriggerWithoutRun(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		store := runfixture.OpenBolt(t, state.BoltOptions{})
		s := idle(t, store)
		ctx, cancel := context.WithCancel(t.Context())
		run, err := s.Trigger(ctx, "sync", RunRequest{By: "alice@host", Args: map[string]any{"n": 1}})
		if err != nil {
			t.Fatal(err)
		}
		if run.Initial.Result != state.ResultRunning {
			t.Errorf("the run as Trigger returned = %+v", run.Initial)
		}
		if stored, err := store.Run(t.Context(), "sync", run.ID); err != nil || stored.Result != state.ResultRunning {
			t.Errorf("the run is not in the history as Trigger returns: %+v, %v", stored, err)
		}
		time.AfterFunc(time.Second, cancel)
		if final := run.Record(); final.Result != state.ResultInterrupted || final.By != "alice@host" || final.Args != `{"n":1}` {
			t.Errorf("run = %+v", final)
		}
	})
}
