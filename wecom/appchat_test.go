package wecom

import (
	"context"
	"net/url"
	"testing"
)

func TestAppChatService_Create(t *testing.T) {
	t.Parallel()
	c, ts := setup(t)
	ts.post(t, "appchat/create", `{"name":"项目群","userlist":["zhangsan","lisi"]}`, `{"errcode":0,"errmsg":"ok","chatid":"CHAT1"}`)
	id, err := c.AppChat.Create(t.Context(), &AppChat{Name: "项目群", UserList: []string{"zhangsan", "lisi"}})
	testResult(t, id, err, "CHAT1")
}

func TestAppChatService_Writes(t *testing.T) {
	t.Parallel()
	testWrites(t, []writeCase{
		{api: "appchat/update", body: `{"chatid":"CHAT1","owner":"lisi","del_user_list":["wangwu"]}`, call: func(ctx context.Context, c *Client) error {
			return c.AppChat.Update(ctx, &AppChatUpdate{ChatID: "CHAT1", Owner: "lisi", DelUserList: []string{"wangwu"}})
		}},
		{api: "appchat/send", body: `{"chatid":"CHAT1","msgtype":"markdown","markdown":{"content":"**发版**"},"safe":0}`, call: func(ctx context.Context, c *Client) error {
			return c.AppChat.Send(ctx, "CHAT1", &MarkdownContent{"**发版**"}, 0)
		}},
	})
}

func TestAppChatService_Get(t *testing.T) {
	t.Parallel()
	c, ts := setup(t)
	ts.get(t, "appchat/get", url.Values{"chatid": {"CHAT1"}}, `{"errcode":0,"errmsg":"ok","chat_info":{"chatid":"CHAT1","name":"NAME","owner":"lisi","userlist":["zhangsan","lisi"],"chat_type":0}}`)
	got, err := c.AppChat.Get(t.Context(), "CHAT1")
	want := &AppChat{ChatID: "CHAT1", Name: "NAME", Owner: "lisi", UserList: []string{"zhangsan", "lisi"}}
	testResult(t, got, err, want)
}
