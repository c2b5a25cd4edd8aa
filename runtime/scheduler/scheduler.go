package scheduler

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"math/rand/v2"
	"runtime/debug"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/wecomrunner/runner/bindings"
	"github.com/wecomrunner/runner/wecom/callback"

	"github.com/wecomrunner/runner/runtime/jobs"
	"github.com/wecomrunner/runner/runtime/state"
	"github.com/wecomrunner/runner/runtime/vm"
)

// Executor runs one attempt of a job's script; the Lua VM implements it. It
// returns when the script ends, fails, or ctx is done (the run's timeout, a
// replacing run, shutdown).
type Executor interface {
	Execute(ctx context.Context, job *jobs.Job, a *Attempt) error
}

// Attempt is one try of a run, as the Executor sees it.
type Attempt struct {
	RunID     string
	Number    int       // 1 for the first attempt
	Scheduled time.Time // the firing (UTC); for a manual run, when it was asked for
	Trigger   state.Trigger
	// Event is the event that triggered the run (the fields of a WeCom
	// callback message), or nil.
	Event callback.Event
	// Args, when not nil, are the run's arguments instead of the job's.
	Args map[string]any
	// Logger is tagged with job, run and attempt; its lines go to the
	// scheduler's logger (stderr) and to the run's stored log as they happen.
	Logger *slog.Logger
	// Stdout receives what the script prints; each line becomes a record of
	// Logger.
	Stdout io.Writer
	// KV is the job's persistent key-value state.
	KV bindings.KV
	// Config is the configuration the job belongs to (clients, dirs, env).
	Config *jobs.Config
	// DryRun holds back the attempt's writes to WeCom.
	DryRun bool
}

// runningLockLease is how long a job's running lock outlives a holder that
// died: a live holder renews it while the run lasts.
const runningLockLease = 30 * time.Second

// Options configure New.
type Options struct {
	// Logger receives the scheduler's messages and every run's log lines
	// (stderr in runner serve); nil discards them.
	Logger *slog.Logger
	// Metrics counts runs for /metrics; nil creates one.
	Metrics *Metrics
	// Alerter sends the alerts of the jobs' notify:; nil sends none.
	Alerter *Alerter
	// Stdout, when set, receives what scripts print, as they print it, instead
	// of the logger (runner jobs run in a terminal); the run's stored log keeps
	// it either way.
	Stdout io.Writer
}

// Scheduler runs the jobs of a validated Config on their schedules and by
// hand (RunNow), and records every run in a Store.
type Scheduler struct {
	exec    Executor
	store   state.Store
	log     *slog.Logger
	metrics *Metrics
	stdout  io.Writer // see Options.Stdout
	alerter *Alerter
	jitter  func(max time.Duration) time.Duration // a random delay in [0, max)

	mu         sync.Mutex
	cfg        *jobs.Config
	entries    map[string]*entry       // the scheduled jobs by name, while Run runs
	active     map[string][]*activeRun // running runs by job
	running    bool                    // Run has been called
	runCtx     context.Context         // parent of every run; see lifetime
	cancelRuns context.CancelCauseFunc // cancels runCtx after the grace period
	stopping   bool                    // shutdown has begun: no new runs
	rejected   *ReloadStatus           // the last reload, when it was rejected
	wake       chan struct{}           // tells the loop that entries changed
	widenings  []jobs.Widening         // reloads that widened scripts' permissions, newest last

	runs sync.WaitGroup // firings and runs in progress
}

// entry is a scheduled job and its next firing.
type entry struct {
	job  *jobs.Job
	next time.Time
}

// activeRun is a run in progress, which a replacing run or a cancel can
// stop.
type activeRun struct {
	id     string
	cancel context.CancelCauseFunc
	done   chan struct{}   // closed when the run has ended and been recorded
	final  state.RunRecord // the record of the ended run, set before done is closed
}

func newActiveRun(id string, cancel context.CancelCauseFunc) *activeRun {
	return &activeRun{id: id, cancel: cancel, done: make(chan struct{})}
}

// firing is one scheduled instant of a job, or one run asked for by
// Trigger, to run or to record as skipped.
type firing struct {
	job       *jobs.Job
	scheduled time.Time
	trigger   state.Trigger
	skip      string // why the firing is recorded as skipped instead of run
	recorded  bool   // the firing is already recorded as the job's last scheduled one
	// gate holds the run back until the tick's firings have started; pass
	// (idempotent) tells it this one has, or will not run. Nil outside a
	// tick of the schedule.
	gate *tickGate
	pass func()

	by     string           // who asked for a triggered run
	event  *state.EventInfo // the event of a run for an event
	fields callback.Event   // the event, parsed
	args   map[string]any   // the arguments of a triggered run, over the job's
	given  map[string]any   // the arguments the request gave
	wait   bool             // wait for the running run instead of skipping
	dryRun bool             // hold back the run's writes to WeCom
	id     string           // the run's id, when the request chose it
}

const (
	// lateTolerance is how late a firing may be found and still count as on
	// time, whatever the catch-up policy.
	lateTolerance = 10 * time.Second
	// maxWait bounds the loop's sleep, so that a change of the wall clock is
	// noticed within a minute.
	maxWait = time.Minute
	// maxStopBudget bounds the part of the grace period that shutdown keeps
	// for cancelled runs to return (a quarter of it otherwise).
	maxStopBudget = 2 * time.Second
)

// errShutdown is the cause of runs cancelled after the grace period.
var errShutdown = errors.New("the runner stopped before the run ended")

// New returns a scheduler for a validated configuration; it
// schedules nothing until Run.
func New(cfg *jobs.Config, exec Executor, store state.Store, opts Options) (*Scheduler, error) {
	if !cfg.Validated {
		return nil, errors.New("runtime: the configuration has not been validated")
	}
	s := &Scheduler{
		exec:    exec,
		store:   store,
		log:     opts.Logger,
		metrics: opts.Metrics,
		stdout:  opts.Stdout,
		alerter: opts.Alerter,
		jitter:  func(max time.Duration) time.Duration { return rand.N(max) },
		cfg:     cfg,
		active:  make(map[string][]*activeRun),
		wake:    make(chan struct{}, 1),
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	if s.metrics == nil {
		s.metrics = NewMetrics()
	}
	s.metrics.setJobs(cfg.Jobs)
	return s, nil
}

// Config returns the configuration in effect.
func (s *Scheduler) Config() *jobs.Config {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.cfg
}

// Store returns the scheduler's store.
func (s *Scheduler) Store() state.Store { return s.store }

// Metrics returns the scheduler's metrics.
func (s *Scheduler) Metrics() *Metrics { return s.metrics }

// JobStatus is a job as the scheduler sees it.
type JobStatus struct {
	Job     *jobs.Job
	Next    time.Time // the next firing, in the job's time zone; zero when not scheduled
	Running []string  // ids of the job's runs in progress
}

// Jobs returns the status of every job of the configuration, in file order.
func (s *Scheduler) Jobs() []JobStatus {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := time.Now()
	out := make([]JobStatus, len(s.cfg.Jobs))
	for i, j := range s.cfg.Jobs {
		st := JobStatus{Job: j}
		if e, ok := s.entries[j.Name]; ok {
			st.Next = e.next
		} else if s.entries == nil && j.Enabled {
			st.Next = j.Next(now)
		}
		for _, ar := range s.active[j.Name] {
			st.Running = append(st.Running, ar.id)
		}
		out[i] = st
	}
	return out
}

// Run schedules the jobs until ctx is cancelled. It first catches up with
// firings missed since each job's last scheduled time. When ctx is cancelled
// it stops scheduling, waits up to the configuration's grace period for
// running jobs, cancels those still running and waits for them to return.
func (s *Scheduler) Run(ctx context.Context) error {
	s.mu.Lock()
	if s.running {
		s.mu.Unlock()
		return errors.New("runtime: the scheduler is already running")
	}
	s.running = true
	s.lifetime(ctx)
	defer s.cancelRuns(errShutdown)
	cfg := s.cfg
	s.mu.Unlock()

	last := make(map[string]time.Time)
	for _, j := range cfg.Jobs {
		t, err := s.store.LastScheduled(ctx, j.Name)
		if err != nil {
			s.log.Error("cannot read the last scheduled time; missed firings are not caught up", "job", j.Name, "error", err)
		}
		last[j.Name] = t
		s.seedMetrics(ctx, j.Name)
	}
	s.mu.Lock()
	cfg = s.cfg // a reload may have happened meanwhile; its new jobs start from now
	s.entries = plan(cfg, nil, last, time.Now())
	n := len(s.entries)
	s.mu.Unlock()
	s.log.Info("scheduler started", "file", cfg.File, "jobs", len(cfg.Jobs), "scheduled", n)

	if w, ok := s.store.(interruptWatcher); ok {
		w.OnInterrupted(s.interrupted)
		defer w.OnInterrupted(nil)
	}
	s.loop(ctx)
	return s.shutdown()
}

// interruptWatcher is a Store that finds, while the scheduler runs, the runs
// of other instances that died (RedisStore).
type interruptWatcher interface {
	OnInterrupted(func(state.RunRecord))
}

// interrupted hears of a run that the store marked interrupted because its
// instance died, and catches up its firing in a goroutine of its own.
func (s *Scheduler) interrupted(r state.RunRecord) {
	s.mu.Lock()
	if s.stopping || s.runCtx == nil {
		s.mu.Unlock()
		return
	}
	s.runs.Add(1)
	runCtx := s.runCtx
	s.mu.Unlock()
	go s.recoverFiring(runCtx, r)
}

// recoverFiring catches up, as the job's catch-up policy says, the firing
// left undone by a scheduled run whose instance died: the latest firing of
// the job, when all its records are that run, interrupted, or firings
// skipped because the dead instance held the running lock. The instance
// whose store marked the run does it, once.
func (s *Scheduler) recoverFiring(ctx context.Context, r state.RunRecord) {
	defer s.runs.Done()
	if r.Trigger != state.TriggerSchedule && r.Trigger != state.TriggerCatchup {
		return
	}
	var job *jobs.Job
	s.mu.Lock()
	for _, j := range s.cfg.Jobs {
		if j.Name == r.Job && j.Enabled && j.CronSchedule != nil {
			job = j
		}
	}
	s.mu.Unlock()
	if job == nil {
		return
	}
	bg := context.WithoutCancel(ctx)
	now := time.Now()
	latest := latestDue(job, r.Scheduled, now)
	runs, err := s.store.Runs(bg, job.Name, 0)
	if err != nil {
		s.log.Error("cannot read the history; the firing of a run whose instance died is not caught up", "job", job.Name, "error", err)
		return
	}
	undone := 0
	for _, rec := range runs {
		if !rec.Scheduled.Equal(latest) || rec.Trigger != state.TriggerSchedule && rec.Trigger != state.TriggerCatchup {
			continue
		}
		if !(rec.Result == state.ResultInterrupted && rec.Instance == r.Instance || rec.Result == state.ResultSkipped && rec.Error == "still running on "+r.Instance) {
			return // it ran, runs, or was skipped for another reason
		}
		undone++
	}
	if undone == 0 {
		return // the firing is still being handled
	}
	at := latest.In(job.Location).Format(time.RFC3339)
	switch late := now.Sub(latest); {
	case job.Catchup != jobs.CatchupOnce:
		s.log.Warn("the firing of a run whose instance died is not run again (catchup: skip)", "job", job.Name, "scheduled", at, "instance", r.Instance)
		return
	case job.StartingDeadline > 0 && late > job.StartingDeadline:
		s.log.Warn("the firing of a run whose instance died is not run again: missed by more than starting_deadline", "job", job.Name, "scheduled", at,
			"instance", r.Instance, "late", late.Round(time.Second), "starting_deadline", job.StartingDeadline)
		return
	}
	first, err := s.store.FirstSeen(bg, fmt.Sprintf("catchup:%s:%d", job.Name, latest.Unix()), job.Timeout+time.Hour)
	if err != nil || !first {
		return
	}
	if p, err := s.paused(bg, job.Name); err != nil || p != nil {
		return
	}
	s.log.Warn("catching up the firing of a run whose instance died", "job", job.Name, "scheduled", at, "instance", r.Instance)
	f := firing{job: job, scheduled: latest, trigger: state.TriggerCatchup}
	s.admitAndRun(ctx, job, f, s.newRecord(job, f))
}

// lifetime returns the context of the scheduler's runs, which shutdown
// cancels once the grace period is over. The first of Run and Trigger creates
// it, so that runs triggered before Run starts are bound to it too. Called
// with s.mu held.
func (s *Scheduler) lifetime(ctx context.Context) context.Context {
	if s.runCtx == nil {
		s.runCtx, s.cancelRuns = context.WithCancelCause(context.WithoutCancel(ctx))
	}
	return s.runCtx
}

// seedMetrics sets the last success time of a job from its history, so that
// the metric survives a restart.
func (s *Scheduler) seedMetrics(ctx context.Context, job string) {
	runs, err := s.store.Runs(ctx, job, 10)
	if err != nil {
		return
	}
	for _, r := range runs {
		if r.Result == state.ResultOK {
			s.metrics.lastSuccess(job, r.Finished)
			return
		}
	}
}

// loop starts the firings that are due until ctx is cancelled.
func (s *Scheduler) loop(ctx context.Context) {
	timer := time.NewTimer(0)
	defer timer.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-timer.C:
		case <-s.wake:
		}
		now := time.Now()
		s.mu.Lock()
		firings := s.due(now)
		wait := s.untilNext(now)
		s.runs.Add(len(firings))
		s.mu.Unlock()
		recorded := s.recordTick(ctx, firings)
		gate := newTickGate(len(firings))
		for _, f := range firings {
			f.recorded = recorded
			f.gate, f.pass = gate, gate.passer()
			go s.fire(ctx, f)
		}
		timer.Reset(wait)
	}
}

// passGate tells the firing's tick gate, if any, that it has started or
// will not run.
func (f *firing) passGate() {
	if f.pass != nil {
		f.pass()
	}
}

// tickGate holds back the runs of a tick of the schedule until every firing
// of the tick has started or ended without a run: on a busy machine, the
// runs started first would otherwise take the processor from the firings
// still starting, and the last of a thousand jobs due at the same minute
// would start a second late. It holds a run back at most maxGateWait.
type tickGate struct {
	pending atomic.Int64
	open    chan struct{}
}

// maxGateWait bounds the wait at a tick gate: a firing stuck before its
// start (a store that does not answer) does not hold the others' runs.
const maxGateWait = time.Second

func newTickGate(firings int) *tickGate {
	g := &tickGate{open: make(chan struct{})}
	g.pending.Store(int64(firings))
	return g
}

// passer returns the function a firing calls when it has started or will
// not run: the first call counts, later ones do nothing.
func (g *tickGate) passer() func() {
	var once sync.Once
	return func() {
		once.Do(func() {
			if g.pending.Add(-1) == 0 {
				close(g.open)
			}
		})
	}
}

// wait waits until every firing of the tick has passed, at most
// maxGateWait, or until ctx is done. A nil gate does not wait.
func (g *tickGate) wait(ctx context.Context) {
	if g == nil {
		return
	}
	t := time.NewTimer(maxGateWait)
	defer t.Stop()
	select {
	case <-g.open:
	case <-t.C:
	case <-ctx.Done():
	}
}

// tickRecorder is a Store that records the firings of a tick in one write.
type tickRecorder interface {
	SetLastScheduledAll(ctx context.Context, firings map[string]time.Time) error
}

// recordTick records the firings due at one tick as their jobs' last
// scheduled ones, in one write when the store can, and reports whether it
// did; otherwise each firing records itself.
func (s *Scheduler) recordTick(ctx context.Context, firings []firing) bool {
	tr, ok := s.store.(tickRecorder)
	if !ok || len(firings) < 2 {
		return false
	}
	last := make(map[string]time.Time, len(firings))
	for _, f := range firings {
		last[f.job.Name] = f.scheduled
	}
	if err := tr.SetLastScheduledAll(context.WithoutCancel(ctx), last); err != nil {
		s.log.Error("cannot record the last scheduled times of a tick; recording them one by one", "firings", len(firings), "error", err)
		return false
	}
	return true
}

// due returns the firings due at now and moves their entries to their next
// firing. Of the firings an entry missed, only the latest is considered: it
// runs if it is on time or the catch-up policy allows it, else it is recorded
// as skipped. Called with s.mu held.
func (s *Scheduler) due(now time.Time) []firing {
	var out []firing
	for name, e := range s.entries {
		if e.next.After(now) {
			continue
		}
		j, first := e.job, e.next
		latest := latestDue(j, first, now)
		if e.next = j.Next(now); e.next.IsZero() {
			delete(s.entries, name)
		}
		if latest.After(first) {
			s.log.Warn("missed firings dropped", "job", j.Name, "from", first, "to", latest)
		}

		f := firing{job: j, scheduled: latest, trigger: state.TriggerSchedule}
		late := now.Sub(latest)
		tolerance := lateTolerance
		if d := j.StartingDeadline; d > 0 && d < tolerance {
			tolerance = d
		}
		switch {
		case late <= tolerance:
		case j.Catchup == jobs.CatchupOnce && (j.StartingDeadline == 0 || late <= j.StartingDeadline):
			f.trigger = state.TriggerCatchup
		case j.Catchup == jobs.CatchupOnce:
			f.skip = fmt.Sprintf("missed by %v, more than starting_deadline %v", late.Round(time.Second), j.StartingDeadline)
		default:
			f.skip = fmt.Sprintf("missed by %v: the runner was not running then (catchup: skip)", late.Round(time.Second))
		}
		out = append(out, f)
	}
	return out
}

// latestDue returns the last firing of j at or before now, given a firing
// from that is not after now. It looks back in growing windows first, so that
// a long downtime of a frequent job does not walk through every firing.
func latestDue(j *jobs.Job, from, now time.Time) time.Time {
	for _, back := range []time.Duration{time.Minute, time.Hour, 24 * time.Hour, 32 * 24 * time.Hour, 366 * 24 * time.Hour} {
		start := now.Add(-back)
		if !start.After(from) {
			break
		}
		if t := j.Next(start); !t.IsZero() && !t.After(now) {
			from = t
			break
		}
	}
	for {
		t := j.Next(from)
		if t.IsZero() || t.After(now) {
			return from
		}
		from = t
	}
}

// untilNext returns how long the loop may sleep. Called with s.mu held.
func (s *Scheduler) untilNext(now time.Time) time.Duration {
	wait := maxWait
	for _, e := range s.entries {
		wait = min(wait, e.next.Sub(now))
	}
	return max(wait, 0)
}

// plan returns the entries of cfg's enabled jobs. A job whose schedule and
// time zone are unchanged since prev keeps its next firing; others continue
// from their last scheduled time (so missed firings are noticed), or from now.
func plan(cfg *jobs.Config, prev map[string]*entry, last map[string]time.Time, now time.Time) map[string]*entry {
	entries := make(map[string]*entry)
	for _, j := range cfg.Jobs {
		if !j.Enabled {
			continue
		}
		e := &entry{job: j}
		p, ok := prev[j.Name]
		switch {
		case ok && p.job.Schedule == j.Schedule && p.job.Location.String() == j.Location.String():
			e.next = p.next
		case !last[j.Name].IsZero():
			e.next = j.Next(last[j.Name])
		default:
			e.next = j.Next(now)
		}
		if !e.next.IsZero() {
			entries[j.Name] = e
		}
	}
	return entries
}

// fire handles one firing: records it as the last scheduled one, claims it,
// waits for the jitter, then runs it. Any of these steps may end in a skipped
// record instead.
func (s *Scheduler) fire(ctx context.Context, f firing) {
	defer s.runs.Done()
	defer f.passGate()
	bg := context.WithoutCancel(ctx)
	job := f.job
	if f.recorded {
		// recordTick recorded it with the tick's other firings.
	} else if err := s.store.SetLastScheduled(bg, job.Name, f.scheduled); err != nil {
		s.log.Error("cannot record the last scheduled time", "job", job.Name, "error", err)
	}
	if f.skip != "" {
		s.skip(bg, job, f, f.skip)
		return
	}
	ok, holder, err := s.store.Claim(bg, job.Name, f.scheduled, job.Timeout+job.Jitter+time.Minute)
	switch {
	case err != nil:
		s.skip(bg, job, f, fmt.Sprintf("cannot claim the firing: %v", err))
		return
	case !ok:
		// The instance that claimed it records it: one record a firing.
		s.log.Debug("firing claimed by another instance", "job", job.Name, "scheduled", f.scheduled.In(job.Location).Format(time.RFC3339), "holder", holder)
		return
	}
	if p, err := s.paused(bg, job.Name); err != nil {
		s.skip(bg, job, f, fmt.Sprintf("cannot read whether the job is paused: %v", err))
		return
	} else if p != nil {
		s.log.Info("firing passed over: the job is paused", "job", job.Name, "scheduled", f.scheduled.In(job.Location).Format(time.RFC3339), "paused_by", p.By)
		return
	}
	if job.Jitter > 0 {
		f.passGate() // a jittered start is late on purpose
		t := time.NewTimer(s.jitter(job.Jitter))
		select {
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
			s.skip(bg, job, f, "the runner stopped before the jittered start")
			return
		}
	}
	s.mu.Lock()
	runCtx := s.runCtx
	s.mu.Unlock()
	s.admitAndRun(runCtx, job, f, s.newRecord(job, f))
}

// RunRequest asks for a run outside the schedule: by hand (runner jobs run,
// the control API) or for an event.
type RunRequest struct {
	// Trigger is what asks: TriggerManual when empty, or TriggerEvent.
	Trigger state.Trigger
	// By names who or what asked ("cli", "callback contacts"); it is
	// recorded with the run.
	By string
	// Event is the event the run handles: recorded with the run, and the
	// script's event table (its XML, parsed).
	Event *state.EventInfo
	// Args replace the job's arguments of the same names for this run.
	Args map[string]any
	// Wait makes a run of a job with concurrency forbid wait for the running
	// run to end (on any instance), instead of being refused: events queue,
	// they are not dropped.
	Wait bool
	// DryRun holds back the run's writes to WeCom.
	DryRun bool
	// At is when the run was asked for (an event accepted, then queued); it
	// is recorded as the run's scheduled time. Now when zero.
	At time.Time
	// ID is the run's id (state.NewRunID), chosen by the caller before it
	// asks (for an idempotent request); a new one when empty.
	ID string
}

// The errors of a request the scheduler refuses; nothing is run or recorded.
var (
	// ErrPaused: the job is paused.
	ErrPaused = errors.New("paused")
	// ErrBusy: the job is still running and its concurrency is forbid.
	ErrBusy = errors.New("still running")
	// ErrEnded: a cancel of a run that has already ended.
	ErrEnded = errors.New("already ended")
)

// cancelPoll is how often a run looks for a request to cancel it made
// through another instance (RequestCancel).
const cancelPoll = 2 * time.Second

// TriggeredRun is a run started by Trigger.
type TriggeredRun struct {
	// ID is the run's id in the history.
	ID string
	// Job is the job's name.
	Job string
	// Initial is the run's record when Trigger returned: running, or not
	// started yet for a run that waits for its turn (Wait).
	Initial state.RunRecord

	done chan struct{}
	rec  state.RunRecord
}

// Done is closed when the run has ended, or was skipped, and is recorded.
func (r *TriggeredRun) Done() <-chan struct{} { return r.done }

// Record is the run's final record, once Done is closed.
func (r *TriggeredRun) Record() state.RunRecord {
	<-r.done
	return r.rec
}

// Trigger starts a run of the named job now, enabled or not, through the same
// overlap guard, timeout, retries and history as a scheduled firing, and
// returns at once. It is the one way in for runs outside the schedule:
// manual (the command line, the control API, the console) and for events.
// The run is recorded with the request's trigger, who asked, the event and
// the arguments, and moves no scheduled firing.
//
// Without Wait, a job that is running (on any instance sharing the state)
// with concurrency forbid refuses the request with ErrBusy; with Wait, the
// run waits for its turn. A paused job refuses it with ErrPaused, an unknown
// job with an error wrapping ErrNotFound, and a scheduler shutting down with
// ErrStopping: a refused request runs and records nothing.
//
// The run is interrupted if ctx is cancelled or, after the grace period,
// when the scheduler shuts down; a run that had to wait and had not started
// by then is recorded as interrupted.
func (s *Scheduler) Trigger(ctx context.Context, name string, req RunRequest) (*TriggeredRun, error) {
	s.mu.Lock()
	cfg := s.cfg
	job := cfg.JobNamed(name)
	switch {
	case job == nil:
		s.mu.Unlock()
		return nil, ErrNoJob(cfg, name)
	case s.stopping:
		s.mu.Unlock()
		return nil, ErrStopping
	}
	s.runs.Add(1)
	runCtx := s.lifetime(ctx)
	s.mu.Unlock()
	started := false
	defer func() {
		if !started {
			s.runs.Done()
		}
	}()

	f, err := triggered(job, req)
	if err != nil {
		return nil, err
	}
	if p, err := s.paused(ctx, name); err != nil {
		return nil, fmt.Errorf("cannot read whether %s is paused: %w", name, err)
	} else if p != nil {
		return nil, refuse(ErrPaused, "%s is paused (by %s at %s); resume it first", name, p.By, FormatTime(p.At, job.Location))
	}

	ctx, cancel := context.WithCancelCause(ctx)
	stop := context.AfterFunc(runCtx, func() { cancel(context.Cause(runCtx)) })
	rec := s.newRecord(job, f)
	ar := newActiveRun(rec.ID, cancel)
	var leave func()
	if !f.wait {
		// Admitted now, so that a refusal is the caller's answer.
		var reason string
		if leave, reason = s.enter(ctx, job, ar, false); reason != "" {
			stop()
			cancel(nil)
			return nil, refuse(ErrBusy, "%s is %s; its concurrency is %s", name, reason, job.Concurrency)
		}
		s.recordStart(context.WithoutCancel(ctx), &rec)
	}
	started = true
	run := &TriggeredRun{ID: rec.ID, Job: job.Name, Initial: rec, done: make(chan struct{})}
	go func() {
		defer s.runs.Done()
		defer close(run.done)
		defer cancel(nil)
		defer stop()
		if leave != nil {
			run.rec = s.run(ctx, job, f, rec, ar, leave)
		} else {
			run.rec = s.admitAndRun(ctx, job, f, rec)
		}
	}()
	return run, nil
}

// triggered is the firing of a run asked for by req.
func triggered(job *jobs.Job, req RunRequest) (firing, error) {
	f := firing{job: job, scheduled: req.At, trigger: cmp.Or(req.Trigger, state.TriggerManual),
		by: req.By, event: req.Event, args: mergeArgs(job.Args, req.Args), given: req.Args, wait: req.Wait, dryRun: req.DryRun, id: req.ID}
	if f.scheduled.IsZero() {
		f.scheduled = time.Now()
	}
	if req.Event != nil {
		var err error
		if f.fields, err = callback.ParseEvent([]byte(req.Event.XML)); err != nil {
			return f, err
		}
	}
	return f, nil
}

// RecordInterrupted records a run asked for by req that will not run — the
// runner stopped before its turn — as interrupted, with the reason. It
// works after shutdown has begun, for the events still queued then.
func (s *Scheduler) RecordInterrupted(ctx context.Context, name string, req RunRequest, reason string) (state.RunRecord, error) {
	s.mu.Lock()
	cfg := s.cfg
	s.mu.Unlock()
	job := cfg.JobNamed(name)
	if job == nil {
		return state.RunRecord{}, ErrNoJob(cfg, name)
	}
	f, err := triggered(job, req)
	if err != nil {
		return state.RunRecord{}, err
	}
	return s.record(ctx, s.newRecord(job, f), job, state.ResultInterrupted, reason), nil
}

// ErrStopping is the error of Trigger once the scheduler is shutting down.
var ErrStopping = errors.New("the scheduler is shutting down")

// ErrNoJob is the error about a job that cfg does not have.
func ErrNoJob(cfg *jobs.Config, name string) error {
	return refuse(state.ErrNotFound, "no job %q in %s", name, cfg.File)
}

// refusal is an error of a given kind (ErrNotFound, ErrBusy, ...) whose
// message says it all.
type refusal struct {
	msg  string
	kind error
}

func (e *refusal) Error() string { return e.msg }
func (e *refusal) Unwrap() error { return e.kind }

// refuse returns a refusal of the kind with a formatted message.
func refuse(kind error, format string, args ...any) error {
	return &refusal{msg: fmt.Sprintf(format, args...), kind: kind}
}

// mergeArgs returns the job's arguments with those of a request over them,
// or nil when the request has none.
func mergeArgs(job, req map[string]any) map[string]any {
	if req == nil {
		return nil
	}
	out := make(map[string]any, len(job)+len(req))
	maps.Copy(out, job)
	maps.Copy(out, req)
	return out
}

// RunNow runs a job now, enabled or not, through the same overlap guard and
// history as a scheduled firing, and returns its record once it has ended.
// The run is interrupted if ctx is cancelled or the scheduler shuts down. A
// run refused as Trigger refuses it is an error, and not recorded.
func (s *Scheduler) RunNow(ctx context.Context, name string) (state.RunRecord, error) {
	run, err := s.Trigger(ctx, name, RunRequest{Trigger: state.TriggerManual})
	if err != nil {
		return state.RunRecord{}, err
	}
	return run.Record(), nil
}

// admitAndRun runs a firing, or a triggered run that waits for its turn,
// through the overlap guard, the attempts and the history, and returns its
// record.
func (s *Scheduler) admitAndRun(parent context.Context, job *jobs.Job, f firing, rec state.RunRecord) state.RunRecord {
	bg := context.WithoutCancel(parent)
	ctx, cancel := context.WithCancelCause(parent)
	defer cancel(nil)
	ar := newActiveRun(rec.ID, cancel)
	leave, reason := s.enter(ctx, job, ar, f.wait)
	if reason != "" {
		result := state.ResultSkipped
		if ctx.Err() != nil && f.wait {
			result = state.ResultInterrupted
		}
		return s.record(bg, rec, job, result, reason)
	}
	s.recordStart(bg, &rec)
	f.passGate()
	return s.run(ctx, job, f, rec, ar, leave)
}

// enter applies the overlap policy to a new run, here and, with forbid,
// across the instances sharing the store; with wait it waits for its turn.
// It returns the function that releases what it took, or why the run may
// not start.
func (s *Scheduler) enter(ctx context.Context, job *jobs.Job, ar *activeRun, wait bool) (leave func(), reason string) {
	if reason := s.admit(ctx, job, ar, wait); reason != "" {
		return nil, reason
	}
	unlock := func() {}
	if job.Concurrency == jobs.ConcurrencyForbid {
		var reason string
		if unlock, reason = s.lockJob(ctx, job, wait); unlock == nil {
			s.release(job.Name, ar)
			return nil, reason
		}
	}
	return func() {
		unlock()
		s.release(job.Name, ar)
	}, ""
}

// recordStart records an admitted run as running, so that it is in the
// history from now on.
func (s *Scheduler) recordStart(ctx context.Context, rec *state.RunRecord) {
	rec.Started = time.Now().UTC()
	rec.Result = state.ResultRunning
	if err := s.store.PutRun(ctx, *rec); err != nil {
		s.log.Error("cannot record the run's start", "job", rec.Job, "run", rec.ID, "error", err)
	}
}

// run runs the attempts of an admitted run, recorded as started, and
// records its end; leave releases its admission as soon as the attempts are
// over, so that a run asked for once this one is seen ended is not refused.
func (s *Scheduler) run(ctx context.Context, job *jobs.Job, f firing, rec state.RunRecord, ar *activeRun, leave func()) state.RunRecord {
	bg := context.WithoutCancel(ctx)
	left := false
	defer func() {
		if !left {
			leave()
		}
	}()
	ctx, cancelTimeout := context.WithDeadline(ctx, rec.Started.Add(job.Timeout))
	defer cancelTimeout()

	rl := newRunLog(bg, s.store, job.Name, rec.ID, job.Location, job.LogLimit, s.log)
	logger := slog.New(slog.NewMultiHandler(s.log.Handler(), rl.handler())).With("job", job.Name, "run", rec.ID)
	stored := slog.New(rl.handler()).With("job", job.Name, "run", rec.ID)
	s.metrics.runStarted(job.Name)
	if f.trigger == state.TriggerSchedule || f.trigger == state.TriggerCatchup {
		s.metrics.startDelay(rec.Started.Sub(f.scheduled))
	}
	started := []any{"trigger", f.trigger, "scheduled", f.scheduled.In(job.Location).Format(time.RFC3339)}
	if f.by != "" {
		started = append(started, "by", f.by)
	}
	if rec.Args != "" {
		started = append(started, "args", rec.Args)
	}
	if rec.DryRun {
		started = append(started, "dry_run", true)
	}
	logger.Info("run started", started...)
	stopWatch := s.watchCancel(ctx, job.Name, ar)

	f.gate.wait(ctx)
	err := s.attempts(ctx, job, f, &rec, logger, stored)
	stopWatch()
	rec.Finished = time.Now().UTC()
	rec.Result, rec.Error = outcome(ctx, err, job.Timeout)
	level := slog.LevelInfo
	switch rec.Result {
	case state.ResultFailed, state.ResultTimedOut:
		level = slog.LevelError
	case state.ResultInterrupted:
		level = slog.LevelWarn
	}
	attrs := []any{"result", rec.Result, "duration", rec.Duration().Round(time.Millisecond), "attempts", rec.Attempts}
	if rec.Error != "" {
		attrs = append(attrs, "error", rec.Error)
	}
	ar.final = rec
	left = true
	leave()
	// The result is stored before it is logged: a runner killed after
	// logging it must not leave the run to be marked interrupted.
	if err := s.store.PutRun(bg, rec); err != nil {
		s.log.Error("cannot record the run's result", "job", job.Name, "run", rec.ID, "error", err)
	}
	logger.Log(bg, level, "run finished", attrs...)
	rl.Close()
	s.metrics.runFinished(job.Name, rec.Result, rec.Duration(), rec.Finished)
	if s.alert(bg, job, &rec) {
		if err := s.store.PutRun(bg, rec); err != nil {
			s.log.Error("cannot record the run's alert", "job", job.Name, "run", rec.ID, "error", err)
		}
	}
	return rec
}

// watchCancel cancels a run when the store holds a request to cancel it,
// made through another instance. It returns the function that stops the
// watch.
func (s *Scheduler) watchCancel(ctx context.Context, job string, ar *activeRun) (stop func()) {
	done := make(chan struct{})
	go func() {
		t := time.NewTicker(cancelPoll)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-ctx.Done():
				return
			case <-t.C:
			}
			if by, ok, err := s.store.CancelRequested(ctx, job, ar.id); err == nil && ok {
				ar.cancel(cancelledBy(by))
				return
			}
		}
	}()
	return func() { close(done) }
}

// cancelledBy is the cause of a run cancelled by hand.
func cancelledBy(by string) error {
	if by == "" {
		return errors.New("cancelled")
	}
	return fmt.Errorf("cancelled by %s", by)
}

// Cancel stops a run in progress; by names who asked. A run of this process
// is cancelled at once and Cancel returns its final record; a run of another
// instance sharing the state is asked to stop (RequestCancel) and its record
// is returned still running. A run that has ended fails with ErrEnded, an
// unknown one with ErrNotFound.
func (s *Scheduler) Cancel(ctx context.Context, id, by string) (state.RunRecord, error) {
	rec, err := s.FindRun(ctx, id)
	if err != nil {
		return state.RunRecord{}, err
	}
	if rec.Ended() {
		return rec, refuse(ErrEnded, "run %s of %s has already ended: %s", id, rec.Job, rec.Result)
	}
	if ar := s.activeRun(id); ar != nil {
		ar.cancel(cancelledBy(by))
		select {
		case <-ar.done:
			return ar.final, nil
		case <-ctx.Done():
			return state.RunRecord{}, ctx.Err()
		}
	}
	if err := s.store.RequestCancel(ctx, rec.Job, id, by); err != nil {
		return state.RunRecord{}, err
	}
	return rec, nil
}

// FindRun returns a run of one of the configured jobs by its id.
func (s *Scheduler) FindRun(ctx context.Context, id string) (state.RunRecord, error) {
	cfg := s.Config()
	for _, j := range cfg.Jobs {
		rec, err := s.store.Run(ctx, j.Name, id)
		if err == nil {
			return rec, nil
		}
		if !errors.Is(err, state.ErrNotFound) {
			return state.RunRecord{}, err
		}
	}
	return state.RunRecord{}, refuse(state.ErrNotFound, "no run %s of the jobs of %s", id, cfg.File)
}

// activeRun returns the run of this process with the id, or nil.
func (s *Scheduler) activeRun(id string) *activeRun {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, runs := range s.active {
		for _, ar := range runs {
			if ar.id == id {
				return ar
			}
		}
	}
	return nil
}

// Pause stops a job's scheduled firings, on every instance sharing the
// state, until Resume; by names who asked. Triggered runs are refused
// meanwhile; a run in progress goes on.
func (s *Scheduler) Pause(ctx context.Context, name, by string) error {
	cfg := s.Config()
	if cfg.JobNamed(name) == nil {
		return ErrNoJob(cfg, name)
	}
	if err := s.store.SetPause(ctx, name, &state.Pause{By: by, At: time.Now().UTC()}); err != nil {
		return err
	}
	s.log.Info("job paused", "job", name, "by", by)
	return nil
}

// Resume undoes Pause: the job's next firing runs.
func (s *Scheduler) Resume(ctx context.Context, name, by string) error {
	cfg := s.Config()
	if cfg.JobNamed(name) == nil {
		return ErrNoJob(cfg, name)
	}
	if err := s.store.SetPause(ctx, name, nil); err != nil {
		return err
	}
	s.log.Info("job resumed", "job", name, "by", by)
	return nil
}

// paused returns the pause of a job, or nil.
func (s *Scheduler) paused(ctx context.Context, job string) (*state.Pause, error) {
	all, err := s.store.Pauses(ctx)
	if err != nil {
		return nil, err
	}
	if p, ok := all[job]; ok {
		return &p, nil
	}
	return nil, nil
}

// ReloadStatus is a reload that was rejected: the file kept its problems
// and the schedule stayed as it was.
type ReloadStatus struct {
	File     string    `json:"file"`
	At       time.Time `json:"at"`
	Problems []string  `json:"problems"`
}

// Rejected returns the last reload, when it was rejected and no reload has
// succeeded since; nil otherwise.
func (s *Scheduler) Rejected() *ReloadStatus {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.rejected
}

func (s *Scheduler) newRecord(job *jobs.Job, f firing) state.RunRecord {
	rec := state.RunRecord{
		ID:        cmp.Or(f.id, state.NewRunID(time.Now())),
		Job:       job.Name,
		Trigger:   f.trigger,
		By:        f.by,
		Event:     f.event,
		Scheduled: f.scheduled.UTC(),
		Instance:  s.store.Instance(),
		DryRun:    f.dryRun,
	}
	if len(f.given) > 0 {
		b, _ := json.Marshal(f.given)
		rec.Args = string(b)
	}
	return rec
}

// skip records a firing that does not run.
func (s *Scheduler) skip(ctx context.Context, job *jobs.Job, f firing, reason string) {
	s.record(ctx, s.newRecord(job, f), job, state.ResultSkipped, reason)
}

// record stores a run that ended without running.
func (s *Scheduler) record(ctx context.Context, rec state.RunRecord, job *jobs.Job, result state.Result, reason string) state.RunRecord {
	now := time.Now().UTC()
	rec.Started, rec.Finished, rec.Result, rec.Error = now, now, result, reason
	s.log.Warn("run "+string(result), "job", job.Name, "run", rec.ID, "scheduled", rec.Scheduled.In(job.Location).Format(time.RFC3339), "reason", reason)
	if err := s.store.PutRun(ctx, rec); err != nil {
		s.log.Error("cannot record the skipped run", "job", job.Name, "run", rec.ID, "error", err)
	}
	s.metrics.notRun(job.Name, result)
	return rec
}

// admit applies the overlap policy: it registers ar as a run of the job, or
// returns why the run is skipped. With "replace" it cancels the running runs
// and waits for them to end first; with "forbid" and wait it waits for them
// to end by themselves.
func (s *Scheduler) admit(ctx context.Context, job *jobs.Job, ar *activeRun, wait bool) (skip string) {
	for {
		s.mu.Lock()
		running := slices.Clone(s.active[job.Name])
		if len(running) == 0 || job.Concurrency == jobs.ConcurrencyAllow {
			s.active[job.Name] = append(s.active[job.Name], ar)
			s.mu.Unlock()
			return ""
		}
		switch {
		case job.Concurrency == jobs.ConcurrencyReplace:
			for _, r := range running {
				r.cancel(fmt.Errorf("replaced by run %s", ar.id))
			}
		case !wait:
			s.mu.Unlock()
			return fmt.Sprintf("still running (run %s)", running[0].id)
		}
		s.mu.Unlock()
		for _, r := range running {
			// When the run ended as ctx did, select may take either:
			// a run whose context ended while it waited never starts.
			select {
			case <-r.done:
			case <-ctx.Done():
			}
			if ctx.Err() != nil {
				if wait {
					return fmt.Sprintf("%s: it was waiting for run %s to end", stopReason(ctx), r.id)
				}
				return "cancelled while waiting for the replaced run to end"
			}
		}
	}
}

// lockRetry is how often a waiting run tries again to take the running lock
// that another instance holds.
const lockRetry = 500 * time.Millisecond

// lockJob takes the job's running lock in the store, which keeps concurrency
// "forbid" across instances. Without wait a held lock skips the run; with
// wait the lock is tried again until ctx ends. It returns the unlock
// function, or nil and why the run does not start.
func (s *Scheduler) lockJob(ctx context.Context, job *jobs.Job, wait bool) (unlock func(), reason string) {
	bg := context.WithoutCancel(ctx)
	for {
		unlock, holder, err := s.store.LockJob(bg, job.Name, runningLockLease)
		switch {
		case err != nil:
			return nil, fmt.Sprintf("cannot take the running lock: %v", err)
		case unlock != nil:
			return unlock, ""
		case !wait:
			return nil, "still running on " + holder
		}
		t := time.NewTimer(lockRetry)
		select {
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
			return nil, fmt.Sprintf("%s: it was waiting for the run on %s to end", stopReason(ctx), holder)
		}
	}
}

// stopReason says why ctx ended, for a run that could not start.
func stopReason(ctx context.Context) string {
	switch cause := context.Cause(ctx); {
	case errors.Is(cause, errShutdown):
		return "the runner stopped before the run could start"
	case cause != nil && !errors.Is(cause, context.Canceled):
		return cause.Error()
	}
	return "cancelled"
}

func (s *Scheduler) release(job string, ar *activeRun) {
	s.mu.Lock()
	s.active[job] = slices.DeleteFunc(s.active[job], func(r *activeRun) bool { return r == ar })
	if len(s.active[job]) == 0 {
		delete(s.active, job)
	}
	s.mu.Unlock()
	close(ar.done)
}

// attempts runs the attempts of a run until one succeeds, the retries are
// used up, or ctx ends. It returns the last attempt's error.
func (s *Scheduler) attempts(ctx context.Context, job *jobs.Job, f firing, rec *state.RunRecord, logger, stored *slog.Logger) error {
	cfg := s.Config()
	kv := s.store.KV(job.Name)
	for n := 1; ; n++ {
		rec.Attempts = n
		a := &Attempt{
			RunID:     rec.ID,
			Number:    n,
			Scheduled: rec.Scheduled,
			Trigger:   rec.Trigger,
			Event:     f.fields,
			Args:      f.args,
			DryRun:    f.dryRun,
			Logger:    logger.With("attempt", n),
			KV:        kv,
			Config:    cfg,
		}
		out := &lineWriter{log: a.Logger}
		if s.stdout != nil {
			out = &lineWriter{log: stored.With("attempt", n), echo: s.stdout}
		}
		a.Stdout = out
		err := s.try(ctx, job, a)
		out.flush()
		var se *vm.ScriptError
		if errors.As(err, &se) && se.Traceback != "" {
			attrs := []any{"error", se.Msg}
			if se.API != "" {
				attrs = append(attrs, "api", se.API, "errcode", se.Errcode)
			}
			a.Logger.Error("script failed", append(attrs, "traceback", se.Traceback)...)
		}
		if err == nil || ctx.Err() != nil || n > job.Retries.Max {
			return err
		}
		wait := job.Retries.Delay(n)
		if deadline, ok := ctx.Deadline(); ok && time.Until(deadline) < wait {
			a.Logger.Warn("attempt failed; not retrying: the timeout would pass first", "error", err, "retry_in", wait)
			return err
		}
		a.Logger.Warn("attempt failed; retrying", "error", err, "retry_in", wait)
		t := time.NewTimer(wait)
		select {
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
			return err
		}
	}
}

// try runs one attempt; a panic in the executor fails the attempt instead of
// the process.
func (s *Scheduler) try(ctx context.Context, job *jobs.Job, a *Attempt) (err error) {
	defer func() {
		if r := recover(); r != nil {
			a.Logger.Error("executor panicked", "panic", r, "stack", string(debug.Stack()))
			err = fmt.Errorf("panic: %v", r)
		}
	}()
	return s.exec.Execute(ctx, job, a)
}

// outcome classifies the end of a run.
func outcome(ctx context.Context, err error, timeout time.Duration) (state.Result, string) {
	switch {
	case err == nil:
		return state.ResultOK, ""
	case errors.Is(ctx.Err(), context.DeadlineExceeded):
		msg := fmt.Sprintf("timed out after %v", timeout)
		var se *vm.ScriptError
		if errors.As(err, &se) && se.At != "" {
			msg += " (" + se.At + ")"
		}
		return state.ResultTimedOut, msg
	case ctx.Err() != nil:
		cause := context.Cause(ctx)
		if errors.Is(cause, context.Canceled) {
			return state.ResultInterrupted, "cancelled"
		}
		return state.ResultInterrupted, cause.Error()
	default:
		return state.ResultFailed, err.Error()
	}
}

// Reload replaces the configuration with a validated one. Jobs whose schedule
// and time zone did not change keep their next firing; new or changed jobs
// are scheduled from now. Running runs go on. The state and history settings
// only change at the next start.
func (s *Scheduler) Reload(cfg *jobs.Config) error {
	if !cfg.Validated {
		return errors.New("runtime: the configuration has not been validated")
	}
	s.mu.Lock()
	old := s.cfg
	s.cfg = cfg
	if s.entries != nil {
		s.entries = plan(cfg, s.entries, nil, time.Now())
	}
	s.mu.Unlock()
	s.metrics.setJobs(cfg.Jobs)
	select {
	case s.wake <- struct{}{}:
	default:
	}
	s.log.Info("jobs reloaded", "file", cfg.File, "jobs", len(cfg.Jobs))
	if changes := jobs.Widened(old, cfg); len(changes) > 0 {
		w := jobs.Widening{Time: time.Now(), File: cfg.File, Changes: changes}
		s.log.Warn("RELOAD WIDENED WHAT SCRIPTS MAY DO: check that this change was intended", "file", cfg.File, "widened", strings.Join(changes, "; "))
		s.mu.Lock()
		s.widenings = append(s.widenings, w)
		if len(s.widenings) > maxWidenings {
			s.widenings = s.widenings[len(s.widenings)-maxWidenings:]
		}
		s.mu.Unlock()
	}
	if cfg.State != old.State || cfg.History != old.History {
		s.log.Warn("state: and history: changes take effect at the next start")
	}
	return nil
}

// maxWidenings is how many widening reloads the scheduler remembers.
const maxWidenings = 10

// Widenings returns the reloads since the start that widened what scripts
// may do (the newest last; at most maxWidenings), for the status page.
func (s *Scheduler) Widenings() []jobs.Widening {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.widenings)
}

// ReloadFile loads and validates the jobs file at path and reloads it. A file
// with problems leaves the current schedule in place; the problems are logged
// and returned.
func (s *Scheduler) ReloadFile(path string, getenv func(string) string) error {
	cfg, err := jobs.Load(path, getenv)
	if err == nil {
		err = cfg.Validate()
	}
	if err != nil {
		s.log.Error("reload failed; keeping the current schedule", "file", path)
		rejected := ReloadStatus{File: path, At: time.Now().UTC()}
		var problems jobs.Problems
		if errors.As(err, &problems) {
			for _, p := range problems {
				s.log.Error("reload: " + p.String())
				rejected.Problems = append(rejected.Problems, p.String())
			}
		} else {
			s.log.Error("reload: " + err.Error())
			rejected.Problems = []string{err.Error()}
		}
		s.mu.Lock()
		s.rejected = &rejected
		s.mu.Unlock()
		return err
	}
	s.mu.Lock()
	s.rejected = nil
	s.mu.Unlock()
	return s.Reload(cfg)
}

// shutdown waits for the firings and runs in progress, within the grace
// period: until a stop budget before its end (a quarter of it, at most
// maxStopBudget), then it cancels them and waits for them to return until
// the end of the grace period. Runs that still have not returned are
// abandoned and recorded interrupted: shutdown never outlasts the grace
// period.
func (s *Scheduler) shutdown() error {
	s.mu.Lock()
	s.stopping = true
	grace := s.cfg.Grace
	running := 0
	for _, rs := range s.active {
		running += len(rs)
	}
	s.mu.Unlock()

	done := make(chan struct{})
	go func() {
		s.runs.Wait()
		close(done)
	}()
	if running > 0 {
		s.log.Info("stopping: waiting for running jobs", "running", running, "grace", grace)
	}
	budget := min(grace/4, maxStopBudget)
	t := time.NewTimer(grace - budget)
	defer t.Stop()
	select {
	case <-done:
		s.log.Info("scheduler stopped")
		return nil
	case <-t.C:
	}
	s.log.Warn("grace period almost over: cancelling running jobs")
	s.cancelRuns(errShutdown)
	t.Reset(budget * 3 / 4)
	select {
	case <-done:
		s.log.Info("scheduler stopped")
		return nil
	case <-t.C:
	}
	n := s.abandon(budget / 4)
	return fmt.Errorf("runtime: %d runs did not return after being cancelled; abandoned and recorded interrupted", n)
}

// abandon records the runs still in progress as interrupted, within
// timeout, and returns how many there were.
func (s *Scheduler) abandon(timeout time.Duration) int {
	s.mu.Lock()
	active := make(map[string][]string)
	for job, rs := range s.active {
		for _, r := range rs {
			active[job] = append(active[job], r.id)
		}
	}
	s.mu.Unlock()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	n := 0
	for job, ids := range active {
		for _, id := range ids {
			n++
			rec, err := s.store.Run(ctx, job, id)
			if err != nil || rec.Result != state.ResultRunning {
				continue
			}
			rec.Result, rec.Error, rec.Finished = state.ResultInterrupted, "abandoned at shutdown: the run did not stop within the grace period", time.Now().UTC()
			if err := s.store.PutRun(ctx, rec); err != nil {
				s.log.Error("cannot record the abandoned run", "job", job, "run", id, "error", err)
			}
			s.log.Warn("run abandoned", "job", job, "run", id)
		}
	}
	return n
}
