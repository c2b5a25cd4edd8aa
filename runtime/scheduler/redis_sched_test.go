package scheduler

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/wecomrunner/runner/wecom"
	"github.com/wecomrunner/runner/wecom/emulator"

	"github.com/wecomrunner/runner/runtime/internal/runfixture"
	"github.com/wecomrunner/runner/runtime/jobs"
	"github.com/wecomrunner/runner/runtime/state"
)

// ranLog records which instances ran each firing.
type ranLog struct {
	mu  sync.Mutex
	ran map[time.Time][]string // scheduled instant (UTC) to the instances that ran it
}

// executor returns the Executor of an instance: it records the firing, calls
// WeCom through client and works for a while. When armed, it sends the
// instance's name on started once a run has begun.
func (l *ranLog) executor(instance string, client *wecom.Client, armed *atomic.Bool, started chan<- string) Executor {
	return execFunc(func(ctx context.Context, job *jobs.Job, a *Attempt) error {
		l.mu.Lock()
		if l.ran == nil {
			l.ran = make(map[time.Time][]string)
		}
		l.ran[a.Scheduled] = append(l.ran[a.Scheduled], instance)
		l.mu.Unlock()
		if armed != nil && armed.Load() {
			select {
			case started <- instance:
			default:
			}
		}
		if client != nil {
			if _, err := client.Department.SimpleList(ctx, 0); err != nil {
				return err
			}
		}
		select {
		case <-time.After(100 * time.Millisecond):
			return nil
		case <-ctx.Done():
			return ctx.Err()
		}
	})
}

// instants returns the firings that ran, in order, and those that ran more
// than once.
func (l *ranLog) instants() (ran []time.Time, twice []string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for at, instances := range l.ran {
		ran = append(ran, at)
		if len(instances) > 1 {
			twice = append(twice, fmt.Sprintf("%s by %v", at.Format(time.TimeOnly), instances))
		}
	}
	slices.SortFunc(ran, time.Time.Compare)
	return ran, twice
}

// ranBy returns the instances that ran the firing at t.
func (l *ranLog) ranBy(t time.Time) []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.ran[t]
}

// gaps returns the seconds missing between the first and last of the
// instants.
func gaps(instants []time.Time) []string {
	var out []string
	for i := 1; i < len(instants); i++ {
		for t := instants[i-1].Add(time.Second); t.Before(instants[i]); t = t.Add(time.Second) {
			out = append(out, t.Format(time.TimeOnly))
		}
	}
	return out
}

// node is an in-process "runner serve": a scheduler with its own connection
// to Redis.
type node struct {
	name  string
	store *state.RedisStore
	stop  context.CancelFunc
	done  chan error
	once  sync.Once
	err   error
}

// startNode runs a scheduler of a job "tick" firing every second (forbid, as
// by default) on its own store under prefix.
func startNode(t *testing.T, r *redisServer, prefix, name string, exec func(*state.RedisStore) Executor, logs io.Writer) *node {
	t.Helper()
	logger := testLogger(t)
	if logs != nil {
		logger = slog.New(slog.NewTextHandler(io.MultiWriter(t.Output(), logs), nil))
	}
	store := r.Open(t, state.RedisOptions{Prefix: prefix, Instance: name, Logger: logger})
	cfg := runfixture.Config(runfixture.Job("tick", every(time.Second)))
	cfg.History = 1000
	s, err := New(cfg, exec(store), store, Options{Logger: logger})
	if err != nil {
		t.Fatal(err)
	}
	ctx, stop := context.WithCancel(t.Context())
	n := &node{name: name, store: store, stop: stop, done: make(chan error, 1)}
	go func() { n.done <- s.Run(ctx) }()
	t.Cleanup(func() { n.shutdown() })
	return n
}

// shutdown stops the node as SIGTERM does: running jobs end first.
func (n *node) shutdown() error {
	n.once.Do(func() {
		n.stop()
		n.err = <-n.done
	})
	return n.err
}

// TestRedisThreeInstances runs three schedulers with the same job every
// second on one Redis, then stops one of them during a run: no firing runs
// twice, none is missed, and the token is fetched once. A firing may find the
// run of the previous one still going on a busy machine: it is then recorded
// as skipped (concurrency: forbid holds across instances), not missed.
func TestRedisThreeInstances(t *testing.T) {
	r := runfixture.StartRedis(t)
	srv := startEmulator(t, emulator.DemoOrg())
	creds := srv.Credentials()

	var log ranLog
	var armed atomic.Bool
	started := make(chan string, 1)
	nodes := map[string]*node{}
	for _, name := range []string{"a", "b", "c"} {
		nodes[name] = startNode(t, r, "three:", name, func(s *state.RedisStore) Executor {
			c := wecom.New(creds.CorpID, creds.ContactsSecret, wecom.WithBaseURL(srv.BaseURL()), wecom.WithTokenCache(s))
			return log.executor(name, c, &armed, started)
		}, nil)
	}

	ranSince := func(since time.Time) int {
		ran, _ := log.instants()
		n := 0
		for _, at := range ran {
			if at.After(since) {
				n++
			}
		}
		return n
	}
	waitFor(t, time.Minute, "five firings", func() bool { return ranSince(time.Time{}) >= 5 })
	armed.Store(true)
	var victim string
	select {
	case victim = <-started:
	case <-time.After(time.Minute):
		t.Fatal("no run started")
	}
	if err := nodes[victim].shutdown(); err != nil {
		t.Errorf("stopping %s: %v", victim, err)
	}
	stopped := time.Now()
	waitFor(t, time.Minute, "three firings after an instance stopped", func() bool { return ranSince(stopped) >= 3 })
	for _, n := range nodes {
		if err := n.shutdown(); err != nil {
			t.Errorf("stopping %s: %v", n.name, err)
		}
	}

	ran, twice := log.instants()
	t.Logf("%d firings ran from %s to %s; %s stopped at %s", len(ran), ran[0].Format(time.TimeOnly),
		ran[len(ran)-1].Format(time.TimeOnly), victim, stopped.Format(time.TimeOnly))
	if len(twice) > 0 {
		t.Errorf("firings ran twice: %v", twice)
	}
	for _, at := range ran {
		if at.After(stopped) {
			if by := log.ranBy(at); slices.Contains(by, victim) {
				t.Errorf("the firing at %s ran on the stopped instance %s", at.Format(time.TimeOnly), victim)
			}
		}
	}
	if n := srv.TokenRequests(); n != 1 {
		t.Errorf("gettoken called %d times by three instances, want 1", n)
	}

	// The shared history has one record for each firing: its run.
	runs, err := nodes["a"].store.Runs(t.Context(), "tick", 0)
	if err != nil {
		t.Fatal(err)
	}
	ok := map[int64]int{}           // successful runs by firing (Unix seconds)
	overlapped := map[string]bool{} // firings skipped while the previous run went on
	records := map[int64]int{}      // records by firing
	for _, rec := range runs {
		records[rec.Scheduled.Unix()]++
		switch {
		case rec.Result == state.ResultOK:
			ok[rec.Scheduled.Unix()]++
		case rec.Result == state.ResultSkipped && strings.HasPrefix(rec.Error, "still running"): // here or on another instance
			overlapped[rec.Scheduled.Format(time.TimeOnly)] = true
		default:
			t.Errorf("unexpected run at %s on %s: %s %s", rec.Scheduled.Format(time.TimeOnly), rec.Instance, rec.Result, rec.Error)
		}
	}
	var missed []string
	for _, at := range gaps(ran) {
		if !overlapped[at] {
			missed = append(missed, at)
		}
	}
	if len(missed) > 0 {
		t.Errorf("firings missed: %v", missed)
	}
	for _, at := range ran {
		if n := ok[at.Unix()]; n != 1 {
			t.Errorf("the firing at %s has %d successful runs in the history, want 1", at.Format(time.TimeOnly), n)
		}
	}
	// The instances that lost a claim record nothing: one record a firing.
	for at, n := range records {
		if n != 1 {
			t.Errorf("the firing at %s has %d records, want 1", time.Unix(at, 0).Format(time.TimeOnly), n)
		}
	}
}

// TestRedisDown kills Redis under three schedulers, then starts it again on
// the same port: while it is down firings are skipped and logged, none runs
// twice, and scheduling resumes once it is back.
func TestRedisDown(t *testing.T) {
	r := runfixture.StartRedis(t)
	var log ranLog
	logs := &syncBuffer{}
	var nodes []*node
	for _, name := range []string{"a", "b", "c"} {
		nodes = append(nodes, startNode(t, r, "down:", name, func(*state.RedisStore) Executor {
			return log.executor(name, nil, nil, nil)
		}, logs))
	}
	waitFor(t, time.Minute, "two firings", func() bool {
		ran, _ := log.instants()
		return len(ran) >= 2
	})

	r.Stop()
	killed := time.Now()
	time.Sleep(5 * time.Second)
	restarted := time.Now()
	r.Restart()
	waitFor(t, time.Minute, "three firings after Redis restarted", func() bool {
		ran, _ := log.instants()
		var n int
		for _, at := range ran {
			if at.After(restarted) {
				n++
			}
		}
		return n >= 3
	})
	for _, n := range nodes {
		if err := n.shutdown(); err != nil {
			t.Errorf("stopping %s: %v", n.name, err)
		}
	}

	ran, twice := log.instants()
	if len(twice) > 0 {
		t.Errorf("firings ran twice: %v", twice)
	}
	// A claim tried just before Redis came back may succeed once it is
	// back; the firings of the seconds before cannot have run.
	for _, at := range ran {
		if at.After(killed) && at.Before(restarted.Add(-2*time.Second)) {
			t.Errorf("the firing at %s ran while Redis was down (%s to %s)", at.Format(time.TimeOnly),
				killed.Format(time.TimeOnly), restarted.Format(time.TimeOnly))
		}
	}
	if !strings.Contains(logs.String(), "cannot claim the firing") {
		t.Error(`no "cannot claim the firing" in the log while Redis was down`)
	}
}
