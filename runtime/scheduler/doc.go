// Package scheduler runs the jobs of a validated jobs.Config: it keeps the
// schedule (robfig/cron schedules evaluated in each job's time zone), starts
// triggered runs, calls an Executor for each attempt, and records runs, logs
// and last scheduled times in a state.Store.
//
// The Engine is the Executor of runner serve and exec: it runs a job's script
// in package vm with the WeCom clients of the configuration. It is
// reload-aware: a reload that only changes jobs keeps the clients, their
// tokens and their rate limiters; a changed client gets a new one while runs
// in flight finish on the old. A client's rate_limit: and rate_limit_wait:
// become its wecom options, and each wait of a run's calls on WeCom's
// frequency limit is a warning in that run's log. Metrics (Prometheus, in a
// registry of their own) count runs, WeCom calls and callbacks.
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
// "event", see service.Receiver; "recovered" for an event that a process
// which died had accepted), through the same overlap policy, timeout,
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
// Alerts: after a run, the job's notify: may alert a failure, a recovery or a
// success through an Alerter (group robots, application messages, app
// chats), at most once per quiet while the job keeps failing, and once across
// the instances sharing the store (the alert state changes by compare-and-set).
//
// Shutdown stops scheduling, waits up to the grace period for running jobs, then
// cancels them; cancelled runs are recorded as interrupted. Runs left
// "running" by a process that died are found by package state.
package scheduler
