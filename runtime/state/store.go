package state

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/wecomrunner/runner/bindings"
	"github.com/wecomrunner/runner/wecom"
)

// Store is the scheduler's state: the WeCom token cache, run history and
// logs, last scheduled times, the scripts' kv, and the claims and locks that
// keep several instances sharing the state from running a firing twice. The
// embedded implementation is a bbolt file (OpenBolt); a shared one (Redis)
// lets several instances work together.
//
// Instants are stored in UTC. Store methods are safe for concurrent use.
type Store interface {
	// The token cache (wecom.TokenCache). Token values are secrets: stores
	// never log them.
	wecom.TokenCache

	// PutRun records a run, creating or replacing the record with the same
	// job and ID. A new record beyond the history limit drops the job's
	// oldest run and its log.
	PutRun(ctx context.Context, r RunRecord) error
	// Runs returns a job's runs, newest first, at most limit of them (all when
	// limit <= 0).
	Runs(ctx context.Context, job string, limit int) ([]RunRecord, error)
	// Run returns one run; the error wraps ErrNotFound when there is none.
	Run(ctx context.Context, job, id string) (RunRecord, error)
	// AppendLog adds lines to a run's log.
	AppendLog(ctx context.Context, job, id string, lines []string) error
	// Log returns up to n lines of a run's log (all the rest when n <= 0),
	// in order, from line from (0 is the first), and how many lines the log
	// has. A run without a log has 0 lines.
	Log(ctx context.Context, job, id string, from, n int) (lines []string, total int, err error)

	// LastScheduled returns the job's latest recorded firing, or the zero time.
	LastScheduled(ctx context.Context, job string) (time.Time, error)
	// SetLastScheduled records a firing of the job, keeping the later of t and
	// the recorded time.
	SetLastScheduled(ctx context.Context, job string, t time.Time) error

	// KV returns the job's persistent key-value state (kv in scripts).
	KV(job string) bindings.KV

	// Claim takes the firing of job at the scheduled instant for this
	// instance, for ttl. It returns false and the holder when another
	// instance claimed it first. The key is the scheduled instant, not the
	// clock of the machine, so instances whose clocks differ agree.
	Claim(ctx context.Context, job string, scheduled time.Time, ttl time.Duration) (ok bool, holder string, err error)
	// LockJob takes the job's running lock, with which concurrency "forbid"
	// holds across instances. The lock lasts until unlock is called, or ttl
	// after the holder died. When another instance holds it, unlock is nil
	// and holder names it.
	LockJob(ctx context.Context, job string, ttl time.Duration) (unlock func(), holder string, err error)

	// FirstSeen records key for ttl and reports whether it was not already
	// recorded, across the instances that share the store: the catch-up of
	// a firing runs once. A key stays seen until ttl has passed. (WeCom's
	// repeated deliveries are deduplicated by AcceptEvent, with keys of the
	// same kind.)
	FirstSeen(ctx context.Context, key string, ttl time.Duration) (bool, error)

	// AcceptEvent records an event accepted by a callback, in one write:
	// key as seen for ttl, as FirstSeen does, and evs, the runs the event
	// asks for, as pending events of this instance. It records nothing and
	// returns false when key is seen already, and records nothing and
	// returns an error wrapping ErrFull when this instance would hold more
	// than limit pending events. A pending event stays until its run is
	// recorded (PutRun of a record with its job and ID deletes it in the
	// same write) or DropPending, so that a process that dies with events
	// queued does not lose them (TakePending).
	AcceptEvent(ctx context.Context, key string, ttl time.Duration, evs []PendingEvent, limit int) (first bool, err error)
	// TakePending makes this instance's the pending events that no live
	// instance holds, and returns them in the order they were accepted: as
	// many as keep this instance's pending events within limit. Those are
	// the events of an earlier process of the state (a bbolt file has one
	// process at a time), or, with Redis, those of an instance whose
	// heartbeat is gone, and those an earlier process of this instance's
	// name left.
	TakePending(ctx context.Context, limit int) ([]PendingEvent, error)
	// DropPending deletes the pending event of a run that will not be
	// recorded (its job is gone, or refused it).
	DropPending(ctx context.Context, job, id string) error
	// Remember records value under key for ttl unless the key holds a value
	// already, and returns the value the key holds: value itself when it was
	// recorded now. It is the memory of the control API's Idempotency-Key,
	// shared by the instances sharing the store and kept across restarts.
	Remember(ctx context.Context, key, value string, ttl time.Duration) (held string, err error)
	// Forget deletes key if it holds value.
	Forget(ctx context.Context, key, value string) error
	// Replace sets key, which Remember recorded, to value for ttl if it
	// holds old, and reports whether it did: a compare-and-set, so that of
	// the instances replacing the same old value one succeeds.
	Replace(ctx context.Context, key, old, value string, ttl time.Duration) (bool, error)
	// Session names this opening of the store: its instance and a token drawn
	// when it opened ("host:pid/1a2b3c4d"), so that a process restarted under
	// the same instance name is another session.
	Session() string
	// SessionAlive reports whether the session named (the Session of a store
	// sharing this state) still has the state open. A bbolt file is open in
	// one process at a time, so only the store's own session is alive; a
	// Redis session is alive while its instance's heartbeat lasts, at most
	// RedisOptions.Heartbeat after its process died.
	SessionAlive(ctx context.Context, session string) (bool, error)
	// SetPause pauses a job (p not nil) or resumes it (p nil). Every instance
	// sharing the state sees it.
	SetPause(ctx context.Context, job string, p *Pause) error
	// Pauses returns the paused jobs.
	Pauses(ctx context.Context) (map[string]Pause, error)
	// RequestCancel asks the instance running a run to cancel it; by names who
	// asked. The instance notices within a few seconds.
	RequestCancel(ctx context.Context, job, id, by string) error
	// CancelRequested returns who asked to cancel a run, if anyone did.
	CancelRequested(ctx context.Context, job, id string) (by string, ok bool, err error)
	// Advertise records where this instance serves its control API, until
	// Close, so that the command line finds it (FindServices).
	Advertise(ctx context.Context, svc ServiceInfo) error

	// Health writes a small value to the state. It returns an error when that
	// fails, or when another write of the store failed within the last
	// minute: a full disk still takes small writes (into free pages) while
	// the logs of runs are lost.
	Health(ctx context.Context) error

	// Instance names this process in claims, locks and run records
	// ("host:pid").
	Instance() string
	// Close releases the store.
	Close() error
}

// ErrLocked is wrapped by the error of opening a bbolt state file that
// another process has open.
var ErrLocked = errors.New("the state is in use")

// DefaultHistory is how many runs a store keeps per job unless told.
const DefaultHistory = 100

// ErrNotFound is wrapped by the error of a lookup that found nothing.
var ErrNotFound = errors.New("not found")

// ErrFull is wrapped by the error of AcceptEvent when the instance holds as
// many pending events as it may.
var ErrFull = errors.New("too many pending events")

// Open opens the store named by state (jobs.yaml's state:): a redis://
// (or rediss://) URL, or a bbolt file, created if needed. It keeps history
// runs per job (DefaultHistory when 0).
func Open(state string, history int, logger *slog.Logger) (Store, error) {
	if scheme, _, ok := strings.Cut(state, "://"); ok {
		if scheme != "redis" && scheme != "rediss" {
			return nil, fmt.Errorf("state: the %s store is not available in this build", scheme)
		}
		s, err := OpenRedis(state, RedisOptions{History: history, Logger: logger})
		if err != nil {
			return nil, err
		}
		return s, nil
	}
	return OpenBolt(state, BoltOptions{History: history, Logger: logger})
}

// healthWindow is how long a failed write makes Health fail.
const healthWindow = time.Minute

// writeHealth remembers the last failed write of a store, for Health.
type writeHealth struct {
	mu     sync.Mutex
	failed time.Time
	err    error
}

// note records err, the result of a write, and returns it. A write cancelled
// by its caller says nothing about the store.
func (h *writeHealth) note(err error) error {
	if err != nil && !errors.Is(err, context.Canceled) {
		h.mu.Lock()
		h.failed, h.err = time.Now(), err
		h.mu.Unlock()
	}
	return err
}

// check returns the error of Health, given the result of the probe write.
func (h *writeHealth) check(probe error) error {
	if probe != nil {
		return fmt.Errorf("the state cannot be written: %w", probe)
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if ago := time.Since(h.failed); !h.failed.IsZero() && ago < healthWindow {
		return fmt.Errorf("a write to the state failed %v ago: %w", ago.Round(time.Second), h.err)
	}
	return nil
}

// Result is the outcome of a run.
type Result string

// The results of a run. A run being executed is "running" until it has one of
// the others.
const (
	ResultRunning     Result = "running"
	ResultOK          Result = "ok"
	ResultFailed      Result = "failed"
	ResultTimedOut    Result = "timed_out"
	ResultSkipped     Result = "skipped"
	ResultInterrupted Result = "interrupted"
)

// Trigger is what started a run.
type Trigger string

// The triggers of a run.
const (
	TriggerSchedule Trigger = "schedule" // the schedule, on time
	TriggerCatchup  Trigger = "catchup"  // a firing missed while the runner was not running
	TriggerManual   Trigger = "manual"   // runner jobs run NAME, the control API, the console
	TriggerEvent    Trigger = "event"    // an event WeCom pushed to a callback
	// TriggerRecovered: an event accepted by a process that stopped before
	// its run started (kill -9, power loss), taken up by runner serve.
	TriggerRecovered Trigger = "recovered"
)

// Pause is why a job does not run on its schedule.
type Pause struct {
	By string    `json:"by"` // who paused it ("alice@host", "console")
	At time.Time `json:"at"`
}

// RunRecord is one run in the history.
type RunRecord struct {
	ID        string     `json:"id"`              // sorts by start time: "20250102-020000.123-a1b2c3"
	Job       string     `json:"job"`             // the job's name
	Trigger   Trigger    `json:"trigger"`         // what started it
	By        string     `json:"by,omitempty"`    // who or what asked for a triggered run ("alice@host", "console")
	Event     *EventInfo `json:"event,omitempty"` // the event a run for an event handled
	Scheduled time.Time  `json:"scheduled"`       // the firing; for a manual run, when it was asked for
	Started   time.Time  `json:"started"`
	Finished  time.Time  `json:"finished,omitzero"` // zero while running, and for an interrupted run whose end is unknown
	Result    Result     `json:"result"`
	Error     string     `json:"error,omitempty"`    // why it failed, timed out, was skipped or interrupted
	Attempts  int        `json:"attempts,omitempty"` // 0 for a run that was skipped
	Instance  string     `json:"instance"`           // the process that ran it ("host:pid")
	// Args are the arguments given with a triggered run, over the job's
	// args:, as a JSON object (a string, so that records stay comparable).
	Args string `json:"args,omitempty"`
	// DryRun marks a run whose writes to WeCom were held back.
	DryRun bool `json:"dry_run,omitempty"`
	// Alert says what the run's alert became (notify:): sent to whom, or
	// withheld; empty when the run called for none.
	Alert string `json:"alert,omitempty"`
	// AlertError says why the alert, or part of it, was not sent.
	AlertError string `json:"alert_error,omitempty"`
}

// EventInfo is the event a run handled, as recorded with the run: the
// decrypted message, which holds none of the callback's secrets.
type EventInfo struct {
	Callback string `json:"callback,omitempty"` // the callback that received it; empty for a replay
	Type     string `json:"type"`               // change_contact, batch_job_result, text, ...
	Key      string `json:"key"`                // its deduplication key (callback.Event.Key)
	XML      string `json:"xml"`                // the message, as decrypted
}

// PendingEvent is an event accepted for a job whose run is not recorded in
// the history yet (Store.AcceptEvent). It holds the decrypted message, which
// has none of the callback's secrets.
type PendingEvent struct {
	Job      string    `json:"job"`
	ID       string    `json:"id"`       // the id its run will have in the history
	Event    EventInfo `json:"event"`    // the event, with its callback
	Received time.Time `json:"received"` // when the callback accepted it
	Instance string    `json:"instance"` // the instance that accepted it; set by AcceptEvent
}

// Ended reports whether the run has a final result.
func (r RunRecord) Ended() bool { return r.Result != ResultRunning && r.Result != "" }

// Duration is how long the run took, or 0 when that is not known.
func (r RunRecord) Duration() time.Duration {
	if r.Finished.IsZero() || r.Started.IsZero() {
		return 0
	}
	return r.Finished.Sub(r.Started)
}

// NewRunID returns a run id that sorts by start time:
// "20250102-020000.123-a1b2c3" (UTC).
func NewRunID(t time.Time) string {
	var b [3]byte
	rand.Read(b[:])
	return t.UTC().Format("20060102-150405.000") + "-" + hex.EncodeToString(b[:])
}

// instanceName is "host:pid".
func instanceName() string {
	host, err := os.Hostname()
	if err != nil {
		host = "unknown"
	}
	return fmt.Sprintf("%s:%d", host, os.Getpid())
}
