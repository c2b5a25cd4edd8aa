package wecom

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"reflect"
	"sync/atomic"
	"testing"
)

func TestUserService_Create(t *testing.T) {
	t.Parallel()
	c, ts := setup(t)
	ts.post(t, "user/create", `{"userid":"zhangsan","name":"张三","department":[1,2],"mobile":"13800000000","gender":"1","enable":0,"to_invite":false}`, `{"errcode":0,"errmsg":"created"}`)
	u := &UserInput{UserID: "zhangsan", Name: "张三", Department: []int{1, 2}, Mobile: "13800000000", Gender: "1", Enable: new(0), ToInvite: new(false)}
	if err := c.User.Create(t.Context(), u); err != nil {
		t.Fatal(err)
	}
}

func TestUserService_CreateRequestTakesAMap(t *testing.T) {
	t.Parallel()
	c, ts := setup(t)
	ts.post(t, "user/create", `{"userid":"lisi","name":"李四","weixinid":"lisi_wx","gender":1}`, `{"errcode":0,"errmsg":"created"}`)
	req := c.User.CreateRequest(map[string]any{"userid": "lisi", "name": "李四", "weixinid": "lisi_wx", "gender": 1})
	if err := c.Do(t.Context(), req, nil); err != nil {
		t.Fatal(err)
	}
}

func TestUserService_Get(t *testing.T) {
	t.Parallel()
	c, ts := setup(t)
	ts.get(t, "user/get", url.Values{"userid": {"zhangsan"}}, `{"errcode":0,"errmsg":"ok","userid":"zhangsan","name":"张三","department":[1,2],"order":[1,2],
			"gender":"1","is_leader_in_dept":[1,0],"direct_leader":["lisi"],"main_department":1,"status":1,
			"extattr":{"attrs":[{"type":0,"name":"文本名称","text":{"value":"文本"}},{"type":1,"name":"网页名称","web":{"url":"http://www.test.com","title":"标题"}}]},
			"external_profile":{"external_corp_name":"企业简称","wechat_channels":{"nickname":"视频号名称","status":1}}}`)
	got, err := c.User.Get(t.Context(), "zhangsan")
	want := &User{
		UserID: "zhangsan", Name: "张三", Department: []int{1, 2}, Order: []int{1, 2}, Gender: "1",
		IsLeaderInDept: []int{1, 0}, DirectLeader: []string{"lisi"}, MainDepartment: 1, Status: 1,
		ExtAttr: ExtAttr{Attrs: []UserAttr{
			{Type: 0, Name: "文本名称", Text: &AttrText{Value: "文本"}},
			{Type: 1, Name: "网页名称", Web: &AttrWeb{URL: "http://www.test.com", Title: "标题"}},
		}},
		ExternalProfile: ExternalProfile{ExternalCorpName: "企业简称", WechatChannels: WechatChannels{Nickname: "视频号名称", Status: 1}},
	}
	testResult(t, got, err, want)
}

func TestUserService_GetNotFound(t *testing.T) {
	t.Parallel()
	c, ts := setup(t)
	ts.answer(t, "user/get", `{"errcode":60111,"errmsg":"userid not found"}`)
	u, err := c.User.Get(t.Context(), "nobody")
	if !IsCode(err, CodeUserNotFound) || u != nil {
		t.Errorf("got %v, %v; want nil and errcode 60111", u, err)
	}
}

func TestUserService_Writes(t *testing.T) {
	t.Parallel()
	testWrites(t, []writeCase{
		{api: "user/update", body: `{"userid":"wangwu","position":"架构师","enable":0}`, call: func(ctx context.Context, c *Client) error {
			return c.User.Update(ctx, &UserInput{UserID: "wangwu", Position: "架构师", Enable: new(0)})
		}},
		{api: "user/delete", query: url.Values{"userid": {"wangwu"}}, call: func(ctx context.Context, c *Client) error {
			return c.User.Delete(ctx, "wangwu")
		}},
		{api: "user/batchdelete", body: `{"useridlist":["zhangsan","lisi"]}`, call: func(ctx context.Context, c *Client) error {
			return c.User.BatchDelete(ctx, []string{"zhangsan", "lisi"})
		}},
		{api: "user/authsucc", query: url.Values{"userid": {"zhangsan"}}, call: func(ctx context.Context, c *Client) error {
			return c.User.Verify(ctx, "zhangsan")
		}},
	})
}

func TestUserService_List(t *testing.T) {
	t.Parallel()
	c, ts := setup(t)
	ts.get(t, "user/list", url.Values{"department_id": {"2"}, "fetch_child": {"1"}, "status": {"0"}}, `{"errcode":0,"errmsg":"ok","userlist":[{"userid":"lisi","name":"李四","department":[2],"enable":1,"hide_mobile":0}]}`)
	got, err := c.User.List(t.Context(), 2, &UserListOptions{FetchChild: true})
	want := []User{{UserID: "lisi", Name: "李四", Department: []int{2}, Enable: 1}}
	testResult(t, got, err, want)
}

func TestUserService_SimpleList(t *testing.T) {
	t.Parallel()
	c, ts := setup(t)
	ts.get(t, "user/simplelist", url.Values{"department_id": {"1"}, "fetch_child": {"0"}, "status": {"0"}}, `{"errcode":0,"errmsg":"ok","userlist":[{"userid":"zhangsan","name":"张三","department":[1,2],"open_userid":"x"}]}`)
	got, err := c.User.SimpleList(t.Context(), 1, nil)
	testResult(t, got, err, []UserBrief{{UserID: "zhangsan", Name: "张三", Department: []int{1, 2}, OpenUserID: "x"}})
}

func TestUserService_ListID(t *testing.T) {
	t.Parallel()
	c, ts := setup(t)
	ts.post(t, "user/list_id", `{"cursor":"c1","limit":2}`, `{"errcode":0,"errmsg":"ok","next_cursor":"c2","dept_user":[{"userid":"zhangsan","department":1},{"userid":"zhangsan","department":2}]}`)
	refs, next, err := c.User.ListID(t.Context(), "c1", 2)
	if err != nil {
		t.Fatal(err)
	}
	if want := []UserRef{{"zhangsan", 1}, {"zhangsan", 2}}; !reflect.DeepEqual(refs, want) || next != "c2" {
		t.Errorf("got %+v, %q; want %+v, c2", refs, next, want)
	}
}

func TestUserService_ListIDFirstPage(t *testing.T) {
	t.Parallel()
	c, ts := setup(t)
	ts.post(t, "user/list_id", `{}`, `{"errcode":0,"errmsg":"ok","next_cursor":"","dept_user":[]}`)
	if _, _, err := c.User.ListID(t.Context(), "", 0); err != nil {
		t.Fatal(err)
	}
}

func TestUserService_AllIDs(t *testing.T) {
	t.Parallel()
	c, ts := setup(t)
	pages := map[string]string{
		"":   `{"errcode":0,"errmsg":"ok","next_cursor":"p2","dept_user":[{"userid":"a","department":1}]}`,
		"p2": `{"errcode":0,"errmsg":"ok","next_cursor":"p3","dept_user":[{"userid":"b","department":1},{"userid":"b","department":2}]}`,
		"p3": `{"errcode":0,"errmsg":"ok","next_cursor":"","dept_user":[{"userid":"c","department":3}]}`,
	}
	ts.handle(t, "user/list_id", func(w http.ResponseWriter, r *http.Request) {
		var body struct {
			Cursor string `json:"cursor"`
			Limit  int    `json:"limit"`
		}
		if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
			t.Error(err)
		}
		if body.Limit != MaxListIDLimit {
			t.Errorf("limit = %d, want %d", body.Limit, MaxListIDLimit)
		}
		fmt.Fprint(w, pages[body.Cursor])
	})
	var got []UserRef
	for ref, err := range c.User.AllIDs(t.Context()) {
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, ref)
	}
	want := []UserRef{{"a", 1}, {"b", 1}, {"b", 2}, {"c", 3}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %+v, want %+v", got, want)
	}
}

func TestUserService_AllIDsStops(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		answer string
		want   func(error) bool
	}{
		{"on an error", `{"errcode":50100,"errmsg":"invalid cursor"}`, func(err error) bool { return IsCode(err, 50100) }},
		{"on a cursor that does not advance", `{"errcode":0,"errmsg":"ok","next_cursor":"same","dept_user":[]}`, func(err error) bool { var e *StuckCursorError; return errors.As(err, &e) && e.API == "user/list_id" }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, ts := setup(t)
			var calls atomic.Int32
			ts.handle(t, "user/list_id", func(w http.ResponseWriter, r *http.Request) {
				if calls.Add(1) == 1 {
					fmt.Fprint(w, `{"errcode":0,"errmsg":"ok","next_cursor":"same","dept_user":[{"userid":"a","department":1}]}`)
					return
				}
				fmt.Fprint(w, tt.answer)
			})
			var refs int
			var last error
			for _, err := range c.User.AllIDs(t.Context()) {
				if err != nil {
					last = err
					continue
				}
				refs++
			}
			if refs != 1 || !tt.want(last) {
				t.Errorf("got %d refs and %v", refs, last)
			}
			if got := calls.Load(); got != 2 {
				t.Errorf("calls = %d, want 2", got)
			}
		})
	}
}

func TestUserService_AllIDsBreak(t *testing.T) {
	t.Parallel()
	c, ts := setup(t)
	calls := ts.counted(t, "user/list_id", `{"errcode":0,"errmsg":"ok","next_cursor":"more","dept_user":[{"userid":"a","department":1},{"userid":"b","department":1}]}`)
	for range c.User.AllIDs(t.Context()) {
		break
	}
	if got := calls.Load(); got != 1 {
		t.Errorf("calls = %d, want 1: breaking out must stop the paging", got)
	}
}

// TestUserService_Lookups covers the calls that post one identifier and
// answer with another.
func TestUserService_Lookups(t *testing.T) {
	t.Parallel()
	tests := []struct {
		api, body, answer string
		call              func(ctx context.Context, c *Client) (string, error)
		want              string
	}{
		{"user/convert_to_openid", `{"userid":"zhangsan"}`, `"openid":"oDjGHs-1yCnGrRovBj2yHij5JAAA"`,
			func(ctx context.Context, c *Client) (string, error) { return c.User.ConvertToOpenID(ctx, "zhangsan") },
			"oDjGHs-1yCnGrRovBj2yHij5JAAA"},
		{"user/convert_to_userid", `{"openid":"oDjGHs"}`, `"userid":"zhangsan"`,
			func(ctx context.Context, c *Client) (string, error) { return c.User.ConvertToUserID(ctx, "oDjGHs") },
			"zhangsan"},
		{"user/getuserid", `{"mobile":"13430388888"}`, `"userid":"zhangsan"`,
			func(ctx context.Context, c *Client) (string, error) { return c.User.GetUserID(ctx, "13430388888") },
			"zhangsan"},
		{"user/get_userid_by_email", `{"email":"zhangsan@example.com","email_type":2}`, `"userid":"zhangsan"`,
			func(ctx context.Context, c *Client) (string, error) {
				return c.User.GetUserIDByEmail(ctx, "zhangsan@example.com", 2)
			},
			"zhangsan"},
	}
	for _, tt := range tests {
		t.Run(tt.api, func(t *testing.T) {
			t.Parallel()
			c, ts := setup(t)
			ts.post(t, tt.api, tt.body, `{"errcode":0,"errmsg":"ok",`+tt.answer+`}`)
			got, err := tt.call(t.Context(), c)
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestUserService_LookupRequests(t *testing.T) {
	t.Parallel()
	c, _ := setup(t)
	if req := c.User.ConvertToOpenIDRequest("zhangsan", 1000002); !reflect.DeepEqual(req.Body, map[string]any{"userid": "zhangsan", "agentid": 1000002}) {
		t.Errorf("with an agent id: body %v", req.Body)
	}
	// 0 leaves email_type out: WeCom then looks up the corp email.
	testRequestBody(t, c.User.GetUserIDByEmailRequest("zhangsan@tengfei.wecom.work", 0), `{"email":"zhangsan@tengfei.wecom.work"}`)
}

func TestUserService_GetInfo(t *testing.T) {
	t.Parallel()
	c, ts := setup(t)
	ts.get(t, "user/getuserinfo", url.Values{"agentid": {"1000002"}, "code": {"CODE"}}, `{"errcode":0,"errmsg":"ok","UserId":"lisi","DeviceId":"DEVICE"}`)
	got, err := c.User.GetInfo(t.Context(), 1000002, "CODE")
	testResult(t, got, err, &UserIdentity{UserID: "lisi", DeviceID: "DEVICE"})
}
