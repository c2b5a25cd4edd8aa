package wecom

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// syncMap is a typed sync.Map.
type syncMap[K comparable, V any] struct{ m sync.Map }

func (s *syncMap[K, V]) load(k K) (V, bool) {
	v, ok := s.m.Load(k)
	if !ok {
		var zero V
		return zero, false
	}
	return v.(V), true
}

func (s *syncMap[K, V]) loadOrStore(k K, v V) V {
	got, _ := s.m.LoadOrStore(k, v)
	return got.(V)
}

// limits holds the client-side limiter of each API, made on first use.
type limits struct {
	perMinute int            // every API's limit; 0 or less: none
	override  map[string]int // the APIs whose limit differs
	byAPI     syncMap[string, apiLimit]
}

// apiLimit is the limiter of one API; lim is nil when the API has no limit.
type apiLimit struct {
	lim       *rate.Limiter
	perMinute int
}

// defaultRateLimit is the client-side limit of each API, in calls a minute:
// under WeCom's 10,000 a minute per corp and API (访问频率限制,
// https://developer.work.weixin.qq.com/document/path/90454).
const defaultRateLimit = 9000

func newLimits() *limits {
	return &limits{
		perMinute: defaultRateLimit,
		// WeCom does not count app messages in its per-API limit: they are
		// limited per recipient and per day instead.
		override: map[string]int{"message/send": 60000},
	}
}

// limitOf returns the limiter of api, made on first use.
func (l *limits) limitOf(api string) apiLimit {
	if al, ok := l.byAPI.load(api); ok {
		return al
	}
	perMinute := l.perMinute
	if n, ok := l.override[api]; ok {
		perMinute = n
	}
	al := apiLimit{perMinute: perMinute}
	if perMinute > 0 {
		// A burst of a tenth of a second's calls lets a script start fast
		// without ever exceeding the per-minute budget.
		al.lim = rate.NewLimiter(rate.Limit(float64(perMinute)/60), max(perMinute/600, 1))
	}
	return l.byAPI.loadOrStore(api, al)
}

// wait blocks until api may be called again, or ctx is done. When ctx's
// deadline would pass before the call may be sent, it returns a *LimitError
// at once, without waiting.
func (l *limits) wait(ctx context.Context, api string) error {
	al := l.limitOf(api)
	if al.lim == nil {
		return nil
	}
	if al.lim.Allow() { // the common case, without the allocation of a reservation
		return nil
	}
	r := al.lim.Reserve()
	d := r.Delay()
	if d == 0 {
		return nil
	}
	if deadline, ok := ctx.Deadline(); ok && time.Until(deadline) < d {
		r.Cancel()
		return &LimitError{API: api, PerMinute: al.perMinute, Delay: d}
	}
	if err := sleep(ctx, d); err != nil {
		r.Cancel()
		return fmt.Errorf("wecom %s: waiting for the client's rate limit: %w", api, err)
	}
	return nil
}

// LimitError is the error of a call that the client's own rate limit
// (WithRateLimit) would hold until after the caller's deadline: it is not
// sent, and nothing is waited.
type LimitError struct {
	API       string        // the API called, e.g. "user/get"
	PerMinute int           // its limit, in calls a minute
	Delay     time.Duration // how long the call would have waited
}

func (e *LimitError) Error() string {
	return fmt.Sprintf("wecom %s: rate limit of %d calls/min for %s: the deadline would pass before the next call may be sent (in %s)",
		e.API, e.PerMinute, e.API, e.Delay.Round(time.Millisecond))
}

// quotaUsedUp tells whether msg, the errmsg of a 45009, says that a daily
// or a monthly quota is used up rather than a minute's or an hour's limit,
// and which: "daily" or "monthly", else "". WeCom answers every frequency limit
// with 45009 and blocks a daily one until the end of the day, a monthly one
// for 30 days (全局错误码 45009: "按天拦截则被屏蔽一天（自然天），按月拦截则屏蔽一个月
// （30天，非自然月）", https://developer.work.weixin.qq.com/document/path/90313);
// Tencent's servers word the daily case "reach max api daily quota limit"
// (as reported on developers.weixin.qq.com/community, e.g.
// doc/0006c4279f408894b4fc6b4a05f400), and the monthly one, undocumented,
// is taken to read alike.
func quotaUsedUp(msg string) string {
	msg = strings.ToLower(msg)
	for _, p := range []string{"daily", "monthly"} {
		if strings.Contains(msg, p+" quota") {
			return p
		}
	}
	return ""
}

// Trace holds functions that a context's calls report to (ContextWithTrace):
// how a caller sees, for its own calls only, what a Client shared with others
// does on their behalf. Nil fields are not called.
type Trace struct {
	// RateLimitWait is called before each wait on WeCom's frequency limit
	// (45009, 45033), from the goroutine of the call.
	RateLimitWait func(RateLimitWait)
}

// RateLimitWait describes one wait on WeCom's frequency limit. It holds
// no token or secret.
type RateLimitWait struct {
	API     string        // the API that answered, e.g. "user/get"
	Errcode int           // 45009 or 45033
	Errmsg  string        // WeCom's errmsg, secrets removed
	Delay   time.Duration // the wait about to start
	Waited  time.Duration // the time already spent limited in this call
	Limit   time.Duration // the most a call waits (WithRateLimitWait)
}

type traceKey struct{}

// ContextWithTrace returns a copy of ctx whose calls report to t.
func ContextWithTrace(ctx context.Context, t *Trace) context.Context {
	return context.WithValue(ctx, traceKey{}, t)
}

// traceOf returns the Trace of ctx, or nil.
func traceOf(ctx context.Context) *Trace {
	t, _ := ctx.Value(traceKey{}).(*Trace)
	return t
}
