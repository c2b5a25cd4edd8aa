package wecom

import (
	"context"
	"iter"
)

// ExternalContactGroupChatService is the customer group API group
// (客户群管理): the external group chats members created, and the transfer
// of their ownership. The secrets it takes are those of
// ExternalContactService; an application sees the groups whose owner is in
// its visible range.
//
// WeCom API docs: https://developer.work.weixin.qq.com/document/path/92119
type ExternalContactGroupChatService service

// The follow-up states of a customer group (客户群跟进状态), and the filters of
// GroupChatQuery.StatusFilter but 0, which is no filter.
const (
	GroupChatNormal      = 0 // 跟进人正常
	GroupChatOwnerLeft   = 1 // 跟进人离职 (离职待继承)
	GroupChatInheriting  = 2 // 离职继承中
	GroupChatInheritDone = 3 // 离职继承完成
)

// GroupChatQuery selects the customer groups of a list.
type GroupChatQuery struct {
	StatusFilter int          `json:"status_filter"` // 0 all, else one of the states
	OwnerFilter  *OwnerFilter `json:"owner_filter,omitempty"`
	Cursor       string       `json:"cursor,omitempty"`
	Limit        int          `json:"limit"` // 1 to 1000
}

// OwnerFilter keeps the groups of the owners given. The groups of an owner
// who left are listed only when the owner is named here.
type OwnerFilter struct {
	UserIDList []string `json:"userid_list"` // at most 100
}

// GroupChatStatus is a customer group of a list, with its follow-up state.
type GroupChatStatus struct {
	ChatID string `json:"chat_id"`
	Status int    `json:"status"`
}

// GroupChatPage is a page of groupchat/list.
type GroupChatPage struct {
	GroupChatList []GroupChatStatus `json:"group_chat_list"`
	NextCursor    string            `json:"next_cursor"`
}

// CustomerGroup is a customer group (客户群).
type CustomerGroup struct {
	ChatID        string                `json:"chat_id"`
	Name          string                `json:"name"`
	Owner         string                `json:"owner"`
	CreateTime    int64                 `json:"create_time"`
	Notice        string                `json:"notice"`
	MemberList    []CustomerGroupMember `json:"member_list"`
	AdminList     []CustomerGroupUser   `json:"admin_list"`
	MemberVersion string                `json:"member_version"`
}

// CustomerGroupMember is a member of a customer group: a member of the corp
// (Type 1) or an external contact (Type 2).
type CustomerGroupMember struct {
	UserID        string             `json:"userid"`
	Type          int                `json:"type"`
	UnionID       string             `json:"unionid,omitempty"`
	JoinTime      int64              `json:"join_time"`
	JoinScene     int                `json:"join_scene"` // 1 invited, 2 invitation link, 3 QR code
	Invitor       *CustomerGroupUser `json:"invitor,omitempty"`
	GroupNickname string             `json:"group_nickname"`
	Name          string             `json:"name,omitempty"` // with need_name
}

// CustomerGroupUser is a member named by userid: an administrator or an invitor.
type CustomerGroupUser struct {
	UserID string `json:"userid"`
}

// FailedChat is a customer group a transfer could not move, with WeCom's
// errcode (90500 the owner has not left, 90501 not a customer group, ...).
type FailedChat struct {
	ChatID  string `json:"chat_id"`
	ErrCode int    `json:"errcode"`
	ErrMsg  string `json:"errmsg"`
}

// ListAll iterates over every customer group q selects, reading
// groupchat/list page by page from q's cursor. It stops at the first error,
// which it yields.
//
// WeCom API docs: https://developer.work.weixin.qq.com/document/path/92120
func (s *ExternalContactGroupChatService) ListAll(ctx context.Context, q GroupChatQuery) iter.Seq2[GroupChatStatus, error] {
	return CursorPages(ctx, "externalcontact/groupchat/list", func(ctx context.Context, cursor string) ([]GroupChatStatus, string, error) {
		q.Cursor = cursor
		page, err := s.List(ctx, &q)
		if err != nil {
			return nil, "", err
		}
		return page.GroupChatList, page.NextCursor, nil
	})
}

// Get reads a customer group (获取客户群详情); needName 1 adds the members'
// names.
//
// WeCom API docs: https://developer.work.weixin.qq.com/document/path/92122
func (s *ExternalContactGroupChatService) Get(ctx context.Context, chatID string, needName int) (*CustomerGroup, error) {
	var res struct {
		GroupChat CustomerGroup `json:"group_chat"`
	}
	if err := s.client.Do(ctx, s.GetRequest(chatID, needName), &res); err != nil {
		return nil, err
	}
	return &res.GroupChat, nil
}

// Transfer gives customer groups (at most MaxTransfer) whose owner left to
// newOwner (分配离职成员的客户群). It returns the groups that could not be
// moved.
//
// WeCom API docs: https://developer.work.weixin.qq.com/document/path/92127
func (s *ExternalContactGroupChatService) Transfer(ctx context.Context, chatIDs []string, newOwner string) ([]FailedChat, error) {
	return s.failed(ctx, s.TransferRequest(chatIDs, newOwner))
}

// OnJobTransfer gives customer groups (at most MaxTransfer) whose owner is
// in post to newOwner (分配在职成员的客户群). It returns the groups that could
// not be moved.
//
// WeCom API docs: https://developer.work.weixin.qq.com/document/path/95703
func (s *ExternalContactGroupChatService) OnJobTransfer(ctx context.Context, chatIDs []string, newOwner string) ([]FailedChat, error) {
	return s.failed(ctx, s.OnJobTransferRequest(chatIDs, newOwner))
}

// failed sends a group transfer and returns the groups that failed.
func (s *ExternalContactGroupChatService) failed(ctx context.Context, req *Request) ([]FailedChat, error) {
	return memberOf[[]FailedChat](ctx, s.client, req, "failed_chat_list")
}
