package wecom

import (
	"context"
	"net/http"
)

// ChatService is the legacy enterprise chat API group (企业会话) of the
// former 企业号. WeCom replaced it with AppChatService and may have switched
// it off.
//
// WeCom API docs: https://qydev.weixin.qq.com/wiki/index.php?title=%E4%BC%81%E4%B8%9A%E4%BC%9A%E8%AF%9D%E6%8E%A5%E5%8F%A3%E8%AF%B4%E6%98%8E
type ChatService service

// Chat is a conversation of the legacy chat API.
type Chat struct {
	ChatID   string   `json:"chatid"`
	Name     string   `json:"name"`
	Owner    string   `json:"owner"`    // the userid of its administrator, one of UserList
	UserList []string `json:"userlist"` // the members' userids, 3 to 1000
}

// ChatUpdate is a change to a conversation made by OpUser: the fields left
// empty are not changed.
type ChatUpdate struct {
	ChatID      string   `json:"chatid"`
	OpUser      string   `json:"op_user"`
	Name        string   `json:"name,omitempty"`
	Owner       string   `json:"owner,omitempty"`
	AddUserList []string `json:"add_user_list,omitempty"`
	DelUserList []string `json:"del_user_list,omitempty"`
}

// ChatTarget is a conversation of the legacy chat API: a single chat with
// a member, or a group chat.
type ChatTarget struct {
	Type string `json:"type"` // "single" or "group"
	ID   string `json:"id"`   // the member's userid, or the chat id
}

// SingleChat is the single chat with the member userID.
func SingleChat(userID string) ChatTarget { return ChatTarget{Type: "single", ID: userID} }

// GroupChat is the group chat chatID.
func GroupChat(chatID string) ChatTarget { return ChatTarget{Type: "group", ID: chatID} }

// ChatMute is a member's do-not-disturb setting for new chat messages.
type ChatMute struct {
	UserID string `json:"userid"`
	Status int    `json:"status"` // 1 muted, 0 not
}

// ClearNotifyRequest is the request of ClearNotify.
func (s *ChatService) ClearNotifyRequest(opUser string, chat ChatTarget) *Request {
	return &Request{Method: http.MethodPost, API: "chat/clearnotify", Body: map[string]any{"op_user": opUser, "chat": chat}}
}

// ClearNotify marks a conversation of the member opUser as read (清除会话未读状态).
//
// WeCom API docs: https://qydev.weixin.qq.com/wiki/index.php?title=%E4%BC%81%E4%B8%9A%E4%BC%9A%E8%AF%9D%E6%8E%A5%E5%8F%A3%E8%AF%B4%E6%98%8E
func (s *ChatService) ClearNotify(ctx context.Context, opUser string, chat ChatTarget) error {
	return s.client.Do(ctx, s.ClearNotifyRequest(opUser, chat), nil)
}

// SetMuteRequest is the request of SetMute.
func (s *ChatService) SetMuteRequest(mutes []ChatMute) *Request {
	return &Request{Method: http.MethodPost, API: "chat/setmute", Body: map[string]any{"user_mute_list": mutes}}
}

// SetMute sets the do-not-disturb setting of up to 10,000 members
// (设置成员新消息免打扰) and returns the userids WeCom refused.
//
// WeCom API docs: https://qydev.weixin.qq.com/wiki/index.php?title=%E4%BC%81%E4%B8%9A%E4%BC%9A%E8%AF%9D%E6%8E%A5%E5%8F%A3%E8%AF%B4%E6%98%8E
func (s *ChatService) SetMute(ctx context.Context, mutes []ChatMute) ([]string, error) {
	return memberOf[[]string](ctx, s.client, s.SetMuteRequest(mutes), "invaliduser")
}

// SendRequest is the request of Send.
func (s *ChatService) SendRequest(sender string, to ChatTarget, c Content) *Request {
	t := c.MsgType()
	body := map[string]any{"sender": sender, "receiver": to, "msgtype": t, t: c}
	return &Request{Method: http.MethodPost, API: "chat/send", Body: body}
}

// Send sends a message from the member sender to a conversation (发消息):
// text, image or file.
//
// WeCom API docs: https://qydev.weixin.qq.com/wiki/index.php?title=%E4%BC%81%E4%B8%9A%E4%BC%9A%E8%AF%9D%E6%8E%A5%E5%8F%A3%E8%AF%B4%E6%98%8E
func (s *ChatService) Send(ctx context.Context, sender string, to ChatTarget, c Content) error {
	return s.client.Do(ctx, s.SendRequest(sender, to, c), nil)
}
