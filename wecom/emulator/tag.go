package emulator

import (
	"cmp"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

type tagRequest struct {
	TagID     *flexInt   `json:"tagid"`
	TagName   *string    `json:"tagname"`
	UserList  stringList `json:"userlist"`
	PartyList intList    `json:"partylist"`
}

type tagCreated struct {
	status
	TagID int `json:"tagid"`
}

// checkTagName applies WeCom's tag name rules: 1 to 32 characters (41018
// when empty) and unique (40071). The caller holds st.mu.
func (st *state) checkTagName(name string, self int) *apiError {
	name = strings.TrimSpace(name)
	if name == "" {
		return newError(41018)
	}
	if utf8.RuneCountInString(name) > 32 {
		return errorf(40071, "tagname longer than 32 characters")
	}
	for id, t := range st.tags {
		if id != self && t.Name == name {
			return errorf(40071, "tagname %q already exists", name)
		}
	}
	return nil
}

// tagCreate serves POST tag/create. The tag belongs to the calling app (or
// to the administrator for the contacts secret).
func (s *Server) tagCreate(c *call, req tagRequest) (any, *apiError) {
	if req.TagName == nil {
		return nil, newError(41018)
	}
	st := s.writeState()
	defer st.mu.Unlock()
	if e := st.checkTagName(*req.TagName, 0); e != nil {
		return nil, e
	}
	id := st.nextTagID
	if req.TagID != nil && *req.TagID != 0 {
		id = int(*req.TagID)
		if id < 0 || st.tags[id] != nil {
			return nil, errorf(40068, "tagid %d already exists", id)
		}
	}
	st.tags[id] = &tagState{
		Tag:     Tag{ID: id, Name: strings.TrimSpace(*req.TagName), Owner: c.agentID},
		users:   map[string]bool{},
		parties: map[int]bool{},
	}
	st.nextTagID = max(st.nextTagID, id+1)
	return tagCreated{createdStatus, id}, nil
}

// editableTag returns the tag the caller may change: 41017 missing id,
// 40068 unknown, 81011 created by another app. The caller holds st.mu.
func (st *state) editableTag(c *call, id *flexInt) (*tagState, *apiError) {
	if id == nil {
		return nil, newError(41017)
	}
	t, e := st.knownTag(int(*id))
	if e != nil {
		return nil, e
	}
	if t.Owner != c.agentID {
		return nil, newError(81011)
	}
	return t, nil
}

// tagParam reads the tagid query parameter.
func tagParam(c *call) (*flexInt, *apiError) {
	v := c.param("tagid")
	if v == "" {
		return nil, newError(41017)
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		return nil, errorf(40068, "tagid %q", v)
	}
	id := flexInt(n)
	return &id, nil
}

// tagUpdate serves POST tag/update.
func (s *Server) tagUpdate(c *call, req tagRequest) (any, *apiError) {
	return s.changeTag(c, &req, func(st *state, t *tagState) (any, *apiError) {
		if req.TagName == nil {
			return nil, newError(41018)
		}
		if e := st.checkTagName(*req.TagName, t.ID); e != nil {
			return nil, e
		}
		t.Name = strings.TrimSpace(*req.TagName)
		return updatedStatus, nil
	})
}

// changeTag, holding the state's lock, applies change to the request's
// tag, which the caller must be allowed to edit.
func (s *Server) changeTag(c *call, req *tagRequest, change func(*state, *tagState) (any, *apiError)) (any, *apiError) {
	st := s.writeState()
	defer st.mu.Unlock()
	t, e := st.editableTag(c, req.TagID)
	if e != nil {
		return nil, e
	}
	return change(st, t)
}

// tagDelete serves GET tag/delete?tagid=ID.
func (s *Server) tagDelete(c *call) (any, *apiError) {
	id, e := tagParam(c)
	if e != nil {
		return nil, e
	}
	st := s.writeState()
	defer st.mu.Unlock()
	t, e := st.editableTag(c, id)
	if e != nil {
		return nil, e
	}
	delete(st.tags, t.ID)
	for _, a := range st.apps {
		delete(a.allowTags, t.ID)
	}
	return deletedStatus, nil
}

type tagUser struct {
	UserID string `json:"userid"`
	Name   string `json:"name"`
}

type tagGetAnswer struct {
	status
	TagName   string    `json:"tagname"`
	UserList  []tagUser `json:"userlist"`
	PartyList []int     `json:"partylist"`
}

// tagGet serves GET tag/get?tagid=ID: the tag's own users and departments
// (not expanded), those visible to the app.
func (s *Server) tagGet(c *call) (any, *apiError) {
	id, e := tagParam(c)
	if e != nil {
		return nil, e
	}
	st := s.readState()
	defer st.mu.RUnlock()
	t, e := st.knownTag(int(*id))
	if e != nil {
		return nil, e
	}
	users, parties := st.visibleTagLists(c, t)
	return tagGetAnswer{okStatus, t.Name, users, parties}, nil
}

// knownTag returns the tag id: 40068 if there is none. The caller holds
// st.mu.
func (st *state) knownTag(id int) (*tagState, *apiError) {
	t := st.tags[id]
	if t == nil {
		return nil, errorf(40068, "tagid %d", id)
	}
	return t, nil
}

// visibleTagLists returns the tag's own users, in the organisation's
// order, and departments (not expanded) that the call's token sees. The
// caller holds st.mu.
func (st *state) visibleTagLists(c *call, t *tagState) ([]tagUser, []int) {
	a := c.app()
	var ms []*member
	for key := range t.users {
		if m := st.users[key]; m != nil && st.userVisible(a, m) {
			ms = append(ms, m)
		}
	}
	slices.SortFunc(ms, func(x, y *member) int { return cmp.Compare(x.seq, y.seq) })
	users := make([]tagUser, len(ms))
	for i, m := range ms {
		users[i] = tagUser{m.UserID, m.Name}
	}
	parties := []int{}
	for _, p := range sortedKeys(t.parties) {
		if st.deptVisible(a, p) {
			parties = append(parties, p)
		}
	}
	return users, parties
}

type tagMembersAnswer struct {
	status
	InvalidList  string `json:"invalidlist,omitempty"`
	InvalidParty []int  `json:"invalidparty,omitempty"`
}

// tagChangeUsers serves tag/addtagusers (add) and tag/deltagusers: at most
// 1000 users and 100 departments, not both empty; unknown or invisible
// members are answered in invalidlist ("|"-joined) and invalidparty; all
// invalid fails with allInvalid.
func (s *Server) tagChangeUsers(c *call, req *tagRequest, add bool) (any, *apiError) {
	if e := checkTagLists(req); e != nil {
		return nil, e
	}
	return s.changeTag(c, req, func(st *state, t *tagState) (any, *apiError) {
		a := c.app()
		var users []string
		var parties []int
		var badUsers []string
		var badParties []int
		for _, id := range req.UserList {
			m := st.seenUser(c, id)
			if m == nil {
				badUsers = append(badUsers, id)
				continue
			}
			users = append(users, strings.ToLower(m.UserID))
		}
		for _, p := range req.PartyList {
			if st.depts[p] == nil || !st.deptVisible(a, p) {
				badParties = append(badParties, p)
				continue
			}
			parties = append(parties, p)
		}
		if len(users) == 0 && len(parties) == 0 {
			if add {
				return nil, newError(40070)
			}
			return nil, newError(40031)
		}
		for _, u := range users {
			if add {
				t.users[u] = true
			} else {
				delete(t.users, u)
			}
		}
		for _, p := range parties {
			if add {
				t.parties[p] = true
			} else {
				delete(t.parties, p)
			}
		}
		out := tagMembersAnswer{status: okStatus, InvalidList: strings.Join(badUsers, "|"), InvalidParty: badParties}
		if !add {
			out.status = deletedStatus
		}
		return out, nil
	})
}

// checkTagLists checks the sizes of a request's userlist and partylist.
func checkTagLists(req *tagRequest) *apiError {
	switch {
	case len(req.UserList) == 0 && len(req.PartyList) == 0:
		return errorf(40035, "userlist and partylist are both empty")
	case len(req.UserList) > 1000:
		return errorf(40035, "userlist has more than 1000 members")
	case len(req.PartyList) > 100:
		return errorf(40035, "partylist has more than 100 departments")
	}
	return nil
}

// tagAddUsers serves POST tag/addtagusers.
func (s *Server) tagAddUsers(c *call, req tagRequest) (any, *apiError) {
	return s.tagChangeUsers(c, &req, true)
}

// tagDeleteUsers serves POST tag/deltagusers.
func (s *Server) tagDeleteUsers(c *call, req tagRequest) (any, *apiError) {
	return s.tagChangeUsers(c, &req, false)
}

type tagItem struct {
	TagID   int    `json:"tagid"`
	TagName string `json:"tagname"`
}

type tagListAnswer struct {
	status
	TagList []tagItem `json:"taglist"`
}

// tagList serves GET tag/list.
func (s *Server) tagList(c *call) (any, *apiError) {
	st := s.readState()
	defer st.mu.RUnlock()
	out := tagListAnswer{okStatus, []tagItem{}}
	for _, id := range sortedKeys(st.tags) {
		out.TagList = append(out.TagList, tagItem{id, st.tags[id].Name})
	}
	return out, nil
}
