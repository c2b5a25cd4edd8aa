package wecom

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net/http"
	"sync/atomic"
	"time"
)

// taker may take over a 200 answer before it is read as JSON (Download,
// Open): take returns true if it did, and then owns res.Body and release,
// which frees the exchange's context.
type taker struct {
	take func(res *http.Response, release context.CancelFunc) bool
	// perRead makes the client's timeout bound each read of a taken answer
	// rather than the whole exchange.
	perRead bool
}

// Open sends req, a read, and returns WeCom's answer unread (its Body,
// ContentType and Size), for a caller that decodes it as it arrives: a 35 MB
// member list need not be held in memory. An answer whose errcode, which WeCom sends first, is not zero is
// handled as Do handles it (retried, the token refreshed) and returned as
// an error; an errcode after the first 512 bytes is the caller's to check. The client's timeout (WithTimeout) bounds the wait for the answer
// and then each read of it, so that the caller may take its time between
// reads. The caller closes the answer, which releases its connection; so
// does the end of ctx.
func (c *Client) Open(ctx context.Context, req *Request) (*File, error) {
	if !req.isRead() {
		return nil, fmt.Errorf("wecom %s: only a read can be opened as a stream", req.API)
	}
	var answer *File
	_, err := c.exchange(ctx, req, &taker{perRead: true, take: func(res *http.Response, release context.CancelFunc) bool {
		if res.StatusCode != http.StatusOK {
			return false
		}
		r := bufio.NewReaderSize(res.Body, 64<<10)
		res.Body = struct {
			io.Reader
			io.Closer
		}{r, res.Body}
		if head, _ := r.Peek(512); failed(head) {
			return false // read whole by the exchange, which handles the errcode
		}
		answer = &File{Body: cancelOnClose{res.Body, release}, ContentType: res.Header.Get("Content-Type"), Size: res.ContentLength}
		return true
	}})
	if err != nil {
		return nil, err
	}
	return answer, nil
}

// failed reports whether head, the start of a JSON answer (all of a short
// one), has an errcode that is not zero or not a number. WeCom puts errcode
// first.
func failed(head []byte) bool {
	known, bad := false, false
	eachMember(head, func(key, value []byte) bool {
		if string(key) != "errcode" {
			return true
		}
		code, err := parseCode(value)
		known, bad = true, err != nil || code != CodeOK
		return false
	})
	return known && bad
}

// idleTimeout cancels an exchange when one wait (for the answer, then for
// each read of it) lasts longer than timeout: its timer runs only while a
// wait is on.
type idleTimeout struct {
	timer   *time.Timer
	timeout time.Duration
	fired   atomic.Bool
}

func newIdleTimeout(timeout time.Duration, cancel context.CancelFunc) *idleTimeout {
	t := &idleTimeout{timeout: timeout}
	t.timer = time.AfterFunc(timeout, func() {
		t.fired.Store(true)
		cancel()
	})
	return t
}

// check returns err, or a deadline error when the timeout fired: the
// exchange failed for it.
func (t *idleTimeout) check(err error) error {
	if t == nil || err == nil || !t.fired.Load() {
		return err
	}
	return fmt.Errorf("%w: no data for %v", context.DeadlineExceeded, t.timeout)
}

// idleReader is a taken answer whose reads must each end within the idle
// timeout.
type idleReader struct {
	io.ReadCloser
	idle *idleTimeout
}

func (r *idleReader) Read(p []byte) (int, error) {
	r.idle.timer.Reset(r.idle.timeout)
	n, err := r.ReadCloser.Read(p)
	r.idle.timer.Stop()
	return n, r.idle.check(err)
}
