package emulator

import (
	"net"
	"net/url"
	"strconv"
	"time"
)

type ticketAnswer struct {
	status
	Ticket    string `json:"ticket"`
	ExpiresIn int    `json:"expires_in"`
}

// jsapiTicket serves GET get_jsapi_ticket: the corp's JS-SDK ticket as
// seen by the calling app, the same one while valid.
func (s *Server) jsapiTicket(c *call) (any, *apiError) {
	return s.ticketFor(c, "jsapi")
}

// agentTicket serves GET ticket/get?type=agent_config: the app's ticket for
// wx.agentConfig.
func (s *Server) agentTicket(c *call) (any, *apiError) {
	if t := c.param("type"); t != "agent_config" {
		return nil, errorf(40058, "type must be agent_config")
	}
	return s.ticketFor(c, "agent_config")
}

func (s *Server) ticketFor(c *call, kind string) (any, *apiError) {
	if e := c.requireApp(); e != nil {
		return nil, e
	}
	now := s.now()
	g := s.auth.ticket(ticketKey{c.agentID, kind}, now, s.opts.tokenLifetime)
	return ticketAnswer{okStatus, g.value, remaining(g.expires, now)}, nil
}

type ipAnswer struct {
	IPList []string `json:"ip_list"`
	status
}

// callbackIP serves GET getcallbackip: the addresses WeCom calls back from.
func (s *Server) callbackIP(c *call) (any, *apiError) {
	return ipAnswer{[]string{"127.0.0.1", "::1"}, okStatus}, nil
}

// apiDomainIP serves GET get_api_domain_ip: the addresses of the API.
func (s *Server) apiDomainIP(c *call) (any, *apiError) {
	host := c.r.Host
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	return ipAnswer{[]string{host}, okStatus}, nil
}

type oauthAnswer struct {
	status
	UserID   string `json:"UserId"`
	DeviceID string `json:"DeviceId"`
	// The current auth/getuserinfo names.
	UserIDNew  string `json:"userid,omitempty"`
	UserTicket string `json:"user_ticket,omitempty"`
}

// oauthUserInfo serves GET user/getuserinfo?code=CODE (and the current
// auth/getuserinfo): it exchanges a code minted by NewOAuthCode for the
// member's userid. Codes are single-use (42022) and live 5 minutes (42003).
func (s *Server) oauthUserInfo(c *call) (any, *apiError) {
	if v := c.param("agentid"); v != "" {
		id, err := strconv.Atoi(v)
		if err != nil {
			return nil, errorf(40056, "agentid %q", v)
		}
		if e := c.checkAgent(id); e != nil {
			return nil, e
		}
	}
	code := c.param("code")
	if code == "" {
		return nil, errorf(41008, "code is required")
	}
	uid, e := s.auth.redeem("oauth", code, s.now())
	if e != nil {
		return nil, e
	}
	st := s.readState()
	m := st.seenUser(c, uid)
	st.mu.RUnlock()
	if m == nil {
		return nil, errorf(60011, "user %s is outside the app's visible range", uid)
	}
	out := oauthAnswer{status: okStatus, UserID: m.UserID, DeviceID: digest(uid, "device")[:22]}
	if c.api == "auth/getuserinfo" {
		out.UserIDNew, out.UserTicket = m.UserID, randomID(64)
	}
	return out, nil
}

type providerTokenAnswer struct {
	status
	ProviderAccessToken string `json:"provider_access_token"`
	ExpiresIn           int    `json:"expires_in"`
}

type providerTokenRequest struct {
	CorpID         string `json:"corpid"`
	ProviderSecret string `json:"provider_secret"`
}

// providerToken serves POST service/get_provider_token {corpid,
// provider_secret}: 40013 wrong corp id, 40001 wrong secret.
func (s *Server) providerToken(c *call, req providerTokenRequest) (any, *apiError) {
	switch {
	case req.CorpID == "":
		return nil, newError(41002)
	case req.ProviderSecret == "":
		return nil, newError(41004)
	case s.provider == nil || req.CorpID != s.provider.CorpID:
		return nil, newError(40013)
	case req.ProviderSecret != s.provider.Secret:
		return nil, newError(40001)
	}
	now := s.now()
	g := s.auth.issueProvider(now, s.opts.tokenLifetime)
	return providerTokenAnswer{okStatus, g.value, remaining(g.expires, now)}, nil
}

type suiteTokenAnswer struct {
	status
	SuiteAccessToken string `json:"suite_access_token"`
	ExpiresIn        int    `json:"expires_in"`
}

type suiteTokenRequest struct {
	SuiteID     string `json:"suite_id"`
	SuiteSecret string `json:"suite_secret"`
	SuiteTicket string `json:"suite_ticket"`
}

// suiteToken serves POST service/get_suite_token {suite_id, suite_secret,
// suite_ticket}.
func (s *Server) suiteToken(c *call, req suiteTokenRequest) (any, *apiError) {
	switch {
	case req.SuiteID == "":
		return nil, newError(41021)
	case req.SuiteSecret == "":
		return nil, newError(41024)
	case req.SuiteTicket == "":
		return nil, newError(41023)
	}
	var suite *Suite
	if s.provider != nil {
		for i := range s.provider.Suites {
			if s.provider.Suites[i].SuiteID == req.SuiteID {
				suite = &s.provider.Suites[i]
			}
		}
	}
	switch {
	case suite == nil:
		return nil, errorf(40013, "unknown suite_id")
	case req.SuiteSecret != suite.Secret:
		return nil, newError(40001)
	case req.SuiteTicket != suite.Ticket:
		return nil, errorf(40085, "invalid suite_ticket")
	}
	now := s.now()
	g := s.auth.ticket(ticketKey{kind: "suite:" + suite.SuiteID}, now, s.opts.tokenLifetime)
	return suiteTokenAnswer{okStatus, g.value, remaining(g.expires, now)}, nil
}

type loginUser struct {
	UserID string `json:"userid"`
	Name   string `json:"name"`
	Avatar string `json:"avatar"`
}

type loginCorp struct {
	CorpID string `json:"corpid"`
}

type loginAgent struct {
	AgentID  int `json:"agentid"`
	AuthType int `json:"auth_type"`
}

type loginInfoAnswer struct {
	status
	UserType          int          `json:"usertype"`
	UserInfo          loginUser    `json:"user_info"`
	CorpInfo          loginCorp    `json:"corp_info"`
	Agent             []loginAgent `json:"agent"`
	RedirectLoginInfo struct {
		LoginTicket string `json:"login_ticket"`
		ExpiresIn   int    `json:"expires_in"`
	} `json:"redirect_login_info"`
}

type loginInfoRequest struct {
	AuthCode string `json:"auth_code"`
}

// loginInfo serves POST service/get_login_info {auth_code} with the
// provider token: it exchanges a code minted by NewLoginAuthCode for the
// member's login information and a login_ticket for get_login_url.
func (s *Server) loginInfo(c *call, req loginInfoRequest) (any, *apiError) {
	if req.AuthCode == "" {
		return nil, newError(41008)
	}
	now := s.now()
	uid, e := s.auth.redeem("login", req.AuthCode, now)
	if e != nil {
		return nil, e
	}
	s.st.mu.RLock()
	m := s.st.user(uid)
	if m == nil {
		s.st.mu.RUnlock()
		return nil, errorf(60111, "%s", uid)
	}
	out := loginInfoAnswer{status: okStatus, UserType: 5, UserInfo: loginUser{m.UserID, m.Name, m.Avatar}, CorpInfo: loginCorp{s.st.corpID}}
	if m.Creator {
		out.UserType = 1
	}
	for _, id := range sortedKeys(s.st.apps) {
		out.Agent = append(out.Agent, loginAgent{id, 1})
	}
	s.st.mu.RUnlock()
	out.RedirectLoginInfo.LoginTicket = s.auth.mint("ticket", uid, now.Add(10*time.Minute))
	out.RedirectLoginInfo.ExpiresIn = 600
	return out, nil
}

type loginURLAnswer struct {
	status
	LoginURL  string `json:"login_url"`
	ExpiresIn int    `json:"expires_in"`
}

type loginURLRequest struct {
	LoginTicket string  `json:"login_ticket"`
	Target      string  `json:"target"`
	AgentID     flexInt `json:"agentid"`
}

// loginURL serves POST service/get_login_url {login_ticket, target,
// agentid} with the provider token.
func (s *Server) loginURL(c *call, req loginURLRequest) (any, *apiError) {
	switch req.Target {
	case "agent_setting", "send_msg", "contact", "3rd_admin":
	default:
		return nil, errorf(40058, "invalid target %q", req.Target)
	}
	if req.Target == "agent_setting" && req.AgentID == 0 {
		return nil, newError(41011)
	}
	now := s.now()
	if _, e := s.auth.redeem("ticket", req.LoginTicket, now); e != nil {
		return nil, e
	}
	q := url.Values{"corp_id": {s.st.corpID}, "login_ticket": {req.LoginTicket}, "session_key": {randomAlnum(24)}}
	if req.AgentID != 0 {
		q.Set("agentid", strconv.Itoa(int(req.AgentID)))
	}
	return loginURLAnswer{okStatus, "http://" + c.r.Host + "/cgi-bin/loginpage?" + q.Encode(), 600}, nil
}

type beaconInfo struct {
	Distance float64 `json:"distance"`
	Major    int     `json:"major"`
	Minor    int     `json:"minor"`
	UUID     string  `json:"uuid"`
}

type shakeAnswer struct {
	status
	Data struct {
		PageID     int        `json:"page_id"`
		BeaconInfo beaconInfo `json:"beacon_info"`
		UserID     string     `json:"userid"`
	} `json:"data"`
}

type shakeInfoRequest struct {
	Ticket string `json:"ticket"`
}

// shakeInfo serves the legacy POST shakearound/getshakeinfo {ticket}: it
// answers for a ticket minted by NewShakeTicket.
func (s *Server) shakeInfo(c *call, req shakeInfoRequest) (any, *apiError) {
	uid, e := s.auth.redeem("shake", req.Ticket, s.now())
	if e != nil {
		return nil, errorf(e.code, "invalid ticket")
	}
	out := shakeAnswer{status: okStatus}
	out.Data.PageID = 14000
	out.Data.UserID = uid
	out.Data.BeaconInfo = beaconInfo{Distance: 55.0, Major: 10001, Minor: 19007, UUID: "FDA50693-A4E2-4FB1-AFCF-C6EB07647825"}
	return out, nil
}
