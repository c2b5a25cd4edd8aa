package emulator

import (
	"strings"
	"testing"
	"time"
)

func textMsg(agent int, touser, toparty, totag, content string) map[string]any {
	return map[string]any{
		"touser": touser, "toparty": toparty, "totag": totag, "msgtype": "text",
		"agentid": agent, "text": map[string]string{"content": content}, "safe": 0,
	}
}

func TestMessageSend(t *testing.T) {
	t.Parallel()
	s := startServer(t)
	ops := opsApp(t, s)
	r := ops.post("message/send", textMsg(DemoOpsAgentID, "zhangsan|LiSi|nobody", "", "", "你的快递已到"))
	wantCode(t, r, 0)
	if r.str("invaliduser") != "nobody" || r.str("msgid") == "" {
		t.Errorf("answer %v", r)
	}
	// Departments include their sub-departments; tags their members.
	wantCode(t, ops.post("message/send", textMsg(DemoOpsAgentID, "", "2", "", "研发中心停电")), 0)
	wantCode(t, ops.post("message/send", textMsg(DemoOpsAgentID, "", "", "3", "值班提醒")), 0)
	// Numbers where WeCom wants strings are accepted.
	wantCode(t, ops.post("message/send", map[string]any{"toparty": 5, "msgtype": "markdown", "agentid": "1000002", "markdown": map[string]string{"content": "# 测试"}}), 0)

	msgs := s.Messages()
	if len(msgs) != 4 {
		t.Fatalf("%d messages recorded", len(msgs))
	}
	if got := strings.Join(msgs[0].Recipients, ","); got != "zhangsan,lisi" || msgs[0].InvalidUser != "nobody" || msgs[0].AgentID != DemoOpsAgentID {
		t.Errorf("first message: %+v", msgs[0])
	}
	if n := len(msgs[1].Recipients); n != 17 {
		t.Errorf("研发中心 message reached %d members, want 17", n)
	}
	if n := len(msgs[2].Recipients); n != 4 { // hutao and 运维部's three
		t.Errorf("tag 3 message reached %d members: %v", n, msgs[2].Recipients)
	}
	if !strings.Contains(string(msgs[0].Payload), "你的快递已到") || msgs[3].MsgType != "markdown" {
		t.Errorf("payloads: %s / %s", msgs[0].Payload, msgs[3].MsgType)
	}

	wantCode(t, ops.post("message/recall", map[string]any{"msgid": msgs[0].MsgID}), 0)
	if !s.Messages()[0].Recalled {
		t.Errorf("message not marked recalled")
	}
	wantCode(t, reportApp(t, s).post("message/recall", map[string]any{"msgid": msgs[1].MsgID}), 40058)
}

func TestMessageSendRange(t *testing.T) {
	t.Parallel()
	s := startServer(t)
	report := reportApp(t, s)
	r := report.post("message/send", textMsg(DemoReportAgentID, "lisi|chenjing", "11|3", "2", "日报提醒"))
	wantCode(t, r, 0)
	if r.str("invaliduser") != "chenjing" || r.str("invalidparty") != "11" || r.str("invalidtag") != "2" {
		t.Errorf("answer %v", r)
	}
	wantCode(t, report.post("message/send", textMsg(DemoReportAgentID, "chenjing", "11", "", "x")), 81013)
	all := report.post("message/send", textMsg(DemoReportAgentID, "@all", "", "", "全员"))
	wantCode(t, all, 0)
	msgs := s.Messages()
	if n := len(msgs[len(msgs)-1].Recipients); n != 18 { // 研发中心's 17 and wangwu
		t.Errorf("@all reached %d members, want 18", n)
	}
}

func TestMessageValidation(t *testing.T) {
	t.Parallel()
	s := startServer(t)
	ops := opsApp(t, s)
	big := strings.Repeat("字", 683) // 2049 bytes
	users := strings.Repeat("zhangsan|", 1001)
	tests := []struct {
		name string
		body map[string]any
		want int
	}{
		{"no recipients", textMsg(DemoOpsAgentID, "", "", "", "x"), 82001},
		{"too many users", textMsg(DemoOpsAgentID, users, "", "", "x"), 40032},
		{"no msgtype", map[string]any{"touser": "zhangsan", "agentid": DemoOpsAgentID}, 40008},
		{"unknown msgtype", map[string]any{"touser": "zhangsan", "agentid": DemoOpsAgentID, "msgtype": "fax", "fax": map[string]any{}}, 40008},
		{"empty text", textMsg(DemoOpsAgentID, "zhangsan", "", "", ""), 44004},
		{"text too long", textMsg(DemoOpsAgentID, "zhangsan", "", "", big), 45002},
		{"markdown too long", map[string]any{"touser": "zhangsan", "agentid": DemoOpsAgentID, "msgtype": "markdown", "markdown": map[string]string{"content": big}}, 45002},
		{"unknown media", map[string]any{"touser": "zhangsan", "agentid": DemoOpsAgentID, "msgtype": "image", "image": map[string]string{"media_id": "nope"}}, 40007},
		{"news without articles", map[string]any{"touser": "zhangsan", "agentid": DemoOpsAgentID, "msgtype": "news", "news": map[string]any{"articles": []any{}}}, 40058},
		{"textcard without url", map[string]any{"touser": "zhangsan", "agentid": DemoOpsAgentID, "msgtype": "textcard", "textcard": map[string]string{"title": "t", "description": "d"}}, 41010},
		{"missing agentid", map[string]any{"touser": "zhangsan", "msgtype": "text", "text": map[string]string{"content": "x"}}, 41011},
	}
	for _, tt := range tests {
		if r := ops.post("message/send", tt.body); r.code() != tt.want {
			t.Errorf("%s: errcode %d, want %d (%v)", tt.name, r.code(), tt.want, r)
		}
	}
	// Every msgtype with a valid object is accepted.
	media := ops.upload("media/upload", "a.png", pngBytes, "type", "image").str("media_id")
	objects := map[string]any{
		"image":              map[string]string{"media_id": media},
		"voice":              map[string]string{"media_id": media},
		"video":              map[string]string{"media_id": media, "title": "t"},
		"file":               map[string]string{"media_id": media},
		"textcard":           map[string]string{"title": "领奖通知", "description": "d", "url": "https://example.com", "btntxt": "详情"},
		"news":               map[string]any{"articles": []any{map[string]string{"title": "t", "url": "https://example.com"}}},
		"mpnews":             map[string]any{"articles": []any{map[string]string{"title": "t", "thumb_media_id": media, "content": "<p>x</p>"}}},
		"miniprogram_notice": map[string]any{"appid": "wx123", "title": "会议室预订成功通知"},
		"template_card":      map[string]any{"card_type": "button_interaction", "main_title": map[string]string{"title": "审批"}},
	}
	for typ, obj := range objects {
		r := ops.post("message/send", map[string]any{"touser": "zhangsan", "agentid": DemoOpsAgentID, "msgtype": typ, typ: obj})
		if r.code() != 0 {
			t.Errorf("%s: %v", typ, r)
		}
		if typ == "template_card" && r.str("response_code") == "" {
			t.Errorf("template_card: no response_code in %v", r)
		}
	}
}

func TestMessageRecallExpired(t *testing.T) {
	t.Parallel()
	clock := newFakeClock()
	s := startServer(t, WithClock(clock.Now), WithTokenLifetime(48*time.Hour))
	ops := opsApp(t, s)
	r := ops.post("message/send", textMsg(DemoOpsAgentID, "zhangsan", "", "", "x"))
	clock.Add(25 * time.Hour)
	wantCode(t, ops.post("message/recall", map[string]any{"msgid": r.str("msgid")}), 42052)
	wantCode(t, ops.post("message/recall", map[string]any{"msgid": "nope"}), 40058)
}

func TestAppChat(t *testing.T) {
	t.Parallel()
	s := startServer(t)
	ops := opsApp(t, s)
	r := ops.post("appchat/create", map[string]any{"chatid": "CHAT2024Q1PROJ", "name": "2024年第一季度项目群", "owner": "zhangsan", "userlist": []string{"zhangsan", "lisi", "wangwu"}})
	wantCode(t, r, 0)
	if r.str("chatid") != "CHAT2024Q1PROJ" {
		t.Errorf("create answer %v", r)
	}
	wantCode(t, ops.post("appchat/update", map[string]any{"chatid": "CHAT2024Q1PROJ", "name": "项目群（已归档）", "add_user_list": []string{"zhaoliu"}, "del_user_list": []string{"wangwu"}}), 0)
	info := ops.get("appchat/get", "chatid", "CHAT2024Q1PROJ").obj("chat_info")
	if info.str("name") != "项目群（已归档）" || len(info.list("userlist")) != 3 || info.str("owner") != "zhangsan" {
		t.Errorf("chat_info = %v", info)
	}
	wantCode(t, ops.post("appchat/send", map[string]any{"chatid": "CHAT2024Q1PROJ", "msgtype": "text", "text": map[string]string{"content": "今晚八点发版"}, "safe": 0}), 0)
	msgs := s.ChatMessages()
	if len(msgs) != 1 || msgs[0].ChatID != "CHAT2024Q1PROJ" || len(msgs[0].Recipients) != 3 {
		t.Errorf("ChatMessages() = %+v", msgs)
	}
	// An auto-generated chatid, and the errors.
	auto := ops.post("appchat/create", map[string]any{"userlist": []string{"zhangsan", "lisi"}})
	wantCode(t, auto, 0)
	if !validChatID(auto.str("chatid")) {
		t.Errorf("generated chatid %q", auto.str("chatid"))
	}
	wantCode(t, ops.post("appchat/create", map[string]any{"chatid": "CHAT2024Q1PROJ", "userlist": []string{"zhangsan", "lisi"}}), 86215)
	wantCode(t, ops.post("appchat/create", map[string]any{"chatid": "bad-id!", "userlist": []string{"zhangsan", "lisi"}}), 86001)
	wantCode(t, ops.post("appchat/create", map[string]any{"userlist": []string{"zhangsan", "ghost"}}), 86216)
	wantCode(t, ops.get("appchat/get", "chatid", "NOSUCHCHAT"), 86003)
	wantCode(t, ops.post("appchat/send", map[string]any{"chatid": "NOSUCHCHAT", "msgtype": "text", "text": map[string]string{"content": "x"}}), 86003)
	wantCode(t, ops.post("appchat/send", map[string]any{"chatid": "CHAT2024Q1PROJ", "msgtype": "template_card", "template_card": map[string]string{"card_type": "text_notice"}}), 40008)
	// 日报 does not see the whole organisation; the contacts secret is no app.
	wantCode(t, reportApp(t, s).post("appchat/create", map[string]any{"userlist": []string{"zhangsan", "lisi"}}), 48002)
	wantCode(t, contacts(t, s).get("appchat/get", "chatid", "OPSONCALL2024"), 48002)
}

func TestLegacyChat(t *testing.T) {
	t.Parallel()
	s := startServer(t)
	ops := opsApp(t, s)
	wantCode(t, ops.post("chat/create", map[string]any{"chatid": "235364212115767297", "name": "企业应用中心", "owner": "zhangsan", "userlist": []string{"zhangsan", "lisi", "wangwu"}}), 0)
	info := ops.get("chat/get", "chatid", "235364212115767297").obj("chat_info")
	if info.str("owner") != "zhangsan" || len(info.list("userlist")) != 3 {
		t.Errorf("chat_info = %v", info)
	}
	wantCode(t, ops.post("chat/update", map[string]any{"chatid": "235364212115767297", "op_user": "zhangsan", "name": "二期", "owner": "lisi", "add_user_list": []string{"zhaoliu"}, "del_user_list": []string{"wangwu"}}), 0)
	wantCode(t, ops.post("chat/quit", map[string]any{"chatid": "235364212115767297", "op_user": "zhaoliu"}), 0)
	wantCode(t, ops.post("chat/quit", map[string]any{"chatid": "235364212115767297", "op_user": "lisi"}), 86220)
	wantCode(t, ops.post("chat/clearnotify", map[string]any{"op_user": "zhangsan", "chat": map[string]string{"type": "single", "id": "lisi"}}), 0)
	mute := ops.post("chat/setmute", map[string]any{"user_mute_list": []any{map[string]any{"userid": "zhangsan", "status": 1}, map[string]any{"userid": "ghost", "status": 0}}})
	if l := mute.list("invaliduser"); len(l) != 1 || l[0] != "ghost" {
		t.Errorf("setmute = %v", mute)
	}
	wantCode(t, ops.post("chat/send", map[string]any{"msgtype": "text", "receiver": map[string]string{"type": "group", "id": "235364212115767297"}, "sender": "lisi", "text": map[string]string{"content": "周报已提交"}}), 0)
	wantCode(t, ops.post("chat/send", map[string]any{"msgtype": "text", "receiver": map[string]string{"type": "single", "id": "lisi"}, "sender": "zhangsan", "text": map[string]string{"content": "评审会"}}), 0)
	wantCode(t, ops.post("chat/send", map[string]any{"msgtype": "text", "receiver": map[string]string{"type": "group", "id": "235364212115767297"}, "sender": "wangwu", "text": map[string]string{"content": "x"}}), 86220)
	msgs := s.ChatMessages()
	if len(msgs) != 2 || !msgs[0].Legacy || msgs[1].ChatID != "" || msgs[1].Recipients[0] != "lisi" {
		t.Errorf("ChatMessages() = %+v", msgs)
	}
	legacy := 0
	for _, r := range s.Requests() {
		if r.Legacy {
			legacy++
		}
	}
	if legacy != 10 {
		t.Errorf("%d legacy requests logged, want 10", legacy)
	}
}
