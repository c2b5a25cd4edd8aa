package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/spf13/pflag"
	"golang.org/x/term"

	"github.com/wecomrunner/runner/wecom"
	"github.com/wecomrunner/runner/wecom/callback"

	"github.com/wecomrunner/runner/runtime/jobs"
	"github.com/wecomrunner/runner/runtime/scheduler"
	"github.com/wecomrunner/runner/runtime/state"
	"github.com/wecomrunner/runner/runtime/vm"
)

var execCmd = &command{
	name:    "exec",
	args:    "script.lua",
	summary: "run a Lua script once",
	doc: `Exec runs script.lua once and exits: 0 when it succeeds, 1 when it fails,
2 when the command line or the configuration is wrong (nothing ran).

Without --config, the clients come from the environment: WECOM_CORP_ID with
WECOM_SECRET (and WECOM_AGENT_ID) give the client "default",
WECOM_CONTACTS_SECRET the client "contacts"; WECOM_BASE_URL points them at a
private deployment or an emulator. With --config, the script uses the
clients, state, directories and env allow-list of that jobs file.

With --event FILE.xml, the script gets that WeCom event as a job's handler
gets it (require("event") and the global event): a decrypted callback
message, as the history records it or WeCom documents it.`,
	minArgs: 1,
	maxArgs: 1,
	setup: func(fs *pflag.FlagSet) runFunc {
		var o execOptions
		var rf runFlags
		rf.declare(fs)
		fs.StringVar(&o.config, "config", "", "jobs.yaml whose clients, state, directories and env allow-list the script uses")
		fs.StringVar(&o.client, "client", "", "the client require(\"wecom\") uses (default: the only client, or \"default\")")
		fs.StringVar(&o.baseURL, "base-url", "", "WeCom API base URL (overrides WECOM_BASE_URL and the configuration)")
		fs.BoolVar(&o.dryRun, "dry-run", false, "send reads; log writes without sending them")
		fs.DurationVar(&o.timeout, "timeout", 10*time.Minute, "stop the script after this long")
		fs.StringVar(&o.memory, "memory-limit", "", "stop the script when the heap passes this size, such as 256MiB (default: the configuration's memory_limit, else 1GiB)")
		fs.StringArrayVar(&o.args, "arg", nil, "key=value for args.key in the script (repeatable)")
		fs.StringVar(&o.rateLimit, "rate-limit", "", "every client's own limit in calls a minute per API, or off (overrides the configuration's rate_limit:)")
		fs.StringVar(&o.rateLimitWait, "rate-limit-wait", "", "the most a call waits for WeCom's frequency limit, such as 2m or 0s (overrides rate_limit_wait:)")
		fs.StringVar(&o.event, "event", "", "the WeCom event (its decrypted XML) the script handles, as require(\"event\")")
		return func(ctx context.Context, c *cli, args []string) error {
			return runExec(ctx, c, &rf, &o, args[0])
		}
	},
}

// execOptions are the flags of runner exec besides runFlags.
type execOptions struct {
	config, client, baseURL  string
	memory                   string
	rateLimit, rateLimitWait string
	event                    string
	dryRun                   bool
	timeout                  time.Duration
	args                     []string
}

func runExec(ctx context.Context, c *cli, rf *runFlags, o *execOptions, script string) error {
	jobArgs, err := parseArgs(o.args)
	if err != nil {
		return err
	}
	var event callback.Event
	if o.event != "" {
		if _, event, err = readEvent(o.event); err != nil {
			return err
		}
	}
	env, err := rf.start(c)
	if err != nil {
		return err
	}
	defer env.close()
	logger := env.logger
	env.baseURL = firstNonEmpty(env.baseURL, o.baseURL)

	cfg, err := execConfig(o.config, env.getenv)
	if err != nil {
		return err
	}
	if env.emulator && o.config != "" {
		cfg.UseEmulatorState() // the emulator's kv and tokens are not production's
	}
	env.setZone(cfg.Location)
	if o.memory != "" {
		n, err := jobs.ParseSize(o.memory)
		if err != nil {
			return usagef("--memory-limit: %v", err)
		}
		cfg.MemoryLimit = uint64(n)
	}
	if err := o.setRateLimits(cfg); err != nil {
		return err
	}
	proto, err := vm.Compile(script)
	if err != nil {
		return &configError{err}
	}
	if len(cfg.Clients) == 0 && scheduler.Mentions(proto, "wecom") {
		return configf("%s calls WeCom, but no client is configured: set WECOM_CORP_ID and WECOM_SECRET "+
			"(an app's secret) or WECOM_CONTACTS_SECRET (the contacts sync's), pass --config jobs.yaml, "+
			"or --emulator to run against the built-in emulator", script)
	}
	job := &jobs.Job{
		Name:   strings.TrimSuffix(filepath.Base(script), filepath.Ext(script)),
		Script: script,
		Client: pickClient(cfg, o.client),
		Args:   jobArgs,
		Proto:  proto,
	}
	if _, ok := cfg.Clients[job.Client]; !ok && o.client != "" {
		return usagef("--client %q: no such client in %s", o.client, describeSource(o.config))
	}

	var store state.Store
	if o.config != "" {
		if store, err = state.Open(cfg.State, cfg.History, logger); err != nil {
			logger.Warn("state store unavailable: kv lasts for this run only", "err", err)
			store = nil
		} else {
			defer store.Close()
		}
	}
	opts := env.engineOptions(c, store, nil)
	var writes dryRunLog
	if o.dryRun {
		opts.DryRun = writes.record(logger)
	}
	engine := scheduler.NewEngine(cfg, opts)

	ctx, cancel := vm.Deadline(ctx, o.timeout)
	defer cancel()
	attempt := &scheduler.Attempt{RunID: "exec", Number: 1, Scheduled: time.Now().UTC(), Logger: logger.With("script", script), Stdout: c.stdout, Config: cfg}
	if store != nil {
		attempt.KV = store.KV(job.Name)
	}
	if event != nil {
		attempt.Trigger, attempt.Event = state.TriggerEvent, event
	}
	runErr := engine.Execute(ctx, job, attempt)
	if o.dryRun {
		writes.summary(c.stderr)
	}
	var se *vm.ScriptError
	if errors.As(runErr, &se) && se.Traceback != "" {
		return fmt.Errorf("%w\n%s", runErr, se.Traceback)
	}
	return runErr
}

// setRateLimits gives every client of cfg the --rate-limit and
// --rate-limit-wait given.
func (o *execOptions) setRateLimits(cfg *jobs.Config) error {
	var limit jobs.RateLimit
	var wait jobs.RateLimitWait
	var err error
	if o.rateLimit != "" {
		if limit, err = jobs.ParseRateLimit(o.rateLimit); err != nil {
			return usagef("--rate-limit: %v", err)
		}
	}
	if o.rateLimitWait != "" {
		if wait, err = jobs.ParseRateLimitWait(o.rateLimitWait); err != nil {
			return usagef("--rate-limit-wait: %v", err)
		}
	}
	for name, cc := range cfg.Clients {
		if o.rateLimit != "" {
			cc.RateLimit = limit
		}
		if o.rateLimitWait != "" {
			cc.RateLimitWait = wait
		}
		cfg.Clients[name] = cc
	}
	return nil
}

func firstNonEmpty(s ...string) string {
	for _, v := range s {
		if v != "" {
			return v
		}
	}
	return ""
}

// execConfig is the configuration of a one-off run: jobs.yaml when given,
// else one client from the environment (WECOM_CORP_ID, WECOM_SECRET,
// WECOM_AGENT_ID, WECOM_BASE_URL), plus a "contacts" client when
// WECOM_CONTACTS_SECRET is set.
func execConfig(file string, getenv func(string) string) (*jobs.Config, error) {
	if file != "" {
		return loadJobs(file, getenv)
	}
	wd, err := os.Getwd()
	if err != nil {
		return nil, err
	}
	cfg := &jobs.Config{Dir: wd, Dirs: []string{wd}, Clients: map[string]jobs.ClientConfig{}}
	corp := getenv("WECOM_CORP_ID")
	if corp == "" {
		return cfg, nil // scripts that do not call WeCom need no client
	}
	if secret := getenv("WECOM_SECRET"); secret != "" {
		cc := jobs.ClientConfig{CorpID: corp, Secret: secret, BaseURL: getenv("WECOM_BASE_URL")}
		if id := getenv("WECOM_AGENT_ID"); id != "" {
			n, err := strconv.Atoi(id)
			if err != nil {
				return nil, configf("WECOM_AGENT_ID=%q is not a number", id)
			}
			cc.AgentID = n
		}
		cfg.Clients["default"] = cc
	}
	if secret := getenv("WECOM_CONTACTS_SECRET"); secret != "" {
		cfg.Clients["contacts"] = jobs.ClientConfig{CorpID: corp, Secret: secret, BaseURL: getenv("WECOM_BASE_URL")}
	}
	return cfg, nil
}

// pickClient names the default client: the one asked for, else "default",
// else the only one.
func pickClient(cfg *jobs.Config, asked string) string {
	if asked != "" {
		return asked
	}
	if _, ok := cfg.Clients["default"]; ok || len(cfg.Clients) != 1 {
		return "default"
	}
	for name := range cfg.Clients {
		return name
	}
	return "default"
}

func describeSource(configFile string) string {
	if configFile == "" {
		return "the environment (WECOM_SECRET gives \"default\", WECOM_CONTACTS_SECRET \"contacts\")"
	}
	return configFile
}

// parseArgs reads --arg key=value pairs.
func parseArgs(pairs []string) (map[string]any, error) {
	out := map[string]any{}
	for _, p := range pairs {
		k, v, ok := strings.Cut(p, "=")
		if !ok || k == "" {
			return nil, usagef("--arg %q: want key=value", p)
		}
		out[k] = v
	}
	return out, nil
}

// isTerminal reports whether w is a terminal, where progress lines belong.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// dryRunLog collects the writes of a dry run.
type dryRunLog struct {
	mu     sync.Mutex
	writes []wecom.DryRun
}

func (d *dryRunLog) record(logger *slog.Logger) func(wecom.DryRun) {
	return func(w wecom.DryRun) {
		d.mu.Lock()
		d.writes = append(d.writes, w)
		d.mu.Unlock()
		scheduler.LogDryRun(logger, w)
	}
}

// summary prints how many writes of each API the dry run held back.
func (d *dryRunLog) summary(w io.Writer) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if len(d.writes) == 0 {
		fmt.Fprintln(w, "dry run: no writes")
		return
	}
	counts := map[string]int{}
	var order []string
	for _, wr := range d.writes {
		if counts[wr.API] == 0 {
			order = append(order, wr.API)
		}
		counts[wr.API]++
	}
	fmt.Fprintf(w, "dry run: %d writes not sent:\n", len(d.writes))
	for _, api := range order {
		fmt.Fprintf(w, "  %-28s %d\n", api, counts[api])
	}
}
