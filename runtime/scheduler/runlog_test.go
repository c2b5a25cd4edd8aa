package scheduler

import (
	"fmt"
	"strings"
	"testing"

	"github.com/wecomrunner/runner/runtime/internal/runfixture"
	"github.com/wecomrunner/runner/runtime/jobs"
	"github.com/wecomrunner/runner/runtime/state"
)

// storedLog writes lines to a run log with the given limit, closes it, and
// returns what the store kept.
func storedLog(t *testing.T, limit int64, write func(l *runLog)) []string {
	t.Helper()
	store := runfixture.OpenBolt(t, state.BoltOptions{})
	l := newRunLog(t.Context(), store, "job", "run", nil, limit, testLogger(t))
	write(l)
	l.Close()
	lines, total, err := store.Log(t.Context(), "job", "run", 0, 0)
	if err != nil || total != len(lines) {
		t.Fatalf("Log = %d lines, total %d, %v", len(lines), total, err)
	}
	return lines
}

func TestRunLogLimit(t *testing.T) {
	const limit = 10_000
	line := strings.Repeat("x", 99) // 100 bytes with its newline
	lines := storedLog(t, limit, func(l *runLog) {
		for i := range 250 {
			fmt.Fprintf(l, "%03d%s\n", i, line[3:])
		}
	})
	if len(lines) != 102 {
		t.Fatalf("%d lines stored, want 100, the marker and the summary:\n%q", len(lines), lines[len(lines)-3:])
	}
	size := 0
	for _, l := range lines[:100] {
		size += len(l) + 1
	}
	if size != limit || !strings.HasPrefix(lines[99], "099") {
		t.Errorf("the stored lines take %d bytes ending with %.3s, want %d ending with line 099", size, lines[99], limit)
	}
	if want := "[log truncated: a run stores at most 10 kB (log_limit) and 100000 lines of log; the rest went to stderr only]"; lines[100] != want {
		t.Errorf("marker = %q, want %q", lines[100], want)
	}
	if want := "[150 more lines (15 kB) were not stored]"; lines[101] != want {
		t.Errorf("summary = %q, want %q", lines[101], want)
	}
}

// TestRunLogHugeLines: one 32 MB line of a run keeps its first 64 KiB, cut
// at a character boundary; lines past the limit are dropped one by one.
func TestRunLogHugeLines(t *testing.T) {
	huge := strings.Repeat("日", 32<<20/3) // 3 bytes a character: the cut falls inside one
	lines := storedLog(t, 150_000, func(l *runLog) {
		for range 8 {
			l.Write([]byte(huge + "\n"))
		}
	})
	if len(lines) != 4 {
		t.Fatalf("%d lines stored, want 2 cut lines, the marker and the summary", len(lines))
	}
	for _, l := range lines[:2] {
		body, note, ok := strings.Cut(l, "… [line cut: ")
		if !ok || note != fmt.Sprintf("%d bytes]", len(huge)) || len(body) > MaxLogLine || len(body) < MaxLogLine-3 || strings.Trim(body, "日") != "" {
			t.Errorf("a 32 MB line is stored as %d bytes ending %q", len(l), l[len(l)-40:])
		}
	}
	if !strings.HasPrefix(lines[2], "[log truncated:") || lines[3] != "[6 more lines (201 MB) were not stored]" {
		t.Errorf("marker and summary = %q", lines[2:])
	}
}

func TestRunLogLineCount(t *testing.T) {
	lines := storedLog(t, jobs.MaxLogLimit, func(l *runLog) {
		l.Write([]byte(strings.Repeat("\n", maxLogLines+5)))
	})
	if len(lines) != maxLogLines+2 || lines[maxLogLines+1] != "[5 more lines (5 B) were not stored]" {
		t.Errorf("%d lines stored ending %q, want %d empty lines, the marker and a summary of 5", len(lines), lines[len(lines)-2:], maxLogLines)
	}
}
