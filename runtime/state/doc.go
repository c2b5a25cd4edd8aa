// Package state keeps what the runner remembers between runs and shares
// between instances: the Store interface and its two implementations, an
// embedded bbolt file (OpenBolt) and a Redis database shared by several
// instances (OpenRedis); Open picks one from jobs.yaml's state: setting.
//
// A Store holds the run history (RunRecord, the log of each run, DefaultHistory
// runs per job unless told), each job's last scheduled time, the claims that
// make several instances run a firing once (keyed by job and scheduled
// instant, not wall clock), job locks, deduplication keys (FirstSeen, and
// those of events), the events accepted and not yet run (AcceptEvent,
// TakePending: a process that dies leaves them to the next), pauses, cancel
// requests, the scripts' key-value state (KV), cached access tokens
// (wecom.TokenCache), and the address of a running serve (Advertise, found
// by FindServices).
//
// A run left "running" by a process that died (kill -9, power loss) is marked
// interrupted the next time the state is opened; with Redis, once the
// heartbeat of the dead instance has expired, by the next instance that opens
// it or by the sweep that open instances make every third of the heartbeat's
// lifetime.
//
// The bbolt file stays bounded: a new run drops its job's runs beyond the
// history, with their logs, and bbolt reuses their pages; opening the file
// for writing drops the runs beyond a history lowered since, and compacts a
// file that is mostly free pages.
package state
