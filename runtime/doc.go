// Package runtime runs admin scripts: it loads and validates jobs.yaml, keeps
// the schedule (robfig/cron schedules evaluated in each job's time zone), records
// every run in a state store, and runs one script at a time in a sandboxed Lua
// VM.
//
// The scheduling side is three steps kept apart:
//
//   - Parse (or Load) reads jobs.yaml into a Config, strictly: an unknown field
//     is a problem with its file and line.
//   - Validate checks the whole Config and reports every problem at once: bad
//     schedules, unknown time zones, missing scripts, Lua syntax errors, unknown
//     clients, unset environment variables, duplicate names and nonsense values.
//     It also compiles each script once, so the VM reuses the compiled code.
//   - A Scheduler runs the jobs of a validated Config, calling an Executor for
//     each attempt, and records runs, logs and last scheduled times in a Store.
//
// # Scheduling rules
//
// A firing is identified by its job and its scheduled instant; instants are
// stored in UTC, schedules are evaluated in the job's time zone. Before a
// firing runs, the scheduler records it as the job's last scheduled time and
// claims it in the store (so several instances sharing a store run it once).
// Jitter then delays the start by a random duration in [0, jitter).
//
// Overlap: with concurrency "forbid" (the default) a firing that finds the job
// still running is recorded as skipped; "allow" starts it anyway; "replace"
// cancels the running run (recorded as interrupted) and then starts.
//
// The timeout covers every attempt of a run. A failed attempt is retried up to
// retries.max times after an exponential backoff (backoff, 2×backoff, ...,
// capped at max_backoff); a retry that could not start before the timeout is
// not attempted.
//
// Catch-up: when the scheduler starts, each job's next firing follows its
// persisted last scheduled time, so firings missed while the runner was not
// running are noticed. A firing found less than 10 seconds late (a busy machine,
// a quick restart) runs as scheduled. Otherwise, with catchup "once" the latest
// missed firing runs once, if it is within starting_deadline (no deadline when
// unset); with catchup "skip" (the default) it is recorded as skipped. Earlier
// missed firings are logged and dropped.
//
// Triggered runs: Scheduler.Trigger starts a run outside the schedule, by
// hand (trigger "manual") or for an event WeCom pushed to a callback (trigger
// "event", see Receiver), through the same overlap policy, timeout,
// retries and history. A run for an event records the event's XML
// (EventInfo) and hands it to the script as require("event"). With
// RunRequest.Wait a run of a "forbid" job waits for the running one instead
// of being refused, so that events queue rather than get lost; without it,
// Trigger refuses (ErrBusy) and records nothing. A paused job (Pause, kept in
// the store for every instance) passes its firings over and refuses
// triggered runs (ErrPaused). Cancel stops a run here at once, or, on
// another instance sharing the store, through a request that instance polls
// for.
//
// Events: a Receiver answers WeCom's callbacks (callbacks: in jobs.yaml,
// /callback/NAME), verifies and decrypts them with package
// wecom/callback, deduplicates them through Store.FirstSeen (across the
// instances sharing a Redis state), and queues a triggered run for each job
// whose on: takes the event, with a bound on the runs at once.
//
// Operating a running service: StatusHandler serves the console (pages that
// read freely and forms that act with a session opened by the control
// token) and the control API (JSON under /api/v1/, with the token as a
// bearer); ControlClient calls that API and Control does the same on a
// scheduler directly. A serve records its address in the store (Advertise),
// where FindServices finds it for the command line.
//
// Alerts: after a run, the job's notify: may alert a failure, a recovery or a
// success through an Alerter (group robots, application messages, app
// chats), at most once per quiet while the job keeps failing.
//
// Shutdown stops scheduling, waits up to the grace period for running jobs, then
// cancels them; cancelled runs are recorded as interrupted. A run left
// "running" by a process that died (kill -9, power loss) is marked interrupted
// the next time the state is opened; with a Redis state, shared by several
// instances, once the heartbeat of the dead instance has expired, by the next
// instance that opens it or by the sweep that open instances make every
// minute.
package runtime
