package service

import (
	"strconv"
	"strings"
	"time"
)

// LogLine is a stored line of a run's log as people read it: its time in a
// time zone (the job's), and the values written on several lines (a Lua
// stack traceback) on lines of their own instead of as "\n\t".
type LogLine struct {
	// Text is the line, its multi-line values cut after their first line.
	Text string `json:"text"`
	// More are the other lines of its multi-line values, in order.
	More []string `json:"more,omitempty"`
}

// String is the line followed by its other lines, joined by newlines.
func (l LogLine) String() string {
	if len(l.More) == 0 {
		return l.Text
	}
	return l.Text + "\n" + strings.Join(l.More, "\n")
}

// storedTime is the layout of the time that starts a stored line:
// "time=2025-01-02T11:04:05.000+08:00" (UTC in older logs).
const storedTime = "2006-01-02T15:04:05.000Z07:00"

// ReadableLogLine returns a stored log line with its time in loc and its
// multi-line values on lines of their own. A line in another format is kept
// as it is.
func ReadableLogLine(line string, loc *time.Location) LogLine {
	var b strings.Builder
	rest := line
	if v, after, ok := strings.Cut(rest, " "); ok && strings.HasPrefix(v, "time=") {
		if t, err := time.Parse(time.RFC3339Nano, v[len("time="):]); err == nil {
			b.WriteString("time=" + t.In(loc).Format(storedTime) + " ")
			rest = after
		}
	}
	var more []string
	for {
		i := strings.Index(rest, `="`)
		if i < 0 {
			b.WriteString(rest)
			break
		}
		b.WriteString(rest[:i+1])
		rest = rest[i+1:]
		quoted, err := strconv.QuotedPrefix(rest)
		if err != nil {
			b.WriteString(rest)
			break
		}
		rest = rest[len(quoted):]
		value, _ := strconv.Unquote(quoted)
		first, others, multi := strings.Cut(value, "\n")
		if !multi {
			b.WriteString(quoted)
			continue
		}
		b.WriteString(strconv.Quote(first))
		more = append(more, strings.Split(strings.TrimRight(others, "\n"), "\n")...)
	}
	return LogLine{Text: b.String(), More: more}
}
