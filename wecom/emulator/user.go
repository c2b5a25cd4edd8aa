package emulator

import (
	"encoding/json"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

// userRequest is the body of user/create and user/update. Pointers tell
// absent fields from empty ones: update changes only the fields given.
type userRequest struct {
	UserID           *flexString     `json:"userid"`
	NewUserID        *string         `json:"new_userid"`
	Name             *string         `json:"name"`
	Alias            *string         `json:"alias"`
	Mobile           *flexString     `json:"mobile"`
	Department       *intList        `json:"department"`
	Order            *intList        `json:"order"`
	Position         *string         `json:"position"`
	Gender           *flexString     `json:"gender"`
	Email            *string         `json:"email"`
	BizMail          *string         `json:"biz_mail"`
	IsLeaderInDept   *intList        `json:"is_leader_in_dept"`
	DirectLeader     *stringList     `json:"direct_leader"`
	Enable           *flexInt        `json:"enable"`
	AvatarMediaID    *string         `json:"avatar_mediaid"`
	Telephone        *string         `json:"telephone"`
	Tel              *string         `json:"tel"` // the legacy name of telephone
	Address          *string         `json:"address"`
	MainDepartment   *flexInt        `json:"main_department"`
	ExtAttr          json.RawMessage `json:"extattr"`
	ExternalPosition *string         `json:"external_position"`
	ExternalProfile  json.RawMessage `json:"external_profile"`
}

// A member as user/get and user/list answer it has these fields, in this
// order: userid, name, department, order, position, mobile (if set), gender,
// email and biz_mail (if set), is_leader_in_dept, direct_leader, avatar (if
// set), thumb_avatar, telephone, alias, address (if set),
// main_department, extattr, status, qr_code (if set), external_position and
// external_profile (if set). Apps that may not read sensitive fields
// (fullView) do not get mobile, email, biz_mail, avatar, address and QR
// code, and their gender is "0".
// appendView writes it by hand rather than through encoding/json: a list of
// the whole organisation encodes every member, and the emulator must answer
// the first list of a 100,000-member organisation about as fast as the next.

var emptyExtAttr = map[string]any{"attrs": []any{}}

// appendView appends the JSON of m as the app a (nil: the contacts secret)
// reads it. The caller holds st.mu.
func (st *state) appendView(b []byte, a *appState, m *member) []byte {
	full := st.fullView(a)
	b = append(b, `{"userid":`...)
	b = appendJSONString(b, m.UserID)
	b = append(b, `,"name":`...)
	b = appendJSONString(b, m.Name)
	b = append(b, `,"department":`...)
	b = appendInts(b, m.Department)
	b = append(b, `,"order":`...)
	b = appendInts(b, m.Order)
	b = append(b, `,"position":`...)
	b = appendJSONString(b, m.Position)
	gender := "0"
	if full {
		gender = m.Gender
		b = appendOptional(b, `,"mobile":`, m.Mobile)
	}
	b = append(b, `,"gender":`...)
	b = appendJSONString(b, gender)
	if full {
		b = appendOptional(b, `,"email":`, m.Email)
		b = appendOptional(b, `,"biz_mail":`, m.BizMail)
	}
	b = append(b, `,"is_leader_in_dept":`...)
	b = appendInts(b, m.IsLeaderInDept)
	b = appendArray(append(b, `,"direct_leader":`...), m.DirectLeader, appendJSONString)
	if full {
		b = appendOptional(b, `,"avatar":`, m.Avatar)
		b = append(b, `,"thumb_avatar":`...)
		if thumb := strings.TrimSuffix(m.Avatar, "/0"); plainJSON(thumb) {
			b = append(b, '"')
			b = append(b, thumb...)
			b = append(b, `/100"`...)
		} else {
			b = appendJSONString(b, thumb+"/100")
		}
	}
	b = append(b, `,"telephone":`...)
	b = appendJSONString(b, m.Telephone)
	b = append(b, `,"alias":`...)
	b = appendJSONString(b, m.Alias)
	if full {
		b = appendOptional(b, `,"address":`, m.Address)
	}
	b = append(b, `,"main_department":`...)
	b = strconv.AppendInt(b, int64(m.MainDepartment), 10)
	b = append(b, `,"extattr":`...)
	ext := m.ExtAttr
	if ext == nil {
		ext = emptyExtAttr
	}
	b = appendAny(b, ext)
	b = append(b, `,"status":`...)
	b = strconv.AppendInt(b, int64(m.Status), 10)
	if full {
		b = append(b, `,"qr_code":"https://open.work.weixin.qq.com/wwopen/userQRCode?vcode=`...)
		b = append(b, m.qrCode...) // hexadecimal digits
		b = append(b, '"')
	}
	b = appendOptional(b, `,"external_position":`, m.ExternalPosition)
	if m.ExternalProfile != nil {
		b = append(b, `,"external_profile":`...)
		b = appendAny(b, m.ExternalProfile)
	}
	return append(b, '}')
}

// encodedView returns the JSON of m as the app a reads it (appendView),
// cached in m until m changes (touch). The bytes are shared: callers must
// not modify them. The caller holds st.mu.
func (st *state) encodedView(a *appState, m *member) []byte {
	if v := st.cachedView(a, m); v != nil {
		return v
	}
	v := st.appendView(nil, a, m)
	st.storeView(a, m, v)
	return v
}

// encodedViews returns the views of ms as encodedView does, encoding the
// ones not cached into shared blocks of memory: a list of a large
// organisation allocates a few blocks rather than a buffer per member.
func (st *state) encodedViews(a *appState, ms []*member) [][]byte {
	const block = 1 << 20
	out := make([][]byte, len(ms))
	var buf []byte
	for i, m := range ms {
		if v := st.cachedView(a, m); v != nil {
			out[i] = v
			continue
		}
		if cap(buf)-len(buf) < 4096 {
			buf = make([]byte, 0, block)
		}
		start := len(buf)
		buf = st.appendView(buf, a, m)
		out[i] = buf[start:len(buf):len(buf)]
		st.storeView(a, m, out[i])
	}
	return out
}

// cachedView returns m's view for the app a if it is cached and current,
// else nil.
func (st *state) cachedView(a *appState, m *member) []byte {
	c := m.views.Load()
	switch {
	case c == nil || c.rev != m.rev:
		return nil
	case st.fullView(a):
		return c.full
	default:
		return c.limited
	}
}

// storeView caches v as m's view for the app a, unless a writer holds the
// lock (then m may be changing).
func (st *state) storeView(a *appState, m *member, v []byte) {
	if _, cacheable := st.cacheVersion(); !cacheable {
		return
	}
	c := &cachedViews{rev: m.rev}
	if old := m.views.Load(); old != nil && old.rev == m.rev {
		*c = *old
	}
	if st.fullView(a) {
		c.full = v
	} else {
		c.limited = v
	}
	m.views.Store(c)
}

// checkUser validates u, a new or updated member, against WeCom's rules and
// the other members (self is the member being updated, or nil).
func (st *state) checkUser(u *User, self *member) *apiError {
	if n := utf8.RuneCountInString(u.Name); n == 0 || n > 64 {
		return errorf(60112, "name must be 1 to 64 characters")
	}
	if utf8.RuneCountInString(u.Alias) > 64 {
		return errorf(40058, "alias longer than 64 characters")
	}
	if u.Mobile != "" {
		if !validMobile(u.Mobile) {
			return errorf(60103, "%q", u.Mobile)
		}
		if o := st.findMobile(u.Mobile); o != nil && o != self {
			return errorf(60104, "%s", u.Mobile)
		}
	}
	if u.Email != "" {
		if len(u.Email) > 64 || !strings.Contains(u.Email, "@") || strings.ContainsAny(u.Email, " ,;") {
			return errorf(60105, "%q", u.Email)
		}
		if o := st.findEmail(u.Email); o != nil && o != self {
			return errorf(60106, "%s", u.Email)
		}
	}
	if len(u.Department) == 0 {
		return newError(60127)
	}
	if len(u.Department) > 100 {
		return newError(60110)
	}
	for _, d := range u.Department {
		if st.depts[d] == nil {
			return errorf(60123, "department %d", d)
		}
	}
	if len(u.Order) != len(u.Department) {
		return errorf(40058, "order must have one element per department")
	}
	if len(u.IsLeaderInDept) != len(u.Department) {
		return newError(60132)
	}
	if !slices.Contains(u.Department, u.MainDepartment) {
		return errorf(40058, "main_department %d is not one of the member's departments", u.MainDepartment)
	}
	switch u.Gender {
	case "0", "1", "2":
	default:
		return errorf(40058, "gender must be 1 or 2")
	}
	if len(u.DirectLeader) > 5 {
		return errorf(40058, "at most 5 direct leaders")
	}
	for _, l := range u.DirectLeader {
		if st.user(l) == nil {
			return errorf(60111, "direct leader %s", l)
		}
	}
	if len(u.Telephone) > 32 || strings.Trim(u.Telephone, "0123456789-+, ") != "" {
		return errorf(40058, "invalid telephone")
	}
	if utf8.RuneCountInString(u.Position) > 128 || utf8.RuneCountInString(u.Address) > 128 {
		return errorf(40058, "position and address are at most 128 characters")
	}
	return nil
}

// validMobile reports whether s is a phone number of at most 32 digits,
// '+', '-' and spaces.
func validMobile(s string) bool {
	if len(s) > 32 || strings.Trim(s, "0123456789+- ") != "" {
		return false
	}
	return strings.ContainsAny(s, "0123456789")
}

// apply copies the fields present in req onto u. activated members keep
// their mobile, as WeCom ignores mobile changes of members who joined.
func (s *Server) apply(req *userRequest, u *User, activated bool) *apiError {
	setStr := func(dst *string, src *string) {
		if src != nil {
			*dst = strings.TrimSpace(*src)
		}
	}
	setStr(&u.Name, req.Name)
	setStr(&u.Alias, req.Alias)
	setStr(&u.Position, req.Position)
	setStr(&u.Email, req.Email)
	setStr(&u.BizMail, req.BizMail)
	setStr(&u.Telephone, req.Tel)
	setStr(&u.Telephone, req.Telephone)
	setStr(&u.Address, req.Address)
	setStr(&u.ExternalPosition, req.ExternalPosition)
	if req.Mobile != nil && !activated {
		u.Mobile = strings.TrimSpace(string(*req.Mobile))
	}
	if req.Gender != nil {
		u.Gender = string(*req.Gender)
	}
	if req.Department != nil {
		deps := []int(*req.Department)
		if len(u.Department) != len(deps) || !slices.Equal(u.Department, deps) {
			// A new department list resets per-department values not given.
			u.Order = make([]int, len(deps))
			u.IsLeaderInDept = make([]int, len(deps))
			if !slices.Contains(deps, u.MainDepartment) && len(deps) > 0 {
				u.MainDepartment = deps[0]
			}
		}
		u.Department = slices.Clone(deps)
	}
	if req.Order != nil {
		u.Order = slices.Clone([]int(*req.Order))
	}
	if req.IsLeaderInDept != nil {
		u.IsLeaderInDept = slices.Clone([]int(*req.IsLeaderInDept))
	}
	if req.MainDepartment != nil && *req.MainDepartment != 0 {
		u.MainDepartment = int(*req.MainDepartment)
	}
	if req.DirectLeader != nil {
		u.DirectLeader = slices.Clone([]string(*req.DirectLeader))
	}
	if req.Enable != nil {
		switch {
		case *req.Enable == 0:
			u.Status = 2
		case u.Status == 2:
			u.Status = 1
		}
	}
	if req.AvatarMediaID != nil && *req.AvatarMediaID != "" {
		if !s.media.exists(*req.AvatarMediaID, s.now()) {
			return errorf(40007, "avatar_mediaid")
		}
		u.Avatar = "https://wework.qpic.cn/wwpic/" + digest(*req.AvatarMediaID)[:24] + "/0"
	}
	if e := setRaw(&u.ExtAttr, req.ExtAttr); e != nil {
		return e
	}
	if e := setRaw(&u.ExternalProfile, req.ExternalProfile); e != nil {
		return e
	}
	// A video channel set through the API is not yet confirmed (status 1).
	if p, ok := u.ExternalProfile.(map[string]any); ok {
		if ch, ok := p["wechat_channels"].(map[string]any); ok {
			if _, set := ch["status"]; !set {
				ch["status"] = 1
			}
		}
	}
	return nil
}

// setRaw decodes a raw JSON object into dst unless it is absent or null.
func setRaw(dst *any, raw json.RawMessage) *apiError {
	if len(raw) == 0 || string(raw) == "null" {
		return nil
	}
	var v any
	if err := json.Unmarshal(raw, &v); err != nil {
		return errorf(40058, "%v", err)
	}
	*dst = v
	return nil
}

// userCreate serves POST user/create.
func (s *Server) userCreate(c *call, req userRequest) (any, *apiError) {
	st := s.writeState()
	defer st.mu.Unlock()
	_, e := s.createUser(&req)
	if e != nil {
		return nil, e
	}
	return createdStatus, nil
}

// createUser validates and adds a member, if the corp has a free seat
// (45024 otherwise). The caller holds st.mu.
func (s *Server) createUser(req *userRequest) (*member, *apiError) {
	st := s.st
	if req.UserID == nil || *req.UserID == "" {
		return nil, newError(41009)
	}
	id := string(*req.UserID)
	if !validUserID(id) {
		return nil, errorf(40003, "%q", id)
	}
	if st.user(id) != nil {
		return nil, errorf(60102, "%s", id)
	}
	u := User{UserID: id, Department: []int{1}, Status: 4}
	if e := s.apply(req, &u, false); e != nil {
		return nil, e
	}
	u = cloneUser(u)
	if req.Department != nil && len(*req.Department) == 0 {
		return nil, newError(60127)
	}
	if u.Mobile == "" && u.Email == "" {
		return nil, newError(60129)
	}
	if e := st.checkUser(&u, nil); e != nil {
		return nil, e
	}
	if e := st.checkSeat(); e != nil {
		return nil, e
	}
	return st.addMember(u), nil
}

// userUpdate serves POST user/update.
func (s *Server) userUpdate(c *call, req userRequest) (any, *apiError) {
	st := s.writeState()
	defer st.mu.Unlock()
	if e := s.updateUser(&req); e != nil {
		return nil, e
	}
	return updatedStatus, nil
}

// updateUser validates and applies an update. The caller holds st.mu.
func (s *Server) updateUser(req *userRequest) *apiError {
	st := s.st
	if req.UserID == nil || *req.UserID == "" {
		return newError(41009)
	}
	m := st.user(string(*req.UserID))
	if m == nil {
		return errorf(60111, "%s", *req.UserID)
	}
	u := cloneUser(m.User)
	if e := s.apply(req, &u, m.Status == 1); e != nil {
		return e
	}
	if e := st.checkUser(&u, m); e != nil {
		return e
	}
	if req.NewUserID != nil && *req.NewUserID != "" && !strings.EqualFold(*req.NewUserID, m.UserID) {
		if !validUserID(*req.NewUserID) {
			return errorf(40003, "new_userid %q", *req.NewUserID)
		}
		if st.user(*req.NewUserID) != nil {
			return errorf(60102, "%s", *req.NewUserID)
		}
		st.renameMember(m, *req.NewUserID)
		u.UserID = m.UserID
	}
	st.unindexMember(m)
	m.User = u
	st.touch(m)
	st.indexMember(m)
	return nil
}

// renameMember changes m's userid everywhere it is referenced.
func (st *state) renameMember(m *member, newID string) {
	oldKey, newKey := strings.ToLower(m.UserID), strings.ToLower(newID)
	st.unindexMember(m)
	delete(st.users, oldKey)
	delete(st.openIDs, m.openID)
	m.UserID = newID
	m.openID = openID(st.corpID, newID)
	m.qrCode = st.qrCode(newID)
	st.touch(m)
	st.users[newKey] = m
	st.openIDs[m.openID] = newKey
	st.indexMember(m)
	for _, t := range st.tags {
		if t.users[oldKey] {
			delete(t.users, oldKey)
			t.users[newKey] = true
		}
	}
	for _, a := range st.apps {
		if a.allowUsers[oldKey] {
			delete(a.allowUsers, oldKey)
			a.allowUsers[newKey] = true
		}
	}
	rename := func(ids []string) bool {
		renamed := false
		for i, id := range ids {
			if strings.EqualFold(id, oldKey) {
				ids[i], renamed = newID, true
			}
		}
		return renamed
	}
	for _, c := range st.chats {
		rename(c.Users)
		if strings.EqualFold(c.Owner, oldKey) {
			c.Owner = newID
		}
	}
	for _, o := range st.users {
		if rename(o.DirectLeader) {
			st.touch(o)
		}
	}
}

// userDelete serves GET user/delete?userid=ID.
func (s *Server) userDelete(c *call) (any, *apiError) {
	id := c.param("userid")
	if id == "" {
		return nil, newError(41009)
	}
	st := s.writeState()
	defer st.mu.Unlock()
	m := st.user(id)
	if m == nil {
		return nil, errorf(60111, "%s", id)
	}
	if m.Creator {
		return nil, newError(301005)
	}
	st.removeMember(m)
	return deletedStatus, nil
}

type userBatchDeleteRequest struct {
	UserIDList stringList `json:"useridlist"`
}

// userBatchDelete serves POST user/batchdelete: all or nothing, at most
// 200 userids.
func (s *Server) userBatchDelete(c *call, req userBatchDeleteRequest) (any, *apiError) {
	if len(req.UserIDList) == 0 {
		return nil, errorf(40058, "useridlist is empty")
	}
	if len(req.UserIDList) > 200 {
		return nil, errorf(40032, "at most 200 userids")
	}
	st := s.writeState()
	defer st.mu.Unlock()
	var ms []*member
	for _, id := range req.UserIDList {
		m := st.user(id)
		if m == nil {
			return nil, errorf(60111, "%s", id)
		}
		if m.Creator {
			return nil, newError(301005)
		}
		ms = append(ms, m)
	}
	for _, m := range ms {
		if st.users[strings.ToLower(m.UserID)] == m {
			st.removeMember(m)
		}
	}
	return deletedStatus, nil
}

// userRef names a member, as requests and answers do: {"userid": ...}.
type userRef struct {
	UserID string `json:"userid"`
}

// visibleUser returns the member for a read by the call's token: 41009
// missing, 60111 unknown, 60011 outside the app's range. The caller holds
// st.mu.
func (st *state) visibleUser(c *call, id string) (*member, *apiError) {
	if id == "" {
		return nil, newError(41009)
	}
	m := st.user(id)
	if m == nil {
		return nil, errorf(60111, "%s", id)
	}
	if !st.userVisible(c.app(), m) {
		return nil, errorf(60011, "user %s is outside the app's visible range", id)
	}
	return m, nil
}

// seenUser returns the member id if the call's token sees them, else nil.
// The caller holds st.mu.
func (st *state) seenUser(c *call, id string) *member {
	if m := st.user(id); m != nil && st.userVisible(c.app(), m) {
		return m
	}
	return nil
}

// hiddenUser reports whether id is a member outside the call's visible
// range; one who has left is not hidden. The caller holds st.mu.
func (st *state) hiddenUser(c *call, id string) bool {
	m := st.user(id)
	return m != nil && !st.userVisible(c.app(), m)
}

// userGet serves GET user/get?userid=ID.
func (s *Server) userGet(c *call) (any, *apiError) {
	st := s.readState()
	defer st.mu.RUnlock()
	m, e := st.visibleUser(c, c.param("userid"))
	if e != nil {
		return nil, e
	}
	return okObject(st.encodedView(c.app(), m)), nil
}

// listMembers returns the members of department_id (with sub-departments
// if fetch_child=1) that the call may read. The caller holds st.mu.
func (st *state) listMembers(c *call) ([]*member, *apiError) {
	id, e := deptParam(c, "department_id", true)
	if e != nil {
		return nil, e
	}
	if _, e := st.visibleDept(c, "department_id", id); e != nil {
		return nil, e
	}
	a := c.app()
	depts := []int{id}
	if c.param("fetch_child") == "1" {
		depts = st.subtree(id)
	}
	ms := st.sortedMembers(depts)
	if a != nil {
		ms = slices.DeleteFunc(ms, func(m *member) bool { return !st.userVisible(a, m) })
	}
	return ms, nil
}

// userList serves GET user/list?department_id=ID[&fetch_child=1].
func (s *Server) userList(c *call) (any, *apiError) {
	st := s.readState()
	defer st.mu.RUnlock()
	ms, e := st.listMembers(c)
	if e != nil {
		return nil, e
	}
	return okList{"userlist", st.encodedViews(c.app(), ms)}, nil
}

type simpleUser struct {
	UserID     string `json:"userid"`
	Name       string `json:"name"`
	Department []int  `json:"department"`
}

type simpleListAnswer struct {
	status
	UserList []simpleUser `json:"userlist"`
}

// userSimpleList serves GET user/simplelist?department_id=ID[&fetch_child=1].
func (s *Server) userSimpleList(c *call) (any, *apiError) {
	st := s.readState()
	defer st.mu.RUnlock()
	ms, e := st.listMembers(c)
	if e != nil {
		return nil, e
	}
	out := simpleListAnswer{okStatus, make([]simpleUser, len(ms))}
	for i, m := range ms {
		out.UserList[i] = simpleUser{m.UserID, m.Name, slices.Clone(m.Department)}
	}
	return out, nil
}

type deptUser struct {
	UserID     string `json:"userid"`
	Department int    `json:"department"`
}

type listIDAnswer struct {
	status
	NextCursor string     `json:"next_cursor"`
	DeptUser   []deptUser `json:"dept_user"`
}

type userListIDRequest struct {
	Cursor string  `json:"cursor"`
	Limit  flexInt `json:"limit"`
}

// userListID serves POST user/list_id: one row per (member, department),
// paged by an opaque cursor. An empty body lists from the start with
// limit 10000.
func (s *Server) userListID(c *call, req userListIDRequest) (any, *apiError) {
	limit := int(req.Limit)
	if limit == 0 {
		limit = 10000
	}
	if limit < 0 || limit > 10000 {
		return nil, errorf(40058, "limit must be 1 to 10000")
	}
	st := s.readState()
	defer st.mu.RUnlock()
	a := c.app()
	var rows []deptUser
	for _, m := range st.sortedMembers(sortedKeys(st.depts)) {
		if !st.userVisible(a, m) {
			continue
		}
		for _, d := range m.Department {
			rows = append(rows, deptUser{m.UserID, d})
		}
	}
	list, next, e := page(rows, req.Cursor, limit)
	if e != nil {
		return nil, e
	}
	if list == nil {
		list = []deptUser{}
	}
	return listIDAnswer{okStatus, next, list}, nil
}

type openIDAnswer struct {
	status
	OpenID string `json:"openid"`
}

// userToOpenID serves POST user/convert_to_openid.
func (s *Server) userToOpenID(c *call, req userRef) (any, *apiError) {
	st := s.readState()
	defer st.mu.RUnlock()
	m, e := st.visibleUser(c, req.UserID)
	if e != nil {
		return nil, e
	}
	return openIDAnswer{okStatus, m.openID}, nil
}

type userIDAnswer struct {
	status
	UserID string `json:"userid"`
}

type userToUserIDRequest struct {
	OpenID string `json:"openid"`
}

// userToUserID serves POST user/convert_to_userid.
func (s *Server) userToUserID(c *call, req userToUserIDRequest) (any, *apiError) {
	if req.OpenID == "" {
		return nil, errorf(40058, "openid is required")
	}
	st := s.readState()
	defer st.mu.RUnlock()
	key, ok := st.openIDs[req.OpenID]
	if !ok {
		return nil, errorf(40003, "invalid openid")
	}
	return userIDAnswer{okStatus, st.users[key].UserID}, nil
}

// userAuthSucc serves GET user/authsucc?userid=ID (二次验证).
func (s *Server) userAuthSucc(c *call) (any, *apiError) {
	st := s.readState()
	defer st.mu.RUnlock()
	if _, e := st.visibleUser(c, c.param("userid")); e != nil {
		return nil, e
	}
	return okStatus, nil
}

type userByMobileRequest struct {
	Mobile string `json:"mobile"`
}

// userByMobile serves POST user/getuserid {"mobile": ...}: the member
// using this mobile within the caller's visible range; 46004 otherwise.
func (s *Server) userByMobile(c *call, req userByMobileRequest) (any, *apiError) {
	if n := len(req.Mobile); n < 5 || n > 32 {
		return nil, errorf(40058, "mobile must be 5 to 32 bytes")
	}
	st := s.readState()
	defer st.mu.RUnlock()
	m := st.findMobile(req.Mobile)
	if m == nil || !st.userVisible(c.app(), m) {
		return nil, errorf(46004, "no member with this mobile")
	}
	return userIDAnswer{okStatus, m.UserID}, nil
}

type userByEmailRequest struct {
	Email     string  `json:"email"`
	EmailType flexInt `json:"email_type"`
}

// userByEmail serves POST user/get_userid_by_email {"email": ..., "email_type": ...}:
// the member whose corp email (biz_mail; email_type 1, the default) or
// personal email (email_type 2) it is, compared without case, within the
// caller's visible range.
func (s *Server) userByEmail(c *call, req userByEmailRequest) (any, *apiError) {
	if req.Email == "" {
		return nil, errorf(40058, "email is empty")
	}
	if req.EmailType != 0 && req.EmailType != 1 && req.EmailType != 2 {
		return nil, errorf(40058, "email_type %d is not 1 (corp) or 2 (personal)", req.EmailType)
	}
	st := s.readState()
	defer st.mu.RUnlock()
	var found *member
	for _, m := range st.users {
		mail := m.BizMail
		if req.EmailType == 2 {
			mail = m.Email
		}
		if strings.EqualFold(mail, req.Email) {
			found = m
			break
		}
	}
	if found == nil || !st.userVisible(c.app(), found) {
		return nil, errorf(46004, "no member with this email")
	}
	return userIDAnswer{okStatus, found.UserID}, nil
}
