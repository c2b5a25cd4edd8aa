package bindings

import (
	"bytes"
	"log/slog"
	"strings"
	"testing"
)

func TestLogModule(t *testing.T) {
	var buf bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{
		Level: slog.LevelDebug,
		ReplaceAttr: func(_ []string, a slog.Attr) slog.Attr {
			if a.Key == slog.TimeKey {
				return slog.Attr{}
			}
			return a
		},
	}))
	runLuaTests(t, "testdata/log_test.lua", preloadHelpers(&Env{Logger: logger}))
	want := strings.Join([]string{
		`level=DEBUG msg="debug line"`,
		`level=INFO msg=同步完成 created=3 department=研发部 dry=false ids="[1 2]" ratio=0.5`,
		`level=WARN msg="warn line"`,
		`level=ERROR msg="error line" code=60111`,
		``,
	}, "\n")
	if got := buf.String(); got != want {
		t.Errorf("log output:\n%s\nwant:\n%s", got, want)
	}
}
