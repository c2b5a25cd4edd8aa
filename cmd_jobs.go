package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/pflag"

	"github.com/wecomrunner/runner/runtime/jobs"
	"github.com/wecomrunner/runner/runtime/scheduler"
	"github.com/wecomrunner/runner/runtime/service"
	"github.com/wecomrunner/runner/runtime/state"
)

// jobsCmd shows the jobs of a jobs file and their history, runs them by hand,
// follows, cancels, pauses and resumes them. When a runner serve of the same
// configuration is running (it records its address in the state), the
// commands go through its control API; otherwise they work on the state
// directly.
var jobsCmd = &command{
	name:    "jobs",
	summary: "list, run, follow, cancel, pause and resume jobs; show their history",
	subcommands: []*command{
		{
			name:    "list",
			summary: "list the jobs with their next run and last result",
			setup: func(fs *pflag.FlagSet) runFunc {
				var sf stateFlags
				sf.declare(fs)
				return func(ctx context.Context, c *cli, _ []string) error { return jobsList(ctx, c, &sf) }
			},
		},
		{
			name:    "run",
			args:    "NAME...",
			summary: "run jobs now, and record them in the history",
			doc: `Run runs the named jobs now, with trigger manual and who asked (user@host),
through the same overlap guard and history as scheduled runs: with
concurrency forbid, a job that is running is refused.

When a runner serve of the configuration is running, the runs start there:
run prints each run's id, and with --follow prints its log as it happens and
waits for its end. Otherwise run runs them here, one after the other; with
--emulator they share one in-process emulator, so each sees what the
previous one changed. It exits 1 when a run is refused or does not succeed.`,
			minArgs: 1,
			maxArgs: -1,
			setup: func(fs *pflag.FlagSet) runFunc {
				var o runOptions
				o.run.declare(fs)
				o.config = configFlag(fs)
				fs.StringArrayVar(&o.args, "arg", nil, "key=value for args.key in the script, over the job's args (repeatable)")
				fs.BoolVar(&o.follow, "follow", false, "print the run's log as it happens and wait for its end")
				fs.BoolVar(&o.dryRun, "dry-run", false, "send reads; log writes without sending them")
				return func(ctx context.Context, c *cli, names []string) error { return jobsRun(ctx, c, &o, names) }
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
				o.state.declare(fs)
				fs.StringVar(&o.log, "log", "", "print the log of this run (as runner jobs logs RUN_ID)")
				fs.IntVar(&o.limit, "limit", 20, "how many runs to show, newest first (0: all kept)")
				o.page.declare(fs, logPage)
				return func(ctx context.Context, c *cli, args []string) error { return jobsHistory(ctx, c, &o, args[0]) }
			},
		},
		{
			name:    "logs",
			args:    "RUN_ID",
			summary: "print the log of a run; --follow waits for its end",
			doc: `Logs prints the log of a run, or --lines of it from line --from. With
--follow it goes on printing the lines as the run writes them, then prints
the run's result on stderr and exits 1 if the run did not succeed (failed,
timed out, cancelled).`,
			minArgs: 1,
			maxArgs: 1,
			setup: func(fs *pflag.FlagSet) runFunc {
				var sf stateFlags
				var page logFlags
				sf.declare(fs)
				page.declare(fs, 0)
				follow := fs.Bool("follow", false, "print the lines as they come, until the run ends")
				return func(ctx context.Context, c *cli, args []string) error {
					return jobsLogs(ctx, c, &sf, args[0], page, *follow)
				}
			},
		},
		stateCommand("cancel", "RUN_ID", "stop a run in progress", "", jobsCancel),
		stateCommand("pause", "NAME", "stop a job's scheduled runs until it is resumed",
			`Pause stops the job's scheduled runs, on every instance sharing the state,
until runner jobs resume; manual runs are refused meanwhile. A run in
progress goes on. The pause is kept in the state, across restarts.`,
			func(ctx context.Context, c *cli, sf *stateFlags, name string) error {
				return jobsPause(ctx, c, sf, name, true)
			}),
		stateCommand("resume", "NAME", "resume a paused job: its next firing runs", "",
			func(ctx context.Context, c *cli, sf *stateFlags, name string) error {
				return jobsPause(ctx, c, sf, name, false)
			}),
	},
}

// stateCommand is a jobs command of one argument with the state flags.
func stateCommand(name, arg, summary, doc string, run func(ctx context.Context, c *cli, sf *stateFlags, arg string) error) *command {
	return &command{
		name: name, args: arg, summary: summary, doc: doc, minArgs: 1, maxArgs: 1,
		setup: func(fs *pflag.FlagSet) runFunc {
			var sf stateFlags
			sf.declare(fs)
			return func(ctx context.Context, c *cli, args []string) error { return run(ctx, c, &sf, args[0]) }
		},
	}
}

func jobsList(ctx context.Context, c *cli, sf *stateFlags) error {
	op, err := sf.open(ctx, c, false)
	if err != nil {
		return err
	}
	defer op.close()
	jobs, err := op.Jobs(ctx)
	if err != nil {
		return operationError(err)
	}
	tw := tabwriter.NewWriter(c.stdout, 0, 8, 2, ' ', 0)
	fmt.Fprintln(tw, "JOB\tSCHEDULE\tTIMEZONE\tNEXT RUN\tLAST RESULT")
	for _, j := range jobs {
		loc := op.zone(j.Name)
		next := formatWhen(j.Next.In(loc))
		switch {
		case j.Paused != nil:
			next = "paused by " + j.Paused.By
		case !j.Enabled:
			next = "disabled"
		case j.Next.IsZero() && len(j.On) > 0:
			next = "on events"
		}
		schedule := j.Schedule
		if schedule == "" && len(j.On) > 0 {
			schedule = "on " + strings.Join(j.On, "; ")
		}
		last := "-"
		if len(j.Running) > 0 {
			last = "running (run " + strings.Join(j.Running, ", ") + ")"
		} else if j.LastRun != nil {
			last = describeRun(*j.LastRun, loc)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", j.Name, schedule, j.Timezone, next, last)
	}
	return tw.Flush()
}

// runOptions are the flags of runner jobs run.
type runOptions struct {
	run    runFlags
	config *string
	args   []string
	follow bool
	dryRun bool
}

// jobsRun runs the named jobs now: through a running serve when there is
// one, else here, one after the other.
func jobsRun(ctx context.Context, c *cli, o *runOptions, names []string) error {
	args, err := parseArgs(o.args)
	if err != nil {
		return err
	}
	if len(args) == 0 {
		args = nil
	}
	sf := stateFlags{config: *o.config, emulator: o.run.emulator}
	cfg, err := sf.load(c)
	if err != nil {
		return err
	}
	for _, name := range names {
		if _, err := lookupJob(cfg, name); err != nil {
			return err
		}
	}
	req := scheduler.RunRequest{By: asker(c), Args: args, DryRun: o.dryRun}
	client, err := findService(ctx, cfg)
	if err != nil {
		return err
	}
	if client != nil {
		return runThroughService(ctx, c, client, cfg, names, req, o.follow)
	}
	return runHere(ctx, c, o, names, req)
}

// runThroughService starts the runs on a serve, and with follow prints each
// one's log until it ends.
func runThroughService(ctx context.Context, c *cli, client *service.ControlClient, cfg *jobs.Config, names []string, req scheduler.RunRequest, follow bool) error {
	// One Idempotency-Key for the invocation (the serve scopes it by job):
	// the client's retries of a request start no second run.
	key := "cli-" + rand.Text()
	var failed []string
	for _, name := range names {
		rec, err := client.RunNowOnce(ctx, name, key, service.RunBody{Args: req.Args, DryRun: req.DryRun, By: req.By})
		if err != nil {
			return operationError(err)
		}
		loc := cfg.JobNamed(name).Location
		if !follow {
			fmt.Fprintf(c.stdout, "%s %s: started at %s on %s (runner jobs logs --follow %s)\n", name, rec.ID, formatWhen(rec.Started.In(loc)), rec.Instance, rec.ID)
			continue
		}
		out := &readableLog{w: c.stdout, loc: loc}
		err = client.Log(ctx, rec.ID, 0, true, out)
		out.flush()
		if err != nil {
			return err
		}
		if rec, err = client.Run(ctx, rec.ID); err != nil {
			return operationError(err)
		}
		fmt.Fprintf(c.stdout, "%s %s: %s\n", name, rec.ID, describeRun(rec, loc))
		if rec.Result != state.ResultOK {
			failed = append(failed, fmt.Sprintf("%s (%s)", name, rec.Result))
		}
	}
	if len(failed) > 0 {
		return fmt.Errorf("runs did not succeed: %s", strings.Join(failed, ", "))
	}
	return nil
}

// runHere runs the jobs in this process, one after the other, printing what
// their scripts print.
func runHere(ctx context.Context, c *cli, o *runOptions, names []string, req scheduler.RunRequest) error {
	env, err := o.run.start(c)
	if err != nil {
		return err
	}
	defer env.close()
	cfg, err := env.loadJobs(*o.config)
	if err != nil {
		return err
	}
	sched, _, closeStore, err := env.scheduler(c, cfg, scheduler.Options{Stdout: c.stdout})
	if err != nil {
		return err
	}
	defer closeStore()
	var failed []string
	for _, name := range names {
		run, err := sched.Trigger(ctx, name, req)
		if err != nil {
			return operationError(err)
		}
		r := run.Record()
		fmt.Fprintf(c.stdout, "%s %s: %s\n", name, r.ID, describeRun(r, cfg.JobNamed(name).Location))
		if r.Result != state.ResultOK {
			failed = append(failed, fmt.Sprintf("%s (%s)", name, r.Result))
		}
	}
	if len(failed) > 0 {
		return fmt.Errorf("runs did not succeed: %s", strings.Join(failed, ", "))
	}
	return nil
}

// historyOptions are the flags of runner jobs history.
type historyOptions struct {
	state stateFlags
	log   string
	limit int
	page  logFlags
}

// logFlags choose the lines of a log to print.
type logFlags struct {
	from, lines int // the first line printed (from 1), and how many (0: all)
}

func (f *logFlags) declare(fs *pflag.FlagSet, lines int) {
	fs.IntVar(&f.from, "from", 1, "the first line of the log to print")
	fs.IntVar(&f.lines, "lines", lines, "how many lines of the log to print (0: all)")
}

// logPage is how many lines of a log the commands read at a time, and
// runner jobs history --log prints by default.
const logPage = 1000

func jobsHistory(ctx context.Context, c *cli, o *historyOptions, name string) error {
	if o.log != "" {
		return jobsLogs(ctx, c, &o.state, o.log, o.page, false)
	}
	op, err := o.state.open(ctx, c, false)
	if err != nil {
		return err
	}
	defer op.close()
	runs, err := op.Runs(ctx, name, o.limit)
	if err != nil {
		return operationError(err)
	}
	if len(runs) == 0 {
		fmt.Fprintf(c.stdout, "%s has not run yet\n", name)
		return nil
	}
	loc := op.zone(name)
	tw := tabwriter.NewWriter(c.stdout, 0, 8, 2, ' ', 0)
	fmt.Fprintln(tw, "RUN\tTRIGGER\tBY\tSCHEDULED\tSTARTED\tDURATION\tATTEMPTS\tRESULT")
	for _, r := range runs {
		attempts := "-"
		if r.Attempts > 0 {
			attempts = strconv.Itoa(r.Attempts)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", r.ID, r.Trigger, firstNonEmpty(r.By, "-"),
			formatWhen(r.Scheduled.In(loc)), formatWhen(r.Started.In(loc)), runDuration(r), attempts, resultText(r))
	}
	return tw.Flush()
}

// jobsLogs prints lines of a run's log; with follow, all of them from the
// first one asked until the run ends, and then its result, failing unless it
// succeeded.
func jobsLogs(ctx context.Context, c *cli, sf *stateFlags, id string, page logFlags, follow bool) error {
	if page.from < 1 || page.lines < 0 {
		return usagef("--from must be at least 1 and --lines at least 0")
	}
	op, err := sf.open(ctx, c, false)
	if err != nil {
		return err
	}
	defer op.close()
	rec, err := op.Run(ctx, id)
	if err != nil {
		return operationError(err)
	}
	loc := op.zone(rec.Job)
	if !follow {
		return operationError(printLog(ctx, c, op, id, loc, page.from-1, page.lines))
	}
	out := &readableLog{w: c.stdout, loc: loc}
	err = op.Log(ctx, id, page.from-1, true, out)
	out.flush()
	if err != nil {
		return operationError(err)
	}
	if rec, err = op.Run(ctx, id); err != nil {
		return operationError(err)
	}
	fmt.Fprintf(c.stderr, "%s %s: %s\n", rec.Job, rec.ID, describeRun(rec, op.zone(rec.Job)))
	if rec.Result != state.ResultOK {
		return fmt.Errorf("run %s of %s did not succeed: %s", rec.ID, rec.Job, rec.Result)
	}
	return nil
}

func jobsCancel(ctx context.Context, c *cli, sf *stateFlags, id string) error {
	op, err := sf.open(ctx, c, true)
	if err != nil {
		return err
	}
	defer op.close()
	rec, err := op.Cancel(ctx, id, asker(c))
	if err != nil {
		return operationError(err)
	}
	if !rec.Ended() {
		fmt.Fprintf(c.stdout, "%s %s: %s was asked to stop it\n", rec.Job, rec.ID, rec.Instance)
		return nil
	}
	fmt.Fprintf(c.stdout, "%s %s: %s\n", rec.Job, rec.ID, describeRun(rec, op.zone(rec.Job)))
	return nil
}

func jobsPause(ctx context.Context, c *cli, sf *stateFlags, name string, pause bool) error {
	op, err := sf.open(ctx, c, true)
	if err != nil {
		return err
	}
	defer op.close()
	do, done := op.Resume, "resumed: the next firing runs"
	if pause {
		do, done = op.Pause, "paused: scheduled firings are passed over until runner jobs resume"
	}
	info, err := do(ctx, name, asker(c))
	if err != nil {
		return operationError(err)
	}
	fmt.Fprintf(c.stdout, "%s %s", info.Name, done)
	if !pause && !info.Next.IsZero() {
		fmt.Fprintf(c.stdout, " (%s)", formatWhen(info.Next.In(op.zone(name))))
	}
	fmt.Fprintln(c.stdout)
	return nil
}

// printLog prints n lines (0: all) of a run's log from line from (0 is the
// first), reading them a page at a time, and says on stderr how to see the
// rest when lines remain.
func printLog(ctx context.Context, c *cli, op operations, id string, loc *time.Location, from, n int) error {
	printed, total := 0, 0
	for n == 0 || printed < n {
		want := logPage
		if n > 0 {
			want = min(want, n-printed)
		}
		lines, t, err := op.LogLines(ctx, id, from+printed, want)
		if err != nil {
			return err
		}
		total = t
		for _, l := range lines {
			fmt.Fprintln(c.stdout, service.ReadableLogLine(l, loc))
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

// readableLog writes the log lines written to it as people read them
// (service.ReadableLogLine): in the job's time zone, a traceback as lines.
type readableLog struct {
	w   io.Writer
	loc *time.Location
	buf []byte
}

func (r *readableLog) Write(p []byte) (int, error) {
	r.buf = append(r.buf, p...)
	for {
		i := bytes.IndexByte(r.buf, '\n')
		if i < 0 {
			return len(p), nil
		}
		if _, err := fmt.Fprintln(r.w, service.ReadableLogLine(string(r.buf[:i]), r.loc)); err != nil {
			return 0, err
		}
		r.buf = r.buf[i+1:]
	}
}

// flush writes a last line that had no newline.
func (r *readableLog) flush() {
	if len(r.buf) > 0 {
		fmt.Fprintln(r.w, service.ReadableLogLine(string(r.buf), r.loc))
		r.buf = nil
	}
}

// stateFlags are the flags of the commands that read or change the state:
// the jobs file, and --emulator for the state of the runs against the
// emulator.
type stateFlags struct {
	config   string
	emulator bool
}

func (f *stateFlags) declare(fs *pflag.FlagSet) {
	fs.StringVar(&f.config, "config", "jobs.yaml", "the jobs file")
	fs.BoolVar(&f.emulator, "emulator", false, "the state of the runs against the emulator (runner serve --emulator, jobs run --emulator)")
}

// load loads the jobs file for reading: the clients' secrets may be unset.
func (f *stateFlags) load(c *cli) (*jobs.Config, error) {
	cfg, err := loadJobsToRead(f.config, c.getenv)
	if err != nil {
		return nil, err
	}
	if f.emulator {
		cfg.UseEmulatorState()
	}
	return cfg, nil
}

// operations is what the jobs commands do: through a running serve
// (service.ControlClient) or on the state directly (service.Control).
type operations interface {
	Jobs(ctx context.Context) ([]scheduler.JobInfo, error)
	Runs(ctx context.Context, job string, limit int) ([]state.RunRecord, error)
	Run(ctx context.Context, id string) (state.RunRecord, error)
	Log(ctx context.Context, id string, from int, follow bool, w io.Writer) error
	LogLines(ctx context.Context, id string, from, n int) (lines []string, total int, err error)
	Cancel(ctx context.Context, id, by string) (state.RunRecord, error)
	Pause(ctx context.Context, job, by string) (scheduler.JobInfo, error)
	Resume(ctx context.Context, job, by string) (scheduler.JobInfo, error)
}

// opened is the operations of a configuration, and what closes them.
type opened struct {
	operations
	cfg   *jobs.Config
	close func()
}

// zone is the time zone of a job, or of the configuration for a job it does
// not have.
func (o *opened) zone(job string) *time.Location {
	if j := o.cfg.JobNamed(job); j != nil {
		return j.Location
	}
	return o.cfg.Location
}

// open returns the operations of f's configuration: through its serve when
// one answers, else on the state, opened for writing when write is set (a
// bbolt file then is locked meanwhile) and for reading otherwise.
func (f *stateFlags) open(ctx context.Context, c *cli, write bool) (*opened, error) {
	cfg, err := f.load(c)
	if err != nil {
		return nil, err
	}
	client, err := findService(ctx, cfg)
	if err != nil {
		return nil, err
	}
	if client != nil {
		return &opened{operations: client, cfg: cfg, close: func() {}}, nil
	}
	store, closeStore, err := openState(cfg, write)
	if errors.Is(err, state.ErrLocked) {
		return nil, fmt.Errorf("%s is held by a runner serve that records no control address (it runs with --listen \"\", or from another configuration): give it --listen, or stop it, to manage its jobs from here", cfg.State)
	}
	if err != nil {
		return nil, err
	}
	sched, err := scheduler.New(cfg, nil, store, scheduler.Options{})
	if err != nil {
		closeStore()
		return nil, err
	}
	return &opened{operations: service.NewControl(sched), cfg: cfg, close: closeStore}, nil
}

// openState opens the state of cfg and returns it with the function that
// closes it: a bbolt file read-only unless write is set, so that listings do
// not take the file from a runner that is about to start. A state file that
// does not exist yet is made to change it; to read it, an empty one in a
// temporary directory stands in.
func openState(cfg *jobs.Config, write bool) (state.Store, func(), error) {
	quiet := slog.New(slog.DiscardHandler)
	opened := func(s state.Store, err error) (state.Store, func(), error) {
		if err != nil {
			return nil, nil, err
		}
		return s, func() { s.Close() }, nil
	}
	if write || strings.Contains(cfg.State, "://") {
		return opened(state.Open(cfg.State, cfg.History, quiet))
	}
	store, err := state.OpenBolt(cfg.State, state.BoltOptions{ReadOnly: true, History: cfg.History})
	if !errors.Is(err, os.ErrNotExist) {
		return opened(store, err)
	}
	dir, err := os.MkdirTemp("", "runner-empty-state")
	if err != nil {
		return nil, nil, err
	}
	empty, err := state.OpenBolt(filepath.Join(dir, "state.db"), state.BoltOptions{History: cfg.History})
	if err != nil {
		os.RemoveAll(dir)
		return nil, nil, err
	}
	return empty, func() { empty.Close(); os.RemoveAll(dir) }, nil
}

// findService returns a client of the running serve of cfg, found through
// the address it records in the state, or nil when none answers.
func findService(ctx context.Context, cfg *jobs.Config) (*service.ControlClient, error) {
	svcs, err := state.FindServices(ctx, cfg.State)
	if err != nil || len(svcs) == 0 {
		return nil, err
	}
	// With Redis, the instances of this machine first.
	host, _ := os.Hostname()
	slices.SortStableFunc(svcs, func(a, b state.ServiceInfo) int {
		return boolOrder(!strings.HasPrefix(a.Instance, host+":")) - boolOrder(!strings.HasPrefix(b.Instance, host+":"))
	})
	token, tokenErr := jobs.ClientControlToken(cfg)
	for _, svc := range svcs {
		client := service.NewControlClient(svc.URL, token)
		pctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		_, err := client.Service(pctx)
		cancel()
		var ce *service.ControlError
		switch {
		case err == nil:
			return client, nil
		case errors.As(err, &ce) && tokenErr != nil:
			return nil, fmt.Errorf("runner serve is running at %s, but %v", svc.URL, tokenErr)
		case errors.As(err, &ce):
			return nil, fmt.Errorf("runner serve at %s: %v", svc.URL, err)
		}
		// No answer: a serve that stopped without removing its record.
	}
	return nil, nil
}

func boolOrder(b bool) int {
	if b {
		return 1
	}
	return 0
}

// asker is who runs the command: "user@host", recorded with the runs it
// starts, cancels or pauses.
func asker(c *cli) string {
	user := firstNonEmpty(c.getenv("USER"), c.getenv("LOGNAME"), "cli")
	host, err := os.Hostname()
	if err != nil {
		return user
	}
	return user + "@" + host
}

// operationError maps the refusals of the control API and of the scheduler
// to exit codes: an unknown job or run, or a request the API could not take,
// is a usage error (2); a refused run, a paused job, a cancel of a run that
// has ended fail (1).
func operationError(err error) error {
	var ce *service.ControlError
	if errors.As(err, &ce) {
		switch ce.Status {
		case 400, 404, 413, 422:
			return &configError{err}
		}
		return err
	}
	if errors.Is(err, state.ErrNotFound) {
		return &configError{err}
	}
	return err
}

// describeRun is "ok at Mon 2025-03-31 02:00:00 CST (3.2s)", followed by the
// error of a run that did not succeed.
func describeRun(r state.RunRecord, loc *time.Location) string {
	s := fmt.Sprintf("%s at %s", r.Result, formatWhen(r.Started.In(loc)))
	if d := runDuration(r); d != "-" {
		s += " (" + d + ")"
	}
	if r.Error != "" {
		s += ": " + r.Error
	}
	return s
}

func resultText(r state.RunRecord) string {
	if r.Error == "" {
		return string(r.Result)
	}
	return fmt.Sprintf("%s: %s", r.Result, r.Error)
}

func runDuration(r state.RunRecord) string {
	if r.Result == state.ResultSkipped || r.Duration() == 0 {
		return "-"
	}
	return r.Duration().Round(time.Millisecond).String()
}
