package main

import (
	"log/slog"

	"github.com/spf13/pflag"

	"github.com/wecomrunner/runner/runtime"
)

// The pieces the commands share: the flags of the commands that run scripts,
// the emulator they may run against, the jobs file, the state store and the
// job lookup. Each exists once, here.

// configFlag declares --config, the jobs file of serve, validate and jobs.
func configFlag(fs *pflag.FlagSet) *string {
	return fs.String("config", "jobs.yaml", "the jobs file")
}

// runFlags are the flags of the commands that run scripts: exec, serve and
// jobs run.
type runFlags struct {
	logFormat string
	emulator  bool
}

func (f *runFlags) declare(fs *pflag.FlagSet) {
	fs.StringVar(&f.logFormat, "log-format", "text", "log format on stderr: text or json")
	fs.BoolVar(&f.emulator, "emulator", false, "start the built-in WeCom emulator (demo organisation) and run against it")
}

// runEnv is where a command's scripts run: its logger, the environment its
// clients and scripts read, and, with --emulator, the emulator in place of
// WeCom.
type runEnv struct {
	logger  *slog.Logger
	getenv  func(string) string
	baseURL string // replaces every client's base URL (--emulator, --base-url)
	stop    func()
}

// start makes the logger and, with --emulator, starts the in-process
// emulator, whose credentials then stand in for the environment's. close
// stops it.
func (f *runFlags) start(c *cli) (*runEnv, error) {
	logger, err := newLogger(c.stderr, f.logFormat)
	if err != nil {
		return nil, err
	}
	env := &runEnv{logger: logger, getenv: c.getenv, stop: func() {}}
	if f.emulator {
		if env.getenv, env.baseURL, env.stop, err = inProcessEmulator(c.getenv); err != nil {
			return nil, err
		}
		logger.Info("running against the WeCom emulator", "base_url", env.baseURL)
	}
	return env, nil
}

func (e *runEnv) close() { e.stop() }

// scheduler opens the state store of cfg and returns a scheduler of cfg's
// jobs that runs them with e's clients, and the function that closes the
// store.
func (e *runEnv) scheduler(c *cli, cfg *runtime.Config, opts runtime.SchedulerOptions) (*runtime.Scheduler, func(), error) {
	store, err := runtime.OpenStore(cfg, e.logger)
	if err != nil {
		return nil, nil, err
	}
	metrics := runtime.NewMetrics()
	opts.Logger, opts.Metrics = e.logger, metrics
	sched, err := runtime.NewScheduler(cfg, newExecutor(c, e.getenv, store, metrics, e.baseURL), store, opts)
	if err != nil {
		store.Close()
		return nil, nil, err
	}
	return sched, func() { store.Close() }, nil
}

// lookupJob returns the job called name, or a configuration error naming
// the file.
func lookupJob(cfg *runtime.Config, name string) (*runtime.Job, error) {
	if j := findJob(cfg, name); j != nil {
		return j, nil
	}
	return nil, configf("no job %q in %s", name, cfg.File)
}

func findJob(cfg *runtime.Config, name string) *runtime.Job {
	for _, j := range cfg.Jobs {
		if j.Name == name {
			return j
		}
	}
	return nil
}
