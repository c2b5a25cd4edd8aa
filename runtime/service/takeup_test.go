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
	"github.com/wecomrunner/runner/runtime/internal/runfixture"
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
	if n := g.metric("runner_events_recovered_total"); n != 3 {
		t.Errorf("runner_events_recovered_total = %v, want 3", n)
	}
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

// TestReceiverTakesUpFromDeadInstance: with Redis, the events an instance
// accepted before it died are run once by another instance, once the dead
// one's heartbeat has expired.
func TestReceiverTakesUpFromDeadInstance(t *testing.T) {
	redis := runfixture.StartRedis(t)
	cfg, err := eventConfig(t, receiverJobs)
	if err != nil {
		t.Fatal(err)
	}
	runs := make(chan string, 10)
	exec := execFunc(func(ctx context.Context, job *jobs.Job, a *scheduler.Attempt) error {
		runs <- job.Name + " " + a.Event.Get("UserID") + " " + string(a.Trigger)
		return nil
	})
	newReceiver := func(store state.Store, takeUp time.Duration) *Receiver {
		s, err := scheduler.New(cfg, exec, store, scheduler.Options{Logger: testLogger(t)})
		if err != nil {
			t.Fatal(err)
		}
		return NewReceiver(s, ReceiverOptions{Logger: testLogger(t), TakeUp: takeUp})
	}
	deadStore := redis.Open(t, state.RedisOptions{Instance: "dead", Heartbeat: time.Second})
	live := redis.Open(t, state.RedisOptions{Instance: "live"})
	crypto, err := callback.New(testCBToken, testCBKey, testCorpID)
	if err != nil {
		t.Fatal(err)
	}
	dead := &receiverRig{t: t, crypto: crypto, now: time.Now(), r: newReceiver(deadStore, 0)}
	for _, user := range []string{"u1", "u2"} {
		if w := dead.post(dead.deliver(contactEvent("create_user", user, dead.now.Unix()))); w.Code != http.StatusOK {
			t.Fatalf("event %s = %d %s", user, w.Code, w.Body)
		}
	}
	deadStore.Crash()

	r := newReceiver(live, 50*time.Millisecond)
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan struct{})
	go func() { r.Run(ctx); close(done) }()
	defer func() { cancel(); <-done }()
	for _, want := range []string{"welcome u1 recovered", "welcome u2 recovered"} {
		select {
		case got := <-runs:
			if got != want {
				t.Errorf("run %q, want %q", got, want)
			}
		case <-time.After(time.Minute):
			t.Fatalf("no run %q within a minute", want)
		}
	}
	if err := r.Idle(t.Context()); err != nil {
		t.Fatal(err)
	}
	history, err := live.Runs(t.Context(), "welcome", 0)
	if err != nil || len(history) != 2 {
		t.Fatalf("welcome has %d runs, %v; want 2", len(history), err)
	}
	for _, h := range history {
		if h.Result != state.ResultOK || h.Trigger != state.TriggerRecovered || h.Instance != "live" {
			t.Errorf("run %+v, want ok, recovered, on live", h)
		}
	}
	other := redis.Open(t, state.RedisOptions{Instance: "other"})
	if left, err := other.TakePending(t.Context(), 100); err != nil || len(left) != 0 {
		t.Errorf("pending events after their runs = %+v, %v; want none", left, err)
	}
	select {
	case got := <-runs:
		t.Errorf("another run: %s", got)
	default:
	}
}
