package emulator

import (
	"net/http"
	"strings"
	"testing"
)

// TestWebhookSend posts as a group robot: the key is its credential, the
// message is kept for inspection without it, and WeCom's limits apply.
func TestWebhookSend(t *testing.T) {
	srv := startServer(t)
	post := func(key, body string) (int, result) {
		t.Helper()
		ans := rawCall(t, srv, http.MethodPost, "webhook/send", query("key", key), body)
		return ans.code(), ans
	}
	md := `{"msgtype": "markdown", "markdown": {"content": "**sync failed**\n> boom"}}`
	if code, ans := post(DemoRobotKey, md); code != 0 {
		t.Fatalf("webhook/send = %v", ans)
	}
	tests := []struct {
		name, key, body string
		code            int
	}{
		{"unknown key", "nope", md, 93000},
		{"no key", "", md, 93000},
		{"empty content", DemoRobotKey, `{"msgtype": "text", "text": {"content": " "}}`, 44004},
		{"unknown type", DemoRobotKey, `{"msgtype": "video", "video": {}}`, 40008},
		{"markdown too long", DemoRobotKey, `{"msgtype": "markdown", "markdown": {"content": "` + strings.Repeat("x", 4097) + `"}}`, 45002},
	}
	for _, tt := range tests {
		if code, ans := post(tt.key, tt.body); code != tt.code {
			t.Errorf("%s: %v, want errcode %d", tt.name, ans, tt.code)
		}
	}
	for range 19 {
		post(DemoRobotKey, md)
	}
	if code, _ := post(DemoRobotKey, md); code != 45009 {
		t.Errorf("the 21st message of a minute: errcode %d, want 45009", code)
	}

	msgs := srv.RobotMessages()
	if len(msgs) != 20 || msgs[0].Robot != "运维告警" || msgs[0].MsgType != "markdown" || msgs[0].Content != "**sync failed**\n> boom" {
		t.Errorf("RobotMessages = %d, first %+v", len(msgs), msgs[0])
	}
	var inspected []RobotMessage
	getInspect(t, srv, "robot/messages", &inspected)
	if len(inspected) != 20 {
		t.Errorf("the inspection API has %d robot messages", len(inspected))
	}
	for _, r := range srv.Requests() {
		if strings.Contains(r.Query, DemoRobotKey) {
			t.Errorf("the request log shows the robot's key: %+v", r)
		}
	}
	if creds := srv.Credentials(); len(creds.Robots) != 1 || creds.Robots[0].Key != DemoRobotKey {
		t.Errorf("Credentials().Robots = %+v", creds.Robots)
	}
}
