package wecom

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// bigAnswer is a user/list answer of n members, over 64 KiB for n = 2000.
func bigAnswer(n int) string {
	var b strings.Builder
	b.WriteString(`{"errcode":0,"errmsg":"ok","userlist":[`)
	for i := range n {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `{"userid":"user%05d","name":"成员%d","department":[1]}`, i, i)
	}
	b.WriteString("]}")
	return b.String()
}

func TestOpen_ReturnsTheAnswerAsItIs(t *testing.T) {
	t.Parallel()
	c, ts := setup(t)
	want := bigAnswer(2000)
	ts.handle(t, "user/list", func(w http.ResponseWriter, r *http.Request) {
		testQuery(t, r, map[string][]string{"department_id": {"1"}})
		w.Header().Set("Content-Length", fmt.Sprint(len(want)))
		fmt.Fprint(w, want)
	})
	answer, err := c.Open(t.Context(), &Request{API: "user/list", Query: map[string][]string{"department_id": {"1"}}, Read: true, Result: "userlist"})
	if err != nil {
		t.Fatal(err)
	}
	defer answer.Body.Close()
	got, err := io.ReadAll(answer.Body)
	if err != nil || string(got) != want {
		t.Errorf("read %d bytes (%v), want the %d bytes of the answer", len(got), err, len(want))
	}
	if answer.Size != int64(len(want)) {
		t.Errorf("Size = %d, want %d", answer.Size, len(want))
	}
}

func TestOpen_ErrcodeFirstIsAnError(t *testing.T) {
	t.Parallel()
	c, ts := setup(t)
	var calls atomic.Int32
	ts.handle(t, "user/list", func(w http.ResponseWriter, r *http.Request) {
		switch calls.Add(1) {
		case 1:
			fmt.Fprint(w, `{"errcode":42001,"errmsg":"access_token expired"}`)
		default:
			fmt.Fprint(w, `{"errcode":"60011","errmsg":"no privilege to access/modify contact/party/agent "}`)
		}
	})
	_, err := c.Open(t.Context(), &Request{API: "user/list", Read: true})
	if !IsCode(err, 60011) {
		t.Errorf("err = %v, want APIError 60011 after one token refresh", err)
	}
	if got := ts.gettokens.Load(); got != 2 {
		t.Errorf("gettoken calls = %d, want 2 (the expired token refreshed once)", got)
	}
	if _, err := c.Open(t.Context(), &Request{API: "user/update", Read: false}); err == nil {
		t.Error("Open of a write: want an error")
	}
}

func TestOpen_ErrcodeAfterTheDataIsTheCallers(t *testing.T) {
	t.Parallel()
	c, ts := setup(t)
	ts.handle(t, "user/list", func(w http.ResponseWriter, r *http.Request) {
		list := bigAnswer(100) // longer than the 512 bytes Open looks at
		fmt.Fprint(w, `{"userlist":`+list[strings.Index(list, "["):len(list)-1]+`,"errcode":60011,"errmsg":"no privilege"}`)
	})
	answer, err := c.Open(t.Context(), &Request{API: "user/list", Read: true})
	if err != nil {
		t.Fatalf("err = %v: an errcode after the data is left to the caller", err)
	}
	answer.Body.Close()
}

// TestOpen_TimeoutBoundsEachRead checks that a caller may take longer than
// the client's timeout between reads of an answer, and that an answer that
// stalls fails after the timeout.
func TestOpen_TimeoutBoundsEachRead(t *testing.T) {
	t.Parallel()
	const timeout = 300 * time.Millisecond
	c, ts := setup(t, WithTimeout(timeout), WithRetries(1))
	stall := make(chan struct{})
	defer close(stall)
	ts.handle(t, "user/list", func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, `{"errcode":0,"errmsg":"ok","userlist":[`)
		if r.URL.Query().Get("stall") != "" {
			w.(http.Flusher).Flush()
			select {
			case <-stall:
			case <-r.Context().Done():
			}
			return
		}
		io.WriteString(w, `{"userid":"a"}]}`)
	})

	answer, err := c.Open(t.Context(), &Request{API: "user/list", Read: true})
	if err != nil {
		t.Fatal(err)
	}
	body := answer.Body
	first := make([]byte, 10)
	if _, err := io.ReadFull(body, first); err != nil {
		t.Fatal(err)
	}
	time.Sleep(3 * timeout) // the caller is busy: no timeout runs meanwhile
	rest, err := io.ReadAll(body)
	body.Close()
	if err != nil || !strings.HasSuffix(string(rest), `]}`) {
		t.Errorf("after a pause: read %q, %v", rest, err)
	}

	answer, err = c.Open(t.Context(), &Request{API: "user/list", Query: map[string][]string{"stall": {"1"}}, Read: true})
	if err != nil {
		t.Fatal(err)
	}
	defer answer.Body.Close()
	_, err = io.ReadAll(answer.Body)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("reading a stalled answer: err = %v, want a deadline error", err)
	}
}
