package wecom

import (
	"context"
	"net/http"
)

// AppChatService is the application group chat API group (群聊会话): group
// chats that an application creates and posts to.
//
// WeCom API docs: https://developer.work.weixin.qq.com/document/path/90244
type AppChatService service

// AppChat is a group chat created by an application.
type AppChat struct {
	ChatID   string   `json:"chatid"`
	Name     string   `json:"name"`
	Owner    string   `json:"owner"`    // the userid of the chat's owner
	UserList []string `json:"userlist"` // the members' userids
	ChatType int      `json:"chat_type"`
}

// AppChatUpdate is a change to a group chat: the fields left empty are not
// changed.
type AppChatUpdate struct {
	ChatID      string   `json:"chatid"`
	Name        string   `json:"name,omitempty"`
	Owner       string   `json:"owner,omitempty"`
	AddUserList []string `json:"add_user_list,omitempty"`
	DelUserList []string `json:"del_user_list,omitempty"`
}

// CreateRequest is the request of Create. Empty fields are left out.
func (s *AppChatService) CreateRequest(chat *AppChat) *Request {
	body := struct {
		ChatID   string   `json:"chatid,omitempty"`
		Name     string   `json:"name,omitempty"`
		Owner    string   `json:"owner,omitempty"`
		UserList []string `json:"userlist,omitempty"`
	}{chat.ChatID, chat.Name, chat.Owner, chat.UserList}
	return &Request{Method: http.MethodPost, API: "appchat/create", Body: body}
}

// Create creates a group chat of 2 to 2000 members and returns its chat id
// (创建群聊会话). WeCom chooses the chat id when ChatID is empty, and the
// owner among the members when Owner is empty; ChatType is not sent.
//
// WeCom API docs: https://developer.work.weixin.qq.com/document/path/90245
func (s *AppChatService) Create(ctx context.Context, chat *AppChat) (string, error) {
	return memberOf[string](ctx, s.client, s.CreateRequest(chat), "chatid")
}

// SendRequest is the request of Send. The safe field is always sent, as
// wechatpy does.
func (s *AppChatService) SendRequest(chatID string, c Content, safe int) *Request {
	t := c.MsgType()
	body := map[string]any{"chatid": chatID, "msgtype": t, t: c, "safe": safe}
	return &Request{Method: http.MethodPost, API: "appchat/send", Body: body}
}

// Send posts a message to a group chat (应用推送消息): text, image, voice,
// video, file, textcard, news, mpnews or markdown. safe is 1 for a
// confidential message.
//
// WeCom API docs: https://developer.work.weixin.qq.com/document/path/90248
func (s *AppChatService) Send(ctx context.Context, chatID string, c Content, safe int) error {
	return s.client.Do(ctx, s.SendRequest(chatID, c, safe), nil)
}
