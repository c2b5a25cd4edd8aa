package runtime

import (
	"context"
	"io"
	"path/filepath"
	"sync"

	"github.com/wecomrunner/runner/bindings"
	"github.com/wecomrunner/runner/wecom"
)

// Engine runs job scripts with the configuration's WeCom clients. It builds
// one client per configured client and shares it between runs, so that runs
// share access tokens and rate limits. It implements Executor.
type Engine struct {
	cfg      *Config
	clients  map[string]*wecom.Client
	getenv   func(string) string
	progress io.Writer
	history  bindings.History
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
	Store Store
	// Metrics counts API calls and token fetches; nil counts nothing.
	Metrics *Metrics
	// DryRun, when set, receives every write instead of WeCom.
	DryRun func(wecom.DryRun)
	// Progress receives progress lines of long work; nil when stderr is not a terminal.
	Progress io.Writer
	// Client options added to every client (timeouts, retries) — for tests.
	ClientOptions []wecom.Option
}

// NewEngine builds the clients of cfg.
func NewEngine(cfg *Config, opts EngineOptions) *Engine {
	e := &Engine{cfg: cfg, clients: map[string]*wecom.Client{}, getenv: opts.Getenv, progress: opts.Progress}
	if opts.Store != nil {
		e.history = storeHistory{opts.Store}
	}
	for name, cc := range cfg.Clients {
		var o []wecom.Option
		if base := firstNonZero(opts.BaseURL, cc.BaseURL); base != "" {
			o = append(o, wecom.WithBaseURL(base))
		}
		if cc.AgentID != 0 {
			o = append(o, wecom.WithAgentID(cc.AgentID))
		}
		if cc.Timeout > 0 {
			o = append(o, wecom.WithTimeout(cc.Timeout))
		}
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
		if opts.DryRun != nil {
			o = append(o, wecom.WithDryRun(opts.DryRun))
		}
		o = append(o, opts.ClientOptions...)
		e.clients[name] = wecom.New(cc.CorpID, cc.Secret, o...)
	}
	return e
}

// Client returns the configured client name.
func (e *Engine) Client(name string) (*wecom.Client, bool) {
	c, ok := e.clients[name]
	return c, ok
}

// Execute runs one attempt of job: its compiled script in a fresh sandbox,
// with the job's client as the default one.
func (e *Engine) Execute(ctx context.Context, job *Job, a *Attempt) error {
	kv := a.KV
	if kv == nil {
		kv = NewMemoryKV()
	}
	return Run(ctx, &Script{
		Proto:   job.Proto,
		Path:    job.Script,
		LibDirs: e.cfg.LuaPath,
		Env: &bindings.Env{
			Clients:  e.clients,
			Default:  job.Client,
			Logger:   a.Logger,
			Stdout:   a.Stdout,
			Args:     job.Args,
			Getenv:   e.getenv,
			EnvAllow: e.cfg.Env,
			Dirs:     e.cfg.Dirs,
			ReadOnly: append(e.cfg.ReadOnly(), filepath.Dir(job.Script)),
			Private:  e.cfg.Private(),
			KV:       kv,
			History:  e.history,
			Progress: e.progress,
		},
	})
}

// MemoryKV is a bindings.KV that lives as long as the process: the state of
// a one-off run without a state store.
type MemoryKV struct {
	mu sync.Mutex
	m  map[string]string
}

// NewMemoryKV returns an empty MemoryKV.
func NewMemoryKV() *MemoryKV { return &MemoryKV{m: map[string]string{}} }

// Get implements bindings.KV.
func (k *MemoryKV) Get(_ context.Context, key string) (string, bool, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	v, ok := k.m[key]
	return v, ok, nil
}

// Set implements bindings.KV.
func (k *MemoryKV) Set(_ context.Context, key, value string) error {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.m[key] = value
	return nil
}

// Delete implements bindings.KV.
func (k *MemoryKV) Delete(_ context.Context, key string) error {
	k.mu.Lock()
	defer k.mu.Unlock()
	delete(k.m, key)
	return nil
}

// storeHistory answers history.last from a Store: the latest finished run
// that was not skipped.
type storeHistory struct{ store Store }

// LastRun implements bindings.History.
func (h storeHistory) LastRun(ctx context.Context, job string) (bindings.RunSummary, bool, error) {
	runs, err := h.store.Runs(ctx, job, 0)
	if err != nil {
		return bindings.RunSummary{}, false, err
	}
	for _, r := range runs {
		if r.Result == ResultRunning || r.Result == ResultSkipped {
			continue
		}
		return bindings.RunSummary{ID: r.ID, Result: string(r.Result), Error: r.Error, Started: r.Started, Finished: r.Finished}, true, nil
	}
	return bindings.RunSummary{}, false, nil
}
