package emulator

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// testHTTP is shared so that tests reuse connections.
var testHTTP = &http.Client{Timeout: 10 * time.Second}

// oldSyncIP makes the demo organisation's contacts sync one that called
// from this machine before 2022-08-15, so that it may still read members
// with user/get and user/list (see WithContactsSyncIPs): most tests read
// members with the contacts secret. The rules themselves are tested in
// rules_test.go, on servers of their own.
var oldSyncIP = WithContactsSyncIPs("127.0.0.1")

// startServer starts the demo organisation's server on loopback, its
// contacts sync calling from an old IP (oldSyncIP).
func startServer(t testing.TB, opts ...Option) *Server {
	t.Helper()
	s, err := Start(nil, append([]Option{oldSyncIP}, opts...)...)
	if err != nil {
		t.Fatalf("Start: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// result is a decoded JSON answer.
type result map[string]any

func (r result) code() int {
	n, _ := r["errcode"].(float64)
	return int(n)
}

func (r result) str(key string) string { s, _ := r[key].(string); return s }

func (r result) num(key string) int { n, _ := r[key].(float64); return int(n) }

func (r result) list(key string) []any { l, _ := r[key].([]any); return l }

func (r result) obj(key string) result { m, _ := r[key].(map[string]any); return m }

// apiClient calls the emulator over HTTP with one token.
type apiClient struct {
	t     testing.TB
	s     *Server
	token string
}

// as returns a client with a fresh token for secret.
func as(t testing.TB, s *Server, secret string) *apiClient {
	t.Helper()
	r := rawCall(t, s, http.MethodGet, "gettoken", url.Values{"corpid": {s.Credentials().CorpID}, "corpsecret": {secret}}, nil)
	if r.code() != 0 {
		t.Fatalf("gettoken: %v", r)
	}
	return &apiClient{t: t, s: s, token: r.str("access_token")}
}

func contacts(t testing.TB, s *Server) *apiClient { return as(t, s, DemoContactsSecret) }
func opsApp(t testing.TB, s *Server) *apiClient   { return as(t, s, DemoOpsSecret) }
func reportApp(t testing.TB, s *Server) *apiClient {
	return as(t, s, DemoReportSecret)
}

// rawCall sends one request; body is JSON-encoded unless it is []byte.
func rawCall(t testing.TB, s *Server, method, api string, q url.Values, body any) result {
	t.Helper()
	resp := send(t, s, method, api, q, body)
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	var r result
	if err := json.Unmarshal(data, &r); err != nil {
		t.Fatalf("%s %s: HTTP %d, not JSON: %q", method, api, resp.StatusCode, data)
	}
	if _, ok := r["errmsg"]; !ok && r.code() != 0 {
		t.Errorf("%s %s: errcode without errmsg: %v", method, api, r)
	}
	return r
}

func send(t testing.TB, s *Server, method, api string, q url.Values, body any) *http.Response {
	t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case []byte:
		rd = bytes.NewReader(b)
	case string:
		rd = strings.NewReader(b)
	default:
		data, err := json.Marshal(b)
		if err != nil {
			t.Fatal(err)
		}
		rd = bytes.NewReader(data)
	}
	u := s.BaseURL() + api
	if len(q) > 0 {
		u += "?" + q.Encode()
	}
	req, err := http.NewRequest(method, u, rd)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := testHTTP.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, api, err)
	}
	return resp
}

// query builds url.Values from key, value pairs.
func query(kv ...string) url.Values {
	q := url.Values{}
	for i := 0; i+1 < len(kv); i += 2 {
		q.Set(kv[i], kv[i+1])
	}
	return q
}

func (c *apiClient) withToken(kv []string) url.Values {
	q := query(kv...)
	q.Set("access_token", c.token)
	return q
}

func (c *apiClient) get(api string, kv ...string) result {
	c.t.Helper()
	return rawCall(c.t, c.s, http.MethodGet, api, c.withToken(kv), nil)
}

func (c *apiClient) post(api string, body any, kv ...string) result {
	c.t.Helper()
	return rawCall(c.t, c.s, http.MethodPost, api, c.withToken(kv), body)
}

// wantCode fails unless r has errcode want.
func wantCode(t testing.TB, r result, want int) {
	t.Helper()
	if r.code() != want {
		t.Fatalf("errcode = %d, want %d (answer %v)", r.code(), want, r)
	}
}

// fakeClock is a settable clock for WithClock.
// fakeClock is a clock that moves only when a test advances it. The
// external tests use it too, through FakeClock and NewFakeClock.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

// FakeClock is fakeClock under a name package emulator_test can use.
type FakeClock = fakeClock

// NewFakeClock returns a clock stopped at start.
func NewFakeClock(start time.Time) *FakeClock { return &fakeClock{now: start} }

func newFakeClock() *fakeClock {
	return NewFakeClock(time.Date(2024, 3, 1, 9, 0, 0, 0, time.UTC))
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Add(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

func TestGetToken(t *testing.T) {
	t.Parallel()
	s := startServer(t)
	corp := s.Credentials().CorpID
	tests := []struct {
		name   string
		q      url.Values
		want   int
		wantOK bool
	}{
		{"contacts", query("corpid", corp, "corpsecret", DemoContactsSecret), 0, true},
		{"app", query("corpid", corp, "corpsecret", DemoOpsSecret), 0, true},
		{"wrong corp", query("corpid", "wwnotmine", "corpsecret", DemoOpsSecret), 40013, false},
		{"wrong secret", query("corpid", corp, "corpsecret", "nope"), 40001, false},
		{"no corp", query("corpsecret", DemoOpsSecret), 41002, false},
		{"no secret", query("corpid", corp), 41004, false},
	}
	for _, tt := range tests {
		r := rawCall(t, s, http.MethodGet, "gettoken", tt.q, nil)
		if r.code() != tt.want {
			t.Errorf("%s: errcode %d, want %d (%v)", tt.name, r.code(), tt.want, r)
		}
		if tt.wantOK && (r.str("access_token") == "" || r.num("expires_in") != 7200) {
			t.Errorf("%s: answer %v, want a token for 7200 s", tt.name, r)
		}
	}
	if got := s.TokenRequests(); got != len(tests) {
		t.Errorf("TokenRequests() = %d, want %d", got, len(tests))
	}
}

func TestTokenReuseAndExpiry(t *testing.T) {
	t.Parallel()
	clock := newFakeClock()
	s := startServer(t, WithClock(clock.Now), WithTokenLifetime(time.Hour))
	q := query("corpid", DemoCorpID, "corpsecret", DemoOpsSecret)
	first := rawCall(t, s, http.MethodGet, "gettoken", q, nil)
	clock.Add(10 * time.Minute)
	second := rawCall(t, s, http.MethodGet, "gettoken", q, nil)
	if first.str("access_token") != second.str("access_token") {
		t.Errorf("a valid token was not reused")
	}
	if got := second.num("expires_in"); got != 3000 {
		t.Errorf("expires_in = %d, want the remaining 3000", got)
	}
	other := rawCall(t, s, http.MethodGet, "gettoken", query("corpid", DemoCorpID, "corpsecret", DemoReportSecret), nil)
	if other.str("access_token") == first.str("access_token") {
		t.Errorf("two apps share a token")
	}

	c := &apiClient{t: t, s: s, token: first.str("access_token")}
	wantCode(t, c.get("user/get", "userid", "zhangsan"), 0)
	clock.Add(50 * time.Minute)
	wantCode(t, c.get("user/get", "userid", "zhangsan"), 42001)
	third := rawCall(t, s, http.MethodGet, "gettoken", q, nil)
	if third.str("access_token") == first.str("access_token") {
		t.Errorf("an expired token was handed out again")
	}
	c.token = third.str("access_token")
	wantCode(t, c.get("user/get", "userid", "zhangsan"), 0)
}

func TestTokenErrors(t *testing.T) {
	t.Parallel()
	s := startServer(t, WithExpiredTokenErrcode(40014))
	c := opsApp(t, s)
	wantCode(t, rawCall(t, s, http.MethodGet, "user/get", query("userid", "zhangsan"), nil), 41001)
	wantCode(t, rawCall(t, s, http.MethodGet, "user/get", query("userid", "zhangsan", "access_token", "bogus"), nil), 40014)
	// A token in the body is not a token.
	wantCode(t, rawCall(t, s, http.MethodPost, "user/convert_to_openid", nil, map[string]string{"access_token": c.token, "userid": "zhangsan"}), 41001)

	s.ExpireTokens()
	wantCode(t, c.get("user/get", "userid", "zhangsan"), 40014)
	c = opsApp(t, s)
	wantCode(t, c.get("user/get", "userid", "zhangsan"), 0)
}

func TestRoles(t *testing.T) {
	t.Parallel()
	s := startServer(t)
	ct, ops, report := contacts(t, s), opsApp(t, s), reportApp(t, s)
	text := func(agent int) map[string]any {
		return map[string]any{"touser": "zhangsan", "msgtype": "text", "agentid": agent, "text": map[string]string{"content": "hi"}}
	}
	wantCode(t, ct.post("message/send", text(DemoOpsAgentID)), 48002)
	wantCode(t, ops.post("message/send", text(DemoReportAgentID)), 301002)
	wantCode(t, ops.post("message/send", text(1000099)), 40056)
	wantCode(t, ops.post("user/create", map[string]any{"userid": "x1", "name": "X", "mobile": "13900000001"}), 48002)
	wantCode(t, ops.get("agent/get", "agentid", "1000003"), 301002)

	// 日报 sees 研发中心's tree, wangwu and tag 1, nothing else.
	wantCode(t, report.get("user/get", "userid", "lisi"), 0)
	wantCode(t, report.get("user/get", "userid", "wangwu"), 0)
	wantCode(t, report.get("user/get", "userid", "chenjing"), 60011)
	wantCode(t, report.get("department/get", "id", "11"), 60011)
	wantCode(t, report.get("user/list", "department_id", "8"), 60011)
	r := report.get("department/list")
	wantCode(t, r, 0)
	for _, d := range r.list("department") {
		if id := int(d.(map[string]any)["id"].(float64)); id < 2 || id > 6 {
			t.Errorf("日报 lists department %d outside its range", id)
		}
	}
	// The contacts secret reads everything.
	wantCode(t, ct.get("user/get", "userid", "chenjing"), 0)
}

func TestUnknownAPIAndMethod(t *testing.T) {
	t.Parallel()
	s := startServer(t)
	c := opsApp(t, s)
	resp := send(t, s, http.MethodGet, "no/such/api", c.withToken(nil), nil)
	resp.Body.Close()
	if resp.StatusCode != http.StatusNotFound {
		t.Errorf("unknown api: HTTP %d, want 404", resp.StatusCode)
	}
	wantCode(t, c.get("message/send"), 40058)
	// A body without Content-Type and unknown fields and query parameters
	// are accepted.
	wantCode(t, c.post("user/convert_to_openid", `{"userid":"zhangsan","weixinid":"x"}`, "debug", "0"), 0)
	wantCode(t, c.post("user/convert_to_openid", `{"userid":`), 47001)
}

func TestCredentials(t *testing.T) {
	t.Parallel()
	s := New(nil)
	c := s.Credentials()
	if c.CorpID != "ww7d0a5c1e2f3b4a69" || c.ContactsSecret != DemoContactsSecret || len(c.Apps) != 4 {
		t.Fatalf("Credentials() = %+v", c)
	}
	if c.Apps[0].AgentID != DemoOpsAgentID || c.Apps[0].Secret != DemoOpsSecret || c.Apps[1].AgentID != DemoReportAgentID ||
		c.Apps[2].AgentID != DemoCustomerAgentID || c.Apps[3].AgentID != DemoOAAgentID || !c.Apps[3].OA || c.ExternalContactSecret != "" {
		t.Errorf("apps = %+v", c.Apps)
	}
	if s.BaseURL() != "" {
		t.Errorf("BaseURL before Listen = %q", s.BaseURL())
	}
	base, err := s.Listen("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if !strings.HasPrefix(base, "http://127.0.0.1:") || !strings.HasSuffix(base, "/cgi-bin/") || base != s.BaseURL() {
		t.Errorf("Listen = %q, BaseURL = %q", base, s.BaseURL())
	}
	if _, err := s.Listen("127.0.0.1:0"); err == nil {
		t.Errorf("a second Listen succeeded")
	}
}

func TestServeHTTPWithoutListener(t *testing.T) {
	t.Parallel()
	s := New(nil)
	req := httptest.NewRequest(http.MethodGet, "/cgi-bin/gettoken?corpid="+DemoCorpID+"&corpsecret="+DemoOpsSecret, nil)
	rec := httptest.NewRecorder()
	s.ServeHTTP(rec, req)
	if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), `"access_token"`) {
		t.Errorf("ServeHTTP answered %d %s", rec.Code, rec.Body)
	}
}

func itoa(n int) string { return strconv.Itoa(n) }
