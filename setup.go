package main

import (
	"cmp"
	"errors"
	"io"
	"log/slog"
	"os"
	"sync/atomic"
	"time"

	"github.com/spf13/pflag"

	"github.com/wecomrunner/runner/wecom/emulator"

	"github.com/wecomrunner/runner/runtime/jobs"
	"github.com/wecomrunner/runner/runtime/scheduler"
	"github.com/wecomrunner/runner/runtime/state"
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
	logFormat     string
	emulator      bool
	emulatorRules string
}

func (f *runFlags) declare(fs *pflag.FlagSet) {
	fs.StringVar(&f.logFormat, "log-format", "text", "log format on stderr: text or json")
	fs.BoolVar(&f.emulator, "emulator", false, "start the built-in WeCom emulator (demo organisation) and run against it")
	fs.StringVar(&f.emulatorRules, "emulator-rules", "today", "with --emulator: WeCom's rules of today (a corp created now) or legacy (before 2022-06-20: every app reads mobiles and emails, the contacts sync reads from any IP, messages are not limited)")
}

// runEnv is where a command's scripts run: its logger, the environment its
// clients and scripts read, and, with --emulator, the emulator in place of
// WeCom.
type runEnv struct {
	logger   *slog.Logger
	zone     *atomic.Pointer[time.Location] // of the logger's times
	getenv   func(string) string
	baseURL  string           // replaces every client's base URL (--emulator, --base-url)
	emulator bool             // the in-process emulator stands in for WeCom
	emu      *emulator.Server // the in-process emulator of --emulator, or nil
	stop     func()
}

// start makes the logger and, with --emulator, starts the in-process
// emulator, whose credentials then stand in for the environment's. close
// stops it.
func (f *runFlags) start(c *cli) (*runEnv, error) {
	zone := new(atomic.Pointer[time.Location])
	logger, err := newLogger(c.stderr, f.logFormat, zone)
	if err != nil {
		return nil, err
	}
	rules, err := emulator.ParseRules(cmp.Or(f.emulatorRules, "today"))
	if err != nil {
		return nil, usagef("--emulator-%v", err)
	}
	if !f.emulator && rules != emulator.RulesToday {
		return nil, usagef("--emulator-rules %s needs --emulator", f.emulatorRules)
	}
	env := &runEnv{logger: logger, zone: zone, getenv: c.getenv, stop: func() {}}
	if f.emulator {
		if env.emu, env.getenv, err = inProcessEmulator(c.getenv, rules); err != nil {
			return nil, err
		}
		env.emulator = true
		env.baseURL, env.stop = env.emu.BaseURL(), func() { env.emu.Close() }
		logger.Info("running against the WeCom emulator", "base_url", env.baseURL, "rules", rules.String())
	}
	return env, nil
}

func (e *runEnv) close() { e.stop() }

// setZone makes the logger stamp its lines in loc, the configuration's time
// zone (timezone: in jobs.yaml); nil keeps the local time.
func (e *runEnv) setZone(loc *time.Location) { e.zone.Store(loc) }

// loadJobs loads the jobs file with e's environment, and stamps e's log
// lines in its time zone. Against the emulator, the state is a file of its
// own (jobs.Config.UseEmulatorState): demo runs never land in the
// production history.
func (e *runEnv) loadJobs(path string) (*jobs.Config, error) {
	cfg, err := loadJobs(path, e.getenv)
	if err != nil {
		return nil, err
	}
	if e.emulator {
		cfg.UseEmulatorState()
	}
	e.setZone(cfg.Location)
	return cfg, nil
}

// newLogger is the logger of the CLI on stderr, in format text or json. Its
// times are in the zone zone holds, local time while it holds none.
func newLogger(w io.Writer, format string, zone *atomic.Pointer[time.Location]) (*slog.Logger, error) {
	opts := &slog.HandlerOptions{ReplaceAttr: func(groups []string, a slog.Attr) slog.Attr {
		if loc := zone.Load(); loc != nil && a.Key == slog.TimeKey && len(groups) == 0 {
			a.Value = slog.TimeValue(a.Value.Time().In(loc))
		}
		return a
	}}
	switch format {
	case "text":
		return slog.New(slog.NewTextHandler(w, opts)), nil
	case "json":
		return slog.New(slog.NewJSONHandler(w, opts)), nil
	}
	return nil, usagef("--log-format %q: want text or json", format)
}

// scheduler opens the state store of cfg and returns a scheduler of cfg's
// jobs that runs them with e's clients, the store, and the function that
// closes it.
func (e *runEnv) scheduler(c *cli, cfg *jobs.Config, opts scheduler.Options) (*scheduler.Scheduler, state.Store, func(), error) {
	store, err := state.Open(cfg.State, cfg.History, e.logger)
	if err != nil {
		return nil, nil, nil, err
	}
	metrics := scheduler.NewMetrics()
	opts.Logger, opts.Metrics = e.logger, metrics
	engine := scheduler.NewEngine(cfg, e.engineOptions(c, store, metrics))
	opts.Alerter = scheduler.NewAlerter(engine, scheduler.AlerterOptions{BaseURL: e.baseURL, Emulator: e.emulator})
	sched, err := scheduler.New(cfg, engine, store, opts)
	if err != nil {
		store.Close()
		return nil, nil, nil, err
	}
	return sched, store, func() { store.Close() }, nil
}

// engineOptions are the options of the engine that runs e's scripts: access
// tokens kept in store, API calls counted in metrics, progress lines on a
// terminal.
func (e *runEnv) engineOptions(c *cli, store state.Store, metrics *scheduler.Metrics) scheduler.EngineOptions {
	opts := scheduler.EngineOptions{Getenv: e.getenv, BaseURL: e.baseURL, Metrics: metrics}
	if store != nil {
		opts.Store = store
	}
	if isTerminal(c.stderr) {
		opts.Progress = c.stderr
	}
	return opts
}

// loadJobs loads and validates a jobs file. Its problems are a
// configuration error (exit 2), as jobs.Problems.
func loadJobs(path string, getenv func(string) string) (*jobs.Config, error) {
	return load(path, getenv, nil)
}

// loadJobsToRead is loadJobs for the commands that read the jobs and their
// history and call no API: the clients' variables (secrets) may be unset.
func loadJobsToRead(path string, getenv func(string) string) (*jobs.Config, error) {
	return load(path, getenv, (*jobs.Config).ClientVariablesOptional)
}

func load(path string, getenv func(string) string, prepare func(*jobs.Config)) (*jobs.Config, error) {
	cfg, err := jobs.Load(path, getenv)
	if errors.Is(err, os.ErrNotExist) {
		return nil, configf("%s: no such file (--config names the jobs file)", path)
	}
	if err == nil {
		if prepare != nil {
			prepare(cfg)
		}
		err = cfg.Validate()
	}
	if err != nil {
		return nil, &configError{err}
	}
	return cfg, nil
}

// lookupJob returns the job called name, or a configuration error naming
// the file.
func lookupJob(cfg *jobs.Config, name string) (*jobs.Job, error) {
	if j := cfg.JobNamed(name); j != nil {
		return j, nil
	}
	return nil, configf("no job %q in %s", name, cfg.File)
}
