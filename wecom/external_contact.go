package wecom

import (
	"context"
	"iter"
)

// ExternalContactService is the customer contact API group (客户联系): the
// customers members added, corp customer tags, and the transfer of
// customers from members in post (在职继承) and from members who left
// (离职继承).
//
// A corp created after 2023-12-01 calls it with the secret of a self-built
// application configured in 客户联系 → 可调用应用 (the secret of the system
// application 客户联系 works only for older corps), and sees the members in
// that application's visible range. Members must be configured for customer
// contact (客户联系使用范围) to have customers.
//
// WeCom API docs: https://developer.work.weixin.qq.com/document/path/92109
type ExternalContactService service

// MaxTransfer is the number of customers (or customer groups) one transfer
// call may move.
const MaxTransfer = 100

// ExternalContact is a customer as WeCom describes them: a WeChat user
// (Type 1) or a member of another WeCom corp (Type 2).
type ExternalContact struct {
	ExternalUserID  string          `json:"external_userid"`
	Name            string          `json:"name"`
	Position        string          `json:"position,omitempty"`
	Avatar          string          `json:"avatar,omitempty"`
	CorpName        string          `json:"corp_name,omitempty"`      // short name of the customer's corp (type 2)
	CorpFullName    string          `json:"corp_full_name,omitempty"` // full name of the customer's corp (type 2)
	Type            int             `json:"type"`                     // 1 WeChat user, 2 WeCom user
	Gender          int             `json:"gender"`                   // 0 unknown, 1 male, 2 female
	UnionID         string          `json:"unionid,omitempty"`
	ExternalProfile ExternalProfile `json:"external_profile"`
}

// FollowUser is a member who added a customer, with what the member noted
// about them. externalcontact/get lists the tags with their names (Tags);
// batch/get_by_user gives their ids (TagID).
type FollowUser struct {
	UserID         string          `json:"userid"`
	Remark         string          `json:"remark"`
	Description    string          `json:"description"`
	CreateTime     int64           `json:"createtime"` // when the member added the customer, Unix seconds
	Tags           []FollowUserTag `json:"tags,omitempty"`
	TagID          []string        `json:"tag_id,omitempty"`
	RemarkCorpName string          `json:"remark_corp_name,omitempty"`
	RemarkMobiles  []string        `json:"remark_mobiles,omitempty"`
	OperUserID     string          `json:"oper_userid,omitempty"` // who started the adding: the member, or the customer
	AddWay         int             `json:"add_way"`               // how the customer was added (来源定义)
	State          string          `json:"state,omitempty"`       // the state of the contact way used, if any
}

// FollowUserTag is a tag a member put on a customer.
type FollowUserTag struct {
	GroupName string `json:"group_name"`
	TagName   string `json:"tag_name"`
	TagID     string `json:"tag_id,omitempty"` // corp tags only
	Type      int    `json:"type"`             // 1 corp tag, 2 the member's own, 3 rule group tag
}

// Customer is a customer with the members who added them, as
// externalcontact/get answers.
type Customer struct {
	ExternalContact ExternalContact `json:"external_contact"`
	FollowUser      []FollowUser    `json:"follow_user"`
	NextCursor      string          `json:"next_cursor,omitempty"` // more follow users to read
}

// CustomerInfo is one customer of one member, as batch/get_by_user answers.
type CustomerInfo struct {
	ExternalContact ExternalContact `json:"external_contact"`
	FollowInfo      FollowUser      `json:"follow_info"`
}

// CustomerPage is a page of batch/get_by_user.
type CustomerPage struct {
	ExternalContactList []CustomerInfo `json:"external_contact_list"`
	NextCursor          string         `json:"next_cursor"`
}

// UnassignedCustomer is a customer of a member who left, not yet assigned
// to anyone.
type UnassignedCustomer struct {
	HandoverUserID string `json:"handover_userid"`
	ExternalUserID string `json:"external_userid"`
	DimissionTime  int64  `json:"dimission_time"` // when the member left, Unix seconds
}

// UnassignedPage is a page of get_unassigned_list.
type UnassignedPage struct {
	Info       []UnassignedCustomer `json:"info"`
	IsLast     bool                 `json:"is_last"`
	NextCursor string               `json:"next_cursor"`
}

// CustomerTransfer is the outcome of a transfer for one customer: 0 when
// the transfer started (the takeover happens 24 hours later), else WeCom's
// errcode for that customer (40096 not a valid external userid, ...).
type CustomerTransfer struct {
	ExternalUserID string `json:"external_userid"`
	ErrCode        int    `json:"errcode"`
}

// The states of a transferred customer (接替状态).
const (
	TransferDone       = 1 // 接替完毕
	TransferWaiting    = 2 // 等待接替
	TransferRefused    = 3 // 客户拒绝
	TransferLimit      = 4 // 接替成员客户达到上限
	TransferNoTransfer = 5 // 无接替记录
)

// TransferStatus is the state of one transferred customer.
type TransferStatus struct {
	ExternalUserID string `json:"external_userid"`
	Status         int    `json:"status"`        // TransferDone, TransferWaiting, ...
	TakeoverTime   int64  `json:"takeover_time"` // when the takeover happened, or will (waiting)
}

// TransferResultPage is a page of transfer_result or resigned/transfer_result.
type TransferResultPage struct {
	Customer   []TransferStatus `json:"customer"`
	NextCursor string           `json:"next_cursor"`
}

// CorpTagGroup is a group of corp customer tags (企业客户标签组). As an
// argument of AddCorpTag, only GroupID, or GroupName and Order, and the
// names and orders of Tag are used.
type CorpTagGroup struct {
	GroupID    string    `json:"group_id,omitempty"`
	GroupName  string    `json:"group_name,omitempty"`
	CreateTime int64     `json:"create_time,omitempty"`
	Order      int       `json:"order,omitempty"` // larger first
	Deleted    bool      `json:"deleted,omitempty"`
	Tag        []CorpTag `json:"tag"`
}

// CorpTag is a corp customer tag (企业客户标签).
type CorpTag struct {
	ID         string `json:"id,omitempty"`
	Name       string `json:"name"`
	CreateTime int64  `json:"create_time,omitempty"`
	Order      int    `json:"order,omitempty"` // larger first
	Deleted    bool   `json:"deleted,omitempty"`
}

// GetFollowUserList returns the userids of the members configured for
// customer contact that the caller may see (获取配置了客户联系功能的成员列表).
//
// WeCom API docs: https://developer.work.weixin.qq.com/document/path/92571
func (s *ExternalContactService) GetFollowUserList(ctx context.Context) ([]string, error) {
	return memberOf[[]string](ctx, s.client, s.GetFollowUserListRequest(), "follow_user")
}

// List returns the external userids of a member's customers (获取客户列表).
//
// WeCom API docs: https://developer.work.weixin.qq.com/document/path/92113
func (s *ExternalContactService) List(ctx context.Context, userID string) ([]string, error) {
	return memberOf[[]string](ctx, s.client, s.ListRequest(userID), "external_userid")
}

// AllByUser iterates over every customer of the members, reading
// batch/get_by_user page by page (limit customers a page, at most 100). It
// stops at the first error, which it yields.
//
// WeCom API docs: https://developer.work.weixin.qq.com/document/path/92994
func (s *ExternalContactService) AllByUser(ctx context.Context, userIDs []string, limit int) iter.Seq2[CustomerInfo, error] {
	return CursorPages(ctx, "externalcontact/batch/get_by_user", func(ctx context.Context, cursor string) ([]CustomerInfo, string, error) {
		page, err := s.BatchGetByUser(ctx, userIDs, cursor, limit)
		if err != nil {
			return nil, "", err
		}
		return page.ExternalContactList, page.NextCursor, nil
	})
}

// TransferCustomer hands customers (at most MaxTransfer) of a member in post
// to another member (分配在职成员的客户), with the message the customers get
// (WeCom's default when empty). The takeover happens 24 hours later unless
// the customer refuses; a customer moves at most twice in 90 days. The
// result has WeCom's errcode for each customer: check them.
//
// WeCom API docs: https://developer.work.weixin.qq.com/document/path/92125
func (s *ExternalContactService) TransferCustomer(ctx context.Context, handoverUserID, takeoverUserID string, externalUserIDs []string, successMsg string) ([]CustomerTransfer, error) {
	return s.transfers(ctx, s.TransferCustomerRequest(handoverUserID, takeoverUserID, externalUserIDs, successMsg))
}

// ResignedTransferCustomer assigns customers (at most MaxTransfer) of a
// member who left to another member (分配离职成员的客户), who takes them over
// 24 hours later. The result has WeCom's errcode for each customer: check
// them.
//
// WeCom API docs: https://developer.work.weixin.qq.com/document/path/94081
func (s *ExternalContactService) ResignedTransferCustomer(ctx context.Context, handoverUserID, takeoverUserID string, externalUserIDs []string) ([]CustomerTransfer, error) {
	return s.transfers(ctx, s.ResignedTransferCustomerRequest(handoverUserID, takeoverUserID, externalUserIDs))
}

// transfers sends a transfer and returns the outcome of each customer.
func (s *ExternalContactService) transfers(ctx context.Context, req *Request) ([]CustomerTransfer, error) {
	return memberOf[[]CustomerTransfer](ctx, s.client, req, "customer")
}

// GetCorpTagList returns the corp's customer tag groups with their tags
// (获取企业标签库): all of them, or the groups given, or the tags given.
//
// WeCom API docs: https://developer.work.weixin.qq.com/document/path/92117
func (s *ExternalContactService) GetCorpTagList(ctx context.Context, tagIDs, groupIDs []string) ([]CorpTagGroup, error) {
	return memberOf[[]CorpTagGroup](ctx, s.client, s.GetCorpTagListRequest(tagIDs, groupIDs), "tag_group")
}

// AddCorpTag adds the tags of g to the group g.GroupID, or to the group
// named g.GroupName, created (with g.Order) if there is none (添加企业客户标签).
// It returns the group with the tags added and their ids.
//
// WeCom API docs: https://developer.work.weixin.qq.com/document/path/92117
func (s *ExternalContactService) AddCorpTag(ctx context.Context, g *CorpTagGroup) (*CorpTagGroup, error) {
	var res struct {
		TagGroup CorpTagGroup `json:"tag_group"`
	}
	if err := s.client.Do(ctx, s.AddCorpTagRequest(g.GroupID, g.GroupName, g.Order, g.Tag), &res); err != nil {
		return nil, err
	}
	return &res.TagGroup, nil
}
