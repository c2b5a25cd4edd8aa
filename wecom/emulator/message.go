package emulator

import (
	"encoding/json"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// sendRequest is the body of message/send. The message object itself is
// read from the raw body by msgtype.
type sendRequest struct {
	ToUser  flexString `json:"touser"`
	ToParty flexString `json:"toparty"`
	ToTag   flexString `json:"totag"`
	MsgType string     `json:"msgtype"`
	AgentID flexInt    `json:"agentid"`
}

type sendAnswer struct {
	status
	InvalidUser    string `json:"invaliduser"`
	InvalidParty   string `json:"invalidparty"`
	InvalidTag     string `json:"invalidtag"`
	UnlicensedUser string `json:"unlicenseduser"`
	MsgID          string `json:"msgid"`
	ResponseCode   string `json:"response_code,omitempty"`
}

// interactiveCards are the template_card types that answer a response_code.
var interactiveCards = map[string]bool{
	"button_interaction": true, "vote_interaction": true, "multiple_interaction": true,
}

// messageSend serves POST message/send: it resolves the recipients within
// the app's visible range, validates the message object of msgtype, and
// records the message.
func (s *Server) messageSend(c *call, req sendRequest) (any, *apiError) {
	if e := c.checkAgent(int(req.AgentID)); e != nil {
		return nil, e
	}
	users, parties, tags := splitBar(string(req.ToUser)), splitBar(string(req.ToParty)), splitBar(string(req.ToTag))
	switch {
	case len(users) == 0 && len(parties) == 0 && len(tags) == 0:
		return nil, newError(82001)
	case len(users) > 1000:
		return nil, errorf(40032, "touser has more than 1000 members")
	case len(parties) > 100:
		return nil, newError(82002)
	case len(tags) > 100:
		return nil, newError(82003)
	}
	obj, e := s.checkMessage(c.body, req.MsgType, sendTypes)
	if e != nil {
		return nil, e
	}

	st := s.readState()
	r := st.resolve(c.app(), users, parties, tags)
	st.mu.RUnlock()
	if r.valid == 0 {
		return nil, newError(81013)
	}
	now := s.now()
	if e := s.takeSendQuota(c.agentID, len(r.recipients), now); e != nil {
		return nil, e
	}
	reached, dropped := r.recipients, []string(nil)
	duplicate := s.duplicate(c.agentID, c.body, now)
	if duplicate {
		reached, dropped = []string{}, r.recipients
	} else {
		reached, dropped = s.admit(c.agentID, r.recipients, appMessageLimits, now)
	}
	msg := Message{
		MsgID:        randomID(64),
		Time:         now,
		AgentID:      c.agentID,
		MsgType:      req.MsgType,
		ToUser:       string(req.ToUser),
		ToParty:      string(req.ToParty),
		ToTag:        string(req.ToTag),
		Recipients:   reached,
		Dropped:      dropped,
		Duplicate:    duplicate,
		InvalidUser:  strings.Join(r.badUsers, "|"),
		InvalidParty: strings.Join(r.badParties, "|"),
		InvalidTag:   strings.Join(r.badTags, "|"),
		Payload:      json.RawMessage(append([]byte(nil), c.body...)),
	}
	out := sendAnswer{
		status:       okStatus,
		InvalidUser:  msg.InvalidUser,
		InvalidParty: msg.InvalidParty,
		InvalidTag:   msg.InvalidTag,
		MsgID:        msg.MsgID,
	}
	if req.MsgType == "template_card" {
		var card struct {
			CardType string `json:"card_type"`
		}
		json.Unmarshal(obj, &card)
		if interactiveCards[card.CardType] {
			out.ResponseCode = randomID(48)
			msg.ResponseCode = out.ResponseCode
		}
	}
	s.out.mu.Lock()
	s.out.messages = append(s.out.messages, msg)
	s.out.mu.Unlock()
	return out, nil
}

// resolution is the outcome of resolving message recipients.
type resolution struct {
	recipients []string
	badUsers   []string
	badParties []string
	badTags    []string
	valid      int // users, departments and tags that were valid
}

// resolve expands users ("@all" for the app's whole range), departments
// (with sub-departments) and tags into userids within the app's visible
// range, and lists the invalid ones. Userids are answered lower-cased, as
// WeCom does. The caller holds st.mu.
func (st *state) resolve(a *appState, users, parties, tags []string) resolution {
	var r resolution
	seen := map[string]bool{}
	addMember := func(m *member) {
		key := strings.ToLower(m.UserID)
		if !seen[key] && st.userVisible(a, m) {
			seen[key] = true
			r.recipients = append(r.recipients, m.UserID)
		}
	}
	for _, id := range users {
		if id == "@all" {
			for _, m := range st.sortedMembers(sortedKeys(st.depts)) {
				addMember(m)
			}
			r.valid = 1
			return r
		}
	}
	for _, id := range users {
		m := st.user(id)
		if m == nil || !st.userVisible(a, m) {
			r.badUsers = append(r.badUsers, strings.ToLower(id))
			continue
		}
		r.valid++
		addMember(m)
	}
	for _, p := range parties {
		d, err := strconv.Atoi(p)
		if err != nil || st.depts[d] == nil || !st.deptVisible(a, d) {
			r.badParties = append(r.badParties, p)
			continue
		}
		r.valid++
		for _, m := range st.sortedMembers(st.subtree(d)) {
			addMember(m)
		}
	}
	for _, t := range tags {
		id, err := strconv.Atoi(t)
		ts := st.tags[id]
		if err != nil || ts == nil || a != nil && !a.allowTags[id] && !st.deptVisible(a, 1) && ts.Owner != a.AgentID {
			r.badTags = append(r.badTags, t)
			continue
		}
		r.valid++
		for _, m := range st.tagMembers(ts) {
			addMember(m)
		}
	}
	return r
}

// Message types accepted by message/send and by appchat/send.
var (
	sendTypes = map[string]bool{
		"text": true, "image": true, "voice": true, "video": true, "file": true, "textcard": true,
		"news": true, "mpnews": true, "markdown": true, "miniprogram_notice": true, "template_card": true,
		"interactive_taskcard": true, "taskcard": true,
	}
	chatTypes = map[string]bool{
		"text": true, "image": true, "voice": true, "video": true, "file": true, "textcard": true,
		"news": true, "mpnews": true, "markdown": true,
	}
)

// article is an element of news and mpnews articles.
type article struct {
	Title        string `json:"title"`
	Description  string `json:"description"`
	URL          string `json:"url"`
	PicURL       string `json:"picurl"`
	AppID        string `json:"appid"`
	PagePath     string `json:"pagepath"`
	ThumbMediaID string `json:"thumb_media_id"`
	Author       string `json:"author"`
	Content      string `json:"content"`
	Digest       string `json:"digest"`
}

// checkMessage validates the message object named by msgtype in body
// against WeCom's rules and limits, and returns it.
func (s *Server) checkMessage(body []byte, msgType string, allowed map[string]bool) (json.RawMessage, *apiError) {
	if msgType == "" || !allowed[msgType] {
		return nil, errorf(40008, "msgtype %q", msgType)
	}
	var objs map[string]json.RawMessage
	if e := decodeBody(body, &objs); e != nil {
		return nil, e
	}
	obj := objs[msgType]
	if len(obj) == 0 || string(obj) == "null" {
		if msgType == "text" || msgType == "markdown" {
			return nil, newError(44004)
		}
		return nil, errorf(40058, "%s is required for msgtype %s", msgType, msgType)
	}
	var m struct {
		Content     string    `json:"content"`
		MediaID     string    `json:"media_id"`
		Title       string    `json:"title"`
		Description string    `json:"description"`
		URL         string    `json:"url"`
		BtnTxt      string    `json:"btntxt"`
		Articles    []article `json:"articles"`
		AppID       string    `json:"appid"`
		CardType    string    `json:"card_type"`
	}
	if e := decodeBody(obj, &m); e != nil {
		return nil, e
	}
	now := s.now()
	switch msgType {
	case "text", "markdown":
		if strings.TrimSpace(m.Content) == "" {
			return nil, newError(44004)
		}
		if len(m.Content) > 2048 {
			return nil, errorf(45002, "content is %d bytes, more than 2048", len(m.Content))
		}
	case "image", "voice", "video", "file":
		if m.MediaID == "" {
			return nil, newError(41006)
		}
		if !s.media.exists(m.MediaID, now) {
			return nil, errorf(40007, "%s", m.MediaID)
		}
		if msgType == "video" && (len(m.Title) > 128 || len(m.Description) > 512) {
			return nil, errorf(45002, "video title or description too long")
		}
	case "textcard":
		switch {
		case m.Title == "":
			return nil, newError(41016)
		case m.URL == "":
			return nil, newError(41010)
		case m.Description == "":
			return nil, errorf(40058, "description is required")
		case utf8.RuneCountInString(m.Title) > 128 || utf8.RuneCountInString(m.Description) > 512 ||
			len(m.URL) > 2048 || utf8.RuneCountInString(m.BtnTxt) > 4:
			return nil, errorf(45002, "textcard field too long")
		}
	case "news", "mpnews":
		if len(m.Articles) == 0 || len(m.Articles) > 8 {
			return nil, errorf(40058, "articles must hold 1 to 8 articles")
		}
		for _, a := range m.Articles {
			if a.Title == "" {
				return nil, newError(41016)
			}
			if len(a.Title) > 128 || len(a.Description) > 512 || len(a.Digest) > 512 || len(a.Author) > 64 {
				return nil, errorf(45002, "article field too long")
			}
			if msgType == "news" && a.URL == "" && (a.AppID == "" || a.PagePath == "") {
				return nil, errorf(40058, "news articles need url, or appid and pagepath")
			}
			if msgType == "mpnews" {
				if a.Content == "" {
					return nil, errorf(40058, "mpnews articles need content")
				}
				if len(a.Content) > 666*1024 {
					return nil, errorf(45002, "mpnews content is more than 666 KB")
				}
				if !s.media.exists(a.ThumbMediaID, now) {
					return nil, errorf(40007, "thumb_media_id %s", a.ThumbMediaID)
				}
			}
		}
	case "miniprogram_notice":
		if m.AppID == "" || m.Title == "" {
			return nil, errorf(40058, "appid and title are required")
		}
	case "template_card":
		if m.CardType == "" {
			return nil, errorf(40058, "card_type is required")
		}
	}
	return obj, nil
}

type messageRecallRequest struct {
	MsgID string `json:"msgid"`
}

// messageRecall serves POST message/recall: only the sending app's messages
// of the last 24 hours.
func (s *Server) messageRecall(c *call, req messageRecallRequest) (any, *apiError) {
	if req.MsgID == "" {
		return nil, errorf(40058, "msgid is required")
	}
	now := s.now()
	return s.changeSent(c, func(m *Message) bool { return m.MsgID == req.MsgID }, "the message", "msgid not found", func(m *Message) (any, *apiError) {
		if now.Sub(m.Time) > 24*time.Hour {
			return nil, newError(42052)
		}
		m.Recalled = true
		return okStatus, nil
	})
}

// changeSent applies change, holding the lock of the messages sent, to the
// first message that match selects, when the calling app sent it: what
// names it in the error of another app's; notFound is the error of none.
func (s *Server) changeSent(c *call, match func(*Message) bool, what, notFound string, change func(*Message) (any, *apiError)) (any, *apiError) {
	s.out.mu.Lock()
	defer s.out.mu.Unlock()
	for i := range s.out.messages {
		m := &s.out.messages[i]
		if !match(m) {
			continue
		}
		if m.AgentID != c.agentID {
			return nil, errorf(40058, "%s was sent by another app", what)
		}
		return change(m)
	}
	return nil, errorf(40058, "%s", notFound)
}
