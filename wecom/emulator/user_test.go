package emulator

import (
	"fmt"
	"testing"
)

func TestUserRoundTrip(t *testing.T) {
	t.Parallel()
	s := startServer(t)
	c := contacts(t, s)

	// wechatpy sends gender as a number and legacy fields (tel, weixinid).
	create := map[string]any{
		"userid": "chenxiaoming", "name": "陈小明", "department": []int{2, 3}, "position": "产品经理",
		"mobile": "13700137000", "gender": 1, "email": "chenxiaoming@example.com", "tel": "020-12345678",
		"weixinid": "cxm_wx", "is_leader_in_dept": []int{0, 1}, "main_department": 3, "to_invite": false,
		"extattr": map[string]any{"attrs": []any{map[string]any{"name": "爱好", "value": "旅游"}}},
	}
	r := c.post("user/create", create)
	wantCode(t, r, 0)
	if r.str("errmsg") != "created" {
		t.Errorf("errmsg = %q", r.str("errmsg"))
	}
	u := c.get("user/get", "userid", "ChenXiaoMing") // userids match case-insensitively
	wantCode(t, u, 0)
	if u.str("name") != "陈小明" || u.str("gender") != "1" || u.str("telephone") != "020-12345678" ||
		u.num("main_department") != 3 || u.num("status") != 4 || len(u.list("department")) != 2 {
		t.Errorf("user/get = %v", u)
	}
	if attrs := u.obj("extattr").list("attrs"); len(attrs) != 1 {
		t.Errorf("extattr = %v", u["extattr"])
	}

	wantCode(t, c.post("user/update", map[string]any{"userid": "chenxiaoming", "name": "陈晓明", "enable": 0, "position": "高级产品经理"}), 0)
	u = c.get("user/get", "userid", "chenxiaoming")
	if u.str("name") != "陈晓明" || u.num("status") != 2 || u.str("position") != "高级产品经理" || u.str("mobile") != "13700137000" {
		t.Errorf("after update: %v", u)
	}
	// Changing the mobile of a member who joined is silently ignored.
	wantCode(t, c.post("user/update", map[string]any{"userid": "lisi", "mobile": "13999999999"}), 0)
	if got := c.get("user/get", "userid", "lisi").str("mobile"); got == "13999999999" {
		t.Errorf("the mobile of an active member changed")
	}

	list := c.get("user/list", "department_id", "3", "fetch_child", "0", "status", "0")
	if !hasUser(list, "chenxiaoming") || !hasUser(list, "lisi") || hasUser(list, "zhangsan") {
		t.Errorf("user/list?department_id=3 = %v", userIDs(list))
	}
	simple := c.get("user/simplelist", "department_id", "2", "fetch_child", "1")
	if len(simple.list("userlist")) != 18 {
		t.Errorf("simplelist of 研发中心 with children has %d members, want 18: %v", len(simple.list("userlist")), userIDs(simple))
	}

	wantCode(t, c.get("user/delete", "userid", "chenxiaoming"), 0)
	wantCode(t, c.get("user/get", "userid", "chenxiaoming"), 60111)
	wantCode(t, c.post("user/batchdelete", map[string]any{"useridlist": []string{"yangfan", "tangwen"}}), 0)
	wantCode(t, c.get("user/get", "userid", "tangwen"), 60111)
}

func hasUser(r result, id string) bool {
	for _, u := range userIDs(r) {
		if u == id {
			return true
		}
	}
	return false
}

func userIDs(r result) []string {
	var out []string
	for _, u := range r.list("userlist") {
		out = append(out, u.(map[string]any)["userid"].(string))
	}
	return out
}

func TestUserErrors(t *testing.T) {
	t.Parallel()
	s := startServer(t)
	c := contacts(t, s)
	base := func(kv ...any) map[string]any {
		return edited(map[string]any{"userid": "newbie", "name": "新人", "department": []int{1}, "mobile": "13600000000"}, kv...)
	}
	tests := []struct {
		name string
		body map[string]any
		want int
	}{
		{"missing userid", base("userid", nil), 41009},
		{"bad userid", base("userid", "张三"), 40003},
		{"bad userid start", base("userid", "-abc"), 40003},
		{"duplicate userid", base("userid", "ZhangSan"), 60102},
		{"duplicate mobile", base("mobile", "13800138002"), 60104},
		{"duplicate email", base("email", "lisi@tengfei.example.com"), 60106},
		{"bad mobile", base("mobile", "call me"), 60103},
		{"bad email", base("email", "nope"), 60105},
		{"no mobile nor email", base("mobile", nil), 60129},
		{"unknown department", base("department", []int{999}), 60123},
		{"empty department", base("department", []int{}), 60127},
		{"leader flags mismatch", base("is_leader_in_dept", []int{1, 0}), 60132},
		{"empty name", base("name", ""), 60112},
		{"department as string", base("department", "1|2"), 40035},
	}
	for _, tt := range tests {
		if r := c.post("user/create", tt.body); r.code() != tt.want {
			t.Errorf("%s: errcode %d, want %d (%v)", tt.name, r.code(), tt.want, r)
		}
	}
	wantCode(t, c.post("user/update", map[string]any{"userid": "nobody", "name": "X"}), 60111)
	wantCode(t, c.post("user/update", map[string]any{"userid": "lisi", "department": []int{999}}), 60123)
	wantCode(t, c.get("user/delete", "userid", "nobody"), 60111)
	wantCode(t, c.get("user/delete", "userid", "zhangwei"), 301005)
	wantCode(t, c.get("user/get"), 41009)
	wantCode(t, c.post("user/batchdelete", map[string]any{"useridlist": []string{"lisi", "nobody"}}), 60111)
	wantCode(t, c.get("user/get", "userid", "lisi"), 0) // all or nothing
	many := make([]string, 201)
	for i := range many {
		many[i] = fmt.Sprintf("u%d", i)
	}
	wantCode(t, c.post("user/batchdelete", map[string]any{"useridlist": many}), 40032)
	wantCode(t, c.get("user/list", "department_id", "999"), 60003)
}

func TestUserRename(t *testing.T) {
	t.Parallel()
	s := startServer(t)
	c := contacts(t, s)
	wantCode(t, c.post("user/update", map[string]any{"userid": "xuming", "new_userid": "xu.ming"}), 0)
	wantCode(t, c.get("user/get", "userid", "xuming"), 60111)
	wantCode(t, c.get("user/get", "userid", "xu.ming"), 0)
	tag := c.get("tag/get", "tagid", "1")
	found := false
	for _, u := range tag.list("userlist") {
		found = found || u.(map[string]any)["userid"] == "xu.ming"
	}
	if !found {
		t.Errorf("tag 1 lost the renamed member: %v", tag)
	}
}

func TestUserListID(t *testing.T) {
	t.Parallel()
	s := startServer(t)
	c := contacts(t, s)
	var rows int
	cursor := ""
	pages := 0
	for {
		r := c.post("user/list_id", map[string]any{"cursor": cursor, "limit": 15})
		wantCode(t, r, 0)
		rows += len(r.list("dept_user"))
		pages++
		cursor = r.str("next_cursor")
		if cursor == "" {
			break
		}
	}
	if rows != 41 || pages != 3 { // jiangtao is in two departments
		t.Errorf("list_id: %d rows in %d pages, want 41 in 3", rows, pages)
	}
	// An empty body lists everything.
	if r := c.post("user/list_id", nil); len(r.list("dept_user")) != 41 {
		t.Errorf("list_id with no body: %v", r)
	}
	wantCode(t, c.post("user/list_id", map[string]any{"cursor": "garbage"}), 50100)
	wantCode(t, c.post("user/list_id", map[string]any{"limit": 10001}), 40058)
}

func TestUserConvertAndLookups(t *testing.T) {
	t.Parallel()
	s := startServer(t)
	c := opsApp(t, s)
	open := c.post("user/convert_to_openid", map[string]any{"userid": "zhangsan"})
	wantCode(t, open, 0)
	back := c.post("user/convert_to_userid", map[string]any{"openid": open.str("openid")})
	if back.str("userid") != "zhangsan" {
		t.Errorf("convert_to_userid = %v", back)
	}
	wantCode(t, c.post("user/convert_to_openid", map[string]any{"userid": "nobody"}), 60111)
	wantCode(t, c.post("user/convert_to_userid", map[string]any{"openid": "oNope"}), 40003)
	wantCode(t, c.get("user/authsucc", "userid", "zhangsan"), 0)
	if r := c.post("user/getuserid", map[string]any{"mobile": "13800138002"}); r.str("userid") != "zhangsan" {
		t.Errorf("getuserid = %v", r)
	}
	for _, tc := range []struct {
		body any
		want string // the userid, or the errcode
	}{
		{map[string]any{"email": "lisi@tengfei.example.com", "email_type": 2}, "lisi"},
		{map[string]any{"email": "LISI@tengfei.wecom.work", "email_type": 1}, "lisi"},
		{map[string]any{"email": "lisi@tengfei.wecom.work"}, "lisi"}, // corp email by default
		{map[string]any{"email": "lisi@tengfei.example.com", "email_type": 1}, "46004"},
		{map[string]any{"email": "lisi@tengfei.wecom.work", "email_type": 2}, "46004"},
		{map[string]any{"email": "lisi@tengfei.wecom.work", "email_type": 3}, "40058"},
		{map[string]any{"email": ""}, "40058"},
	} {
		r := c.post("user/get_userid_by_email", tc.body)
		if got := r.str("userid"); got != tc.want && fmt.Sprint(r.code()) != tc.want {
			t.Errorf("get_userid_by_email %v = %v, want %s", tc.body, r, tc.want)
		}
	}
	wantCode(t, reportApp(t, s).post("user/convert_to_openid", map[string]any{"userid": "chenjing"}), 60011)
}

// TestUserByEmail finds members by the emails they have now, within the
// caller's visible range.
func TestUserByEmail(t *testing.T) {
	t.Parallel()
	s := startServer(t)
	c := contacts(t, s)
	wantCode(t, c.post("user/create", map[string]any{"userid": "wangfang", "name": "王芳", "department": []int{2},
		"email": "wangfang@example.com", "biz_mail": "wangfang@tengfei.wecom.work"}), 0)
	find := func(c *apiClient, email string, typ int) result {
		return c.post("user/get_userid_by_email", map[string]any{"email": email, "email_type": typ})
	}
	if r := find(c, "wangfang@tengfei.wecom.work", 1); r.str("userid") != "wangfang" {
		t.Errorf("by corp email: %v", r)
	}
	if r := find(c, "WangFang@Example.com", 2); r.str("userid") != "wangfang" {
		t.Errorf("by personal email: %v", r)
	}
	wantCode(t, c.post("user/update", map[string]any{"userid": "wangfang", "email": "fang.wang@example.com"}), 0)
	wantCode(t, find(c, "wangfang@example.com", 2), 46004)
	if r := find(c, "fang.wang@example.com", 2); r.str("userid") != "wangfang" {
		t.Errorf("by the new personal email: %v", r)
	}
	wantCode(t, c.get("user/delete", "userid", "wangfang"), 0)
	wantCode(t, find(c, "fang.wang@example.com", 2), 46004)
	// The report app does not see chenjing.
	if r := find(c, "chenjing@tengfei.wecom.work", 1); r.str("userid") != "chenjing" {
		t.Errorf("chenjing by corp email: %v", r)
	}
	wantCode(t, find(reportApp(t, s), "chenjing@tengfei.wecom.work", 1), 46004)
}

// TestUserByMobile finds members by the mobile they have now, within the
// caller's visible range.
func TestUserByMobile(t *testing.T) {
	t.Parallel()
	s := startServer(t)
	c := contacts(t, s)
	find := func(c *apiClient, mobile string) result {
		return c.post("user/getuserid", map[string]any{"mobile": mobile})
	}
	wantCode(t, c.post("user/create", map[string]any{"userid": "wangfang", "name": "王芳", "department": []int{2},
		"mobile": "13912340000"}), 0)
	if r := find(c, "13912340000"); r.str("userid") != "wangfang" {
		t.Errorf("by mobile: %v", r)
	}
	wantCode(t, c.post("user/update", map[string]any{"userid": "wangfang", "mobile": "13912340001"}), 0)
	wantCode(t, find(c, "13912340000"), 46004)
	if r := find(c, "13912340001"); r.str("userid") != "wangfang" {
		t.Errorf("by the new mobile: %v", r)
	}
	wantCode(t, c.get("user/delete", "userid", "wangfang"), 0)
	wantCode(t, find(c, "13912340001"), 46004)
	wantCode(t, find(c, ""), 40058)
	wantCode(t, find(c, "1380"), 40058)
	// The report app does not see chenjing.
	if r := find(c, "13800138006"); r.str("userid") != "chenjing" {
		t.Errorf("chenjing by mobile: %v", r)
	}
	wantCode(t, find(reportApp(t, s), "13800138006"), 46004)
}
