package emulator

import (
	"cmp"
	"slices"
	"strings"
)

// The corp customer tags (企业客户标签): get_corp_tag_list, add_corp_tag,
// edit_corp_tag, del_corp_tag, and mark_tag, which tags a member's customer.

// tagGroupView is a tag group as the answers show it.
type tagGroupView struct {
	GroupID    string    `json:"group_id"`
	GroupName  string    `json:"group_name"`
	CreateTime int64     `json:"create_time"`
	Order      int       `json:"order"`
	Deleted    bool      `json:"deleted"`
	Tag        []tagView `json:"tag"`
}

type tagView struct {
	ID         string `json:"id"`
	Name       string `json:"name"`
	CreateTime int64  `json:"create_time"`
	Order      int    `json:"order"`
	Deleted    bool   `json:"deleted"`
}

// viewGroup shows g with the tags keep accepts, larger order first.
func viewGroup(g *CorpTagGroup, keep func(*CorpTag) bool) tagGroupView {
	v := tagGroupView{GroupID: g.GroupID, GroupName: g.GroupName, CreateTime: g.CreateTime, Order: g.Order, Tag: []tagView{}}
	for i := range g.Tags {
		if t := &g.Tags[i]; keep(t) {
			v.Tag = append(v.Tag, tagView{ID: t.ID, Name: t.Name, CreateTime: t.CreateTime, Order: t.Order})
		}
	}
	slices.SortStableFunc(v.Tag, func(a, b tagView) int { return cmp.Compare(b.Order, a.Order) })
	return v
}

type tagGroupsAnswer struct {
	status
	TagGroup []tagGroupView `json:"tag_group"`
}

// corpTagIDs is the body of get_corp_tag_list and del_corp_tag: tags and
// tag groups by id.
type corpTagIDs struct {
	TagID   stringList `json:"tag_id"`
	GroupID stringList `json:"group_id"`
}

// ecTagList serves POST externalcontact/get_corp_tag_list: every group, or
// the groups in group_id, or the tags in tag_id with their groups (group_id
// wins when both are given).
func (s *Server) ecTagList(c *call, req corpTagIDs) (any, *apiError) {
	cs := s.lockCustomers()
	defer s.st.mu.Unlock()
	out := tagGroupsAnswer{okStatus, []tagGroupView{}}
	all := func(*CorpTag) bool { return true }
	for _, g := range cs.sortedGroups() {
		switch {
		case len(req.GroupID) > 0:
			if slices.Contains(req.GroupID, g.GroupID) {
				out.TagGroup = append(out.TagGroup, viewGroup(g, all))
			}
		case len(req.TagID) > 0:
			v := viewGroup(g, func(t *CorpTag) bool { return slices.Contains(req.TagID, t.ID) })
			if len(v.Tag) > 0 {
				out.TagGroup = append(out.TagGroup, v)
			}
		default:
			out.TagGroup = append(out.TagGroup, viewGroup(g, all))
		}
	}
	return out, nil
}

// sortedGroups returns the tag groups, larger order first, then by creation.
func (cs *customerState) sortedGroups() []*CorpTagGroup {
	out := slices.Clone(cs.groups)
	slices.SortStableFunc(out, func(a, b *CorpTagGroup) int { return cmp.Compare(b.Order, a.Order) })
	return out
}

type tagGroupAnswer struct {
	status
	TagGroup tagGroupView `json:"tag_group"`
}

type ecTagAddRequest struct {
	GroupID   string  `json:"group_id"`
	GroupName string  `json:"group_name"`
	Order     flexInt `json:"order"`
	Tag       []struct {
		Name  string  `json:"name"`
		Order flexInt `json:"order"`
	} `json:"tag"`
}

// ecTagAdd serves POST externalcontact/add_corp_tag: it adds the tags to
// the group group_id, or to the group named group_name, made (with order)
// when there is none. A tag whose name the group has is not added again;
// the answer shows the group with the tags of the request.
func (s *Server) ecTagAdd(c *call, req ecTagAddRequest) (any, *apiError) {
	if len(req.Tag) == 0 {
		return nil, errorf(40058, "tag is empty: a group cannot be empty")
	}
	for _, t := range req.Tag {
		if e := checkCorpTagName(t.Name); e != nil {
			return nil, e
		}
	}
	cs := s.lockCustomers()
	defer s.st.mu.Unlock()
	now := cs.now().Unix()
	var g *CorpTagGroup
	switch {
	case req.GroupID != "":
		if g = cs.group(req.GroupID); g == nil {
			return nil, errorf(40068, "no tag group %q", req.GroupID)
		}
	case req.GroupName != "":
		if e := checkCorpTagName(req.GroupName); e != nil {
			return nil, e
		}
		i := slices.IndexFunc(cs.groups, func(g *CorpTagGroup) bool { return g.GroupName == strings.TrimSpace(req.GroupName) })
		if i >= 0 {
			g = cs.groups[i]
		} else {
			g = &CorpTagGroup{GroupID: cs.newID("et"), GroupName: strings.TrimSpace(req.GroupName), CreateTime: now, Order: int(req.Order)}
			cs.groups = append(cs.groups, g)
		}
	default:
		return nil, errorf(40058, "group_id or group_name is required")
	}
	added := map[string]bool{}
	for _, t := range req.Tag {
		name := strings.TrimSpace(t.Name)
		added[name] = true
		if !slices.ContainsFunc(g.Tags, func(ct CorpTag) bool { return ct.Name == name }) {
			g.Tags = append(g.Tags, CorpTag{ID: cs.newID("et"), Name: name, CreateTime: now, Order: int(t.Order)})
		}
	}
	return tagGroupAnswer{okStatus, viewGroup(g, func(t *CorpTag) bool { return added[t.Name] })}, nil
}

type ecTagEditRequest struct {
	ID    string   `json:"id"`
	Name  *string  `json:"name"`
	Order *flexInt `json:"order"`
}

// ecTagEdit serves POST externalcontact/edit_corp_tag: it renames or
// reorders the tag or group id. A name used by another group, or by another
// tag of the same group, is refused (40071).
func (s *Server) ecTagEdit(c *call, req ecTagEditRequest) (any, *apiError) {
	if req.Name != nil {
		if e := checkCorpTagName(*req.Name); e != nil {
			return nil, e
		}
	}
	cs := s.lockCustomers()
	defer s.st.mu.Unlock()
	if g := cs.group(req.ID); g != nil {
		if req.Name != nil {
			name := strings.TrimSpace(*req.Name)
			if slices.ContainsFunc(cs.groups, func(o *CorpTagGroup) bool { return o != g && o.GroupName == name }) {
				return nil, errorf(40071, "another tag group is named %q", name)
			}
			g.GroupName = name
		}
		if req.Order != nil {
			g.Order = int(*req.Order)
		}
		return okStatus, nil
	}
	t, g := cs.tag(req.ID)
	if t == nil {
		return nil, errorf(40068, "no tag or tag group %q", req.ID)
	}
	if req.Name != nil {
		name := strings.TrimSpace(*req.Name)
		if slices.ContainsFunc(g.Tags, func(o CorpTag) bool { return o.ID != t.ID && o.Name == name }) {
			return nil, errorf(40071, "group %s has another tag named %q", g.GroupName, name)
		}
		t.Name = name
	}
	if req.Order != nil {
		t.Order = int(*req.Order)
	}
	return okStatus, nil
}

// ecTagDelete serves POST externalcontact/del_corp_tag: it deletes the tags
// of tag_id and the groups of group_id with their tags, and the groups left
// without tags. Customers lose the deleted tags. Every id must exist
// (40068); nothing is deleted otherwise.
func (s *Server) ecTagDelete(c *call, req corpTagIDs) (any, *apiError) {
	if len(req.TagID) == 0 && len(req.GroupID) == 0 {
		return nil, errorf(40058, "tag_id and group_id cannot both be empty")
	}
	cs := s.lockCustomers()
	defer s.st.mu.Unlock()
	gone := map[string]bool{}
	for _, id := range req.TagID {
		if t, _ := cs.tag(id); t == nil {
			return nil, errorf(40068, "no tag %q", id)
		}
		gone[id] = true
	}
	for _, id := range req.GroupID {
		g := cs.group(id)
		if g == nil {
			return nil, errorf(40068, "no tag group %q", id)
		}
		for _, t := range g.Tags {
			gone[t.ID] = true
		}
	}
	cs.groups = slices.DeleteFunc(cs.groups, func(g *CorpTagGroup) bool {
		g.Tags = slices.DeleteFunc(g.Tags, func(t CorpTag) bool { return gone[t.ID] })
		return len(g.Tags) == 0
	})
	for _, cu := range cs.customers {
		for _, f := range cu.follows {
			f.TagIDs = slices.DeleteFunc(f.TagIDs, func(id string) bool { return gone[id] })
		}
	}
	return okStatus, nil
}

type ecMarkTagRequest struct {
	UserID     string     `json:"userid"`
	ExternalID string     `json:"external_userid"`
	AddTag     stringList `json:"add_tag"`
	RemoveTag  stringList `json:"remove_tag"`
}

// ecMarkTag serves POST externalcontact/mark_tag: it adds and removes corp
// tags on the follow of member userid of customer external_userid.
func (s *Server) ecMarkTag(c *call, req ecMarkTagRequest) (any, *apiError) {
	if len(req.AddTag) == 0 && len(req.RemoveTag) == 0 {
		return nil, errorf(40058, "add_tag and remove_tag cannot both be empty")
	}
	cs := s.lockCustomers()
	defer s.st.mu.Unlock()
	m, e := s.followUser(c, req.UserID)
	if e != nil {
		return nil, e
	}
	cu := cs.customers[req.ExternalID]
	if cu == nil {
		return nil, errorf(40096, "%q", req.ExternalID)
	}
	f := cu.follower(m.UserID)
	if f == nil {
		return nil, errorf(84061, "%s is not a customer of %s", cu.ExternalUserID, m.UserID)
	}
	for _, id := range append(slices.Clone(req.AddTag), req.RemoveTag...) {
		if t, _ := cs.tag(id); t == nil {
			return nil, errorf(40068, "no tag %q", id)
		}
	}
	for _, id := range req.AddTag {
		if !slices.Contains(f.TagIDs, id) {
			f.TagIDs = append(f.TagIDs, id)
		}
	}
	f.TagIDs = slices.DeleteFunc(f.TagIDs, func(id string) bool { return slices.Contains(req.RemoveTag, id) })
	return okStatus, nil
}
