package bindings

// Large answers decoded as they arrive.
//
// user.list (and department.get_users) read WeCom's answer from the
// connection straight into Lua tables, through a small window, instead of
// reading all of it into memory first: a 50,000-member list is 35 MB of
// JSON. A fan-out reads each answer whole in its worker, since the answers
// are decoded later, one after the other.
//
// user.each and user.each_id go further: they return an iterator that
// decodes one element of the answer each time the loop asks for one, so
// that a script that counts or filters the members of a large organisation
// holds one member at a time:
//
//	for u in wecom.user.each(1, true) do
//	  if u.status == 2 then disabled = disabled + 1 end
//	end
//
// The answer stays open while the loop runs (the client's timeout bounds
// each read of it, not the loop). A loop left early with break leaves it
// open until the iterator is collected or the run ends; an error reading it
// raises in the loop.

import (
	"context"
	"errors"
	"fmt"
	"io"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"strconv"
	"sync"

	lua "github.com/yuin/gopher-lua"

	"github.com/wecomrunner/runner/bindings/luajson"
	"github.com/wecomrunner/runner/wecom"
)

// openAnswer is the result of a streamed call: WeCom's answer to req, unread.
type openAnswer struct {
	answer *wecom.File
	req    *wecom.Request
	fn     string // the Lua function, for errors
	limit  int64  // the longest answer readAll reads: the run's string limit
}

// streamed is send for a read whose answer may be large: the answer is
// decoded into Lua as it is read (resultToLua).
func streamed(a *args, req *wecom.Request) call {
	c, fn, limit := a.client, a.fn, a.env.stringLimit()
	return func(ctx context.Context) (any, error) {
		answer, err := c.Open(ctx, req)
		if err != nil {
			return nil, err
		}
		return &openAnswer{answer, req, fn, limit}, nil
	}
}

// readAll reads the answer into memory, as send would have: for a fan-out,
// whose results are decoded after every call is done. An answer longer than
// the run's string limit is an error.
func (o *openAnswer) readAll(ctx context.Context) (any, error) {
	defer o.answer.Body.Close()
	data, err := readLimited(o.answer.Body, o.answer.Size, o.limit)
	var tooLarge *tooLargeError
	if errors.As(err, &tooLarge) {
		return nil, fmt.Errorf("%s: WeCom's answer to %s has %v %s", o.fn, o.req.API, err, stringWhy)
	}
	if err != nil {
		return nil, fmt.Errorf("wecom %s: reading the answer: %w", o.req.API, err)
	}
	return &readAnswer{data, o.req}, nil
}

// readAnswer is an answer of a streamed call read whole (in a fan-out).
type readAnswer struct {
	data []byte
	req  *wecom.Request
}

// decode decodes the answer into Lua values and returns its result member
// (the whole answer when req.Result is empty), or raises: an errcode that
// is not zero raises the API error.
func (o *openAnswer) decode(L *lua.LState) lua.LValue {
	defer o.answer.Body.Close()
	defer pauseGC(o.answer.Size)()
	v, err := luajson.DecodeStream(L, o.answer.Body)
	return answerResult(L, o.req, v, err)
}

func (o *readAnswer) decode(L *lua.LState) lua.LValue {
	v, err := luajson.Decode(L, o.data)
	return answerResult(L, o.req, v, err)
}

// answerResult is the result of req from its decoded answer v, or raises.
func answerResult(L *lua.LState, req *wecom.Request, v lua.LValue, err error) lua.LValue {
	if err != nil {
		L.RaiseError("wecom %s: decoding the answer: %v", req.API, err)
	}
	t, ok := v.(*lua.LTable)
	if !ok {
		L.RaiseError("wecom %s: the answer is not a JSON object", req.API)
	}
	if err := answerError(req.API, t.RawGetString("errcode"), t.RawGetString("errmsg")); err != nil {
		raise(L, err)
	}
	if req.Result == "" {
		numericErrcode(t)
		return t
	}
	r := t.RawGetString(req.Result)
	if r == lua.LNil {
		return luajson.Null(L)
	}
	return r
}

// answerError is the error of an answer whose errcode (a number, a numeric
// string or absent) is not zero, or nil.
func answerError(api string, code, msg lua.LValue) error {
	var n int
	switch c := code.(type) {
	case *lua.LNilType:
		return nil
	case lua.LNumber:
		n = int(c)
	case lua.LString:
		var err error
		if n, err = strconv.Atoi(string(c)); err != nil {
			return fmt.Errorf("wecom %s: errcode is not a number: %q", api, string(c))
		}
	default:
		return fmt.Errorf("wecom %s: errcode is not a number: %s", api, code.Type())
	}
	if n == wecom.CodeOK {
		return nil
	}
	m, _ := msg.(lua.LString)
	return &wecom.APIError{Code: n, Msg: string(m), API: api}
}

// numericErrcode makes a whole answer's errcode a number even when WeCom
// sent it as a string ("errcode":"0"), as wechatpy returns it.
func numericErrcode(t *lua.LTable) {
	if s, ok := t.RawGetString("errcode").(lua.LString); ok {
		if n, err := strconv.Atoi(string(s)); err == nil {
			t.RawSetString("errcode", lua.LNumber(n))
		}
	}
}

// iterate is the call of a method that returns an iterator over the array
// member list of WeCom's answers: the first page is req; next, when not nil,
// gives the request of the page after one whose last members were fields
// (next_cursor), or nil after the last page.
func iterate(a *args, req *wecom.Request, list string, next func(fields *lua.LTable) (*wecom.Request, error)) call {
	c := a.client
	it := &iterator{client: c, list: list, nextPage: next}
	fn := a.L.NewFunction(it.next)
	return func(ctx context.Context) (any, error) {
		if err := it.open(ctx, req); err != nil {
			return nil, err
		}
		return fn, nil
	}
}

// iterator is the state of an iterator returned by user.each or
// user.each_id.
type iterator struct {
	client   *wecom.Client
	list     string
	nextPage func(fields *lua.LTable) (*wecom.Request, error)

	req     *wecom.Request
	body    io.ReadCloser
	stream  *answerStream
	cleanup runtime.Cleanup
	done    bool
}

// open opens the answer to req.
func (it *iterator) open(ctx context.Context, req *wecom.Request) error {
	answer, err := it.client.Open(ctx, req)
	if err != nil {
		return err
	}
	body := answer.Body
	it.req, it.body, it.stream = req, body, nil
	// A loop left with break leaves the answer open: close it when the
	// iterator is collected, if the run's end has not closed it before.
	it.cleanup = runtime.AddCleanup(it, func(b io.Closer) { b.Close() }, io.Closer(body))
	return nil
}

// close closes the current answer.
func (it *iterator) close() {
	if it.body != nil {
		it.cleanup.Stop()
		it.body.Close()
		it.body = nil
	}
}

// next is the Lua iterator function: the next element, or nil at the end.
func (it *iterator) next(L *lua.LState) int {
	for !it.done {
		if it.stream == nil {
			d := luajson.NewDecoder(L, it.body)
			// The loop keeps what it wants of each element: each gets
			// blocks of its own, and its strings their own memory, so
			// that a name kept keeps only itself.
			d.KeepApart()
			it.stream = &answerStream{s: d.Stream(it.list), api: it.req.API, fields: L.CreateTable(0, 3)}
		}
		v, err := it.stream.next()
		if err != nil {
			it.close()
			it.done = true
			return raise(L, err)
		}
		if v != lua.LNil {
			L.Push(v)
			return 1
		}
		it.close()
		it.done = true
		if it.nextPage != nil {
			req, err := it.nextPage(it.stream.fields)
			if err == nil && req != nil {
				err = it.open(contextOf(L), req)
				it.done = err != nil
			}
			if err != nil {
				return raise(L, err)
			}
		}
	}
	L.Push(lua.LNil)
	return 1
}

// answerStream reads a WeCom answer, a JSON object, from a stream: its
// members before and after the array member list into fields, and the
// elements of the list one at a time.
type answerStream struct {
	s      *luajson.ObjectStream
	api    string
	fields *lua.LTable
}

// next returns the list's next element, or LNil after the last one, once
// the rest of the answer has been read and its errcode checked.
func (s *answerStream) next() (lua.LValue, error) {
	v, err := s.step()
	if err != nil {
		var apiErr *wecom.APIError
		if !errors.As(err, &apiErr) {
			err = fmt.Errorf("wecom %s: reading the answer: %w", s.api, err)
		}
		return lua.LNil, err
	}
	return v, nil
}

func (s *answerStream) step() (lua.LValue, error) {
	for {
		part, key, v, err := s.s.Next()
		if err != nil {
			return lua.LNil, err
		}
		switch part {
		case luajson.Element:
			return v, nil
		case luajson.End:
			return lua.LNil, answerError(s.api, s.fields.RawGetString("errcode"), s.fields.RawGetString("errmsg"))
		}
		s.fields.RawSet(key, v)
		if key.String() == "errcode" {
			if err := answerError(s.api, v, lua.LNil); err != nil {
				return lua.LNil, s.withMessage(err)
			}
		}
	}
}

// withMessage completes an API error found at errcode with errmsg, which
// WeCom sends next: the answer is short.
func (s *answerStream) withMessage(err error) error {
	var apiErr *wecom.APIError
	if !errors.As(err, &apiErr) {
		return err
	}
	for {
		part, key, v, nerr := s.s.Next()
		if nerr != nil || part == luajson.End {
			break
		}
		if part == luajson.Member && key.String() == "errmsg" {
			m, _ := v.(lua.LString)
			apiErr.Msg = string(m)
			break
		}
	}
	return apiErr
}

// While a large answer is decoded into Lua tables, nearly everything the
// decoder allocates stays live: collecting the heap meanwhile finds little
// garbage and only costs time (a third of a 50,000-member list's). pauseGC
// turns off the collector's pacing for the decode of an answer of size bytes
// (1 MiB or more), and sets a memory limit instead, so that the other runs
// of the process, which keep allocating, cannot grow the heap without bound:
// the collector runs if the heap grows by 16 times the answers being
// decoded (their tables take about 10 times their JSON). The settings are
// restored when the last decode ends; then the collector runs, once.

// gcPause is the state of pauseGC, shared by the decodes in progress.
var gcPause struct {
	sync.Mutex
	decodes int   // decodes in progress
	budget  int64 // the growth of the heap they are allowed
	base    int64 // the heap when the first one began
	percent int   // the settings to restore
	limit   int64
}

// pauseGC pauses the collector's pacing for the decode of an answer of size
// bytes, and returns the function that ends the pause.
func pauseGC(size int64) (resume func()) {
	if size < 1<<20 {
		return func() {}
	}
	p := &gcPause
	p.Lock()
	defer p.Unlock()
	if p.decodes == 0 {
		p.base = int64(heapInUse())
		p.percent = debug.SetGCPercent(-1)
		p.limit = debug.SetMemoryLimit(-1)
	}
	p.decodes++
	p.budget += 16 * size
	debug.SetMemoryLimit(min(p.limit, p.base+p.budget))
	return func() {
		p.Lock()
		defer p.Unlock()
		p.decodes--
		p.budget -= 16 * size
		if p.decodes > 0 {
			debug.SetMemoryLimit(min(p.limit, p.base+p.budget))
			return
		}
		debug.SetMemoryLimit(p.limit)
		debug.SetGCPercent(p.percent)
	}
}

// heapInUse is the memory of the heap's objects, live or not yet collected.
func heapInUse() uint64 {
	s := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	metrics.Read(s)
	return s[0].Value.Uint64()
}
