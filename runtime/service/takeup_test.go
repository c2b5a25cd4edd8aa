package service

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/wecomrunner/runner/wecom/callback"

	"github.com/wecomrunner/runner/runtime/internal/fixture"
	"github.com/wecomrunner/runner/runtime/jobs"
	"github.com/wecomrunner/runner/runtime/scheduler"
	"github.com/wecomrunner/runner/runtime/state"
)

// TestReceiverTakesUpAfterCrash: the events a process accepted and did not
// run before it died (no shutdown recorded them) are run once by the next
// process on the same state: in the order they came, with the concurrency
// rules, the trigger "recovered", counted as queued while they wait. A
// redelivery of one of them is a duplicate.
func TestReceiverTakesUpAfterCrash(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.db")
	first, err := state.OpenBolt(path, state.BoltOptions{})
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := eventConfig(t, receiverJobs)
	if err != nil {
		t.Fatal(err)
	}
	s, err := scheduler.New(cfg, execFunc(func(context.Context, *jobs.Job, *scheduler.Attempt) error {
		t.Error("the process that died ran a job")
		return nil
	}), first, scheduler.Options{Logger: testLogger(t)})
	if err != nil {
		t.Fatal(err)
	}
	crypto, err := callback.New(testCBToken, testCBKey, testCorpID)
	if err != nil {
		t.Fatal(err)
	}
	dead := &receiverRig{t: t, s: s, crypto: crypto, now: time.Unix(1700000000, 0)}
	dead.r = NewReceiver(s, ReceiverOptions{Logger: testLogger(t), Now: func() time.Time { return dead.now }})
	var deliveries []delivery
	for _, ev := range [][2]string{{"create_user", "u1"}, {"delete_user", "u2"}, {"create_user", "u3"}} {
		d := dead.deliver(contactEvent(ev[0], ev[1], dead.now.Unix()))
		if w := dead.post(d); w.Code != http.StatusOK {
			t.Fatalf("event %s = %d %s", ev[1], w.Code, w.Body)
		}
		deliveries = append(deliveries, d)
	}
	// The process dies: its receiver never ran the queue, and nothing was
	// recorded as interrupted.
	first.Close()

	second, err := state.OpenBolt(path, state.BoltOptions{History: 5000})
	if err != nil {
		t.Fatal(err)
	}
	var logs fixture.SyncBuffer
	logger := slog.New(slog.NewTextHandler(io.MultiWriter(&logs, t.Output()), nil))
	g := newReceiverRigOn(t, receiverJobs, true, second, ReceiverOptions{Logger: logger, TakeUp: time.Hour})
	// welcome (forbid) runs u1 and holds u3 back; offboarding runs u2.
	got := g.waitRuns(2)
	users := map[string]string{}
	for _, a := range got {
		if a.trigger != state.TriggerRecovered {
			t.Errorf("run of %s has trigger %s, want recovered", a.job, a.trigger)
		}
		users[a.job] = a.event.Get("UserID")
	}
	if users["welcome"] != "u1" || users["offboarding"] != "u2" {
		t.Errorf("the first runs taken up are %v, want welcome u1 and offboarding u2", users)
	}
	fixture.WaitFor(t, time.Minute, "the queued gauge to count the event held back", func() bool {
		return g.metric("runner_events_queued") == 1
	})
	if !strings.Contains(logs.String(), "pending events taken up") || !strings.Contains(logs.String(), "events=3") {
		t.Errorf("no INFO line of the 3 events taken up in:\n%s", logs.String())
	}
	g.release()
	if a := g.waitRuns(1)[0]; a.job != "welcome" || a.event.Get("UserID") != "u3" || a.trigger != state.TriggerRecovered {
		t.Errorf("third run %s for %s (%s), want welcome for u3, recovered", a.job, a.event.Get("UserID"), a.trigger)
	}
	g.noMoreRuns()
	// WeCom delivering one again changes nothing.
	if w := g.post(deliveries[0]); w.Code != http.StatusOK {
		t.Errorf("a redelivery = %d", w.Code)
	}
	g.noMoreRuns()
	if n := g.metric(`runner_callback_requests_total{callback="contacts",result="duplicate"}`); n != 1 {
		t.Errorf("duplicates counted = %v, want 1", n)
	}
	g.shutdown()
	for job, want := range map[string]int{"welcome": 2, "offboarding": 1} {
		runs, err := second.Runs(t.Context(), job, 0)
		if err != nil || len(runs) != want {
			t.Fatalf("%s has %d runs, %v; want %d", job, len(runs), err, want)
		}
		for _, r := range runs {
			if r.Result != state.ResultOK || r.Trigger != state.TriggerRecovered || r.By != "callback contacts" || r.Event == nil || !r.Scheduled.Equal(dead.now) {
				t.Errorf("run %+v, want ok, recovered, by callback contacts, with its event, scheduled when it came", r)
			}
		}
	}
	second.Close()

	// Nothing is left pending for a third process.
	third, err := state.OpenBolt(path, state.BoltOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer third.Close()
	if left, err := third.TakePending(t.Context(), 100); err != nil || len(left) != 0 {
		t.Errorf("pending events after their runs = %+v, %v; want none", left, err)
	}
}
