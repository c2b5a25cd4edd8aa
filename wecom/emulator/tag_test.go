package emulator

import "testing"

func TestTagRoundTrip(t *testing.T) {
	t.Parallel()
	s := startServer(t)
	c := contacts(t, s)
	r := c.post("tag/create", map[string]any{"tagname": "乒乓球协会"})
	wantCode(t, r, 0)
	id := itoa(r.num("tagid"))
	wantCode(t, c.post("tag/update", map[string]any{"tagid": id, "tagname": "乒乓球俱乐部"}), 0)

	add := c.post("tag/addtagusers", map[string]any{"tagid": id, "userlist": []string{"zhangsan", "lisi", "ghost"}, "partylist": []int{5, 999}})
	wantCode(t, add, 0)
	if add.str("invalidlist") != "ghost" || len(add.list("invalidparty")) != 1 || add.list("invalidparty")[0] != 999.0 {
		t.Errorf("addtagusers = %v", add)
	}
	got := c.get("tag/get", "tagid", id)
	if got.str("tagname") != "乒乓球俱乐部" || len(got.list("userlist")) != 2 || len(got.list("partylist")) != 1 {
		t.Errorf("tag/get = %v", got)
	}
	del := c.post("tag/deltagusers", map[string]any{"tagid": id, "userlist": []string{"lisi"}})
	wantCode(t, del, 0)
	if del.str("errmsg") != "deleted" {
		t.Errorf("deltagusers errmsg = %q", del.str("errmsg"))
	}
	if n := len(c.get("tag/get", "tagid", id).list("userlist")); n != 1 {
		t.Errorf("after deltagusers %d users", n)
	}
	if n := len(c.get("tag/list").list("taglist")); n != 4 {
		t.Errorf("tag/list has %d tags, want 4", n)
	}
	wantCode(t, c.get("tag/delete", "tagid", id), 0)
	wantCode(t, c.get("tag/get", "tagid", id), 40068)
}

func TestTagErrors(t *testing.T) {
	t.Parallel()
	s := startServer(t)
	c, ops := contacts(t, s), opsApp(t, s)
	wantCode(t, c.post("tag/create", map[string]any{"tagname": "技术委员会"}), 40071)
	wantCode(t, c.post("tag/create", map[string]any{}), 41018)
	wantCode(t, c.post("tag/create", map[string]any{"tagname": "X", "tagid": 1}), 40068)
	wantCode(t, c.post("tag/update", map[string]any{"tagname": "X"}), 41017)
	wantCode(t, c.post("tag/update", map[string]any{"tagid": 99, "tagname": "X"}), 40068)
	wantCode(t, c.post("tag/addtagusers", map[string]any{"tagid": 1, "userlist": []string{"ghost"}}), 40070)
	wantCode(t, c.post("tag/deltagusers", map[string]any{"tagid": 1, "userlist": []string{"ghost"}}), 40031)
	wantCode(t, c.post("tag/addtagusers", map[string]any{"tagid": 1}), 40035)
	wantCode(t, c.post("tag/addtagusers", map[string]any{"tagid": 1, "userlist": "lisi|wangwu"}), 40035)
	// Tag 3 belongs to 运维助手: the contacts secret cannot change it, the
	// app can; the app cannot change the administrator's tags.
	wantCode(t, c.post("tag/addtagusers", map[string]any{"tagid": 3, "userlist": []string{"lisi"}}), 81011)
	wantCode(t, ops.post("tag/addtagusers", map[string]any{"tagid": 3, "userlist": []string{"lisi"}}), 0)
	wantCode(t, ops.get("tag/delete", "tagid", "1"), 81011)
	r := ops.post("tag/create", map[string]any{"tagname": "告警接收人", "tagid": 20})
	wantCode(t, r, 0)
	if r.num("tagid") != 20 {
		t.Errorf("tagid = %v", r["tagid"])
	}
}
