package state

// Benchmarks of the state at scale.
//
//	go test ./runtime/state -run '^$' -bench 'BoltHistory' -benchtime 1x

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"go.etcd.io/bbolt"
)

// BenchmarkBoltHistory100k records 100,000 runs (20,000 with -short) of 100
// jobs, each with a run log of 20 lines, in a bbolt state keeping the
// default history (100 runs a job), as a year of a busy schedule does, and
// reports the size of the file after the first 10,000 runs (MB-10k) and
// after all of them (MB-100k), and the size of its live data (live-MB: the
// file compacted). bbolt reuses the pages of the runs the history drops:
// the file stays within a little of its live data.
func BenchmarkBoltHistory100k(b *testing.B) {
	const jobs, lines = 100, 20
	total := 100000
	if testing.Short() {
		total = 20000
	}
	log := make([]string, lines)
	for i := range log {
		log[i] = fmt.Sprintf(`time=2026-01-01T02:00:00.000Z level=INFO msg="step %d of the nightly sync" job=job run=run created=12 updated=345`, i)
	}
	for b.Loop() {
		dir := b.TempDir()
		path := filepath.Join(dir, "state.db")
		s, err := OpenBolt(path, BoltOptions{})
		if err != nil {
			b.Fatal(err)
		}
		// One goroutine a job, as runs finish concurrently: their writes
		// share transactions.
		var at10k atomic.Int64
		var done atomic.Int64
		start := time.Date(2026, 1, 1, 2, 0, 0, 0, time.UTC)
		var wg sync.WaitGroup
		for j := range jobs {
			wg.Go(func() {
				job := fmt.Sprintf("job%03d", j)
				for k := range total / jobs {
					at := start.Add(time.Duration(k*jobs+j) * time.Minute)
					r := RunRecord{ID: NewRunID(at), Job: job, Trigger: TriggerSchedule, Scheduled: at, Started: at,
						Finished: at.Add(time.Second), Result: ResultOK, Attempts: 1, Instance: "bench:1"}
					if err := s.PutRun(context.Background(), r); err != nil {
						b.Error(err)
						return
					}
					if err := s.AppendLog(context.Background(), job, r.ID, log); err != nil {
						b.Error(err)
						return
					}
					if done.Add(1) == 10000 {
						at10k.Store(fileSize(b, path))
					}
				}
			})
		}
		wg.Wait()
		if err := s.Close(); err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(at10k.Load())/1e6, "MB-10k")
		b.ReportMetric(float64(fileSize(b, path))/1e6, "MB-100k")
		b.ReportMetric(float64(liveSize(b, path))/1e6, "live-MB")
	}
}

func fileSize(b *testing.B, path string) int64 {
	b.Helper()
	st, err := os.Stat(path)
	if err != nil {
		b.Fatal(err)
	}
	return st.Size()
}

// liveSize is the size of the state file at path once compacted.
func liveSize(b *testing.B, path string) int64 {
	b.Helper()
	src, err := bbolt.Open(path, 0o600, &bbolt.Options{ReadOnly: true})
	if err != nil {
		b.Fatal(err)
	}
	defer src.Close()
	out := path + ".compact"
	dst, err := bbolt.Open(out, 0o600, nil)
	if err != nil {
		b.Fatal(err)
	}
	if err := bbolt.Compact(dst, src, 64<<20); err != nil {
		b.Fatal(err)
	}
	dst.Close()
	return fileSize(b, out)
}

// BenchmarkBoltAcceptEvent records accepted events, each with a pending
// event of about 500 bytes of XML, from 8 goroutines at once, and deletes
// each pending event by recording its run, as the callbacks and runs of a
// busy serve do; every AcceptEvent waits for its write to reach the disk
// (concurrent writes share a transaction and its sync). About 0.3 to 0.4
// ms/op on a loaded 2-core machine (0.9 ms/op when bbolt's Batch grouped
// the writes by a 2 ms timer).
func BenchmarkBoltAcceptEvent(b *testing.B) {
	s, err := OpenBolt(filepath.Join(b.TempDir(), "state.db"), BoltOptions{})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	var n atomic.Int64
	b.SetParallelism(4) // 8 goroutines on 2 cores
	b.RunParallel(func(pb *testing.PB) {
		ctx := context.Background()
		for pb.Next() {
			i := n.Add(1)
			key := fmt.Sprintf("contacts:%d", i)
			evs := pendingEvents(key, "welcome")
			evs[0].Event.XML += fmt.Sprintf("%0450d", i)
			if first, err := s.AcceptEvent(ctx, key, time.Hour, evs, 1000000); err != nil || !first {
				b.Fatal(first, err)
			}
			if err := s.PutRun(ctx, RunRecord{ID: evs[0].ID, Job: "welcome", Result: ResultRunning}); err != nil {
				b.Fatal(err)
			}
		}
	})
}
