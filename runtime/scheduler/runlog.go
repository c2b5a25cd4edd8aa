package scheduler

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/dustin/go-humanize"

	"github.com/wecomrunner/runner/runtime/jobs"
	"github.com/wecomrunner/runner/runtime/state"
)

// The bounds of a run's stored log, besides the job's log_limit (bytes):
// what goes beyond them still reaches stderr.
const (
	// maxLogLines bounds the lines stored for one run, whatever their size.
	maxLogLines = 100_000
	// MaxLogLine bounds one stored line; a longer line is cut, and says so,
	// so that a page of the log stays small.
	MaxLogLine = 64 << 10
)

// NotStoredSuffix ends the last line of a truncated log, which counts the
// lines not stored.
const NotStoredSuffix = " were not stored]"

// runLog stores a run's log lines as they are written, up to the job's
// log_limit: the first line that would pass it is replaced by a marker line,
// and the later ones are counted, not stored. Lines are written to the store
// by a goroutine of their own, in batches: while one batch is being stored,
// the next lines gather. Close stores what is left.
type runLog struct {
	ctx     context.Context
	store   state.Store
	job, id string
	loc     *time.Location // the job's time zone, of the lines' times
	limit   int64          // bytes of lines (newlines counted) stored at most
	errlog  *slog.Logger   // where a failure to store lines, and the truncation, are reported, once

	mu           sync.Mutex
	pending      []string
	lines        int   // lines accepted
	size         int64 // bytes accepted
	truncated    bool  // the log reached a bound: nothing more is stored
	droppedLines int
	droppedBytes int64
	closed       bool
	failed       bool
	kick         chan struct{}
	done         chan struct{}
}

// newRunLog starts the stored log of a run, whose lines' times are in loc
// (UTC when nil); limit <= 0 is DefaultLogLimit.
func newRunLog(ctx context.Context, store state.Store, job, id string, loc *time.Location, limit int64, errlog *slog.Logger) *runLog {
	if loc == nil {
		loc = time.UTC
	}
	if limit <= 0 {
		limit = jobs.DefaultLogLimit
	}
	l := &runLog{
		ctx: ctx, store: store, job: job, id: id, loc: loc, limit: limit, errlog: errlog,
		kick: make(chan struct{}, 1),
		done: make(chan struct{}),
	}
	go l.loop()
	return l
}

// handler returns a slog handler that writes text lines to the log. The job
// and run attributes are left out (every line of the log has them) and times
// are in the job's time zone.
func (l *runLog) handler() slog.Handler {
	return slog.NewTextHandler(l, &slog.HandlerOptions{
		ReplaceAttr: func(groups []string, a slog.Attr) slog.Attr {
			if len(groups) > 0 {
				return a
			}
			switch a.Key {
			case "job", "run":
				return slog.Attr{}
			case slog.TimeKey:
				return slog.String(slog.TimeKey, a.Value.Time().In(l.loc).Format("2006-01-02T15:04:05.000Z07:00"))
			}
			return a
		},
	})
}

// Write takes one or more complete lines (a slog handler writes one record a
// call).
func (l *runLog) Write(p []byte) (int, error) {
	l.mu.Lock()
	if l.closed {
		l.mu.Unlock()
		return len(p), nil
	}
	truncatedNow := false
	for line := range bytes.Lines(p) {
		line = bytes.TrimSuffix(line, []byte("\n"))
		if l.truncated {
			l.droppedLines++
			l.droppedBytes += int64(len(line)) + 1
			continue
		}
		text := cutLine(line)
		size := int64(len(text)) + 1
		if l.lines >= maxLogLines || l.size+size > l.limit {
			l.truncated, truncatedNow = true, true
			l.droppedLines++
			l.droppedBytes += int64(len(line)) + 1
			l.pending = append(l.pending, fmt.Sprintf("[log truncated: a run stores at most %s (log_limit) and %d lines of log; the rest went to stderr only]",
				humanize.Bytes(uint64(l.limit)), maxLogLines))
			continue
		}
		l.lines++
		l.size += size
		l.pending = append(l.pending, text)
	}
	select {
	case l.kick <- struct{}{}:
	default:
	}
	l.mu.Unlock()
	if truncatedNow {
		l.errlog.Warn("the run's log reached its limit: later lines are not stored", "job", l.job, "run", l.id, "log_limit", humanize.Bytes(uint64(l.limit)))
	}
	return len(p), nil
}

// cutLine returns line, or its first maxLogLine bytes (whole UTF-8
// characters) followed by a note of its length when it is longer.
func cutLine(line []byte) string {
	if len(line) <= MaxLogLine {
		return string(line)
	}
	n := MaxLogLine
	for n > 0 && !utf8.RuneStart(line[n]) {
		n--
	}
	return fmt.Sprintf("%s… [line cut: %d bytes]", line[:n], len(line))
}

func (l *runLog) loop() {
	defer close(l.done)
	for range l.kick {
		l.flush()
	}
	l.flush()
}

func (l *runLog) flush() {
	l.mu.Lock()
	lines := l.pending
	l.pending = nil
	l.mu.Unlock()
	if len(lines) == 0 {
		return
	}
	ctx, cancel := context.WithTimeout(l.ctx, 10*time.Second)
	defer cancel()
	if err := l.store.AppendLog(ctx, l.job, l.id, lines); err != nil && !l.failed {
		l.failed = true
		l.errlog.Error("cannot store the run's log", "job", l.job, "run", l.id, "error", err)
	}
}

// Close stores the remaining lines and stops the log.
func (l *runLog) Close() {
	l.mu.Lock()
	if l.closed {
		l.mu.Unlock()
		return
	}
	l.closed = true
	if l.droppedLines > 0 {
		l.pending = append(l.pending, fmt.Sprintf("[%d more lines (%s)%s", l.droppedLines, humanize.Bytes(uint64(l.droppedBytes)), NotStoredSuffix))
	}
	close(l.kick)
	l.mu.Unlock()
	<-l.done
}

// lineWriter turns what a script prints into log records, one a line, and
// copies each line to echo when it is set.
type lineWriter struct {
	log  *slog.Logger
	echo io.Writer
	mu   sync.Mutex
	buf  []byte
}

func (w *lineWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.buf = append(w.buf, p...)
	for {
		i := bytes.IndexByte(w.buf, '\n')
		if i < 0 {
			break
		}
		w.line(w.buf[:i])
		w.buf = w.buf[i+1:]
	}
	return len(p), nil
}

// flush logs a last line that had no newline.
func (w *lineWriter) flush() {
	w.mu.Lock()
	defer w.mu.Unlock()
	if len(w.buf) > 0 {
		w.line(w.buf)
		w.buf = nil
	}
}

func (w *lineWriter) line(b []byte) {
	w.log.Info(string(b))
	if w.echo != nil {
		w.echo.Write(append(b[:len(b):len(b)], '\n'))
	}
}
