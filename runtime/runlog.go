package runtime

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"time"
)

// maxLogLines bounds the lines stored for one run; later lines still reach
// stderr.
const maxLogLines = 10000

// runLog stores a run's log lines as they are written. Lines are written to
// the store by a goroutine of their own, in batches: while one batch is being
// stored, the next lines gather. Close stores what is left.
type runLog struct {
	ctx     context.Context
	store   Store
	job, id string
	loc     *time.Location // the job's time zone, of the lines' times
	errlog  *slog.Logger   // where a failure to store lines is reported, once

	mu       sync.Mutex
	pending  []string
	accepted int
	dropped  int
	closed   bool
	failed   bool
	kick     chan struct{}
	done     chan struct{}
}

func newRunLog(ctx context.Context, store Store, job, id string, loc *time.Location, errlog *slog.Logger) *runLog {
	if loc == nil {
		loc = time.UTC
	}
	l := &runLog{
		ctx: ctx, store: store, job: job, id: id, loc: loc, errlog: errlog,
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
	defer l.mu.Unlock()
	if l.closed {
		return len(p), nil
	}
	for line := range bytes.Lines(p) {
		if l.accepted >= maxLogLines {
			l.dropped++
			continue
		}
		l.accepted++
		l.pending = append(l.pending, string(bytes.TrimSuffix(line, []byte("\n"))))
	}
	select {
	case l.kick <- struct{}{}:
	default:
	}
	return len(p), nil
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
	if l.dropped > 0 {
		l.pending = append(l.pending, fmt.Sprintf("(%d more lines are not stored: a run keeps at most %d)", l.dropped, maxLogLines))
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
