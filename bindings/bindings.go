// Package bindings exposes the WeCom client and the helpers that admin scripts
// need as Lua modules: require("wecom"), require("json"), require("csv"), ...
//
// A run builds one Env and calls Preload on a fresh Lua state; every module
// then reads what it needs (clients, logger, arguments, allowed directories,
// the job's key-value store) from that Env.
//
// The functions of the API groups and the specs of their parameters (type,
// default, doc), which check every call's arguments and make the editor
// stubs, are generated from wecom's method table into methods_gen.go. A
// function with real logic is written by hand in its group's file, named
// after it: userAllIDs is user.all_ids.
package bindings

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"time"

	"github.com/wecomrunner/runner/bindings/luajson"
	"github.com/wecomrunner/runner/wecom"
	"github.com/wecomrunner/runner/wecom/callback"
)

// Env is what one run gives the modules. The zero value of every field is
// usable: no clients, a discarding logger, no arguments, no files.
type Env struct {
	// Clients are the WeCom clients by name; Default names the one that
	// require("wecom") uses directly.
	Clients map[string]*wecom.Client
	Default string

	Logger *slog.Logger // the run's logger: log.info and friends write here
	Stdout io.Writer    // where print writes

	Args     map[string]any      // the job's arguments, as args.* in Lua
	Event    callback.Event      // the event that triggered the run: require("event") and the global event; nil for none
	Getenv   func(string) string // reads the process environment
	EnvAllow []string            // the variables env.get may read
	Dirs     []string            // the directories fs, csv and uploads may touch
	// ReadOnly are files and directories (with everything under them) that
	// scripts may read but never write, whatever Dirs says: the
	// configuration, the scripts and their modules. A directory of Dirs
	// strictly inside one of them stays writable, except for .lua files.
	ReadOnly []string
	// Private are files and directories scripts may neither read nor write:
	// the runner's state.
	Private []string
	// HTTPAllow lists what http may reach besides public addresses: host
	// names ("hr.example.com", "*.corp.example"), addresses and networks
	// ("10.2.0.0/16"); see CheckHTTPAllow.
	HTTPAllow []string
	KV        KV        // the job's persistent key-value state; nil: kv is unavailable
	History   History   // past runs of the configured jobs; nil: history is unavailable
	Progress  io.Writer // progress lines for long work; nil when stderr is not a terminal
	// StringLimit is the longest string a call may read into memory for the
	// script: a download's content, an http response body, a WeCom answer a
	// fan-out reads whole. The runtime sets it from the run's memory limit
	// (a quarter of it); 0, or more than MaxString, is MaxString.
	StringLimit int64
}

// MaxString is the longest string a script may build or read at once (a
// file read by fs.read, the result of a string function, a JSON text).
const MaxString = luajson.MaxText

// stringLimit is the longest string a call of the run may read into memory.
func (e *Env) stringLimit() int64 {
	if e == nil || e.StringLimit <= 0 {
		return MaxString
	}
	return min(e.StringLimit, MaxString)
}

// tooLargeError is the error of a read that passed its limit.
type tooLargeError struct {
	size  int64 // the size announced, or -1: more than limit bytes came
	limit int64
}

func (e *tooLargeError) Error() string {
	if e.size >= 0 {
		return fmt.Sprintf("%d bytes, more than the limit of %d bytes", e.size, e.limit)
	}
	return fmt.Sprintf("more than the limit of %d bytes", e.limit)
}

// readLimited reads r into memory, or fails with a *tooLargeError once it
// passes limit bytes: at once, reading nothing, when size (the length the
// sender announced, -1 when unknown) is over it, otherwise after reading at
// most limit+1 bytes.
func readLimited(r io.Reader, size, limit int64) ([]byte, error) {
	if size > limit {
		return nil, &tooLargeError{size, limit}
	}
	var b bytes.Buffer
	if size > 0 {
		b.Grow(int(size) + 1)
	}
	if _, err := b.ReadFrom(&limitedReader{r: r, limit: limit}); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// limitedReader reads r, and fails with a *tooLargeError once r has yielded
// more than limit bytes, having read at most one byte more.
type limitedReader struct {
	r     io.Reader
	n     int64 // the bytes read so far
	limit int64
}

func (l *limitedReader) Read(p []byte) (int, error) {
	if rest := l.limit + 1 - l.n; int64(len(p)) > rest {
		p = p[:rest]
	}
	n, err := l.r.Read(p)
	l.n += int64(n)
	if l.n > l.limit {
		return 0, &tooLargeError{-1, l.limit}
	}
	return n, err
}

// History reads the outcome of jobs' past runs, for reports.
type History interface {
	LastRun(ctx context.Context, job string) (r RunSummary, ok bool, err error)
}

// RunSummary is the outcome of one run of a job.
type RunSummary struct {
	ID       string
	Result   string // ok, failed, timed_out, skipped, interrupted
	Error    string
	Started  time.Time
	Finished time.Time
}

// KV is the small persistent state of one job (yesterday's headcount, a sync
// cursor). Values are strings; kv encodes Lua values as JSON.
type KV interface {
	Get(ctx context.Context, key string) (value string, ok bool, err error)
	Set(ctx context.Context, key, value string) error
	Delete(ctx context.Context, key string) error
}
