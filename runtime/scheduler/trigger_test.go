package scheduler

import (
	"context"
	"errors"
	"reflect"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/wecomrunner/runner/runtime/internal/runfixture"
	"github.com/wecomrunner/runner/runtime/jobs"
	"github.com/wecomrunner/runner/runtime/state"
)

const testEventXML = `<xml><ToUserName>ww1</ToUserName><FromUserName>sys</FromUserName><CreateTime>1700000000</CreateTime>` +
	`<MsgType>event</MsgType><Event>change_contact</Event><ChangeType>create_user</ChangeType><UserID>xiaoming</UserID><Department>2,5</Department></xml>`

func testEvent() *state.EventInfo {
	return &state.EventInfo{Callback: "contacts", Type: "change_contact", Key: "event:test", XML: testEventXML}
}

// TestTrigger starts runs the way the callback receiver and the control API
// do: Trigger returns at once with the run's id; the run carries who asked,
// the event and the arguments, and is recorded with them.
func TestTrigger(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		type seen struct {
			trigger state.Trigger
			user    string
			args    map[string]any
		}
		got := make(chan seen, 1)
		release := make(chan struct{})
		exec := execFunc(func(ctx context.Context, job *jobs.Job, a *Attempt) error {
			got <- seen{a.Trigger, a.Event.Get("UserID"), a.Args}
			<-release
			return nil
		})
		job := runfixture.Job("welcome", every(time.Hour), func(j *jobs.Job) { j.Args = map[string]any{"chat": "c1", "greet": true} })
		h := start(t, runfixture.Config(job), exec, nil)

		run, err := h.S.Trigger(t.Context(), "welcome", RunRequest{
			Trigger: state.TriggerEvent, By: "callback contacts", Event: testEvent(),
			Args: map[string]any{"chat": "c2"},
		})
		if err != nil {
			t.Fatal(err)
		}
		if run.ID == "" || run.Job != "welcome" {
			t.Errorf("run = %+v", run)
		}
		s := <-got
		if s.trigger != state.TriggerEvent || s.user != "xiaoming" {
			t.Errorf("attempt saw trigger %q, UserID %q", s.trigger, s.user)
		}
		if want := map[string]any{"chat": "c2", "greet": true}; !reflect.DeepEqual(s.args, want) {
			t.Errorf("args = %v, want %v (the request's over the job's)", s.args, want)
		}
		select {
		case <-run.Done():
			t.Fatal("Done before the run ended")
		default:
		}
		close(release)
		rec := run.Record()
		if rec.ID != run.ID || rec.Result != state.ResultOK || rec.Trigger != state.TriggerEvent || rec.By != "callback contacts" || *rec.Event != *testEvent() {
			t.Errorf("record = %+v", rec)
		}
		stored, err := h.Store.Run(t.Context(), "welcome", run.ID)
		if err != nil || stored.By != "callback contacts" || stored.Event == nil || stored.Event.XML != testEventXML {
			t.Errorf("stored record = %+v, %v", stored, err)
		}

		if _, err := h.S.Trigger(t.Context(), "nope", RunRequest{}); err == nil {
			t.Error("Trigger of an unknown job succeeded")
		}
		if _, err := h.S.Trigger(t.Context(), "welcome", RunRequest{Event: &state.EventInfo{XML: "<html>"}}); err == nil {
			t.Error("Trigger with an event that does not parse succeeded")
		}
		h.Shutdown()
		if _, err := h.S.Trigger(t.Context(), "welcome", RunRequest{}); !errors.Is(err, ErrStopping) {
			t.Errorf("Trigger after shutdown = %v, want ErrStopping", err)
		}
	})
}

// TestTriggerWait queues runs of a forbid job: with Wait, each waits for the
// one before instead of being skipped, so a burst of events loses none.
func TestTriggerWait(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var mu sync.Mutex
		running, most := 0, 0
		exec := execFunc(func(ctx context.Context, job *jobs.Job, a *Attempt) error {
			mu.Lock()
			running++
			most = max(most, running)
			mu.Unlock()
			time.Sleep(time.Second)
			mu.Lock()
			running--
			mu.Unlock()
			return nil
		})
		h := start(t, runfixture.Config(runfixture.Job("welcome", every(24*time.Hour))), exec, nil)
		runs := triggerWaiting(t, h, "welcome", 10)
		for _, r := range runs {
			if rec := r.Record(); rec.Result != state.ResultOK {
				t.Errorf("run %s = %s: %s", rec.ID, rec.Result, rec.Error)
			}
		}
		if most != 1 {
			t.Errorf("%d runs of a forbid job ran at once", most)
		}
		// Without Wait, a run that finds the job running is refused, and
		// not recorded.
		first, err := h.S.Trigger(t.Context(), "welcome", RunRequest{})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := h.S.Trigger(t.Context(), "welcome", RunRequest{}); !errors.Is(err, ErrBusy) {
			t.Errorf("a second run without Wait: %v, want ErrBusy", err)
		}
		if rec := first.Record(); rec.Result != state.ResultOK {
			t.Errorf("the first run without Wait = %s: %s", rec.Result, rec.Error)
		}
		if n := len(h.Runs("welcome")); n != 11 {
			t.Errorf("%d runs recorded, want the 10 queued and the first without Wait", n)
		}
		h.Shutdown()
	})
}

// triggerWaiting triggers n runs of job by an event, each waiting for its
// turn, and returns them.
func triggerWaiting(t *testing.T, h *harness, job string, n int) []*TriggeredRun {
	t.Helper()
	runs := make([]*TriggeredRun, n)
	for i := range runs {
		run, err := h.S.Trigger(t.Context(), job, RunRequest{Trigger: state.TriggerEvent, Event: testEvent(), Wait: true})
		if err != nil {
			t.Fatal(err)
		}
		runs[i] = run
	}
	return runs
}

// TestTriggerInterruptedAtShutdown: runs still waiting for their turn when
// the grace period ends are recorded as interrupted, not lost.
func TestTriggerInterruptedAtShutdown(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		exec := execFunc(func(ctx context.Context, job *jobs.Job, a *Attempt) error {
			<-ctx.Done()
			return ctx.Err()
		})
		cfg := runfixture.Config(runfixture.Job("welcome", every(24*time.Hour)))
		cfg.Grace = time.Minute
		h := start(t, cfg, exec, nil)
		runs := triggerWaiting(t, h, "welcome", 3)
		time.Sleep(time.Second)
		if err := h.Shutdown(); err != nil {
			t.Fatal(err)
		}
		// Each run learns of the shutdown on its own: one that finds the run
		// before it ended may start, and is then interrupted at once.
		for i, r := range runs {
			rec := r.Record()
			if rec.Result != state.ResultInterrupted || !strings.HasPrefix(rec.Error, "the runner stopped before the run") {
				t.Errorf("run %d = %s: %s, want interrupted by the stop", i, rec.Result, rec.Error)
			}
		}
		for _, rec := range h.Runs("welcome") {
			if rec.Result != state.ResultInterrupted || rec.Event == nil {
				t.Errorf("stored %+v", rec)
			}
		}
	})
}
