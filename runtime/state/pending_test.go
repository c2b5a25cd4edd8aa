package state

import (
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"
)

// pendingEvents returns n pending events of a contacts event for the jobs
// named, in order.
func pendingEvents(key string, jobs ...string) []PendingEvent {
	received := time.Date(2025, 1, 2, 3, 4, 5, 600, time.UTC)
	out := make([]PendingEvent, len(jobs))
	for i, job := range jobs {
		out[i] = PendingEvent{Job: job, ID: NewRunID(received) + fmt.Sprint(i), Received: received,
			Event: EventInfo{Callback: "contacts", Type: "change_contact", Key: key, XML: "<xml><UserID>" + key + "</UserID></xml>"}}
	}
	return out
}

// accept accepts events and fails the test when they are not recorded.
func accept(t *testing.T, s Store, key string, evs []PendingEvent, limit int) {
	t.Helper()
	if first, err := s.AcceptEvent(t.Context(), key, time.Hour, evs, limit); err != nil || !first {
		t.Fatalf("AcceptEvent(%s) = %v, %v, want true", key, first, err)
	}
}

// wantPending checks the events TakePending returned, in order, and that
// each names the instance that accepted it.
func wantPending(t *testing.T, got []PendingEvent, instance string, want ...PendingEvent) {
	t.Helper()
	for i := range want {
		want[i].Instance = instance
	}
	if !slices.EqualFunc(got, want, func(a, b PendingEvent) bool {
		return a.Received.Equal(b.Received) && a.ID == b.ID && a.Job == b.Job && a.Event == b.Event && a.Instance == b.Instance
	}) {
		t.Errorf("taken = %+v\nwant %+v", got, want)
	}
}

// testPendingEvents checks what every Store does with pending events in one
// process: deduplication, the limit, and their end when their run is
// recorded.
func testPendingEvents(t *testing.T, s Store) {
	ctx := t.Context()
	a := pendingEvents("a", "welcome", "audit")
	accept(t, s, "contacts:a", a, 3)
	if first, err := s.AcceptEvent(ctx, "contacts:a", time.Hour, pendingEvents("a", "welcome"), 3); first || err != nil {
		t.Errorf("AcceptEvent of a key seen already = %v, %v, want false", first, err)
	}
	if first, err := s.FirstSeen(ctx, "contacts:a", time.Hour); first || err != nil {
		t.Errorf("FirstSeen of an accepted key = %v, %v, want false", first, err)
	}
	// Two more would make 4 pending events: refused, and nothing recorded.
	b := pendingEvents("b", "welcome", "audit")
	if first, err := s.AcceptEvent(ctx, "contacts:b", time.Hour, b, 3); first || !errors.Is(err, ErrFull) {
		t.Fatalf("AcceptEvent over the limit = %v, %v, want ErrFull", first, err)
	}
	// The events of this store are its own: none to take.
	if got, err := s.TakePending(ctx, 10); err != nil || len(got) != 0 {
		t.Errorf("TakePending of a store's own events = %v, %v, want none", got, err)
	}
	// A run recorded ends its pending event; so does DropPending.
	rec := RunRecord{ID: a[0].ID, Job: a[0].Job, Trigger: TriggerEvent, Result: ResultRunning, Instance: s.Instance()}
	if err := s.PutRun(ctx, rec); err != nil {
		t.Fatal(err)
	}
	if err := s.DropPending(ctx, a[1].Job, a[1].ID); err != nil {
		t.Fatal(err)
	}
	if err := s.DropPending(ctx, "welcome", "no-such-run"); err != nil {
		t.Errorf("DropPending of no event = %v", err)
	}
	accept(t, s, "contacts:b", b, 3) // the key refused for want of room is not seen
	accept(t, s, "contacts:c", pendingEvents("c", "welcome"), 3)
	if first, err := s.AcceptEvent(ctx, "contacts:d", time.Hour, pendingEvents("d", "welcome"), 3); !errors.Is(err, ErrFull) {
		t.Errorf("AcceptEvent of a 4th pending event = %v, %v, want ErrFull", first, err)
	}
}

// TestBoltPendingAfterCrash: a process that opens the file takes up the
// events an earlier one left pending, in the order they were accepted and
// within its limit, until their runs are recorded.
func TestBoltPendingAfterCrash(t *testing.T) {
	ctx := t.Context()
	path := t.TempDir() + "/state.db"
	open := func() *BoltStore {
		t.Helper()
		s, err := OpenBolt(path, BoltOptions{})
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	first := open()
	a, b := pendingEvents("a", "welcome", "audit"), pendingEvents("b", "welcome")
	accept(t, first, "contacts:a", a, 10)
	accept(t, first, "contacts:b", b, 10)
	first.Close() // as a crash leaves it: the events are in the file

	second := open()
	got, err := second.TakePending(ctx, 2)
	if err != nil {
		t.Fatal(err)
	}
	wantPending(t, got, first.Instance(), a...)
	got, err = second.TakePending(ctx, 2)
	if err != nil || len(got) != 0 {
		t.Errorf("TakePending with no room = %v, %v, want none", got, err)
	}
	if err := second.PutRun(ctx, RunRecord{ID: a[0].ID, Job: a[0].Job, Result: ResultOK, Instance: second.Instance()}); err != nil {
		t.Fatal(err)
	}
	got, err = second.TakePending(ctx, 2)
	if err != nil {
		t.Fatal(err)
	}
	wantPending(t, got, first.Instance(), b...)
	if got, err := second.TakePending(ctx, 10); err != nil || len(got) != 0 {
		t.Errorf("TakePending once all are taken = %v, %v, want none", got, err)
	}
	if first, err := second.AcceptEvent(ctx, "contacts:a", time.Hour, pendingEvents("a", "welcome"), 10); first || err != nil {
		t.Errorf("a redelivery of an event accepted before the crash = %v, %v, want seen", first, err)
	}
	second.Close()

	// Taken up but not recorded: the next process takes them again.
	third := open()
	defer third.Close()
	got, err = third.TakePending(ctx, 10)
	if err != nil {
		t.Fatal(err)
	}
	wantPending(t, got, first.Instance(), a[1], b[0])
}

// TestRedisPendingAfterCrash: the events of an instance that died are taken
// up by another once its heartbeat has expired, and those of an earlier
// process of the same name at once.
func TestRedisPendingAfterCrash(t *testing.T) {
	r := startRedis(t)
	ctx := t.Context()
	const ttl = 3 * time.Second
	live := r.open(t, RedisOptions{Instance: "live", Heartbeat: ttl})
	dead := r.open(t, RedisOptions{Instance: "dead", Heartbeat: ttl})
	a, b := pendingEvents("a", "welcome", "audit"), pendingEvents("b", "welcome")
	accept(t, dead, "contacts:a", a, 10)
	accept(t, live, "contacts:l", pendingEvents("l", "welcome"), 10)
	accept(t, dead, "contacts:b", b, 10)
	dead.Crash()
	if got, err := live.TakePending(ctx, 10); err != nil || len(got) != 0 {
		t.Errorf("TakePending while the heartbeat of the dead instance lasts = %v, %v, want none", got, err)
	}
	var got []PendingEvent
	waitFor(t, 10*ttl, "the events of the dead instance", func() bool {
		var err error
		got, err = live.TakePending(ctx, 3) // 1 of its own, room for 2
		return err != nil || len(got) > 0
	})
	wantPending(t, got, "dead", a...)
	if first, err := live.AcceptEvent(ctx, "contacts:m", time.Hour, pendingEvents("m", "welcome"), 3); !errors.Is(err, ErrFull) {
		t.Errorf("AcceptEvent with the taken events = %v, %v, want ErrFull", first, err)
	}
	if err := live.PutRun(ctx, RunRecord{ID: a[0].ID, Job: a[0].Job, Result: ResultOK, Instance: "live"}); err != nil {
		t.Fatal(err)
	}
	got, err := live.TakePending(ctx, 3)
	if err != nil {
		t.Fatal(err)
	}
	wantPending(t, got, "dead", b...)

	// The live one crashes; a process of its name takes its events at once.
	live.Crash()
	again := r.open(t, RedisOptions{Instance: "live", Heartbeat: ttl})
	got, err = again.TakePending(ctx, 10)
	if err != nil {
		t.Fatal(err)
	}
	// In the order they were accepted, whoever accepted them.
	if len(got) != 3 || got[0].ID != a[1].ID || got[1].Event.Key != "l" || got[1].Instance != "live" || got[2].ID != b[0].ID {
		t.Errorf("events taken from an earlier process of the name = %+v, want a/audit, l, b", got)
	}
	if left, err := again.TakePending(ctx, 10); err != nil || len(left) != 0 {
		t.Errorf("TakePending of the events it holds = %v, %v, want none", left, err)
	}
	for _, ev := range got {
		if err := again.DropPending(ctx, ev.Job, ev.ID); err != nil {
			t.Fatal(err)
		}
	}
	if n, err := again.rdb.HLen(ctx, again.key("pending")).Result(); err != nil || n != 0 {
		t.Errorf("%d pending events left after DropPending, %v", n, err)
	}
}
