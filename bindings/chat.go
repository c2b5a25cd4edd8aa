package bindings

// wecom.chat: 企业会话, the legacy chat API of the former 企业号.
//
//	chat.create(chat_id, name, owner, user_list) -> {errcode, errmsg}
//	chat.get(chat_id) -> {chatid, name, owner, userlist}
//	chat.update(chat_id, op_user, name?, owner?, add_user_list?, del_user_list?) -> {errcode, errmsg}
//	chat.quit(chat_id, op_user) -> {errcode, errmsg}
//	chat.clear_notify(op_user, type, id) -> {errcode, errmsg}
//	chat.set_mute(user_mute_list) -> {errcode, errmsg, invaliduser}
//	chat.send_text(sender, receiver_type, receiver_id, content) -> {errcode, errmsg}
//	chat.send_single_text(sender, receiver, content) -> {errcode, errmsg}
//	chat.send_group_text(sender, receiver, content) -> {errcode, errmsg}
//	chat.send_image(sender, receiver_type, receiver_id, media_id) -> {errcode, errmsg}
//	chat.send_single_image(sender, receiver, media_id) -> {errcode, errmsg}
//	chat.send_group_image(sender, receiver, media_id) -> {errcode, errmsg}
//	chat.send_file(sender, receiver_type, receiver_id, media_id) -> {errcode, errmsg}
//	chat.send_single_file(sender, receiver, media_id) -> {errcode, errmsg}
//	chat.send_group_file(sender, receiver, media_id) -> {errcode, errmsg}
//
// type and receiver_type are "single" (id is a userid) or "group" (id is a
// chat id); user_mute_list is {{userid = "zhangsan", status = 1}, ...}.

import "github.com/wecomrunner/runner/wecom"

var chatGroup = group{
	"create": {params: []string{"chat_id", "name", "owner", "user_list"}, doc: "Creates a conversation (创建会话).", prepare: func(a *args) call {
		return send(a, a.client.Chat.CreateRequest(&wecom.Chat{
			ChatID:   a.str("chat_id"),
			Name:     a.str("name"),
			Owner:    a.str("owner"),
			UserList: a.list("user_list"),
		}))
	}},
	"get": {params: []string{"chat_id"}, doc: "Reads a conversation (获取会话).", prepare: func(a *args) call {
		return send(a, a.client.Chat.GetRequest(a.str("chat_id")))
	}},
	"update": {params: []string{"chat_id", "op_user", "name", "owner", "add_user_list", "del_user_list"}, doc: "Renames a conversation, changes its administrator or its members (修改会话).", prepare: func(a *args) call {
		return send(a, a.client.Chat.UpdateRequest(&wecom.ChatUpdate{
			ChatID:      a.str("chat_id"),
			OpUser:      a.str("op_user"),
			Name:        a.optStr("name", ""),
			Owner:       a.optStr("owner", ""),
			AddUserList: a.list("add_user_list"),
			DelUserList: a.list("del_user_list"),
		}))
	}},
	"quit": {params: []string{"chat_id", "op_user"}, doc: "Makes a member leave a conversation (退出会话).", prepare: func(a *args) call {
		return send(a, a.client.Chat.QuitRequest(a.str("chat_id"), a.str("op_user")))
	}},
	"clear_notify": {params: []string{"op_user", "type", "id"}, doc: "Marks a member's conversation as read (清除会话未读状态).", prepare: func(a *args) call {
		return send(a, a.client.Chat.ClearNotifyRequest(a.str("op_user"), wecom.ChatTarget{Type: a.str("type"), ID: a.str("id")}))
	}},
	"set_mute": {params: []string{"user_mute_list"}, doc: "Sets members' do-not-disturb for new messages (设置成员新消息免打扰).", prepare: func(a *args) call {
		if !a.has("user_mute_list") {
			a.failArg("user_mute_list", "array expected, got nil")
		}
		var mutes []wecom.ChatMute
		a.decode("user_mute_list", &mutes)
		return send(a, a.client.Chat.SetMuteRequest(mutes))
	}},
	"send_text": {params: []string{"sender", "receiver_type", "receiver_id", "content"}, doc: "Sends a text message to a conversation (发送文本消息).", prepare: func(a *args) call {
		return chatSend(a, receiver(a), wecom.TextContent{Content: a.str("content")})
	}},
	"send_single_text": {params: []string{"sender", "receiver", "content"}, doc: "Sends a text message to a member (发送单聊文本消息).", prepare: func(a *args) call {
		return chatSend(a, wecom.SingleChat(a.str("receiver")), wecom.TextContent{Content: a.str("content")})
	}},
	"send_group_text": {params: []string{"sender", "receiver", "content"}, doc: "Sends a text message to a group chat (发送群聊文本消息).", prepare: func(a *args) call {
		return chatSend(a, wecom.GroupChat(a.str("receiver")), wecom.TextContent{Content: a.str("content")})
	}},
	"send_image": {params: []string{"sender", "receiver_type", "receiver_id", "media_id"}, doc: "Sends an image message to a conversation (发送图片消息).", prepare: func(a *args) call {
		return chatSend(a, receiver(a), wecom.ImageContent{MediaID: a.str("media_id")})
	}},
	"send_single_image": {params: []string{"sender", "receiver", "media_id"}, doc: "Sends an image message to a member (发送单聊图片消息).", prepare: func(a *args) call {
		return chatSend(a, wecom.SingleChat(a.str("receiver")), wecom.ImageContent{MediaID: a.str("media_id")})
	}},
	"send_group_image": {params: []string{"sender", "receiver", "media_id"}, doc: "Sends an image message to a group chat (发送群聊图片消息).", prepare: func(a *args) call {
		return chatSend(a, wecom.GroupChat(a.str("receiver")), wecom.ImageContent{MediaID: a.str("media_id")})
	}},
	"send_file": {params: []string{"sender", "receiver_type", "receiver_id", "media_id"}, doc: "Sends a file message to a conversation (发送文件消息).", prepare: func(a *args) call {
		return chatSend(a, receiver(a), wecom.FileContent{MediaID: a.str("media_id")})
	}},
	"send_single_file": {params: []string{"sender", "receiver", "media_id"}, doc: "Sends a file message to a member (发送单聊文件消息).", prepare: func(a *args) call {
		return chatSend(a, wecom.SingleChat(a.str("receiver")), wecom.FileContent{MediaID: a.str("media_id")})
	}},
	"send_group_file": {params: []string{"sender", "receiver", "media_id"}, doc: "Sends a file message to a group chat (发送群聊文件消息).", prepare: func(a *args) call {
		return chatSend(a, wecom.GroupChat(a.str("receiver")), wecom.FileContent{MediaID: a.str("media_id")})
	}},
}

// receiver is the conversation of the arguments receiver_type and receiver_id.
func receiver(a *args) wecom.ChatTarget {
	return wecom.ChatTarget{Type: a.str("receiver_type"), ID: a.str("receiver_id")}
}

// chatSend is the call that sends c from the argument sender to the
// conversation to.
func chatSend(a *args, to wecom.ChatTarget, c wecom.Content) call {
	return send(a, a.client.Chat.SendRequest(a.str("sender"), to, c))
}
