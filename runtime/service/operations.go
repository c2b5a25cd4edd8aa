package service

import (
	"context"
	"io"

	"github.com/wecomrunner/runner/runtime/scheduler"
	"github.com/wecomrunner/runner/runtime/state"
)

// Control is what the control API does with a scheduler, as methods: a serve
// answers its requests with it, and the command line uses it on the state
// directly when no serve is running. ControlClient has the same methods,
// over HTTP.
type Control struct{ s *scheduler.Scheduler }

// NewControl returns the operations of s.
func NewControl(s *scheduler.Scheduler) *Control { return &Control{s: s} }

// Jobs returns every job with its state.
func (c *Control) Jobs(ctx context.Context) ([]scheduler.JobInfo, error) { return c.s.JobInfos(ctx) }

// Job returns one job with its state.
func (c *Control) Job(ctx context.Context, name string) (scheduler.JobInfo, error) {
	return c.s.JobInfo(ctx, name)
}

// Runs returns a job's runs, newest first; limit 0 returns every run kept.
// A job that is neither configured nor in the history is ErrNotFound.
func (c *Control) Runs(ctx context.Context, job string, limit int) ([]state.RunRecord, error) {
	runs, err := c.s.Store().Runs(ctx, job, limit)
	if err != nil {
		return nil, err
	}
	if len(runs) == 0 && c.s.Config().JobNamed(job) == nil {
		return nil, scheduler.ErrNoJob(c.s.Config(), job)
	}
	if runs == nil {
		runs = []state.RunRecord{}
	}
	return runs, nil
}

// Run returns one run of a configured job.
func (c *Control) Run(ctx context.Context, id string) (state.RunRecord, error) {
	return c.s.FindRun(ctx, id)
}

// Log writes a run's log to w from line from (0 is the first), a line a
// line; with follow it goes on until the run has ended, or ctx ends.
func (c *Control) Log(ctx context.Context, id string, from int, follow bool, w io.Writer) error {
	return c.LogFrom(ctx, id, from, follow, func(lines []string) error { return writeLines(w, lines) })
}

// LogLines returns up to n lines of a run's log from line from (0 is the
// first), and how many lines the log has.
func (c *Control) LogLines(ctx context.Context, id string, from, n int) ([]string, int, error) {
	rec, err := c.s.FindRun(ctx, id)
	if err != nil {
		return nil, 0, err
	}
	return c.s.Store().Log(ctx, rec.Job, rec.ID, from, n)
}

// LogFrom calls emit with a run's log lines from line from; with follow it
// goes on as they are stored, until the run has ended.
func (c *Control) LogFrom(ctx context.Context, id string, from int, follow bool, emit func([]string) error) error {
	rec, err := c.s.FindRun(ctx, id)
	if err != nil {
		return err
	}
	return followLog(ctx, c.s.Store(), rec, from, follow, emit)
}

// Cancel stops a run in progress (Scheduler.Cancel).
func (c *Control) Cancel(ctx context.Context, id, by string) (state.RunRecord, error) {
	return c.s.Cancel(ctx, id, by)
}

// Pause pauses a job and returns it.
func (c *Control) Pause(ctx context.Context, job, by string) (scheduler.JobInfo, error) {
	if err := c.s.Pause(ctx, job, by); err != nil {
		return scheduler.JobInfo{}, err
	}
	return c.s.JobInfo(ctx, job)
}

// Resume resumes a paused job and returns it.
func (c *Control) Resume(ctx context.Context, job, by string) (scheduler.JobInfo, error) {
	if err := c.s.Resume(ctx, job, by); err != nil {
		return scheduler.JobInfo{}, err
	}
	return c.s.JobInfo(ctx, job)
}
