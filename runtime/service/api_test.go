package service

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/wecomrunner/runner/runtime/internal/runfixture"
	"github.com/wecomrunner/runner/runtime/jobs"
	"github.com/wecomrunner/runner/runtime/scheduler"
	"github.com/wecomrunner/runner/runtime/state"
)

// The control API tests run a real scheduler behind an httptest server and
// call it with ControlClient, as the command line does. Their jobs are
// disabled: only the requests of the tests run them.

const testToken = "test-control-token-0123456789"

// apiHarness is a scheduler running its schedule, served with the control
// API.
type apiHarness struct {
	*harness
	srv    *httptest.Server
	client *ControlClient
}

func startAPI(t *testing.T, exec scheduler.Executor, jobs []*jobs.Job, opts ...Option) *apiHarness {
	t.Helper()
	for _, j := range jobs {
		j.Enabled = false
	}
	h := start(t, runfixture.Config(jobs...), exec, nil)
	t.Cleanup(func() { h.Shutdown() })
	srv := httptest.NewServer(StatusHandler(h.S, append([]Option{WithControlToken(testToken)}, opts...)...))
	t.Cleanup(srv.Close)
	return &apiHarness{harness: h, srv: srv, client: NewControlClient(srv.URL, testToken)}
}

// request sends a raw request to the API with the test token.
func (a *apiHarness) request(t *testing.T, method, path, body string) (int, string) {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), method, a.srv.URL+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+testToken)
	resp, err := a.srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var b bytes.Buffer
	b.ReadFrom(resp.Body)
	return resp.StatusCode, b.String()
}

// waitRun waits until a run has ended and returns its record.
func (a *apiHarness) waitRun(t *testing.T, id string) state.RunRecord {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for {
		rec, err := a.client.Run(t.Context(), id)
		if err != nil {
			t.Fatal(err)
		}
		if rec.Ended() {
			return rec
		}
		if time.Now().After(deadline) {
			t.Fatalf("run %s has not ended: %+v", id, rec)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// wantStatus checks the status of an API error.
func wantStatus(t *testing.T, what string, err error, status int, text string) {
	t.Helper()
	var ce *ControlError
	if !errors.As(err, &ce) || ce.Status != status || !strings.Contains(ce.Msg, text) {
		t.Errorf("%s: %v, want status %d and %q", what, err, status, text)
	}
}

func TestAPIAuthentication(t *testing.T) {
	a := startAPI(t, blockUntilDone(nil, nil), []*jobs.Job{runfixture.Job("sync", every(time.Hour))})
	for _, tc := range []struct{ name, header string }{
		{"no token", ""},
		{"wrong token", "Bearer not-the-token"},
		{"token without Bearer", testToken},
	} {
		req, _ := http.NewRequest("POST", a.srv.URL+"/api/v1/jobs/sync/runs", nil)
		if tc.header != "" {
			req.Header.Set("Authorization", tc.header)
		}
		resp, err := a.srv.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var b bytes.Buffer
		b.ReadFrom(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusUnauthorized || !strings.Contains(b.String(), "missing or wrong control token") {
			t.Errorf("%s: %d %s", tc.name, resp.StatusCode, b.String())
		}
		if strings.Contains(b.String(), testToken) {
			t.Errorf("%s: the answer shows the token", tc.name)
		}
	}
	if runs := a.Runs("sync"); len(runs) != 0 {
		t.Errorf("unauthorized requests ran the job: %+v", runs)
	}
	if _, err := NewControlClient(a.srv.URL, "wrong").Jobs(t.Context()); err == nil {
		t.Error("a client with a wrong token listed the jobs")
	}

	// Without a token the API is off.
	srv := httptest.NewServer(StatusHandler(a.S))
	defer srv.Close()
	_, err := NewControlClient(srv.URL, "").Jobs(t.Context())
	wantStatus(t, "API without a token", err, http.StatusForbidden, "the control API is off")
}

func TestAPIRunNow(t *testing.T) {
	var mu sync.Mutex
	var seen []*scheduler.Attempt
	exec := execFunc(func(ctx context.Context, job *jobs.Job, a *scheduler.Attempt) error {
		mu.Lock()
		seen = append(seen, a)
		mu.Unlock()
		a.Logger.Info("working", "who", a.Args["who"])
		return nil
	})
	job := runfixture.Job("sync", every(time.Hour), func(j *jobs.Job) { j.Args = map[string]any{"source": "hr.csv", "who": "nobody"} })
	a := startAPI(t, exec, []*jobs.Job{job})
	ctx := t.Context()
	nextBefore := a.S.Jobs()[0].Next

	rec, err := a.client.RunNow(ctx, "sync", RunBody{Args: map[string]any{"who": "alice"}, DryRun: true, By: "alice@laptop"})
	if err != nil {
		t.Fatal(err)
	}
	if rec.Trigger != state.TriggerManual || rec.By != "alice@laptop" || !rec.DryRun || rec.Args != `{"who":"alice"}` || rec.Result != state.ResultRunning {
		t.Errorf("the started run = %+v", rec)
	}
	var log bytes.Buffer
	if err := a.client.Log(ctx, rec.ID, 0, true, &log); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`msg="run started" trigger=manual`, "by=alice@laptop", "dry_run=true", "msg=working attempt=1 who=alice", `msg="run finished" result=ok`} {
		if !strings.Contains(log.String(), want) {
			t.Errorf("the followed log lacks %q:\n%s", want, log.String())
		}
	}
	if got := a.waitRun(t, rec.ID); got.Result != state.ResultOK {
		t.Errorf("run = %+v", got)
	}
	mu.Lock()
	at := seen[0]
	mu.Unlock()
	if at.Args["source"] != "hr.csv" || at.Args["who"] != "alice" || !at.DryRun || at.Trigger != state.TriggerManual {
		t.Errorf("the attempt got args %v, dry run %v, trigger %v", at.Args, at.DryRun, at.Trigger)
	}
	if job.Args["who"] != "nobody" {
		t.Error("the manual run's args changed the job's")
	}
	if next := a.S.Jobs()[0].Next; !next.Equal(nextBefore) {
		t.Errorf("the manual run moved the schedule: next %v, was %v", next, nextBefore)
	}

	runs, err := a.client.Runs(ctx, "sync", 0)
	if err != nil || len(runs) != 1 || runs[0].ID != rec.ID || runs[0].By != "alice@laptop" {
		t.Errorf("Runs = %+v, %v", runs, err)
	}
	jobs, err := a.client.Jobs(ctx)
	if err != nil || len(jobs) != 1 || jobs[0].LastSuccess == nil || jobs[0].LastSuccess.ID != rec.ID || jobs[0].LastFailure != nil {
		t.Errorf("Jobs = %+v, %v", jobs, err)
	}
	// A log read without follow, from a line on.
	var rest bytes.Buffer
	if err := a.client.Log(ctx, rec.ID, 0, false, &rest); err != nil || rest.String() != log.String() {
		t.Errorf("the log read again differs: %v\n%s", err, rest.String())
	}
	if code, body := a.request(t, "GET", "/api/v1/runs/"+rec.ID+"/log?from=1", ""); code != 200 || strings.Contains(body, "run started") || !strings.Contains(body, "run finished") {
		t.Errorf("log from line 1: %d\n%s", code, body)
	}
	all := strings.Split(strings.TrimSuffix(log.String(), "\n"), "\n")
	page, total, err := a.client.LogLines(ctx, rec.ID, 1, 1)
	if err != nil || total != len(all) || len(page) != 1 || page[0] != all[1] {
		t.Errorf("LogLines(from 1, 1 line) = %q, %d, %v; the log has %d lines", page, total, err, len(all))
	}
	if code, body := a.request(t, "GET", "/api/v1/runs/"+rec.ID+"/log?lines=x", ""); code != 400 {
		t.Errorf("lines=x: %d %s", code, body)
	}
}

func TestAPIRefusals(t *testing.T) {
	started := make(chan string, 4)
	release := make(chan struct{})
	a := startAPI(t, blockUntilDone(started, release), []*jobs.Job{
		runfixture.Job("sync", every(time.Hour)),
		runfixture.Job("report", every(time.Hour)),
	})
	ctx := t.Context()

	_, err := a.client.RunNow(ctx, "nope", RunBody{})
	wantStatus(t, "run of an unknown job", err, 404, `no job "nope" in jobs.yaml`)
	_, err = a.client.Run(ctx, "20250101-000000.000-abcdef")
	wantStatus(t, "an unknown run", err, 404, "no run 20250101-000000.000-abcdef")
	_, err = a.client.Cancel(ctx, "20250101-000000.000-abcdef", "")
	wantStatus(t, "cancel of an unknown run", err, 404, "no run")
	_, err = a.client.Pause(ctx, "nope", "")
	wantStatus(t, "pause of an unknown job", err, 404, `no job "nope"`)

	// With forbid, a second run while the first goes on is refused.
	first, err := a.client.RunNow(ctx, "sync", RunBody{By: "alice"})
	if err != nil {
		t.Fatal(err)
	}
	<-started
	_, err = a.client.RunNow(ctx, "sync", RunBody{By: "bob"})
	wantStatus(t, "a second run with forbid", err, 409, "sync is still running (run "+first.ID+"); its concurrency is forbid")
	close(release)
	if rec := a.waitRun(t, first.ID); rec.Result != state.ResultOK {
		t.Errorf("first run = %+v", rec)
	}
	_, err = a.client.Cancel(ctx, first.ID, "bob")
	wantStatus(t, "cancel of a finished run", err, 409, "run "+first.ID+" of sync has already ended: ok")

	// A paused job refuses manual runs until resumed.
	info, err := a.client.Pause(ctx, "report", "carol@host")
	if err != nil || info.Paused == nil || info.Paused.By != "carol@host" || !info.Next.IsZero() {
		t.Fatalf("Pause = %+v, %v", info, err)
	}
	_, err = a.client.RunNow(ctx, "report", RunBody{})
	wantStatus(t, "run of a paused job", err, 409, "report is paused (by carol@host at ")
	if info, err := a.client.Resume(ctx, "report", "carol@host"); err != nil || info.Paused != nil {
		t.Errorf("Resume = %+v, %v", info, err)
	}

	// Bad bodies.
	big := `{"by": "` + strings.Repeat("x", 10<<20) + `"}`
	if code, body := a.request(t, "POST", "/api/v1/jobs/report/runs", big); code != 413 || !strings.Contains(body, "larger than 64 KiB") {
		t.Errorf("a 10 MB body: %d %s", code, body)
	}
	for _, bad := range []string{`{"args": 1}`, `{"dry-run": true}`, `not json`, `{"args": {"a b": 1}}`, `{"by": "x\ny"}`} {
		if code, body := a.request(t, "POST", "/api/v1/jobs/report/runs", bad); code != 400 {
			t.Errorf("body %s: %d %s", bad, code, body)
		}
	}
	if code, _ := a.request(t, "GET", "/api/v1/jobs/report/runs?limit=x", ""); code != 400 {
		t.Errorf("limit=x: %d", code)
	}
	if code, _ := a.request(t, "GET", "/api/v1/nothing", ""); code != 404 {
		t.Errorf("an unknown API: %d", code)
	}
	if runs := a.Runs("report"); len(runs) != 0 {
		t.Errorf("refused requests ran or recorded report: %+v", runs)
	}
	if runs := a.Runs("sync"); len(runs) != 1 {
		t.Errorf("sync has %d runs, want the first only", len(runs))
	}
}

// TestAPICancel cancels a run while its log is followed: the follow ends
// with the run, which is interrupted and says who cancelled it.
func TestAPICancel(t *testing.T) {
	started := make(chan string, 1)
	a := startAPI(t, blockUntilDone(started, nil), []*jobs.Job{runfixture.Job("sync", every(time.Hour))})
	ctx := t.Context()
	rec, err := a.client.RunNow(ctx, "sync", RunBody{})
	if err != nil {
		t.Fatal(err)
	}
	<-started
	followed := make(chan string)
	go func() {
		var b bytes.Buffer
		if err := a.client.Log(ctx, rec.ID, 0, true, &b); err != nil {
			t.Error(err)
		}
		followed <- b.String()
	}()
	got, err := a.client.Cancel(ctx, rec.ID, "bob@host")
	if err != nil {
		t.Fatal(err)
	}
	if got.Result != state.ResultInterrupted || got.Error != "cancelled by bob@host" {
		t.Errorf("cancelled run = %+v", got)
	}
	select {
	case log := <-followed:
		if !strings.Contains(log, `msg="run finished" result=interrupted`) || !strings.Contains(log, `error="cancelled by bob@host"`) {
			t.Errorf("the followed log:\n%s", log)
		}
	case <-time.After(time.Minute):
		t.Fatal("the follow of a cancelled run did not end")
	}
}

func TestAPIReloadAndService(t *testing.T) {
	var fail bool
	reload := func() error {
		if fail {
			return jobs.Problems{{File: "jobs.yaml", Line: 3, Job: "sync", Msg: `schedule: "often" is not a valid schedule`}}
		}
		return nil
	}
	a := startAPI(t, blockUntilDone(nil, nil), []*jobs.Job{runfixture.Job("sync", every(time.Hour))}, WithReload(reload), WithEmulator())
	ctx := t.Context()
	if n, err := a.client.Reload(ctx); err != nil || n != 1 {
		t.Errorf("Reload = %d, %v", n, err)
	}
	fail = true
	_, err := a.client.Reload(ctx)
	wantStatus(t, "reload of a bad file", err, 422, `jobs.yaml:3: job "sync": schedule: "often" is not a valid schedule`)

	svc, err := a.client.Service(ctx)
	if err != nil || !svc.Emulator || svc.Instance != a.Store.Instance() || svc.File != "jobs.yaml" {
		t.Errorf("Service = %+v, %v", svc, err)
	}
}

// postRun sends POST /api/v1/jobs/{job}/runs to the API at base with an
// Idempotency-Key, and returns the status, the run and whether the answer
// was a replay.
func postRun(t *testing.T, base, job, key, body string) (int, state.RunRecord, bool) {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), "POST", base+"/api/v1/jobs/"+job+"/runs", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+testToken)
	req.Header.Set("Idempotency-Key", key)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var rec state.RunRecord
	json.NewDecoder(resp.Body).Decode(&rec)
	return resp.StatusCode, rec, resp.Header.Get("Idempotent-Replayed") == "true"
}

// waitEnded waits until the store has the run ended.
func waitEnded(t *testing.T, store state.Store, job, id string) state.RunRecord {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for {
		rec, err := store.Run(t.Context(), job, id)
		if err == nil && rec.Ended() {
			return rec
		}
		if time.Now().After(deadline) {
			t.Fatalf("run %s has not ended: %+v, %v", id, rec, err)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestAPIRunNowIdempotent: a request that repeats the Idempotency-Key of
// an earlier one for the same job returns that run and starts none; the
// key is the job's (another job's request with it runs), bound to its
// arguments, and forgotten when its run was refused.
func TestAPIRunNowIdempotent(t *testing.T) {
	var runs atomic.Int32
	a := startAPI(t, counting(&runs), []*jobs.Job{runfixture.Job("sync", every(time.Hour)), runfixture.Job("report", every(time.Hour))})
	base := a.srv.URL

	code, first, replayed := postRun(t, base, "sync", "k-1", `{"args": {"who": "alice"}, "by": "alice"}`)
	if code != http.StatusAccepted || replayed || first.ID == "" {
		t.Fatalf("first request: %d, replayed %v, %+v", code, replayed, first)
	}
	a.waitRun(t, first.ID)
	code, again, replayed := postRun(t, base, "sync", "k-1", `{"args": {"who": "alice"}, "by": "alice"}`)
	if code != http.StatusOK || !replayed || again.ID != first.ID || again.Result != state.ResultOK {
		t.Errorf("the request again: %d, replayed %v, %+v; want 200, the first run (%s), ended", code, replayed, again, first.ID)
	}
	if code, _, _ := postRun(t, base, "sync", "k-1", `{"args": {"who": "bob"}}`); code != http.StatusUnprocessableEntity {
		t.Errorf("the key with other arguments: %d, want 422", code)
	}
	if code, _, _ := postRun(t, base, "sync", "k-1", `{"args": {"who": "alice"}, "dry_run": true}`); code != http.StatusUnprocessableEntity {
		t.Errorf("the key with dry_run: %d, want 422", code)
	}
	code, other, _ := postRun(t, base, "report", "k-1", `{}`)
	if code != http.StatusAccepted || other.ID == first.ID {
		t.Errorf("the key for another job: %d, %+v; want a run of its own", code, other)
	}
	a.waitRun(t, other.ID)

	// A refused run does not keep its key.
	if _, err := a.client.Pause(t.Context(), "report", "carol"); err != nil {
		t.Fatal(err)
	}
	if code, _, _ := postRun(t, base, "report", "k-2", `{}`); code != http.StatusConflict {
		t.Errorf("run of a paused job: %d, want 409", code)
	}
	if _, err := a.client.Resume(t.Context(), "report", "carol"); err != nil {
		t.Fatal(err)
	}
	code, later, replayed := postRun(t, base, "report", "k-2", `{}`)
	if code != http.StatusAccepted || replayed {
		t.Errorf("the key of a refused request, again once resumed: %d, replayed %v", code, replayed)
	}
	a.waitRun(t, later.ID)

	for _, bad := range []string{"with space", strings.Repeat("k", 256), "ключ"} {
		if code, _, _ := postRun(t, base, "sync", bad, `{}`); code != http.StatusBadRequest {
			t.Errorf("Idempotency-Key %.20q: %d, want 400", bad, code)
		}
	}
	if code, _, _ := postRun(t, base, "nope", "k-3", `{}`); code != http.StatusNotFound {
		t.Errorf("an unknown job with a key: %d, want 404", code)
	}
	if n := runs.Load(); n != 3 {
		t.Errorf("%d runs, want 3: sync once, report twice", n)
	}
	if got := len(a.Runs("sync")); got != 1 {
		t.Errorf("sync has %d runs recorded, want 1", got)
	}
}

// counting is an executor whose runs succeed, counted in runs.
func counting(runs *atomic.Int32) scheduler.Executor {
	return execFunc(func(ctx context.Context, job *jobs.Job, at *scheduler.Attempt) error {
		runs.Add(1)
		return nil
	})
}

// serveSync returns a function that serves the control API of a scheduler
// of a job sync, disabled, on a store, and returns its URL; the runs of
// sync count in runs.
func serveSync(t *testing.T, runs *atomic.Int32) func(store state.Store) string {
	exec := counting(runs)
	cfg := runfixture.Config(runfixture.Job("sync", every(time.Hour), func(j *jobs.Job) { j.Enabled = false }))
	return func(store state.Store) string {
		s, err := scheduler.New(cfg, exec, store, scheduler.Options{Logger: testLogger(t)})
		if err != nil {
			t.Fatal(err)
		}
		srv := httptest.NewServer(StatusHandler(s, WithControlToken(testToken)))
		t.Cleanup(srv.Close)
		return srv.URL
	}
}

// TestAPIRunNowIdempotentAcrossInstances: the key is kept in the state, so
// that the instances sharing a Redis state, and a serve restarted on its
// bbolt file, return the first request's run.
func TestAPIRunNowIdempotentAcrossInstances(t *testing.T) {
	var runs atomic.Int32
	serve := serveSync(t, &runs)

	redis := runfixture.StartRedis(t)
	a, b := redis.Open(t, state.RedisOptions{Instance: "a"}), redis.Open(t, state.RedisOptions{Instance: "b"})
	_, first, _ := postRun(t, serve(a), "sync", "k-redis", `{}`)
	waitEnded(t, a, "sync", first.ID)
	code, again, replayed := postRun(t, serve(b), "sync", "k-redis", `{}`)
	if code != http.StatusOK || !replayed || again.ID != first.ID || again.Instance != "a" {
		t.Errorf("the request again, to the other instance: %d, replayed %v, %+v; want the run %s of instance a", code, replayed, again, first.ID)
	}

	path := filepath.Join(t.TempDir(), "state.db")
	bolt, err := state.OpenBolt(path, state.BoltOptions{})
	if err != nil {
		t.Fatal(err)
	}
	_, first, _ = postRun(t, serve(bolt), "sync", "k-bolt", `{}`)
	waitEnded(t, bolt, "sync", first.ID)
	bolt.Close()
	if bolt, err = state.OpenBolt(path, state.BoltOptions{}); err != nil {
		t.Fatal(err)
	}
	defer bolt.Close()
	code, again, replayed = postRun(t, serve(bolt), "sync", "k-bolt", `{}`)
	if code != http.StatusOK || !replayed || again.ID != first.ID {
		t.Errorf("the request again, after a restart: %d, replayed %v, %+v; want the run %s", code, replayed, again, first.ID)
	}
	if n := runs.Load(); n != 2 {
		t.Errorf("%d runs, want 2: one per key", n)
	}
}

// dyingStore is the state of a serve killed right after it recorded an
// Idempotency-Key: die ends the store once Remember has recorded one.
type dyingStore struct {
	state.Store
	die func()
}

func (s dyingStore) Remember(ctx context.Context, key, value string, ttl time.Duration) (string, error) {
	held, err := s.Store.Remember(ctx, key, value, ttl)
	s.die()
	return held, err
}

// TestAPIRunNowKeyOfADeadServe: a serve killed between recording a
// request's Idempotency-Key and starting its run leaves the key without a
// run. The request sent again, to another instance or to the serve
// restarted, starts the run, once; sent once more it answers that run.
func TestAPIRunNowKeyOfADeadServe(t *testing.T) {
	var runs atomic.Int32
	serve := serveSync(t, &runs)
	// post sends the request until it is no longer answered 409: the dead
	// serve's heartbeat may outlive a first wait.
	type answer struct {
		code     int
		rec      state.RunRecord
		replayed bool
	}
	post := func(base, key string) answer {
		for deadline := time.Now().Add(time.Minute); ; {
			code, rec, replayed := postRun(t, base, "sync", key, `{"by": "alice"}`)
			if code != http.StatusConflict || time.Now().After(deadline) {
				return answer{code, rec, replayed}
			}
		}
	}

	redis := runfixture.StartRedis(t)
	dead := redis.Open(t, state.RedisOptions{Instance: "dead", Heartbeat: time.Second})
	if code, _, _ := postRun(t, serve(dyingStore{dead, dead.Crash}), "sync", "k-redis", `{"by": "alice"}`); code != http.StatusInternalServerError {
		t.Fatalf("the request to the serve that dies: %d, want 500", code)
	}
	// Two instances get the request again at once: one run.
	b, c := redis.Open(t, state.RedisOptions{Instance: "b"}), redis.Open(t, state.RedisOptions{Instance: "c"})
	baseB, baseC := serve(b), serve(c)
	var wg sync.WaitGroup
	var fromB, fromC answer
	wg.Go(func() { fromB = post(baseB, "k-redis") })
	wg.Go(func() { fromC = post(baseC, "k-redis") })
	wg.Wait()
	first, second := fromB, fromC
	if fromB.replayed {
		first, second = fromC, fromB
	}
	if first.code != http.StatusAccepted || first.replayed || second.code != http.StatusOK || !second.replayed || first.rec.ID != second.rec.ID {
		t.Fatalf("the request again to two instances at once: %+v and %+v; want 202 with a run, and 200 with that run", fromB, fromC)
	}
	waitEnded(t, b, "sync", first.rec.ID)
	if again := post(baseB, "k-redis"); again.code != http.StatusOK || again.rec.ID != first.rec.ID {
		t.Errorf("the request once more: %+v, want 200 and the run %s", again, first.rec.ID)
	}
	if n := runs.Load(); n != 1 {
		t.Errorf("%d runs after the requests to the instances sharing Redis, want 1", n)
	}

	path := filepath.Join(t.TempDir(), "state.db")
	bolt, err := state.OpenBolt(path, state.BoltOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if code, _, _ := postRun(t, serve(dyingStore{bolt, func() { bolt.Close() }}), "sync", "k-bolt", `{}`); code != http.StatusInternalServerError {
		t.Fatalf("the request to the serve that dies: %d, want 500", code)
	}
	if bolt, err = state.OpenBolt(path, state.BoltOptions{}); err != nil {
		t.Fatal(err)
	}
	defer bolt.Close()
	// The restarted serve's state is another session: no wait.
	base := serve(bolt)
	code, rec, replayed := postRun(t, base, "sync", "k-bolt", `{}`)
	if code != http.StatusAccepted || replayed {
		t.Fatalf("the request again, to the restarted serve: %d, replayed %v; want 202", code, replayed)
	}
	waitEnded(t, bolt, "sync", rec.ID)
	if code, again, _ := postRun(t, base, "sync", "k-bolt", `{}`); code != http.StatusOK || again.ID != rec.ID {
		t.Errorf("the request once more: %d, %+v; want 200 and the run %s", code, again, rec.ID)
	}
	if n := runs.Load(); n != 2 {
		t.Errorf("%d runs, want 2: one per key", n)
	}
}

// TestAPIRunNowKeyStarting: a request whose key is held by a live session
// that has not started its run waits for it, and answers 409 when it does
// not start within the wait; a key recorded longer than startBound ago
// whose run is not in the history is taken over.
func TestAPIRunNowKeyStarting(t *testing.T) {
	var runs atomic.Int32
	a := startAPI(t, counting(&runs), []*jobs.Job{runfixture.Job("sync", every(time.Hour))})
	store := a.S.Store()
	record := func(key string, at time.Time, started bool) {
		t.Helper()
		k := keyRecord{digest: requestPrint(scheduler.RunRequest{}), id: state.NewRunID(at), session: store.Session(), at: at, started: started}
		if _, err := store.Remember(t.Context(), "run-now\x00sync\x00"+key, k.String(), IdempotencyTTL); err != nil {
			t.Fatal(err)
		}
	}

	record("starting", time.Now(), false)
	began := time.Now()
	if code, _, _ := postRun(t, a.srv.URL, "sync", "starting", `{}`); code != http.StatusConflict {
		t.Errorf("a key whose run is starting: %d, want 409", code)
	}
	if waited := time.Since(began); waited < startWait {
		t.Errorf("answered after %v, want a wait of %v for the run to start", waited, startWait)
	}

	record("stale", time.Now().Add(-2*startBound), false)
	code, rec, replayed := postRun(t, a.srv.URL, "sync", "stale", `{}`)
	if code != http.StatusAccepted || replayed {
		t.Fatalf("a key recorded %v ago without a run: %d, replayed %v; want 202", 2*startBound, code, replayed)
	}
	a.waitRun(t, rec.ID)
	if code, again, replayed := postRun(t, a.srv.URL, "sync", "stale", `{}`); code != http.StatusOK || !replayed || again.ID != rec.ID {
		t.Errorf("the taken-over key again: %d, replayed %v, %+v; want the run %s", code, replayed, again, rec.ID)
	}

	// A run started long ago and since dropped from the history is not
	// started again.
	record("dropped", time.Now().Add(-2*startBound), true)
	if code, _, _ := postRun(t, a.srv.URL, "sync", "dropped", `{}`); code != http.StatusConflict {
		t.Errorf("a key whose run left the history: %d, want 409", code)
	}
	if n := runs.Load(); n != 1 {
		t.Errorf("%d runs, want 1", n)
	}
}

// TestControlClientRunNowOnce: when the answer to the first request is
// lost, RunNowOnce sends it again with the same key, and gets the run the
// first one started: one run.
func TestControlClientRunNowOnce(t *testing.T) {
	var runs atomic.Int32
	a := startAPI(t, counting(&runs), []*jobs.Job{runfixture.Job("sync", every(time.Hour))})
	var mu sync.Mutex
	var keys []string // of the requests, in order
	api := StatusHandler(a.S, WithControlToken(testToken))
	lossy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		keys = append(keys, r.Header.Get("Idempotency-Key"))
		n := len(keys)
		mu.Unlock()
		if n > 1 {
			api.ServeHTTP(w, r)
			return
		}
		// The serve handles the first request; its answer is lost.
		api.ServeHTTP(httptest.NewRecorder(), r)
		conn, _, err := w.(http.Hijacker).Hijack()
		if err != nil {
			t.Error(err)
			return
		}
		conn.Close()
	}))
	defer lossy.Close()
	c := NewControlClient(lossy.URL, testToken)
	c.retryDelay = time.Millisecond
	rec, err := c.RunNowOnce(t.Context(), "sync", "cli-key", RunBody{By: "alice"})
	if err != nil {
		t.Fatal(err)
	}
	a.waitRun(t, rec.ID)
	mu.Lock()
	if len(keys) < 2 || slices.ContainsFunc(keys, func(k string) bool { return k != "cli-key" }) {
		t.Errorf("the requests' keys: %q, want cli-key for the first and a retry", keys)
	}
	mu.Unlock()
	if got := runs.Load(); got != 1 {
		t.Errorf("%d runs, want 1", got)
	}
	if recs := a.Runs("sync"); len(recs) != 1 || recs[0].ID != rec.ID {
		t.Errorf("runs recorded: %+v, want %s only", recs, rec.ID)
	}
}
