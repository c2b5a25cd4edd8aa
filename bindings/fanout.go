package bindings

// wecom.fanout(method, items [, opts]) -> results, failures
//
// Runs one method for many independent items concurrently on the Go side,
// within the client's rate limit, and returns each item's outcome in order:
//
//	local results, failed = wecom.fanout("message.send_text", {
//	  {user_ids = "zhangsan", content = "早上好，张三"},
//	  {user_ids = "lisi", content = "早上好，李四"},
//	}, {concurrency = 16})
//	for i, r in ipairs(results) do
//	  if not r.ok then log.warn("send failed", {i = i, err = tostring(r.error)}) end
//	end
//
// Each item is the method's arguments: a table of named arguments, or an
// array of positional ones. Every item is checked before the first call is
// made, so a bad item 9,000 stops the fan-out before anything is sent.
// results[i] is {ok = true, result = ...} or {ok = false, error = e}, where e
// is the error table a direct call would raise. failed counts the errors.
// opts.concurrency (default 16, at most 64) bounds the calls in flight.

import (
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	lua "github.com/yuin/gopher-lua"

	"github.com/wecomrunner/runner/wecom"
)

const (
	defaultConcurrency = 16
	maxConcurrency     = 64
)

func (w *wecomModule) fanout(L *lua.LState, c *wecom.Client) int {
	name := L.CheckString(1)
	items := L.CheckTable(2)
	opts := L.OptTable(3, L.CreateTable(0, 0))
	m, ok := lookup(name)
	if !ok {
		L.ArgError(1, fmt.Sprintf("unknown method %q (want group.method, e.g. \"message.send_text\")", name))
	}
	workers := defaultConcurrency
	if v, ok := opts.RawGetString("concurrency").(lua.LNumber); ok {
		workers = min(max(int(v), 1), maxConcurrency)
	}

	n := items.Len()
	calls := make([]call, n)
	for i := 1; i <= n; i++ {
		item, ok := items.RawGetInt(i).(*lua.LTable)
		if !ok {
			L.ArgError(2, fmt.Sprintf("item %d is a %s, want a table of arguments", i, items.RawGetInt(i).Type()))
		}
		var values []lua.LValue
		if isNamed(m, item) {
			values = []lua.LValue{item}
		} else {
			for j := 1; j <= item.Len(); j++ {
				values = append(values, item.RawGetInt(j))
			}
		}
		calls[i-1] = m.prepare(newArgs(L, name, m, w.env, c, values, fmt.Sprintf("item %d: ", i)))
	}

	results := make([]any, n)
	errs := make([]error, n)
	ctx := contextOf(L)
	var next, done atomic.Int64
	progress := w.progress(name, n, &done)
	var wg sync.WaitGroup
	for range min(workers, n) {
		wg.Go(func() {
			for {
				i := int(next.Add(1)) - 1
				if i >= n || ctx.Err() != nil {
					return
				}
				results[i], errs[i] = calls[i](ctx)
				if o, ok := results[i].(*openAnswer); ok {
					// Answers are decoded after every call is done: read
					// this one now rather than hold its connection.
					results[i], errs[i] = o.readAll(ctx)
				}
				done.Add(1)
			}
		})
	}
	wg.Wait()
	progress()
	if err := ctx.Err(); err != nil {
		L.RaiseError("fanout %s cancelled after %d of %d calls: %v", name, done.Load(), n, err)
	}

	out := L.CreateTable(n, 0)
	failed := 0
	for i := range n {
		r := L.CreateTable(0, 2)
		if errs[i] != nil {
			failed++
			r.RawSetString("ok", lua.LFalse)
			r.RawSetString("error", errorValue(L, errs[i]))
		} else {
			r.RawSetString("ok", lua.LTrue)
			r.RawSetString("result", resultToLua(L, results[i]))
		}
		out.RawSetInt(i+1, r)
	}
	L.Push(out)
	L.Push(lua.LNumber(failed))
	return 2
}

// progress prints how far a fan-out got, twice a second, on the run's
// progress writer (a terminal), and returns the function that stops it.
func (w *wecomModule) progress(name string, total int, done *atomic.Int64) (stop func()) {
	out := w.env.Progress
	if out == nil || total < 2 {
		return func() {}
	}
	quit := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		t := time.NewTicker(500 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-t.C:
				fmt.Fprintf(out, "\r%s: %d/%d", name, done.Load(), total)
			case <-quit:
				fmt.Fprintf(out, "\r%s: %d/%d\n", name, done.Load(), total)
				return
			}
		}
	})
	return func() { close(quit); wg.Wait() }
}
