package scheduler

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/wecomrunner/runner/runtime/internal/runfixture"
	"github.com/wecomrunner/runner/runtime/jobs"
	"github.com/wecomrunner/runner/runtime/state"
)

// TestRedisCatchupAfterCrash: two instances schedule a job that fires once;
// the one running it dies (its heartbeat and lock renewals stop, as with
// kill -9). The other marks the run interrupted as soon as the heartbeat
// expired, and catches up the firing as the job's policy says: once runs it
// again, as a catch-up, taking over the running lock whose lease has not run
// out; skip leaves it.
func TestRedisCatchupAfterCrash(t *testing.T) {
	for _, catchup := range []jobs.Catchup{jobs.CatchupOnce, jobs.CatchupSkip} {
		t.Run(string(catchup), func(t *testing.T) {
			r := runfixture.StartRedis(t)
			at := time.Now().Truncate(time.Second).Add(2 * time.Second)
			type event struct{ instance, trigger string }
			events := make(chan event, 10)
			logs := &syncBuffer{}
			nodes := map[string]*state.RedisStore{}
			for _, name := range []string{"a", "b"} {
				logger := slog.New(slog.NewTextHandler(io.MultiWriter(t.Output(), logs), nil)).With("node", name)
				store := r.Open(t, state.RedisOptions{Instance: name, Logger: logger, Heartbeat: time.Second, Sweep: 100 * time.Millisecond})
				nodes[name] = store
				job := runfixture.Job("sync", onceAt(at), func(j *jobs.Job) { j.Catchup = catchup })
				cfg := runfixture.Config(job)
				cfg.Grace = 10 * time.Millisecond
				exec := execFunc(func(ctx context.Context, job *jobs.Job, a *Attempt) error {
					events <- event{name, string(a.Trigger)}
					if a.Trigger == state.TriggerSchedule {
						<-ctx.Done() // until the test ends
					}
					return nil
				})
				s, err := New(cfg, exec, store, Options{Logger: logger})
				if err != nil {
					t.Fatal(err)
				}
				ctx, stop := context.WithCancel(t.Context())
				done := make(chan error, 1)
				go func() { done <- s.Run(ctx) }()
				t.Cleanup(func() { stop(); <-done })
			}
			var first event
			select {
			case first = <-events:
			case <-time.After(30 * time.Second):
				t.Fatal("the firing did not run")
			}
			victim, survivor := first.instance, map[string]string{"a": "b", "b": "a"}[first.instance]
			nodes[victim].Crash()
			crashed := time.Now()

			if catchup == jobs.CatchupSkip {
				waitFor(t, 30*time.Second, "the survivor to leave the firing", func() bool {
					return strings.Contains(logs.String(), `msg="the firing of a run whose instance died is not run again (catchup: skip)" node=`+survivor)
				})
			} else {
				select {
				case e := <-events:
					if e != (event{survivor, string(state.TriggerCatchup)}) {
						t.Errorf("after %s died: %+v, want a catch-up run on %s", victim, e, survivor)
					}
					t.Logf("caught up %v after the crash", time.Since(crashed).Round(time.Millisecond))
				case <-time.After(30 * time.Second):
					t.Fatal("the firing was not caught up")
				}
				waitFor(t, 30*time.Second, "the catch-up run to end", func() bool {
					runs, _ := nodes[survivor].Runs(t.Context(), "sync", 0)
					return len(runs) == 2 && runs[0].Result == state.ResultOK
				})
			}
			runs, err := nodes[survivor].Runs(t.Context(), "sync", 0)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, rec := range runs {
				if !rec.Scheduled.Equal(at) {
					t.Errorf("a run of another firing: %+v", rec)
				}
				got = append(got, fmt.Sprintf("%s %s on %s", rec.Trigger, rec.Result, rec.Instance))
			}
			want := []string{fmt.Sprintf("schedule interrupted on %s", victim)}
			if catchup == jobs.CatchupOnce {
				want = append([]string{fmt.Sprintf("catchup ok on %s", survivor)}, want...)
			}
			if strings.Join(got, "; ") != strings.Join(want, "; ") {
				t.Errorf("history = %q, want %q", got, want)
			}
			select {
			case e := <-events:
				t.Errorf("another run: %+v", e)
			default:
			}
		})
	}
}
