package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/pflag"

	"github.com/wecomrunner/runner/runtime"
)

const serveUsage = "usage: runner serve [--config jobs.yaml] [--listen 127.0.0.1:9090] [--emulator]"

// serveCmd runs the schedule of a jobs file until SIGTERM or SIGINT.
//
// The first signal stops scheduling and waits for running jobs up to the
// grace period (grace: in jobs.yaml), then cancels them; a second signal exits
// at once. SIGHUP, or a change to jobs.yaml or one of its scripts (polled
// every few seconds), reloads the file; a file with problems keeps the
// current schedule and logs why.
var serveCmd = &command{
	name:    "serve",
	usage:   serveUsage,
	summary: "run the jobs of jobs.yaml on their schedules",
	run:     runServe,
}

// pollInterval is how often serve looks for changes to jobs.yaml and its
// scripts.
const pollInterval = 3 * time.Second

func runServe(ctx context.Context, c *cli, args []string) error {
	fs := pflag.NewFlagSet("serve", pflag.ContinueOnError)
	fs.SetOutput(c.stderr)
	config := fs.String("config", "jobs.yaml", "the jobs file")
	listen := fs.String("listen", "127.0.0.1:9090", "address of the status page, /metrics and /healthz (empty: none)")
	useEmulator := fs.Bool("emulator", false, "run the jobs against the built-in WeCom emulator")
	logFormat := fs.String("log-format", "text", "log format on stderr: text or json")
	fs.Usage = func() { fmt.Fprintln(c.stderr, serveUsage); fs.PrintDefaults() }
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, pflag.ErrHelp) {
			return nil
		}
		return &usageError{err}
	}
	if fs.NArg() != 0 {
		return usagef("%s", serveUsage)
	}
	logger, err := newLogger(c.stderr, *logFormat)
	if err != nil {
		return err
	}

	// Signals: main's context ends at the first SIGINT or SIGTERM; serve
	// counts them too, so that the second one exits at once.
	stops := make(chan os.Signal, 2)
	signal.Notify(stops, os.Interrupt, syscall.SIGTERM)
	defer signal.Stop(stops)
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	defer signal.Stop(hup)

	getenv, baseURL := c.getenv, ""
	if *useEmulator {
		var stop func()
		if getenv, baseURL, stop, err = inProcessEmulator(getenv); err != nil {
			return err
		}
		defer stop()
		logger.Info("running against the WeCom emulator", "base_url", baseURL)
	}

	cfg, err := loadJobs(*config, getenv)
	if err != nil {
		return err
	}
	store, err := runtime.OpenStore(cfg, logger)
	if err != nil {
		return err
	}
	defer store.Close()
	metrics := runtime.NewMetrics()
	exec := newExecutor(c, getenv, store, metrics, baseURL)
	sched, err := runtime.NewScheduler(cfg, exec, store, runtime.SchedulerOptions{Logger: logger, Metrics: metrics})
	if err != nil {
		return err
	}

	if *listen != "" {
		stop, err := serveStatus(*listen, sched, logger)
		if err != nil {
			return err
		}
		defer stop()
	}

	done := make(chan error, 1)
	go func() { done <- sched.Run(ctx) }()

	watch := newWatcher(*config, cfg)
	tick := time.NewTicker(pollInterval)
	defer tick.Stop()
	reload := func(why string) {
		logger.Info("reloading", "file", *config, "why", why)
		sched.ReloadFile(*config, getenv) // logs its problems
		watch.reset(sched.Config())
	}
	signals := 0
	for {
		select {
		case err := <-done:
			return err
		case <-stops:
			if signals++; signals > 1 {
				return errors.New("stopped at once by a second signal; runs in progress are marked interrupted at the next start")
			}
			logger.Info("stopping; a second signal stops at once")
		case <-hup:
			reload("SIGHUP")
		case <-tick.C:
			if watch.changed() {
				reload("the file or a script changed")
			}
		}
	}
}

// serveStatus serves the status page, /metrics and /healthz on addr, and
// returns a function that closes the server.
func serveStatus(addr string, sched *runtime.Scheduler, logger *slog.Logger) (stop func(), err error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, usagef("--listen %s: %v", addr, err)
	}
	host, _, _ := net.SplitHostPort(ln.Addr().String())
	if ip := net.ParseIP(host); ip == nil || !ip.IsLoopback() {
		logger.Warn("the status page and /metrics are reachable from the network; they show job names, schedules and logs", "listen", ln.Addr().String())
	}
	srv := &http.Server{Handler: runtime.StatusHandler(sched), ReadHeaderTimeout: 10 * time.Second, ErrorLog: slog.NewLogLogger(logger.Handler(), slog.LevelWarn)}
	go srv.Serve(ln)
	logger.Info("status page", "url", "http://"+ln.Addr().String()+"/")
	return func() { srv.Close() }, nil
}

// watcher notices changes to a jobs file and the scripts of its jobs, by
// their modification times and sizes.
type watcher struct {
	path  string
	files []string
	last  string
}

func newWatcher(path string, cfg *runtime.Config) *watcher {
	w := &watcher{path: path}
	w.reset(cfg)
	return w
}

// reset watches the files of cfg from their current state.
func (w *watcher) reset(cfg *runtime.Config) {
	w.files = []string{w.path}
	for _, j := range cfg.Jobs {
		w.files = append(w.files, j.Script)
	}
	w.last = w.fingerprint()
}

// changed reports whether a file changed since the last call or reset.
func (w *watcher) changed() bool {
	now := w.fingerprint()
	if now == w.last {
		return false
	}
	w.last = now
	return true
}

func (w *watcher) fingerprint() string {
	var b strings.Builder
	for _, f := range w.files {
		fi, err := os.Stat(f)
		if err != nil {
			fmt.Fprintf(&b, "%s:-;", f)
			continue
		}
		fmt.Fprintf(&b, "%s:%d:%d;", f, fi.ModTime().UnixNano(), fi.Size())
	}
	return b.String()
}
