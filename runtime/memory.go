package runtime

import (
	"context"
	"errors"
	"runtime/debug"
	rtmetrics "runtime/metrics"
	"sync"
	"time"
)

// maxHeap bounds the Go heap of the process while scripts run. Lua has no
// per-state memory accounting, and a script that doubles a string
// (s = s .. s) or fills a table in a loop would exhaust the machine's memory
// long before its timeout and crash the process with every other run. When
// the live heap passes maxHeap, or the heap twice that, the memory guard stops
// every run in progress, whose error then wraps ErrMemory. One Lua
// instruction may still allocate a string twice as long as the longest one
// before the run stops.
const maxHeap = 1 << 30

// ErrMemory is wrapped by the error of a run stopped by the memory guard.
var ErrMemory = errors.New("out of memory: the heap passed 1 GiB")

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

var guard = &memoryGuard{every: 10 * time.Millisecond, limit: maxHeap, heap: heapBytes}

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
// the last collection found, and a heap twice the limit is over it whatever
// its garbage (the collector lets garbage grow to the size of the live heap).
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
			if all, live := g.heap(); all > 2*g.limit || all > g.limit && live > g.limit {
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
