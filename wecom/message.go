package wecom

import (
	"context"
	"maps"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// MessageService is the application message API group (消息推送).
//
// WeCom API docs: https://developer.work.weixin.qq.com/document/path/90235
type MessageService service

// Message is an application message (应用消息) and its recipients. At least
// one of ToUser, ToParty and ToTag must be non-empty.
type Message struct {
	AgentID int      // the application that sends the message
	ToUser  []string // member userids; {"@all"} for everyone who can see the application
	ToParty []int    // department ids
	ToTag   []int    // tag ids

	// Content is the message: a TextContent, ImageContent, VoiceContent,
	// VideoContent, FileContent, TextCardContent, NewsContent, MPNewsContent,
	// MarkdownContent or TemplateCardContent (or a pointer to one), or any
	// other Content. Nil
	// sends no msgtype: the message is then entirely in Extra.
	Content Content
	// Safe is 1 for a confidential message (保密消息): it cannot be
	// forwarded and shows a watermark. It is sent for the message types that
	// take it: text, image, voice, video, file and mpnews.
	Safe int

	EnableIDTrans          bool          // translate ids in the content into names (id转译)
	EnableDuplicateCheck   bool          // drop a repeat of the same message within DuplicateCheckInterval
	DuplicateCheckInterval time.Duration // the window of the duplicate check; WeCom's default is 30 minutes

	// Extra holds more fields of the request, sent as given and overriding
	// the fields above: a message type without a Go type here
	// ({"msgtype": "miniprogram_notice", "miniprogram_notice": {...}}), or a field
	// WeCom added later.
	Extra map[string]any
}

// Content is the body of a message of one type. MsgType is WeCom's msgtype,
// which is also the name of the JSON member that holds the content.
type Content interface {
	MsgType() string
}

// TextContent is a text message (文本消息). Content may hold "\n" and
// <a href="..."> links; WeCom truncates it beyond 2048 bytes.
type TextContent struct {
	Content string `json:"content"`
}

// ImageContent is an image message (图片消息) of an uploaded image.
type ImageContent struct {
	MediaID string `json:"media_id"`
}

// VoiceContent is a voice message (语音消息) of an uploaded AMR file.
type VoiceContent struct {
	MediaID string `json:"media_id"`
}

// VideoContent is a video message (视频消息) of an uploaded MP4 file.
type VideoContent struct {
	MediaID     string `json:"media_id"`
	Title       string `json:"title,omitempty"`
	Description string `json:"description,omitempty"`
}

// FileContent is a file message (文件消息) of an uploaded file.
type FileContent struct {
	MediaID string `json:"media_id"`
}

// TextCardContent is a text card message (文本卡片消息): a title, a
// description (which may use <div class="gray|normal|highlight">) and a link.
type TextCardContent struct {
	Title       string `json:"title"`
	Description string `json:"description"`
	URL         string `json:"url"`
	BtnTxt      string `json:"btntxt,omitempty"` // the button's text; WeCom shows "详情" when empty
}

// NewsContent is a news message (图文消息) of 1 to 8 linked articles.
type NewsContent struct {
	Articles []NewsArticle `json:"articles"`
}

// NewsArticle is one article of a news message. It links to URL, or to
// the mini program page PagePath of AppID.
type NewsArticle struct {
	Title       string `json:"title"`
	Description string `json:"description,omitempty"`
	URL         string `json:"url,omitempty"`
	PicURL      string `json:"picurl,omitempty"`
	AppID       string `json:"appid,omitempty"`
	PagePath    string `json:"pagepath,omitempty"`
}

// MPNewsContent is an mpnews message (图文消息（mpnews）) of 1 to 8 articles
// whose content is stored in WeCom.
type MPNewsContent struct {
	Articles []MPNewsArticle `json:"articles"`
}

// MPNewsArticle is one article of an mpnews message.
type MPNewsArticle struct {
	Title            string `json:"title"`
	ThumbMediaID     string `json:"thumb_media_id"`
	Author           string `json:"author,omitempty"`
	ContentSourceURL string `json:"content_source_url,omitempty"`
	Content          string `json:"content"` // HTML
	Digest           string `json:"digest,omitempty"`
	// ShowCoverPic is sent only when set: WeCom's message API does not
	// document it, but wechatpy's send_mp_articles sends it.
	ShowCoverPic *int `json:"show_cover_pic,omitempty"`
}

// MarkdownContent is a markdown message (markdown消息) in WeCom's subset of
// markdown, at most 2048 bytes.
type MarkdownContent struct {
	Content string `json:"content"`
}

// TemplateCardContent is a template card message (模板卡片消息), as WeCom
// takes it: card_type (text_notice, news_notice, button_interaction,
// vote_interaction or multiple_interaction) and the fields of that type.
// Sending an interactive card answers a ResponseCode, which updates the card
// once (MessageService.UpdateTemplateCard).
type TemplateCardContent map[string]any

// MsgType is "template_card".
func (TemplateCardContent) MsgType() string { return "template_card" }

// MsgType is "text".
func (TextContent) MsgType() string { return "text" }

// MsgType is "image".
func (ImageContent) MsgType() string { return "image" }

// MsgType is "voice".
func (VoiceContent) MsgType() string { return "voice" }

// MsgType is "video".
func (VideoContent) MsgType() string { return "video" }

// MsgType is "file".
func (FileContent) MsgType() string { return "file" }

// MsgType is "textcard".
func (TextCardContent) MsgType() string { return "textcard" }

// MsgType is "news".
func (NewsContent) MsgType() string { return "news" }

// MsgType is "mpnews".
func (MPNewsContent) MsgType() string { return "mpnews" }

// MsgType is "markdown".
func (MarkdownContent) MsgType() string { return "markdown" }

// takesSafe reports whether messages of c's type have the safe field.
func takesSafe(c Content) bool {
	switch c.(type) {
	case TextContent, *TextContent, ImageContent, *ImageContent, VoiceContent, *VoiceContent,
		VideoContent, *VideoContent, FileContent, *FileContent, MPNewsContent, *MPNewsContent:
		return true
	}
	return false
}

// SendResult reports the recipients WeCom did not deliver a message to (most
// often because they are outside the application's visible range), each a
// '|'-joined list, and the id that recalls the message.
type SendResult struct {
	InvalidUser    string `json:"invaliduser"`
	InvalidParty   string `json:"invalidparty"`
	InvalidTag     string `json:"invalidtag"`
	UnlicensedUser string `json:"unlicenseduser"` // members without an API licence (接口许可)
	MsgID          string `json:"msgid"`
	ResponseCode   string `json:"response_code"` // for updating an interactive template card
}

// SendRequest is the request of Send. The recipients are joined with "|",
// and touser, toparty and totag are always sent, as wechatpy does.
func (s *MessageService) SendRequest(m *Message) *Request {
	body := map[string]any{
		"agentid": m.AgentID,
		"touser":  strings.Join(m.ToUser, "|"),
		"toparty": joinInts(m.ToParty),
		"totag":   joinInts(m.ToTag),
	}
	if m.Content != nil {
		t := m.Content.MsgType()
		body["msgtype"] = t
		body[t] = m.Content
		if takesSafe(m.Content) {
			body["safe"] = m.Safe
		}
	}
	if m.EnableIDTrans {
		body["enable_id_trans"] = 1
	}
	if m.EnableDuplicateCheck {
		body["enable_duplicate_check"] = 1
	}
	if m.DuplicateCheckInterval > 0 {
		body["duplicate_check_interval"] = int(m.DuplicateCheckInterval / time.Second)
	}
	maps.Copy(body, m.Extra)
	return &Request{Method: http.MethodPost, API: "message/send", Body: body}
}

// Send sends an application message (发送应用消息). Recipients WeCom refused
// are in the result; the others received the message.
//
// WeCom API docs: https://developer.work.weixin.qq.com/document/path/90236
func (s *MessageService) Send(ctx context.Context, m *Message) (*SendResult, error) {
	return resultPtr[SendResult](ctx, s.client, s.SendRequest(m))
}

// joinInts joins ids with "|", as WeCom's recipient lists are written.
func joinInts(ids []int) string {
	parts := make([]string, len(ids))
	for i, id := range ids {
		parts[i] = strconv.Itoa(id)
	}
	return strings.Join(parts, "|")
}
