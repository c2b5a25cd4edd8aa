package emulator

import (
	"encoding/json"
	"testing"
	"time"
)

// buttonCard is a message/send body of a button_interaction card to users.
func buttonCard(users string) map[string]any {
	return map[string]any{
		"touser": users, "msgtype": "template_card", "agentid": DemoOpsAgentID,
		"template_card": map[string]any{
			"card_type":   "button_interaction",
			"main_title":  map[string]any{"title": "请假申请"},
			"task_id":     "leave-42",
			"button_list": []map[string]any{{"text": "批准", "key": "approve"}, {"text": "驳回", "key": "reject"}},
		},
	}
}

// TestTemplateCardUpdate: an interactive card answers a response_code that
// its sender may use once, within 72 hours, to update it; the update is
// recorded on the message.
func TestTemplateCardUpdate(t *testing.T) {
	t.Parallel()
	clock := newFakeClock()
	s := startServer(t, WithClock(clock.Now), WithTokenLifetime(96*time.Hour))
	c := opsApp(t, s)
	sent := c.post("message/send", buttonCard("zhangsan|lisi"))
	wantCode(t, sent, 0)
	code := sent.str("response_code")
	if code == "" {
		t.Fatalf("a button_interaction card answered no response_code: %v", sent)
	}
	// A text_notice card is not interactive: no response_code.
	notice := c.post("message/send", map[string]any{"touser": "zhangsan", "msgtype": "template_card", "agentid": DemoOpsAgentID,
		"template_card": map[string]any{"card_type": "text_notice", "main_title": map[string]any{"title": "通知"}}})
	if notice.str("response_code") != "" {
		t.Errorf("text_notice answered a response_code: %v", notice)
	}
	update := func(c *apiClient, body map[string]any) result {
		body["agentid"] = DemoOpsAgentID
		return c.post("message/update_template_card", body)
	}
	wantCode(t, update(c, map[string]any{"response_code": code}), 40058)                                                  // neither button nor card
	wantCode(t, update(c, map[string]any{"response_code": code, "button": map[string]any{}}), 40058)                      // no replace_name
	wantCode(t, update(c, map[string]any{"response_code": "nope", "button": map[string]any{"replace_name": "x"}}), 40058) // unknown code
	wantCode(t, update(reportApp(t, s), map[string]any{"response_code": code, "button": map[string]any{"replace_name": "x"}}), 301002)

	r := update(c, map[string]any{"response_code": code, "userids": []string{"zhangsan", "wangwu"}, "button": map[string]any{"replace_name": "已批准"}})
	wantCode(t, r, 0)
	if got := r.list("invaliduser"); len(got) != 1 || got[0] != "wangwu" {
		t.Errorf("invaliduser = %v, want [wangwu], who did not receive the card", got)
	}
	var m *Message
	for _, msg := range s.Messages() {
		if msg.ResponseCode == code {
			m = &msg
		}
	}
	if m == nil || len(m.CardUpdates) != 1 {
		t.Fatalf("the update is not recorded on the message: %+v", m)
	}
	var body struct {
		Button struct {
			ReplaceName string `json:"replace_name"`
		} `json:"button"`
	}
	json.Unmarshal(m.CardUpdates[0], &body)
	if body.Button.ReplaceName != "已批准" {
		t.Errorf("recorded update %s", m.CardUpdates[0])
	}
	// A code updates its card once.
	wantCode(t, update(c, map[string]any{"response_code": code, "button": map[string]any{"replace_name": "again"}}), 40058)

	// A whole new card, within 72 hours but not after.
	code2 := c.post("message/send", buttonCard("zhangsan")).str("response_code")
	code3 := c.post("message/send", buttonCard("zhangsan")).str("response_code")
	wantCode(t, update(c, map[string]any{"response_code": code2, "template_card": map[string]any{"main_title": map[string]any{"title": "x"}}}), 40058)
	wantCode(t, update(c, map[string]any{"response_code": code2, "template_card": map[string]any{"card_type": "text_notice", "main_title": map[string]any{"title": "已处理"}}}), 0)
	clock.Add(73 * time.Hour)
	wantCode(t, update(c, map[string]any{"response_code": code3, "button": map[string]any{"replace_name": "late"}}), 40058)
}
