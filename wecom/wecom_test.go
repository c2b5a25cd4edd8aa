package wecom

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"reflect"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

const (
	testCorpID = "wwcorp0001"
	testSecret = "S3CRET-never-shown"
	testToken  = "T0KEN-never-shown"
)

// testServer is a fake WeCom: gettoken is pre-registered and counted; tests
// register the API under test on mux, relative to /cgi-bin/.
type testServer struct {
	mux       *http.ServeMux
	gettokens atomic.Int32
}

// setup returns a client talking to a fresh fake WeCom served under a
// non-empty base path.
func setup(t *testing.T, opts ...Option) (*Client, *testServer) {
	t.Helper()
	ts := &testServer{mux: http.NewServeMux()}
	ts.mux.HandleFunc("/cgi-bin/gettoken", func(w http.ResponseWriter, r *http.Request) {
		ts.gettokens.Add(1)
		if r.URL.Query().Get("corpid") != testCorpID || r.URL.Query().Get("corpsecret") != testSecret {
			fmt.Fprint(w, `{"errcode":40001,"errmsg":"invalid credential"}`)
			return
		}
		fmt.Fprintf(w, `{"errcode":0,"errmsg":"ok","access_token":%q,"expires_in":7200}`, testToken)
	})
	srv := httptest.NewServer(ts.mux)
	t.Cleanup(srv.Close)
	opts = append([]Option{WithBaseURL(srv.URL + "/cgi-bin/"), WithBackoff(time.Millisecond, 5*time.Millisecond)}, opts...)
	return New(testCorpID, testSecret, opts...), ts
}

// handle registers fn for api (e.g. "user/get") and checks that every call
// carries the access token.
func (ts *testServer) handle(t *testing.T, api string, fn http.HandlerFunc) {
	t.Helper()
	ts.mux.HandleFunc("/cgi-bin/"+api, func(w http.ResponseWriter, r *http.Request) {
		if got := r.URL.Query().Get("access_token"); got != testToken {
			t.Errorf("%s: access_token = %q, want the token from gettoken", api, got)
		}
		fn(w, r)
	})
}

// post registers api to answer answer to a POST whose body is the JSON
// value body.
func (ts *testServer) post(t *testing.T, api, body, answer string) {
	t.Helper()
	ts.handle(t, api, func(w http.ResponseWriter, r *http.Request) {
		testMethod(t, r, http.MethodPost)
		testJSONBody(t, r, body)
		fmt.Fprint(w, answer)
	})
}

// get registers api to answer answer to a GET whose query, access_token
// left out, is query, and returns the count of its calls.
func (ts *testServer) get(t *testing.T, api string, query url.Values, answer string) *atomic.Int32 {
	t.Helper()
	var calls atomic.Int32
	ts.handle(t, api, func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		testMethod(t, r, http.MethodGet)
		testQuery(t, r, query)
		fmt.Fprint(w, answer)
	})
	return &calls
}

// file registers api to answer a GET whose query, access_token left out,
// is query with a file: content, of contentType.
func (ts *testServer) file(t *testing.T, api string, query url.Values, contentType, content string) {
	t.Helper()
	ts.handle(t, api, func(w http.ResponseWriter, r *http.Request) {
		testMethod(t, r, http.MethodGet)
		testQuery(t, r, query)
		w.Header().Set("Content-Type", contentType)
		fmt.Fprint(w, content)
	})
}

// syncList is a list that handlers and callbacks on other goroutines add
// to, in order.
type syncList[T any] struct {
	mu    sync.Mutex
	items []T
}

func (l *syncList[T]) add(v T) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.items = append(l.items, v)
}

// all returns a copy of the items.
func (l *syncList[T]) all() []T {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]T(nil), l.items...)
}

// take returns the items added since the last take and forgets them.
func (l *syncList[T]) take() []T {
	l.mu.Lock()
	defer l.mu.Unlock()
	items := l.items
	l.items = nil
	return items
}

// writeCase is a call that answers nothing but its errcode: the client
// must send body by POST (query by GET when query is not nil) and return no
// error on errcode 0.
type writeCase struct {
	api   string
	body  string
	query url.Values
	call  func(ctx context.Context, c *Client) error
}

// testWrites runs each case against its own test server, as a subtest
// named after its API.
func testWrites(t *testing.T, cases []writeCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.api, func(t *testing.T) {
			t.Parallel()
			c, ts := setup(t)
			if tc.query != nil {
				ts.get(t, tc.api, tc.query, `{"errcode":0,"errmsg":"ok"}`)
			} else {
				ts.post(t, tc.api, tc.body, `{"errcode":0,"errmsg":"ok"}`)
			}
			if err := tc.call(t.Context(), c); err != nil {
				t.Fatal(err)
			}
		})
	}
}

// answer registers api to answer answer to every call.
func (ts *testServer) answer(t *testing.T, api, answer string) {
	t.Helper()
	ts.handle(t, api, func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, answer) })
}

// counted registers api to answer answer to every call, and returns the
// count of calls.
func (ts *testServer) counted(t *testing.T, api, answer string) *atomic.Int32 {
	t.Helper()
	var calls atomic.Int32
	ts.handle(t, api, func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		fmt.Fprint(w, answer)
	})
	return &calls
}

// testResult checks a call's result: no error, and got equal to want
// (reflect.DeepEqual, so pointers compare what they point to).
func testResult[T any](t *testing.T, got T, err error, want T) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %+v, want %+v", got, want)
	}
}

func testMethod(t *testing.T, r *http.Request, want string) {
	t.Helper()
	if r.Method != want {
		t.Errorf("method = %s, want %s", r.Method, want)
	}
}

// testQuery checks the query, access_token left out.
func testQuery(t *testing.T, r *http.Request, want url.Values) {
	t.Helper()
	got := r.URL.Query()
	got.Del("access_token")
	if len(got) == 0 && len(want) == 0 {
		return
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("query = %v, want %v", got, want)
	}
}

// testJSONBody checks that the body is the JSON value want, compared as
// values: key order is free, types are exact.
func testJSONBody(t *testing.T, r *http.Request, want string) {
	t.Helper()
	b, _ := io.ReadAll(r.Body)
	var got, w any
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatalf("body %q is not JSON: %v", b, err)
	}
	if err := json.Unmarshal([]byte(want), &w); err != nil {
		t.Fatalf("bad want %q: %v", want, err)
	}
	if !reflect.DeepEqual(got, w) {
		t.Errorf("body = %s, want %s", b, want)
	}
}

func TestDo_DecodesResultMember(t *testing.T) {
	t.Parallel()
	c, ts := setup(t)
	ts.answer(t, "tag/list", `{"errcode":0,"errmsg":"ok","taglist":[{"tagid":1,"tagname":"a"}]}`)
	var raw json.RawMessage
	if err := c.Do(t.Context(), &Request{API: "tag/list", Result: "taglist", Read: true}, &raw); err != nil {
		t.Fatal(err)
	}
	if got, want := string(raw), `[{"tagid":1,"tagname":"a"}]`; got != want {
		t.Errorf("raw = %s, want %s", got, want)
	}
}

func TestDo_APIError(t *testing.T) {
	t.Parallel()
	c, ts := setup(t)
	ts.answer(t, "user/get", `{"errcode":"60111","errmsg":"userid not found"}`)
	err := c.Do(t.Context(), &Request{API: "user/get", Read: true}, nil)
	var apiErr *APIError
	if !errors.As(err, &apiErr) || apiErr.Code != 60111 || apiErr.API != "user/get" {
		t.Fatalf("err = %v, want APIError 60111", err)
	}
	if got, want := err.Error(), "wecom user/get: errcode 60111: userid not found"; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
}

func TestDo_StaleTokenRefreshesOnceAndRetriesOnce(t *testing.T) {
	for _, code := range []int{40001, 40014, 42001} {
		t.Run(fmt.Sprint(code), func(t *testing.T) {
			t.Parallel()
			c, ts := setup(t)
			var calls atomic.Int32
			ts.handle(t, "user/get", func(w http.ResponseWriter, r *http.Request) {
				if calls.Add(1) == 1 {
					fmt.Fprintf(w, `{"errcode":%d,"errmsg":"stale"}`, code)
					return
				}
				fmt.Fprint(w, `{"errcode":0,"errmsg":"ok","userid":"zhangsan"}`)
			})
			if err := c.Do(t.Context(), &Request{API: "user/get", Read: true}, nil); err != nil {
				t.Fatal(err)
			}
			if got := ts.gettokens.Load(); got != 2 {
				t.Errorf("gettoken calls = %d, want 2", got)
			}
			if got := calls.Load(); got != 2 {
				t.Errorf("user/get calls = %d, want 2", got)
			}
		})
	}
}

func TestDo_StaleTwiceIsFinal(t *testing.T) {
	t.Parallel()
	c, ts := setup(t)
	calls := ts.counted(t, "user/get", `{"errcode":42001,"errmsg":"expired"}`)
	err := c.Do(t.Context(), &Request{API: "user/get", Read: true}, nil)
	if !IsCode(err, 42001) {
		t.Fatalf("err = %v, want 42001", err)
	}
	if got := calls.Load(); got != 2 {
		t.Errorf("calls = %d, want 2 (one retry, no recursion)", got)
	}
}

func TestDo_RetriesBusyAnd5xx(t *testing.T) {
	tests := []struct {
		name  string
		fail  func(w http.ResponseWriter)
		tries int32
		ok    bool
	}{
		{"busy then ok", func(w http.ResponseWriter) { fmt.Fprint(w, `{"errcode":-1,"errmsg":"system busy"}`) }, 2, true},
		{"502 then ok", func(w http.ResponseWriter) { w.WriteHeader(http.StatusBadGateway) }, 2, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, ts := setup(t)
			var calls atomic.Int32
			ts.handle(t, "department/create", func(w http.ResponseWriter, r *http.Request) {
				if calls.Add(1) < tt.tries {
					tt.fail(w)
					return
				}
				fmt.Fprint(w, `{"errcode":0,"errmsg":"created","id":2}`)
			})
			err := c.Do(t.Context(), &Request{Method: http.MethodPost, API: "department/create", Body: map[string]any{"name": "x"}}, nil)
			if (err == nil) != tt.ok {
				t.Fatalf("err = %v", err)
			}
		})
	}
}

func TestDo_RetriesAreBounded(t *testing.T) {
	t.Parallel()
	c, ts := setup(t, WithRetries(3))
	var calls atomic.Int32
	ts.handle(t, "user/get", func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		w.WriteHeader(http.StatusBadGateway)
	})
	err := c.Do(t.Context(), &Request{API: "user/get", Read: true}, nil)
	if err == nil || !strings.Contains(err.Error(), "HTTP 502") {
		t.Fatalf("err = %v, want HTTP 502", err)
	}
	if got := calls.Load(); got != 3 {
		t.Errorf("calls = %d, want 3", got)
	}
}

// TestDo_AnswerTooLarge: an answer longer than maxAnswer is refused at once
// when its length says so, abandoned after maxAnswer+1 bytes otherwise, and
// not retried.
func TestDo_AnswerTooLarge(t *testing.T) {
	defer func(old int64) { maxAnswer = old }(maxAnswer)
	maxAnswer = 1 << 20
	c, ts := setup(t, WithRetries(3))
	var calls, served atomic.Int64
	done := make(chan struct{}, 16) // one value per call that ended
	ts.handle(t, "user/list", func(w http.ResponseWriter, r *http.Request) {
		defer func() { done <- struct{}{} }()
		calls.Add(1)
		if r.URL.Query().Get("announce") != "" {
			w.Header().Set("Content-Length", "10737418240")
			w.WriteHeader(http.StatusOK)
			return
		}
		fmt.Fprint(w, `{"errcode":0,"errmsg":"ok","userlist":[`)
		block := strings.Repeat(`{"userid":"u"},`, 4096)
		for n := 0; n < 256<<20; n += len(block) { // until the client hangs up
			if _, err := io.WriteString(w, block); err != nil {
				return
			}
			served.Add(int64(len(block)))
		}
	})
	for _, tt := range []struct {
		query url.Values
		want  string
	}{
		{nil, "wecom user/list: reading the answer: the answer is too large: more than the 1048576 bytes read into memory"},
		{url.Values{"announce": {"1"}}, "wecom user/list: reading the answer: the answer is too large: 10737418240 bytes, more than the 1048576 read into memory"},
	} {
		calls.Store(0)
		served.Store(0)
		err := c.Do(t.Context(), &Request{API: "user/list", Query: tt.query, Read: true}, nil)
		if err == nil || err.Error() != tt.want {
			t.Errorf("err = %v, want %s", err, tt.want)
		}
		for range calls.Load() {
			<-done
		}
		if n := calls.Load(); n != 1 {
			t.Errorf("%d calls, want 1: a too large answer is not retried", n)
		}
		if n := served.Load(); n > 32<<20 {
			t.Errorf("the server wrote %d bytes, want at most 32 MiB", n)
		}
	}
}

func TestDo_CancelStopsBackoff(t *testing.T) {
	t.Parallel()
	// The context ends once WeCom has answered "busy": the client is then
	// about to back off for an hour.
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	c, ts := setup(t, WithBackoff(time.Hour, time.Hour), WithHook(func(call Call) {
		if call.API == "user/get" {
			cancel()
		}
	}))
	ts.answer(t, "user/get", `{"errcode":-1,"errmsg":"system busy"}`)
	start := time.Now()
	err := c.Do(ctx, &Request{API: "user/get", Read: true}, nil)
	if !errors.Is(err, context.Canceled) || !IsCode(err, -1) {
		t.Errorf("err = %v, want the busy error and the cancellation", err)
	}
	if d := time.Since(start); d > time.Minute {
		t.Errorf("took %v: the backoff ignored the context", d)
	}
}

func TestDo_RateLimitIsTypedAfterDeadline(t *testing.T) {
	t.Parallel()
	c, ts := setup(t)
	calls := ts.counted(t, "user/get", `{"errcode":45009,"errmsg":"api freq out of limit"}`)
	ctx, cancel := context.WithTimeout(t.Context(), 3*time.Second)
	defer cancel()
	err := c.Do(ctx, &Request{API: "user/get", Read: true}, nil)
	var rl *RateLimitError
	if !errors.As(err, &rl) || !IsCode(err, 45009) {
		t.Fatalf("err = %v, want a RateLimitError for 45009", err)
	}
	if calls.Load() < 2 {
		t.Errorf("calls = %d, want the limit retried within the deadline", calls.Load())
	}
}

func TestDo_RateLimitRecovers(t *testing.T) {
	t.Parallel()
	c, ts := setup(t)
	var calls atomic.Int32
	ts.handle(t, "user/get", func(w http.ResponseWriter, r *http.Request) {
		if calls.Add(1) <= 2 {
			fmt.Fprint(w, `{"errcode":45009,"errmsg":"api freq out of limit"}`)
			return
		}
		fmt.Fprint(w, `{"errcode":0,"errmsg":"ok"}`)
	})
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	if err := c.Do(ctx, &Request{API: "user/get", Read: true}, nil); err != nil {
		t.Fatal(err)
	}
}

func TestDo_WriteWithLostAnswerIsNotReplayed(t *testing.T) {
	t.Parallel()
	c, ts := setup(t)
	var calls atomic.Int32
	drop := func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		io.ReadAll(r.Body)
		conn, _, err := w.(http.Hijacker).Hijack()
		if err != nil {
			t.Error(err)
			return
		}
		conn.Close()
	}
	ts.handle(t, "user/create", drop)
	ts.handle(t, "user/get", drop)

	err := c.Do(t.Context(), &Request{Method: http.MethodPost, API: "user/create", Body: map[string]any{"userid": "a"}}, nil)
	if !errors.Is(err, ErrOutcomeUnknown) {
		t.Errorf("write: err = %v, want ErrOutcomeUnknown", err)
	}
	if got := calls.Load(); got != 1 {
		t.Errorf("write sent %d times, want 1", got)
	}
	calls.Store(0)
	err = c.Do(t.Context(), &Request{API: "user/get", Read: true}, nil)
	if err == nil || errors.Is(err, ErrOutcomeUnknown) {
		t.Errorf("read: err = %v, want a transport error", err)
	}
	if got := calls.Load(); got != 3 {
		t.Errorf("read sent %d times, want 3", got)
	}
}

func TestDo_Timeout(t *testing.T) {
	t.Parallel()
	c, ts := setup(t, WithTimeout(20*time.Millisecond), WithRetries(2))
	ts.handle(t, "user/get", func(w http.ResponseWriter, r *http.Request) {
		select { // until the client gives up
		case <-r.Context().Done():
		case <-time.After(time.Minute):
		}
	})
	start := time.Now()
	err := c.Do(t.Context(), &Request{API: "user/get", Read: true}, nil)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v, want a timeout error", err)
	}
	if d := time.Since(start); d > time.Minute {
		t.Errorf("took %v despite a 20ms timeout", d)
	}
}

func TestDownload(t *testing.T) {
	t.Parallel()
	c, ts := setup(t)
	ts.handle(t, "media/get", func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Get("media_id") == "missing" {
			w.Header().Set("Content-Type", "application/json; charset=UTF-8")
			fmt.Fprint(w, `{"errcode":40007,"errmsg":"invalid media_id"}`)
			return
		}
		w.Header().Set("Content-Type", "image/png")
		w.Header().Set("Content-Disposition", `attachment; filename="logo.png"`)
		fmt.Fprint(w, "PNGDATA")
	})
	f, err := c.Download(t.Context(), &Request{API: "media/get", Query: url.Values{"media_id": {"m1"}}, Read: true})
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(f.Body)
	f.Body.Close()
	if string(b) != "PNGDATA" || f.Filename != "logo.png" || f.ContentType != "image/png" {
		t.Errorf("got %q %q %q", b, f.Filename, f.ContentType)
	}
	_, err = c.Download(t.Context(), &Request{API: "media/get", Query: url.Values{"media_id": {"missing"}}, Read: true})
	if !IsCode(err, 40007) {
		t.Errorf("err = %v, want APIError 40007", err)
	}
}

func TestErrorsNeverContainSecrets(t *testing.T) {
	t.Parallel()
	c, ts := setup(t, WithRetries(1), WithTimeout(20*time.Millisecond))
	ts.handle(t, "user/get", func(w http.ResponseWriter, r *http.Request) { time.Sleep(100 * time.Millisecond) })
	var errs []error
	errs = append(errs, c.Do(t.Context(), &Request{API: "user/get", Read: true}, nil))

	// An unreachable server: *url.Error quotes the gettoken URL with the secret.
	dead := New(testCorpID, testSecret, WithBaseURL("http://127.0.0.1:1/cgi-bin/"), WithRetries(1))
	errs = append(errs, dead.Do(t.Context(), &Request{API: "user/get", Read: true}, nil))

	// Hook calls must not carry them either.
	var mu sync.Mutex
	var hooked []string
	hc, hts := setup(t, WithHook(func(c Call) {
		mu.Lock()
		defer mu.Unlock()
		hooked = append(hooked, fmt.Sprintf("%+v", c))
	}))
	hts.handle(t, "user/get", func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, `{"errcode":0,"errmsg":"ok"}`) })
	if err := hc.Do(t.Context(), &Request{API: "user/get", Read: true}, nil); err != nil {
		t.Fatal(err)
	}
	for _, err := range errs {
		if err == nil {
			t.Fatal("want an error")
		}
		for _, s := range []string{testSecret, testToken} {
			if strings.Contains(err.Error(), s) {
				t.Errorf("error %q contains a secret", err)
			}
		}
	}
	for _, h := range hooked {
		if strings.Contains(h, testSecret) || strings.Contains(h, testToken) {
			t.Errorf("hook call %q contains a secret", h)
		}
	}
	if len(hooked) != 2 {
		t.Errorf("hook calls = %d, want 2 (gettoken and user/get)", len(hooked))
	}
}

func TestTokenSharedByConcurrentCallers(t *testing.T) {
	t.Parallel()
	c, ts := setup(t)
	ts.handle(t, "user/get", func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, `{"errcode":0,"errmsg":"ok"}`) })
	var wg sync.WaitGroup
	for range 100 {
		wg.Go(func() {
			if err := c.Do(t.Context(), &Request{API: "user/get", Read: true}, nil); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if got := ts.gettokens.Load(); got != 1 {
		t.Errorf("gettoken calls = %d, want 1", got)
	}
}

// memCache is a TokenCache in memory, standing for a persistent store.
type memCache struct {
	mu sync.Mutex
	m  map[string]Token
}

func (m *memCache) LoadToken(_ context.Context, key string) (Token, bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	t, ok := m.m[key]
	return t, ok, nil
}

func (m *memCache) StoreToken(_ context.Context, key string, t Token) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.m[key] = t
	return nil
}

func TestTokenCacheSharedBetweenClients(t *testing.T) {
	t.Parallel()
	cache := &memCache{m: map[string]Token{}}
	c, ts := setup(t, WithTokenCache(cache))
	ts.handle(t, "user/get", func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, `{"errcode":0,"errmsg":"ok"}`) })
	if err := c.Do(t.Context(), &Request{API: "user/get", Read: true}, nil); err != nil {
		t.Fatal(err)
	}
	// A second client on the same server, corp and secret: a restarted process.
	c2 := New(testCorpID, testSecret, WithBaseURL(c.BaseURL()), WithTokenCache(cache))
	if err := c2.Do(t.Context(), &Request{API: "user/get", Read: true}, nil); err != nil {
		t.Fatal(err)
	}
	if got := ts.gettokens.Load(); got != 1 {
		t.Errorf("gettoken calls = %d, want 1", got)
	}
	for k := range cache.m {
		if strings.Contains(k, testSecret) {
			t.Errorf("cache key %q contains the secret", k)
		}
	}
	// Another secret of the same corp is another token.
	c3 := New(testCorpID, "other-secret", WithBaseURL(c.BaseURL()), WithTokenCache(cache))
	c3.Do(t.Context(), &Request{API: "user/get", Read: true}, nil)
	if got := ts.gettokens.Load(); got != 2 {
		t.Errorf("gettoken calls = %d, want 2", got)
	}
}

func TestFailedRefreshKeepsValidToken(t *testing.T) {
	t.Parallel()
	c, ts := setup(t)
	ts.handle(t, "user/get", func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, `{"errcode":0,"errmsg":"ok"}`) })
	// A token inside its refresh window but not expired, and a gettoken that fails.
	c.token.cur = Token{Value: testToken, ExpiresAt: time.Now().Add(time.Minute)}
	c.token.fetch = func(context.Context) (Token, error) { return Token{}, errors.New("gettoken down") }
	if err := c.Do(t.Context(), &Request{API: "user/get", Read: true}, nil); err != nil {
		t.Fatalf("err = %v, want the old token used", err)
	}
}

func TestDryRunSendsReadsOnly(t *testing.T) {
	t.Parallel()
	var writes []DryRun
	c, ts := setup(t, WithDryRun(func(d DryRun) { writes = append(writes, d) }))
	ts.handle(t, "user/get", func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, `{"errcode":0,"errmsg":"ok"}`) })
	ts.handle(t, "user/delete", func(w http.ResponseWriter, r *http.Request) { t.Error("a dry run sent a write") })
	if err := c.Do(t.Context(), &Request{API: "user/get", Read: true}, nil); err != nil {
		t.Fatal(err)
	}
	if err := c.Do(t.Context(), &Request{API: "user/delete", Query: url.Values{"userid": {"a"}}}, nil); err != nil {
		t.Fatal(err)
	}
	if len(writes) != 1 || writes[0].API != "user/delete" || writes[0].Query != "userid=a" {
		t.Errorf("writes = %+v", writes)
	}
}

// TestErrorAnswers checks that an API's error answer reaches the caller as
// its errcode, one call of each service.
func TestErrorAnswers(t *testing.T) {
	t.Parallel()
	tests := []struct {
		api, answer string
		code        int
		call        func(ctx context.Context, c *Client) error
	}{
		{"agent/get", `{"errcode":301002,"errmsg":"not allow operate another agent with this accesstoken."}`, CodeAgentMismatch,
			func(ctx context.Context, c *Client) error { _, err := c.Agent.Get(ctx, 1); return err }},
		{"appchat/get", `{"errcode":86003,"errmsg":"chat not found"}`, CodeChatNotFound,
			func(ctx context.Context, c *Client) error { _, err := c.AppChat.Get(ctx, "nochat"); return err }},
		{"batch/getresult", `{"errcode":40088,"errmsg":"jobid not found"}`, CodeJobNotFound,
			func(ctx context.Context, c *Client) error { _, err := c.Batch.GetResult(ctx, "nope"); return err }},
		{"chat/send", `{"errcode":48005,"errmsg":"api forbidden for deprecated"}`, 48005,
			func(ctx context.Context, c *Client) error {
				return c.Chat.Send(ctx, "zhangsan", GroupChat("1"), TextContent{"hi"})
			}},
		{"get_jsapi_ticket", `{"errcode":48002,"errmsg":"api forbidden"}`, CodeAPIForbidden,
			func(ctx context.Context, c *Client) error { _, err := c.JSAPI.CachedTicket(ctx); return err }},
		{"material/batchget", `{"errcode":48005,"errmsg":"api forbidden for deprecated"}`, 48005,
			func(ctx context.Context, c *Client) error {
				_, err := c.Material.BatchGet(ctx, &MaterialQuery{AgentID: 1, Type: "file", Count: 20})
				return err
			}},
		{"media/upload", `{"errcode":40006,"errmsg":"invalid file size"}`, 40006,
			func(ctx context.Context, c *Client) error {
				_, err := c.Media.Upload(ctx, "file", newUpload("a.txt", "x"))
				return err
			}},
		{"message/send", `{"errcode":81013,"errmsg":"user & party & tag all invalid"}`, CodeAllRecipientsInvalid,
			func(ctx context.Context, c *Client) error {
				_, err := c.Message.Send(ctx, &Message{AgentID: 1, ToUser: []string{"nobody"}, Content: TextContent{"hi"}})
				return err
			}},
		{"getcallbackip", `{"errcode":60020,"errmsg":"not allow to access from your ip"}`, CodeUntrustedIP,
			func(ctx context.Context, c *Client) error { _, err := c.Misc.GetWechatIPs(ctx); return err }},
		{"user/getuserinfo", `{"errcode":40029,"errmsg":"invalid code"}`, 40029,
			func(ctx context.Context, c *Client) error { _, err := c.OAuth.GetUserInfo(ctx, "used"); return err }},
		{"shakearound/getshakeinfo", `{"errcode":48005,"errmsg":"api forbidden"}`, 48005,
			func(ctx context.Context, c *Client) error { _, err := c.ShakeAround.GetShakeInfo(ctx, "x"); return err }},
	}
	for _, tt := range tests {
		t.Run(tt.api, func(t *testing.T) {
			t.Parallel()
			c, ts := setup(t)
			ts.answer(t, tt.api, tt.answer)
			if err := tt.call(t.Context(), c); !IsCode(err, tt.code) {
				t.Errorf("err = %v, want errcode %d", err, tt.code)
			}
		})
	}
}
