package state

import (
	"strings"
	"testing"
	"time"
)

// TestRedisRunningRuns: the store keeps the runs in progress in one hash, so
// that a sweep reads them without reading every job's history; a sweep
// marks those of an instance whose heartbeat expired and tells
// OnInterrupted, once.
func TestRedisRunningRuns(t *testing.T) {
	r := startRedis(t)
	ctx := t.Context()
	sweeper := r.open(t, RedisOptions{Instance: "sweeper", Heartbeat: 500 * time.Millisecond, Sweep: 50 * time.Millisecond})
	marked := make(chan RunRecord, 10)
	sweeper.OnInterrupted(func(r RunRecord) { marked <- r })
	dead := r.open(t, RedisOptions{Instance: "dead", Heartbeat: 500 * time.Millisecond})
	at := time.Date(2025, 1, 1, 2, 0, 0, 0, time.UTC)
	running := func(s *RedisStore, id string) RunRecord {
		rec := RunRecord{ID: id, Job: "sync", Trigger: TriggerSchedule, Scheduled: at, Started: at, Result: ResultRunning, Instance: s.Instance()}
		if err := s.PutRun(ctx, rec); err != nil {
			t.Fatal(err)
		}
		return rec
	}
	inProgress := func() []string {
		fields := sweeper.rdb.HKeys(ctx, sweeper.key("running")).Val()
		for i, f := range fields {
			fields[i] = strings.ReplaceAll(f, "\x00", "/")
		}
		return fields
	}

	ended := running(dead, "1-ended")
	ended.Result = ResultOK
	if err := dead.PutRun(ctx, ended); err != nil {
		t.Fatal(err)
	}
	lost := running(dead, "2-lost")
	mine := running(sweeper, "3-mine")
	if got := inProgress(); len(got) != 2 {
		t.Fatalf("runs in progress = %q, want 2-lost and 3-mine", got)
	}

	dead.Crash()
	var got RunRecord
	select {
	case got = <-marked:
	case <-time.After(30 * time.Second):
		t.Fatal("OnInterrupted heard of nothing")
	}
	if got.ID != lost.ID || got.Result != ResultInterrupted || got.Scheduled != at || got.Instance != "dead" {
		t.Errorf("OnInterrupted got %+v, want run 2-lost interrupted", got)
	}
	if rec, _ := sweeper.Run(ctx, "sync", lost.ID); rec.Result != ResultInterrupted {
		t.Errorf("the lost run is %s, want interrupted", rec.Result)
	}
	if got := inProgress(); len(got) != 1 || got[0] != "sync/"+mine.ID {
		t.Errorf("runs in progress after the sweep = %q, want only 3-mine", got)
	}
	// Later sweeps mark nothing twice, and leave live runs alone.
	for range 2 {
		if err := sweeper.sweep(ctx); err != nil {
			t.Fatal(err)
		}
	}
	select {
	case again := <-marked:
		t.Errorf("OnInterrupted heard twice: %+v", again)
	default:
	}
	if rec, _ := sweeper.Run(ctx, "sync", mine.ID); rec.Result != ResultRunning {
		t.Errorf("the sweeper's own run is %s, want running", rec.Result)
	}
	// A run that ends leaves the runs in progress; one dropped from the
	// history too.
	mine.Result = ResultOK
	if err := sweeper.PutRun(ctx, mine); err != nil {
		t.Fatal(err)
	}
	if got := inProgress(); len(got) != 0 {
		t.Errorf("runs in progress after the last ended = %q", got)
	}
}
