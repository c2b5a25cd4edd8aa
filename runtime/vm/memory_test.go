package vm

import (
	"context"
	"errors"
	"strings"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"
)

// fakeHeap is a heap size the test sets.
type fakeHeap struct{ all, live atomic.Uint64 }

func (h *fakeHeap) read() (uint64, uint64) { return h.all.Load(), h.live.Load() }

// idle waits, in a synctest bubble, until the guard's sampling goroutine has
// ended, as it does once no run is registered.
func (g *memoryGuard) idle() {
	for {
		g.mu.Lock()
		sampling := g.sampling
		g.mu.Unlock()
		if !sampling {
			return
		}
		time.Sleep(g.every)
	}
}

// The memory guard tests run in a synctest bubble: the guard's ticker is
// fake, so "not stopped after 100 samples" means exactly that, however busy
// the machine is.

func TestMemoryGuard(t *testing.T) {
	t.Parallel()
	const limit = 1000
	tests := []struct {
		name      string
		all, live uint64
		stopped   bool
	}{
		{"under the limit", 900, 500, false},
		{"garbage over the limit", 1500, 700, false},
		{"live over the limit", 1500, 1100, true},
		{"twice the limit", 2100, 300, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			synctest.Test(t, func(t *testing.T) {
				var heap fakeHeap
				heap.all.Store(tt.all)
				heap.live.Store(tt.live)
				g := &memoryGuard{every: time.Millisecond, limit: limit, heap: heap.read}
				ctx, cancel := context.WithCancelCause(t.Context())
				defer g.idle()
				release := g.watch(cancel)
				defer release()
				select {
				case <-ctx.Done():
					if !tt.stopped {
						t.Errorf("stopped at %d bytes, %d live", tt.all, tt.live)
					}
					if !errors.Is(context.Cause(ctx), ErrMemory) {
						t.Errorf("cause %v, want ErrMemory", context.Cause(ctx))
					}
				case <-time.After(100 * time.Millisecond): // 100 samples
					if tt.stopped {
						t.Errorf("not stopped at %d bytes, %d live", tt.all, tt.live)
					}
				}
			})
		})
	}
}

// TestMemoryGuardSparesTheNextRun: once the runs it stopped have ended, the
// guard collects their garbage before it looks at the heap again.
func TestMemoryGuardSparesTheNextRun(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		var heap fakeHeap
		heap.all.Store(5000)
		heap.live.Store(5000)
		g := &memoryGuard{every: time.Millisecond, limit: 1000, heap: heap.read}
		defer g.idle()
		ctx, cancel := context.WithCancelCause(t.Context())
		release := g.watch(cancel)
		<-ctx.Done()
		// The next run starts before the stopped one has ended, while the
		// heap still holds its garbage.
		next, cancelNext := context.WithCancelCause(t.Context())
		releaseNext := g.watch(cancelNext)
		defer releaseNext()
		time.Sleep(20 * time.Millisecond) // 20 samples
		heap.all.Store(100)               // what the collection after the stopped run finds
		heap.live.Store(100)
		release()
		select {
		case <-next.Done():
			t.Errorf("the next run was stopped: %v", context.Cause(next))
		case <-time.After(100 * time.Millisecond):
		}
	})
}

func TestSandboxBoundsCoroutines(t *testing.T) {
	t.Parallel()
	out, err := runLua(t, t.Context(), `
		local gen = coroutine.wrap(function() for i = 1, 3 do coroutine.yield(i) end end)
		print(gen(), gen(), gen())
		local co = coroutine.create(function(a, b) return coroutine.yield(a + b) * 2 end)
		print(coroutine.resume(co, 1, 2))
		print(coroutine.resume(co, 10))
		print(coroutine.resume(co))
		print(pcall(coroutine.wrap(function() error("inner", 0) end)))
		local function nest(n) if n == 0 then return 0 end return 1 + coroutine.wrap(nest)(n - 1) end
		print(nest(150))
	`)
	if err != nil {
		t.Fatal(err)
	}
	want := "1\t2\t3\ntrue\t3\ntrue\t20\nfalse\tcan not resume a dead thread\nfalse\tinner\n150\n"
	if out != want {
		t.Errorf("got\n%s\nwant\n%s", out, want)
	}
	_, err = runLua(t, t.Context(), `local function f() return coroutine.wrap(f)() end f()`)
	if err == nil || !strings.Contains(err.Error(), "coroutines nested more than 200 deep") {
		t.Errorf("unbounded nesting: %v", err)
	}
}
