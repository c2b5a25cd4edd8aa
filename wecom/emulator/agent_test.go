package emulator

import "testing"

func TestAgent(t *testing.T) {
	t.Parallel()
	s := startServer(t)
	ops := opsApp(t, s)
	a := ops.get("agent/get", "agentid", "1000002")
	wantCode(t, a, 0)
	if a.str("name") != "运维助手" || len(a.obj("allow_partys").list("partyid")) != 1 {
		t.Errorf("agent/get = %v", a)
	}
	list := ops.get("agent/list")
	if l := list.list("agentlist"); len(l) != 1 || result(l[0].(map[string]any)).num("agentid") != DemoOpsAgentID {
		t.Errorf("agent/list = %v", list)
	}
	wantCode(t, ops.post("agent/set", map[string]any{"agentid": DemoOpsAgentID, "name": "运维小助手", "isreportuser": 0}), 0)
	a = ops.get("agent/get", "agentid", "1000002")
	if a.str("name") != "运维小助手" || a.str("description") == "" {
		t.Errorf("after agent/set: %v", a)
	}
	wantCode(t, ops.post("agent/set", map[string]any{"agentid": DemoReportAgentID, "name": "x"}), 301002)
	wantCode(t, ops.get("agent/get"), 41011)
	wantCode(t, contacts(t, s).get("agent/list"), 48002)
	r := reportApp(t, s).get("agent/get", "agentid", "1000003")
	if users := r.obj("allow_userinfos").list("user"); len(users) != 1 {
		t.Errorf("日报 allow_userinfos = %v", r)
	}
}

func TestMenu(t *testing.T) {
	t.Parallel()
	s := startServer(t)
	ops := opsApp(t, s)
	agent := "1000002"
	wantCode(t, ops.get("menu/get", "agentid", agent), 46003)
	menu := map[string]any{"button": []any{
		map[string]any{"type": "click", "name": "今日签到", "key": "V1001_TODAY_CHECKIN"},
		map[string]any{"name": "办公服务", "sub_button": []any{
			map[string]any{"type": "view", "name": "请假申请", "url": "https://oa.example.com/leave"},
			map[string]any{"type": "click", "name": "点赞", "key": "V1001_GOOD"},
		}},
	}}
	wantCode(t, ops.post("menu/create", menu, "agentid", agent), 0)
	got := ops.get("menu/get", "agentid", agent)
	if len(got.list("button")) != 2 {
		t.Errorf("menu/get = %v", got)
	}
	wantCode(t, ops.get("menu/delete", "agentid", agent), 0)
	wantCode(t, ops.get("menu/get", "agentid", agent), 46003)

	four := map[string]any{"button": []any{
		map[string]any{"type": "click", "name": "a", "key": "a"}, map[string]any{"type": "click", "name": "b", "key": "b"},
		map[string]any{"type": "click", "name": "c", "key": "c"}, map[string]any{"type": "click", "name": "d", "key": "d"},
	}}
	wantCode(t, ops.post("menu/create", four, "agentid", agent), 40016)
	wantCode(t, ops.post("menu/create", map[string]any{"button": []any{map[string]any{"type": "dance", "name": "a", "key": "a"}}}, "agentid", agent), 40017)
	wantCode(t, ops.post("menu/create", menu, "agentid", "1000003"), 301002)
}
