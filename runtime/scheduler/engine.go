package scheduler

import (
	"cmp"
	"context"
	"io"
	"log/slog"
	"path/filepath"
	"strings"
	"sync"
	"time"

	lua "github.com/yuin/gopher-lua"

	"github.com/wecomrunner/runner/bindings"
	"github.com/wecomrunner/runner/wecom"

	"github.com/wecomrunner/runner/runtime/jobs"
	"github.com/wecomrunner/runner/runtime/state"
	"github.com/wecomrunner/runner/runtime/vm"
)

// Engine runs job scripts with the configuration's WeCom clients. It
// implements Executor, and follows reloads: each attempt runs with the
// configuration it carries (Attempt.Config), whose clients, directories, Lua
// path and env allow-list it uses. A client is built once and shared by every
// run while its settings stay the same, so that runs share its access token
// and rate limits across reloads that only change jobs; a client whose
// settings changed is rebuilt for the runs that start after the reload, while
// the runs in flight finish with the one they started with.
type Engine struct {
	cfg     *jobs.Config // the configuration of attempts that carry none
	opts    EngineOptions
	history bindings.History

	mu      sync.Mutex
	clients map[string]engineClient // by client name
}

// engineClient is a client with the settings it was built from.
type engineClient struct {
	cc     jobs.ClientConfig
	client *wecom.Client
}

// EngineOptions configure NewEngine.
type EngineOptions struct {
	// Getenv reads the environment for env.get (the allow-list is the
	// configuration's env:).
	Getenv func(string) string
	// BaseURL, when set, replaces every client's base URL (--base-url, the
	// emulator).
	BaseURL string
	// Store keeps access tokens across restarts and instances, and answers
	// history.last; nil keeps tokens in memory only.
	Store state.Store
	// Metrics counts API calls and token fetches; nil counts nothing.
	Metrics *Metrics
	// DryRun, when set, receives every write instead of WeCom.
	DryRun func(wecom.DryRun)
	// Progress receives progress lines of long work; nil when stderr is not a terminal.
	Progress io.Writer
	// Client options added to every client (timeouts, retries) — for tests.
	ClientOptions []wecom.Option
}

// NewEngine returns an engine that runs attempts with the clients of cfg, or
// of the configuration an attempt carries.
func NewEngine(cfg *jobs.Config, opts EngineOptions) *Engine {
	e := &Engine{cfg: cfg, opts: opts}
	if opts.Store != nil {
		e.history = storeHistory{opts.Store}
	}
	e.clientsOf(cfg)
	return e
}

// clientsOf returns the clients of cfg by name: the ones already built when
// their settings did not change, new ones otherwise. Clients cfg no longer
// has are forgotten (runs that hold them keep them).
func (e *Engine) clientsOf(cfg *jobs.Config) map[string]*wecom.Client {
	e.mu.Lock()
	defer e.mu.Unlock()
	built := make(map[string]engineClient, len(cfg.Clients))
	out := make(map[string]*wecom.Client, len(cfg.Clients))
	for name, cc := range cfg.Clients {
		ec, ok := e.clients[name]
		if !ok || ec.cc != cc {
			ec = engineClient{cc: cc, client: e.newClient(cc, e.opts.DryRun)}
		}
		built[name], out[name] = ec, ec.client
	}
	e.clients = built
	return out
}

// newClient builds the client of one clients: entry; dryRun, when set,
// receives its writes instead of WeCom.
func (e *Engine) newClient(cc jobs.ClientConfig, dryRun func(wecom.DryRun)) *wecom.Client {
	opts := e.opts
	var o []wecom.Option
	if base := cmp.Or(opts.BaseURL, cc.BaseURL); base != "" {
		o = append(o, wecom.WithBaseURL(base))
	}
	if cc.AgentID != 0 {
		o = append(o, wecom.WithAgentID(cc.AgentID))
	}
	if cc.Timeout > 0 {
		o = append(o, wecom.WithTimeout(cc.Timeout))
	}
	o = append(o, rateLimitOptions(cc)...)
	if opts.Store != nil {
		o = append(o, wecom.WithTokenCache(opts.Store))
	}
	if m := opts.Metrics; m != nil {
		o = append(o, wecom.WithHook(func(c wecom.Call) {
			if c.API == "gettoken" {
				m.TokenFetch()
			}
			m.APICall(c.API, c.Errcode, c.Duration)
		}))
	}
	if dryRun != nil {
		o = append(o, wecom.WithDryRun(dryRun))
	}
	o = append(o, opts.ClientOptions...)
	return wecom.New(cc.CorpID, cc.Secret, o...)
}

// Execute runs one attempt of job: its compiled script in a fresh sandbox,
// with the job's client as the default one. The attempt's arguments replace
// the job's when set; a dry-run attempt gets clients of its own, which log
// the writes they hold back to the attempt's logger.
func (e *Engine) Execute(ctx context.Context, job *jobs.Job, a *Attempt) error {
	cfg := a.Config
	if cfg == nil {
		cfg = e.cfg
	}
	vm.SetMemoryLimit(cmp.Or(cfg.MemoryLimit, vm.DefaultMemoryLimit))
	kv := a.KV
	if kv == nil {
		kv = bindings.NewMemoryKV()
	}
	args := job.Args
	if a.Args != nil {
		args = a.Args
	}
	clients := e.clientsOf(cfg)
	if a.DryRun && e.opts.DryRun == nil {
		log := a.Logger
		for name := range clients {
			clients[name] = e.newClient(cfg.Clients[name], func(w wecom.DryRun) { LogDryRun(log, w) })
		}
	}
	if a.Logger != nil {
		ctx = wecom.ContextWithTrace(ctx, logRateLimitWaits(a.Logger))
	}
	return vm.Run(ctx, &vm.Script{
		Proto:   job.Proto,
		Path:    job.Script,
		LibDirs: cfg.LuaPath,
		Env: &bindings.Env{
			Clients:   clients,
			Default:   job.Client,
			Logger:    a.Logger,
			Stdout:    a.Stdout,
			Args:      args,
			Event:     a.Event,
			Getenv:    e.opts.Getenv,
			EnvAllow:  cfg.Env,
			HTTPAllow: cfg.HTTPAllow,
			Dirs:      cfg.Dirs,
			ReadOnly:  append(cfg.ReadOnly(), filepath.Dir(job.Script)),
			Private:   cfg.Private(),
			KV:        kv,
			History:   e.history,
			Progress:  e.opts.Progress,
			// What a call may read into a string (a download, an http
			// body): the run's string limit, from its memory limit.
			StringLimit: int64(vm.StringLimit()),
		},
	})
}

// LogDryRun logs a write that a dry run held back.
func LogDryRun(l *slog.Logger, w wecom.DryRun) {
	l.Info("dry run: not sent", "method", w.Method, "api", w.API, "query", w.Query, "body", string(w.Body))
}

// storeHistory answers history.last from a Store: the latest finished run
// that was not skipped.
type storeHistory struct{ store state.Store }

// LastRun implements bindings.History.
func (h storeHistory) LastRun(ctx context.Context, job string) (bindings.RunSummary, bool, error) {
	runs, err := h.store.Runs(ctx, job, 0)
	if err != nil {
		return bindings.RunSummary{}, false, err
	}
	for _, r := range runs {
		if r.Result == state.ResultRunning || r.Result == state.ResultSkipped {
			continue
		}
		return bindings.RunSummary{ID: r.ID, Result: string(r.Result), Error: r.Error, Started: r.Started, Finished: r.Finished}, true, nil
	}
	return bindings.RunSummary{}, false, nil
}

// Mentions reports whether the compiled script names the module: a string
// constant equal to it or to one of its submodules (require("wecom"),
// require("wecom.user"), a global wecom). It lets a command refuse, before
// the run, a script that calls WeCom when no client is configured.
func Mentions(proto *lua.FunctionProto, module string) bool {
	for _, c := range proto.Constants {
		if s, ok := c.(lua.LString); ok && (string(s) == module || strings.HasPrefix(string(s), module+".")) {
			return true
		}
	}
	for _, p := range proto.FunctionPrototypes {
		if Mentions(p, module) {
			return true
		}
	}
	return false
}

// rateLimitOptions are the client options of cc's rate_limit: and
// rate_limit_wait:.
func rateLimitOptions(cc jobs.ClientConfig) []wecom.Option {
	var o []wecom.Option
	switch {
	case cc.RateLimit.Off:
		o = append(o, wecom.WithRateLimit(0))
	case cc.RateLimit.PerMinute > 0:
		o = append(o, wecom.WithRateLimit(cc.RateLimit.PerMinute))
	}
	if cc.RateLimitWait.Set {
		o = append(o, wecom.WithRateLimitWait(cc.RateLimitWait.Wait))
	}
	return o
}

// logRateLimitWaits returns a trace that logs each wait on WeCom's
// frequency limit to a run's log: the API, how long, and why.
func logRateLimitWaits(l *slog.Logger) *wecom.Trace {
	return &wecom.Trace{RateLimitWait: func(w wecom.RateLimitWait) {
		why := "too many calls of this API (frequency limit)"
		if w.Errcode == wecom.CodeConcurrencyLimited {
			why = "too many calls of this API at once (concurrency limit)"
		}
		l.Warn("WeCom limits calls: waiting before calling again", "api", w.API, "errcode", w.Errcode, "reason", why,
			"wait", w.Delay.Round(time.Millisecond), "waited", w.Waited.Round(time.Millisecond), "rate_limit_wait", w.Limit, "errmsg", w.Errmsg)
	}}
}
