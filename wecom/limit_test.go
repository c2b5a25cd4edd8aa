package wecom

import (
	"context"
	"errors"
	"math"
	"strings"
	"testing"
	"time"
)

// waits records the frequency-limit waits a context's calls report.
type waits struct{ syncList[RateLimitWait] }

func (w *waits) context(ctx context.Context) context.Context {
	return ContextWithTrace(ctx, &Trace{RateLimitWait: w.add})
}

func TestDo_RateLimitWaitIsBounded(t *testing.T) {
	t.Parallel()
	const limit = 300 * time.Millisecond
	c, ts := setup(t, WithRateLimitWait(limit))
	calls := ts.counted(t, "user/get", `{"errcode":45009,"errmsg":"api freq out of limit, hint: [1], from ip: 10.0.0.1"}`)
	var w waits
	// The run's own deadline is far: rate_limit_wait, not it, ends the wait.
	ctx, cancel := context.WithTimeout(t.Context(), time.Hour)
	defer cancel()
	err := c.Do(w.context(ctx), &Request{API: "user/get", Read: true}, nil)
	var rl *RateLimitError
	if !errors.As(err, &rl) || !IsCode(err, CodeFrequencyLimited) || rl.Daily {
		t.Fatalf("err = %v, want a RateLimitError for 45009", err)
	}
	if rl.Waited < limit {
		t.Errorf("waited %v, want at least the %v rate_limit_wait", rl.Waited, limit)
	}
	if msg := err.Error(); !strings.Contains(msg, "errcode 45009") || !strings.Contains(msg, "the most a call waits") {
		t.Errorf("error %q, want the errcode and that the wait ran out", msg)
	}
	got := w.all()
	if len(got) == 0 || int(calls.Load()) != len(got)+1 {
		t.Fatalf("%d calls and %d waits reported, want a wait reported before each call again", calls.Load(), len(got))
	}
	var sum time.Duration
	for _, rw := range got {
		if rw.API != "user/get" || rw.Errcode != CodeFrequencyLimited || rw.Delay <= 0 || rw.Limit != limit ||
			!strings.HasPrefix(rw.Errmsg, "api freq out of limit") {
			t.Errorf("wait reported as %+v", rw)
		}
		sum += rw.Delay
	}
	if sum > limit {
		t.Errorf("the waits add up to %v, more than rate_limit_wait %v", sum, limit)
	}
}

func TestDo_RateLimitWaitZeroWaitsForNone(t *testing.T) {
	t.Parallel()
	c, ts := setup(t, WithRateLimitWait(0))
	calls := ts.counted(t, "user/get", `{"errcode":45033,"errmsg":"api concurrent out of limit"}`)
	var w waits
	err := c.Do(w.context(t.Context()), &Request{API: "user/get", Read: true}, nil)
	if !IsCode(err, CodeConcurrencyLimited) {
		t.Fatalf("err = %v, want 45033", err)
	}
	if calls.Load() != 1 || len(w.all()) != 0 {
		t.Errorf("%d calls, %d waits; want one call and no wait", calls.Load(), len(w.all()))
	}
}

func TestDo_DailyQuotaIsNotWaited(t *testing.T) {
	t.Parallel()
	c, ts := setup(t)
	calls := ts.counted(t, "user/get", `{"errcode":45009,"errmsg":"reach max api daily quota limit rid: 6645cea6-305a79e0-5e143fbd"}`)
	var w waits
	err := c.Do(w.context(t.Context()), &Request{API: "user/get", Read: true}, nil)
	var rl *RateLimitError
	if !errors.As(err, &rl) || !rl.Daily || !IsCode(err, CodeFrequencyLimited) {
		t.Fatalf("err = %v, want a daily-quota RateLimitError", err)
	}
	if calls.Load() != 1 || len(w.all()) != 0 {
		t.Errorf("%d calls, %d waits; want one call and no wait", calls.Load(), len(w.all()))
	}
	if msg := err.Error(); !strings.Contains(msg, "daily quota of user/get is used up") {
		t.Errorf("error %q, want it to say the daily quota is used up", msg)
	}
}

func TestDo_MonthlyQuotaIsNotWaited(t *testing.T) {
	t.Parallel()
	c, ts := setup(t)
	calls := ts.counted(t, "media/uploadimg", `{"errcode":45009,"errmsg":"reach max api monthly quota limit: media/uploadimg allows 3000 images uploaded a month"}`)
	var w waits
	err := c.Do(w.context(t.Context()), &Request{API: "media/uploadimg", Read: true}, nil)
	var rl *RateLimitError
	if !errors.As(err, &rl) || !rl.Monthly || rl.Daily || !IsCode(err, CodeFrequencyLimited) {
		t.Fatalf("err = %v, want a monthly-quota RateLimitError", err)
	}
	if calls.Load() != 1 || len(w.all()) != 0 {
		t.Errorf("%d calls, %d waits; want one call and no wait", calls.Load(), len(w.all()))
	}
	if msg := err.Error(); !strings.Contains(msg, "monthly quota of media/uploadimg is used up, blocked for 30 days") {
		t.Errorf("error %q, want it to say the monthly quota is used up", msg)
	}
}

func TestLimiter_DeadlineBeforeNextCall(t *testing.T) {
	t.Parallel()
	// Two calls a minute: the second call of a loop waits 30s.
	c, ts := setup(t, WithRateLimit(2))
	calls := ts.counted(t, "user/get", `{"errcode":0,"errmsg":"ok"}`)
	ctx, cancel := context.WithTimeout(t.Context(), 25*time.Second)
	defer cancel()
	if err := c.Do(ctx, &Request{API: "user/get", Read: true}, nil); err != nil {
		t.Fatal(err)
	}
	err := c.Do(ctx, &Request{API: "user/get", Read: true}, nil)
	var le *LimitError
	if !errors.As(err, &le) || le.API != "user/get" || le.PerMinute != 2 || le.Delay <= 0 {
		t.Fatalf("err = %v, want a LimitError of 2 calls/min for user/get", err)
	}
	msg := err.Error()
	if !strings.Contains(msg, "rate limit of 2 calls/min for user/get: the deadline would pass before the next call may be sent") ||
		strings.Contains(msg, "rate: Wait") {
		t.Errorf("error %q, want the client's rate limit in its words", msg)
	}
	if ctx.Err() != nil {
		t.Error("returned at the deadline: want at once")
	}
	if calls.Load() != 1 {
		t.Errorf("user/get sent %d times, want once", calls.Load())
	}
	// The refused call took no place in the limiter's queue: the next one
	// waits no longer than it would have.
	err = c.Do(ctx, &Request{API: "user/get", Read: true}, nil)
	var again *LimitError
	if !errors.As(err, &again) || again.Delay > le.Delay {
		t.Errorf("the call after a refused one: %v, want a LimitError with a delay of at most %v", err, le.Delay)
	}
}

func TestLimiter_Off(t *testing.T) {
	t.Parallel()
	c, ts := setup(t, WithRateLimit(0))
	ts.answer(t, "user/get", `{"errcode":0,"errmsg":"ok"}`)
	// At one call a minute the second call would be refused at once.
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	for i := range 100 {
		if err := c.Do(ctx, &Request{API: "user/get", Read: true}, nil); err != nil {
			t.Fatalf("call %d: %v", i+1, err)
		}
	}
	for _, api := range []string{"user/get", "message/send"} {
		if al := c.limits.limitOf(api); al.lim != nil {
			t.Errorf("%s has a limit of %d calls/min, want none", api, al.perMinute)
		}
	}
}

func TestLimiter_PerAPI(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		opts []Option
		api  string
		want int
	}{
		{"default", nil, "user/get", defaultRateLimit},
		{"default message/send", nil, "message/send", 60000},
		{"set", []Option{WithRateLimit(600)}, "user/get", 600},
		{"set applies to message/send", []Option{WithRateLimit(600)}, "message/send", 600},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := New(testCorpID, testSecret, tt.opts...)
			if got := c.limits.limitOf(tt.api).perMinute; got != tt.want {
				t.Errorf("%s: %d calls/min, want %d", tt.api, got, tt.want)
			}
		})
	}
}

// BenchmarkLimiter is the client-side limiter's cost per call: off, and on
// with a limit no call reaches (the default 9,000 a minute would make the
// loop wait, which is policy, not overhead).
func BenchmarkLimiter(b *testing.B) {
	for _, bm := range []struct {
		name      string
		perMinute int
	}{{"off", 0}, {"on", math.MaxInt32}} {
		b.Run(bm.name, func(b *testing.B) {
			l := newLimits()
			l.perMinute, l.override = bm.perMinute, nil
			ctx, cancel := context.WithTimeout(b.Context(), time.Hour)
			defer cancel()
			b.ReportAllocs()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					if err := l.wait(ctx, "user/get"); err != nil {
						b.Fatal(err)
					}
				}
			})
		})
	}
}
