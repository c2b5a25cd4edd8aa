package main

import (
	"context"
	"sync"

	"github.com/wecomrunner/runner/runtime"
)

// newExecutor returns the executor of scheduled and manual runs: the Lua
// engine with the configuration's WeCom clients, access tokens kept in the
// store, and API calls counted in metrics. baseURL, when set (--emulator),
// replaces every client's base URL; getenv is what scripts' env.get reads.
func newExecutor(c *cli, getenv func(string) string, store runtime.Store, metrics *runtime.Metrics, baseURL string) runtime.Executor {
	return &configExecutor{build: func(cfg *runtime.Config) *runtime.Engine {
		opts := runtime.EngineOptions{Getenv: getenv, BaseURL: baseURL, Store: store, Metrics: metrics}
		if isTerminal(c.stderr) {
			opts.Progress = c.stderr
		}
		return runtime.NewEngine(cfg, opts)
	}}
}

// configExecutor runs each attempt with an engine built for the configuration
// the attempt carries, so that a reload that changes clients, directories or
// the env allow-list applies to the runs that start after it. Runs in
// progress keep the engine they started with.
type configExecutor struct {
	build func(*runtime.Config) *runtime.Engine

	mu     sync.Mutex
	cfg    *runtime.Config
	engine *runtime.Engine
}

func (e *configExecutor) Execute(ctx context.Context, job *runtime.Job, a *runtime.Attempt) error {
	e.mu.Lock()
	if e.engine == nil || a.Config != e.cfg {
		e.cfg, e.engine = a.Config, e.build(a.Config)
	}
	engine := e.engine
	e.mu.Unlock()
	return engine.Execute(ctx, job, a)
}
