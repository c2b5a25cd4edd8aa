package bindings

// wecom.appchat: 群聊会话.
//
// The fields of appchat.send are named arguments, after its msg_type:
//
//	text, markdown          content
//	image, voice, file      media_id
//	video                   media_id, title?, description?
//	textcard                title, description, url, btntxt?
//	news, mpnews            articles (WeCom's article fields)
//
// safe (0 or 1) is sent with every type; an optional field that is not
// given is left out.

import (
	"maps"
	"slices"
	"strings"

	lua "github.com/yuin/gopher-lua"

	"github.com/wecomrunner/runner/wecom"
)

// appchatCreate is appchat.create.
func appchatCreate(a *args) call {
	chat := &wecom.AppChat{ChatID: a.str("chat_id"), Name: a.str("name"), Owner: a.str("owner"), UserList: a.list("user_list")}
	return send(a, a.client.AppChat.CreateRequest(chat))
}

// appchatUpdate is appchat.update: the fields given change, the others stay.
func appchatUpdate(a *args) call {
	u := &wecom.AppChatUpdate{ChatID: a.str("chat_id"), Name: a.str("name"), Owner: a.str("owner")}
	u.AddUserList, u.DelUserList = a.list("add_user_list"), a.list("del_user_list")
	return send(a, a.client.AppChat.UpdateRequest(u))
}

// appchatSendText is appchat.send_text.
func appchatSendText(a *args) call {
	return send(a, a.client.AppChat.SendRequest(a.str("chat_id"), wecom.TextContent{Content: a.str("content")}, a.int("safe")))
}

// appchatSendMsg is appchat.send_msg, the former name of appchat.send.
func appchatSendMsg(a *args) call { return appchatSend(a) }

// appchatFields are the named arguments of appchat.send that make the
// message, by msg_type.
var appchatFields = map[string][]string{
	"text":     {"content"},
	"image":    {"media_id"},
	"voice":    {"media_id"},
	"video":    {"media_id", "title", "description"},
	"file":     {"media_id"},
	"textcard": {"title", "description", "url", "btntxt"},
	"news":     {"articles"},
	"mpnews":   {"articles"},
	"markdown": {"content"},
}

// appchatSend is appchat.send: the message of type msg_type made of the
// named arguments of that type. An argument the type does not take is an
// error rather than a field sent as is.
func appchatSend(a *args) call {
	if len(a.pos) > len(a.m.params) {
		a.fail("the message's fields are named arguments: %s{chat_id = ..., msg_type = ..., content = ...}", a.fn)
	}
	chatID, msgType := a.str("chat_id"), a.str("msg_type")
	fields, ok := appchatFields[msgType]
	if !ok {
		a.failArg("msg_type", "unknown message type %q (want %s)", msgType, strings.Join(slices.Sorted(maps.Keys(appchatFields)), ", "))
	}
	if a.named != nil {
		a.named.ForEach(func(k, _ lua.LValue) {
			name := k.String()
			if a.index(name) < 0 && name != "safe" && !slices.Contains(fields, name) {
				a.fail("a %s message takes %s and safe, not %q", msgType, strings.Join(fields, ", "), name)
			}
		})
	}
	var c wecom.Content
	switch msgType {
	case "text":
		c = wecom.TextContent{Content: a.str("content")}
	case "markdown":
		c = wecom.MarkdownContent{Content: a.str("content")}
	case "image":
		c = wecom.ImageContent{MediaID: a.str("media_id")}
	case "voice":
		c = wecom.VoiceContent{MediaID: a.str("media_id")}
	case "file":
		c = wecom.FileContent{MediaID: a.str("media_id")}
	case "video":
		c = wecom.VideoContent{MediaID: a.str("media_id"), Title: a.optStr("title"), Description: a.optStr("description")}
	case "textcard":
		c = wecom.TextCardContent{Title: a.str("title"), Description: a.str("description"), URL: a.str("url"), BtnTxt: a.optStr("btntxt")}
	case "news":
		var news wecom.NewsContent
		decodeArticles(a, &news.Articles)
		c = news
	case "mpnews":
		var mpnews wecom.MPNewsContent
		decodeArticles(a, &mpnews.Articles)
		c = mpnews
	}
	return send(a, a.client.AppChat.SendRequest(chatID, c, a.optInt("safe")))
}
