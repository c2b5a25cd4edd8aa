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
	"strconv"
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

// startBound is how long the first request with an Idempotency-Key may
// take to start its run. A key recorded longer ago, or by a session of the
// state that has ended (a serve that stopped), whose run is not in the
// history belongs to a request whose serve died before starting the run:
// the next request with the key starts it. Starting a run takes a read and
// a lock in the state, far less than this.
const startBound = time.Minute

// startWait is how long a request waits for the run of an earlier request
// with the same key to start, before answering that it has not (409).
const startWait = 5 * time.Second

// startPoll is how often a request waiting for that run looks again.
const startPoll = 25 * time.Millisecond

// RunNow starts a run of a job (Scheduler.Trigger); the run outlives ctx.
// With a key (a request's Idempotency-Key, or the console's form key), the
// first request with that key for the job starts the run, and the requests
// with the same key within IdempotencyTTL return that run, replayed,
// instead of starting another: across the instances sharing the state, and
// across restarts. The key is recorded before the run starts, with the
// session of the state that recorded it, and forgotten if the run is
// refused (a paused or busy job), so that the request can be made again.
// A request arriving while the first one's run is starting waits for it
// (startWait). A key whose run never started — its session ended, or it was
// recorded more than startBound ago, and the run is not in the history —
// is taken over: the request starts the run, once across instances. A key
// reused with other arguments or another dry_run is refused (422), as is a
// request whose first run has not started after the wait (409).
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
	store := c.s.Store()
	req.ID = state.NewRunID(time.Now())
	mine := keyRecord{digest: requestPrint(req), id: req.ID, session: store.Session(), at: time.Now()}
	stored := "run-now\x00" + job + "\x00" + key
	rec, claimed, err := c.claimKey(ctx, job, key, stored, mine)
	if err != nil || !claimed {
		return rec, err == nil, err
	}
	bg := context.WithoutCancel(ctx)
	run, err := c.s.Trigger(bg, job, req)
	if err != nil {
		store.Forget(bg, stored, mine.String())
		return state.RunRecord{}, false, err
	}
	// The run is in the history now; the mark keeps a key whose run has
	// since left the history (beyond the job's history:) from being taken
	// over. A mark that cannot be written leaves only that case open, and
	// the store's health reports the failed write.
	started := mine
	started.started = true
	store.Replace(bg, stored, mine.String(), started.String(), IdempotencyTTL)
	return run.Initial, false, nil
}

// claimKey records mine under stored, the Idempotency-Key key of job, and
// reports whether this request now holds it: recorded now, or taken over
// from a request whose run never started. Otherwise it returns the run of
// the request that holds the key, waiting up to startWait for it to start,
// or why there is none.
func (c *Control) claimKey(ctx context.Context, job, key, stored string, mine keyRecord) (state.RunRecord, bool, error) {
	store := c.s.Store()
	deadline := time.Now().Add(startWait)
	for {
		held, err := store.Remember(ctx, stored, mine.String(), IdempotencyTTL)
		if err != nil {
			return state.RunRecord{}, false, fmt.Errorf("cannot record the Idempotency-Key: %w", err)
		}
		if held == mine.String() {
			return state.RunRecord{}, true, nil
		}
		first := parseKeyRecord(held)
		if first.digest != mine.digest {
			return state.RunRecord{}, false, &apiError{http.StatusUnprocessableEntity, fmt.Sprintf("Idempotency-Key %q was used for a run of %s with other arguments or dry_run", key, job)}
		}
		rec, err := store.Run(ctx, job, first.id)
		if !errors.Is(err, state.ErrNotFound) {
			return rec, false, err
		}
		if first.started {
			return state.RunRecord{}, false, &apiError{http.StatusConflict, fmt.Sprintf("the run %s of the first request with Idempotency-Key %q is no longer in the history of %s", first.id, key, job)}
		}
		abandoned := first.session == "" || time.Since(first.at) > startBound
		if !abandoned {
			alive, err := store.SessionAlive(ctx, first.session)
			if err != nil {
				return state.RunRecord{}, false, fmt.Errorf("cannot tell whether the first request with Idempotency-Key %q is still starting its run: %w", key, err)
			}
			abandoned = !alive
		}
		if abandoned {
			ok, err := store.Replace(ctx, stored, held, mine.String(), IdempotencyTTL)
			if err != nil {
				return state.RunRecord{}, false, fmt.Errorf("cannot record the Idempotency-Key: %w", err)
			}
			if ok {
				return state.RunRecord{}, true, nil
			}
			continue // another request took it over first: the key is its now
		}
		if time.Now().After(deadline) {
			return state.RunRecord{}, false, &apiError{http.StatusConflict, fmt.Sprintf("the first request with Idempotency-Key %q has not started its run %s yet: try again", key, first.id)}
		}
		select {
		case <-time.After(startPoll):
		case <-ctx.Done():
			return state.RunRecord{}, false, ctx.Err()
		}
	}
}

// keyRecord is what the state holds under an Idempotency-Key: the print
// of the first request, the id of its run, the session of the state that
// recorded it and when, and whether the run has started.
type keyRecord struct {
	digest, id, session string
	at                  time.Time
	started             bool
}

// String is the stored form: "digest id session unix-ms", then " started"
// once the run has started.
func (k keyRecord) String() string {
	s := k.digest + " " + k.id + " " + k.session + " " + strconv.FormatInt(k.at.UnixMilli(), 10)
	if k.started {
		s += " started"
	}
	return s
}

// parseKeyRecord reads a stored keyRecord. A record of an earlier version,
// "digest id", has no session and no time.
func parseKeyRecord(s string) keyRecord {
	f := strings.Fields(s)
	f = append(f, make([]string, 5-min(len(f), 5))...)
	k := keyRecord{digest: f[0], id: f[1], session: f[2], started: f[4] == "started"}
	if ms, err := strconv.ParseInt(f[3], 10, 64); err == nil {
		k.at = time.UnixMilli(ms)
	}
	return k
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
