package vm

import (
	"context"
	"errors"
	"fmt"
	"runtime/debug"
	rtmetrics "runtime/metrics"
	"sync"
	"time"

	"github.com/wecomrunner/runner/bindings"
)

// DefaultMemoryLimit bounds the Go heap of the process while scripts run,
// unless memory_limit: (or runner exec --memory-limit) says otherwise. Lua
// has no per-state memory accounting, and a script that doubles a string
// (s = s .. s) or fills a table in a loop would exhaust the machine's memory
// long before its timeout and crash the process with every other run. When
// the live heap passes the limit, or the heap half as much again, the memory
// guard stops every run in progress, whose error then wraps ErrMemory. The
// Go runtime's soft memory limit is set a quarter above it (see softLimit),
// so that the collector works harder rather than let garbage take the heap
// far past it, and no string
// a script builds may exceed a quarter of it (see StringLimit). The guard is
// process-wide: it stops every run in progress, not only the one that
// allocated (gopher-lua cannot count a state's memory).
const DefaultMemoryLimit = 1 << 30

// MinMemoryLimit is the smallest memory limit accepted.
const MinMemoryLimit = 16 << 20

// ErrMemory is wrapped by the error of a run stopped by the memory guard.
var ErrMemory = errors.New("out of memory")

// memoryGuard samples the heap while runs are in progress.
type memoryGuard struct {
	every time.Duration             // sampling period
	limit uint64                    // bytes
	heap  func() (all, live uint64) // see heapBytes

	mu       sync.Mutex
	runs     map[int]context.CancelCauseFunc
	next     int
	sampling bool // a sample goroutine is running
}

var guard = newMemoryGuard(DefaultMemoryLimit)

func newMemoryGuard(limit uint64) *memoryGuard {
	debug.SetMemoryLimit(softLimit(limit))
	return &memoryGuard{every: 5 * time.Millisecond, limit: limit, heap: heapBytes}
}

// SetMemoryLimit sets the memory limit of the runs that start after it.
func SetMemoryLimit(limit uint64) {
	limit = max(limit, MinMemoryLimit)
	guard.mu.Lock()
	defer guard.mu.Unlock()
	if guard.limit != limit {
		guard.limit = limit
		debug.SetMemoryLimit(softLimit(limit))
	}
}

// softLimit is the Go runtime's soft memory limit for a memory limit: a
// quarter above it, so that the collector works harder before the heap
// reaches the one and a half times the limit that the guard does not let
// it pass, without collecting continuously just below the limit.
func softLimit(limit uint64) int64 { return int64(limit + limit/4) }

// MemoryLimit returns the memory limit in effect.
func MemoryLimit() uint64 {
	guard.mu.Lock()
	defer guard.mu.Unlock()
	return guard.limit
}

// StringLimit is the longest string a script may build: a quarter of the
// memory limit, and at most bindings.MaxString.
func StringLimit() int {
	return int(min(MemoryLimit()/4, bindings.MaxString))
}

// memoryError describes the memory guard's stop.
func memoryError() string {
	return fmt.Sprintf("%v: the heap passed the limit of %d MiB", ErrMemory, MemoryLimit()>>20)
}

// watch registers a run, which cancel stops, until the returned function is
// called. The first run registered starts the sampling; the last one out
// stops it.
func (g *memoryGuard) watch(cancel context.CancelCauseFunc) (release func()) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.runs == nil {
		g.runs = map[int]context.CancelCauseFunc{}
	}
	id := g.next
	g.next++
	g.runs[id] = cancel
	if !g.sampling {
		g.sampling = true
		go g.sample()
	}
	return func() {
		g.mu.Lock()
		defer g.mu.Unlock()
		delete(g.runs, id)
	}
}

// sample checks the heap every period while runs are registered, and stops
// them all when it is over the limit. Collecting garbage to measure the live
// heap would take seconds with a heap of gigabytes: the live heap is the one
// the last collection found, and a heap one and a half times the limit is
// over it whatever its garbage (the soft memory limit makes the collector
// keep garbage below that).
// Once the runs it stopped have ended, their memory is collected and returned
// to the system before the heap is checked again, so that the runs that
// follow are not stopped for it.
func (g *memoryGuard) sample() {
	t := time.NewTicker(g.every)
	defer t.Stop()
	stopped := map[int]bool{} // runs stopped that have not ended yet
	collect := false          // runs were stopped: collect once they end
	for range t.C {
		g.mu.Lock()
		for id := range stopped {
			if _, ok := g.runs[id]; !ok {
				delete(stopped, id)
			}
		}
		switch {
		case len(stopped) > 0:
		case collect:
			g.mu.Unlock()
			debug.FreeOSMemory()
			collect = false
			continue
		case len(g.runs) == 0:
			g.sampling = false
			g.mu.Unlock()
			return
		default:
			if all, live := g.heap(); all > g.limit+g.limit/2 || live > g.limit {
				for id, cancel := range g.runs {
					cancel(ErrMemory)
					stopped[id] = true
				}
				collect = true
			}
		}
		g.mu.Unlock()
	}
}

// heapBytes returns the memory held by heap objects, live or not yet
// collected, and the live heap found by the last garbage collection.
func heapBytes() (all, live uint64) {
	s := []rtmetrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}, {Name: "/gc/heap/live:bytes"}}
	rtmetrics.Read(s)
	for i, v := range []*uint64{&all, &live} {
		if s[i].Value.Kind() == rtmetrics.KindUint64 {
			*v = s[i].Value.Uint64()
		}
	}
	return all, live
}
