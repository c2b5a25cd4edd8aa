package emulator

import (
	"net/http"
	"strings"
	"testing"
	"time"
)

func TestTickets(t *testing.T) {
	t.Parallel()
	clock := newFakeClock()
	s := startServer(t, WithClock(clock.Now), WithTokenLifetime(2*time.Hour))
	ops, report := opsApp(t, s), reportApp(t, s)
	first := ops.get("get_jsapi_ticket")
	wantCode(t, first, 0)
	clock.Add(time.Minute)
	again := ops.get("get_jsapi_ticket")
	if again.str("ticket") != first.str("ticket") || again.num("expires_in") != 7140 {
		t.Errorf("ticket not cached: %v then %v", first, again)
	}
	agent := ops.get("ticket/get", "type", "agent_config")
	if agent.str("ticket") == "" || agent.str("ticket") == first.str("ticket") {
		t.Errorf("agent_config ticket %v", agent)
	}
	if report.get("get_jsapi_ticket").str("ticket") == first.str("ticket") {
		t.Errorf("two apps share a ticket")
	}
	wantCode(t, ops.get("ticket/get", "type", "other"), 40058)
	wantCode(t, contacts(t, s).get("get_jsapi_ticket"), 48002)
	clock.Add(2 * time.Hour)
	ops = opsApp(t, s)
	if ops.get("get_jsapi_ticket").str("ticket") == first.str("ticket") {
		t.Errorf("an expired ticket was handed out again")
	}
}

func TestCallbackIP(t *testing.T) {
	t.Parallel()
	s := startServer(t)
	c := opsApp(t, s)
	if l := c.get("getcallbackip").list("ip_list"); len(l) == 0 {
		t.Errorf("getcallbackip gave no ip")
	}
	if l := c.get("get_api_domain_ip").list("ip_list"); len(l) != 1 || l[0] != "127.0.0.1" {
		t.Errorf("get_api_domain_ip = %v", l)
	}
}

func TestOAuth(t *testing.T) {
	t.Parallel()
	s := startServer(t)
	c := opsApp(t, s)
	code, err := s.NewOAuthCode("lisi")
	if err != nil {
		t.Fatal(err)
	}
	r := c.get("user/getuserinfo", "code", code, "agentid", "1000002")
	wantCode(t, r, 0)
	if r.str("UserId") != "lisi" || r.str("DeviceId") == "" {
		t.Errorf("getuserinfo = %v", r)
	}
	wantCode(t, c.get("user/getuserinfo", "code", code), 42022)
	wantCode(t, c.get("user/getuserinfo", "code", "bogus"), 40029)
	code, _ = s.NewOAuthCode("chenjing")
	wantCode(t, reportApp(t, s).get("auth/getuserinfo", "code", code), 60011)
	if _, err := s.NewOAuthCode("ghost"); err == nil {
		t.Errorf("NewOAuthCode accepted an unknown user")
	}
}

func TestService(t *testing.T) {
	t.Parallel()
	s := startServer(t)
	p := s.Credentials().Provider
	wantCode(t, rawCall(t, s, http.MethodPost, "service/get_provider_token", nil, map[string]string{"corpid": p.CorpID, "provider_secret": "wrong"}), 40001)
	wantCode(t, rawCall(t, s, http.MethodPost, "service/get_provider_token", nil, map[string]string{"corpid": "wwother", "provider_secret": p.Secret}), 40013)
	tok := rawCall(t, s, http.MethodPost, "service/get_provider_token", nil, map[string]string{"corpid": p.CorpID, "provider_secret": p.Secret})
	if tok.str("provider_access_token") == "" || tok.num("expires_in") != 7200 {
		t.Fatalf("get_provider_token = %v", tok)
	}
	su := p.Suites[0]
	suite := rawCall(t, s, http.MethodPost, "service/get_suite_token", nil, map[string]string{"suite_id": su.SuiteID, "suite_secret": su.Secret, "suite_ticket": su.Ticket})
	if suite.str("suite_access_token") == "" {
		t.Errorf("get_suite_token = %v", suite)
	}
	wantCode(t, rawCall(t, s, http.MethodPost, "service/get_suite_token", nil, map[string]string{"suite_id": su.SuiteID, "suite_secret": su.Secret, "suite_ticket": "old"}), 40085)

	prov := &apiClient{t: t, s: s, token: tok.str("provider_access_token")}
	code, _ := s.NewLoginAuthCode("zhangwei")
	info := prov.post("service/get_login_info", map[string]string{"auth_code": code})
	wantCode(t, info, 0)
	if info.obj("user_info").str("userid") != "zhangwei" || info.num("usertype") != 1 {
		t.Errorf("get_login_info = %v", info)
	}
	ticket := info.obj("redirect_login_info").str("login_ticket")
	u := prov.post("service/get_login_url", map[string]any{"login_ticket": ticket, "target": "agent_setting", "agentid": 1000002})
	if !strings.Contains(u.str("login_url"), "login_ticket=") {
		t.Errorf("get_login_url = %v", u)
	}
	wantCode(t, prov.post("service/get_login_url", map[string]any{"login_ticket": ticket, "target": "contact"}), 42022)
	// An app token is not a provider token.
	wantCode(t, opsApp(t, s).post("service/get_login_info", map[string]string{"auth_code": code}), 40014)
}

func TestShakeAround(t *testing.T) {
	t.Parallel()
	s := startServer(t)
	c := opsApp(t, s)
	ticket, _ := s.NewShakeTicket("zhangsan")
	r := c.post("shakearound/getshakeinfo", map[string]string{"ticket": ticket})
	wantCode(t, r, 0)
	if r.obj("data").str("userid") != "zhangsan" {
		t.Errorf("getshakeinfo = %v", r)
	}
	wantCode(t, c.post("shakearound/getshakeinfo", map[string]string{"ticket": "nope"}), 40029)
}
