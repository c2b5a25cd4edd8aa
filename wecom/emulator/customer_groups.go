package emulator

import (
	"slices"
	"strings"
)

// The customer groups (客户群): groupchat/list, groupchat/get, and the
// transfer of their ownership, from owners who left (groupchat/transfer)
// or are in post (groupchat/onjob_transfer). A transfer changes the owner
// at once.

type chatStatus struct {
	ChatID string `json:"chat_id"`
	Status int    `json:"status"`
}

type chatListAnswer struct {
	status
	GroupChatList []chatStatus `json:"group_chat_list"`
	NextCursor    string       `json:"next_cursor,omitempty"`
}

type gcListRequest struct {
	StatusFilter flexInt `json:"status_filter"`
	OwnerFilter  *struct {
		UserIDList stringList `json:"userid_list"`
	} `json:"owner_filter"`
	Cursor string  `json:"cursor"`
	Limit  flexInt `json:"limit"`
}

// gcList serves POST externalcontact/groupchat/list. Without owner_filter
// it lists the groups whose owner is a member the caller sees; the groups
// of owners who left are listed only when owner_filter names them, as
// WeCom documents.
func (s *Server) gcList(c *call, req gcListRequest) (any, *apiError) {
	if req.Limit < 1 || req.Limit > 1000 {
		return nil, errorf(40058, "limit must be 1 to 1000")
	}
	if req.StatusFilter < 0 || req.StatusFilter > 3 {
		return nil, errorf(40058, "status_filter must be 0 to 3")
	}
	var owners []string
	if req.OwnerFilter != nil {
		if owners = req.OwnerFilter.UserIDList; len(owners) > 100 {
			return nil, errorf(40058, "owner_filter.userid_list holds at most 100 userids")
		}
	}
	cs := s.lockCustomers()
	defer s.st.mu.Unlock()
	var rows []chatStatus
	for _, ch := range cs.sortedChats() {
		if req.StatusFilter != 0 && ch.status != int(req.StatusFilter) {
			continue
		}
		if owners != nil {
			if !slices.ContainsFunc(owners, func(o string) bool { return strings.EqualFold(o, ch.Owner) }) {
				continue
			}
			if s.st.hiddenUser(c, ch.Owner) {
				continue
			}
		} else if s.st.seenUser(c, ch.Owner) == nil {
			continue
		}
		rows = append(rows, chatStatus{ch.ChatID, ch.status})
	}
	list, next, e := page(rows, req.Cursor, int(req.Limit))
	if e != nil {
		return nil, e
	}
	return chatListAnswer{okStatus, append([]chatStatus{}, list...), next}, nil
}

type chatMemberView struct {
	UserID        string   `json:"userid"`
	Type          int      `json:"type"`
	UnionID       string   `json:"unionid,omitempty"`
	JoinTime      int64    `json:"join_time"`
	JoinScene     int      `json:"join_scene"`
	Invitor       *userRef `json:"invitor,omitempty"`
	GroupNickname string   `json:"group_nickname"`
	Name          string   `json:"name,omitempty"`
}

type chatView struct {
	ChatID        string           `json:"chat_id"`
	Name          string           `json:"name"`
	Owner         string           `json:"owner"`
	CreateTime    int64            `json:"create_time"`
	Notice        string           `json:"notice"`
	MemberList    []chatMemberView `json:"member_list"`
	AdminList     []userRef        `json:"admin_list"`
	MemberVersion string           `json:"member_version"`
}

type chatAnswer struct {
	status
	GroupChat chatView `json:"group_chat"`
}

type gcGetRequest struct {
	ChatID   string  `json:"chat_id"`
	NeedName flexInt `json:"need_name"`
}

// gcGet serves POST externalcontact/groupchat/get: the group with its
// members (their names with need_name 1) and administrators. The owner
// must be visible to the caller, or have left.
func (s *Server) gcGet(c *call, req gcGetRequest) (any, *apiError) {
	cs := s.lockCustomers()
	defer s.st.mu.Unlock()
	ch := cs.chats[req.ChatID]
	if ch == nil {
		return nil, errorf(90501, "%q", req.ChatID)
	}
	if s.st.hiddenUser(c, ch.Owner) {
		return nil, errorf(60011, "the owner %s is outside the app's visible range", ch.Owner)
	}
	v := chatView{ChatID: ch.ChatID, Name: ch.Name, Owner: ch.Owner, CreateTime: ch.CreateTime, Notice: ch.Notice,
		MemberList: []chatMemberView{}, AdminList: []userRef{}}
	var ids []string
	for _, gm := range ch.Members {
		mv := chatMemberView{UserID: gm.UserID, Type: gm.Type, JoinTime: gm.JoinTime, JoinScene: gm.JoinScene, GroupNickname: gm.GroupNickname}
		if gm.Invitor != "" {
			mv.Invitor = &userRef{gm.Invitor}
		}
		if cu := cs.customers[gm.UserID]; cu != nil && gm.Type == 2 {
			mv.UnionID = cu.UnionID
			if req.NeedName == 1 {
				mv.Name = cu.Name
			}
		} else if m := s.st.user(gm.UserID); m != nil && req.NeedName == 1 {
			mv.Name = m.Name
		}
		v.MemberList = append(v.MemberList, mv)
		ids = append(ids, gm.UserID)
	}
	for _, a := range ch.Admins {
		v.AdminList = append(v.AdminList, userRef{a})
	}
	v.MemberVersion = digest(append([]string{"members", ch.ChatID}, ids...)...)[:32]
	return chatAnswer{okStatus, v}, nil
}

type failedChat struct {
	ChatID  string `json:"chat_id"`
	ErrCode int    `json:"errcode"`
	ErrMsg  string `json:"errmsg"`
}

type chatTransferAnswer struct {
	status
	FailedChatList []failedChat `json:"failed_chat_list"`
}

type chatTransferRequest struct {
	ChatIDList stringList `json:"chat_id_list"`
	NewOwner   string     `json:"new_owner"`
}

// gcTransfer serves POST externalcontact/groupchat/transfer (resigned: the
// owners must have left, 90500 otherwise) and groupchat/onjob_transfer (the
// owners must be in post, 90502 otherwise). Each group that can moves to
// new_owner at once, without the owner who left; the others are listed
// with their errcode: 90501 not a customer group, 90504 new_owner owns it
// already.
func (s *Server) gcTransfer(resigned bool) func(*call, chatTransferRequest) (any, *apiError) {
	return func(c *call, req chatTransferRequest) (any, *apiError) {
		switch {
		case len(req.ChatIDList) == 0:
			return nil, errorf(40058, "chat_id_list is empty")
		case len(req.ChatIDList) > 100:
			return nil, errorf(40058, "chat_id_list holds at most 100 chats")
		}
		cs := s.lockCustomers()
		defer s.st.mu.Unlock()
		owner, e := s.checkTakeover(c, req.NewOwner)
		if e != nil {
			return nil, e
		}
		now := cs.now().Unix()
		out := chatTransferAnswer{okStatus, []failedChat{}}
		for _, id := range req.ChatIDList {
			ch := cs.chats[id]
			code := 0
			switch left := ch != nil && s.st.user(ch.Owner) == nil; {
			case ch == nil:
				code = 90501
			case strings.EqualFold(ch.Owner, owner.UserID):
				code = 90504
			case resigned && !left:
				code = 90500
			case !resigned && left:
				code = 90502
			}
			if code != 0 {
				out.FailedChatList = append(out.FailedChatList, failedChat{id, code, errorText[code]})
				continue
			}
			if resigned {
				// The member who left is no longer in the group.
				gone := ch.Owner
				ch.Members = slices.DeleteFunc(ch.Members, func(m CustomerGroupMember) bool { return strings.EqualFold(m.UserID, gone) })
				ch.Admins = slices.DeleteFunc(ch.Admins, func(a string) bool { return strings.EqualFold(a, gone) })
				ch.status = 3
			}
			ch.Owner = owner.UserID
			if !slices.ContainsFunc(ch.Members, func(m CustomerGroupMember) bool { return strings.EqualFold(m.UserID, owner.UserID) }) {
				ch.Members = append(ch.Members, CustomerGroupMember{UserID: owner.UserID, Type: 1, JoinTime: now, JoinScene: 1})
			}
		}
		return out, nil
	}
}
