package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/pflag"

	"github.com/wecomrunner/runner/runtime"
)

const jobsUsage = `usage: runner jobs list [--config jobs.yaml]
       runner jobs run [--config jobs.yaml] [--emulator] NAME...
       runner jobs history [--config jobs.yaml] [--log RUN_ID] [--limit N] NAME`

// jobsCmd shows the jobs of a jobs file and their history, and runs one by
// hand. The bbolt state file is used by one process at a time: while runner
// serve runs, its status page shows the same.
var jobsCmd = &command{
	name:    "jobs",
	usage:   jobsUsage,
	summary: "list the jobs, run one now, show a job's history",
	run:     runJobs,
}

func runJobs(ctx context.Context, c *cli, args []string) error {
	if len(args) == 0 {
		return usagef("%s", jobsUsage)
	}
	switch args[0] {
	case "list":
		return jobsList(ctx, c, args[1:])
	case "run":
		return jobsRun(ctx, c, args[1:])
	case "history":
		return jobsHistory(ctx, c, args[1:])
	case "-h", "--help", "help":
		fmt.Fprintln(c.stderr, jobsUsage)
		return nil
	}
	return usagef("unknown jobs command %q\n%s", args[0], jobsUsage)
}

// jobsFlags are the flags every jobs command has.
type jobsFlags struct {
	fs     *pflag.FlagSet
	config *string
}

func newJobsFlags(c *cli, name string) *jobsFlags {
	fs := pflag.NewFlagSet("jobs "+name, pflag.ContinueOnError)
	fs.SetOutput(c.stderr)
	fs.Usage = func() { fmt.Fprintln(c.stderr, jobsUsage); fs.PrintDefaults() }
	return &jobsFlags{fs: fs, config: fs.String("config", "jobs.yaml", "the jobs file")}
}

// parse parses args and checks the number of positional arguments (any
// number when nargs is negative). help is
// true when --help printed the usage: the command is done.
func (f *jobsFlags) parse(args []string, nargs int) (help bool, err error) {
	if err := f.fs.Parse(args); err != nil {
		if errors.Is(err, pflag.ErrHelp) {
			return true, nil
		}
		return false, &usageError{err}
	}
	if nargs >= 0 && f.fs.NArg() != nargs {
		return false, usagef("%s", jobsUsage)
	}
	return false, nil
}

func jobsList(ctx context.Context, c *cli, args []string) error {
	f := newJobsFlags(c, "list")
	if help, err := f.parse(args, 0); help || err != nil {
		return err
	}
	cfg, err := loadJobs(*f.config, withoutSecrets(c.getenv))
	if err != nil {
		return err
	}
	store, err := openHistory(cfg)
	if err != nil {
		fmt.Fprintf(c.stderr, "runner: no last results: %v\n", err)
	}
	if store != nil {
		defer store.Close()
	}

	tw := tabwriter.NewWriter(c.stdout, 0, 8, 2, ' ', 0)
	fmt.Fprintln(tw, "JOB\tSCHEDULE\tTIMEZONE\tNEXT RUN\tLAST RESULT")
	now := time.Now()
	for _, j := range cfg.Jobs {
		next := "disabled"
		if j.Enabled {
			next = formatWhen(j.Next(now))
		}
		last := "-"
		if store != nil {
			runs, err := store.Runs(ctx, j.Name, 1)
			if err != nil {
				return err
			}
			if len(runs) == 1 {
				last = describeRun(runs[0], j.Location)
			}
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", j.Name, j.Schedule, j.Timezone, next, last)
	}
	return tw.Flush()
}

// jobsRun runs the named jobs now, one after the other, through the same
// overlap guard and history as scheduled runs. With --emulator they share one
// in-process emulator, so each sees what the previous one changed.
func jobsRun(ctx context.Context, c *cli, args []string) error {
	f := newJobsFlags(c, "run")
	logFormat := f.fs.String("log-format", "text", "log format on stderr: text or json")
	useEmulator := f.fs.Bool("emulator", false, "run against the built-in WeCom emulator")
	if help, err := f.parse(args, -1); help || err != nil {
		return err
	}
	if f.fs.NArg() == 0 {
		return usagef("%s", jobsUsage)
	}
	logger, err := newLogger(c.stderr, *logFormat)
	if err != nil {
		return err
	}
	getenv, baseURL := c.getenv, ""
	if *useEmulator {
		var stop func()
		if getenv, baseURL, stop, err = inProcessEmulator(getenv); err != nil {
			return err
		}
		defer stop()
	}
	cfg, err := loadJobs(*f.config, getenv)
	if err != nil {
		return err
	}
	for _, name := range f.fs.Args() {
		if findJob(cfg, name) == nil {
			return usagef("no job %q in %s", name, *f.config)
		}
	}
	store, err := runtime.OpenStore(cfg, logger)
	if err != nil {
		return err
	}
	defer store.Close()
	metrics := runtime.NewMetrics()
	sched, err := runtime.NewScheduler(cfg, newExecutor(c, getenv, store, metrics, baseURL), store,
		runtime.SchedulerOptions{Logger: logger, Metrics: metrics, Stdout: c.stdout})
	if err != nil {
		return err
	}
	var failed []string
	for _, name := range f.fs.Args() {
		r, err := sched.RunNow(ctx, name)
		if err != nil {
			return err
		}
		fmt.Fprintf(c.stdout, "%s %s: %s\n", name, r.ID, describeRun(r, findJob(cfg, name).Location))
		if r.Result != runtime.ResultOK {
			failed = append(failed, fmt.Sprintf("%s (%s)", name, r.Result))
		}
	}
	if len(failed) > 0 {
		return fmt.Errorf("runs did not succeed: %s", strings.Join(failed, ", "))
	}
	return nil
}

func jobsHistory(ctx context.Context, c *cli, args []string) error {
	f := newJobsFlags(c, "history")
	logID := f.fs.String("log", "", "print the log of this run")
	limit := f.fs.Int("limit", 20, "how many runs to show, newest first (0: all kept)")
	if help, err := f.parse(args, 1); help || err != nil {
		return err
	}
	cfg, err := loadJobs(*f.config, withoutSecrets(c.getenv))
	if err != nil {
		return err
	}
	name := f.fs.Arg(0)
	loc := cfg.Location
	if job := findJob(cfg, name); job != nil {
		loc = job.Location
	}
	store, err := openHistory(cfg)
	if err != nil {
		return err
	}
	if store == nil {
		return fmt.Errorf("no runs of %s: the state file %s does not exist yet", name, cfg.State)
	}
	defer store.Close()

	if *logID != "" {
		if _, err := store.Run(ctx, name, *logID); err != nil {
			return err
		}
		lines, err := store.Log(ctx, name, *logID)
		if err != nil {
			return err
		}
		for _, l := range lines {
			fmt.Fprintln(c.stdout, l)
		}
		return nil
	}

	runs, err := store.Runs(ctx, name, *limit)
	if err != nil {
		return err
	}
	if len(runs) == 0 {
		if findJob(cfg, name) == nil {
			return usagef("no job %q in %s, and no runs of it", name, *f.config)
		}
		fmt.Fprintf(c.stdout, "%s has not run yet\n", name)
		return nil
	}
	tw := tabwriter.NewWriter(c.stdout, 0, 8, 2, ' ', 0)
	fmt.Fprintln(tw, "RUN\tTRIGGER\tSCHEDULED\tSTARTED\tDURATION\tATTEMPTS\tRESULT")
	for _, r := range runs {
		attempts := "-"
		if r.Attempts > 0 {
			attempts = strconv.Itoa(r.Attempts)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", r.ID, r.Trigger,
			formatWhen(r.Scheduled.In(loc)), formatWhen(r.Started.In(loc)), runDuration(r), attempts, resultText(r))
	}
	return tw.Flush()
}

// withoutSecrets is getenv for the commands that only read the history: they
// call no API, so an unset variable (a client's secret) is no problem there.
func withoutSecrets(getenv func(string) string) func(string) string {
	return func(name string) string {
		if v := getenv(name); v != "" {
			return v
		}
		return "(unset)"
	}
}

// openHistory opens the state for reading: a bbolt file read-only, so that
// listings do not take the file from a runner that is about to start. It
// returns nil, nil when the file does not exist yet.
func openHistory(cfg *runtime.Config) (runtime.Store, error) {
	if strings.Contains(cfg.State, "://") {
		return runtime.OpenStore(cfg, slog.New(slog.DiscardHandler))
	}
	store, err := runtime.OpenBolt(cfg.State, runtime.BoltOptions{ReadOnly: true, History: cfg.History})
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return store, nil
}

func findJob(cfg *runtime.Config, name string) *runtime.Job {
	for _, j := range cfg.Jobs {
		if j.Name == name {
			return j
		}
	}
	return nil
}

// describeRun is "ok at Mon 2025-03-31 02:00:00 CST (3.2s)", followed by the
// error of a run that did not succeed.
func describeRun(r runtime.RunRecord, loc *time.Location) string {
	s := fmt.Sprintf("%s at %s", r.Result, formatWhen(r.Started.In(loc)))
	if d := runDuration(r); d != "-" {
		s += " (" + d + ")"
	}
	if r.Error != "" {
		s += ": " + r.Error
	}
	return s
}

func resultText(r runtime.RunRecord) string {
	if r.Error == "" {
		return string(r.Result)
	}
	return fmt.Sprintf("%s: %s", r.Result, r.Error)
}

func runDuration(r runtime.RunRecord) string {
	if r.Result == runtime.ResultSkipped || r.Duration() == 0 {
		return "-"
	}
	return r.Duration().Round(time.Millisecond).String()
}
