package emulator

import (
	"encoding/json"
	"slices"
	"strings"
	"unicode/utf8"
)

// maxChatMembers is the largest app chat WeCom allows.
const maxChatMembers = 2000

type chatRequest struct {
	ChatID      flexString `json:"chatid"`
	Name        *string    `json:"name"`
	Owner       string     `json:"owner"`
	UserList    stringList `json:"userlist"`
	AddUserList stringList `json:"add_user_list"`
	DelUserList stringList `json:"del_user_list"`
	OpUser      string     `json:"op_user"`
}

type chatCreated struct {
	status
	ChatID string `json:"chatid"`
}

type chatInfo struct {
	ChatID   string   `json:"chatid"`
	Name     string   `json:"name"`
	Owner    string   `json:"owner"`
	UserList []string `json:"userlist"`
	ChatType *int     `json:"chat_type,omitempty"`
}

type chatGetAnswer struct {
	status
	ChatInfo chatInfo `json:"chat_info"`
}

// chatMembers resolves userids to their canonical spelling; 86216 names the
// first unknown one. The caller holds st.mu.
func (st *state) chatMembers(ids []string) ([]string, *apiError) {
	out := make([]string, 0, len(ids))
	for _, id := range ids {
		m := st.user(id)
		if m == nil {
			return nil, errorf(86216, "%s", id)
		}
		if !slices.ContainsFunc(out, func(o string) bool { return strings.EqualFold(o, m.UserID) }) {
			out = append(out, m.UserID)
		}
	}
	return out, nil
}

// appchatCreate serves POST appchat/create. Only apps whose visible range
// is the whole organisation may use app chats (48002).
func (s *Server) appchatCreate(c *call, req chatRequest) (any, *apiError) {
	st := s.writeState()
	defer st.mu.Unlock()
	if !st.deptVisible(c.app(), 1) {
		return nil, errorf(48002, "app chats need an app whose visible range is the root department")
	}
	id := string(req.ChatID)
	if id == "" {
		id = randomAlnum(24)
	}
	if !validChatID(id) {
		return nil, errorf(86001, "%q", id)
	}
	name := ""
	if req.Name != nil {
		name = truncateRunes(*req.Name, 50)
	}
	if e := st.addChat(c, id, name, &req, chatSize{2, 86216, "an app chat"}); e != nil {
		return nil, e
	}
	return chatCreated{okStatus, id}, nil
}

// chatSize is the fewest members of a kind of chat, and the errcode of a
// chat of fewer or more than maxChatMembers.
type chatSize struct {
	min, code int
	what      string
}

// addChat adds the chat id, unless there is one (86215), named name, with
// the members of req and its owner, for the calling app. The caller holds
// st.mu.
func (st *state) addChat(c *call, id, name string, req *chatRequest, size chatSize) *apiError {
	if st.chats[id] != nil {
		return errorf(86215, "%s", id)
	}
	users, e := st.chatMembers(req.UserList)
	if e != nil {
		return e
	}
	if len(users) < size.min || len(users) > maxChatMembers {
		return errorf(size.code, "%s has %d to %d members", size.what, size.min, maxChatMembers)
	}
	owner, e := chatOwner(users, req.Owner)
	if e != nil {
		return e
	}
	st.chats[id] = &AppChat{ChatID: id, Name: name, Owner: owner, Users: users, AgentID: c.agentID}
	return nil
}

// chatOwner returns the owner among users: the one named, or the first.
func chatOwner(users []string, owner string) (string, *apiError) {
	if owner == "" {
		return users[0], nil
	}
	i := slices.IndexFunc(users, func(u string) bool { return strings.EqualFold(u, owner) })
	if i < 0 {
		return "", errorf(86216, "owner %s is not a member", owner)
	}
	return users[i], nil
}

func truncateRunes(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n])
}

// appChat returns the chat the calling app may use: 86003 unknown, 60011
// created by another app. The caller holds st.mu.
func (st *state) appChat(c *call, id string) (*AppChat, *apiError) {
	if id == "" {
		return nil, errorf(86001, "chatid is required")
	}
	ch := st.chats[id]
	if ch == nil {
		return nil, errorf(86003, "%s", id)
	}
	if ch.AgentID != 0 && ch.AgentID != c.agentID {
		return nil, errorf(60011, "the chat was created by another app")
	}
	return ch, nil
}

// appchatGet serves GET appchat/get?chatid=ID.
func (s *Server) appchatGet(c *call) (any, *apiError) {
	st := s.readState()
	defer st.mu.RUnlock()
	ch, e := st.appChat(c, c.param("chatid"))
	if e != nil {
		return nil, e
	}
	zero := 0
	return chatGetAnswer{okStatus, chatInfo{ch.ChatID, ch.Name, ch.Owner, slices.Clone(ch.Users), &zero}}, nil
}

// updateChat applies name, owner and member changes to ch. The caller
// holds st.mu.
func (st *state) updateChat(ch *AppChat, req *chatRequest) *apiError {
	add, e := st.chatMembers(req.AddUserList)
	if e != nil {
		return e
	}
	users := slices.Clone(ch.Users)
	for _, u := range add {
		if !slices.ContainsFunc(users, func(o string) bool { return strings.EqualFold(o, u) }) {
			users = append(users, u)
		}
	}
	for _, d := range req.DelUserList {
		i := slices.IndexFunc(users, func(o string) bool { return strings.EqualFold(o, d) })
		if i < 0 {
			return errorf(86216, "%s is not a member", d)
		}
		users = slices.Delete(users, i, i+1)
	}
	if len(users) < 2 || len(users) > maxChatMembers {
		return errorf(86216, "a chat has 2 to %d members", maxChatMembers)
	}
	owner := ch.Owner
	if req.Owner != "" {
		owner = req.Owner
	}
	owner, e = chatOwner(users, owner)
	if e != nil {
		return e
	}
	if req.Name != nil {
		ch.Name = truncateRunes(*req.Name, 50)
	}
	ch.Owner, ch.Users = owner, users
	return nil
}

// appchatUpdate serves POST appchat/update.
func (s *Server) appchatUpdate(c *call, req chatRequest) (any, *apiError) {
	return s.changeChat(&req, func(st *state, req *chatRequest) (*AppChat, *apiError) {
		return st.appChat(c, string(req.ChatID))
	}, (*state).updateChat)
}

// changeChat, holding the state's lock, finds the chat of req with find
// and applies change to it.
func (s *Server) changeChat(req *chatRequest, find func(*state, *chatRequest) (*AppChat, *apiError), change func(*state, *AppChat, *chatRequest) *apiError) (any, *apiError) {
	st := s.writeState()
	defer st.mu.Unlock()
	ch, e := find(st, req)
	if e != nil {
		return nil, e
	}
	if e := change(st, ch, req); e != nil {
		return nil, e
	}
	return okStatus, nil
}

type appchatSendRequest struct {
	ChatID  flexString `json:"chatid"`
	MsgType string     `json:"msgtype"`
}

// appchatSend serves POST appchat/send.
func (s *Server) appchatSend(c *call, req appchatSendRequest) (any, *apiError) {
	st := s.readState()
	ch, e := st.appChat(c, string(req.ChatID))
	var users []string
	if ch != nil {
		users = slices.Clone(ch.Users)
	}
	st.mu.RUnlock()
	if e != nil {
		return nil, e
	}
	if _, e := s.checkMessage(c.body, req.MsgType, chatTypes); e != nil {
		return nil, e
	}
	reached, dropped := s.admit(chatSender, users, chatMessageLimits, s.now())
	s.recordChat(ChatMessage{AgentID: c.agentID, ChatID: ch.ChatID, MsgType: req.MsgType, Recipients: reached, Dropped: dropped}, c.body)
	return okStatus, nil
}

// recordChat stores a chat message with a copy of its payload.
func (s *Server) recordChat(m ChatMessage, body []byte) {
	m.Time = s.now()
	m.Payload = json.RawMessage(append([]byte(nil), body...))
	s.out.mu.Lock()
	s.out.chats = append(s.out.chats, m)
	s.out.mu.Unlock()
}

// The legacy chat/* API (企业会话) is served from the same chats.

// chatCreate serves the legacy POST chat/create: chatid required, 3 to 2000
// members including the owner.
func (s *Server) chatCreate(c *call, req chatRequest) (any, *apiError) {
	id := string(req.ChatID)
	if !validChatID(id) {
		return nil, errorf(86001, "%q", id)
	}
	if req.Owner == "" || req.Name == nil || *req.Name == "" {
		return nil, errorf(86220, "name and owner are required")
	}
	st := s.writeState()
	defer st.mu.Unlock()
	if e := st.addChat(c, id, truncateRunes(*req.Name, 50), &req, chatSize{3, 86220, "a chat"}); e != nil {
		return nil, e
	}
	return okStatus, nil
}

// legacyChat returns a chat by id for the legacy API; 86003 if unknown.
// The caller holds st.mu.
func (st *state) legacyChat(id string) (*AppChat, *apiError) {
	ch := st.chats[id]
	if ch == nil {
		return nil, errorf(86003, "%s", id)
	}
	return ch, nil
}

// memberChat returns a chat by id for the legacy API when op is one of its
// members: 86003 if the chat is unknown, 86220 if op is not a member. The
// caller holds st.mu.
func (st *state) memberChat(id, op string) (*AppChat, *apiError) {
	ch, e := st.legacyChat(id)
	if e != nil {
		return nil, e
	}
	if op == "" || !slices.ContainsFunc(ch.Users, func(u string) bool { return strings.EqualFold(u, op) }) {
		return nil, errorf(86220, "op_user %q is not a member of the chat", op)
	}
	return ch, nil
}

// chatGet serves the legacy GET chat/get?chatid=ID.
func (s *Server) chatGet(c *call) (any, *apiError) {
	st := s.readState()
	defer st.mu.RUnlock()
	ch, e := st.legacyChat(c.param("chatid"))
	if e != nil {
		return nil, e
	}
	return chatGetAnswer{okStatus, chatInfo{ch.ChatID, ch.Name, ch.Owner, slices.Clone(ch.Users), nil}}, nil
}

// chatUpdate serves the legacy POST chat/update.
func (s *Server) chatUpdate(c *call, req chatRequest) (any, *apiError) {
	return s.changeChat(&req, opUserChat, (*state).updateChat)
}

// opUserChat is the chat of a legacy request when its op_user is a member.
func opUserChat(st *state, req *chatRequest) (*AppChat, *apiError) {
	return st.memberChat(string(req.ChatID), req.OpUser)
}

// chatQuit serves the legacy POST chat/quit; the owner cannot quit.
func (s *Server) chatQuit(c *call, req chatRequest) (any, *apiError) {
	return s.changeChat(&req, opUserChat, func(_ *state, ch *AppChat, req *chatRequest) *apiError {
		if strings.EqualFold(ch.Owner, req.OpUser) {
			return errorf(86220, "the owner cannot quit the chat")
		}
		ch.Users = slices.DeleteFunc(ch.Users, func(u string) bool { return strings.EqualFold(u, req.OpUser) })
		return nil
	})
}

// legacyReceiver is a chat/send receiver or a chat/clearnotify chat.
type legacyReceiver struct {
	Type string     `json:"type"`
	ID   flexString `json:"id"`
}

// checkReceiver validates a legacy single or group receiver for op.
func (st *state) checkReceiver(r legacyReceiver, op string) ([]string, string, *apiError) {
	switch r.Type {
	case "single":
		m := st.user(string(r.ID))
		if m == nil {
			return nil, "", errorf(86220, "unknown receiver %s", r.ID)
		}
		return []string{m.UserID}, "", nil
	case "group":
		ch, e := st.memberChat(string(r.ID), op)
		if e != nil {
			return nil, "", e
		}
		return slices.Clone(ch.Users), ch.ChatID, nil
	}
	return nil, "", errorf(86220, "type must be single or group")
}

type chatClearNotifyRequest struct {
	OpUser string         `json:"op_user"`
	Chat   legacyReceiver `json:"chat"`
}

// chatClearNotify serves the legacy POST chat/clearnotify.
func (s *Server) chatClearNotify(c *call, req chatClearNotifyRequest) (any, *apiError) {
	st := s.readState()
	defer st.mu.RUnlock()
	if st.user(req.OpUser) == nil {
		return nil, errorf(86220, "unknown op_user %s", req.OpUser)
	}
	if _, _, e := st.checkReceiver(req.Chat, req.OpUser); e != nil {
		return nil, e
	}
	return okStatus, nil
}

type muteAnswer struct {
	status
	InvalidUser []string `json:"invaliduser"`
}

type chatSetMuteRequest struct {
	UserMuteList []struct {
		UserID string  `json:"userid"`
		Status flexInt `json:"status"`
	} `json:"user_mute_list"`
}

// chatSetMute serves the legacy POST chat/setmute; unknown members are
// answered in invaliduser.
func (s *Server) chatSetMute(c *call, req chatSetMuteRequest) (any, *apiError) {
	if len(req.UserMuteList) == 0 {
		return nil, errorf(86220, "user_mute_list is empty")
	}
	st := s.readState()
	defer st.mu.RUnlock()
	out := muteAnswer{okStatus, []string{}}
	for _, u := range req.UserMuteList {
		if st.user(u.UserID) == nil {
			out.InvalidUser = append(out.InvalidUser, u.UserID)
		}
	}
	return out, nil
}

type chatSendRequest struct {
	Receiver legacyReceiver `json:"receiver"`
	Sender   string         `json:"sender"`
	MsgType  string         `json:"msgtype"`
}

// chatSend serves the legacy POST chat/send (text, image or file, to a
// member or a group).
func (s *Server) chatSend(c *call, req chatSendRequest) (any, *apiError) {
	st := s.readState()
	sender := st.user(req.Sender)
	var users []string
	var chatID string
	e := errorf(86220, "unknown sender %s", req.Sender)
	if sender != nil {
		users, chatID, e = st.checkReceiver(req.Receiver, req.Sender)
	}
	st.mu.RUnlock()
	if e != nil {
		return nil, e
	}
	legacyTypes := map[string]bool{"text": true, "image": true, "file": true}
	if _, e := s.checkMessage(c.body, req.MsgType, legacyTypes); e != nil {
		return nil, e
	}
	s.recordChat(ChatMessage{AgentID: c.agentID, ChatID: chatID, Sender: sender.UserID, MsgType: req.MsgType, Recipients: users, Legacy: true}, c.body)
	return okStatus, nil
}
