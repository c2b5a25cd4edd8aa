package wecom

import (
	"context"
	"net/url"
	"testing"
)

func TestTagService_Create(t *testing.T) {
	t.Parallel()
	c, ts := setup(t)
	ts.post(t, "tag/create", `{"tagname":"技术委员会"}`, `{"errcode":0,"errmsg":"created","tagid":"12"}`)
	id, err := c.Tag.Create(t.Context(), "技术委员会")
	testResult(t, id, err, 12)
}

func TestTagService_Writes(t *testing.T) {
	t.Parallel()
	testWrites(t, []writeCase{
		{api: "tag/update", body: `{"tagid":1,"tagname":"新名字"}`, call: func(ctx context.Context, c *Client) error {
			return c.Tag.Update(ctx, 1, "新名字")
		}},
		{api: "tag/delete", query: url.Values{"tagid": {"2"}}, call: func(ctx context.Context, c *Client) error {
			return c.Tag.Delete(ctx, 2)
		}},
	})
}

func TestTagService_GetUsers(t *testing.T) {
	t.Parallel()
	c, ts := setup(t)
	ts.get(t, "tag/get", url.Values{"tagid": {"1"}}, `{"errcode":0,"errmsg":"ok","tagname":"乒乓球协会","userlist":[{"userid":"zhangsan","name":"李四"}],"partylist":[2]}`)
	got, err := c.Tag.GetUsers(t.Context(), 1)
	want := &TagMembers{TagName: "乒乓球协会", UserList: []TagMember{{"zhangsan", "李四"}}, PartyList: []int{2}}
	testResult(t, got, err, want)
}

func TestTagService_AddUsers(t *testing.T) {
	t.Parallel()
	c, ts := setup(t)
	ts.post(t, "tag/addtagusers", `{"tagid":1,"userlist":["zhangsan","nobody"]}`, `{"errcode":0,"errmsg":"ok","invalidlist":"nobody"}`)
	got, err := c.Tag.AddUsers(t.Context(), 1, []string{"zhangsan", "nobody"})
	if err != nil {
		t.Fatal(err)
	}
	if got.InvalidList != "nobody" {
		t.Errorf("InvalidList = %q, want nobody", got.InvalidList)
	}
}

func TestTagService_DeleteUsers(t *testing.T) {
	t.Parallel()
	c, ts := setup(t)
	ts.post(t, "tag/deltagusers", `{"tagid":1,"userlist":["lisi"]}`, `{"errcode":40031,"errmsg":"all list invalid"}`)
	_, err := c.Tag.DeleteUsers(t.Context(), 1, []string{"lisi"})
	if !IsCode(err, CodeInvalidUserList) {
		t.Errorf("err = %v, want errcode 40031", err)
	}
}

func TestTagService_List(t *testing.T) {
	t.Parallel()
	c, ts := setup(t)
	ts.get(t, "tag/list", nil, `{"errcode":0,"errmsg":"ok","taglist":[{"tagid":1,"tagname":"a"},{"tagid":2,"tagname":"b"}]}`)
	got, err := c.Tag.List(t.Context())
	testResult(t, got, err, []Tag{{1, "a"}, {2, "b"}})
}
