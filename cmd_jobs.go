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

// jobsCmd shows the jobs of a jobs file and their history, and runs one by
// hand. The bbolt state file is used by one process at a time: while runner
// serve runs, its status page shows the same.
var jobsCmd = &command{
	name:    "jobs",
	summary: "list the jobs, run one now, show a job's history",
	subcommands: []*command{
		{
			name:    "list",
			summary: "list the jobs with their next run and last result",
			setup: func(fs *pflag.FlagSet) runFunc {
				config := configFlag(fs)
				return func(ctx context.Context, c *cli, _ []string) error { return jobsList(ctx, c, *config) }
			},
		},
		{
			name:    "run",
			args:    "NAME...",
			summary: "run jobs now, one after the other, and record them in the history",
			doc: `Run runs the named jobs now, one after the other, through the same overlap
guard and history as scheduled runs. With --emulator they share one
in-process emulator, so each sees what the previous one changed. It exits 1
when a run does not succeed.`,
			minArgs: 1,
			maxArgs: -1,
			setup: func(fs *pflag.FlagSet) runFunc {
				var rf runFlags
				rf.declare(fs)
				config := configFlag(fs)
				return func(ctx context.Context, c *cli, names []string) error { return jobsRun(ctx, c, &rf, *config, names) }
			},
		},
		{
			name:    "history",
			args:    "NAME",
			summary: "show a job's runs, newest first, or the log of one run",
			minArgs: 1,
			maxArgs: 1,
			setup: func(fs *pflag.FlagSet) runFunc {
				var o historyOptions
				o.config = configFlag(fs)
				fs.StringVar(&o.log, "log", "", "print the log of this run")
				fs.IntVar(&o.limit, "limit", 20, "how many runs to show, newest first (0: all kept)")
				fs.IntVar(&o.from, "from", 1, "with --log: the first line of the log to print")
				fs.IntVar(&o.lines, "lines", logPage, "with --log: how many lines of the log to print (0: all)")
				return func(ctx context.Context, c *cli, args []string) error { return jobsHistory(ctx, c, &o, args[0]) }
			},
		},
	},
}

func jobsList(ctx context.Context, c *cli, config string) error {
	cfg, err := loadJobsToRead(config, c.getenv)
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
func jobsRun(ctx context.Context, c *cli, rf *runFlags, config string, names []string) error {
	env, err := rf.start(c)
	if err != nil {
		return err
	}
	defer env.close()
	cfg, err := env.loadJobs(config)
	if err != nil {
		return err
	}
	jobs := make([]*runtime.Job, len(names))
	for i, name := range names {
		if jobs[i], err = lookupJob(cfg, name); err != nil {
			return err
		}
	}
	sched, _, closeStore, err := env.scheduler(c, cfg, runtime.SchedulerOptions{Stdout: c.stdout})
	if err != nil {
		return err
	}
	defer closeStore()
	var failed []string
	for _, job := range jobs {
		r, err := sched.RunNow(ctx, job.Name)
		if err != nil {
			return err
		}
		fmt.Fprintf(c.stdout, "%s %s: %s\n", job.Name, r.ID, describeRun(r, job.Location))
		if r.Result != runtime.ResultOK {
			failed = append(failed, fmt.Sprintf("%s (%s)", job.Name, r.Result))
		}
	}
	if len(failed) > 0 {
		return fmt.Errorf("runs did not succeed: %s", strings.Join(failed, ", "))
	}
	return nil
}

// historyOptions are the flags of runner jobs history.
type historyOptions struct {
	config      *string
	log         string
	limit       int
	from, lines int // the first line of the log printed (from 1), and how many (0: all)
}

func jobsHistory(ctx context.Context, c *cli, o *historyOptions, name string) error {
	if o.from < 1 || o.lines < 0 {
		return usagef("--from must be at least 1 and --lines at least 0")
	}
	cfg, err := loadJobsToRead(*o.config, c.getenv)
	if err != nil {
		return err
	}
	job := cfg.JobNamed(name)
	loc := cfg.Location
	if job != nil {
		loc = job.Location
	}
	store, err := openHistory(cfg)
	if err != nil {
		return err
	}
	if store == nil && (job == nil || o.log != "") {
		return fmt.Errorf("no runs of %s: the state file %s does not exist yet", name, cfg.State)
	}
	if store == nil {
		fmt.Fprintf(c.stdout, "%s has not run yet\n", name)
		return nil
	}
	defer store.Close()

	if o.log != "" {
		if _, err := store.Run(ctx, name, o.log); err != nil {
			return err
		}
		return printLog(ctx, c, store, name, o.log, o.from-1, o.lines)
	}

	runs, err := store.Runs(ctx, name, o.limit)
	if err != nil {
		return err
	}
	if len(runs) == 0 {
		if job == nil {
			return configf("no job %q in %s, and no runs of it", name, cfg.File)
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

// logPage is how many lines of a log runner jobs history reads at a time,
// and prints by default.
const logPage = 1000

// printLog prints n lines (0: all) of a run's log from line from (0 is the
// first), reading them a page at a time, and says on stderr how to see the
// rest when lines remain.
func printLog(ctx context.Context, c *cli, store runtime.Store, job, id string, from, n int) error {
	printed, total := 0, 0
	for n == 0 || printed < n {
		want := logPage
		if n > 0 {
			want = min(want, n-printed)
		}
		lines, t, err := store.Log(ctx, job, id, from+printed, want)
		if err != nil {
			return err
		}
		total = t
		for _, l := range lines {
			fmt.Fprintln(c.stdout, l)
		}
		printed += len(lines)
		if len(lines) < want {
			break
		}
	}
	if next := from + printed; next < total {
		fmt.Fprintf(c.stderr, "runner: lines %d-%d of %d; --from %d prints the next ones, --lines 0 all of them\n", from+1, next, total, next+1)
	}
	return nil
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
