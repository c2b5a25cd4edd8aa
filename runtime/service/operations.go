package service

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

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

// IdempotencyTTL is how long a run request's Idempotency-Key is
// remembered.
const IdempotencyTTL = 24 * time.Hour

// maxIdempotencyKey bounds the length of an Idempotency-Key.
const maxIdempotencyKey = 255

// RunNow starts a run of a job (Scheduler.Trigger); the run outlives ctx.
// With a key (a request's Idempotency-Key), the first request with that key
// for the job starts the run, and the requests with the same key within
// IdempotencyTTL return that run, replayed, instead of starting another:
// across the instances sharing the state, and across restarts. The key is
// remembered before the run starts, and forgotten if it does not start (a
// paused or busy job), so that the request can be made again. A key reused
// with other arguments or another dry_run is refused (422), as is a retry
// that arrives before the first request's run has started (409).
func (c *Control) RunNow(ctx context.Context, job, key string, req scheduler.RunRequest) (rec state.RunRecord, replayed bool, err error) {
	if key == "" {
		run, err := c.s.Trigger(context.WithoutCancel(ctx), job, req)
		if err != nil {
			return state.RunRecord{}, false, err
		}
		return run.Initial, false, nil
	}
	if len(key) > maxIdempotencyKey || strings.IndexFunc(key, func(r rune) bool { return r <= ' ' || r > '~' }) >= 0 {
		return state.RunRecord{}, false, &apiError{http.StatusBadRequest, fmt.Sprintf("Idempotency-Key: want 1 to %d printable ASCII characters without spaces", maxIdempotencyKey)}
	}
	if c.s.Config().JobNamed(job) == nil {
		return state.RunRecord{}, false, scheduler.ErrNoJob(c.s.Config(), job)
	}
	digest := requestPrint(req)
	req.ID = state.NewRunID(time.Now())
	stored, mine := "run-now\x00"+job+"\x00"+key, digest+" "+req.ID
	held, err := c.s.Store().Remember(ctx, stored, mine, IdempotencyTTL)
	if err != nil {
		return state.RunRecord{}, false, fmt.Errorf("cannot record the Idempotency-Key: %w", err)
	}
	if held != mine {
		heldDigest, id, _ := strings.Cut(held, " ")
		if heldDigest != digest {
			return state.RunRecord{}, false, &apiError{http.StatusUnprocessableEntity, fmt.Sprintf("Idempotency-Key %q was used for a run of %s with other arguments or dry_run", key, job)}
		}
		rec, err := c.s.Store().Run(ctx, job, id)
		if errors.Is(err, state.ErrNotFound) {
			return state.RunRecord{}, false, &apiError{http.StatusConflict, fmt.Sprintf("the first request with Idempotency-Key %q has not started its run %s yet: try again", key, id)}
		}
		return rec, err == nil, err
	}
	run, err := c.s.Trigger(context.WithoutCancel(ctx), job, req)
	if err != nil {
		c.s.Store().Forget(context.WithoutCancel(ctx), stored, mine)
		return state.RunRecord{}, false, err
	}
	return run.Initial, false, nil
}

// requestPrint is what two requests with the same Idempotency-Key must
// share: their arguments and dry run, hashed.
func requestPrint(req scheduler.RunRequest) string {
	b, _ := json.Marshal(struct {
		Args   map[string]any `json:"args"`
		DryRun bool           `json:"dry_run"`
	}{req.Args, req.DryRun})
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:16])
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
