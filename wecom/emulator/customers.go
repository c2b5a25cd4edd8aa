package emulator

// Customer contact (客户联系): the members configured for it, the corp
// customer tags, the customers the members added, the customer groups, and
// the transfers of customers and groups between members.
//
// How the emulator models it:
//   - A customer is followed by the members who added them (follow_user).
//     When a member is deleted, their follows stay, as WeCom keeps them: the
//     customers become unassigned (get_unassigned_list) with the time the
//     member left, and the groups they owned are "离职待继承" (status 1).
//   - A customer transfer (transfer_customer, resigned/transfer_customer)
//     starts at once and completes when the emulator's clock reaches the
//     takeover time, 24 hours later as WeCom says (WithTransferDelay
//     changes it; WithClock moves time in tests). Until then
//     transfer_result answers "2 等待接替" with the future takeover time and
//     the customer stays with the member handing over; at the takeover the
//     follow moves to the member taking over (add_way 202, 管理员/负责人分配)
//     with its remark and tags, and the result is "1 接替完毕".
//   - A customer group transfer (groupchat/transfer, onjob_transfer) is
//     immediate: WeCom changes the owner at once.
//
// The rules and errcodes come from the pages of each API (document/path/
// 92113 ... 95703) and WeCom's global error codes (document/path/90313).

import (
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// ExternalContact is an org's customer contact data.
type ExternalContact struct {
	// FollowUsers are the members configured for customer contact
	// (客户联系使用范围): only they have customers and may take them over.
	FollowUsers []string `json:"follow_users" yaml:"follow_users"`
	// TagGroups are the corp customer tags (企业客户标签), by group.
	TagGroups []CorpTagGroup `json:"tag_groups,omitempty" yaml:"tag_groups,omitempty"`
	// Customers are the customers, each with the members who added them.
	Customers []Customer `json:"customers,omitempty" yaml:"customers,omitempty"`
	// GroupChats are the customer groups (客户群).
	GroupChats []CustomerGroup `json:"group_chats,omitempty" yaml:"group_chats,omitempty"`
}

// CorpTagGroup is a group of corp customer tags.
type CorpTagGroup struct {
	GroupID    string    `json:"group_id" yaml:"group_id"`
	GroupName  string    `json:"group_name" yaml:"group_name"`
	CreateTime int64     `json:"create_time,omitempty" yaml:"create_time,omitempty"`
	Order      int       `json:"order,omitempty" yaml:"order,omitempty"`
	Tags       []CorpTag `json:"tag" yaml:"tag"`
}

// CorpTag is a corp customer tag.
type CorpTag struct {
	ID         string `json:"id" yaml:"id"`
	Name       string `json:"name" yaml:"name"`
	CreateTime int64  `json:"create_time,omitempty" yaml:"create_time,omitempty"`
	Order      int    `json:"order,omitempty" yaml:"order,omitempty"`
}

// Customer is a customer (客户): a WeChat user (Type 1) or a member of
// another WeCom corp (Type 2), with the members who added them.
type Customer struct {
	ExternalUserID string           `json:"external_userid" yaml:"external_userid"`
	Name           string           `json:"name" yaml:"name"`
	Type           int              `json:"type" yaml:"type"`
	Gender         int              `json:"gender,omitempty" yaml:"gender,omitempty"`
	Avatar         string           `json:"avatar,omitempty" yaml:"avatar,omitempty"`
	Position       string           `json:"position,omitempty" yaml:"position,omitempty"`
	CorpName       string           `json:"corp_name,omitempty" yaml:"corp_name,omitempty"`
	CorpFullName   string           `json:"corp_full_name,omitempty" yaml:"corp_full_name,omitempty"`
	UnionID        string           `json:"unionid,omitempty" yaml:"unionid,omitempty"`
	Follow         []CustomerFollow `json:"follow_user" yaml:"follow_user"`
}

// CustomerFollow is a member who added a customer, with their notes.
type CustomerFollow struct {
	UserID      string   `json:"userid" yaml:"userid"`
	Remark      string   `json:"remark,omitempty" yaml:"remark,omitempty"`
	Description string   `json:"description,omitempty" yaml:"description,omitempty"`
	CreateTime  int64    `json:"createtime,omitempty" yaml:"createtime,omitempty"`
	TagIDs      []string `json:"tag_id,omitempty" yaml:"tag_id,omitempty"` // corp tags
	AddWay      int      `json:"add_way,omitempty" yaml:"add_way,omitempty"`
	State       string   `json:"state,omitempty" yaml:"state,omitempty"`
}

// CustomerGroup is a customer group (客户群): an external group chat a
// member owns.
type CustomerGroup struct {
	ChatID     string                `json:"chat_id" yaml:"chat_id"`
	Name       string                `json:"name" yaml:"name"`
	Owner      string                `json:"owner" yaml:"owner"`
	CreateTime int64                 `json:"create_time,omitempty" yaml:"create_time,omitempty"`
	Notice     string                `json:"notice,omitempty" yaml:"notice,omitempty"`
	Members    []CustomerGroupMember `json:"member_list" yaml:"member_list"`
	Admins     []string              `json:"admin_list,omitempty" yaml:"admin_list,omitempty"`
}

// CustomerGroupMember is a member of a customer group: a member of the
// corp (Type 1) or an external contact (Type 2).
type CustomerGroupMember struct {
	UserID        string `json:"userid" yaml:"userid"`
	Type          int    `json:"type" yaml:"type"`
	JoinTime      int64  `json:"join_time,omitempty" yaml:"join_time,omitempty"`
	JoinScene     int    `json:"join_scene,omitempty" yaml:"join_scene,omitempty"` // 1 invited, 2 link, 3 QR code
	Invitor       string `json:"invitor,omitempty" yaml:"invitor,omitempty"`
	GroupNickname string `json:"group_nickname,omitempty" yaml:"group_nickname,omitempty"`
}

// validateExternalContact reports the inconsistencies of the org's customer
// contact data: unknown members, tags or customers, duplicate ids, a
// secret shared with another.
func (o *Org) validateExternalContact() []error {
	var errs []error
	bad := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	if s := o.ExternalContactSecret; s != "" {
		if s == o.ContactsSecret || slices.ContainsFunc(o.Apps, func(a App) bool { return a.Secret == s }) {
			bad("external_contact_secret must differ from every other secret")
		}
	}
	x := o.ExternalContact
	if x == nil {
		return errs
	}
	users := map[string]bool{}
	for _, u := range o.Users {
		users[strings.ToLower(u.UserID)] = true
	}
	follow := map[string]bool{}
	for _, uid := range x.FollowUsers {
		if !users[strings.ToLower(uid)] {
			bad("external_contact: unknown follow user %q", uid)
		}
		follow[strings.ToLower(uid)] = true
	}
	ids := map[string]bool{}
	unique := func(kind, id string) {
		if id == "" || ids[id] {
			bad("external_contact: %s id %q must be set and unique", kind, id)
		}
		ids[id] = true
	}
	for _, g := range x.TagGroups {
		unique("tag group", g.GroupID)
		if len(g.Tags) == 0 {
			bad("external_contact: tag group %q has no tags", g.GroupID)
		}
		for _, t := range g.Tags {
			unique("tag", t.ID)
		}
	}
	for _, c := range x.Customers {
		unique("customer", c.ExternalUserID)
		if c.Type != 1 && c.Type != 2 {
			bad("external_contact: customer %q: type must be 1 (WeChat) or 2 (WeCom)", c.ExternalUserID)
		}
		for _, f := range c.Follow {
			if !follow[strings.ToLower(f.UserID)] {
				bad("external_contact: customer %q: %q is not a follow user", c.ExternalUserID, f.UserID)
			}
			for _, t := range f.TagIDs {
				if !slices.ContainsFunc(x.TagGroups, func(g CorpTagGroup) bool {
					return slices.ContainsFunc(g.Tags, func(ct CorpTag) bool { return ct.ID == t })
				}) {
					bad("external_contact: customer %q: unknown tag %q", c.ExternalUserID, t)
				}
			}
		}
	}
	for _, g := range x.GroupChats {
		unique("group chat", g.ChatID)
		if !follow[strings.ToLower(g.Owner)] {
			bad("external_contact: group chat %q: owner %q is not a follow user", g.ChatID, g.Owner)
		}
		for _, m := range g.Members {
			if m.Type == 1 && !users[strings.ToLower(m.UserID)] {
				bad("external_contact: group chat %q: unknown member %q", g.ChatID, m.UserID)
			}
		}
	}
	return errs
}

// customerState is the customer contact state of the emulator. Its fields
// are guarded by the state's mu.
type customerState struct {
	now   func() time.Time
	delay time.Duration // from the start of a customer transfer to its takeover

	follow    map[string]bool // lower userid: configured for customer contact
	groups    []*CorpTagGroup // the corp tag groups, in creation order
	customers map[string]*customerRec
	chats     map[string]*chatRec
	leavers   map[string]leaver // lower userid → the member who left
	transfers []*transfer       // every transfer, in order, for transfer_result
	waiting   []*transfer       // the transfers not done yet
	seq       int
}

// customerRec is a customer and their follows.
type customerRec struct {
	Customer // its Follow is unused: follows holds them
	seq      int
	follows  []*followRec
	moves    []time.Time // starts of the in-post transfers, for the 90-day rule
}

// followRec is one member's follow of a customer.
type followRec struct {
	CustomerFollow
	left    time.Time // when the member left; zero while in post
	pending *transfer // the transfer of this follow waiting for its takeover
}

// active reports whether the follow is a member's in post.
func (f *followRec) active() bool { return f.left.IsZero() }

// chatRec is a customer group and its follow-up status.
type chatRec struct {
	CustomerGroup
	seq    int
	status int // 0 normal, 1 owner left, 2 inheriting, 3 inherited
}

// leaver is a member who was deleted.
type leaver struct {
	userID string
	at     time.Time
}

// transfer is one customer's transfer from a member to another.
type transfer struct {
	resigned           bool // from a member who left (离职继承)
	customer           string
	handover, takeover string // userids as the members have them
	due                time.Time
	done               bool
}

// The takeover states of transfer_result.
const (
	transferDone    = 1 // 接替完毕
	transferWaiting = 2 // 等待接替
)

// addWayAssigned is the add_way of a follow made by a transfer: 管理员/负责人分配.
const addWayAssigned = 202

// newCustomerState builds the customer contact state of a valid org.
func newCustomerState(org *Org, now func() time.Time, delay time.Duration) *customerState {
	cs := &customerState{
		now:       now,
		delay:     delay,
		follow:    map[string]bool{},
		customers: map[string]*customerRec{},
		chats:     map[string]*chatRec{},
		leavers:   map[string]leaver{},
	}
	x := org.ExternalContact
	if x == nil {
		return cs
	}
	for _, uid := range x.FollowUsers {
		cs.follow[strings.ToLower(uid)] = true
	}
	for _, g := range x.TagGroups {
		g.Tags = slices.Clone(g.Tags)
		cs.groups = append(cs.groups, &g)
	}
	for _, c := range x.Customers {
		cs.seq++
		rec := &customerRec{Customer: c, seq: cs.seq}
		rec.Follow = nil
		for _, f := range c.Follow {
			f.TagIDs = slices.Clone(f.TagIDs)
			rec.follows = append(rec.follows, &followRec{CustomerFollow: f})
		}
		cs.customers[c.ExternalUserID] = rec
	}
	for _, g := range x.GroupChats {
		cs.seq++
		g.Members = slices.Clone(g.Members)
		g.Admins = slices.Clone(g.Admins)
		cs.chats[g.ChatID] = &chatRec{CustomerGroup: g, seq: cs.seq}
	}
	return cs
}

// memberLeft records that the member userID was deleted: their customers
// become unassigned and the groups they own wait for a new owner.
func (cs *customerState) memberLeft(userID string) {
	if cs == nil {
		return
	}
	now := cs.now()
	cs.leavers[strings.ToLower(userID)] = leaver{userID, now}
	for _, c := range cs.customers {
		for _, f := range c.follows {
			if f.active() && strings.EqualFold(f.UserID, userID) {
				f.left = now
			}
		}
	}
	for _, ch := range cs.chats {
		if strings.EqualFold(ch.Owner, userID) {
			ch.status = 1
		}
	}
}

// settle completes the transfers whose takeover time has come.
func (cs *customerState) settle() {
	if len(cs.waiting) == 0 {
		return
	}
	now := cs.now()
	var due []*transfer
	cs.waiting = slices.DeleteFunc(cs.waiting, func(t *transfer) bool {
		if now.Before(t.due) {
			return false
		}
		due = append(due, t)
		return true
	})
	for _, t := range due {
		t.done = true
		c := cs.customers[t.customer]
		if c == nil {
			continue
		}
		i := slices.IndexFunc(c.follows, func(f *followRec) bool { return f.pending == t })
		if i < 0 {
			continue
		}
		old := c.follows[i]
		c.follows = slices.Delete(c.follows, i, i+1)
		if c.follower(t.takeover) != nil {
			continue // already the takeover's customer: nothing to add
		}
		c.follows = append(c.follows, &followRec{CustomerFollow: CustomerFollow{
			UserID:      t.takeover,
			Remark:      old.Remark,
			Description: old.Description,
			CreateTime:  t.due.Unix(),
			TagIDs:      slices.Clone(old.TagIDs),
			AddWay:      addWayAssigned,
		}})
	}
}

// follower returns the follow of the member in post userID, or nil.
func (c *customerRec) follower(userID string) *followRec {
	for _, f := range c.follows {
		if f.active() && strings.EqualFold(f.UserID, userID) {
			return f
		}
	}
	return nil
}

// sortedCustomers returns the customers in creation order.
func (cs *customerState) sortedCustomers() []*customerRec {
	out := make([]*customerRec, 0, len(cs.customers))
	for _, c := range cs.customers {
		out = append(out, c)
	}
	slices.SortFunc(out, func(a, b *customerRec) int { return a.seq - b.seq })
	return out
}

// sortedChats returns the customer groups in creation order.
func (cs *customerState) sortedChats() []*chatRec {
	out := make([]*chatRec, 0, len(cs.chats))
	for _, c := range cs.chats {
		out = append(out, c)
	}
	slices.SortFunc(out, func(a, b *chatRec) int { return a.seq - b.seq })
	return out
}

// tag returns the corp tag id and its group, or nils.
func (cs *customerState) tag(id string) (*CorpTag, *CorpTagGroup) {
	for _, g := range cs.groups {
		for i := range g.Tags {
			if g.Tags[i].ID == id {
				return &g.Tags[i], g
			}
		}
	}
	return nil, nil
}

// group returns the corp tag group id, or nil.
func (cs *customerState) group(id string) *CorpTagGroup {
	for _, g := range cs.groups {
		if g.GroupID == id {
			return g
		}
	}
	return nil
}

// newID returns a new identifier in WeCom's style: prefix ("et" for tags,
// "wm" for customers) and 30 URL-safe characters.
func (cs *customerState) newID(prefix string) string {
	cs.seq++
	sum := sha256.Sum256(fmt.Appendf(nil, "%s:%d:%d", prefix, cs.seq, cs.now().UnixNano()))
	return prefix + base64.RawURLEncoding.EncodeToString(sum[:])[:30]
}

// checkTakeover checks the member who is to take over customers or groups:
// a member (60111) the caller sees (60011), active (40098: WeCom requires a
// verified, activated member) and configured for customer contact (84074).
// The caller holds st.mu.
func (s *Server) checkTakeover(c *call, id string) (*member, *apiError) {
	m, e := s.st.visibleUser(c, id)
	if e != nil {
		return nil, e
	}
	if m.Status != 1 {
		return nil, errorf(40098, "%s is not an active member", m.UserID)
	}
	if !s.st.customers.follow[strings.ToLower(m.UserID)] {
		return nil, errorf(84074, "%s is not configured for customer contact", m.UserID)
	}
	return m, nil
}

// followUser returns the member in post userID, configured for customer
// contact and visible to the caller: 60111, 60011, or 84061 (no customer
// contact, hence no customers). The caller holds st.mu.
func (s *Server) followUser(c *call, id string) (*member, *apiError) {
	m, e := s.st.visibleUser(c, id)
	if e != nil {
		return nil, e
	}
	if !s.st.customers.follow[strings.ToLower(m.UserID)] {
		return nil, errorf(84061, "%s is not configured for customer contact", m.UserID)
	}
	return m, nil
}

// checkTagName applies the rules of corp tag and group names: 1 to 30
// characters (40071).
func checkCorpTagName(name string) *apiError {
	if n := utf8.RuneCountInString(strings.TrimSpace(name)); n == 0 || n > 30 {
		return errorf(40071, "a tag or group name is 1 to 30 characters")
	}
	return nil
}

// snapshot copies the customer contact data of the members in post: the
// follows and groups of members who left, waiting for a takeover, are left
// out. The caller holds st.mu.
func (cs *customerState) snapshot(st *state) *ExternalContact {
	x := &ExternalContact{FollowUsers: []string{}}
	for _, m := range st.sortedMembers(sortedKeys(st.depts)) {
		if cs.follow[strings.ToLower(m.UserID)] {
			x.FollowUsers = append(x.FollowUsers, m.UserID)
		}
	}
	for _, g := range cs.groups {
		g := *g
		g.Tags = slices.Clone(g.Tags)
		x.TagGroups = append(x.TagGroups, g)
	}
	for _, cu := range cs.sortedCustomers() {
		c := cu.Customer
		c.Follow = []CustomerFollow{}
		for _, f := range cu.follows {
			if f.active() {
				cf := f.CustomerFollow
				cf.TagIDs = slices.Clone(cf.TagIDs)
				c.Follow = append(c.Follow, cf)
			}
		}
		x.Customers = append(x.Customers, c)
	}
	for _, ch := range cs.sortedChats() {
		if st.user(ch.Owner) != nil {
			g := ch.CustomerGroup
			g.Members = slices.Clone(g.Members)
			g.Admins = slices.Clone(g.Admins)
			x.GroupChats = append(x.GroupChats, g)
		}
	}
	return x
}
