package service

import (
	"bytes"
	"cmp"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/wecomrunner/runner/wecom/callback"

	"github.com/wecomrunner/runner/runtime/internal/runfixture"
	"github.com/wecomrunner/runner/runtime/jobs"
	"github.com/wecomrunner/runner/runtime/scheduler"
	"github.com/wecomrunner/runner/runtime/state"
)

// receiverJobs is the jobs file of the receiver tests: two callbacks (the
// second addressed to the official example's corp), a job per kind of
// trigger.
const receiverJobs = `
clients: {contacts: {corp_id: ww-test-corp, secret: s}}
callbacks:
  contacts: {token: "${CB_TOKEN}", encoding_aes_key: "${CB_KEY}", receive_id: "${CORP_ID}", client: contacts}
  official: {token: "${CB_TOKEN}", encoding_aes_key: "${CB_KEY}", receive_id: wx5823bf96d3bd56c7, client: contacts}
events: {queue: 2000, max_running: 4}
jobs:
  - name: welcome
    script: script.lua
    on: {callback: contacts, change_type: create_user}
  - name: offboarding
    script: script.lua
    concurrency: allow
    on: {callback: contacts, change_type: delete_user}
  - name: hello
    script: script.lua
    on: {callback: official, keyword: hello}
`

// attemptSeen is what the executor saw of one attempt.
type attemptSeen struct {
	job     string
	trigger state.Trigger
	event   callback.Event
}

// receiverRig is a scheduler and its receiver, with an executor that
// reports every attempt and runs as long as hold says.
type receiverRig struct {
	t       *testing.T
	s       *scheduler.Scheduler
	r       *Receiver
	store   *state.BoltStore
	crypto  *callback.Crypto
	now     time.Time
	seen    chan attemptSeen
	hold    chan struct{} // when not nil, attempts wait for it to be closed
	stop    context.CancelFunc
	stopped chan struct{}

	running, most atomic.Int32
}

func newReceiverRig(t *testing.T, src string, hold bool) *receiverRig {
	t.Helper()
	return newReceiverRigOn(t, src, hold, runfixture.OpenBolt(t, state.BoltOptions{History: 5000}), ReceiverOptions{Logger: testLogger(t)})
}

// newReceiverRigOn is newReceiverRig on a given store, with the receiver's
// options (but its clock).
func newReceiverRigOn(t *testing.T, src string, hold bool, store *state.BoltStore, opts ReceiverOptions) *receiverRig {
	t.Helper()
	cfg, err := eventConfig(t, src)
	if err != nil {
		t.Fatal(err)
	}
	g := &receiverRig{t: t, seen: make(chan attemptSeen, 5000), now: time.Unix(1700000000, 0), stopped: make(chan struct{})}
	if hold {
		g.hold = make(chan struct{})
	}
	exec := execFunc(func(ctx context.Context, job *jobs.Job, a *scheduler.Attempt) error {
		n := g.running.Add(1)
		defer g.running.Add(-1)
		for m := g.most.Load(); n > m && !g.most.CompareAndSwap(m, n); m = g.most.Load() {
		}
		g.seen <- attemptSeen{job.Name, a.Trigger, a.Event}
		if g.hold != nil {
			select {
			case <-g.hold:
			case <-ctx.Done():
				return ctx.Err()
			}
		}
		return nil
	})
	g.store = store
	g.s, err = scheduler.New(cfg, exec, g.store, scheduler.Options{Logger: testLogger(t)})
	if err != nil {
		t.Fatal(err)
	}
	opts.Now = func() time.Time { return g.now }
	g.r = NewReceiver(g.s, opts)
	g.crypto, err = callback.New(testCBToken, testCBKey, testCorpID)
	if err != nil {
		t.Fatal(err)
	}
	ctx, stop := context.WithCancel(t.Context())
	g.stop = stop
	var wg sync.WaitGroup
	wg.Add(2)
	go func() { defer wg.Done(); g.s.Run(ctx) }()
	go func() { defer wg.Done(); g.r.Run(ctx) }()
	go func() { wg.Wait(); close(g.stopped) }()
	t.Cleanup(func() {
		g.release()
		stop()
		<-g.stopped
	})
	return g
}

// release lets held attempts end.
func (g *receiverRig) release() {
	if g.hold != nil {
		select {
		case <-g.hold:
		default:
			close(g.hold)
		}
	}
}

// shutdown stops the scheduler and the receiver as SIGTERM does.
func (g *receiverRig) shutdown() {
	g.stop()
	<-g.stopped
}

// do serves a request and returns the answer.
func (g *receiverRig) do(method, target string, body []byte) *httptest.ResponseRecorder {
	w := httptest.NewRecorder()
	g.r.ServeHTTP(w, httptest.NewRequest(method, target, bytes.NewReader(body)))
	return w
}

var nonces atomic.Int64

// delivery is one POST of an event as WeCom makes it.
type delivery struct {
	callback, timestamp, nonce, signature string
	body                                  []byte
}

// deliver encrypts an event for the contacts callback (or another crypto)
// as WeCom does.
func (g *receiverRig) deliver(xml string) delivery {
	enc := g.crypto.Encrypt([]byte(xml))
	d := delivery{
		callback:  "contacts",
		timestamp: strconv.FormatInt(g.now.Unix(), 10),
		nonce:     strconv.FormatInt(nonces.Add(1), 10),
	}
	d.signature = callback.Signature(testCBToken, d.timestamp, d.nonce, enc)
	d.body = []byte("<xml><ToUserName><![CDATA[" + testCorpID + "]]></ToUserName><AgentID><![CDATA[]]></AgentID><Encrypt><![CDATA[" + enc + "]]></Encrypt></xml>")
	return d
}

func (d delivery) target() string {
	q := url.Values{"msg_signature": {d.signature}, "timestamp": {d.timestamp}, "nonce": {d.nonce}}
	return CallbackPrefix + d.callback + "?" + q.Encode()
}

func (g *receiverRig) post(d delivery) *httptest.ResponseRecorder {
	return g.do(http.MethodPost, d.target(), d.body)
}

// contactEvent is a change_contact event of WeCom's shape since 2022.
func contactEvent(change, user string, created int64) string {
	return fmt.Sprintf(`<xml><ToUserName><![CDATA[%s]]></ToUserName><FromUserName><![CDATA[sys]]></FromUserName>`+
		`<CreateTime>%d</CreateTime><MsgType><![CDATA[event]]></MsgType><Event><![CDATA[change_contact]]></Event>`+
		`<ChangeType>%s</ChangeType><UserID><![CDATA[%s]]></UserID><Department><![CDATA[2]]></Department></xml>`,
		testCorpID, created, change, user)
}

// waitRuns waits for n attempts and returns them.
func (g *receiverRig) waitRuns(n int) []attemptSeen {
	g.t.Helper()
	var out []attemptSeen
	deadline := time.After(2 * time.Minute)
	for len(out) < n {
		select {
		case a := <-g.seen:
			out = append(out, a)
		case <-deadline:
			g.t.Fatalf("%d of %d runs after 2 minutes", len(out), n)
		}
	}
	return out
}

// noMoreRuns checks that no other attempt started once the queue is empty
// and the runs started from it have ended.
func (g *receiverRig) noMoreRuns() {
	g.t.Helper()
	g.idle()
	select {
	case a := <-g.seen:
		g.t.Errorf("an unexpected run of %s for %v", a.job, a.event)
	default:
	}
}

// idle waits until nothing is queued or running.
func (g *receiverRig) idle() {
	g.t.Helper()
	ctx, cancel := context.WithTimeout(g.t.Context(), 2*time.Minute)
	defer cancel()
	if err := g.r.Idle(ctx); err != nil {
		g.t.Fatalf("still %d events queued after 2 minutes", g.r.Queued())
	}
}

// metric returns the value of a sample of /metrics, or -1.
func (g *receiverRig) metric(sample string) float64 {
	var b strings.Builder
	g.s.Metrics().WriteTo(&b)
	for line := range strings.Lines(b.String()) {
		if name, v, ok := strings.Cut(strings.TrimSpace(line), " "); ok && name == sample {
			f, _ := strconv.ParseFloat(v, 64)
			return f
		}
	}
	return -1
}

// TestReceiverOfficialVectors answers the URL verification and the message
// of the official example of WeCom's documentation.
func TestReceiverOfficialVectors(t *testing.T) {
	g := newReceiverRig(t, receiverJobs, false)
	g.now = time.Unix(1409659589, 0)
	w := g.do(http.MethodGet, CallbackPrefix+"official?msg_signature=5c45ff5e21c57e6ad56bac8758b79b1d9ac89fd3&timestamp=1409659589&nonce=263014780&echostr="+
		url.QueryEscape("P9nAzCzyDtyTWESHep1vC5X9xho/qYX3Zpb4yKa9SKld1DsH3Iyt3tP3zNdtp+4RPcs8TgAE7OaBO+FZXvnaqQ=="), nil)
	if w.Code != http.StatusOK || w.Body.String() != "1616140317555161061" {
		t.Errorf("URL verification = %d %q", w.Code, w.Body)
	}

	g.now = time.Unix(1409659813, 0)
	body := `<xml><ToUserName><![CDATA[wx5823bf96d3bd56c7]]></ToUserName><Encrypt><![CDATA[RypEvHKD8QQKFhvQ6QleEB4J58tiPdvo+rtK1I9qca6aM/wvqnLSV5zEPeusUiX5L5X/0lWfrf0QADHHhGd3QczcdCUpj911L3vg3W/sYYvuJTs3TUUkSUXxaccAS0qhxchrRYt66wiSpGLYL42aM6A8dTT+6k4aSknmPj48kzJs8qLjvd4Xgpue06DOdnLxAUHzM6+kDZ+HMZfJYuR+LtwGc2hgf5gsijff0ekUNXZiqATP7PF5mZxZ3Izoun1s4zG4LUMnvw2r+KqCKIw+3IQH03v+BCA9nMELNqbSf6tiWSrXJB3LAVGUcallcrw8V2t9EL4EhzJWrQUax5wLVMNS0+rUPA3k22Ncx4XXZS9o0MBH27Bo6BpNelZpS+/uh9KsNlY6bHCmJU9p8g7m3fVKn28H3KDYA5Pl/T8Z1ptDAVe0lXdQ2YoyyH2uyPIGHBZZIs2pDBS8R07+qN+E7Q==]]></Encrypt><AgentID><![CDATA[218]]></AgentID></xml>`
	w = g.do(http.MethodPost, CallbackPrefix+"official?msg_signature=477715d11cdb4164915debcba66cb864d751f3e6&timestamp=1409659813&nonce=1372623149", []byte(body))
	if w.Code != http.StatusOK || w.Body.Len() != 0 {
		t.Fatalf("message = %d %q, want an empty 200", w.Code, w.Body)
	}
	a := g.waitRuns(1)[0]
	if a.job != "hello" || a.trigger != state.TriggerEvent || a.event.Get("Content") != "hello" || a.event.Get("FromUserName") != "mycreate" {
		t.Errorf("run = %+v", a)
	}
	g.noMoreRuns()

	// The run records the event: its callback, type, key and XML.
	g.shutdown()
	runs, err := g.store.Runs(t.Context(), "hello", 0)
	if err != nil || len(runs) != 1 {
		t.Fatalf("runs = %v, %v", runs, err)
	}
	ev := runs[0].Event
	if ev == nil || ev.Callback != "official" || ev.Type != "text" || ev.Key != "msg:4561255354251345929" || !strings.Contains(ev.XML, "<Content><![CDATA[hello]]></Content>") {
		t.Errorf("recorded event = %+v", ev)
	}
	if runs[0].By != "callback official" || runs[0].Trigger != state.TriggerEvent || runs[0].Result != state.ResultOK {
		t.Errorf("run = %+v", runs[0])
	}
	for _, secret := range []string{testCBToken, testCBKey} {
		if strings.Contains(fmt.Sprintf("%+v %+v", runs[0], *ev), secret) {
			t.Error("the run record holds a callback secret")
		}
	}
}

// TestReceiverRefuses sends what WeCom never sends: each is refused with
// its status, runs nothing and is counted.
func TestReceiverRefuses(t *testing.T) {
	g := newReceiverRig(t, receiverJobs, false)
	event := contactEvent("create_user", "xiaoming", g.now.Unix())
	other, _ := callback.New(testCBToken, testCBKey, "ww-another-corp")
	otherKey, _ := callback.New(testCBToken, "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG", testCorpID)
	reseal := func(c *callback.Crypto, xml string) func(*delivery) {
		return func(d *delivery) {
			enc := c.Encrypt([]byte(xml))
			d.signature = callback.Signature(testCBToken, d.timestamp, d.nonce, enc)
			d.body = []byte("<xml><Encrypt>" + enc + "</Encrypt></xml>")
		}
	}
	replayed := g.deliver(event)
	if w := g.post(replayed); w.Code != http.StatusOK {
		t.Fatalf("first delivery = %d %s", w.Code, w.Body)
	}
	g.waitRuns(1)

	tests := []struct {
		name   string
		change func(*delivery)
		method string
		status int
		result string
	}{
		{"wrong signature", func(d *delivery) { d.signature = strings.Repeat("0", 40) }, "", 403, "bad_signature"},
		{"old timestamp", func(d *delivery) {
			d.timestamp = strconv.FormatInt(g.now.Add(-11*time.Minute).Unix(), 10)
			reseal(g.crypto, event)(d)
		}, "", 403, "stale"},
		{"future timestamp", func(d *delivery) {
			d.timestamp = strconv.FormatInt(g.now.Add(11*time.Minute).Unix(), 10)
			reseal(g.crypto, event)(d)
		}, "", 403, "stale"},
		{"replayed nonce", func(d *delivery) { *d = replayed }, "", 403, "replayed"},
		{"another corp", reseal(other, contactEvent("create_user", "spy", g.now.Unix())), "", 403, "wrong_receiver"},
		{"another key", reseal(otherKey, event), "", 400, "bad_request"},
		{"not an envelope", func(d *delivery) { d.body = []byte("hello") }, "", 400, "bad_request"},
		{"not an event", reseal(g.crypto, "<html/>"), "", 400, "bad_request"},
		{"entity bomb", reseal(g.crypto, `<!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;">]><xml><A>&b;</A></xml>`), "", 400, "bad_request"},
		{"oversized", func(d *delivery) { d.body = bytes.Repeat([]byte("x"), callback.MaxBody+1) }, "", 413, "too_large"},
		{"missing nonce", func(d *delivery) { d.nonce = "" }, "", 400, "bad_request"},
		{"timestamp not a number", func(d *delivery) { d.timestamp = "yesterday" }, "", 400, "bad_request"},
		{"unknown callback", func(d *delivery) { d.callback = "nope" }, "", 404, "unknown_callback"},
		{"wrong method", nil, http.MethodPut, 405, "bad_request"},
		{"verification with a wrong signature", func(d *delivery) { d.signature = strings.Repeat("0", 40) }, http.MethodGet, 403, "bad_signature"},
	}
	for _, tt := range tests {
		d := g.deliver(contactEvent("create_user", "other-"+tt.name, g.now.Unix()))
		if tt.change != nil {
			tt.change(&d)
		}
		method := cmp.Or(tt.method, http.MethodPost)
		target := d.target()
		if method == http.MethodGet {
			target += "&echostr=" + url.QueryEscape(g.crypto.Encrypt([]byte("42")))
		}
		w := g.do(method, target, d.body)
		if w.Code != tt.status {
			t.Errorf("%s: status %d (%s), want %d", tt.name, w.Code, strings.TrimSpace(w.Body.String()), tt.status)
		}
		for _, secret := range []string{testCBToken, testCBKey} {
			if strings.Contains(w.Body.String(), secret) {
				t.Errorf("%s: the answer shows a secret", tt.name)
			}
		}
	}
	g.noMoreRuns()
	counts := map[string]float64{}
	for _, tt := range tests {
		label := "contacts"
		if tt.result == "unknown_callback" {
			label = ""
		}
		counts[fmt.Sprintf(`runner_callback_requests_total{callback="%s",result="%s"}`, label, tt.result)]++
	}
	for sample, want := range counts {
		if got := g.metric(sample); got != want {
			t.Errorf("%s = %v, want %v", sample, got, want)
		}
	}
}

// TestReceiverDeduplicates: WeCom delivers an event again when it thinks a
// delivery failed; the run happens once. An event no job takes is answered
// and counted.
func TestReceiverDeduplicates(t *testing.T) {
	g := newReceiverRig(t, receiverJobs, false)
	event := contactEvent("create_user", "xiaoming", g.now.Unix())
	for range 3 {
		if w := g.post(g.deliver(event)); w.Code != http.StatusOK || w.Body.Len() != 0 {
			t.Fatalf("delivery = %d %q", w.Code, w.Body)
		}
	}
	a := g.waitRuns(1)[0]
	if a.job != "welcome" || a.event.Get("UserID") != "xiaoming" {
		t.Errorf("run = %+v", a)
	}
	// The same member created again a second later is another event.
	if w := g.post(g.deliver(contactEvent("create_user", "xiaoming", g.now.Unix()+1))); w.Code != http.StatusOK {
		t.Fatal(w.Code)
	}
	g.waitRuns(1)
	if w := g.post(g.deliver(contactEvent("update_user", "xiaoming", g.now.Unix()))); w.Code != http.StatusOK {
		t.Errorf("an event for no job = %d, want 200", w.Code)
	}
	g.noMoreRuns()
	for sample, want := range map[string]float64{
		`runner_callback_requests_total{callback="contacts",result="accepted"}`:  2,
		`runner_callback_requests_total{callback="contacts",result="duplicate"}`: 2,
		`runner_callback_requests_total{callback="contacts",result="unmatched"}`: 1,
	} {
		if got := g.metric(sample); got != want {
			t.Errorf("%s = %v, want %v", sample, got, want)
		}
	}
}

// TestReceiverBurst delivers 1,000 events at once: every one is answered
// 200 and runs once, with at most events.max_running runs at a time, and the
// runs of a forbid job one after the other.
func TestReceiverBurst(t *testing.T) {
	const n = 1000
	g := newReceiverRig(t, receiverJobs, false)
	var wg sync.WaitGroup
	codes := make(chan int, n)
	for i := range n {
		change := "create_user" // welcome: forbid
		if i%2 == 1 {
			change = "delete_user" // offboarding: allow
		}
		d := g.deliver(contactEvent(change, fmt.Sprintf("user%04d", i), g.now.Unix()))
		wg.Add(1)
		go func() {
			defer wg.Done()
			codes <- g.post(d).Code
		}()
	}
	wg.Wait()
	close(codes)
	for c := range codes {
		if c != http.StatusOK {
			t.Fatalf("an event of the burst was answered %d", c)
		}
	}
	users := map[string]int{}
	for _, a := range g.waitRuns(n) {
		users[a.event.Get("UserID")]++
	}
	if len(users) != n {
		t.Errorf("%d distinct events ran, want %d", len(users), n)
	}
	g.noMoreRuns()
	if most := g.most.Load(); most > 4 {
		t.Errorf("%d runs at once, more than max_running 4", most)
	}
	g.shutdown()
	for job, want := range map[string]int{"welcome": n / 2, "offboarding": n / 2} {
		runs, _ := g.store.Runs(t.Context(), job, 0)
		ok := 0
		for _, r := range runs {
			if r.Result == state.ResultOK {
				ok++
			}
		}
		if ok != want {
			t.Errorf("%s: %d runs ok, want %d", job, ok, want)
		}
	}
}

// TestReceiverFullQueue answers 503 when the queue is full, so that WeCom
// delivers the event again; the event is taken when it comes back.
func TestReceiverFullQueue(t *testing.T) {
	g := newReceiverRig(t, strings.Replace(receiverJobs, "queue: 2000", "queue: 2", 1), true)
	// The first run holds the welcome job; two more events fill the queue.
	for i := range 3 {
		if w := g.post(g.deliver(contactEvent("create_user", fmt.Sprintf("u%d", i), g.now.Unix()))); w.Code != http.StatusOK {
			t.Fatalf("event %d = %d", i, w.Code)
		}
		if i == 0 {
			g.waitRuns(1)
		}
	}
	late := contactEvent("create_user", "late", g.now.Unix())
	w := g.post(g.deliver(late))
	if w.Code != http.StatusServiceUnavailable || w.Header().Get("Retry-After") == "" {
		t.Fatalf("an event over the queue = %d, want 503 with Retry-After", w.Code)
	}
	g.release()
	g.waitRuns(2)
	g.idle()
	if w := g.post(g.deliver(late)); w.Code != http.StatusOK {
		t.Fatalf("the event delivered again = %d", w.Code)
	}
	if a := g.waitRuns(1)[0]; a.event.Get("UserID") != "late" {
		t.Errorf("run for %s, want late", a.event.Get("UserID"))
	}
}

// TestReceiverShutdown: when the runner stops, the running event's run
// ends with the grace period and the queued ones are recorded as
// interrupted, with their event; new events are answered 503.
func TestReceiverShutdown(t *testing.T) {
	g := newReceiverRig(t, receiverJobs, true)
	g.s.Config().Grace = 50 * time.Millisecond
	for i := range 3 {
		if w := g.post(g.deliver(contactEvent("create_user", fmt.Sprintf("u%d", i), g.now.Unix()))); w.Code != http.StatusOK {
			t.Fatalf("event %d = %d", i, w.Code)
		}
	}
	g.waitRuns(1)
	g.shutdown()
	if w := g.post(g.deliver(contactEvent("create_user", "after", g.now.Unix()))); w.Code != http.StatusServiceUnavailable {
		t.Errorf("an event after shutdown = %d, want 503", w.Code)
	}
	runs, err := g.store.Runs(t.Context(), "welcome", 0)
	if err != nil || len(runs) != 3 {
		t.Fatalf("runs = %d, %v; want 3", len(runs), err)
	}
	users := map[string]bool{}
	for _, r := range runs {
		if r.Result != state.ResultInterrupted || r.Event == nil || r.Trigger != state.TriggerEvent {
			t.Errorf("run %+v, want interrupted with its event", r)
			continue
		}
		ev, err := callback.ParseEvent([]byte(r.Event.XML))
		if err != nil {
			t.Fatal(err)
		}
		users[ev.Get("UserID")] = true
	}
	if len(users) != 3 {
		t.Errorf("the interrupted runs hold events of %v, want u0, u1, u2", users)
	}
}

// TestNonceSet checks the replay window's memory: nonces expire, and at most
// the limit are kept.
func TestNonceSet(t *testing.T) {
	n := nonceSet{limit: 3000}
	now := time.Unix(1700000000, 0)
	if !n.add("a", now, time.Minute) || n.add("a", now.Add(time.Second), time.Minute) {
		t.Fatal("a nonce is new once")
	}
	if !n.add("a", now.Add(2*time.Minute), time.Minute) {
		t.Error("an expired nonce is still known")
	}
	for i := range 10000 {
		n.add(strconv.Itoa(i), now.Add(3*time.Minute), time.Hour)
	}
	if len(n.seen) > n.limit || len(n.order)-n.head > n.limit {
		t.Errorf("%d nonces kept, more than %d", len(n.seen), n.limit)
	}
	if n.add("9999", now.Add(3*time.Minute), time.Hour) || !n.add("0", now.Add(3*time.Minute), time.Hour) {
		t.Error("the newest nonces are kept, the oldest dropped")
	}
}

// TestStatusShowsEvents: the status pages show a job's triggers, and a run's
// event with its XML.
func TestStatusShowsEvents(t *testing.T) {
	g := newReceiverRig(t, receiverJobs, false)
	if w := g.post(g.deliver(contactEvent("create_user", "xiaoming", g.now.Unix()))); w.Code != http.StatusOK {
		t.Fatal(w.Code)
	}
	g.waitRuns(1)
	g.idle()
	g.shutdown()
	runs, err := g.store.Runs(t.Context(), "welcome", 0)
	if err != nil || len(runs) != 1 {
		t.Fatalf("runs = %v, %v", runs, err)
	}
	info, err := g.s.JobInfo(t.Context(), "welcome")
	if err != nil || !slices.Equal(info.On, []string{"contacts: change_contact create_user"}) {
		t.Errorf("JobInfo(welcome).On = %q, %v", info.On, err)
	}
	srv := httptest.NewServer(StatusHandler(g.s))
	defer srv.Close()
	for path, want := range map[string][]string{
		"/":                                {"on contacts: change_contact create_user"},
		"/jobs/welcome":                    {"<dt>On</dt><dd>contacts: change_contact create_user</dd>", `event <span class="muted">change_contact</span>`},
		"/jobs/welcome/runs/" + runs[0].ID: {"event by callback contacts", "change_contact from callback contacts", runs[0].Event.Key, "&lt;UserID&gt;&lt;![CDATA[xiaoming]]&gt;&lt;/UserID&gt;"},
	} {
		code, body := httpGet(t, srv, path)
		if code != http.StatusOK {
			t.Errorf("%s: %d", path, code)
		}
		for _, w := range want {
			if !strings.Contains(body, w) {
				t.Errorf("%s lacks %q", path, w)
			}
		}
	}
}

// TestReceiversShareRedis: two instances sharing a Redis state, each with
// its receiver, get the same event (WeCom delivering it again, to the other
// instance behind a load balancer): the job runs once.
func TestReceiversShareRedis(t *testing.T) {
	redis := runfixture.StartRedis(t)
	cfg, err := eventConfig(t, receiverJobs)
	if err != nil {
		t.Fatal(err)
	}
	var runs atomic.Int32
	exec := execFunc(func(ctx context.Context, job *jobs.Job, a *scheduler.Attempt) error {
		runs.Add(1)
		return nil
	})
	crypto, err := callback.New(testCBToken, testCBKey, testCorpID)
	if err != nil {
		t.Fatal(err)
	}
	event := contactEvent("create_user", "xiaoming", time.Now().Unix())
	var receivers []*Receiver
	for _, name := range []string{"a", "b"} {
		store := redis.Open(t, state.RedisOptions{Instance: name})
		s, err := scheduler.New(cfg, exec, store, scheduler.Options{Logger: testLogger(t)})
		if err != nil {
			t.Fatal(err)
		}
		r := NewReceiver(s, ReceiverOptions{Logger: testLogger(t)})
		ctx, cancel := context.WithCancel(t.Context())
		done := make(chan struct{})
		go func() { r.Run(ctx); close(done) }()
		t.Cleanup(func() { cancel(); <-done })
		receivers = append(receivers, r)
	}
	for i, r := range receivers {
		enc := crypto.Encrypt([]byte(event))
		ts, nonce := strconv.FormatInt(time.Now().Unix(), 10), fmt.Sprint("n", i)
		q := url.Values{"msg_signature": {callback.Signature(testCBToken, ts, nonce, enc)}, "timestamp": {ts}, "nonce": {nonce}}
		w := httptest.NewRecorder()
		r.ServeHTTP(w, httptest.NewRequest(http.MethodPost, CallbackPrefix+"contacts?"+q.Encode(), strings.NewReader("<xml><Encrypt>"+enc+"</Encrypt></xml>")))
		if w.Code != http.StatusOK {
			t.Fatalf("instance %d answered %d", i, w.Code)
		}
	}
	for _, r := range receivers {
		if err := r.Idle(t.Context()); err != nil {
			t.Fatal(err)
		}
	}
	if n := runs.Load(); n != 1 {
		t.Errorf("the event ran %d times on two instances, want once", n)
	}
}
