package emulator_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/wecomrunner/runner/wecom"
	"github.com/wecomrunner/runner/wecom/callback"
	"github.com/wecomrunner/runner/wecom/emulator"
)

// hook is a callback URL for a test: it checks each delivery with the
// client's callback package (an implementation independent of the
// emulator's) and answers as answer says.
type hook struct {
	t      *testing.T
	srv    *httptest.Server
	crypto *callback.Crypto
	events chan callback.Event
	calls  atomic.Int32
	answer func(n int) (status int, body string, delay time.Duration)
}

func newHook(t *testing.T, token, key string) *hook {
	t.Helper()
	c, err := callback.New(token, key, emulator.DemoCorpID)
	if err != nil {
		t.Fatal(err)
	}
	h := &hook{t: t, crypto: c, events: make(chan callback.Event, 100)}
	h.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := int(h.calls.Add(1))
		body, _ := io.ReadAll(r.Body)
		q := r.URL.Query()
		data, err := c.Open(q.Get("msg_signature"), q.Get("timestamp"), q.Get("nonce"), body)
		if err != nil {
			t.Errorf("delivery %d does not open: %v", n, err)
			http.Error(w, err.Error(), http.StatusForbidden)
			return
		}
		ev, err := callback.ParseEvent(data)
		if err != nil {
			t.Errorf("delivery %d is not an event: %v\n%s", n, err, data)
		}
		status, answer, delay := http.StatusOK, "", time.Duration(0)
		if h.answer != nil {
			status, answer, delay = h.answer(n)
		}
		if delay > 0 {
			select {
			case <-time.After(delay):
			case <-r.Context().Done():
			}
		}
		if status == http.StatusOK && answer == "" {
			h.events <- ev
		}
		w.WriteHeader(status)
		io.WriteString(w, answer)
	}))
	t.Cleanup(h.srv.Close)
	return h
}

// next waits for the next event delivered with success.
func (h *hook) next() callback.Event {
	h.t.Helper()
	select {
	case ev := <-h.events:
		return ev
	case <-time.After(time.Minute):
		h.t.Fatal("no event delivered within a minute")
		return nil
	}
}

// console posts to the emulator's admin console.
func console(t *testing.T, srv *emulator.Server, action, body string) map[string]any {
	t.Helper()
	resp, err := http.Post(strings.TrimSuffix(srv.BaseURL(), "/cgi-bin/")+"/_emulator/console/"+action, "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		t.Fatalf("console %s: %v", action, err)
	}
	return out
}

func newCallbackServer(t *testing.T, opts ...emulator.Option) (*emulator.Server, *hook) {
	t.Helper()
	srv := newServer(t, append([]emulator.Option{emulator.WithCallbackTiming(2*time.Second, 10*time.Millisecond)}, opts...)...)
	h := newHook(t, emulator.DemoCallbackToken, emulator.DemoCallbackAESKey)
	if err := srv.SetCallback(emulator.Callback{URL: h.srv.URL + "/callback/contacts", Token: emulator.DemoCallbackToken, EncodingAESKey: emulator.DemoCallbackAESKey}); err != nil {
		t.Fatal(err)
	}
	return srv, h
}

// TestConsoleAnnouncesChanges: members added, changed and removed in the
// admin console are pushed to the callback, with what WeCom sends since
// 2022: ids and departments, not names or mobiles.
func TestConsoleAnnouncesChanges(t *testing.T) {
	t.Parallel()
	srv, h := newCallbackServer(t)

	if out := console(t, srv, "user/create", `{"userid":"xiaoming","name":"小明","mobile":"13900000001","department":[2,5],"is_leader_in_dept":[0,1],"main_department":5}`); out["errcode"] != 0.0 {
		t.Fatalf("create = %v", out)
	}
	ev := h.next()
	want := map[string]string{"ToUserName": emulator.DemoCorpID, "FromUserName": "sys", "MsgType": "event", "Event": "change_contact",
		"ChangeType": "create_user", "UserID": "xiaoming", "Department": "2,5", "MainDepartment": "5", "IsLeaderInDept": "0,1"}
	for k, v := range want {
		if ev.Get(k) != v {
			t.Errorf("%s = %q, want %q", k, ev.Get(k), v)
		}
	}
	for _, absent := range []string{"Name", "Mobile", "Email"} {
		if _, ok := ev[absent]; ok {
			t.Errorf("create_user carries %s, which WeCom no longer sends", absent)
		}
	}
	if ev.Get("CreateTime") == "" {
		t.Error("no CreateTime")
	}

	console(t, srv, "user/update", `{"userid":"xiaoming","new_userid":"xiaoming2","position":"工程师"}`)
	ev = h.next()
	if ev.Get("ChangeType") != "update_user" || ev.Get("UserID") != "xiaoming" || ev.Get("NewUserID") != "xiaoming2" || ev.Get("Department") != "" {
		t.Errorf("rename = %v", ev)
	}
	console(t, srv, "user/update", `{"userid":"xiaoming2","department":[3]}`)
	if ev = h.next(); ev.Get("Department") != "3" || ev.Get("NewUserID") != "" {
		t.Errorf("move = %v", ev)
	}
	console(t, srv, "user/delete", `{"userid":"xiaoming2"}`)
	if ev = h.next(); ev.Get("ChangeType") != "delete_user" || ev.Get("UserID") != "xiaoming2" {
		t.Errorf("delete = %v", ev)
	}

	// The console validates as the API does, and announces nothing then.
	if out := console(t, srv, "user/create", `{"userid":"nobody","name":"无部门","mobile":"13900000002","department":[999]}`); out["errcode"] != 60123.0 {
		t.Errorf("create in an unknown department = %v, want 60123", out)
	}
	if out := console(t, srv, "user/delete", `{"userid":"ghost"}`); out["errcode"] != 60111.0 {
		t.Errorf("delete of an unknown member = %v, want 60111", out)
	}

	// Changes made through the API by the contacts sync are not echoed.
	c := contactsClient(srv)
	if err := c.User.Create(t.Context(), &wecom.UserInput{UserID: "api-made", Name: "接口", Mobile: "13900000003", Department: []int{2}}); err != nil {
		t.Fatal(err)
	}
	if err := srv.WaitCallbacks(t.Context()); err != nil {
		t.Fatal(err)
	}
	if n := h.calls.Load(); n != 4 {
		t.Errorf("%d deliveries, want the 4 console changes", n)
	}
	if snap := srv.Snapshot(); !hasUser(snap, "api-made") || hasUser(snap, "xiaoming2") {
		t.Error("the console's changes are not the organisation's")
	}
}

func hasUser(org *emulator.Org, id string) bool {
	_, ok := findUser(org, id)
	return ok
}

// TestCallbackRetries: a delivery answered slowly, with an error status or
// with something else than success is made again, three times at most.
func TestCallbackRetries(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		answer    func(n int) (int, string, time.Duration)
		attempts  int
		delivered bool
	}{
		{"success at once", func(int) (int, string, time.Duration) { return 200, "", 0 }, 1, true},
		{"success text", func(int) (int, string, time.Duration) { return 200, "success", 0 }, 1, true},
		{"two errors then success", func(n int) (int, string, time.Duration) {
			if n < 3 {
				return 503, "busy", 0
			}
			return 200, "", 0
		}, 3, true},
		{"too slow once", func(n int) (int, string, time.Duration) {
			if n == 1 {
				return 200, "", 10 * time.Second
			}
			return 200, "", 0
		}, 2, true},
		{"not success", func(int) (int, string, time.Duration) { return 200, "failed", 0 }, 4, false},
		{"always down", func(int) (int, string, time.Duration) { return 500, "", 0 }, 4, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv, h := newCallbackServer(t, emulator.WithCallbackTiming(500*time.Millisecond, 10*time.Millisecond))
			h.answer = tt.answer
			console(t, srv, "user/delete", `{"userid":"zhaoliu"}`)
			ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
			defer cancel()
			if err := srv.WaitCallbacks(ctx); err != nil {
				t.Fatal(err)
			}
			ds := srv.CallbackDeliveries()
			if len(ds) != tt.attempts {
				t.Fatalf("%d deliveries, want %d: %+v", len(ds), tt.attempts, ds)
			}
			last := ds[len(ds)-1]
			if last.Delivered != tt.delivered || last.Attempt != tt.attempts || last.Event != "change_contact" || last.ChangeType != "delete_user" || last.UserID != "zhaoliu" {
				t.Errorf("last delivery = %+v", last)
			}
			for _, d := range ds[:len(ds)-1] {
				if d.Delivered || d.Error == "" {
					t.Errorf("a failed delivery = %+v", d)
				}
			}
		})
	}
}

// TestBatchJobResult: a batch job announces its end to the callback the
// request gave, or else to the contacts sync's.
func TestBatchJobResult(t *testing.T) {
	t.Parallel()
	srv, h := newCallbackServer(t)
	c := contactsClient(srv)
	ctx := t.Context()
	csvFile := "姓名,帐号,手机号,所在部门\n新人,xinren,13900000009,2\n"
	m, err := c.Media.Upload(ctx, "file", upload("batch.csv", []byte(csvFile)))
	if err != nil {
		t.Fatal(err)
	}
	jobID, err := c.Batch.SyncUser(ctx, m.MediaID, false, nil)
	if err != nil {
		t.Fatal(err)
	}
	ev := h.next()
	job, _ := ev["BatchJob"].(map[string]any)
	if ev.Type() != "batch_job_result" || job["JobId"] != jobID || job["JobType"] != "sync_user" || job["ErrCode"] != "0" {
		t.Errorf("event = %v", ev)
	}

	// A request's own callback gets its job's result instead.
	own := newHook(t, "OwnToken1", strings.Repeat("A", 43))
	m, _ = c.Media.Upload(ctx, "file", upload("batch.csv", []byte(csvFile)))
	jobID, err = c.Batch.SyncUser(ctx, m.MediaID, false, &wecom.BatchCallback{URL: own.srv.URL, Token: "OwnToken1", EncodingAESKey: strings.Repeat("A", 43)})
	if err != nil {
		t.Fatal(err)
	}
	if ev := own.next(); ev["BatchJob"].(map[string]any)["JobId"] != jobID {
		t.Errorf("own callback's event = %v", ev)
	}
	if err := srv.WaitCallbacks(ctx); err != nil {
		t.Fatal(err)
	}
	if n := h.calls.Load(); n != 1 {
		t.Errorf("the contacts callback got %d deliveries, want 1", n)
	}
}

// TestCallbackCredentials: the demo organisation's callback secrets, and
// SetCallback's checks.
func TestCallbackCredentials(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	cb := srv.Credentials().Callback
	if cb == nil || cb.Token != emulator.DemoCallbackToken || cb.EncodingAESKey != emulator.DemoCallbackAESKey || cb.URL != "" {
		t.Fatalf("Credentials().Callback = %+v", cb)
	}
	if err := srv.SetCallback(emulator.Callback{URL: "ftp://x", Token: "t", EncodingAESKey: emulator.DemoCallbackAESKey}); err == nil {
		t.Error("SetCallback took an ftp URL")
	}
	if err := srv.SetCallback(emulator.Callback{URL: "http://x", Token: "t", EncodingAESKey: "short"}); err == nil {
		t.Error("SetCallback took a short key")
	}
	// Without a URL nothing is pushed, and nothing waits.
	console(t, srv, "user/delete", `{"userid":"zhaoliu"}`)
	if err := srv.WaitCallbacks(t.Context()); err != nil || len(srv.CallbackDeliveries()) != 0 {
		t.Errorf("deliveries without a URL: %v, %v", srv.CallbackDeliveries(), err)
	}
}
