package wecom

import (
	"context"
	"net/url"
	"testing"
)

func TestChatService_Get(t *testing.T) {
	t.Parallel()
	c, ts := setup(t)
	ts.get(t, "chat/get", url.Values{"chatid": {"235364212115767297"}}, `{"errcode":0,"errmsg":"ok","chat_info":{"chatid":"235364212115767297","name":"企业应用中心","owner":"zhangsan","userlist":["zhangsan","lisi"]}}`)
	got, err := c.Chat.Get(t.Context(), "235364212115767297")
	want := &Chat{ChatID: "235364212115767297", Name: "企业应用中心", Owner: "zhangsan", UserList: []string{"zhangsan", "lisi"}}
	testResult(t, got, err, want)
}

func TestChatService_Writes(t *testing.T) {
	t.Parallel()
	testWrites(t, []writeCase{
		{api: "chat/create", body: `{"chatid":"235364212115767297","name":"企业应用中心","owner":"zhangsan","userlist":["zhangsan","lisi","wangwu"]}`, call: func(ctx context.Context, c *Client) error {
			return c.Chat.Create(ctx, &Chat{ChatID: "235364212115767297", Name: "企业应用中心", Owner: "zhangsan", UserList: []string{"zhangsan", "lisi", "wangwu"}})
		}},
		{api: "chat/update", body: `{"chatid":"1","op_user":"zhangsan","add_user_list":["zhaoliu"]}`, call: func(ctx context.Context, c *Client) error {
			return c.Chat.Update(ctx, &ChatUpdate{ChatID: "1", OpUser: "zhangsan", AddUserList: []string{"zhaoliu"}})
		}},
		{api: "chat/quit", body: `{"chatid":"1","op_user":"wangwu"}`, call: func(ctx context.Context, c *Client) error {
			return c.Chat.Quit(ctx, "1", "wangwu")
		}},
		{api: "chat/clearnotify", body: `{"op_user":"zhangsan","chat":{"type":"group","id":"1"}}`, call: func(ctx context.Context, c *Client) error {
			return c.Chat.ClearNotify(ctx, "zhangsan", GroupChat("1"))
		}},
		{api: "chat/send", body: `{"sender":"zhangsan","receiver":{"type":"single","id":"lisi"},"msgtype":"file","file":{"media_id":"m1"}}`, call: func(ctx context.Context, c *Client) error {
			return c.Chat.Send(ctx, "zhangsan", SingleChat("lisi"), FileContent{"m1"})
		}},
	})
}

func TestChatService_SetMute(t *testing.T) {
	t.Parallel()
	c, ts := setup(t)
	ts.post(t, "chat/setmute", `{"user_mute_list":[{"userid":"zhangsan","status":1},{"userid":"lisi","status":0}]}`, `{"errcode":0,"errmsg":"ok","invaliduser":["zhangsan"]}`)
	invalid, err := c.Chat.SetMute(t.Context(), []ChatMute{{"zhangsan", 1}, {"lisi", 0}})
	testResult(t, invalid, err, []string{"zhangsan"})
}
