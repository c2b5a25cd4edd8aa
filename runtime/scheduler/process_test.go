package scheduler

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/wecomrunner/runner/runtime/internal/runfixture"
	"github.com/wecomrunner/runner/runtime/jobs"
	"github.com/wecomrunner/runner/runtime/state"
)

// These tests use the real clock and real processes.

// TestInterruptedAfterKill starts a run in a child process, kills the child
// with SIGKILL mid-run, and checks that opening the state again marks the run
// interrupted.
func TestInterruptedAfterKill(t *testing.T) {
	if path := os.Getenv("RUNNER_TEST_BLOCKING_RUN"); path != "" {
		blockingRun(path)
		return
	}
	if runtime.GOOS == "windows" {
		t.Skip("no SIGKILL")
	}
	path := filepath.Join(t.TempDir(), "state.db")
	cmd := exec.Command(os.Args[0], "-test.run=^TestInterruptedAfterKill$")
	cmd.Env = append(os.Environ(), "RUNNER_TEST_BLOCKING_RUN="+path)
	cmd.Stderr = os.Stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	started := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if id, ok := strings.CutPrefix(sc.Text(), "started "); ok {
				started <- id
			}
		}
		io.Copy(io.Discard, stdout)
	}()
	var id string
	select {
	case id = <-started:
	case <-time.After(30 * time.Second):
		cmd.Process.Kill()
		t.Fatal("the child did not start its run")
	}
	if err := cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	cmd.Wait()

	store, err := state.OpenBolt(path, state.BoltOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	r, err := store.Run(t.Context(), "blocker", id)
	if err != nil {
		t.Fatal(err)
	}
	wantInstance := fmt.Sprintf(":%d", cmd.Process.Pid)
	if r.Result != state.ResultInterrupted || !strings.HasSuffix(r.Instance, wantInstance) || !strings.Contains(r.Error, "stopped during the run") {
		t.Errorf("run after kill -9 = %+v, want interrupted by the child (pid %d)", r, cmd.Process.Pid)
	}
	if lines, _, _ := store.Log(t.Context(), "blocker", id, 0, 0); !strings.Contains(strings.Join(lines, "\n"), "blocking") {
		t.Errorf("the log written before the kill is lost: %q", lines)
	}
}

// blockingRun is the child of TestInterruptedAfterKill: it starts a run that
// never ends and reports it on stdout.
func blockingRun(path string) {
	store, err := state.OpenBolt(path, state.BoltOptions{})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	s, err := New(runfixture.Config(runfixture.Job("blocker", every(time.Hour))), execFunc(func(ctx context.Context, job *jobs.Job, a *Attempt) error {
		a.Logger.Info("blocking")
		for { // until the log line is stored
			lines, _, err := store.Log(ctx, job.Name, a.RunID, 0, 0)
			if err == nil && strings.Contains(strings.Join(lines, "\n"), "blocking") || ctx.Err() != nil {
				break
			}
			time.Sleep(10 * time.Millisecond)
		}
		fmt.Printf("started %s\n", a.RunID)
		<-ctx.Done()
		return nil
	}), store, Options{})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	s.RunNow(context.Background(), "blocker")
}

// TestStartOnTimeAmongMany runs 1,000 scheduled jobs: one fires every
// 200ms, the others wait for tomorrow. On the bubble's fake clock the first
// must start at each of its firings, none skipped or delayed by the others.
// The real start delay is measured by BenchmarkStartLatency.
func TestStartOnTimeAmongMany(t *testing.T) {
	if testing.Short() {
		t.Skip("schedules 1,000 jobs")
	}
	synctest.Test(t, func(t *testing.T) {
		js := append(idleJobs(999), runfixture.Job("fast", every(200*time.Millisecond)))
		var mu sync.Mutex
		var delays []time.Duration
		exec := execFunc(func(ctx context.Context, job *jobs.Job, a *Attempt) error {
			mu.Lock()
			delays = append(delays, time.Since(a.Scheduled))
			mu.Unlock()
			return nil
		})
		h := start(t, runfixture.Config(js...), exec, nil)
		time.Sleep(2100 * time.Millisecond)
		h.Shutdown()
		mu.Lock()
		defer mu.Unlock()
		if len(delays) != 10 {
			t.Fatalf("%d runs in 2.1s, want 10", len(delays))
		}
		if worst := slices.Max(delays); worst > 10*time.Millisecond {
			t.Errorf("a run started %v after its scheduled time on the fake clock", worst)
		}
	})
}

// BenchmarkStartLatency runs 1,000 scheduled jobs on the real clock: one
// fires every 50ms, the others wait for tomorrow. It reports the worst delay
// between a firing of the first and the start of its run, over b.N runs.
func BenchmarkStartLatency(b *testing.B) {
	js := append(idleJobs(999), runfixture.Job("fast", every(50*time.Millisecond)))
	worst := worstStartDelay(b, js, b.N)
	b.ReportMetric(float64(worst.Microseconds())/1000, "ms-worst-start-delay")
}

// BenchmarkSimultaneousStart fires b.N jobs at the same instant and reports
// the start delay of the last one to start.
func BenchmarkSimultaneousStart(b *testing.B) {
	at := time.Now().Add(500 * time.Millisecond).Truncate(100 * time.Millisecond)
	var js []*jobs.Job
	for i := range b.N {
		js = append(js, runfixture.Job(fmt.Sprintf("job-%d", i), onceAt(at)))
	}
	worst := worstStartDelay(b, js, b.N)
	b.ReportMetric(float64(worst.Milliseconds()), "ms-worst-start-delay")
}

// worstStartDelay schedules jobs on the real clock until n runs have
// started, and returns the longest delay between a firing and its run.
func worstStartDelay(b *testing.B, js []*jobs.Job, n int) time.Duration {
	var mu sync.Mutex
	var worst time.Duration
	runs := 0
	started := make(chan struct{})
	exec := execFunc(func(ctx context.Context, job *jobs.Job, a *Attempt) error {
		mu.Lock()
		defer mu.Unlock()
		worst = max(worst, time.Since(a.Scheduled))
		if runs++; runs == n {
			close(started)
		}
		return nil
	})
	store, err := state.OpenBolt(filepath.Join(b.TempDir(), "state.db"), state.BoltOptions{})
	if err != nil {
		b.Fatal(err)
	}
	defer store.Close()
	s, err := New(runfixture.Config(js...), exec, store, Options{})
	if err != nil {
		b.Fatal(err)
	}
	ctx, cancel := context.WithCancel(b.Context())
	done := make(chan error)
	go func() { done <- s.Run(ctx) }()
	<-started
	cancel()
	<-done
	mu.Lock()
	defer mu.Unlock()
	return worst
}

// TestIdleMemory schedules 1,000 jobs with compiled scripts and measures the
// heap once the scheduler is idle.
func TestIdleMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("writes 1,000 scripts")
	}
	path := writeJobs(t, t.TempDir(), 1000, "0 2 * * *")
	var before runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)

	cfg, err := jobs.Load(path, env(nil))
	if err != nil {
		t.Fatal(err)
	}
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	h := start(t, cfg, execFunc(func(context.Context, *jobs.Job, *Attempt) error { return nil }), nil)
	time.Sleep(200 * time.Millisecond)
	var after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&after)
	heap := int64(after.HeapAlloc) - int64(before.HeapAlloc)
	t.Logf("1,000 scheduled jobs: heap %.1f MB (total heap in use %.1f MB, from the OS %.1f MB), %d goroutines",
		float64(heap)/(1<<20), float64(after.HeapInuse)/(1<<20), float64(after.Sys)/(1<<20), runtime.NumGoroutine())
	if heap > 100<<20 {
		t.Errorf("1,000 idle jobs use %d MB of heap, want under 100 MB", heap>>20)
	}
	if len(h.S.Jobs()) != 1000 {
		t.Errorf("%d jobs scheduled", len(h.S.Jobs()))
	}
	h.Shutdown()
}

// idleJobs returns n jobs that fire once a day.
func idleJobs(n int) []*jobs.Job {
	daily, _ := jobs.ParseSchedule("0 2 * * *", time.UTC)
	var jobs []*jobs.Job
	for i := range n {
		jobs = append(jobs, runfixture.Job(fmt.Sprintf("idle-%d", i), daily))
	}
	return jobs
}

// onceAt is a schedule that fires once, at t.
type onceAt time.Time

func (o onceAt) Next(t time.Time) time.Time {
	if t.Before(time.Time(o)) {
		return time.Time(o)
	}
	return time.Time{}
}
