package bindings

// wecom.message: 消息推送.
//
// agent_id defaults to the client's agent id. user_ids is an array of
// userids or a '|'-joined string ("@all" for everyone who can see the
// application); party_ids and tag_ids are arrays of ids or '|'-joined
// strings ("2|3"). msg is the message as WeCom takes it, merged into the
// request: {msgtype = "text", text = {content = "..."}, safe = 0}.
// send_articles' articles are {title, description, url, image}, image being
// the picture's URL (WeCom's picurl, also accepted); send_mp_articles' are
// {title, thumb_media_id, author, content_source_url, content, digest,
// show_cover_pic}. Every send_* takes enable_duplicate_check (off by
// default) and duplicate_check_interval (seconds, 1800 by default), WeCom's
// duplicate check; send_template_card's template_card is the card as WeCom
// takes it, and an interactive card's answer has the response_code that
// update_template_card uses.

import (
	"time"

	"github.com/wecomrunner/runner/wecom"
)

// messageSend is message.send: msg holds the message's fields as WeCom
// takes them.
func messageSend(a *args) call {
	m := recipients(a)
	switch msg := a.any("msg").(type) {
	case nil:
	case map[string]any:
		m.Extra = msg
	case []any:
		if len(msg) > 0 {
			a.failArg("msg", "table of message fields expected, got an array")
		}
	default:
		a.failArg("msg", "table of message fields expected, got %s", a.value("msg").Type())
	}
	return send(a, a.client.Message.SendRequest(m))
}

// The message.send_* functions send a message of one type.

func messageSendText(a *args) call {
	return sendMessage(a, wecom.TextContent{Content: a.str("content")})
}

func messageSendTextCard(a *args) call {
	return sendMessage(a, wecom.TextCardContent{Title: a.str("title"), Description: a.str("description"), URL: a.str("url"), BtnTxt: a.str("btntxt")})
}

func messageSendImage(a *args) call {
	return sendMessage(a, wecom.ImageContent{MediaID: a.str("media_id")})
}

func messageSendVoice(a *args) call {
	return sendMessage(a, wecom.VoiceContent{MediaID: a.str("media_id")})
}

func messageSendVideo(a *args) call {
	return sendMessage(a, wecom.VideoContent{MediaID: a.str("media_id"), Title: a.str("title"), Description: a.str("description")})
}

func messageSendFile(a *args) call {
	return sendMessage(a, wecom.FileContent{MediaID: a.str("media_id")})
}

// messageSendArticles is message.send_articles, whose articles name the
// picture's URL image (wechatpy's name) or picurl (WeCom's).
func messageSendArticles(a *args) call {
	var articles []struct {
		wecom.NewsArticle
		Image string `json:"image"` // wechatpy's name for picurl
	}
	decodeArticles(a, &articles)
	c := wecom.NewsContent{Articles: make([]wecom.NewsArticle, len(articles))}
	for i, art := range articles {
		c.Articles[i] = art.NewsArticle
		if art.Image != "" {
			c.Articles[i].PicURL = art.Image
		}
	}
	return sendMessage(a, c)
}

func messageSendMpArticles(a *args) call {
	var c wecom.MPNewsContent
	decodeArticles(a, &c.Articles)
	return sendMessage(a, c)
}

func messageSendMarkdown(a *args) call {
	return sendMessage(a, wecom.MarkdownContent{Content: a.str("content")})
}

// messageSendTemplateCard is message.send_template_card: template_card is
// the card as WeCom takes it.
func messageSendTemplateCard(a *args) call {
	var card map[string]any
	if !a.has("template_card") {
		a.failArg("template_card", "table of card fields expected, got nil")
	}
	a.decode("template_card", &card)
	if card == nil {
		a.failArg("template_card", "table of card fields expected, got an array")
	}
	if s, _ := card["card_type"].(string); s == "" {
		a.failArg("template_card", "card_type is required (text_notice, news_notice, button_interaction, vote_interaction or multiple_interaction)")
	}
	m := recipients(a)
	m.Content = wecom.TemplateCardContent(card)
	m.EnableIDTrans = a.bool("enable_id_trans")
	return send(a, a.client.Message.SendRequest(m))
}

// recipients is the message of the arguments agent_id, user_ids, party_ids
// and tag_ids, without content, with the duplicate check of the arguments
// enable_duplicate_check and duplicate_check_interval (seconds) where the
// method takes them.
func recipients(a *args) *wecom.Message {
	m := &wecom.Message{
		AgentID: a.int("agent_id"),
		ToUser:  a.list("user_ids"),
		ToParty: a.idList("party_ids"),
		ToTag:   a.idList("tag_ids"),
	}
	if a.spec("enable_duplicate_check") != nil && a.bool("enable_duplicate_check") {
		m.EnableDuplicateCheck = true
		m.DuplicateCheckInterval = time.Duration(a.int("duplicate_check_interval")) * time.Second
	}
	return m
}

// sendMessage is the call that sends c to the recipients, with the argument
// safe of the methods that take it.
func sendMessage(a *args, c wecom.Content) call {
	m := recipients(a)
	m.Content = c
	if a.spec("safe") != nil {
		m.Safe = a.int("safe")
	}
	return send(a, a.client.Message.SendRequest(m))
}

// decodeArticles reads the required argument articles into out.
func decodeArticles(a *args, out any) {
	if !a.has("articles") {
		a.failArg("articles", "array of articles expected, got nil")
	}
	a.decode("articles", out)
}
