package emulator

import (
	"encoding/json"
	"strings"
	"unicode/utf8"
)

type agentAnswer struct {
	status
	AgentID        int    `json:"agentid"`
	Name           string `json:"name"`
	SquareLogoURL  string `json:"square_logo_url"`
	Description    string `json:"description"`
	AllowUserInfos struct {
		User []userRef `json:"user"`
	} `json:"allow_userinfos"`
	AllowPartys struct {
		PartyID []int `json:"partyid"`
	} `json:"allow_partys"`
	AllowTags struct {
		TagID []int `json:"tagid"`
	} `json:"allow_tags"`
	Close              int    `json:"close"`
	RedirectDomain     string `json:"redirect_domain"`
	ReportLocationFlag int    `json:"report_location_flag"`
	IsReportEnter      int    `json:"isreportenter"`
	HomeURL            string `json:"home_url"`
}

// agentGet serves GET agent/get?agentid=ID: the app's settings and visible
// range. An app reads only itself (301002).
func (s *Server) agentGet(c *call) (any, *apiError) {
	id, e := c.agentParam()
	if e != nil {
		return nil, e
	}
	st := s.readState()
	defer st.mu.RUnlock()
	a := st.apps[id]
	out := agentAnswer{
		status:             okStatus,
		AgentID:            a.AgentID,
		Name:               a.Name,
		SquareLogoURL:      a.SquareLogoURL,
		Description:        a.Description,
		Close:              a.Close,
		RedirectDomain:     a.RedirectDomain,
		ReportLocationFlag: a.ReportLocationFlag,
		IsReportEnter:      a.IsReportEnter,
		HomeURL:            a.HomeURL,
	}
	out.AllowUserInfos.User = []userRef{}
	for _, m := range st.sortedMembers(sortedKeys(st.depts)) {
		if a.allowUsers[strings.ToLower(m.UserID)] {
			out.AllowUserInfos.User = append(out.AllowUserInfos.User, userRef{m.UserID})
		}
	}
	out.AllowPartys.PartyID = sortedKeys(a.allowParties)
	out.AllowTags.TagID = sortedKeys(a.allowTags)
	return out, nil
}

type agentItem struct {
	AgentID       int    `json:"agentid"`
	Name          string `json:"name"`
	SquareLogoURL string `json:"square_logo_url"`
}

type agentListAnswer struct {
	status
	AgentList []agentItem `json:"agentlist"`
}

// agentList serves GET agent/list: the apps the token may access, which
// for an app's token is the app itself.
func (s *Server) agentList(c *call) (any, *apiError) {
	st := s.readState()
	defer st.mu.RUnlock()
	a := st.apps[c.agentID]
	return agentListAnswer{okStatus, []agentItem{{a.AgentID, a.Name, a.SquareLogoURL}}}, nil
}

type agentSetRequest struct {
	AgentID            flexInt  `json:"agentid"`
	Name               *string  `json:"name"`
	Description        *string  `json:"description"`
	RedirectDomain     *string  `json:"redirect_domain"`
	LogoMediaID        *string  `json:"logo_mediaid"`
	ReportLocationFlag *flexInt `json:"report_location_flag"`
	IsReportEnter      *flexInt `json:"isreportenter"`
	HomeURL            *string  `json:"home_url"`
}

// agentSet serves POST agent/set: only the fields given change.
func (s *Server) agentSet(c *call, req agentSetRequest) (any, *apiError) {
	if e := c.checkAgent(int(req.AgentID)); e != nil {
		return nil, e
	}
	if req.Name != nil && (*req.Name == "" || utf8.RuneCountInString(*req.Name) > 32) {
		return nil, errorf(40058, "name must be 1 to 32 characters")
	}
	if req.Description != nil && utf8.RuneCountInString(*req.Description) > 120 {
		return nil, errorf(40058, "description is at most 120 characters")
	}
	if req.LogoMediaID != nil && *req.LogoMediaID != "" && !s.media.exists(*req.LogoMediaID, s.now()) {
		return nil, errorf(40007, "logo_mediaid")
	}
	st := s.writeState()
	defer st.mu.Unlock()
	a := st.apps[int(req.AgentID)]
	set := func(dst *string, src *string) {
		if src != nil {
			*dst = *src
		}
	}
	set(&a.Name, req.Name)
	set(&a.Description, req.Description)
	set(&a.RedirectDomain, req.RedirectDomain)
	set(&a.HomeURL, req.HomeURL)
	if req.LogoMediaID != nil && *req.LogoMediaID != "" {
		a.SquareLogoURL = "https://p.qlogo.cn/bizmail/" + digest(*req.LogoMediaID)[:24] + "/0"
	}
	if req.ReportLocationFlag != nil {
		a.ReportLocationFlag = int(*req.ReportLocationFlag)
	}
	if req.IsReportEnter != nil {
		a.IsReportEnter = int(*req.IsReportEnter)
	}
	return okStatus, nil
}

// menuButton is a menu button; sub_button makes it a menu of buttons.
type menuButton struct {
	Type      string       `json:"type"`
	Name      string       `json:"name"`
	Key       string       `json:"key"`
	URL       string       `json:"url"`
	SubButton []menuButton `json:"sub_button"`
}

// menuTypes are the button types WeCom accepts.
var menuTypes = map[string]bool{
	"click": true, "view": true, "scancode_push": true, "scancode_waitmsg": true, "pic_sysphoto": true,
	"pic_photo_or_album": true, "pic_weixin": true, "location_select": true, "view_miniprogram": true,
}

// checkButtons validates a menu level: 1 to 3 top buttons (40016) with 1 to
// 5 sub-buttons (40023) and no deeper level (40022).
func checkButtons(bs []menuButton, sub bool) *apiError {
	if sub && (len(bs) == 0 || len(bs) > 5) {
		return newError(40023)
	}
	if !sub && (len(bs) == 0 || len(bs) > 3) {
		return newError(40016)
	}
	limit := 16 // bytes of a top-level button name
	if sub {
		limit = 40
	}
	for _, b := range bs {
		if b.Name == "" || len(b.Name) > limit {
			return errorf(40018, "%q", b.Name)
		}
		if len(b.SubButton) > 0 {
			if sub {
				return newError(40022)
			}
			if e := checkButtons(b.SubButton, true); e != nil {
				return e
			}
			continue
		}
		switch {
		case !menuTypes[b.Type]:
			return errorf(40017, "%q", b.Type)
		case b.Type == "view" && (b.URL == "" || len(b.URL) > 1024):
			return newError(40020)
		case b.Type != "view" && b.Type != "view_miniprogram" && (b.Key == "" || len(b.Key) > 128):
			return newError(40019)
		}
	}
	return nil
}

// menuCreate serves POST menu/create?agentid=ID.
func (s *Server) menuCreate(c *call) (any, *apiError) {
	id, e := c.agentParam()
	if e != nil {
		return nil, e
	}
	var req struct {
		Button []menuButton `json:"button"`
	}
	if e := c.decode(&req); e != nil {
		return nil, e
	}
	if e := checkButtons(req.Button, false); e != nil {
		return nil, e
	}
	var raw struct {
		Button json.RawMessage `json:"button"`
	}
	json.Unmarshal(c.body, &raw)
	st := s.writeState()
	st.apps[id].menu = raw.Button
	st.mu.Unlock()
	return okStatus, nil
}

type menuAnswer struct {
	status
	Button json.RawMessage `json:"button"`
}

// menuGet serves GET menu/get?agentid=ID; 46003 when the app has no menu.
func (s *Server) menuGet(c *call) (any, *apiError) {
	id, e := c.agentParam()
	if e != nil {
		return nil, e
	}
	st := s.readState()
	menu := st.apps[id].menu
	st.mu.RUnlock()
	if menu == nil {
		return nil, newError(46003)
	}
	return menuAnswer{okStatus, menu}, nil
}

// menuDelete serves GET menu/delete?agentid=ID.
func (s *Server) menuDelete(c *call) (any, *apiError) {
	id, e := c.agentParam()
	if e != nil {
		return nil, e
	}
	st := s.writeState()
	st.apps[id].menu = nil
	st.mu.Unlock()
	return okStatus, nil
}
