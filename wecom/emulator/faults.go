package emulator

import (
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"time"
)

// faultSet holds the faults injected through the Go API. armed lets the
// common path (no fault but latency) skip the mutex.
type faultSet struct {
	armed atomic.Bool

	mu      sync.Mutex
	latency time.Duration
	jitter  time.Duration
	queue   []*fault // one-shot faults, in the order they were added
	limits  map[string]*window
	quotas  map[string]*quota
}

// fault answers the next n calls of an API with an errcode, an HTTP status
// or a dropped connection.
type fault struct {
	api        string
	n          int
	errcode    int
	httpStatus int
	drop       bool
}

// window counts calls in a one-minute frequency window.
type window struct {
	limit int
	start time.Time
	count int
}

// quota counts calls in one natural day of Beijing time, WeCom's day.
type quota struct {
	limit int
	day   string // the day counted, "2006-01-02"
	count int
}

// beijing is WeCom's time zone, in which its days begin (UTC+8, no DST).
var beijing = time.FixedZone("CST", 8*60*60)

// dailyQuotaText is the errmsg of a 45009 for a daily quota used up, as
// Tencent's servers word it ("reach max api daily quota limit", reported on
// developers.weixin.qq.com/community, e.g. doc/0006c4279f408894b4fc6b4a05f400).
const dailyQuotaText = "reach max api daily quota limit"

// action is what the faults decide for one call.
type action struct {
	delay      time.Duration
	drop       bool
	httpStatus int
	err        *apiError
}

func newFaultSet(latency, jitter time.Duration) *faultSet {
	f := &faultSet{latency: latency, jitter: jitter, limits: map[string]*window{}, quotas: map[string]*quota{}}
	f.rearm()
	return f
}

// rearm updates armed; the caller holds mu or owns f.
func (f *faultSet) rearm() {
	f.armed.Store(f.latency > 0 || f.jitter > 0 || len(f.queue) > 0 || len(f.limits) > 0 || len(f.quotas) > 0)
}

// matches reports whether a fault or limit for pattern applies to api:
// "*" matches every API but gettoken.
func matches(pattern, api string) bool {
	return pattern == api || pattern == "*" && api != "gettoken"
}

// take decides the faults for one call of api at now and consumes them.
func (f *faultSet) take(api string, now time.Time) action {
	if !f.armed.Load() {
		return action{}
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	var a action
	a.delay = f.latency
	if f.jitter > 0 {
		a.delay += rand.N(f.jitter)
	}
	for i, flt := range f.queue {
		if !matches(flt.api, api) {
			continue
		}
		flt.n--
		if flt.n <= 0 {
			f.queue = append(f.queue[:i], f.queue[i+1:]...)
			f.rearm()
		}
		switch {
		case flt.drop:
			a.drop = true
		case flt.httpStatus != 0:
			a.httpStatus = flt.httpStatus
		default:
			a.err = newError(flt.errcode)
		}
		return a
	}
	for pattern, q := range f.quotas {
		if !matches(pattern, api) {
			continue
		}
		if day := now.In(beijing).Format(time.DateOnly); q.day != day {
			q.day, q.count = day, 0
		}
		q.count++
		if q.count > q.limit {
			a.err = &apiError{code: 45009, msg: dailyQuotaText}
			return a
		}
	}
	for pattern, w := range f.limits {
		if !matches(pattern, api) {
			continue
		}
		if now.Sub(w.start) >= time.Minute || now.Before(w.start) {
			w.start, w.count = now, 0
		}
		w.count++
		if w.count > w.limit {
			a.err = newError(45009)
			return a
		}
	}
	return a
}

func (f *faultSet) add(flt *fault) {
	if flt.n <= 0 {
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.queue = append(f.queue, flt)
	f.rearm()
}

// FailNext answers the next n calls of api with errcode (HTTP 200 and a JSON
// error body). api is a path under /cgi-bin/ such as "user/get", or "*" for
// every API but gettoken. Faults added earlier fire first.
func (s *Server) FailNext(api string, n, errcode int) {
	s.faults.add(&fault{api: api, n: n, errcode: errcode})
}

// FailNextHTTP answers the next n calls of api with the HTTP status (e.g.
// 502) and a plain-text body.
func (s *Server) FailNextHTTP(api string, n, status int) {
	s.faults.add(&fault{api: api, n: n, httpStatus: status})
}

// DropNext closes the connection of the next n calls of api without
// answering.
func (s *Server) DropNext(api string, n int) {
	s.faults.add(&fault{api: api, n: n, drop: true})
}

// SetLatency delays every answer by fixed plus a random duration up to
// jitter; zero values remove the delay.
func (s *Server) SetLatency(fixed, jitter time.Duration) {
	f := s.faults
	f.mu.Lock()
	defer f.mu.Unlock()
	f.latency, f.jitter = fixed, jitter
	f.rearm()
}

// SetRateLimit enforces WeCom's frequency limit: past perMinute calls of api
// ("*" for all APIs together, gettoken excepted) within a one-minute window
// of the server's clock, calls answer 45009 until the window ends. A
// perMinute of 0 or less removes the limit.
func (s *Server) SetRateLimit(api string, perMinute int) {
	setCounter(s.faults, s.faults.limits, api, perMinute, &window{limit: perMinute})
}

// SetDailyQuota enforces a daily quota: past perDay calls of api ("*" for
// all APIs together, gettoken excepted) within a day of the server's clock
// (a natural day of Beijing time, as WeCom counts), calls answer 45009
// "reach max api daily quota limit" until the day ends. A perDay of 0 or
// less removes the quota.
func (s *Server) SetDailyQuota(api string, perDay int) {
	setCounter(s.faults, s.faults.quotas, api, perDay, &quota{limit: perDay})
}

// setCounter puts c, which counts up to limit calls of api, in m, one of
// f's maps; a limit of 0 or less removes api's counter instead.
func setCounter[C any](f *faultSet, m map[string]*C, api string, limit int, c *C) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if limit <= 0 {
		delete(m, api)
	} else {
		m[api] = c
	}
	f.rearm()
}

// ResetFaults removes every injected fault, latency, frequency limit and
// daily quota.
func (s *Server) ResetFaults() {
	f := s.faults
	f.mu.Lock()
	defer f.mu.Unlock()
	f.latency, f.jitter = 0, 0
	f.queue = nil
	clear(f.limits)
	clear(f.quotas)
	f.rearm()
}
