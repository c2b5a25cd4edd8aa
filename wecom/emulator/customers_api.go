package emulator

import (
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// The handlers of the customer contact API (externalcontact/). Each takes
// the state's write lock, because settling due transfers may change it.
// Which secrets may call them is decided once, by permit (permissions.go).

// lockCustomers takes the state's lock, completes the transfers that are
// due, and returns the customer state; the caller unlocks st.mu. Member
// views are unaffected, so the state's version is left alone.
func (s *Server) lockCustomers() *customerState {
	s.st.mu.Lock()
	cs := s.st.customers
	cs.settle()
	return cs
}

type followUsersAnswer struct {
	status
	FollowUser []string `json:"follow_user"`
}

// ecFollowUsers serves GET externalcontact/get_follow_user_list: the
// members in post configured for customer contact that the caller sees.
func (s *Server) ecFollowUsers(c *call) (any, *apiError) {
	cs := s.lockCustomers()
	defer s.st.mu.Unlock()
	out := followUsersAnswer{okStatus, []string{}}
	for _, m := range s.st.sortedMembers(sortedKeys(s.st.depts)) {
		if cs.follow[strings.ToLower(m.UserID)] && s.st.userVisible(c.app(), m) {
			out.FollowUser = append(out.FollowUser, m.UserID)
		}
	}
	return out, nil
}

type externalIDsAnswer struct {
	status
	ExternalUserID []string `json:"external_userid"`
}

// ecList serves GET externalcontact/list?userid=: the customers of a member.
func (s *Server) ecList(c *call) (any, *apiError) {
	cs := s.lockCustomers()
	defer s.st.mu.Unlock()
	m, e := s.followUser(c, c.param("userid"))
	if e != nil {
		return nil, e
	}
	out := externalIDsAnswer{okStatus, []string{}}
	for _, cu := range cs.sortedCustomers() {
		if cu.follower(m.UserID) != nil {
			out.ExternalUserID = append(out.ExternalUserID, cu.ExternalUserID)
		}
	}
	return out, nil
}

// contactView is a customer as external_contact.
type contactView struct {
	ExternalUserID string `json:"external_userid"`
	Name           string `json:"name"`
	Position       string `json:"position,omitempty"`
	Avatar         string `json:"avatar"`
	CorpName       string `json:"corp_name,omitempty"`
	CorpFullName   string `json:"corp_full_name,omitempty"`
	Type           int    `json:"type"`
	Gender         int    `json:"gender"`
	UnionID        string `json:"unionid,omitempty"`
}

func (cu *customerRec) view() contactView {
	avatar := cu.Avatar
	if avatar == "" {
		avatar = "https://wx.qlogo.cn/mmhead/" + digest("customer", cu.ExternalUserID)[:24] + "/0"
	}
	return contactView{cu.ExternalUserID, cu.Name, cu.Position, avatar, cu.CorpName, cu.CorpFullName, cu.Type, cu.Gender, cu.UnionID}
}

// followBase is what externalcontact/get's follow_user and
// batch/get_by_user's follow_info share.
type followBase struct {
	UserID        string   `json:"userid"`
	Remark        string   `json:"remark"`
	Description   string   `json:"description"`
	CreateTime    int64    `json:"createtime"`
	RemarkMobiles []string `json:"remark_mobiles"`
	OperUserID    string   `json:"oper_userid"`
	AddWay        int      `json:"add_way"`
	State         string   `json:"state,omitempty"`
}

// followView is a follow_user of externalcontact/get: tags with names.
type followView struct {
	followBase
	Tags []followTag `json:"tags"`
}

// followInfo is a follow_info of batch/get_by_user: tag ids.
type followInfo struct {
	followBase
	TagID []string `json:"tag_id"`
}

type followTag struct {
	GroupName string `json:"group_name"`
	TagName   string `json:"tag_name"`
	TagID     string `json:"tag_id"`
	Type      int    `json:"type"` // 1: a corp tag
}

// base is f's fields common to both views. oper_userid is who started the
// adding: the customer for a WeChat customer, else the member.
func (f *followRec) base(cu *customerRec) followBase {
	b := followBase{UserID: f.UserID, Remark: f.Remark, Description: f.Description, CreateTime: f.CreateTime,
		RemarkMobiles: []string{}, OperUserID: f.UserID, AddWay: f.AddWay, State: f.State}
	if f.AddWay != addWayAssigned && cu.Type == 1 {
		b.OperUserID = cu.ExternalUserID
	}
	return b
}

// followView is f as a follow_user of externalcontact/get.
func (cs *customerState) followView(cu *customerRec, f *followRec) followView {
	v := followView{f.base(cu), []followTag{}}
	for _, id := range f.TagIDs {
		if t, g := cs.tag(id); t != nil {
			v.Tags = append(v.Tags, followTag{g.GroupName, t.Name, t.ID, 1})
		}
	}
	return v
}

type customerAnswer struct {
	status
	ExternalContact contactView  `json:"external_contact"`
	FollowUser      []followView `json:"follow_user"`
}

// ecGet serves GET externalcontact/get?external_userid=: a customer with
// the members in post who follow them and whom the caller sees.
func (s *Server) ecGet(c *call) (any, *apiError) {
	cs := s.lockCustomers()
	defer s.st.mu.Unlock()
	cu := cs.customers[c.param("external_userid")]
	if cu == nil {
		return nil, errorf(40096, "%q", c.param("external_userid"))
	}
	out := customerAnswer{okStatus, cu.view(), []followView{}}
	for _, f := range cu.follows {
		if f.active() && s.st.seenUser(c, f.UserID) != nil {
			out.FollowUser = append(out.FollowUser, cs.followView(cu, f))
		}
	}
	if len(out.FollowUser) == 0 {
		return nil, errorf(84061, "no member the caller sees follows %s", cu.ExternalUserID)
	}
	return out, nil
}

type customerInfo struct {
	ExternalContact contactView `json:"external_contact"`
	FollowInfo      followInfo  `json:"follow_info"`
}

type customerPageAnswer struct {
	status
	ExternalContactList []customerInfo `json:"external_contact_list"`
	NextCursor          string         `json:"next_cursor"`
}

type ecBatchGetByUserRequest struct {
	UserIDList stringList `json:"userid_list"`
	UserID     string     `json:"userid"`
	Cursor     string     `json:"cursor"`
	Limit      flexInt    `json:"limit"`
}

// ecBatchGetByUser serves POST externalcontact/batch/get_by_user: one row
// per (member, customer) of the members given, in userid_list (or
// wechatpy's single userid), paged.
func (s *Server) ecBatchGetByUser(c *call, req ecBatchGetByUserRequest) (any, *apiError) {
	ids := req.UserIDList
	if req.UserID != "" {
		ids = append(ids, req.UserID)
	}
	switch {
	case len(ids) == 0:
		return nil, newError(41009)
	case len(ids) > 100:
		return nil, errorf(40058, "userid_list holds at most 100 userids")
	}
	limit := int(req.Limit)
	if limit <= 0 {
		limit = 50
	}
	limit = min(limit, 100)
	cs := s.lockCustomers()
	defer s.st.mu.Unlock()
	var rows []customerInfo
	for _, id := range ids {
		m, e := s.followUser(c, id)
		if e != nil {
			return nil, e
		}
		for _, cu := range cs.sortedCustomers() {
			if f := cu.follower(m.UserID); f != nil {
				rows = append(rows, customerInfo{cu.view(), followInfo{f.base(cu), append([]string{}, f.TagIDs...)}})
			}
		}
	}
	list, next, e := page(rows, req.Cursor, limit)
	if e != nil {
		return nil, e
	}
	return customerPageAnswer{okStatus, append([]customerInfo{}, list...), next}, nil
}

type unassigned struct {
	HandoverUserID string `json:"handover_userid"`
	ExternalUserID string `json:"external_userid"`
	DimissionTime  int64  `json:"dimission_time"`
}

type unassignedAnswer struct {
	status
	Info       []unassigned `json:"info"`
	IsLast     bool         `json:"is_last"`
	NextCursor string       `json:"next_cursor,omitempty"`
}

type ecUnassignedRequest struct {
	PageID   flexInt `json:"page_id"`
	PageSize flexInt `json:"page_size"`
	Cursor   string  `json:"cursor"`
}

// ecUnassigned serves POST externalcontact/get_unassigned_list: the
// customers of members who left that no transfer has claimed, oldest
// leaver first, paged by cursor or by page_id.
func (s *Server) ecUnassigned(c *call, req ecUnassignedRequest) (any, *apiError) {
	size := int(req.PageSize)
	if size <= 0 {
		size = 1000
	}
	if size > 1000 || req.PageID < 0 {
		return nil, errorf(40058, "page_size is at most 1000")
	}
	cs := s.lockCustomers()
	defer s.st.mu.Unlock()
	type row struct {
		unassigned
		at  time.Time
		seq int
	}
	var rows []row
	for _, cu := range cs.sortedCustomers() {
		for _, f := range cu.follows {
			if !f.active() && f.pending == nil {
				rows = append(rows, row{unassigned{f.UserID, cu.ExternalUserID, f.left.Unix()}, f.left, cu.seq})
			}
		}
	}
	slices.SortStableFunc(rows, func(a, b row) int { return a.at.Compare(b.at) })
	out := unassignedAnswer{status: okStatus, Info: []unassigned{}}
	var list []row
	if req.Cursor == "" && req.PageID > 0 {
		// page_id paging, which answers no cursor.
		from := int(req.PageID) * size
		list = rows[min(from, len(rows)):min(from+size, len(rows))]
		out.IsLast = from+size >= len(rows)
	} else {
		var e *apiError
		if list, out.NextCursor, e = page(rows, req.Cursor, size); e != nil {
			return nil, e
		}
		out.IsLast = out.NextCursor == ""
	}
	for _, r := range list {
		out.Info = append(out.Info, r.unassigned)
	}
	return out, nil
}

type transferRequest struct {
	Handover   string     `json:"handover_userid"`
	Takeover   string     `json:"takeover_userid"`
	External   stringList `json:"external_userid"`
	SuccessMsg string     `json:"transfer_success_msg"`
}

type customerTransfer struct {
	ExternalUserID string `json:"external_userid"`
	ErrCode        int    `json:"errcode"`
}

type transferAnswer struct {
	status
	Customer []customerTransfer `json:"customer"`
}

// ecTransfer serves POST externalcontact/transfer_customer (in post) and
// externalcontact/resigned/transfer_customer (resigned): it starts the
// transfer of each customer it can, and answers an errcode per customer.
func (s *Server) ecTransfer(resigned bool) func(*call, transferRequest) (any, *apiError) {
	return func(c *call, req transferRequest) (any, *apiError) {
		switch {
		case req.Handover == "" || req.Takeover == "":
			return nil, errorf(41009, "handover_userid and takeover_userid are required")
		case len(req.External) == 0:
			return nil, newError(41035)
		case len(req.External) > 100:
			return nil, errorf(40058, "at most 100 customers a call")
		case strings.EqualFold(req.Handover, req.Takeover):
			return nil, newError(40130)
		case utf8.RuneCountInString(req.SuccessMsg) > 200:
			return nil, errorf(40058, "transfer_success_msg is at most 200 characters")
		}
		cs := s.lockCustomers()
		defer s.st.mu.Unlock()
		handover, e := s.handover(c, req.Handover, resigned)
		if e != nil {
			return nil, e
		}
		takeover, e := s.checkTakeover(c, req.Takeover)
		if e != nil {
			return nil, e
		}
		now := cs.now()
		out := transferAnswer{okStatus, []customerTransfer{}}
		for _, id := range req.External {
			code := cs.startTransfer(id, handover, takeover.UserID, resigned, now)
			out.Customer = append(out.Customer, customerTransfer{id, code})
		}
		return out, nil
	}
}

// handover returns the userid of the member handing customers over: a
// member in post the caller sees (60111, 60011) for an in-post transfer; a
// member who left (40097 while still in post) for a resigned one.
func (s *Server) handover(c *call, id string, resigned bool) (string, *apiError) {
	if !resigned {
		m, e := s.st.visibleUser(c, id)
		if e != nil {
			return "", e
		}
		return m.UserID, nil
	}
	if s.st.user(id) != nil {
		return "", errorf(40097, "%s is still a member", id)
	}
	l, ok := s.st.customers.leavers[strings.ToLower(id)]
	if !ok {
		return "", errorf(60111, "%s", id)
	}
	return l.userID, nil
}

// ninetyDays is the window of WeCom's rule that a customer of a member in
// post is transferred at most twice in 90 days.
const ninetyDays = 90 * 24 * time.Hour

// startTransfer starts the transfer of customer id from handover to
// takeover and returns its errcode: 0 started, 40096 no such customer,
// 84061 not a customer of handover, 40100 already being transferred, 40128
// transferred twice in the last 90 days (in-post transfers only).
func (cs *customerState) startTransfer(id, handover, takeover string, resigned bool, now time.Time) int {
	cu := cs.customers[id]
	if cu == nil {
		return 40096
	}
	i := slices.IndexFunc(cu.follows, func(f *followRec) bool {
		return strings.EqualFold(f.UserID, handover) && f.active() != resigned
	})
	if i < 0 {
		return 84061
	}
	f := cu.follows[i]
	if f.pending != nil {
		return 40100
	}
	if !resigned {
		recent := slices.DeleteFunc(slices.Clone(cu.moves), func(t time.Time) bool { return now.Sub(t) >= ninetyDays })
		if len(recent) >= 2 {
			return 40128
		}
		cu.moves = append(recent, now)
	}
	t := &transfer{resigned: resigned, customer: id, handover: handover, takeover: takeover, due: now.Add(cs.delay)}
	f.pending = t
	cs.transfers = append(cs.transfers, t)
	cs.waiting = append(cs.waiting, t)
	return 0
}

type transferStatus struct {
	ExternalUserID string `json:"external_userid"`
	Status         int    `json:"status"`
	TakeoverTime   int64  `json:"takeover_time"`
}

type transferResultAnswer struct {
	status
	Customer   []transferStatus `json:"customer"`
	NextCursor string           `json:"next_cursor"`
}

type transferResultRequest struct {
	Handover string `json:"handover_userid"`
	Takeover string `json:"takeover_userid"`
	Cursor   string `json:"cursor"`
}

// ecTransferResult serves POST externalcontact/transfer_result and
// externalcontact/resigned/transfer_result: the state of each customer
// transferred between the two members, in the order of the transfers,
// 1000 a page.
func (s *Server) ecTransferResult(resigned bool) func(*call, transferResultRequest) (any, *apiError) {
	return func(c *call, req transferResultRequest) (any, *apiError) {
		if req.Handover == "" || req.Takeover == "" {
			return nil, errorf(41009, "handover_userid and takeover_userid are required")
		}
		cs := s.lockCustomers()
		defer s.st.mu.Unlock()
		if _, e := s.st.visibleUser(c, req.Takeover); e != nil {
			return nil, e
		}
		var rows []transferStatus
		for _, t := range cs.transfers {
			if t.resigned == resigned && strings.EqualFold(t.handover, req.Handover) && strings.EqualFold(t.takeover, req.Takeover) {
				st := transferStatus{t.customer, transferWaiting, t.due.Unix()}
				if t.done {
					st.Status = transferDone
				}
				rows = append(rows, st)
			}
		}
		list, next, e := page(rows, req.Cursor, 1000)
		if e != nil {
			return nil, e
		}
		return transferResultAnswer{okStatus, append([]transferStatus{}, list...), next}, nil
	}
}
