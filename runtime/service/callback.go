package service

import (
	"cmp"
	"container/list"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/wecomrunner/runner/wecom/callback"

	"github.com/wecomrunner/runner/runtime/jobs"
	"github.com/wecomrunner/runner/runtime/scheduler"
	"github.com/wecomrunner/runner/runtime/state"
)

// CallbackPrefix is the path under which a Receiver answers: /callback/NAME
// for each NAME of callbacks:.
const CallbackPrefix = "/callback/"

// dedupTTL is how long an accepted event's key is remembered: far longer
// than WeCom's deliveries of one event are apart (seconds to minutes).
const dedupTTL = time.Hour

// maxNonces bounds the nonces a callback remembers within its max_age.
const maxNonces = 200000

// ReceiverOptions configure NewReceiver.
type ReceiverOptions struct {
	// Logger receives a line per refused request and per accepted event;
	// nil discards them. Neither bodies nor secrets are logged.
	Logger *slog.Logger
	// Now is the clock that timestamps are checked against; time.Now when
	// nil.
	Now func() time.Time
	// TakeUp is how often Run takes up the pending events that no live
	// instance holds (state.Store.TakePending): when it starts, then at
	// this interval. 0 takes up none.
	TakeUp time.Duration
}

// Receiver answers WeCom's callbacks (the callbacks: of the scheduler's
// configuration) and runs the jobs whose on: the events match.
//
// GET /callback/NAME?msg_signature&timestamp&nonce&echostr is the URL
// verification: it answers the plaintext of echostr. POST /callback/NAME
// with the encrypted envelope is an event: it is checked, decrypted, parsed,
// deduplicated, recorded as pending in the state store and queued, and
// answered at once with an empty 200, as WeCom expects within 5 seconds; the
// runs follow in the background.
//
// Refused, without a job run: an unknown callback (404), a missing or
// malformed parameter or body, a body that does not decrypt or is not an
// event (400), a wrong signature, a timestamp further from now than the
// callback's max_age, a nonce already used within it, a message for another
// receive id (403), a body over callback.MaxBody (413). While the queue is
// full, the store is unreachable or the runner is stopping, events are
// answered 503, so that WeCom delivers them again (here or to another
// instance). An event seen already (a repeated delivery, on any instance
// sharing the store) and an event no job takes are answered 200 and counted.
//
// Accepted events wait in one queue (events.queue) and run with at most
// events.max_running at once; the events of a job with concurrency forbid
// run one after the other, in the order they came. When ctx of Run ends,
// the events still waiting are recorded as interrupted runs, with their XML,
// so that runner events replay can run them later.
//
// An accepted event is a pending event of the store until its run is
// recorded in the history (when it starts, or as interrupted), at most
// events.queue of them per instance. A process that dies (kill -9, power
// loss) leaves its pending events in the store; with TakeUp, Run takes them
// up — its own from an earlier process, and with Redis those of instances
// whose heartbeat expired — and runs them as if they had just come, in
// the order they were accepted, with the trigger "recovered". A run that had
// started when its process died is not run again: the store marks it
// interrupted, and runner events replay --run can run it.
type Receiver struct {
	s    *scheduler.Scheduler
	log  *slog.Logger
	now  func() time.Time
	m    *scheduler.Metrics
	wake chan struct{}

	mu       sync.Mutex
	cfg      *jobs.Config             // the configuration the cryptos were built for
	cryptos  map[string]*callbackKeys // by callback name
	queue    list.List                // of *queuedEvent, oldest first
	busy     map[string]int           // runs started from the queue and not ended, by job
	running  int                      // runs started from the queue and not ended
	reserved int                      // room taken by events being deduplicated
	closed   bool                     // Run has ended: events are refused
	started  bool                     // Run has been called
	takeUp   time.Duration            // ReceiverOptions.TakeUp
}

// callbackKeys is a callback's crypto and the nonces it has accepted.
type callbackKeys struct {
	crypto *callback.Crypto
	cfg    jobs.CallbackConfig
	nonces nonceSet
}

// queuedEvent is an event accepted for one job, waiting for its run.
type queuedEvent struct {
	job string
	req scheduler.RunRequest
}

// NewReceiver returns the receiver of s's callbacks. Its queue works once
// Run is called.
func NewReceiver(s *scheduler.Scheduler, opts ReceiverOptions) *Receiver {
	r := &Receiver{
		s:      s,
		log:    opts.Logger,
		now:    opts.Now,
		m:      s.Metrics(),
		wake:   make(chan struct{}, 1),
		busy:   map[string]int{},
		takeUp: opts.TakeUp,
	}
	if r.log == nil {
		r.log = slog.New(slog.DiscardHandler)
	}
	if r.now == nil {
		r.now = time.Now
	}
	return r
}

// rejection is a request answered with an error status.
type rejection struct {
	status int
	result string // the metric's result label
	msg    string // logged and answered; holds no secret
}

func reject(status int, result, format string, args ...any) *rejection {
	return &rejection{status: status, result: result, msg: fmt.Sprintf(format, args...)}
}

// ServeHTTP answers /callback/NAME.
func (r *Receiver) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	start := time.Now()
	name := strings.TrimPrefix(req.URL.Path, CallbackPrefix)
	keys, ok := r.keys(name)
	label := name
	if !ok {
		label = "" // names from the network are not metric labels
	}
	var (
		body   string
		result string
		ref    *rejection
	)
	switch {
	case !ok:
		ref = reject(http.StatusNotFound, "unknown_callback", "no callback %q in the configuration", name)
	case req.Method == http.MethodGet:
		body, ref = r.verifyURL(keys, req)
		result = "verified"
	case req.Method == http.MethodPost:
		result, ref = r.event(req.Context(), name, keys, req)
	default:
		w.Header().Set("Allow", "GET, POST")
		ref = reject(http.StatusMethodNotAllowed, "bad_request", "method %s", req.Method)
	}
	if ref != nil {
		result = ref.result
		level := slog.LevelWarn
		if ref.status == http.StatusServiceUnavailable {
			level = slog.LevelError
		}
		r.log.Log(req.Context(), level, "callback refused", "callback", name, "status", ref.status, "reason", ref.msg, "remote", req.RemoteAddr)
		if ref.status == http.StatusServiceUnavailable {
			w.Header().Set("Retry-After", "5")
		}
		http.Error(w, ref.msg, ref.status)
	} else {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		io.WriteString(w, body)
	}
	r.m.CallbackAnswered(label, result, time.Since(start))
}

// keys returns the crypto of a callback of the current configuration,
// rebuilding them after a reload.
func (r *Receiver) keys(name string) (*callbackKeys, bool) {
	cfg := r.s.Config()
	r.mu.Lock()
	defer r.mu.Unlock()
	if cfg != r.cfg {
		old := r.cryptos
		r.cryptos = make(map[string]*callbackKeys, len(cfg.Callbacks))
		for n, cb := range cfg.Callbacks {
			if k, ok := old[n]; ok && k.cfg == cb {
				r.cryptos[n] = k // keeps its nonces
				continue
			}
			c, err := callback.New(cb.Token, cb.EncodingAESKey, cb.ReceiveID)
			if err != nil {
				continue // Validate refused it; a validated configuration has none
			}
			r.cryptos[n] = &callbackKeys{crypto: c, cfg: cb}
		}
		r.cfg = cfg
	}
	k, ok := r.cryptos[name]
	return k, ok
}

// checkQuery reads and checks msg_signature, timestamp and nonce: present,
// the timestamp within max_age of now.
func (r *Receiver) checkQuery(keys *callbackKeys, req *http.Request) (sig, ts, nonce string, ref *rejection) {
	q := req.URL.Query()
	sig, ts, nonce = q.Get("msg_signature"), q.Get("timestamp"), q.Get("nonce")
	if sig == "" || ts == "" || nonce == "" {
		return "", "", "", reject(http.StatusBadRequest, "bad_request", "msg_signature, timestamp and nonce are required")
	}
	if len(nonce) > 64 || len(sig) > 64 {
		return "", "", "", reject(http.StatusBadRequest, "bad_request", "msg_signature or nonce too long")
	}
	secs, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		return "", "", "", reject(http.StatusBadRequest, "bad_request", "timestamp %q is not a number", ts)
	}
	if age := r.now().Sub(time.Unix(secs, 0)); age > keys.cfg.MaxAge || age < -keys.cfg.MaxAge {
		return "", "", "", reject(http.StatusForbidden, "stale", "timestamp %d is %v from now, more than max_age %v", secs, age.Round(time.Second), keys.cfg.MaxAge)
	}
	return sig, ts, nonce, nil
}

// verifyURL answers the URL verification.
func (r *Receiver) verifyURL(keys *callbackKeys, req *http.Request) (string, *rejection) {
	sig, ts, nonce, ref := r.checkQuery(keys, req)
	if ref != nil {
		return "", ref
	}
	echo := req.URL.Query().Get("echostr")
	if echo == "" {
		return "", reject(http.StatusBadRequest, "bad_request", "echostr is required")
	}
	plain, err := keys.crypto.VerifyURL(sig, ts, nonce, echo)
	if ref := cryptoRefusal(err); ref != nil {
		return "", ref
	}
	return string(plain), nil
}

// cryptoRefusal maps the errors of package callback to their answers.
func cryptoRefusal(err error) *rejection {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, callback.ErrSignature):
		return reject(http.StatusForbidden, "bad_signature", "wrong msg_signature")
	case errors.Is(err, callback.ErrReceiveID):
		return reject(http.StatusForbidden, "wrong_receiver", "the message is addressed to another receive id")
	case errors.Is(err, callback.ErrTooLarge):
		return reject(http.StatusRequestEntityTooLarge, "too_large", "%v", err)
	case errors.Is(err, callback.ErrDecrypt):
		return reject(http.StatusBadRequest, "bad_request", "the message does not decrypt with the callback's encoding_aes_key")
	}
	return reject(http.StatusBadRequest, "bad_request", "%v", err)
}

// event handles a POST: it returns the metric's result, or the refusal.
func (r *Receiver) event(ctx context.Context, name string, keys *callbackKeys, req *http.Request) (string, *rejection) {
	sig, ts, nonce, ref := r.checkQuery(keys, req)
	if ref != nil {
		return "", ref
	}
	body, err := io.ReadAll(io.LimitReader(req.Body, callback.MaxBody+1))
	if err != nil {
		return "", reject(http.StatusBadRequest, "bad_request", "reading the body: %v", err)
	}
	if len(body) > callback.MaxBody {
		return "", reject(http.StatusRequestEntityTooLarge, "too_large", "the body is larger than %d bytes", callback.MaxBody)
	}
	data, err := keys.crypto.Open(sig, ts, nonce, body)
	if ref := cryptoRefusal(err); ref != nil {
		return "", ref
	}
	ev, err := callback.ParseEvent(data)
	if err != nil {
		return "", reject(http.StatusBadRequest, "bad_request", "%v", err)
	}
	// The signature is good: the nonce is WeCom's. One used already is a
	// replay of a captured request.
	if !r.useNonce(keys, ts, nonce) {
		return "", reject(http.StatusForbidden, "replayed", "nonce %q with timestamp %s was used already", nonce, ts)
	}

	cfg := r.s.Config()
	var jobs []string
	for _, j := range cfg.Jobs {
		if j.Enabled && j.Takes(name, ev) {
			jobs = append(jobs, j.Name)
		}
	}
	info := &state.EventInfo{Callback: name, Type: ev.Type(), Key: ev.Key(), XML: string(data)}
	attrs := []any{"callback", name, "type", info.Type, "key", info.Key}
	if ct := ev.Get("ChangeType"); ct != "" {
		attrs = append(attrs, "change_type", ct)
	}
	if len(jobs) == 0 {
		r.log.Info("event taken by no job", attrs...)
		return "unmatched", nil
	}
	// Room is reserved before the key is marked seen, so that an event
	// refused for want of room is taken when WeCom delivers it again.
	if ref := r.reserve(len(jobs)); ref != nil {
		return "", ref
	}
	// The event is seen, and pending until its runs are recorded, before
	// WeCom hears that it arrived: a process that dies now leaves it to the
	// next (TakeUp).
	at := r.now()
	queued := make([]*queuedEvent, len(jobs))
	pending := make([]state.PendingEvent, len(jobs))
	for i, j := range jobs {
		id := state.NewRunID(time.Now())
		queued[i] = &queuedEvent{job: j, req: scheduler.RunRequest{Trigger: state.TriggerEvent, By: "callback " + name, Event: info, Wait: true, At: at, ID: id}}
		pending[i] = state.PendingEvent{Job: j, ID: id, Event: *info, Received: at}
	}
	first, err := r.s.Store().AcceptEvent(ctx, name+":"+info.Key, dedupTTL, pending, cfg.Events.Queue)
	if err != nil {
		r.unreserve(len(jobs))
		if errors.Is(err, state.ErrFull) {
			return "", reject(http.StatusServiceUnavailable, "busy", "the event queue is full: %v", err)
		}
		return "", reject(http.StatusServiceUnavailable, "busy", "cannot record the event in the state store: %v", err)
	}
	if !first {
		r.unreserve(len(jobs))
		r.log.Info("event delivered again: it is taken already", attrs...)
		return "duplicate", nil
	}
	if !r.enqueue(queued, len(jobs)) {
		// Run ended while the event was checked: it is recorded, not lost.
		for _, q := range queued {
			r.interrupted(context.WithoutCancel(ctx), q, "the runner stopped before the event's run started")
		}
	}
	r.log.Info("event accepted", append(attrs, "jobs", strings.Join(jobs, ","))...)
	return "accepted", nil
}

// useNonce records a nonce with its timestamp and reports whether it was
// new.
func (r *Receiver) useNonce(keys *callbackKeys, ts, nonce string) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return keys.nonces.add(ts+"\x00"+nonce, r.now(), 2*keys.cfg.MaxAge)
}

// reserve takes room for n events in the queue, or refuses.
func (r *Receiver) reserve(n int) *rejection {
	limit := r.s.Config().Events.Queue
	r.mu.Lock()
	defer r.mu.Unlock()
	switch {
	case r.closed:
		return reject(http.StatusServiceUnavailable, "busy", "the runner is stopping")
	case r.queue.Len()+r.reserved+n > limit:
		return reject(http.StatusServiceUnavailable, "busy", "the event queue is full (%d events, events.queue %d)", r.queue.Len(), limit)
	}
	r.reserved += n
	return nil
}

func (r *Receiver) unreserve(n int) {
	r.mu.Lock()
	r.reserved -= n
	r.mu.Unlock()
}

// enqueue queues events, for which reserved room was taken, and wakes the
// dispatcher; it returns false once Run has ended.
func (r *Receiver) enqueue(events []*queuedEvent, reserved int) bool {
	r.mu.Lock()
	r.reserved -= reserved
	if r.closed {
		r.mu.Unlock()
		return false
	}
	for _, q := range events {
		r.queue.PushBack(q)
	}
	r.m.EventsQueued(r.queue.Len())
	r.mu.Unlock()
	r.kick()
	return true
}

func (r *Receiver) kick() {
	select {
	case r.wake <- struct{}{}:
	default:
	}
}

// Run starts the runs of queued events until ctx ends, then records the
// events still queued as interrupted and waits for the runs it started
// (which the scheduler's shutdown ends). With TakeUp, it queues the pending
// events left by processes that are gone as it starts, and looks for more
// at that interval. Events are refused once it has returned.
func (r *Receiver) Run(ctx context.Context) error {
	r.mu.Lock()
	if r.started {
		r.mu.Unlock()
		return errors.New("runtime: the receiver is already running")
	}
	r.started = true
	r.mu.Unlock()
	var takeUp <-chan time.Time
	if r.takeUp > 0 {
		r.takeUpPending(ctx)
		t := time.NewTicker(r.takeUp)
		defer t.Stop()
		takeUp = t.C
	}
	var runs sync.WaitGroup
	for ctx.Err() == nil {
		for _, q := range r.next() {
			runs.Add(1)
			go func() {
				defer runs.Done()
				r.start(ctx, q)
			}()
		}
		select {
		case <-r.wake:
		case <-takeUp:
			r.takeUpPending(ctx)
		case <-ctx.Done():
		}
	}
	r.mu.Lock()
	r.closed = true
	var left []*queuedEvent
	for e := r.queue.Front(); e != nil; e = e.Next() {
		left = append(left, e.Value.(*queuedEvent))
	}
	r.queue.Init()
	r.m.EventsQueued(0)
	r.mu.Unlock()
	bg := context.WithoutCancel(ctx)
	for _, q := range left {
		r.interrupted(bg, q, "the runner stopped before the event's run started")
	}
	runs.Wait()
	return nil
}

// takeUpPending queues the pending events that no live instance holds, as
// many as events.queue allows, each before the events queued here that were
// accepted after it.
func (r *Receiver) takeUpPending(ctx context.Context) {
	evs, err := r.s.Store().TakePending(ctx, r.s.Config().Events.Queue)
	if err != nil && ctx.Err() == nil {
		r.log.Error("cannot take up the pending events of runners that stopped", "error", err)
	}
	if len(evs) == 0 {
		return
	}
	var from []string
	r.mu.Lock()
	e := r.queue.Front()
	for _, ev := range evs {
		q := &queuedEvent{job: ev.Job, req: scheduler.RunRequest{Trigger: state.TriggerRecovered,
			By: "callback " + ev.Event.Callback, Event: &ev.Event, Wait: true, At: ev.Received, ID: ev.ID}}
		for e != nil && !e.Value.(*queuedEvent).req.At.After(ev.Received) {
			e = e.Next()
		}
		if e == nil {
			r.queue.PushBack(q)
		} else {
			r.queue.InsertBefore(q, e)
		}
		if !slices.Contains(from, ev.Instance) {
			from = append(from, ev.Instance)
		}
	}
	queued := r.queue.Len()
	r.m.EventsQueued(queued)
	r.mu.Unlock()
	r.m.EventsRecovered(len(evs))
	r.log.Info("pending events taken up: they run as they came", "events", len(evs), "accepted_by", strings.Join(from, ","),
		"oldest", evs[0].Received.UTC().Format(time.RFC3339), "queued", queued)
	r.kick()
}

// next takes the events that may start now from the queue: oldest first,
// at most events.max_running running, and one at a time for a job with
// concurrency forbid.
func (r *Receiver) next() []*queuedEvent {
	cfg := r.s.Config()
	serial := make(map[string]bool)
	for _, j := range cfg.Jobs {
		serial[j.Name] = j.Concurrency == jobs.ConcurrencyForbid
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []*queuedEvent
	blocked := map[string]bool{}
	for e := r.queue.Front(); e != nil && r.running < cfg.Events.MaxRunning; {
		q := e.Value.(*queuedEvent)
		next := e.Next()
		if serial[q.job] && (r.busy[q.job] > 0 || blocked[q.job]) {
			blocked[q.job] = true
			e = next
			continue
		}
		r.queue.Remove(e)
		r.busy[q.job]++
		r.running++
		out = append(out, q)
		e = next
	}
	r.m.EventsQueued(r.queue.Len())
	return out
}

// start runs one queued event's job and waits for the run to end.
func (r *Receiver) start(ctx context.Context, q *queuedEvent) {
	defer func() {
		r.mu.Lock()
		if r.busy[q.job]--; r.busy[q.job] <= 0 {
			delete(r.busy, q.job)
		}
		r.running--
		r.mu.Unlock()
		r.kick()
	}()
	run, err := r.s.Trigger(context.WithoutCancel(ctx), q.job, q.req)
	switch {
	case errors.Is(err, scheduler.ErrStopping):
		r.interrupted(context.WithoutCancel(ctx), q, "the runner stopped before the event's run started")
		return
	case err != nil:
		// The job is gone (a reload removed it) or paused: the event is
		// logged, not run.
		r.log.Error("cannot run the job for an event", "job", q.job, "callback", q.req.Event.Callback, "key", q.req.Event.Key, "error", err)
		if err := r.s.Store().DropPending(context.WithoutCancel(ctx), q.job, q.req.ID); err != nil {
			r.log.Error("cannot delete the pending event", "job", q.job, "key", q.req.Event.Key, "error", err)
		}
		return
	}
	<-run.Done()
}

// interrupted records a queued event that did not run.
func (r *Receiver) interrupted(ctx context.Context, q *queuedEvent, reason string) {
	if _, err := r.s.RecordInterrupted(ctx, q.job, q.req, reason); err != nil {
		r.log.Error("cannot record an event that did not run", "job", q.job, "callback", q.req.Event.Callback, "key", q.req.Event.Key, "error", err)
	}
}

// Queued returns how many accepted events wait for their runs.
func (r *Receiver) Queued() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.queue.Len()
}

// Idle waits until no accepted event waits or runs, or ctx ends.
func (r *Receiver) Idle(ctx context.Context) error {
	t := time.NewTicker(10 * time.Millisecond)
	defer t.Stop()
	for {
		r.mu.Lock()
		busy := r.queue.Len() + r.running + r.reserved
		r.mu.Unlock()
		if busy == 0 {
			return nil
		}
		select {
		case <-t.C:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// nonceSet remembers recent nonces, up to limit (maxNonces when 0), each
// until it expires.
type nonceSet struct {
	limit int
	seen  map[string]time.Time // nonce to expiry
	order []nonceEntry         // in the order added: order[head:] are live
	head  int
}

type nonceEntry struct {
	key     string
	expires time.Time
}

// add records key until now+ttl and reports whether it was not recorded.
func (n *nonceSet) add(key string, now time.Time, ttl time.Duration) bool {
	if n.seen == nil {
		n.seen = make(map[string]time.Time)
	}
	limit := cmp.Or(n.limit, maxNonces)
	for n.head < len(n.order) && (!n.order[n.head].expires.After(now) || len(n.order)-n.head >= limit) {
		if e := n.order[n.head]; n.seen[e.key].Equal(e.expires) {
			delete(n.seen, e.key)
		}
		n.order[n.head] = nonceEntry{}
		n.head++
	}
	if n.head > len(n.order)/2 && n.head > 1024 {
		n.order = append([]nonceEntry(nil), n.order[n.head:]...)
		n.head = 0
	}
	if exp, ok := n.seen[key]; ok && exp.After(now) {
		return false
	}
	exp := now.Add(ttl)
	n.seen[key] = exp
	n.order = append(n.order, nonceEntry{key, exp})
	return true
}
