package wecom

import (
	"context"
	"sync"

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

// wait blocks until api may be called again, or ctx is done.
func (l *limits) wait(ctx context.Context, api string) error {
	lim, ok := l.byAPI.load(api)
	if !ok {
		perMinute := l.perMinute
		if n, ok := l.override[api]; ok {
			perMinute = n
		}
		lim = rate.NewLimiter(rate.Inf, 0)
		if perMinute > 0 {
			// A burst of a tenth of a second's calls lets a script start
			// fast without ever exceeding the per-minute budget.
			lim = rate.NewLimiter(rate.Limit(float64(perMinute)/60), max(perMinute/600, 1))
		}
		lim = l.byAPI.loadOrStore(api, lim)
	}
	return lim.Wait(ctx)
}
