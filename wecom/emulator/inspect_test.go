package emulator

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
)

func TestRequestLog(t *testing.T) {
	t.Parallel()
	s := startServer(t, WithRequestLogSize(3))
	c := opsApp(t, s)
	c.get("user/get", "userid", "zhangsan")
	c.get("user/get", "userid", "nobody")
	c.get("department/list", "status", "0")
	reqs := s.Requests()
	if len(reqs) != 3 {
		t.Fatalf("%d requests kept, want 3", len(reqs))
	}
	if reqs[0].API != "user/get" || reqs[0].Query != "userid=zhangsan" || reqs[1].ErrCode != 60111 || reqs[2].API != "department/list" {
		t.Errorf("requests %+v", reqs)
	}
	if reqs[0].AgentID != DemoOpsAgentID || reqs[0].Method != http.MethodGet {
		t.Errorf("first request %+v", reqs[0])
	}
	for _, r := range reqs {
		if strings.Contains(r.Query, c.token) || strings.Contains(r.Query, "access_token") {
			t.Errorf("the token is logged: %+v", r)
		}
	}
	if st := s.Stats(); st.Requests != 4 || st.TokenRequests != 1 {
		t.Errorf("Stats() = %+v", st)
	}
}

func TestSecretsNeverLogged(t *testing.T) {
	t.Parallel()
	s := startServer(t)
	opsApp(t, s)
	for _, r := range s.Requests() {
		if strings.Contains(r.Query, DemoOpsSecret) || strings.Contains(r.Query, "corpsecret") {
			t.Errorf("a secret is logged: %+v", r)
		}
	}
}

// getInspect decodes the answer of the inspection endpoint name into v; it
// fails t unless the answer is HTTP 200 with JSON.
func getInspect(t *testing.T, s *Server, name string, v any) {
	t.Helper()
	resp, err := testHTTP.Get(strings.TrimSuffix(s.BaseURL(), "/cgi-bin/") + inspectPrefix + name)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("/_emulator/%s: HTTP %d %s", name, resp.StatusCode, data)
	}
	if err := json.Unmarshal(data, v); err != nil {
		t.Fatalf("/_emulator/%s: %v", name, err)
	}
}

func TestInspectHTTP(t *testing.T) {
	t.Parallel()
	s := startServer(t)
	c := opsApp(t, s)
	wantCode(t, c.post("message/send", textMsg(DemoOpsAgentID, "zhangsan", "", "", "巡检完成")), 0)
	wantCode(t, c.post("appchat/send", map[string]any{"chatid": "OPSONCALL2024", "msgtype": "text", "text": map[string]string{"content": "值班交接"}}), 0)

	var msgs []Message
	getInspect(t, s, "messages", &msgs)
	if len(msgs) != 1 || msgs[0].Recipients[0] != "zhangsan" || !strings.Contains(string(msgs[0].Payload), "巡检完成") {
		t.Errorf("messages = %+v", msgs)
	}
	var chats []ChatMessage
	getInspect(t, s, "chat/messages", &chats)
	if len(chats) != 1 || chats[0].ChatID != "OPSONCALL2024" {
		t.Errorf("chat messages = %+v", chats)
	}
	var org Org
	getInspect(t, s, "org", &org)
	if len(org.Users) != 40 || len(org.Departments) != 13 || len(org.Tags) != 3 || org.Apps[0].Secret != "" {
		t.Errorf("org: %d users, %d departments, %d tags", len(org.Users), len(org.Departments), len(org.Tags))
	}
	var reqs []Request
	getInspect(t, s, "requests", &reqs)
	if len(reqs) != 3 {
		t.Errorf("requests = %+v", reqs)
	}
	var stats Stats
	getInspect(t, s, "stats", &stats)
	if stats.TokenRequests != 1 || stats.Messages != 1 {
		t.Errorf("stats = %+v", stats)
	}
	var index map[string][]string
	getInspect(t, s, "", &index)
	if len(index["endpoints"]) == 0 {
		t.Errorf("index = %v", index)
	}
	for _, name := range []string{"jobs", "media", "invitations"} {
		var v []any
		getInspect(t, s, name, &v)
	}

	base := strings.TrimSuffix(s.BaseURL(), "/cgi-bin/")
	resp, err := testHTTP.Post(base+"/_emulator/org", "application/json", strings.NewReader("{}"))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("POST to the inspection endpoint: HTTP %d", resp.StatusCode)
	}
}

func TestSnapshotIsACopy(t *testing.T) {
	t.Parallel()
	s := New(nil)
	snap := s.Snapshot()
	snap.Users[0].Name = "改名"
	snap.Users[0].Department[0] = 99
	if again := s.Snapshot(); again.Users[0].Name == "改名" || again.Users[0].Department[0] == 99 {
		t.Errorf("Snapshot shares state")
	}
	snap = s.Snapshot()
	snap.Apps[0].Secret, snap.Apps[1].Secret, snap.Apps[2].Secret, snap.Apps[3].Secret = DemoOpsSecret, DemoReportSecret, DemoCustomerSecret, DemoOASecret
	snap.ContactsSecret = DemoContactsSecret
	if err := snap.Validate(); err != nil {
		t.Errorf("a snapshot with secrets is not a valid org: %v", err)
	}
}
