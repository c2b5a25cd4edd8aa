package scheduler

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/robfig/cron/v3"

	"github.com/wecomrunner/runner/bindings"
	"github.com/wecomrunner/runner/wecom/emulator"

	"github.com/wecomrunner/runner/runtime/internal/runfixture"
	"github.com/wecomrunner/runner/runtime/jobs"
	"github.com/wecomrunner/runner/runtime/state"
	"github.com/wecomrunner/runner/runtime/vm"
)

// gateKV is a job's kv whose get("gate") blocks until the test opens the
// gate: a run held in flight at a point the test chooses.
type gateKV struct {
	*bindings.MemoryKV
	waiting chan struct{} // closed when the script reaches the gate
	open    chan struct{}
}

func newGateKV() *gateKV {
	return &gateKV{MemoryKV: bindings.NewMemoryKV(), waiting: make(chan struct{}), open: make(chan struct{})}
}

func (g *gateKV) Get(ctx context.Context, key string) (string, bool, error) {
	if key == "gate" {
		close(g.waiting)
		select {
		case <-g.open:
		case <-ctx.Done():
			return "", false, ctx.Err()
		}
	}
	return g.MemoryKV.Get(ctx, key)
}

// engineRig is an engine whose one client, "app", calls an emulator.
type engineRig struct {
	srv    *emulator.Server
	engine *Engine
	job    *jobs.Job
}

func newEngineRig(t *testing.T) *engineRig {
	t.Helper()
	srv := startEmulator(t, emulator.DemoOrg())
	// The script calls WeCom before and after the gate (when kv has one).
	proto, err := vm.CompileReader(strings.NewReader(`
		local wecom, kv = require("wecom"), require("kv")
		wecom.user.get("zhangsan")
		kv.get("gate")
		wecom.user.get("lisi")
	`), "reload.lua")
	if err != nil {
		t.Fatal(err)
	}
	r := &engineRig{srv: srv, job: &jobs.Job{Name: "sync", Script: "reload.lua", Client: "app", Proto: proto}}
	r.engine = NewEngine(r.config(0, "a"), EngineOptions{})
	return r
}

// config is a configuration whose client "app" is the emulator's app number
// app, with one job named job: configurations that differ by job only have
// equal clients.
func (r *engineRig) config(app int, job string) *jobs.Config {
	cred := r.srv.Credentials()
	return &jobs.Config{
		Clients: map[string]jobs.ClientConfig{"app": {
			CorpID: cred.CorpID, Secret: cred.Apps[app].Secret, AgentID: cred.Apps[app].AgentID, BaseURL: r.srv.BaseURL(),
		}},
		Jobs: []*jobs.Job{{Name: job, Schedule: "@daily"}},
	}
}

func (r *engineRig) execute(cfg *jobs.Config, kv *gateKV) error {
	a := &Attempt{RunID: "r", Number: 1, Logger: slog.New(slog.DiscardHandler), Stdout: io.Discard, Config: cfg}
	if kv != nil {
		a.KV = kv
	}
	return r.engine.Execute(context.Background(), r.job, a)
}

// agents returns the agent id of each user/get call so far, in order.
func (r *engineRig) agents() []int {
	var ids []int
	for _, req := range r.srv.Requests() {
		if req.API == "user/get" {
			ids = append(ids, req.AgentID)
		}
	}
	return ids
}

// TestEngineStringLimit: what a run's calls may read into a string (an
// http body here) is bounded by a quarter of its memory limit.
func TestEngineStringLimit(t *testing.T) {
	defer vm.SetMemoryLimit(vm.MemoryLimit())
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		block := strings.Repeat("x", 64<<10)
		for range 20 << 20 / len(block) { // 20 MiB, or until the client hangs up
			if _, err := io.WriteString(w, block); err != nil {
				return
			}
		}
	}))
	defer srv.Close()
	proto, err := vm.CompileReader(strings.NewReader(`require("http").get("`+srv.URL+`")`), "get.lua")
	if err != nil {
		t.Fatal(err)
	}
	job := &jobs.Job{Name: "get", Script: "get.lua", Proto: proto}
	cfg := &jobs.Config{MemoryLimit: 64 << 20, HTTPAllow: []string{"127.0.0.1"}, Jobs: []*jobs.Job{job}}
	a := &Attempt{RunID: "r", Number: 1, Logger: slog.New(slog.DiscardHandler), Stdout: io.Discard, Config: cfg}
	err = NewEngine(cfg, EngineOptions{}).Execute(t.Context(), job, a)
	want := "the response body has more than the limit of 16777216 bytes for a string (a quarter of memory_limit, at most 64 MiB)"
	if err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("error %v\nwant it to contain %q", err, want)
	}
}

// TestEngineReloadKeepsClients: a reload that only changes jobs keeps the
// client, so its access token (and its rate limiters, which the client
// owns) carry over: no second token fetch.
func TestEngineReloadKeepsClients(t *testing.T) {
	r := newEngineRig(t)
	before := r.engine.clients["app"].client
	if err := r.execute(r.config(0, "a"), nil); err != nil {
		t.Fatal(err)
	}
	if err := r.execute(r.config(0, "b"), nil); err != nil {
		t.Fatal(err)
	}
	if after := r.engine.clients["app"].client; after != before {
		t.Error("a reload that changed only the jobs replaced the client")
	}
	if n := r.srv.TokenRequests(); n != 1 {
		t.Errorf("%d token fetches over a reload that changed only the jobs, want 1", n)
	}
}

// TestEngineReloadChangesClient: a client whose settings change is rebuilt
// for the runs that start after the reload, while a run in flight finishes
// with the client it started with.
func TestEngineReloadChangesClient(t *testing.T) {
	r := newEngineRig(t)
	cred := r.srv.Credentials()
	oldAgent, newAgent := cred.Apps[0].AgentID, cred.Apps[1].AgentID

	gate := newGateKV()
	done := make(chan error, 1)
	go func() { done <- r.execute(r.config(0, "a"), gate) }()
	<-gate.waiting // the first run is in flight, between its two calls

	if err := r.execute(r.config(1, "a"), nil); err != nil {
		t.Fatal(err)
	}
	close(gate.open)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	// In order: the first run's first call, the second run's two calls with
	// the new client, then the first run's second call with the old one.
	want := []int{oldAgent, newAgent, newAgent, oldAgent}
	if got := r.agents(); !slices.Equal(got, want) {
		t.Errorf("user/get calls by agent %v, want %v", got, want)
	}
	if got := r.engine.clients["app"].cc.AgentID; got != newAgent {
		t.Errorf("the engine keeps the client of agent %d, want %d", got, newAgent)
	}
	// A removed client is forgotten.
	cfg := r.config(1, "a")
	cfg.Clients = nil
	r.job.Proto, _ = vm.CompileReader(strings.NewReader("return 1"), "noop.lua")
	if err := r.execute(cfg, nil); err != nil {
		t.Fatal(err)
	}
	if len(r.engine.clients) != 0 {
		t.Errorf("the engine keeps %d clients the configuration removed", len(r.engine.clients))
	}
}

func TestMentions(t *testing.T) {
	tests := []struct {
		src  string
		want bool
	}{
		{`local wecom = require("wecom") wecom.user.get("a")`, true},
		{`local user = require("wecom.user")`, true},
		{`print(wecom.user.get("a").name)`, true},
		{`local function f() return require("wecom") end`, true},
		{`local json = require("json") print(json.encode({wecomish = 1}))`, false},
		{`print("hello")`, false},
	}
	for _, tt := range tests {
		proto, err := vm.CompileReader(strings.NewReader(tt.src), "t.lua")
		if err != nil {
			t.Fatal(err)
		}
		if got := Mentions(proto, "wecom"); got != tt.want {
			t.Errorf("Mentions(%q, wecom) = %v, want %v", tt.src, got, tt.want)
		}
	}
}

// TestSchedulerReloadKeepsClients: through the scheduler, a reload that adds
// a job keeps the client and its token; one that changes the client's
// secret gets a new client for the next run.
func TestSchedulerReloadKeepsClients(t *testing.T) {
	r := newEngineRig(t)
	cfgFor := func(app int, names ...string) *jobs.Config {
		var jobs []*jobs.Job
		for _, name := range names {
			j := runfixture.Job(name, cron.Every(time.Hour))
			j.Client, j.Proto = "app", r.job.Proto
			jobs = append(jobs, j)
		}
		cfg := runfixture.Config(jobs...)
		cfg.Clients = r.config(app, "").Clients
		return cfg
	}
	cfg := cfgFor(0, "a")
	s, err := New(cfg, NewEngine(cfg, EngineOptions{}), runfixture.OpenBolt(t, state.BoltOptions{}), Options{})
	if err != nil {
		t.Fatal(err)
	}
	run := func(job string) {
		t.Helper()
		rec, err := s.RunNow(t.Context(), job)
		if err != nil || rec.Result != state.ResultOK {
			t.Fatalf("run of %s: %v, %+v", job, err, rec)
		}
	}
	run("a")
	if err := s.Reload(cfgFor(0, "a", "b")); err != nil {
		t.Fatal(err)
	}
	run("b")
	if n := r.srv.TokenRequests(); n != 1 {
		t.Errorf("%d token fetches after a reload that added a job, want 1", n)
	}
	if err := s.Reload(cfgFor(1, "a", "b")); err != nil {
		t.Fatal(err)
	}
	run("b")
	agents := r.agents()
	if n := r.srv.TokenRequests(); n != 2 || agents[len(agents)-1] != r.srv.Credentials().Apps[1].AgentID {
		t.Errorf("after a reload that changed the secret: %d token fetches, calls by agents %v", n, agents)
	}
}
