package emulator

import (
	"cmp"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"iter"
	"maps"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
)

// state is the organisation's mutable data: contacts, apps and app chats.
// Every field is guarded by mu; readers take the read lock only.
type state struct {
	mu      versionedLock
	ordered atomic.Pointer[orderedMembers]

	corpID      string
	corpName    string
	corpUserMax int // as in the Org: 0 for the default (seatLimit)
	seats       int // the seat limit: corpUserMax, or the default fixed at load

	depts   map[int]*Department
	members map[int]map[string]*member // department id → members, by lower userid
	users   map[string]*member         // lower userid → member
	mobiles map[string]*member         // mobile → member
	emails  map[string]*member         // lower email → member
	openIDs map[string]string          // openid → lower userid
	tags    map[int]*tagState
	apps    map[int]*appState
	chats   map[string]*AppChat

	customers *customerState // customer contact (客户联系)
	oa        *oaState       // approvals, leave and attendance

	seq         uint64 // creation sequence of members, for a stable order
	nextDeptID  int
	nextTagID   int
	pendingDrop map[int]bool // departments replaceparty will delete once empty
	allFields   bool         // every app reads sensitive fields (RulesLegacy; see fullView)
}

// lock takes the write lock, which invalidates cached views.
func (st *state) lock() { st.mu.Lock() }

// versionedLock is a read-write lock with a version that changes when a
// writer takes it and again when it releases it: a value derived from the
// state under the read lock may be cached with the version, and is valid
// while the version is the same. The version is odd while a writer holds
// the lock, when nothing may be cached: the state is changing.
type versionedLock struct {
	sync.RWMutex
	version atomic.Uint64
}

// Lock takes the write lock.
func (l *versionedLock) Lock() {
	l.RWMutex.Lock()
	l.version.Add(1)
}

// Unlock releases the write lock.
func (l *versionedLock) Unlock() {
	l.version.Add(1)
	l.RWMutex.Unlock()
}

// cacheVersion returns the version to cache a value derived from the state
// with, and whether it may be cached: not while a writer holds the lock.
func (st *state) cacheVersion() (uint64, bool) {
	v := st.mu.version.Load()
	return v, v%2 == 0
}

// member is a user with the data the emulator derives from it.
type member struct {
	User
	seq    uint64
	openID string
	qrCode string // the vcode of the member's QR code URL, derived from the userid
	// rev counts the changes of the member's fields: every change goes
	// through touch, which makes its cached views stale.
	rev   uint64
	views atomic.Pointer[cachedViews]
}

// cachedViews are a member's encoded views, valid while its rev is
// unchanged.
type cachedViews struct {
	rev     uint64
	full    []byte // for readers of sensitive fields (fullView)
	limited []byte // for other apps
}

type tagState struct {
	Tag
	users   map[string]bool // lower userid
	parties map[int]bool
}

type appState struct {
	App
	allowUsers   map[string]bool // lower userid
	allowParties map[int]bool
	allowTags    map[int]bool
	menu         json.RawMessage
}

// newState builds the state from a valid org.
func newState(org *Org) *state {
	st := &state{
		corpID:      org.CorpID,
		corpName:    org.CorpName,
		corpUserMax: org.CorpUserMax,
		seats:       org.CorpUserMax,
		depts:       make(map[int]*Department, len(org.Departments)),
		members:     make(map[int]map[string]*member, len(org.Departments)),
		users:       make(map[string]*member, len(org.Users)),
		mobiles:     make(map[string]*member, len(org.Users)),
		emails:      make(map[string]*member, len(org.Users)),
		openIDs:     make(map[string]string, len(org.Users)),
		tags:        map[int]*tagState{},
		apps:        map[int]*appState{},
		chats:       map[string]*AppChat{},
		nextDeptID:  2,
		nextTagID:   1,
		pendingDrop: map[int]bool{},
	}
	if st.seats <= 0 {
		st.seats = max(defaultSeats, len(org.Users))
	}
	for _, d := range org.Departments {
		d := d
		st.depts[d.ID] = &d
		st.nextDeptID = max(st.nextDeptID, d.ID+1)
	}
	for _, u := range org.Users {
		u := cloneUser(u)
		if u.Status == 0 {
			u.Status = 1
		}
		st.addMember(u)
	}
	// The members' views as the contacts secret reads them, so that even the
	// first list of a large organisation is answered at once.
	st.encodedViews(nil, st.allMembers())
	for _, t := range org.Tags {
		ts := &tagState{Tag: t, users: map[string]bool{}, parties: map[int]bool{}}
		for _, uid := range t.Users {
			ts.users[strings.ToLower(uid)] = true
		}
		for _, p := range t.Parties {
			ts.parties[p] = true
		}
		st.tags[t.ID] = ts
		st.nextTagID = max(st.nextTagID, t.ID+1)
	}
	for _, a := range org.Apps {
		as := &appState{App: a, allowUsers: map[string]bool{}, allowParties: map[int]bool{}, allowTags: map[int]bool{}}
		for _, uid := range a.AllowUsers {
			as.allowUsers[strings.ToLower(uid)] = true
		}
		for _, p := range a.AllowParties {
			as.allowParties[p] = true
		}
		for _, t := range a.AllowTags {
			as.allowTags[t] = true
		}
		st.apps[a.AgentID] = as
	}
	for _, c := range org.AppChats {
		c := c
		c.Users = slices.Clone(c.Users)
		if c.Owner == "" {
			c.Owner = c.Users[0]
		}
		st.chats[c.ChatID] = &c
	}
	return st
}

// cloneUser returns u with its slices copied and missing defaults filled.
func cloneUser(u User) User {
	u.Department = slices.Clone(u.Department)
	u.Order = slices.Clone(u.Order)
	u.IsLeaderInDept = slices.Clone(u.IsLeaderInDept)
	u.DirectLeader = slices.Clone(u.DirectLeader)
	if u.Order == nil {
		u.Order = make([]int, len(u.Department))
	}
	if u.IsLeaderInDept == nil {
		u.IsLeaderInDept = make([]int, len(u.Department))
	}
	if u.MainDepartment == 0 && len(u.Department) > 0 {
		u.MainDepartment = u.Department[0]
	}
	if u.Gender == "" {
		u.Gender = "0"
	}
	return u
}

// addMember adds u, which must be valid and new, with its indexes.
func (st *state) addMember(u User) *member {
	st.seq++
	m := &member{User: u, seq: st.seq, openID: openID(st.corpID, u.UserID), qrCode: st.qrCode(u.UserID)}
	if m.Avatar == "" {
		m.Avatar = "https://wework.qpic.cn/wwpic/" + digest(st.corpID, "avatar", u.UserID)[:24] + "/0"
	}
	key := strings.ToLower(u.UserID)
	st.users[key] = m
	st.openIDs[m.openID] = key
	st.indexMember(m)
	return m
}

// indexMember records m as a member of each of its departments, and as the
// member of its mobile and email.
func (st *state) indexMember(m *member) {
	if m.Mobile != "" {
		st.mobiles[m.Mobile] = m
	}
	if m.Email != "" {
		st.emails[strings.ToLower(m.Email)] = m
	}
	key := strings.ToLower(m.UserID)
	for _, d := range m.Department {
		set := st.members[d]
		if set == nil {
			set = map[string]*member{}
			st.members[d] = set
		}
		set[key] = m
	}
}

// unindexMember removes m from its departments' member sets and the mobile
// and email indexes.
func (st *state) unindexMember(m *member) {
	if st.mobiles[m.Mobile] == m {
		delete(st.mobiles, m.Mobile)
	}
	if e := strings.ToLower(m.Email); st.emails[e] == m {
		delete(st.emails, e)
	}
	key := strings.ToLower(m.UserID)
	for _, d := range m.Department {
		delete(st.members[d], key)
	}
}

// removeMember deletes m everywhere: departments, tags, app ranges, chats
// and leader lists. Their customers and customer groups stay, waiting for a
// member to take them over.
func (st *state) removeMember(m *member) {
	key := strings.ToLower(m.UserID)
	st.unindexMember(m)
	delete(st.users, key)
	delete(st.openIDs, m.openID)
	for _, t := range st.tags {
		delete(t.users, key)
	}
	for _, a := range st.apps {
		delete(a.allowUsers, key)
	}
	for _, c := range st.chats {
		c.Users = slices.DeleteFunc(c.Users, func(id string) bool { return strings.EqualFold(id, key) })
	}
	for _, other := range st.users {
		if n := len(other.DirectLeader); n > 0 {
			other.DirectLeader = slices.DeleteFunc(other.DirectLeader, func(id string) bool { return strings.EqualFold(id, key) })
			if len(other.DirectLeader) != n {
				st.touch(other)
			}
		}
	}
	st.customers.memberLeft(m.UserID)
}

// touch records a change of m's fields, which its next view shows. The
// caller holds the write lock.
func (st *state) touch(m *member) { m.rev++ }

// user returns the member with this userid (case-insensitive), or nil.
func (st *state) user(id string) *member {
	if m, ok := st.users[id]; ok {
		return m
	}
	return st.users[strings.ToLower(id)]
}

// isAncestor reports whether a is d or one of d's ancestors.
func (st *state) isAncestor(a, d int) bool {
	for x := range st.ancestors(d) {
		if x == a {
			return true
		}
	}
	return false
}

// ancestors yields d, then its parent and so on up to the root, at most 64
// departments; an unknown department is the last.
func (st *state) ancestors(d int) iter.Seq[int] {
	return func(yield func(int) bool) {
		for depth := 0; d != 0 && depth < 64; depth++ {
			if !yield(d) {
				return
			}
			dept := st.depts[d]
			if dept == nil {
				return
			}
			d = dept.ParentID
		}
	}
}

// children returns the ids of d's direct sub-departments, sorted.
func (st *state) children(d int) []int {
	var out []int
	for id, dept := range st.depts {
		if dept.ParentID == d && id != d {
			out = append(out, id)
		}
	}
	st.sortDepts(out)
	return out
}

// subtree returns d and all its descendants, parents before children and
// siblings by order (larger first), then id.
func (st *state) subtree(d int) []int {
	kids := make(map[int][]int, len(st.depts))
	for id, dept := range st.depts {
		if id != 1 {
			kids[dept.ParentID] = append(kids[dept.ParentID], id)
		}
	}
	out := []int{d}
	for i := 0; i < len(out); i++ {
		k := kids[out[i]]
		st.sortDepts(k)
		out = append(out, k...)
	}
	return out
}

func (st *state) sortDepts(ids []int) {
	sort.Slice(ids, func(i, j int) bool {
		a, b := st.depts[ids[i]], st.depts[ids[j]]
		if a.Order != b.Order {
			return a.Order > b.Order
		}
		return a.ID < b.ID
	})
}

// depth returns d's level: 1 for the root.
func (st *state) depth(d int) int {
	n := 0
	for ; d != 0 && n < 64; n++ {
		d = st.depts[d].ParentID
	}
	return n
}

// sortedMembers returns the members of the given departments, each once,
// in creation order. The caller may modify the slice.
func (st *state) sortedMembers(depts []int) []*member {
	all := st.allMembers()
	in := make(map[int]bool, len(depts))
	n := 0
	for _, d := range depts {
		if !in[d] {
			in[d] = true
			n += len(st.members[d])
		}
	}
	if n > len(all)/8 {
		// Most of the organisation (the whole of it, for a list from the
		// root): filter the ordered list rather than sort.
		out := make([]*member, 0, min(n, len(all)))
		for _, m := range all {
			for _, d := range m.Department {
				if in[d] {
					out = append(out, m)
					break
				}
			}
		}
		return out
	}
	seen := make(map[*member]bool, n)
	out := make([]*member, 0, n)
	for d := range in {
		for _, m := range st.members[d] {
			if !seen[m] {
				seen[m] = true
				out = append(out, m)
			}
		}
	}
	slices.SortFunc(out, func(a, b *member) int { return cmp.Compare(a.seq, b.seq) })
	return out
}

// allMembers returns every member in creation order, cached until the state
// changes. The slice is shared: callers must not modify it. The caller holds
// st.mu.
func (st *state) allMembers() []*member {
	version, cacheable := st.cacheVersion()
	if c := st.ordered.Load(); cacheable && c != nil && c.version == version {
		return c.members
	}
	all := make([]*member, 0, len(st.users))
	for _, m := range st.users {
		all = append(all, m)
	}
	slices.SortFunc(all, func(a, b *member) int { return cmp.Compare(a.seq, b.seq) })
	if cacheable {
		st.ordered.Store(&orderedMembers{version, all})
	}
	return all
}

// orderedMembers is the cache of allMembers.
type orderedMembers struct {
	version uint64
	members []*member
}

// leaders returns the userids of department d's leaders.
func (st *state) leaders(d int) []string {
	out := []string{}
	for _, m := range st.sortedMembers([]int{d}) {
		for i, dd := range m.Department {
			if dd == d && i < len(m.IsLeaderInDept) && m.IsLeaderInDept[i] == 1 {
				out = append(out, m.UserID)
			}
		}
	}
	return out
}

// deptVisible reports whether the app sees department d: d is in or under
// one of its allowed departments, or of the departments of its allowed
// tags. A nil app is the contacts-sync secret, which sees everything.
func (st *state) deptVisible(a *appState, d int) bool {
	if a == nil {
		return true
	}
	for x := range st.ancestors(d) {
		if a.allowParties[x] {
			return true
		}
		for t := range a.allowTags {
			if ts := st.tags[t]; ts != nil && ts.parties[x] {
				return true
			}
		}
	}
	return false
}

// userVisible reports whether the app sees member m.
func (st *state) userVisible(a *appState, m *member) bool {
	if a == nil {
		return true
	}
	key := strings.ToLower(m.UserID)
	if a.allowUsers[key] {
		return true
	}
	for t := range a.allowTags {
		if ts := st.tags[t]; ts != nil && ts.users[key] {
			return true
		}
	}
	for _, d := range m.Department {
		if st.deptVisible(a, d) {
			return true
		}
	}
	return false
}

// tagMembers returns the members of tag t: its users and the members of
// its departments and their sub-departments.
func (st *state) tagMembers(t *tagState) []*member {
	seen := map[string]bool{}
	var out []*member
	for key := range t.users {
		if m := st.users[key]; m != nil && !seen[key] {
			seen[key] = true
			out = append(out, m)
		}
	}
	for p := range t.parties {
		if st.depts[p] == nil {
			continue
		}
		for _, m := range st.sortedMembers(st.subtree(p)) {
			key := strings.ToLower(m.UserID)
			if !seen[key] {
				seen[key] = true
				out = append(out, m)
			}
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].seq < out[j].seq })
	return out
}

// findMobile returns the member using this mobile, or nil.
func (st *state) findMobile(mobile string) *member {
	if mobile == "" {
		return nil
	}
	return st.mobiles[mobile]
}

// findEmail returns the member using this email (case-insensitive), or nil.
func (st *state) findEmail(email string) *member {
	if email == "" {
		return nil
	}
	return st.emails[strings.ToLower(email)]
}

// defaultSeats is the seat limit of a corp whose Org does not set
// corp_user_max: the one of 发送应用消息's example ("若企业账号上限是500人").
const defaultSeats = 500

// seatLimit returns the corp's member seat limit: corp_user_max, or by
// default defaultSeats or the number of members loaded if larger. The
// caller holds mu.
func (st *state) seatLimit() int {
	return st.seats
}

// checkSeat answers 45024 (账号数量超过上限) when every seat is taken, so no
// member may be added. The caller holds mu.
func (st *state) checkSeat() *apiError {
	if n := st.seatLimit(); len(st.users) >= n {
		return errorf(45024, "the corp's %d seats are taken", n)
	}
	return nil
}

// snapshot copies the state into an Org, in a stable order, without
// secrets.
func (st *state) snapshot() *Org {
	org := &Org{CorpID: st.corpID, CorpName: st.corpName, CorpUserMax: st.corpUserMax, Apps: []App{}, Departments: []Department{}, Users: []User{}}
	for _, id := range st.subtree(1) {
		org.Departments = append(org.Departments, *st.depts[id])
	}
	all := make([]*member, 0, len(st.users))
	for _, m := range st.users {
		all = append(all, m)
	}
	sort.Slice(all, func(i, j int) bool { return all[i].seq < all[j].seq })
	for _, m := range all {
		org.Users = append(org.Users, cloneUser(m.User))
	}
	for _, id := range sortedKeys(st.tags) {
		t := st.tags[id]
		tag := Tag{ID: t.ID, Name: t.Name, Owner: t.Owner}
		for _, m := range all {
			if t.users[strings.ToLower(m.UserID)] {
				tag.Users = append(tag.Users, m.UserID)
			}
		}
		tag.Parties = sortedKeys(t.parties)
		org.Tags = append(org.Tags, tag)
	}
	for _, id := range sortedKeys(st.apps) {
		a := st.apps[id].App
		a.Secret = ""
		a.AllowUsers = slices.Clone(a.AllowUsers)
		a.AllowParties = slices.Clone(a.AllowParties)
		a.AllowTags = slices.Clone(a.AllowTags)
		org.Apps = append(org.Apps, a)
	}
	for _, id := range slices.Sorted(maps.Keys(st.chats)) {
		c := *st.chats[id]
		c.Users = slices.Clone(c.Users)
		org.AppChats = append(org.AppChats, c)
	}
	org.ExternalContact = st.customers.snapshot(st)
	org.OA = st.oa.cfg.clone()
	return org
}

// sortedKeys returns the integer keys of m in increasing order.
func sortedKeys[V any](m map[int]V) []int {
	keys := slices.AppendSeq(make([]int, 0, len(m)), maps.Keys(m))
	slices.Sort(keys)
	return keys
}

// qrCode derives the vcode of a member's QR code URL from the userid.
func (st *state) qrCode(userID string) string {
	return digest(st.corpID, "qr", userID)[:16]
}

// openID derives a member's stable openid from the corp and userid.
func openID(corpID, userID string) string {
	sum := sha256.Sum256([]byte(corpID + "\x00openid\x00" + strings.ToLower(userID)))
	return "o" + base64.RawURLEncoding.EncodeToString(sum[:])[:27]
}

// digest returns a hex digest of the parts, for derived identifiers.
func digest(parts ...string) string {
	sum := sha256.Sum256([]byte(strings.Join(parts, "\x00")))
	return hex.EncodeToString(sum[:])
}
