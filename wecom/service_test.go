package wecom

import (
	"fmt"
	"net/http"
	"testing"
)

// handleWithToken registers fn for api and checks that the access token
// sent is want ("" for none).
func (ts *testServer) handleWithToken(t *testing.T, api, want string, fn http.HandlerFunc) {
	t.Helper()
	ts.mux.HandleFunc("/cgi-bin/"+api, func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		if got, sent := q.Get("access_token"), q.Has("access_token"); got != want || sent != (want != "") {
			t.Errorf("%s: access_token = %q (sent %v), want %q", api, got, sent, want)
		}
		fn(w, r)
	})
}

// postWithToken registers api to answer answer to a POST of body that
// carries the access token want ("" for none).
func (ts *testServer) postWithToken(t *testing.T, api, want, body, answer string) {
	t.Helper()
	ts.handleWithToken(t, api, want, func(w http.ResponseWriter, r *http.Request) {
		testMethod(t, r, http.MethodPost)
		testJSONBody(t, r, body)
		fmt.Fprint(w, answer)
	})
}

func TestServiceService_GetProviderToken(t *testing.T) {
	t.Parallel()
	c, ts := setup(t)
	ts.postWithToken(t, "service/get_provider_token", "", `{"corpid":"`+testCorpID+`","provider_secret":"PS"}`, `{"provider_access_token":"enLSZ5xxxxxxJRL","expires_in":7200}`)
	got, err := c.Service.GetProviderToken(t.Context(), "PS")
	testResult(t, got, err, &ProviderToken{ProviderAccessToken: "enLSZ5xxxxxxJRL", ExpiresIn: 7200})
	if n := ts.gettokens.Load(); n != 0 {
		t.Errorf("gettoken calls = %d, want 0", n)
	}
}

func TestServiceService_GetSuiteToken(t *testing.T) {
	t.Parallel()
	c, ts := setup(t)
	ts.postWithToken(t, "service/get_suite_token", "", `{"suite_id":"ww1","suite_secret":"SS","suite_ticket":"ST"}`, `{"errcode":0,"errmsg":"ok","suite_access_token":"61W3mEpU","expires_in":7200}`)
	got, err := c.Service.GetSuiteToken(t.Context(), "ww1", "SS", "ST")
	testResult(t, got, err, &SuiteToken{SuiteAccessToken: "61W3mEpU", ExpiresIn: 7200})
}

func TestServiceService_GetLoginInfo(t *testing.T) {
	t.Parallel()
	c, ts := setup(t)
	ts.postWithToken(t, "service/get_login_info", "PROVIDER", `{"auth_code":"AUTHCODE"}`, `{"is_sys":true,"is_inner":true,
			"user_info":{"email":"e","userid":"u","name":"n","mobile":"m","avatar":"a"},
			"corp_info":{"corpid":"wx6c","corp_name":"test","corp_type":"verified","corp_user_max":10,"corp_agent_max":5},
			"agent":[{"agentid":0,"auth_type":1},{"agentid":2,"auth_type":0}],
			"auth_info":{"department":[{"id":"2","writable":"true"},{"id":3,"writable":false}]},
			"redirect_login_info":{"login_ticket":"LT","expires_in":36000}}`)
	got, err := c.Service.GetLoginInfo(t.Context(), "AUTHCODE", "PROVIDER")
	want := &LoginInfo{
		IsSys:             true,
		IsInner:           true,
		UserInfo:          LoginUser{UserID: "u", Name: "n", Email: "e", Mobile: "m", Avatar: "a"},
		CorpInfo:          LoginCorp{CorpID: "wx6c", CorpName: "test", CorpType: "verified", CorpUserMax: 10, CorpAgentMax: 5},
		Agent:             []LoginAgent{{AgentID: 0, AuthType: 1}, {AgentID: 2, AuthType: 0}},
		AuthInfo:          LoginAuth{Department: []LoginDepartment{{ID: 2, Writable: true}, {ID: 3, Writable: false}}},
		RedirectLoginInfo: LoginRedirect{LoginTicket: "LT", ExpiresIn: 36000},
	}
	testResult(t, got, err, want)
}

func TestServiceService_GetLoginInfoClientToken(t *testing.T) {
	t.Parallel()
	c, ts := setup(t)
	ts.post(t, "service/get_login_info", `{"auth_code":"AUTHCODE"}`, `{"errcode":0,"errmsg":"ok","usertype":1}`)
	got, err := c.Service.GetLoginInfo(t.Context(), "AUTHCODE", "")
	if err != nil {
		t.Fatal(err)
	}
	if got.UserType != 1 {
		t.Errorf("UserType = %d, want 1", got.UserType)
	}
}

func TestServiceService_GetLoginURL(t *testing.T) {
	agentID := 1
	tests := []struct {
		name     string
		params   LoginURLParams
		token    string
		wantBody string
	}{
		{"full", LoginURLParams{LoginTicket: "LT", Target: "agent_setting", AgentID: &agentID, ProviderAccessToken: "PROVIDER"}, "PROVIDER",
			`{"login_ticket":"LT","target":"agent_setting","agentid":1}`},
		{"no agent, client token", LoginURLParams{LoginTicket: "LT", Target: "member_setting"}, testToken,
			`{"login_ticket":"LT","target":"member_setting"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, ts := setup(t)
			ts.postWithToken(t, "service/get_login_url", tt.token, tt.wantBody, `{"errcode":0,"errmsg":"ok","login_url":"https://qy.weixin.qq.com/cgi-bin/loginpage?x=1","expires_in":36000}`)
			got, err := c.Service.GetLoginURL(t.Context(), tt.params)
			testResult(t, got, err, &LoginURL{LoginURL: "https://qy.weixin.qq.com/cgi-bin/loginpage?x=1", ExpiresIn: 36000})
		})
	}
}

func TestServiceService_Error(t *testing.T) {
	t.Parallel()
	c, ts := setup(t)
	ts.handleWithToken(t, "service/get_provider_token", "", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, `{"errcode":40001,"errmsg":"invalid credential"}`)
	})
	_, err := c.Service.GetProviderToken(t.Context(), "wrong")
	if !IsCode(err, CodeInvalidSecret) {
		t.Errorf("err = %v, want errcode 40001", err)
	}
	// No access token was sent, so none is refreshed.
	if n := ts.gettokens.Load(); n != 0 {
		t.Errorf("gettoken calls = %d, want 0", n)
	}
}
