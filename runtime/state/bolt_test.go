package state

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/wecomrunner/runner/wecom"
)

func openTestStore(t *testing.T, opts BoltOptions) *BoltStore {
	t.Helper()
	s, err := OpenBolt(filepath.Join(t.TempDir(), "state.db"), opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func TestBoltStore(t *testing.T) {
	testStore(t, func(t *testing.T, history int) Store {
		return openTestStore(t, BoltOptions{History: history})
	})
}

// testStore checks the behaviour every Store shares. newStore returns an
// empty store that keeps history runs per job.
func testStore(t *testing.T, newStore func(t *testing.T, history int) Store) {
	t.Run("tokens", func(t *testing.T) {
		s := newStore(t, 10)
		ctx := t.Context()
		if _, ok, err := s.LoadToken(ctx, "k"); ok || err != nil {
			t.Fatalf("LoadToken on an empty store = %v, %v", ok, err)
		}
		want := wecom.Token{Value: "tok", ExpiresAt: time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)}
		if err := s.StoreToken(ctx, "k", want); err != nil {
			t.Fatal(err)
		}
		got, ok, err := s.LoadToken(ctx, "k")
		if err != nil || !ok || got.Value != want.Value || !got.ExpiresAt.Equal(want.ExpiresAt) {
			t.Errorf("LoadToken = %+v, %v, %v, want %+v", got, ok, err, want)
		}
	})

	t.Run("seen", func(t *testing.T) {
		s := newStore(t, 10)
		ctx := t.Context()
		for i, want := range []bool{true, false, false} {
			if got, err := s.FirstSeen(ctx, "contacts:event:abc", time.Hour); err != nil || got != want {
				t.Errorf("FirstSeen #%d = %v, %v, want %v", i+1, got, err, want)
			}
		}
		if got, _ := s.FirstSeen(ctx, "contacts:event:other", time.Hour); !got {
			t.Error("another key is seen already")
		}
		if got, _ := s.FirstSeen(ctx, "short", 50*time.Millisecond); !got {
			t.Error("a new key is seen already")
		}
		time.Sleep(100 * time.Millisecond)
		if got, _ := s.FirstSeen(ctx, "short", time.Hour); !got {
			t.Error("a key is still seen after its ttl")
		}
	})

	t.Run("remember", func(t *testing.T) {
		s := newStore(t, 10)
		ctx := t.Context()
		remember := func(key, value string, ttl time.Duration, want string) {
			t.Helper()
			if got, err := s.Remember(ctx, key, value, ttl); err != nil || got != want {
				t.Errorf("Remember(%s, %s) = %q, %v, want %q", key, value, got, err, want)
			}
		}
		remember("run/a/k1", "first", time.Hour, "first")
		remember("run/a/k1", "second", time.Hour, "first")
		remember("run/b/k1", "other", time.Hour, "other")
		if err := s.Forget(ctx, "run/a/k1", "second"); err != nil {
			t.Fatal(err)
		}
		remember("run/a/k1", "third", time.Hour, "first") // forgotten only with its value
		if err := s.Forget(ctx, "run/a/k1", "first"); err != nil {
			t.Fatal(err)
		}
		remember("run/a/k1", "fourth", time.Hour, "fourth")
		remember("short", "x", 50*time.Millisecond, "x")
		time.Sleep(100 * time.Millisecond)
		remember("short", "y", time.Hour, "y")

		replace := func(key, old, value string, want bool) {
			t.Helper()
			if got, err := s.Replace(ctx, key, old, value, time.Hour); err != nil || got != want {
				t.Errorf("Replace(%s, %s, %s) = %v, %v, want %v", key, old, value, got, err, want)
			}
		}
		replace("run/a/k1", "third", "fifth", false) // not what it holds
		replace("run/a/k1", "fourth", "fifth", true)
		replace("run/a/k1", "fourth", "sixth", false) // the old value was replaced already
		remember("run/a/k1", "seventh", time.Hour, "fifth")
		replace("absent", "", "x", false)
		remember("absent", "y", time.Hour, "y")
		remember("brief", "x", time.Hour, "x")
		if ok, err := s.Replace(ctx, "brief", "x", "z", 50*time.Millisecond); !ok || err != nil {
			t.Fatalf("Replace(brief) = %v, %v", ok, err)
		}
		time.Sleep(100 * time.Millisecond)
		replace("brief", "z", "w", false) // expired with the ttl of the replacement
		remember("brief", "v", time.Hour, "v")
	})

	t.Run("session", func(t *testing.T) {
		s := newStore(t, 10)
		session := s.Session()
		if !strings.HasPrefix(session, s.Instance()+"/") || len(session) <= len(s.Instance())+1 {
			t.Errorf("Session() = %q, want %s/ and a token", session, s.Instance())
		}
		if alive, err := s.SessionAlive(t.Context(), session); !alive || err != nil {
			t.Errorf("SessionAlive(own session) = %v, %v", alive, err)
		}
		for _, other := range []string{s.Instance() + "/0000", "elsewhere:1/0000", ""} {
			if alive, err := s.SessionAlive(t.Context(), other); alive || err != nil {
				t.Errorf("SessionAlive(%q) = %v, %v, want false: no store has it open", other, alive, err)
			}
		}
	})

	t.Run("runs", func(t *testing.T) {
		s := newStore(t, 3)
		ctx := t.Context()
		start := time.Date(2025, 1, 1, 2, 0, 0, 0, time.UTC)
		var ids []string
		for i := range 5 {
			r := RunRecord{
				ID: NewRunID(start.Add(time.Duration(i) * time.Minute)), Job: "sync", Trigger: TriggerSchedule,
				Scheduled: start, Started: start, Result: ResultRunning, Instance: s.Instance(),
			}
			ids = append(ids, r.ID)
			if err := s.PutRun(ctx, r); err != nil {
				t.Fatal(err)
			}
			if err := s.AppendLog(ctx, "sync", r.ID, []string{"line 1 of " + r.ID, "line 2"}); err != nil {
				t.Fatal(err)
			}
			r.Result, r.Finished = ResultOK, start.Add(time.Second)
			if err := s.PutRun(ctx, r); err != nil {
				t.Fatal(err)
			}
		}
		runs, err := s.Runs(ctx, "sync", 0)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, r := range runs {
			got = append(got, r.ID)
		}
		if want := []string{ids[4], ids[3], ids[2]}; !reflect.DeepEqual(got, want) {
			t.Errorf("Runs = %q, want the newest 3 %q", got, want)
		}
		if runs, _ := s.Runs(ctx, "sync", 1); len(runs) != 1 || runs[0].ID != ids[4] {
			t.Errorf("Runs(limit 1) = %+v", runs)
		}
		if r, err := s.Run(ctx, "sync", ids[3]); err != nil || r.Result != ResultOK || r.Duration() != time.Second {
			t.Errorf("Run = %+v, %v", r, err)
		}
		if _, err := s.Run(ctx, "sync", ids[0]); !errors.Is(err, ErrNotFound) {
			t.Errorf("Run of a dropped run: err = %v, want ErrNotFound", err)
		}
		if lines, total, err := s.Log(ctx, "sync", ids[4], 0, 0); err != nil || total != 2 || !reflect.DeepEqual(lines, []string{"line 1 of " + ids[4], "line 2"}) {
			t.Errorf("Log = %q, %d, %v", lines, total, err)
		}
		if lines, total, _ := s.Log(ctx, "sync", ids[0], 0, 0); len(lines) != 0 || total != 0 {
			t.Errorf("the log of a dropped run is kept: %q, %d lines", lines, total)
		}
		if runs, err := s.Runs(ctx, "other", 0); err != nil || len(runs) != 0 {
			t.Errorf("Runs of a job without runs = %v, %v", runs, err)
		}
	})

	t.Run("log pages", func(t *testing.T) {
		s := newStore(t, 10)
		ctx := t.Context()
		var all []string
		for batch := range 3 {
			var lines []string
			for i := range 4 {
				lines = append(lines, fmt.Sprintf("line %d", batch*4+i))
			}
			if err := s.AppendLog(ctx, "sync", "run1", lines); err != nil {
				t.Fatal(err)
			}
			all = append(all, lines...)
		}
		for _, tt := range []struct{ from, n, lo, hi int }{
			{0, 0, 0, 12}, {0, 5, 0, 5}, {5, 5, 5, 10}, {10, 5, 10, 12}, {12, 5, 12, 12}, {30, 5, 12, 12}, {7, 0, 7, 12}, {-3, 2, 0, 2},
		} {
			lines, total, err := s.Log(ctx, "sync", "run1", tt.from, tt.n)
			if want := all[tt.lo:tt.hi]; err != nil || total != 12 || !slices.Equal(lines, want) {
				t.Errorf("Log(from %d, n %d) = %q, %d, %v; want %q, 12", tt.from, tt.n, lines, total, err, want)
			}
		}
		if lines, total, err := s.Log(ctx, "sync", "nope", 0, 10); err != nil || total != 0 || len(lines) != 0 {
			t.Errorf("Log of a run without a log = %q, %d, %v", lines, total, err)
		}
	})

	t.Run("health", func(t *testing.T) {
		s := newStore(t, 10)
		if err := s.Health(t.Context()); err != nil {
			t.Errorf("Health of a new store = %v", err)
		}
	})

	t.Run("last scheduled", func(t *testing.T) {
		s := newStore(t, 10)
		ctx := t.Context()
		if last, err := s.LastScheduled(ctx, "sync"); err != nil || !last.IsZero() {
			t.Fatalf("LastScheduled on an empty store = %v, %v", last, err)
		}
		shanghai, _ := time.LoadLocation("Asia/Shanghai")
		t2 := time.Date(2025, 1, 2, 2, 0, 0, 0, shanghai)
		t1 := t2.Add(-24 * time.Hour)
		for _, t := range []time.Time{t2, t1} { // an older firing recorded late does not go back
			if err := s.SetLastScheduled(ctx, "sync", t); err != nil {
				panic(err)
			}
		}
		last, err := s.LastScheduled(ctx, "sync")
		if err != nil || !last.Equal(t2) || last.Location() != time.UTC {
			t.Errorf("LastScheduled = %v, %v, want %v in UTC", last, err, t2.UTC())
		}
	})

	t.Run("kv", func(t *testing.T) {
		s := newStore(t, 10)
		ctx := t.Context()
		a, b := s.KV("a"), s.KV("b")
		if err := a.Set(ctx, "cursor", "42"); err != nil {
			t.Fatal(err)
		}
		if v, ok, err := a.Get(ctx, "cursor"); v != "42" || !ok || err != nil {
			t.Errorf("Get = %q, %v, %v", v, ok, err)
		}
		if _, ok, _ := b.Get(ctx, "cursor"); ok {
			t.Error("jobs share kv keys")
		}
		if err := a.Delete(ctx, "cursor"); err != nil {
			t.Fatal(err)
		}
		if _, ok, _ := a.Get(ctx, "cursor"); ok {
			t.Error("Delete kept the key")
		}
	})

	t.Run("claims and locks", func(t *testing.T) {
		s := newStore(t, 10)
		ctx := t.Context()
		at := time.Date(2025, 1, 1, 2, 0, 0, 0, time.UTC)
		if ok, holder, err := s.Claim(ctx, "sync", at, time.Minute); !ok || err != nil || holder != s.Instance() {
			t.Fatalf("first Claim = %v, %q, %v", ok, holder, err)
		}
		if ok, holder, _ := s.Claim(ctx, "sync", at, time.Minute); ok || holder != s.Instance() {
			t.Errorf("second Claim of the same firing = %v, %q, want false and the holder", ok, holder)
		}
		if ok, _, _ := s.Claim(ctx, "sync", at.Add(time.Minute), time.Minute); !ok {
			t.Error("the next firing cannot be claimed")
		}
		if ok, _, _ := s.Claim(ctx, "other", at, time.Minute); !ok {
			t.Error("another job's firing at the same instant cannot be claimed")
		}

		unlock, _, err := s.LockJob(ctx, "sync", time.Minute)
		if unlock == nil || err != nil {
			t.Fatalf("LockJob: unlock is nil, err = %v", err)
		}
		if again, holder, _ := s.LockJob(ctx, "sync", time.Minute); again != nil || holder != s.Instance() {
			t.Errorf("LockJob of a locked job succeeded (holder %q)", holder)
		}
		unlock()
		unlock() // twice is harmless
		if again, _, _ := s.LockJob(ctx, "sync", time.Minute); again == nil {
			t.Error("LockJob after unlock failed")
		} else {
			again()
		}
	})

	t.Run("pauses", func(t *testing.T) {
		s := newStore(t, 10)
		ctx := t.Context()
		if got, err := s.Pauses(ctx); err != nil || len(got) != 0 {
			t.Fatalf("Pauses of a new store = %v, %v", got, err)
		}
		at := time.Date(2025, 1, 1, 2, 0, 0, 0, time.UTC)
		if err := s.SetPause(ctx, "sync", &Pause{By: "alice@host", At: at}); err != nil {
			t.Fatal(err)
		}
		got, err := s.Pauses(ctx)
		if err != nil || len(got) != 1 || got["sync"].By != "alice@host" || !got["sync"].At.Equal(at) {
			t.Errorf("Pauses = %v, %v", got, err)
		}
		if err := s.SetPause(ctx, "sync", nil); err != nil {
			t.Fatal(err)
		}
		if got, _ := s.Pauses(ctx); len(got) != 0 {
			t.Errorf("after resuming, Pauses = %v", got)
		}
	})

	t.Run("pending events", func(t *testing.T) { testPendingEvents(t, newStore(t, 10)) })

	t.Run("cancel requests", func(t *testing.T) {
		s := newStore(t, 10)
		ctx := t.Context()
		if _, ok, err := s.CancelRequested(ctx, "sync", "r1"); ok || err != nil {
			t.Fatalf("CancelRequested before any request = %v, %v", ok, err)
		}
		if err := s.RequestCancel(ctx, "sync", "r1", "bob@host"); err != nil {
			t.Fatal(err)
		}
		if by, ok, err := s.CancelRequested(ctx, "sync", "r1"); !ok || err != nil || by != "bob@host" {
			t.Errorf("CancelRequested = %q, %v, %v", by, ok, err)
		}
		if _, ok, _ := s.CancelRequested(ctx, "sync", "r2"); ok {
			t.Error("another run is asked to stop too")
		}
	})
}

func TestBoltFile(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "state")
	path := filepath.Join(dir, "state.db")
	s, err := OpenBolt(path, BoltOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for p, want := range map[string]os.FileMode{dir: 0o700 | os.ModeDir, path: 0o600} {
		if fi, err := os.Stat(p); err != nil || fi.Mode() != want {
			t.Errorf("%s: mode %v, want %v (%v)", p, fi.Mode(), want, err)
		}
	}

	start := time.Now()
	_, err = OpenBolt(path, BoltOptions{Timeout: 100 * time.Millisecond})
	if err == nil || !strings.Contains(err.Error(), "locked by another runner") {
		t.Errorf("second open: err = %v, want a clear locked error", err)
	}
	if d := time.Since(start); d > time.Minute { // bbolt waits forever without its timeout
		t.Errorf("second open took %v, want about its timeout", d)
	}
}

func TestBoltReopen(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.db")
	ctx := t.Context()
	s, err := OpenBolt(path, BoltOptions{})
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now().UTC()
	finished := RunRecord{ID: NewRunID(now), Job: "a", Started: now, Finished: now.Add(time.Second), Result: ResultOK, Instance: s.Instance()}
	running := RunRecord{ID: NewRunID(now.Add(time.Millisecond)), Job: "a", Started: now, Result: ResultRunning, Instance: "dead-host:1234"}
	for _, r := range []RunRecord{finished, running} {
		if err := s.PutRun(ctx, r); err != nil {
			t.Fatal(err)
		}
	}
	s.Close()

	ro, err := OpenBolt(path, BoltOptions{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	if r, _ := ro.Run(ctx, "a", running.ID); r.Result != ResultInterrupted {
		t.Errorf("a read-only open shows the run left running as %q, want interrupted", r.Result)
	}
	ro.Close()

	s, err = OpenBolt(path, BoltOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	runs, err := s.Runs(ctx, "a", 0)
	if err != nil || len(runs) != 2 {
		t.Fatalf("Runs after reopening = %v, %v", runs, err)
	}
	if got := runs[0]; got.Result != ResultInterrupted || !strings.Contains(got.Error, "dead-host:1234") {
		t.Errorf("run left running = %+v, want interrupted naming its instance", got)
	}
	if got := runs[1]; got.Result != ResultOK {
		t.Errorf("finished run = %+v", got)
	}
}

func TestBoltReadOnlyMissing(t *testing.T) {
	_, err := OpenBolt(filepath.Join(t.TempDir(), "none.db"), BoltOptions{ReadOnly: true})
	if !errors.Is(err, os.ErrNotExist) {
		t.Errorf("err = %v, want os.ErrNotExist", err)
	}
}

func BenchmarkPutRun(b *testing.B) {
	s, err := OpenBolt(filepath.Join(b.TempDir(), "state.db"), BoltOptions{})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	i := 0
	for b.Loop() {
		i++
		r := RunRecord{ID: fmt.Sprintf("%010d", i), Job: "a", Result: ResultOK}
		if err := s.PutRun(b.Context(), r); err != nil {
			b.Fatal(err)
		}
	}
}

// TestBoltSeenAcrossRestart: the keys FirstSeen recorded, written in the
// background, are in the file for the next process.
func TestBoltSeenAcrossRestart(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.db")
	s, err := OpenBolt(path, BoltOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for _, key := range []string{"a", "b"} {
		if first, err := s.FirstSeen(t.Context(), key, time.Hour); !first || err != nil {
			t.Fatalf("FirstSeen(%s) = %v, %v", key, first, err)
		}
	}
	s.Close()
	s, err = OpenBolt(path, BoltOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for key, want := range map[string]bool{"a": false, "b": false, "c": true} {
		if first, _ := s.FirstSeen(t.Context(), key, time.Hour); first != want {
			t.Errorf("after a restart, FirstSeen(%s) = %v, want %v", key, first, want)
		}
	}
}

// TestBoltRememberAcrossRestart: what Remember recorded holds for the next
// process.
func TestBoltRememberAcrossRestart(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.db")
	s, err := OpenBolt(path, BoltOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if held, err := s.Remember(t.Context(), "k", "first", time.Hour); held != "first" || err != nil {
		t.Fatalf("Remember = %q, %v", held, err)
	}
	s.Close()
	s, err = OpenBolt(path, BoltOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if held, err := s.Remember(t.Context(), "k", "second", time.Hour); held != "first" || err != nil {
		t.Errorf("after a restart, Remember = %q, %v, want first", held, err)
	}
}

// TestBoltSessionAfterRestart: the process that had the file open before
// is another session, and not alive, although its instance name is the
// same.
func TestBoltSessionAfterRestart(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.db")
	s, err := OpenBolt(path, BoltOptions{})
	if err != nil {
		t.Fatal(err)
	}
	before := s.Session()
	s.Close()
	if s, err = OpenBolt(path, BoltOptions{}); err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if s.Session() == before {
		t.Fatalf("the session after a restart is the one before: %q", before)
	}
	if alive, err := s.SessionAlive(t.Context(), before); alive || err != nil {
		t.Errorf("SessionAlive(the session before the restart) = %v, %v, want false", alive, err)
	}
}

func TestBoltSetLastScheduledAll(t *testing.T) {
	s := openTestStore(t, BoltOptions{})
	ctx := context.Background()
	t1 := time.Date(2026, 1, 1, 2, 0, 0, 0, time.UTC)
	if err := s.SetLastScheduled(ctx, "a", t1); err != nil {
		t.Fatal(err)
	}
	if err := s.SetLastScheduledAll(ctx, map[string]time.Time{"a": t1.Add(-time.Hour), "b": t1.Add(time.Minute)}); err != nil {
		t.Fatal(err)
	}
	for job, want := range map[string]time.Time{"a": t1, "b": t1.Add(time.Minute)} {
		if got, err := s.LastScheduled(ctx, job); err != nil || !got.Equal(want) {
			t.Errorf("%s: last scheduled %v (%v), want %v (the later of the two)", job, got, err, want)
		}
	}
}

// TestBoltLoweredHistory opens a file of 1,600 runs with their logs with a
// history lowered from 200 to 5: each job keeps its last 5 runs and their
// logs, and the file, mostly free pages then, is compacted.
func TestBoltLoweredHistory(t *testing.T) {
	const jobs, runs, lines = 8, 200, 30
	path := filepath.Join(t.TempDir(), "state.db")
	ctx := t.Context()
	s, err := OpenBolt(path, BoltOptions{History: runs})
	if err != nil {
		t.Fatal(err)
	}
	log := make([]string, lines)
	for i := range log {
		log[i] = fmt.Sprintf("time=2026-01-01T02:00:00.000Z level=INFO msg=\"step %d\" %s", i, strings.Repeat("x", 150))
	}
	start := time.Date(2026, 1, 1, 2, 0, 0, 0, time.UTC)
	ids := make([][]string, jobs)
	errs := make(chan error, jobs)
	for j := range jobs {
		go func() {
			job := fmt.Sprintf("job%d", j)
			for k := range runs {
				at := start.Add(time.Duration(k*jobs+j) * time.Minute)
				r := RunRecord{ID: NewRunID(at), Job: job, Scheduled: at, Started: at, Finished: at.Add(time.Second), Result: ResultOK}
				if err := s.PutRun(ctx, r); err != nil {
					errs <- err
					return
				}
				if err := s.AppendLog(ctx, job, r.ID, log); err != nil {
					errs <- err
					return
				}
				ids[j] = append(ids[j], r.ID)
			}
			errs <- nil
		}()
	}
	for range jobs {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	s.Close()
	before, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}

	var logged strings.Builder
	s, err = OpenBolt(path, BoltOptions{History: 5, Logger: slog.New(slog.NewTextHandler(&logged, nil))})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for j := range jobs {
		job := fmt.Sprintf("job%d", j)
		got, err := s.Runs(ctx, job, 0)
		if err != nil || len(got) != 5 {
			t.Fatalf("Runs(%s) after lowering the history to 5: %d runs, %v", job, len(got), err)
		}
		if got[0].ID != ids[j][runs-1] || got[4].ID != ids[j][runs-5] {
			t.Errorf("%s kept %s .. %s, want its last 5 runs", job, got[4].ID, got[0].ID)
		}
		if lines, total, err := s.Log(ctx, job, got[0].ID, 0, 100); err != nil || total != len(log) || lines[0] != log[0] {
			t.Errorf("log of a kept run: %d lines, %v", total, err)
		}
		if _, total, err := s.Log(ctx, job, ids[j][0], 0, 100); err != nil || total != 0 {
			t.Errorf("log of a dropped run: %d lines, %v", total, err)
		}
	}
	after, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if after.Size()*4 > before.Size() {
		t.Errorf("the file is %d bytes after dropping 97%% of its runs, %d before: not compacted", after.Size(), before.Size())
	}
	if !strings.Contains(logged.String(), "state file compacted") {
		t.Errorf("log: %q", logged.String())
	}
	if _, err := os.Stat(path + ".compact"); !os.IsNotExist(err) {
		t.Errorf("the compaction left its file: %v", err)
	}
	// The store works on the compacted file.
	r := RunRecord{ID: NewRunID(time.Now()), Job: "job0", Started: time.Now(), Result: ResultOK}
	if err := s.PutRun(ctx, r); err != nil {
		t.Fatal(err)
	}
	if got, err := s.Runs(ctx, "job0", 0); err != nil || len(got) != 5 || got[0].ID != r.ID {
		t.Errorf("Runs after a new run: %d, %v", len(got), err)
	}
}
