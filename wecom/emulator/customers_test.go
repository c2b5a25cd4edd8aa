package emulator

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"
)

// The demo organisation's customers and customer groups.
const (
	custWang   = "wmTFcustWangJianguo0000000000AA" // linfeng's and heyan's
	custLi     = "wmTFcustLiMing000000000000000AA" // linfeng's
	custZhao   = "wmTFcustZhaoLi000000000000000AA" // linfeng's
	custChen   = "wmTFcustChenQiang00000000000AAA" // linfeng's and guoqiang's
	custLiu    = "wmTFcustLiuFang000000000000000A" // heyan's
	custWu     = "wmTFcustWuLei0000000000000000AA" // wangwu's, outside 客户助手's range
	chatHongda = "wrTFchatHongda000000000000000AA" // linfeng's
	chatEast   = "wrTFchatEastChannel0000000000AA" // linfeng's
	chatSouth  = "wrTFchatSouthKey00000000000000A" // gaoyuan's
	tagKey     = "etTFlevelKey00000000000000000AA" // 客户等级/重点客户
	tagEast    = "etTFregionEast000000000000000AA" // 所在地区/华东
)

func customerApp(t testing.TB, s *Server) *apiClient { return as(t, s, DemoCustomerSecret) }

// strs is the JSON array v as strings.
func strs(v []any) []string {
	out := make([]string, len(v))
	for i, e := range v {
		out[i], _ = e.(string)
	}
	return out
}

// customersOf lists the customers of userid.
func customersOf(t *testing.T, c *apiClient, userid string) []string {
	t.Helper()
	r := c.get("externalcontact/list", "userid", userid)
	wantCode(t, r, 0)
	return strs(r.list("external_userid"))
}

// TestCustomerShapesMatchOfficialExamples compares the emulator's answers
// with the response examples of the official pages (testdata/
// externalcontact_examples.json, each with its page): every key of the
// example must be in the answer with the same JSON type, but those the
// emulator leaves out for the demo data (fields it does not keep).
func TestCustomerShapesMatchOfficialExamples(t *testing.T) {
	t.Parallel()
	examples := loadExamples(t, "testdata/externalcontact_examples.json")
	// Fields the emulator does not keep (a customer's external_profile and
	// unionid, the member's WeChat Channels, remark_corp_name) and fields
	// WeCom sends only in some cases: the corp and position of WeCom
	// customers (type 2), the invitor of a group member someone invited,
	// next_cursor when there is a next page.
	optional := map[string]string{"external_profile": "", "unionid": "", "wechat_channels": "", "remark_corp_name": "",
		"position": "", "corp_name": "", "corp_full_name": "", "invitor": "", "next_cursor": ""}
	produce := map[string]func(t *testing.T, s *Server, c *apiClient) result{
		"externalcontact/get_follow_user_list": func(t *testing.T, s *Server, c *apiClient) result {
			return c.get("externalcontact/get_follow_user_list")
		},
		"externalcontact/list": func(t *testing.T, s *Server, c *apiClient) result {
			return c.get("externalcontact/list", "userid", "linfeng")
		},
		"externalcontact/get": func(t *testing.T, s *Server, c *apiClient) result {
			return c.get("externalcontact/get", "external_userid", custLi)
		},
		"externalcontact/batch/get_by_user": func(t *testing.T, s *Server, c *apiClient) result {
			return c.post("externalcontact/batch/get_by_user", map[string]any{"userid_list": []string{"linfeng"}, "limit": 2})
		},
		"externalcontact/get_unassigned_list": func(t *testing.T, s *Server, c *apiClient) result {
			wantCode(t, contacts(t, s).get("user/delete", "userid", "linfeng"), 0)
			return c.post("externalcontact/get_unassigned_list", map[string]any{"page_size": 2})
		},
		"externalcontact/transfer_customer": func(t *testing.T, s *Server, c *apiClient) result {
			return c.post("externalcontact/transfer_customer", map[string]any{"handover_userid": "linfeng", "takeover_userid": "guoqiang", "external_userid": []string{"wmUnknown", custLi}})
		},
		"externalcontact/transfer_result": func(t *testing.T, s *Server, c *apiClient) result {
			c.post("externalcontact/transfer_customer", map[string]any{"handover_userid": "linfeng", "takeover_userid": "guoqiang", "external_userid": []string{custLi}})
			return c.post("externalcontact/transfer_result", map[string]any{"handover_userid": "linfeng", "takeover_userid": "guoqiang"})
		},
		"externalcontact/resigned/transfer_customer": func(t *testing.T, s *Server, c *apiClient) result {
			wantCode(t, contacts(t, s).get("user/delete", "userid", "linfeng"), 0)
			return c.post("externalcontact/resigned/transfer_customer", map[string]any{"handover_userid": "linfeng", "takeover_userid": "guoqiang", "external_userid": []string{custLi, "wmUnknown"}})
		},
		"externalcontact/resigned/transfer_result": func(t *testing.T, s *Server, c *apiClient) result {
			wantCode(t, contacts(t, s).get("user/delete", "userid", "linfeng"), 0)
			c.post("externalcontact/resigned/transfer_customer", map[string]any{"handover_userid": "linfeng", "takeover_userid": "guoqiang", "external_userid": []string{custLi}})
			return c.post("externalcontact/resigned/transfer_result", map[string]any{"handover_userid": "linfeng", "takeover_userid": "guoqiang"})
		},
		"externalcontact/get_corp_tag_list": func(t *testing.T, s *Server, c *apiClient) result {
			return c.post("externalcontact/get_corp_tag_list", map[string]any{})
		},
		"externalcontact/add_corp_tag": func(t *testing.T, s *Server, c *apiClient) result {
			return c.post("externalcontact/add_corp_tag", map[string]any{"group_name": "客户来源", "order": 1, "tag": []map[string]any{{"name": "展会", "order": 1}, {"name": "转介绍", "order": 2}}})
		},
		"externalcontact/edit_corp_tag": func(t *testing.T, s *Server, c *apiClient) result {
			return c.post("externalcontact/edit_corp_tag", map[string]any{"id": tagKey, "name": "核心客户", "order": 1})
		},
		"externalcontact/del_corp_tag": func(t *testing.T, s *Server, c *apiClient) result {
			return c.post("externalcontact/del_corp_tag", map[string]any{"tag_id": []string{tagEast}})
		},
		"externalcontact/mark_tag": func(t *testing.T, s *Server, c *apiClient) result {
			return c.post("externalcontact/mark_tag", map[string]any{"userid": "linfeng", "external_userid": custZhao, "add_tag": []string{tagKey}, "remove_tag": []string{tagEast}})
		},
		"externalcontact/groupchat/list": func(t *testing.T, s *Server, c *apiClient) result {
			return c.post("externalcontact/groupchat/list", map[string]any{"status_filter": 0, "owner_filter": map[string]any{"userid_list": []string{"linfeng"}}, "limit": 1})
		},
		"externalcontact/groupchat/get": func(t *testing.T, s *Server, c *apiClient) result {
			return c.post("externalcontact/groupchat/get", map[string]any{"chat_id": chatHongda, "need_name": 1})
		},
		"externalcontact/groupchat/transfer": func(t *testing.T, s *Server, c *apiClient) result {
			wantCode(t, contacts(t, s).get("user/delete", "userid", "linfeng"), 0)
			return c.post("externalcontact/groupchat/transfer", map[string]any{"chat_id_list": []string{chatSouth, chatHongda}, "new_owner": "guoqiang"})
		},
		"externalcontact/groupchat/onjob_transfer": func(t *testing.T, s *Server, c *apiClient) result {
			return c.post("externalcontact/groupchat/onjob_transfer", map[string]any{"chat_id_list": []string{"wrUnknown", chatSouth}, "new_owner": "luojun"})
		},
	}
	checkExamples(t, examples, customerAPI, optional, func(t *testing.T, api string) (result, bool) {
		f, ok := produce[api]
		if !ok {
			return nil, false
		}
		s := startServer(t)
		return f(t, s, customerApp(t, s)), true
	})
}

// TestCustomerPermissions checks which secrets may call the customer
// contact API: an app configured in 可调用应用, or the customer contact
// secret of an older corp, which may call nothing else.
func TestCustomerPermissions(t *testing.T) {
	t.Parallel()
	s := startServer(t)
	wantCode(t, contacts(t, s).get("externalcontact/get_follow_user_list"), 48002)
	wantCode(t, reportApp(t, s).get("externalcontact/get_follow_user_list"), 48002)
	wantCode(t, opsApp(t, s).post("externalcontact/groupchat/list", map[string]any{"limit": 10}), 48002)
	c := customerApp(t, s)
	wantCode(t, c.get("externalcontact/get_follow_user_list"), 0)
	// The app still reads contacts in its visible range.
	wantCode(t, c.get("user/get", "userid", "guoqiang"), 0)
	if s.Credentials().ExternalContactSecret != "" {
		t.Error("the demo organisation, a new corp, has a customer contact secret")
	}

	org := DemoOrg()
	org.ExternalContactSecret = "EXTERNAL-CONTACT-SECRET"
	old, err := Start(org)
	if err != nil {
		t.Fatal(err)
	}
	defer old.Close()
	ec := as(t, old, "EXTERNAL-CONTACT-SECRET")
	r := ec.get("externalcontact/get_follow_user_list")
	wantCode(t, r, 0)
	if got := strs(r.list("follow_user")); !slices.Contains(got, "wangwu") || !slices.Contains(got, "linfeng") {
		t.Errorf("the customer contact secret sees %v, want every follow user", got)
	}
	wantCode(t, ec.get("user/get", "userid", "zhangsan"), 48002)
	wantCode(t, ec.post("message/send", map[string]any{"touser": "zhangsan", "msgtype": "text", "text": map[string]any{"content": "x"}}), 48002)

	org.ExternalContactSecret = DemoContactsSecret
	if err := org.Validate(); err == nil || !strings.Contains(err.Error(), "external_contact_secret") {
		t.Errorf("a customer contact secret equal to the contacts secret: %v", err)
	}
}

// TestCustomerReads lists and reads customers within the app's visible
// range (市场部 for 客户助手).
func TestCustomerReads(t *testing.T) {
	t.Parallel()
	s := startServer(t)
	c := customerApp(t, s)
	r := c.get("externalcontact/get_follow_user_list")
	if got := strs(r.list("follow_user")); slices.Contains(got, "wangwu") || !slices.Contains(got, "linfeng") || !slices.Contains(got, "hutao") {
		t.Errorf("follow users = %v: want the salespeople, not wangwu (outside the range)", got)
	}
	if got, want := customersOf(t, c, "linfeng"), []string{custWang, custLi, custZhao, custChen}; !slices.Equal(got, want) {
		t.Errorf("linfeng's customers = %v, want %v", got, want)
	}
	if got := customersOf(t, c, "hutao"); len(got) != 0 {
		t.Errorf("hutao's customers = %v, want none", got)
	}
	wantCode(t, c.get("externalcontact/list", "userid", "tianye"), 84061)       // not configured for customer contact
	wantCode(t, c.get("externalcontact/list", "userid", "wangwu"), 60011)       // outside the range
	wantCode(t, c.get("externalcontact/list", "userid", "nobody"), 60111)       // no such member
	wantCode(t, c.get("externalcontact/get", "external_userid", custWu), 84061) // followed only outside the range
	wantCode(t, c.get("externalcontact/get", "external_userid", "wmNobody"), 40096)

	r = c.get("externalcontact/get", "external_userid", custWang)
	wantCode(t, r, 0)
	if r.obj("external_contact").str("name") != "王建国" || len(r.list("follow_user")) != 2 {
		t.Fatalf("get %s = %v", custWang, r)
	}
	f := result(r.list("follow_user")[0].(map[string]any))
	tags := f.list("tags")
	if f.str("userid") != "linfeng" || f.str("remark") != "王总" || len(tags) != 2 ||
		result(tags[0].(map[string]any)).str("tag_name") != "重点客户" || result(tags[0].(map[string]any)).str("group_name") != "客户等级" {
		t.Errorf("linfeng's follow of 王建国 = %v", f)
	}

	// batch/get_by_user pages (member, customer) rows; wechatpy's userid works too.
	var rows []string
	cursor := ""
	for pages := 0; ; pages++ {
		r := c.post("externalcontact/batch/get_by_user", map[string]any{"userid_list": []string{"linfeng", "heyan"}, "cursor": cursor, "limit": 3})
		wantCode(t, r, 0)
		for _, row := range r.list("external_contact_list") {
			row := result(row.(map[string]any))
			rows = append(rows, row.obj("follow_info").str("userid")+":"+row.obj("external_contact").str("external_userid"))
		}
		if cursor = r.str("next_cursor"); cursor == "" || pages > 5 {
			break
		}
	}
	want := []string{"linfeng:" + custWang, "linfeng:" + custLi, "linfeng:" + custZhao, "linfeng:" + custChen, "heyan:" + custWang, "heyan:" + custLiu}
	if !slices.Equal(rows, want) {
		t.Errorf("batch rows = %v, want %v", rows, want)
	}
	r = c.post("externalcontact/batch/get_by_user", map[string]any{"userid": "heyan"})
	if len(r.list("external_contact_list")) != 2 {
		t.Errorf("batch with wechatpy's userid = %v", r)
	}
	wantCode(t, c.post("externalcontact/batch/get_by_user", map[string]any{"userid_list": []string{"linfeng"}, "cursor": "bogus!"}), 50100)
	wantCode(t, c.post("externalcontact/batch/get_by_user", map[string]any{}), 41009)
}

// TestCorpTags adds, edits, marks and deletes corp customer tags.
func TestCorpTags(t *testing.T) {
	t.Parallel()
	s := startServer(t)
	c := customerApp(t, s)
	groups := func(body map[string]any) []result {
		r := c.post("externalcontact/get_corp_tag_list", body)
		wantCode(t, r, 0)
		var out []result
		for _, g := range r.list("tag_group") {
			out = append(out, g.(map[string]any))
		}
		return out
	}
	if g := groups(map[string]any{}); len(g) != 2 || g[0].str("group_name") != "客户等级" || len(g[0].list("tag")) != 2 {
		t.Fatalf("tag groups = %v", g)
	}
	if g := groups(map[string]any{"tag_id": []string{tagEast}}); len(g) != 1 || len(g[0].list("tag")) != 1 {
		t.Errorf("groups of tag %s = %v", tagEast, g)
	}

	r := c.post("externalcontact/add_corp_tag", map[string]any{"group_name": "客户来源", "order": 5, "tag": []map[string]any{{"name": "展会"}, {"name": "转介绍", "order": 2}, {"name": "展会"}}})
	wantCode(t, r, 0)
	added := r.obj("tag_group")
	group := added.str("group_id")
	if added.str("group_name") != "客户来源" || len(added.list("tag")) != 2 || !strings.HasPrefix(group, "et") {
		t.Fatalf("add_corp_tag = %v, want the new group with two tags", r)
	}
	if g := groups(map[string]any{}); g[0].str("group_id") != group {
		t.Errorf("the group of order 5 is not first: %v", g)
	}
	// The same name adds to the group; a known tag name is not added twice.
	r = c.post("externalcontact/add_corp_tag", map[string]any{"group_name": "客户来源", "tag": []map[string]any{{"name": "展会"}, {"name": "广告"}}})
	if r.obj("tag_group").str("group_id") != group || len(groups(map[string]any{"group_id": []string{group}})[0].list("tag")) != 3 {
		t.Errorf("adding to the group by name = %v", r)
	}
	wantCode(t, c.post("externalcontact/add_corp_tag", map[string]any{"group_id": "etNoSuchGroup", "tag": []map[string]any{{"name": "x"}}}), 40068)
	wantCode(t, c.post("externalcontact/add_corp_tag", map[string]any{"group_name": "空组"}), 40058)
	wantCode(t, c.post("externalcontact/add_corp_tag", map[string]any{"group_name": "客户来源", "tag": []map[string]any{{"name": strings.Repeat("长", 31)}}}), 40071)

	wantCode(t, c.post("externalcontact/edit_corp_tag", map[string]any{"id": group, "name": "所在地区"}), 40071)
	wantCode(t, c.post("externalcontact/edit_corp_tag", map[string]any{"id": tagKey, "name": "普通客户"}), 40071)
	wantCode(t, c.post("externalcontact/edit_corp_tag", map[string]any{"id": tagKey, "name": "核心客户"}), 0)
	wantCode(t, c.post("externalcontact/edit_corp_tag", map[string]any{"id": "etNope", "name": "x"}), 40068)

	// mark_tag changes one member's follow.
	wantCode(t, c.post("externalcontact/mark_tag", map[string]any{"userid": "heyan", "external_userid": custWang, "add_tag": []string{tagKey}}), 0)
	r = c.get("externalcontact/get", "external_userid", custWang)
	heyan := result(r.list("follow_user")[1].(map[string]any))
	if tags := heyan.list("tags"); len(tags) != 1 || result(tags[0].(map[string]any)).str("tag_name") != "核心客户" {
		t.Errorf("heyan's tags of 王建国 = %v", heyan)
	}
	wantCode(t, c.post("externalcontact/mark_tag", map[string]any{"userid": "heyan", "external_userid": custLi, "add_tag": []string{tagKey}}), 84061)
	wantCode(t, c.post("externalcontact/mark_tag", map[string]any{"userid": "heyan", "external_userid": custWang, "add_tag": []string{"etNope"}}), 40068)
	wantCode(t, c.post("externalcontact/mark_tag", map[string]any{"userid": "heyan", "external_userid": custWang}), 40058)
	wantCode(t, c.post("externalcontact/mark_tag", map[string]any{"userid": "heyan", "external_userid": "wmNope", "add_tag": []string{tagKey}}), 40096)

	// Deleting a tag removes it from customers; a group left empty goes too.
	wantCode(t, c.post("externalcontact/del_corp_tag", map[string]any{"tag_id": []string{tagKey}}), 0)
	r = c.get("externalcontact/get", "external_userid", custWang)
	if tags := result(r.list("follow_user")[1].(map[string]any)).list("tags"); len(tags) != 0 {
		t.Errorf("heyan's tags after deleting the tag = %v", tags)
	}
	wantCode(t, c.post("externalcontact/del_corp_tag", map[string]any{"tag_id": []string{"etTFlevelNormal0000000000000AAA"}}), 0)
	wantCode(t, c.post("externalcontact/del_corp_tag", map[string]any{"group_id": []string{group}}), 0)
	if g := groups(map[string]any{}); len(g) != 1 || g[0].str("group_name") != "所在地区" {
		t.Errorf("groups after deletions = %v", g)
	}
	wantCode(t, c.post("externalcontact/del_corp_tag", map[string]any{}), 40058)
	wantCode(t, c.post("externalcontact/del_corp_tag", map[string]any{"tag_id": []string{"etNope"}}), 40068)
}

// transferCodes returns the errcode of each customer of a transfer answer.
func transferCodes(t *testing.T, r result) []int {
	t.Helper()
	wantCode(t, r, 0)
	var out []int
	for _, e := range r.list("customer") {
		out = append(out, result(e.(map[string]any)).num("errcode"))
	}
	return out
}

// pairs returns "key:value" for each element of the array list of the
// successful answer r; value names a string or a number field.
func pairs(t *testing.T, r result, list, key, value string) []string {
	t.Helper()
	wantCode(t, r, 0)
	var out []string
	for _, e := range r.list(list) {
		e := result(e.(map[string]any))
		v := e.str(value)
		if _, isNum := e[value].(float64); isNum {
			v = itoa(e.num(value))
		}
		out = append(out, e.str(key)+":"+v)
	}
	return out
}

// statuses returns external_userid:status of a transfer_result answer.
func statuses(t *testing.T, r result) []string {
	t.Helper()
	return pairs(t, r, "customer", "external_userid", "status")
}

// TestTransferInPost hands customers of a member in post to another: they
// wait 24 hours by the server's clock, then move, and a customer moves at
// most twice in 90 days.
func TestTransferInPost(t *testing.T) {
	t.Parallel()
	clock := newFakeClock()
	s := startServer(t, WithClock(clock.Now), WithTokenLifetime(1000*24*time.Hour))
	c := customerApp(t, s)
	transfer := func(from, to string, ids ...string) result {
		return c.post("externalcontact/transfer_customer", map[string]any{"handover_userid": from, "takeover_userid": to, "external_userid": ids})
	}
	if got := transferCodes(t, transfer("linfeng", "guoqiang", custWang, "wmNobody", custLiu)); !slices.Equal(got, []int{0, 40096, 84061}) {
		t.Errorf("transfer codes = %v, want [0 40096 84061]", got)
	}
	if got := transferCodes(t, transfer("linfeng", "dongxue", custWang)); !slices.Equal(got, []int{40100}) {
		t.Errorf("transferring a customer being transferred = %v, want 40100", got)
	}
	progress := func() result {
		return c.post("externalcontact/transfer_result", map[string]any{"handover_userid": "linfeng", "takeover_userid": "guoqiang"})
	}
	r := progress()
	if got := statuses(t, r); !slices.Equal(got, []string{custWang + ":2"}) {
		t.Errorf("result = %v, want waiting", got)
	}
	due := clock.Now().Add(24 * time.Hour).Unix()
	if got := int64(r.list("customer")[0].(map[string]any)["takeover_time"].(float64)); got != due {
		t.Errorf("takeover_time = %d, want %d (24 hours later)", got, due)
	}
	if got := customersOf(t, c, "linfeng"); !slices.Contains(got, custWang) {
		t.Errorf("before the takeover, linfeng's customers %v lack 王建国", got)
	}
	clock.Add(24 * time.Hour)
	if got := statuses(t, progress()); !slices.Equal(got, []string{custWang + ":1"}) {
		t.Errorf("result a day later = %v, want done", got)
	}
	if slices.Contains(customersOf(t, c, "linfeng"), custWang) || !slices.Contains(customersOf(t, c, "guoqiang"), custWang) {
		t.Error("王建国 did not move from linfeng to guoqiang")
	}
	g := c.get("externalcontact/get", "external_userid", custWang)
	var moved map[string]any
	for _, f := range g.list("follow_user") {
		if f := f.(map[string]any); f["userid"] == "guoqiang" {
			moved = f
		}
	}
	if moved == nil || moved["remark"] != "王总" || moved["add_way"] != float64(202) || len(moved["tags"].([]any)) != 2 {
		t.Errorf("guoqiang's follow of 王建国 = %v, want linfeng's remark and tags, add_way 202", moved)
	}

	// 赵丽 moves twice, then not a third time within 90 days.
	for _, hop := range [][2]string{{"linfeng", "guoqiang"}, {"guoqiang", "dongxue"}} {
		if got := transferCodes(t, transfer(hop[0], hop[1], custZhao)); !slices.Equal(got, []int{0}) {
			t.Fatalf("%s → %s: %v", hop[0], hop[1], got)
		}
		clock.Add(24 * time.Hour)
	}
	if got := transferCodes(t, transfer("dongxue", "heyan", custZhao)); !slices.Equal(got, []int{40128}) {
		t.Errorf("a third transfer within 90 days = %v, want 40128", got)
	}
	clock.Add(89 * 24 * time.Hour)
	if got := transferCodes(t, transfer("dongxue", "heyan", custZhao)); !slices.Equal(got, []int{0}) {
		t.Errorf("a transfer 90 days after the first = %v, want 0", got)
	}

	// Errors of the whole call.
	wantCode(t, transfer("linfeng", "linfeng", custLi), 40130)
	wantCode(t, transfer("linfeng", "tianye", custLi), 84074)   // not configured for customer contact
	wantCode(t, transfer("linfeng", "zhangsan", custLi), 60011) // outside the range
	wantCode(t, transfer("nobody", "guoqiang", custLi), 60111)
	wantCode(t, transfer("linfeng", "guoqiang"), 41035)
	many := make([]string, 101)
	for i := range many {
		many[i] = custLi
	}
	wantCode(t, transfer("linfeng", "guoqiang", many...), 40058)
	wantCode(t, contacts(t, s).post("user/update", map[string]any{"userid": "dongxue", "enable": 0}), 0)
	wantCode(t, transfer("linfeng", "dongxue", custLi), 40098)
}

// TestResignedTransfer deletes a member: their customers are unassigned
// until a resigned transfer hands them over, and their customer groups
// wait for a new owner.
func TestResignedTransfer(t *testing.T) {
	t.Parallel()
	clock := newFakeClock()
	s := startServer(t, WithClock(clock.Now), WithTransferDelay(time.Hour), WithTokenLifetime(1000*24*time.Hour))
	c := customerApp(t, s)
	unassigned := func() []string {
		return pairs(t, c.post("externalcontact/get_unassigned_list", map[string]any{}), "info", "handover_userid", "external_userid")
	}
	if got := unassigned(); len(got) != 0 {
		t.Fatalf("unassigned before anyone left = %v", got)
	}
	resigned := func(from, to string, ids ...string) result {
		return c.post("externalcontact/resigned/transfer_customer", map[string]any{"handover_userid": from, "takeover_userid": to, "external_userid": ids})
	}
	wantCode(t, resigned("linfeng", "guoqiang", custLi), 40097) // still in post
	left := clock.Now()
	wantCode(t, contacts(t, s).get("user/delete", "userid", "linfeng"), 0)
	clock.Add(time.Minute)
	want := []string{"linfeng:" + custWang, "linfeng:" + custLi, "linfeng:" + custZhao, "linfeng:" + custChen}
	if got := unassigned(); !slices.Equal(got, want) {
		t.Fatalf("unassigned = %v, want %v", got, want)
	}
	r := c.post("externalcontact/get_unassigned_list", map[string]any{"page_id": 1, "page_size": 3})
	if info := r.list("info"); len(info) != 1 || !r["is_last"].(bool) || r.str("next_cursor") != "" ||
		int64(info[0].(map[string]any)["dimission_time"].(float64)) != left.Unix() {
		t.Errorf("page 1 of 3 = %v", r)
	}
	r = c.post("externalcontact/get_unassigned_list", map[string]any{"page_size": 3})
	if len(r.list("info")) != 3 || r["is_last"].(bool) || r.str("next_cursor") == "" {
		t.Errorf("first page of 3 by cursor = %v", r)
	}
	wantCode(t, c.get("externalcontact/list", "userid", "linfeng"), 60111)
	wantCode(t, resigned("nobody", "guoqiang", custLi), 60111)

	if got := transferCodes(t, resigned("linfeng", "guoqiang", custWang, custLi, custChen, custLiu)); !slices.Equal(got, []int{0, 0, 0, 84061}) {
		t.Errorf("resigned transfer codes = %v, want [0 0 0 84061]", got)
	}
	if got := unassigned(); !slices.Equal(got, []string{"linfeng:" + custZhao}) {
		t.Errorf("unassigned after the transfer = %v, want only 赵丽", got)
	}
	if got := transferCodes(t, resigned("linfeng", "heyan", custLi)); !slices.Equal(got, []int{40100}) {
		t.Errorf("a second transfer of 李明 = %v, want 40100", got)
	}
	progress := func() []string {
		return statuses(t, c.post("externalcontact/resigned/transfer_result", map[string]any{"handover_userid": "linfeng", "takeover_userid": "guoqiang"}))
	}
	if got := progress(); !slices.Equal(got, []string{custWang + ":2", custLi + ":2", custChen + ":2"}) {
		t.Errorf("result = %v, want three waiting", got)
	}
	clock.Add(time.Hour)
	if got := progress(); !slices.Equal(got, []string{custWang + ":1", custLi + ":1", custChen + ":1"}) {
		t.Errorf("result after the delay = %v, want three done", got)
	}
	if got, want := customersOf(t, c, "guoqiang"), []string{custWang, custLi, custChen}; !slices.Equal(got, want) {
		t.Errorf("guoqiang's customers = %v, want %v", got, want)
	}
	if g := c.get("externalcontact/get", "external_userid", custChen); len(g.list("follow_user")) != 1 {
		t.Errorf("陈强, already guoqiang's, has follows %v, want guoqiang's only", g.list("follow_user"))
	}
	// The in-post result does not show resigned transfers.
	if got := statuses(t, c.post("externalcontact/transfer_result", map[string]any{"handover_userid": "linfeng", "takeover_userid": "guoqiang"})); len(got) != 0 {
		t.Errorf("in-post result = %v, want none", got)
	}

	// The groups of the leaver: listed with an owner filter only.
	list := func(body map[string]any) []string {
		body["limit"] = 100
		return pairs(t, c.post("externalcontact/groupchat/list", body), "group_chat_list", "chat_id", "status")
	}
	if got := list(map[string]any{}); !slices.Equal(got, []string{chatSouth + ":0"}) {
		t.Errorf("groups without filter = %v, want gaoyuan's only", got)
	}
	if got := list(map[string]any{"owner_filter": map[string]any{"userid_list": []string{"linfeng", "gaoyuan"}}, "status_filter": 1}); !slices.Equal(got, []string{chatHongda + ":1", chatEast + ":1"}) {
		t.Errorf("groups of linfeng waiting for an owner = %v", got)
	}
	r = c.post("externalcontact/groupchat/transfer", map[string]any{"chat_id_list": []string{chatHongda, chatSouth, "wrNope", chatEast}, "new_owner": "guoqiang"})
	if failed := pairs(t, r, "failed_chat_list", "chat_id", "errcode"); !slices.Equal(failed, []string{chatSouth + ":90500", "wrNope:90501"}) {
		t.Errorf("failed chats = %v", failed)
	}
	if got := list(map[string]any{"owner_filter": map[string]any{"userid_list": []string{"guoqiang"}}}); !slices.Equal(got, []string{chatHongda + ":3", chatEast + ":3"}) {
		t.Errorf("guoqiang's groups = %v, want the two inherited", got)
	}
	g := c.post("externalcontact/groupchat/get", map[string]any{"chat_id": chatHongda})
	if g.obj("group_chat").str("owner") != "guoqiang" || len(g.obj("group_chat").list("member_list")) != 4 {
		t.Errorf("the inherited group = %v, want guoqiang as owner and member in place of linfeng", g)
	}
	r = c.post("externalcontact/groupchat/transfer", map[string]any{"chat_id_list": []string{chatHongda}, "new_owner": "guoqiang"})
	if f := r.list("failed_chat_list"); len(f) != 1 || result(f[0].(map[string]any)).num("errcode") != 90504 {
		t.Errorf("transferring to the owner = %v, want 90504", r)
	}
}

// TestOnJobGroupTransfer moves groups of owners in post at once.
func TestOnJobGroupTransfer(t *testing.T) {
	t.Parallel()
	s := startServer(t)
	c := customerApp(t, s)
	r := c.post("externalcontact/groupchat/onjob_transfer", map[string]any{"chat_id_list": []string{chatSouth}, "new_owner": "luojun"})
	if wantCode(t, r, 0); len(r.list("failed_chat_list")) != 0 {
		t.Errorf("onjob_transfer = %v", r)
	}
	g := c.post("externalcontact/groupchat/get", map[string]any{"chat_id": chatSouth, "need_name": 1})
	chat := g.obj("group_chat")
	if chat.str("owner") != "luojun" {
		t.Errorf("owner = %q, want luojun", chat.str("owner"))
	}
	names := map[string]string{}
	for _, m := range chat.list("member_list") {
		m := m.(map[string]any)
		names[m["userid"].(string)], _ = m["name"].(string)
	}
	if names["luojun"] != "罗军" || names["wmTFcustSunWei000000000000000AA"] != "孙伟" {
		t.Errorf("member names = %v", names)
	}
	if g := c.post("externalcontact/groupchat/get", map[string]any{"chat_id": chatSouth}); strings.Contains(rawJSON(t, g), `"name":"罗军"`) {
		t.Error("names without need_name")
	}
	wantCode(t, contacts(t, s).get("user/delete", "userid", "linfeng"), 0)
	r = c.post("externalcontact/groupchat/onjob_transfer", map[string]any{"chat_id_list": []string{chatEast}, "new_owner": "luojun"})
	if f := r.list("failed_chat_list"); len(f) != 1 || result(f[0].(map[string]any)).num("errcode") != 90502 {
		t.Errorf("onjob_transfer of a leaver's group = %v, want 90502", r)
	}
	wantCode(t, c.post("externalcontact/groupchat/onjob_transfer", map[string]any{"chat_id_list": []string{}, "new_owner": "luojun"}), 40058)
	wantCode(t, c.post("externalcontact/groupchat/onjob_transfer", map[string]any{"chat_id_list": []string{chatSouth}, "new_owner": "tianye"}), 84074)
	wantCode(t, c.post("externalcontact/groupchat/get", map[string]any{"chat_id": "wrNope"}), 90501)
	wantCode(t, c.post("externalcontact/groupchat/list", map[string]any{"limit": 0}), 40058)
}

func rawJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestCustomerSnapshot keeps the customer data of members in post in the
// snapshot, which stays a valid org.
func TestCustomerSnapshot(t *testing.T) {
	t.Parallel()
	s := startServer(t)
	wantCode(t, contacts(t, s).get("user/delete", "userid", "linfeng"), 0)
	snap := s.Snapshot()
	x := snap.ExternalContact
	if x == nil || slices.Contains(x.FollowUsers, "linfeng") || len(x.Customers) != 8 || len(x.GroupChats) != 1 {
		t.Fatalf("snapshot's customer contact = %+v", x)
	}
	for _, cu := range x.Customers {
		if cu.ExternalUserID == custLi && len(cu.Follow) != 0 {
			t.Errorf("李明 keeps the leaver's follow in the snapshot: %+v", cu.Follow)
		}
	}
	snap.ContactsSecret = DemoContactsSecret
	snap.Apps[0].Secret, snap.Apps[1].Secret, snap.Apps[2].Secret, snap.Apps[3].Secret = DemoOpsSecret, DemoReportSecret, DemoCustomerSecret, DemoOASecret
	if err := snap.Validate(); err != nil {
		t.Errorf("the snapshot is not a valid org: %v", err)
	}
}

// TestValidateExternalContact reports inconsistent customer contact data.
func TestValidateExternalContact(t *testing.T) {
	t.Parallel()
	org := DemoOrg()
	x := org.ExternalContact
	x.FollowUsers = append(x.FollowUsers, "ghost")
	x.Customers = append(x.Customers, Customer{ExternalUserID: custLi, Name: "重复", Type: 3,
		Follow: []CustomerFollow{{UserID: "tianye", TagIDs: []string{"etNope"}}}})
	x.GroupChats = append(x.GroupChats, CustomerGroup{ChatID: "wrX", Name: "x", Owner: "zhangsan"})
	err := org.Validate()
	for _, want := range []string{`unknown follow user "ghost"`, `customer id "` + custLi, "type must be 1", `"tianye" is not a follow user`, `unknown tag "etNope"`, `owner "zhangsan" is not a follow user`} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Validate() = %v, want %q", err, want)
		}
	}
}
