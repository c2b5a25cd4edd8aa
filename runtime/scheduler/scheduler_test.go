package scheduler

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/robfig/cron/v3"

	"github.com/wecomrunner/runner/runtime/internal/runfixture"
	"github.com/wecomrunner/runner/runtime/jobs"
	"github.com/wecomrunner/runner/runtime/state"
	"github.com/wecomrunner/runner/runtime/vm"
)

// Scheduler tests run in a synctest bubble: time is fake and moves on only
// when every goroutine of the test is blocked, so a schedule of minutes takes
// no real time and the order of events is exact. The bubble's clock starts
// at 2000-01-01 00:00:00 UTC.

// execFunc is an Executor made of a function.
type execFunc func(ctx context.Context, job *jobs.Job, a *Attempt) error

func (f execFunc) Execute(ctx context.Context, job *jobs.Job, a *Attempt) error {
	return f(ctx, job, a)
}

func TestScheduleRuns(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var started []time.Time
		var mu sync.Mutex
		exec := execFunc(func(ctx context.Context, job *jobs.Job, a *Attempt) error {
			mu.Lock()
			started = append(started, time.Now())
			mu.Unlock()
			a.Logger.Info("working", "n", 1)
			fmt.Fprintln(a.Stdout, "printed line")
			if a.KV == nil || a.Config == nil || a.Number != 1 || a.Trigger != state.TriggerSchedule {
				t.Errorf("attempt = %+v", a)
			}
			if d := time.Since(a.Scheduled); d < 0 || d > 10*time.Millisecond {
				t.Errorf("scheduled %v, started %v", a.Scheduled, time.Now())
			}
			return nil
		})
		h := start(t, runfixture.Config(runfixture.Job("sync", every(time.Minute))), exec, nil)
		time.Sleep(3*time.Minute + time.Second)
		h.Shutdown()

		if len(started) != 3 {
			t.Fatalf("ran %d times in 3 minutes, want 3", len(started))
		}
		for i, at := range started {
			// The store's writes before the start (last scheduled time, the
			// run's record) take a few milliseconds of the fake clock.
			if want := time.Date(2000, 1, 1, 0, i+1, 0, 0, time.UTC); at.Sub(want) > 10*time.Millisecond {
				t.Errorf("run %d started at %v, want %v", i, at, want)
			}
		}
		runs := h.Runs("sync")
		runfixture.WantResults(t, runs, "ok", "ok", "ok")
		r := runs[0]
		if r.Trigger != state.TriggerSchedule || r.Attempts != 1 || r.Instance != h.Store.Instance() || r.Duration() > 10*time.Millisecond {
			t.Errorf("run = %+v", r)
		}
		lines, _, _ := h.Store.Log(context.Background(), "sync", r.ID, 0, 0)
		log := strings.Join(lines, "\n")
		for _, want := range []string{"msg=\"run started\" trigger=schedule", "msg=working attempt=1 n=1", `msg="printed line" attempt=1`, `msg="run finished" result=ok`} {
			if !strings.Contains(log, want) {
				t.Errorf("log lacks %q:\n%s", want, log)
			}
		}
		if strings.Contains(log, "job=") || strings.Contains(log, "run=") {
			t.Errorf("stored lines repeat the job and run:\n%s", log)
		}
		if last, _ := h.Store.LastScheduled(context.Background(), "sync"); !last.Equal(time.Date(2000, 1, 1, 0, 3, 0, 0, time.UTC)) {
			t.Errorf("last scheduled = %v", last)
		}
	})
}

// TestLogStreamed checks that a run's log lines are stored while it runs.
func TestLogStreamed(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		logged, release := make(chan string), make(chan struct{})
		exec := execFunc(func(ctx context.Context, job *jobs.Job, a *Attempt) error {
			a.Logger.Info("first step done")
			logged <- a.RunID
			<-release
			return nil
		})
		h := start(t, runfixture.Config(runfixture.Job("sync", every(time.Minute))), exec, nil)
		id := <-logged
		time.Sleep(time.Second) // the run goes on; its line is stored meanwhile
		lines, _, err := h.Store.Log(context.Background(), "sync", id, 0, 0)
		if err != nil || !strings.Contains(strings.Join(lines, "\n"), "first step done") {
			t.Errorf("log while running = %q, %v; want the line already stored", lines, err)
		}
		close(release)
		h.Shutdown()
	})
}

func TestConcurrencyForbid(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		release := make(chan struct{})
		job := runfixture.Job("sync", every(time.Minute))
		h := start(t, runfixture.Config(job), blockUntilDone(nil, release), nil)
		time.Sleep(3*time.Minute + time.Second) // the first run holds the job through two more firings
		close(release)
		synctest.Wait()
		h.Shutdown()
		runs := h.Runs("sync")
		first := runs[0].ID
		runfixture.WantResults(t, runs, "ok", "skipped: still running (run "+first+")", "skipped: still running (run "+first+")")
	})
}

func TestConcurrencyAllow(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var running, most atomic.Int32
		exec := execFunc(func(ctx context.Context, job *jobs.Job, a *Attempt) error {
			n := running.Add(1)
			defer running.Add(-1)
			if n > most.Load() {
				most.Store(n)
			}
			select {
			case <-time.After(150 * time.Second):
				return nil
			case <-ctx.Done():
				return ctx.Err()
			}
		})
		job := runfixture.Job("sync", every(time.Minute), func(j *jobs.Job) { j.Concurrency = jobs.ConcurrencyAllow })
		cfg := runfixture.Config(job)
		cfg.Grace = 5 * time.Minute
		h := start(t, cfg, exec, nil)
		time.Sleep(3*time.Minute + time.Second)
		h.Shutdown()
		if most.Load() != 3 {
			t.Errorf("at most %d runs at once, want 3", most.Load())
		}
		runfixture.WantResults(t, h.Runs("sync"), "ok", "ok", "ok")
	})
}

func TestConcurrencyReplace(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		started := make(chan string, 10)
		job := runfixture.Job("sync", every(time.Minute), func(j *jobs.Job) { j.Concurrency = jobs.ConcurrencyReplace })
		h := start(t, runfixture.Config(job), blockUntilDone(started, nil), nil)
		time.Sleep(2*time.Minute + time.Second)
		first, second := <-started, <-started
		synctest.Wait()
		if got := h.S.Jobs()[0].Running; !slices.Equal(got, []string{second}) {
			t.Errorf("running = %q, want only the replacing run %q", got, second)
		}
		h.Shutdown()
		runs := h.Runs("sync")
		runfixture.WantResults(t, runs, "interrupted: replaced by run "+second, "interrupted: "+errShutdown.Error())
		if runs[0].ID != first {
			t.Errorf("runs = %+v", runs)
		}
	})
}

func TestTimeout(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		job := runfixture.Job("sync", every(time.Hour), func(j *jobs.Job) { j.Timeout = 5 * time.Minute })
		h := start(t, runfixture.Config(job), blockUntilDone(nil, nil), nil)
		time.Sleep(time.Hour + 10*time.Minute)
		h.Shutdown()
		runs := h.Runs("sync")
		runfixture.WantResults(t, runs, "timed_out: timed out after 5m0s")
		if d := runs[0].Duration(); d != 5*time.Minute {
			t.Errorf("duration = %v, want the timeout", d)
		}
	})
}

func TestRetries(t *testing.T) {
	tests := []struct {
		name     string
		retries  jobs.Retries
		timeout  time.Duration
		failures int // attempts that fail before one succeeds
		want     string
		attempts int
		waits    []time.Duration // between attempt starts
	}{
		{"succeeds on the third attempt", jobs.Retries{Max: 3, Backoff: time.Second, MaxBackoff: time.Minute}, time.Hour, 2, "ok", 3, []time.Duration{time.Second, 2 * time.Second}},
		{"backoff capped", jobs.Retries{Max: 3, Backoff: time.Second, MaxBackoff: 1500 * time.Millisecond}, time.Hour, 5, "failed: attempt 4 failed", 4, []time.Duration{time.Second, 1500 * time.Millisecond, 1500 * time.Millisecond}},
		{"no retries", jobs.Retries{Max: 0, Backoff: time.Second, MaxBackoff: time.Second}, time.Hour, 1, "failed: attempt 1 failed", 1, nil},
		{"timeout covers the retries", jobs.Retries{Max: 5, Backoff: 2 * time.Minute, MaxBackoff: time.Hour}, 5 * time.Minute, 5, "failed: attempt 2 failed", 2, []time.Duration{2 * time.Minute}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				var starts []time.Time
				exec := execFunc(func(ctx context.Context, job *jobs.Job, a *Attempt) error {
					starts = append(starts, time.Now())
					if a.Number <= tt.failures {
						return fmt.Errorf("attempt %d failed", a.Number)
					}
					return nil
				})
				job := runfixture.Job("sync", every(time.Hour), func(j *jobs.Job) { j.Retries, j.Timeout = tt.retries, tt.timeout })
				h := start(t, runfixture.Config(job), exec, nil)
				time.Sleep(time.Hour + 30*time.Minute)
				h.Shutdown()
				runs := h.Runs("sync")
				runfixture.WantResults(t, runs, tt.want)
				if runs[0].Attempts != tt.attempts {
					t.Errorf("attempts = %d, want %d", runs[0].Attempts, tt.attempts)
				}
				var waits []time.Duration
				for i := 1; i < len(starts); i++ {
					waits = append(waits, starts[i].Sub(starts[i-1]))
				}
				if !slices.Equal(waits, tt.waits) {
					t.Errorf("waits between attempts = %v, want %v", waits, tt.waits)
				}
			})
		})
	}
}

func TestExecutorPanic(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		exec := execFunc(func(ctx context.Context, job *jobs.Job, a *Attempt) error { panic("boom") })
		h := start(t, runfixture.Config(runfixture.Job("sync", every(time.Minute))), exec, nil)
		time.Sleep(2*time.Minute + time.Second)
		h.Shutdown()
		runfixture.WantResults(t, h.Runs("sync"), "failed: panic: boom", "failed: panic: boom")
	})
}

// TestCatchup starts a scheduler at 00:30 whose hourly job last fired at
// 22:00 the day before: the 23:00 and 00:00 firings were missed.
func TestCatchup(t *testing.T) {
	tests := []struct {
		name     string
		catchup  jobs.Catchup
		deadline time.Duration
		want     []string
	}{
		{"skip", jobs.CatchupSkip, 0, []string{"skipped: missed by 30m0s: the runner was not running then (catchup: skip)", "ok"}},
		{"once", jobs.CatchupOnce, 0, []string{"ok", "ok"}},
		{"once within the deadline", jobs.CatchupOnce, time.Hour, []string{"ok", "ok"}},
		{"once past the deadline", jobs.CatchupOnce, 10 * time.Minute, []string{"skipped: missed by 30m0s, more than starting_deadline 10m0s", "ok"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				store := runfixture.OpenBolt(t, state.BoltOptions{})
				hourly, err := jobs.ParseSchedule("0 * * * *", time.UTC)
				if err != nil {
					t.Fatal(err)
				}
				job := runfixture.Job("sync", hourly, func(j *jobs.Job) { j.Catchup, j.StartingDeadline = tt.catchup, tt.deadline })
				store.SetLastScheduled(t.Context(), "sync", time.Date(1999, 12, 31, 22, 0, 0, 0, time.UTC))
				time.Sleep(30 * time.Minute)

				var triggers []state.Trigger
				exec := execFunc(func(ctx context.Context, job *jobs.Job, a *Attempt) error {
					triggers = append(triggers, a.Trigger)
					return nil
				})
				h := start(t, runfixture.Config(job), exec, store)
				time.Sleep(31 * time.Minute) // to 01:01
				h.Shutdown()
				runs := h.Runs("sync")
				runfixture.WantResults(t, runs, tt.want...)
				midnight := time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)
				if !runs[0].Scheduled.Equal(midnight) {
					t.Errorf("caught-up firing scheduled at %v, want the latest missed one, %v", runs[0].Scheduled, midnight)
				}
				if runs[0].Result == state.ResultOK && runs[0].Trigger != state.TriggerCatchup {
					t.Errorf("trigger = %q, want catchup", runs[0].Trigger)
				}
				if !runs[1].Scheduled.Equal(midnight.Add(time.Hour)) || runs[1].Trigger != state.TriggerSchedule {
					t.Errorf("next run = %+v, want the 01:00 firing on schedule", runs[1])
				}
			})
		})
	}
}

// TestRestartOnTime checks that a quick restart still runs a firing that
// fell in the gap.
func TestRestartOnTime(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		store := runfixture.OpenBolt(t, state.BoltOptions{})
		job := runfixture.Job("sync", every(time.Minute))
		store.SetLastScheduled(t.Context(), "sync", time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC))
		time.Sleep(time.Minute + 3*time.Second)
		h := start(t, runfixture.Config(job), execFunc(func(context.Context, *jobs.Job, *Attempt) error { return nil }), store)
		synctest.Wait()
		h.Shutdown()
		runs := h.Runs("sync")
		runfixture.WantResults(t, runs, "ok")
		if runs[0].Trigger != state.TriggerSchedule {
			t.Errorf("trigger = %q, want schedule (3s late is on time)", runs[0].Trigger)
		}
	})
}

func TestLatestDue(t *testing.T) {
	daily, _ := jobs.ParseSchedule("0 2 * * *", time.UTC)
	secondly, _ := jobs.ParseSchedule("* * * * * *", time.UTC)
	now := time.Date(2025, 6, 1, 12, 30, 0, 500, time.UTC)
	tests := []struct {
		sched cron.Schedule
		from  time.Time
		want  time.Time
	}{
		{daily, time.Date(2025, 5, 1, 2, 0, 0, 0, time.UTC), time.Date(2025, 6, 1, 2, 0, 0, 0, time.UTC)},
		{daily, time.Date(2025, 6, 1, 2, 0, 0, 0, time.UTC), time.Date(2025, 6, 1, 2, 0, 0, 0, time.UTC)},
		{secondly, time.Date(2024, 6, 1, 0, 0, 0, 0, time.UTC), time.Date(2025, 6, 1, 12, 30, 0, 0, time.UTC)},
	}
	for _, tt := range tests {
		j := runfixture.Job("j", tt.sched)
		if got := latestDue(j, tt.from, now); !got.Equal(tt.want) {
			t.Errorf("latestDue(%v) = %v, want %v", tt.from, got, tt.want)
		}
	}
}

func TestJitter(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		const jitter = 20 * time.Second
		var delays []time.Duration
		exec := execFunc(func(ctx context.Context, job *jobs.Job, a *Attempt) error {
			delays = append(delays, time.Since(a.Scheduled))
			return nil
		})
		job := runfixture.Job("sync", every(time.Minute), func(j *jobs.Job) { j.Jitter = jitter })
		h := start(t, runfixture.Config(job), exec, nil)
		time.Sleep(50*time.Minute + 30*time.Second)
		h.Shutdown()
		if len(delays) != 50 {
			t.Fatalf("%d runs, want 50", len(delays))
		}
		distinct := make(map[time.Duration]bool)
		for _, d := range delays {
			if d < 0 || d >= jitter {
				t.Errorf("started %v after the scheduled time, want within [0, %v)", d, jitter)
			}
			distinct[d] = true
		}
		if len(distinct) < 10 {
			t.Errorf("only %d distinct delays in 50 runs: %v", len(distinct), delays)
		}
	})
}

func TestJitterInterruptedByShutdown(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		job := runfixture.Job("sync", every(time.Minute), func(j *jobs.Job) { j.Jitter = 50 * time.Second })
		h := start(t, runfixture.Config(job), execFunc(func(context.Context, *jobs.Job, *Attempt) error { return nil }), nil, func(s *Scheduler) {
			s.jitter = func(time.Duration) time.Duration { return 40 * time.Second }
		})
		time.Sleep(time.Minute + 10*time.Second)
		h.Shutdown()
		runfixture.WantResults(t, h.Runs("sync"), "skipped: the runner stopped before the jittered start")
	})
}

func TestGracefulShutdown(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		exec := execFunc(func(ctx context.Context, job *jobs.Job, a *Attempt) error {
			d := 30 * time.Second
			if job.Name == "long" {
				d = time.Hour
			}
			select {
			case <-time.After(d):
				return nil
			case <-ctx.Done():
				return ctx.Err()
			}
		})
		cfg := runfixture.Config(runfixture.Job("short", every(time.Minute)), runfixture.Job("long", every(time.Minute)))
		cfg.Grace = 2 * time.Minute
		h := start(t, cfg, exec, nil)
		time.Sleep(time.Minute + time.Second)
		begin := time.Now()
		if err := h.Shutdown(); err != nil {
			t.Errorf("Run = %v", err)
		}
		if d := time.Since(begin); d < 2*time.Minute-maxStopBudget || d > 2*time.Minute {
			t.Errorf("shutdown took %v, want the grace period less the stop budget", d)
		}
		runfixture.WantResults(t, h.Runs("short"), "ok")
		runfixture.WantResults(t, h.Runs("long"), "interrupted: "+errShutdown.Error())
	})
}

// TestShutdownAbandonsStuckRun: a run that ignores its cancellation does
// not keep shutdown past the grace period; it is recorded interrupted.
func TestShutdownAbandonsStuckRun(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		stuck := make(chan struct{})
		started := make(chan struct{}, 1)
		exec := execFunc(func(ctx context.Context, job *jobs.Job, a *Attempt) error {
			started <- struct{}{}
			<-stuck // ignores ctx
			return nil
		})
		cfg := runfixture.Config(runfixture.Job("stuck", every(time.Minute)))
		cfg.Grace = 10 * time.Second
		h := start(t, cfg, exec, nil)
		<-started
		begin := time.Now()
		err := h.Shutdown()
		if d := time.Since(begin); d > cfg.Grace {
			t.Errorf("shutdown took %v, want the grace period %v", d, cfg.Grace)
		}
		if err == nil || !strings.Contains(err.Error(), "abandoned") {
			t.Errorf("Run = %v, want the abandoned run reported", err)
		}
		runfixture.WantResults(t, h.Runs("stuck"), "interrupted: abandoned at shutdown: the run did not stop within the grace period")
		close(stuck)
		time.Sleep(time.Minute) // the abandoned run ends, and records its end
	})
}

func TestShutdownIdle(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := start(t, runfixture.Config(runfixture.Job("sync", every(time.Hour))), blockUntilDone(nil, nil), nil)
		time.Sleep(time.Minute)
		begin := time.Now()
		h.Shutdown()
		if d := time.Since(begin); d != 0 {
			t.Errorf("shutting down with nothing running took %v", d)
		}
	})
}

func TestRunNow(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		started, release := make(chan string, 1), make(chan struct{})
		job := runfixture.Job("sync", every(time.Hour), func(j *jobs.Job) { j.Enabled = false })
		h := start(t, runfixture.Config(job), blockUntilDone(started, release), nil)

		// A manual run of a disabled job runs; a second one meanwhile is
		// refused by the same overlap guard as scheduled firings, and not
		// recorded.
		first := make(chan state.RunRecord)
		go func() {
			r, err := h.S.RunNow(t.Context(), "sync")
			if err != nil {
				t.Error(err)
			}
			first <- r
		}()
		<-started
		_, err := h.S.RunNow(t.Context(), "sync")
		if !errors.Is(err, ErrBusy) || !strings.HasPrefix(err.Error(), "sync is still running (run ") {
			t.Errorf("second manual run: %v, want refused as still running", err)
		}
		close(release)
		if r := <-first; r.Result != state.ResultOK || r.Trigger != state.TriggerManual {
			t.Errorf("first manual run = %+v", r)
		}
		if _, err := h.S.RunNow(t.Context(), "nope"); !errors.Is(err, state.ErrNotFound) {
			t.Errorf("RunNow of an unknown job: %v", err)
		}
		time.Sleep(2 * time.Hour) // disabled: never scheduled
		h.Shutdown()
		runfixture.WantResults(t, h.Runs("sync"), "ok")
	})
}

// TestRunNowWithoutRun is runner jobs run: a scheduler that never runs its
// schedule runs one job by hand; cancelling ctx interrupts it.
func TestRunNowWithoutRun(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s := idle(t, runfixture.OpenBolt(t, state.BoltOptions{}))
		ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
		defer cancel()
		r, err := s.RunNow(ctx, "sync")
		if err != nil {
			t.Fatal(err)
		}
		if r.Result != state.ResultTimedOut && r.Result != state.ResultInterrupted {
			t.Errorf("run = %+v", r)
		}
		ctx, cancel = context.WithCancel(t.Context())
		time.AfterFunc(time.Second, cancel)
		if r, _ := s.RunNow(ctx, "sync"); r.Result != state.ResultInterrupted || r.Error != "cancelled" {
			t.Errorf("cancelled run = %+v, want interrupted", r)
		}
	})
}

// TestTwoInstances runs two schedulers on one store: each firing runs once
// and has one record, its run; the other instance records nothing.
func TestTwoInstances(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		store := runfixture.OpenBolt(t, state.BoltOptions{})
		var ran atomic.Int32
		exec := execFunc(func(context.Context, *jobs.Job, *Attempt) error { ran.Add(1); return nil })
		a := start(t, runfixture.Config(runfixture.Job("sync", every(time.Minute))), exec, store)
		b := start(t, runfixture.Config(runfixture.Job("sync", every(time.Minute))), exec, store)
		time.Sleep(5*time.Minute + time.Second)
		a.Shutdown()
		b.Shutdown()
		if ran.Load() != 5 {
			t.Errorf("ran %d times in 5 minutes with two instances, want 5", ran.Load())
		}
		if runs := a.Runs("sync"); len(runs) != 5 {
			t.Errorf("%d records of 5 firings: %v", len(runs), runfixture.Results(runs))
		}
	})
}

// TestReload swaps the schedule with a good file and keeps it with a bad one.
func TestReload(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		dir := t.TempDir()
		writeFile(t, filepath.Join(dir, "a.lua"), "return 1\n")
		writeFile(t, filepath.Join(dir, "b.lua"), "return 2\n")
		path := filepath.Join(dir, "jobs.yaml")
		writeFile(t, path, "timezone: UTC\njobs:\n  - {name: a, schedule: '@every 1m', script: a.lua}\n")
		cfg, err := jobs.Load(path, env(nil))
		if err != nil {
			t.Fatal(err)
		}
		if err := cfg.Validate(); err != nil {
			t.Fatal(err)
		}
		exec := execFunc(func(context.Context, *jobs.Job, *Attempt) error { return nil })
		h := start(t, cfg, exec, nil)
		time.Sleep(2*time.Minute + 30*time.Second) // a runs at 1m and 2m

		writeFile(t, path, "timezone: UTC\njobs:\n  - {name: b, schedule: '@every 1m', script: b.lua}\n")
		if err := h.S.ReloadFile(path, env(nil)); err != nil {
			t.Fatal(err)
		}
		time.Sleep(2 * time.Minute) // b runs at 3m30 and 4m30

		writeFile(t, path, "timezone: UTC\njobs:\n  - {name: c, schedule: 'every minute', script: c.lua}\n")
		err = h.S.ReloadFile(path, env(nil))
		var problems jobs.Problems
		if !errors.As(err, &problems) || len(problems) != 2 {
			t.Errorf("reloading a bad file = %v, want its 2 problems", err)
		}
		time.Sleep(2 * time.Minute) // b goes on: 5m30 and 6m30
		h.Shutdown()

		runfixture.WantResults(t, h.Runs("a"), "ok", "ok")
		runfixture.WantResults(t, h.Runs("b"), "ok", "ok", "ok", "ok")
		if got := h.S.Config().Jobs[0].Name; got != "b" {
			t.Errorf("configuration after a bad reload has job %q, want b", got)
		}
	})
}

func TestReloadKeepsNextFiring(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		exec := execFunc(func(context.Context, *jobs.Job, *Attempt) error { return nil })
		h := start(t, runfixture.Config(runfixture.Job("sync", every(time.Hour))), exec, nil)
		time.Sleep(30 * time.Minute)
		// The same schedule keeps the 01:00 firing; a new timeout applies.
		if err := h.S.Reload(runfixture.Config(runfixture.Job("sync", every(time.Hour), func(j *jobs.Job) { j.Timeout = time.Minute }))); err != nil {
			t.Fatal(err)
		}
		if next := h.S.Jobs()[0].Next; !next.Equal(time.Date(2000, 1, 1, 1, 0, 0, 0, time.UTC)) {
			t.Errorf("next after reload = %v", next)
		}
		if err := h.S.Reload(&jobs.Config{}); err == nil {
			t.Error("Reload accepted a configuration that was not validated")
		}
		h.Shutdown()
	})
}

// TestHistoryAfterRestart closes the state file and opens it again in a new
// scheduler.
func TestHistoryAfterRestart(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "state.db")
		exec := execFunc(func(ctx context.Context, job *jobs.Job, a *Attempt) error {
			a.Logger.Info("hello")
			return a.KV.Set(ctx, "count", a.RunID)
		})
		store, err := state.OpenBolt(path, state.BoltOptions{History: 3})
		if err != nil {
			t.Fatal(err)
		}
		h := start(t, runfixture.Config(runfixture.Job("sync", every(time.Minute))), exec, store)
		time.Sleep(5*time.Minute + time.Second)
		h.Shutdown()
		before := h.Runs("sync")
		store.Close()

		store, err = state.OpenBolt(path, state.BoltOptions{History: 3})
		if err != nil {
			t.Fatal(err)
		}
		defer store.Close()
		h = start(t, runfixture.Config(runfixture.Job("sync", every(time.Minute))), exec, store)
		synctest.Wait()
		after := h.Runs("sync")
		if len(before) != 3 || !slices.EqualFunc(before, after, func(a, b state.RunRecord) bool { return a.ID == b.ID && a.Result == b.Result }) {
			t.Errorf("history before the restart %v, after %v", runfixture.Results(before), runfixture.Results(after))
		}
		if lines, _, _ := store.Log(context.Background(), "sync", after[2].ID, 0, 0); !strings.Contains(strings.Join(lines, "\n"), "hello") {
			t.Errorf("log after the restart = %q", lines)
		}
		if v, _, _ := store.KV("sync").Get(context.Background(), "count"); v != after[2].ID {
			t.Errorf("kv after the restart = %q, want %q", v, after[2].ID)
		}
		time.Sleep(time.Minute)
		h.Shutdown()
		// The first firing after the restart is the next one: nothing missed.
		runs := h.Runs("sync")
		runfixture.WantResults(t, runs, "ok", "ok", "ok")
		if want := time.Date(2000, 1, 1, 0, 6, 0, 0, time.UTC); !runs[2].Scheduled.Equal(want) {
			t.Errorf("first run after the restart scheduled at %v, want %v", runs[2].Scheduled, want)
		}
	})
}

func TestNewSchedulerNeedsValidConfig(t *testing.T) {
	if _, err := New(&jobs.Config{}, nil, nil, Options{}); err == nil {
		t.Error("New accepted a configuration that was not validated")
	}
}

// TestScriptFailureLogsAPIError: a script stopped by a WeCom error logs the
// API and its errcode with the traceback, in the run's log.
func TestScriptFailureLogsAPIError(t *testing.T) {
	exec := execFunc(func(ctx context.Context, job *jobs.Job, a *Attempt) error {
		return &vm.ScriptError{Msg: "sync.lua:3: wecom user/get: errcode 60111", Traceback: "stack traceback:\n\tsync.lua:3: in main chunk", Errcode: 60111, API: "user/get"}
	})
	store := runfixture.OpenBolt(t, state.BoltOptions{})
	s, err := New(runfixture.Config(runfixture.Job("sync", cron.Every(time.Hour))), exec, store, Options{})
	if err != nil {
		t.Fatal(err)
	}
	r, err := s.RunNow(t.Context(), "sync")
	if err != nil {
		t.Fatal(err)
	}
	lines, _, err := store.Log(t.Context(), "sync", r.ID, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	if log := strings.Join(lines, "\n"); !strings.Contains(log, `msg="script failed"`) || !strings.Contains(log, "api=user/get errcode=60111 traceback=") {
		t.Errorf("the run's log lacks the API error:\n%s", log)
	}
}

// slowClaim is a store whose claims of one job take stall.
type slowClaim struct {
	*state.BoltStore
	job   string
	stall time.Duration
}

func (s slowClaim) Claim(ctx context.Context, job string, scheduled time.Time, ttl time.Duration) (bool, string, error) {
	if job == s.job {
		time.Sleep(s.stall)
	}
	return s.BoltStore.Claim(ctx, job, scheduled, ttl)
}

// TestTickStartsBeforeRuns checks that the runs of jobs due at the same
// instant wait until every firing of the instant has started: a slow start
// holds the other runs back, but no longer than maxGateWait. It also checks
// that the instant is recorded as each job's last scheduled one.
func TestTickStartsBeforeRuns(t *testing.T) {
	for _, stall := range []time.Duration{300 * time.Millisecond, 5 * time.Second} {
		t.Run(stall.String(), func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				store := slowClaim{runfixture.OpenBolt(t, state.BoltOptions{}), "c", stall}
				var mu sync.Mutex
				began := map[string]time.Time{}
				exec := execFunc(func(ctx context.Context, job *jobs.Job, a *Attempt) error {
					mu.Lock()
					began[job.Name] = time.Now()
					mu.Unlock()
					return nil
				})
				cfg := runfixture.Config(runfixture.Job("a", every(time.Minute)), runfixture.Job("b", every(time.Minute)), runfixture.Job("c", every(time.Minute)))
				s, err := New(cfg, exec, store, Options{Logger: testLogger(t)})
				if err != nil {
					t.Fatal(err)
				}
				ctx, stop := context.WithCancel(t.Context())
				done := make(chan error, 1)
				go func() { done <- s.Run(ctx) }()
				time.Sleep(time.Minute + 10*time.Second)
				stop()
				if err := <-done; err != nil {
					t.Fatal(err)
				}

				tick := time.Date(2000, 1, 1, 0, 1, 0, 0, time.UTC)
				held := tick.Add(min(stall, maxGateWait))
				for _, job := range []string{"a", "b"} {
					if at := began[job]; at.Before(held) || at.After(held.Add(100*time.Millisecond)) {
						t.Errorf("%s ran at %v, want just after %v", job, at, held)
					}
					if last, _ := store.LastScheduled(context.Background(), job); !last.Equal(tick) {
						t.Errorf("%s: last scheduled %v, want %v", job, last, tick)
					}
				}
				if at := began["c"]; at.Before(tick.Add(stall)) {
					t.Errorf("c ran at %v, before its claim ended at %v", at, tick.Add(stall))
				}
			})
		})
	}
}
