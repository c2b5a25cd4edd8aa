// Package service is runner serve's HTTP surface.
//
// StatusHandler serves the console (pages that read freely and forms that act
// with a session opened by the control token), the control API (JSON under
// /api/v1/, with the token as a bearer), /metrics and /healthz.
// ControlClient calls that API and Control does the same operations on a
// scheduler of this process, so that the command line, the console and the
// API share one set of operations. A serve records its address in the store
// (state.Store.Advertise), where state.FindServices finds it for the command
// line.
//
// Events: a Receiver answers WeCom's callbacks (callbacks: in jobs.yaml,
// /callback/NAME), verifies and decrypts them with package wecom/callback,
// deduplicates them and records them as pending through Store.AcceptEvent
// (across the instances sharing a Redis state), and queues a triggered run
// for each job whose on: takes the event, with a bound on the runs at once.
// It takes up the pending events that a process which died left in the
// store (Store.TakePending).
package service
