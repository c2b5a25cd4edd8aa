package wecom

import (
	"net/url"
	"reflect"
	"testing"
)

func TestAppChatService_Create(t *testing.T) {
	t.Parallel()
	c, ts := setup(t)
	ts.post(t, "appchat/create", `{"name":"项目群","userlist":["zhangsan","lisi"]}`, `{"errcode":0,"errmsg":"ok","chatid":"CHAT1"}`)
	id, err := c.AppChat.Create(t.Context(), &AppChat{Name: "项目群", UserList: []string{"zhangsan", "lisi"}})
	if err != nil {
		t.Fatal(err)
	}
	if id != "CHAT1" {
		t.Errorf("chat id = %q, want CHAT1", id)
	}
}

func TestAppChatService_Update(t *testing.T) {
	t.Parallel()
	c, ts := setup(t)
	ts.post(t, "appchat/update", `{"chatid":"CHAT1","owner":"lisi","del_user_list":["wangwu"]}`, `{"errcode":0,"errmsg":"ok"}`)
	if err := c.AppChat.Update(t.Context(), &AppChatUpdate{ChatID: "CHAT1", Owner: "lisi", DelUserList: []string{"wangwu"}}); err != nil {
		t.Fatal(err)
	}
}

func TestAppChatService_Get(t *testing.T) {
	t.Parallel()
	c, ts := setup(t)
	ts.get(t, "appchat/get", url.Values{"chatid": {"CHAT1"}}, `{"errcode":0,"errmsg":"ok","chat_info":{"chatid":"CHAT1","name":"NAME","owner":"lisi","userlist":["zhangsan","lisi"],"chat_type":0}}`)
	got, err := c.AppChat.Get(t.Context(), "CHAT1")
	if err != nil {
		t.Fatal(err)
	}
	want := &AppChat{ChatID: "CHAT1", Name: "NAME", Owner: "lisi", UserList: []string{"zhangsan", "lisi"}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %+v, want %+v", got, want)
	}
}

func TestAppChatService_Get_notFound(t *testing.T) {
	t.Parallel()
	c, ts := setup(t)
	ts.answer(t, "appchat/get", `{"errcode":86003,"errmsg":"chat not found"}`)
	if _, err := c.AppChat.Get(t.Context(), "nochat"); !IsCode(err, CodeChatNotFound) {
		t.Errorf("err = %v, want errcode 86003", err)
	}
}

func TestAppChatService_Send(t *testing.T) {
	t.Parallel()
	c, ts := setup(t)
	ts.post(t, "appchat/send", `{"chatid":"CHAT1","msgtype":"markdown","markdown":{"content":"**发版**"},"safe":0}`, `{"errcode":0,"errmsg":"ok"}`)
	if err := c.AppChat.Send(t.Context(), "CHAT1", &MarkdownContent{"**发版**"}, 0); err != nil {
		t.Fatal(err)
	}
}
