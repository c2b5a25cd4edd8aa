package bindings

// wecom.chat: 企业会话, the legacy chat API of the former 企业号.
//
// type and receiver_type are "single" (id is a userid) or "group" (id is a
// chat id); user_mute_list is {{userid = "zhangsan", status = 1}, ...}.

import "github.com/wecomrunner/runner/wecom"

// chatCreate is chat.create: a conversation of 3 to 1000 members.
func chatCreate(a *args) call {
	chat := &wecom.Chat{ChatID: a.str("chat_id"), Name: a.str("name"), Owner: a.str("owner"), UserList: a.list("user_list")}
	return send(a, a.client.Chat.CreateRequest(chat))
}

// chatUpdate is chat.update, made by the member op_user.
func chatUpdate(a *args) call {
	u := &wecom.ChatUpdate{ChatID: a.str("chat_id"), OpUser: a.str("op_user"), Name: a.str("name"), Owner: a.str("owner")}
	u.AddUserList, u.DelUserList = a.list("add_user_list"), a.list("del_user_list")
	return send(a, a.client.Chat.UpdateRequest(u))
}

// chatClearNotify is chat.clear_notify.
func chatClearNotify(a *args) call {
	return send(a, a.client.Chat.ClearNotifyRequest(a.str("op_user"), wecom.ChatTarget{Type: a.str("type"), ID: a.str("id")}))
}

// chatSetMute is chat.set_mute.
func chatSetMute(a *args) call {
	if !a.has("user_mute_list") {
		a.failArg("user_mute_list", "array expected, got nil")
	}
	var mutes []wecom.ChatMute
	a.decode("user_mute_list", &mutes)
	return send(a, a.client.Chat.SetMuteRequest(mutes))
}

// The chat.send_* functions send a text, an image or a file to the
// conversation of receiver_type and receiver_id, to a member, or to a group
// chat.

var (
	chatSendText        = chatSender(receiver, textContent)
	chatSendSingleText  = chatSender(singleReceiver, textContent)
	chatSendGroupText   = chatSender(groupReceiver, textContent)
	chatSendImage       = chatSender(receiver, imageContent)
	chatSendSingleImage = chatSender(singleReceiver, imageContent)
	chatSendGroupImage  = chatSender(groupReceiver, imageContent)
	chatSendFile        = chatSender(receiver, fileContent)
	chatSendSingleFile  = chatSender(singleReceiver, fileContent)
	chatSendGroupFile   = chatSender(groupReceiver, fileContent)
)

// chatSender returns the function that sends the content of the arguments
// to their conversation.
func chatSender(to func(*args) wecom.ChatTarget, content func(*args) wecom.Content) func(*args) call {
	return func(a *args) call { return chatSend(a, to(a), content(a)) }
}

func textContent(a *args) wecom.Content  { return wecom.TextContent{Content: a.str("content")} }
func imageContent(a *args) wecom.Content { return wecom.ImageContent{MediaID: a.str("media_id")} }
func fileContent(a *args) wecom.Content  { return wecom.FileContent{MediaID: a.str("media_id")} }

// singleReceiver is the member of the argument receiver.
func singleReceiver(a *args) wecom.ChatTarget { return wecom.SingleChat(a.str("receiver")) }

// groupReceiver is the group chat of the argument receiver.
func groupReceiver(a *args) wecom.ChatTarget { return wecom.GroupChat(a.str("receiver")) }

// receiver is the conversation of the arguments receiver_type and receiver_id.
func receiver(a *args) wecom.ChatTarget {
	return wecom.ChatTarget{Type: a.str("receiver_type"), ID: a.str("receiver_id")}
}

// chatSend is the call that sends c from the argument sender to the
// conversation to.
func chatSend(a *args, to wecom.ChatTarget, c wecom.Content) call {
	return send(a, a.client.Chat.SendRequest(a.str("sender"), to, c))
}
