package service

import (
	"bytes"
	"log/slog"
	"reflect"
	"testing"
	"time"
)

func TestReadableLogLine(t *testing.T) {
	shanghai, _ := time.LoadLocation("Asia/Shanghai")
	// A line as the run's log stores it.
	var b bytes.Buffer
	slog.New(slog.NewTextHandler(&b, nil)).Error("script failed", "error", "sync.lua:2: boom", "traceback", "stack traceback:\n\t[G]: in function 'error'\n\tsync.lua:2: in main chunk")
	stored := string(bytes.TrimSuffix(b.Bytes(), []byte("\n")))

	tests := []struct {
		line string
		want LogLine
	}{
		{"time=2025-01-01T18:30:00.250Z level=INFO msg=tick n=1", LogLine{Text: "time=2025-01-02T02:30:00.250+08:00 level=INFO msg=tick n=1"}},
		{"time=2025-01-02T02:30:00.250+08:00 level=INFO msg=tick", LogLine{Text: "time=2025-01-02T02:30:00.250+08:00 level=INFO msg=tick"}},
		{`time=2025-01-01T18:30:00.250Z level=INFO msg="a=\"b\" c" x="y z"`, LogLine{Text: `time=2025-01-02T02:30:00.250+08:00 level=INFO msg="a=\"b\" c" x="y z"`}},
		{"a line in another format", LogLine{Text: "a line in another format"}},
		{`msg="unterminated`, LogLine{Text: `msg="unterminated`}},
	}
	for _, tt := range tests {
		if got := ReadableLogLine(tt.line, shanghai); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("ReadableLogLine(%q) = %+v, want %+v", tt.line, got, tt.want)
		}
	}
	got := ReadableLogLine(stored, time.UTC)
	want := []string{"\t[G]: in function 'error'", "\tsync.lua:2: in main chunk"}
	if !reflect.DeepEqual(got.More, want) || !bytes.HasSuffix([]byte(got.Text), []byte(`msg="script failed" error="sync.lua:2: boom" traceback="stack traceback:"`)) {
		t.Errorf("the traceback line = %+v", got)
	}
	if got.String() != got.Text+"\n"+want[0]+"\n"+want[1] {
		t.Errorf("String() = %q", got.String())
	}
}
