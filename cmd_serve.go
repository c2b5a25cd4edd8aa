package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"net"
	"net/http"
	"os"
	"os/signal"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/pflag"

	"github.com/wecomrunner/runner/runtime/jobs"
	"github.com/wecomrunner/runner/runtime/scheduler"
	"github.com/wecomrunner/runner/runtime/service"
	"github.com/wecomrunner/runner/runtime/state"
)

// serveCmd runs the schedule of a jobs file until SIGTERM or SIGINT.
var serveCmd = &command{
	name:    "serve",
	summary: "run the jobs of jobs.yaml on their schedules",
	doc: `Serve runs the jobs of the jobs file on their schedules until SIGTERM or
SIGINT, and serves the console (a status page with run now, cancel, pause
and live logs), the control API (/api/v1/), /metrics and /healthz on
--listen. It records that address in the state, so that runner jobs and
runner reload of the same configuration go through it.

The control API and the console's forms need a token: control_token: in
jobs.yaml, or else a random one that serve keeps in control.token beside the
state (mode 0600) for the command line of this machine. Serving on an
address other than loopback needs control_token.

The first signal stops scheduling and waits for running jobs up to the grace
period (grace: in jobs.yaml), then cancels them; a second signal exits at
once. SIGHUP, or a change to jobs.yaml or one of its scripts (polled every
few seconds), reloads the file; a file with problems keeps the current
schedule and logs why.

It also answers WeCom's callbacks (callbacks: in jobs.yaml) at
/callback/NAME, on --listen or, with --callback-listen, on an address of
their own (the one to expose to WeCom), and runs the jobs whose on: an
event matches. With --emulator, the emulator pushes its events (members
changed in its admin console, batch jobs ended) to the callback that has its
secrets.`,
	setup: func(fs *pflag.FlagSet) runFunc {
		var rf runFlags
		rf.declare(fs)
		config := configFlag(fs)
		listen := fs.String("listen", "127.0.0.1:9090", "address of the status page, /metrics and /healthz (empty: none)")
		callbackListen := fs.String("callback-listen", "", "address of the callbacks /callback/NAME alone (default: on --listen)")
		return func(ctx context.Context, c *cli, _ []string) error {
			return runServe(ctx, c, &rf, *config, *listen, *callbackListen)
		}
	},
}

// pollInterval is how often serve looks for changes to jobs.yaml and its
// scripts.
const pollInterval = 3 * time.Second

// takeUpInterval is how often serve looks for the pending events of runners
// that stopped without running them (with Redis, an instance whose
// heartbeat expired), after taking up those left in the state as it starts.
const takeUpInterval = 5 * time.Second

func runServe(ctx context.Context, c *cli, rf *runFlags, config, listen, callbackListen string) error {
	env, err := rf.start(c)
	if err != nil {
		return err
	}
	defer env.close()
	logger := env.logger

	// Signals: main's context ends at the first SIGINT or SIGTERM; serve
	// counts them too, so that the second one exits at once.
	stops := make(chan os.Signal, 2)
	signal.Notify(stops, os.Interrupt, syscall.SIGTERM)
	defer signal.Stop(stops)
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	defer signal.Stop(hup)

	cfg, err := env.loadJobs(config)
	if err != nil {
		return err
	}
	// Changes are noticed from here on, also those made while serve starts.
	watch := newWatcher(config, cfg)
	sched, store, closeStore, err := env.scheduler(c, cfg, scheduler.Options{})
	if err != nil {
		return err
	}
	defer closeStore()

	// Callbacks are answered on --listen, or on --callback-listen alone.
	recv := service.NewReceiver(sched, service.ReceiverOptions{Logger: logger, TakeUp: takeUpInterval})
	callbacksAt := ""
	var onListen http.Handler
	if callbackListen == "" {
		onListen = recv
	} else {
		mux := http.NewServeMux()
		mux.Handle(service.CallbackPrefix, recv)
		addr, stop, err := serveHTTP(callbackListen, "--callback-listen", mux, logger)
		if err != nil {
			return err
		}
		defer stop()
		callbacksAt = addr
	}

	// The control API's reloads are made by the loop below, one at a time
	// with those of SIGHUP and of file changes.
	reloads := make(chan chan error)
	if listen != "" {
		opts := []service.Option{service.WithReload(func() error {
			answer := make(chan error, 1)
			select {
			case reloads <- answer:
				return <-answer
			case <-ctx.Done():
				return scheduler.ErrStopping
			}
		})}
		if env.emulator {
			opts = append(opts, service.WithEmulator())
		}
		addr, stop, err := serveStatus(ctx, listen, cfg, sched, store, logger, env.emulator, opts, onListen)
		if err != nil {
			return err
		}
		defer stop()
		if onListen != nil {
			callbacksAt = addr
		}
	}
	announceCallbacks(sched.Config(), callbacksAt, env, logger)

	done := make(chan error, 1)
	recvDone := make(chan struct{})
	go func() { done <- sched.Run(ctx) }()
	go func() { recv.Run(ctx); close(recvDone) }()

	tick := time.NewTicker(pollInterval)
	defer tick.Stop()
	reload := func(why string) error {
		logger.Info("reloading", "file", config, "why", why)
		err := sched.ReloadFile(config, env.getenv) // logs its problems
		env.setZone(sched.Config().Location)
		watch.reset(sched.Config())
		return err
	}
	signals := 0
	for {
		select {
		case err := <-done:
			if ctx.Err() != nil {
				<-recvDone // the events still queued are recorded as interrupted
			}
			return err
		case <-stops:
			if signals++; signals > 1 {
				return errors.New("stopped at once by a second signal; runs in progress are marked interrupted at the next start")
			}
			logger.Info("stopping; a second signal stops at once")
		case <-hup:
			reload("SIGHUP")
		case answer := <-reloads:
			answer <- reload("asked through the control API")
		case <-tick.C:
			if watch.changed() {
				reload("the file or a script changed")
			}
		}
	}
}

// serveStatus serves the console, the control API, /metrics and /healthz on
// addr (and the callbacks under /callback/ when callbacks is not nil),
// records the address in the state for the command line, and returns the
// address it listens on and a function that closes the server. An address
// other than loopback needs control_token in jobs.yaml.
func serveStatus(ctx context.Context, addr string, cfg *jobs.Config, sched *scheduler.Scheduler, store state.Store, logger *slog.Logger, emulator bool, opts []service.Option, callbacks http.Handler) (bound string, stop func(), err error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return "", nil, configf("--listen %s: %v", addr, err)
	}
	host, _, _ := net.SplitHostPort(ln.Addr().String())
	if ip := net.ParseIP(host); ip == nil || !ip.IsLoopback() {
		if cfg.ControlToken == "" {
			ln.Close()
			return "", nil, configf("--listen %s is reachable from the network, where anyone could run and stop jobs: set control_token: \"${RUNNER_CONTROL_TOKEN}\" in %s (a long random value, e.g. openssl rand -hex 32), or listen on 127.0.0.1", addr, cfg.File)
		}
		logger.Warn("the status page and /metrics are reachable from the network; they show job names, schedules and logs", "listen", ln.Addr().String())
	}
	token, err := jobs.ServeControlToken(cfg)
	if err != nil {
		ln.Close()
		return "", nil, err
	}
	opts = append(opts, service.WithControlToken(token))
	handler := service.StatusHandler(sched, opts...)
	if callbacks != nil {
		mux := http.NewServeMux()
		mux.Handle(service.CallbackPrefix, callbacks)
		mux.Handle("/", handler)
		handler = mux
	}
	srv := &http.Server{Handler: handler, ReadHeaderTimeout: 10 * time.Second, ErrorLog: slog.NewLogLogger(logger.Handler(), slog.LevelWarn)}
	go srv.Serve(ln)
	url := "http://" + ln.Addr().String() + "/"
	svc := state.ServiceInfo{URL: url, Instance: store.Instance(), Started: time.Now().UTC(), Emulator: emulator}
	if err := store.Advertise(ctx, svc); err != nil {
		logger.Warn("cannot record the control address in the state: runner jobs will not find this serve", "error", err)
	}
	logger.Info("status page", "url", url)
	return ln.Addr().String(), func() { srv.Close() }, nil
}

// serveHTTP serves handler on addr (named by flag in errors), and returns
// the address it listens on and a function that closes the server.
func serveHTTP(addr, flag string, handler http.Handler, logger *slog.Logger) (bound string, stop func(), err error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return "", nil, configf("%s %s: %v", flag, addr, err)
	}
	srv := &http.Server{Handler: handler, ReadHeaderTimeout: 10 * time.Second, ErrorLog: slog.NewLogLogger(logger.Handler(), slog.LevelWarn)}
	go srv.Serve(ln)
	return ln.Addr().String(), func() { srv.Close() }, nil
}

// announceCallbacks logs the URL of each callback, and points the
// in-process emulator, if any, at the callback that has its secrets.
func announceCallbacks(cfg *jobs.Config, addr string, env *runEnv, logger *slog.Logger) {
	if len(cfg.Callbacks) == 0 {
		return
	}
	if addr == "" {
		logger.Warn("callbacks: are configured, but neither --listen nor --callback-listen serves them")
		return
	}
	host, port, _ := net.SplitHostPort(addr)
	if ip := net.ParseIP(host); ip != nil && ip.IsUnspecified() {
		host = "127.0.0.1"
	}
	base := "http://" + net.JoinHostPort(host, port) + service.CallbackPrefix
	for _, name := range slices.Sorted(maps.Keys(cfg.Callbacks)) {
		logger.Info("callback", "name", name, "url", base+name)
	}
	if env.emu == nil {
		return
	}
	cred := env.emu.Credentials()
	for _, name := range slices.Sorted(maps.Keys(cfg.Callbacks)) {
		cb := cfg.Callbacks[name]
		if cred.Callback != nil && cb.Token == cred.Callback.Token && cb.EncodingAESKey == cred.Callback.EncodingAESKey && cb.ReceiveID == cred.CorpID {
			if err := pushTo(env.emu, base+name); err != nil {
				logger.Error("the emulator cannot push events", "error", err)
				return
			}
			logger.Info("the emulator pushes its events to the callback", "name", name, "url", base+name)
			return
		}
	}
	logger.Info("the emulator pushes no events: no callback of the jobs file has its token, key and corp id (${WECOM_CB_TOKEN}, ${WECOM_CB_AES_KEY}, ${WECOM_CORP_ID})")
}

// watcher notices changes to a jobs file and the scripts of its jobs, by
// their modification times and sizes.
type watcher struct {
	path  string
	files []string
	last  string
}

func newWatcher(path string, cfg *jobs.Config) *watcher {
	w := &watcher{path: path}
	w.reset(cfg)
	return w
}

// reset watches the files of cfg from their current state.
func (w *watcher) reset(cfg *jobs.Config) {
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
