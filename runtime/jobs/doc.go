// Package jobs reads and checks jobs.yaml, the configuration of runner serve
// and of the command line: clients, jobs, callbacks and event triggers,
// alerts, defaults.
//
// Parsing, validating and running are kept apart:
//
//   - Parse (or Load) reads jobs.yaml into a Config, strictly: an unknown field
//     is a problem with its file and line. ${VAR} is expanded from the
//     environment given; secrets come only from there.
//   - Validate checks the whole Config and reports every problem at once
//     (Problems): bad schedules, unknown time zones, missing scripts, Lua
//     syntax errors, unknown clients, unset environment variables, duplicate
//     names and nonsense values (a client's rate_limit: must be a number of
//     calls a minute or off, its rate_limit_wait: a duration). It also compiles each script once, so that
//     runs reuse the compiled code. Only a validated Config can be scheduled.
//
// A Config also says what scripts may never change or see (ReadOnly,
// Private) and where the control token lives (ControlTokenFile,
// ServeControlToken, ClientControlToken).
package jobs
