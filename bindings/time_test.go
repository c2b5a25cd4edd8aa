package bindings

import (
	"context"
	"strings"
	"testing"
	"time"

	lua "github.com/yuin/gopher-lua"
)

func TestTimeModule(t *testing.T) {
	runLuaTests(t, "testdata/time_test.lua", preloadHelpers(&Env{}))
}

func TestSleepCancelled(t *testing.T) {
	for _, tt := range []struct {
		name   string
		cancel func(context.CancelFunc)
	}{
		{"during", func(cancel context.CancelFunc) { time.AfterFunc(20*time.Millisecond, cancel) }},
		{"before", func(cancel context.CancelFunc) { cancel() }},
	} {
		t.Run(tt.name, func(t *testing.T) {
			L := lua.NewState()
			defer L.Close()
			preloadHelpers(&Env{})(L)
			ctx, cancel := context.WithCancel(t.Context())
			defer cancel()
			L.SetContext(ctx)
			tt.cancel(cancel)
			start := time.Now()
			err := L.DoString(`require("time").sleep(60)`)
			// Cancelled before, the VM itself stops with "context canceled".
			if err == nil || !strings.Contains(err.Error(), "cancel") {
				t.Errorf("sleep: error %v, want cancelled", err)
			}
			if d := time.Since(start); d > 30*time.Second { // of a 60 s sleep
				t.Errorf("sleep returned after %v", d)
			}
		})
	}
}

func TestStrftimeRoundTrip(t *testing.T) {
	loc, err := zone("Asia/Shanghai")
	if err != nil {
		t.Fatal(err)
	}
	want := time.Date(2024, 2, 29, 23, 59, 58, 123456000, loc)
	for _, layout := range []string{
		"%Y-%m-%d %H:%M:%S.%f", "%F %T.%f %z", "%d/%m/%y %I:%M:%S.%f %p", "%A, %d %B %Y %T.%f", "%Y%j %H%M%S.%f",
	} {
		s, err := strftime(want, layout)
		if err != nil {
			t.Fatalf("strftime(%q): %v", layout, err)
		}
		got, err := strptime(s, layout, loc)
		if err != nil || !got.Equal(want) {
			t.Errorf("strptime(%q, %q) = %v, %v; want %v", s, layout, got, err, want)
		}
	}
}
