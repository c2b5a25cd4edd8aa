package wecom

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"strconv"
)

// ServiceService is the service provider API group (应用授权): the
// credentials of a service provider and of its third-party applications, and
// the provider's login to the admin console. These calls authenticate with
// the provider's own secrets and tokens, not with the client's access token.
//
// WeCom API docs: https://developer.work.weixin.qq.com/document/path/90597
type ServiceService service

// ProviderToken is a service provider's access token (provider_access_token).
type ProviderToken struct {
	ProviderAccessToken string `json:"provider_access_token"`
	ExpiresIn           int    `json:"expires_in"` // seconds
}

// SuiteToken is a third-party application's access token (suite_access_token).
type SuiteToken struct {
	SuiteAccessToken string `json:"suite_access_token"`
	ExpiresIn        int    `json:"expires_in"` // seconds
}

// LoginInfo is the admin who logged in through the provider's login page
// (service/get_login_info), with their corp and the applications they manage.
type LoginInfo struct {
	UserType          int           `json:"usertype"` // 1 creator, 2 internal admin, 3 external admin, 4 branch admin, 5 member
	IsSys             bool          `json:"is_sys"`   // a system admin (企业号)
	IsInner           bool          `json:"is_inner"` // an internal admin (企业号)
	UserInfo          LoginUser     `json:"user_info"`
	CorpInfo          LoginCorp     `json:"corp_info"`
	Agent             []LoginAgent  `json:"agent"`
	AuthInfo          LoginAuth     `json:"auth_info"`
	RedirectLoginInfo LoginRedirect `json:"redirect_login_info"`
}

// LoginUser is the admin of a LoginInfo.
type LoginUser struct {
	UserID     string `json:"userid"`
	OpenUserID string `json:"open_userid"`
	Name       string `json:"name"`
	Email      string `json:"email"`
	Mobile     string `json:"mobile"`
	Avatar     string `json:"avatar"`
}

// LoginCorp is the corp of a LoginInfo.
type LoginCorp struct {
	CorpID            string `json:"corpid"`
	CorpName          string `json:"corp_name"`
	CorpType          string `json:"corp_type"` // "verified", "unverified"
	CorpRoundLogoURL  string `json:"corp_round_logo_url"`
	CorpSquareLogoURL string `json:"corp_square_logo_url"`
	CorpUserMax       int    `json:"corp_user_max"`
	CorpAgentMax      int    `json:"corp_agent_max"`
}

// LoginAgent is an application the admin of a LoginInfo manages.
type LoginAgent struct {
	AgentID  int `json:"agentid"`
	AuthType int `json:"auth_type"` // 0 use only, 1 manage
}

// LoginAuth is what the admin of a LoginInfo may manage.
type LoginAuth struct {
	Department []LoginDepartment `json:"department"`
}

// LoginDepartment is a department the admin of a LoginInfo may see.
type LoginDepartment struct {
	ID       int  `json:"id"`
	Writable bool `json:"writable"`
}

// UnmarshalJSON accepts the fields as JSON values or, as the 企业号 API sent
// them, as strings ("id":"2","writable":"true").
func (d *LoginDepartment) UnmarshalJSON(b []byte) error {
	var raw struct {
		ID       flexInt         `json:"id"`
		Writable json.RawMessage `json:"writable"`
	}
	if err := json.Unmarshal(b, &raw); err != nil {
		return err
	}
	d.ID = int(raw.ID)
	d.Writable = false
	if w := bytes.Trim(raw.Writable, `"`); len(w) > 0 && string(w) != "null" {
		v, err := strconv.ParseBool(string(w))
		if err != nil {
			return err
		}
		d.Writable = v
	}
	return nil
}

// LoginRedirect is the ticket for GetLoginURL, valid for ExpiresIn seconds.
type LoginRedirect struct {
	LoginTicket string `json:"login_ticket"`
	ExpiresIn   int    `json:"expires_in"`
}

// LoginURLParams are the inputs of GetLoginURL.
type LoginURLParams struct {
	LoginTicket string `json:"login_ticket"`      // from LoginInfo.RedirectLoginInfo, valid 10 hours
	Target      string `json:"target"`            // the console page to open, e.g. "agent_setting"
	AgentID     *int   `json:"agentid,omitempty"` // the authorizing corp's application; nil leaves it out
	// ProviderAccessToken is sent as the access token; the client's when empty.
	ProviderAccessToken string `json:"-"`
}

// LoginURL is the address that logs the admin into the console.
type LoginURL struct {
	LoginURL  string `json:"login_url"`
	ExpiresIn int    `json:"expires_in"`
}

// GetProviderTokenRequest is the request of GetProviderToken: the client's
// corp id and providerSecret in the body, and no access token.
func (s *ServiceService) GetProviderTokenRequest(providerSecret string) *Request {
	return &Request{
		Method:  http.MethodPost,
		API:     "service/get_provider_token",
		Body:    map[string]any{"corpid": s.client.corpID, "provider_secret": providerSecret},
		NoToken: true,
	}
}

// GetProviderToken fetches the service provider's access token
// (获取服务商凭证). The client's corp id is the provider's corp id.
//
// WeCom API docs: https://developer.work.weixin.qq.com/document/path/91200
func (s *ServiceService) GetProviderToken(ctx context.Context, providerSecret string) (*ProviderToken, error) {
	return resultPtr[ProviderToken](ctx, s.client, s.GetProviderTokenRequest(providerSecret))
}

// GetSuiteTokenRequest is the request of GetSuiteToken: the suite's
// credentials in the body, and no access token.
func (s *ServiceService) GetSuiteTokenRequest(suiteID, suiteSecret, suiteTicket string) *Request {
	return &Request{
		Method:  http.MethodPost,
		API:     "service/get_suite_token",
		Body:    map[string]any{"suite_id": suiteID, "suite_secret": suiteSecret, "suite_ticket": suiteTicket},
		NoToken: true,
	}
}

// GetSuiteToken fetches a third-party application's access token
// (获取第三方应用凭证). suiteTicket is the latest ticket WeCom pushed to the
// application's callback.
//
// WeCom API docs: https://developer.work.weixin.qq.com/document/path/90600
func (s *ServiceService) GetSuiteToken(ctx context.Context, suiteID, suiteSecret, suiteTicket string) (*SuiteToken, error) {
	return resultPtr[SuiteToken](ctx, s.client, s.GetSuiteTokenRequest(suiteID, suiteSecret, suiteTicket))
}

// GetLoginInfoRequest is the request of GetLoginInfo. providerAccessToken,
// when not empty, is sent as the access token instead of the client's.
func (s *ServiceService) GetLoginInfoRequest(authCode, providerAccessToken string) *Request {
	return &Request{
		Method: http.MethodPost,
		API:    "service/get_login_info",
		Body:   map[string]any{"auth_code": authCode},
		Token:  providerAccessToken,
	}
}

// GetLoginInfo reads who logged in through the provider's login page, from
// the auth code WeCom appended to the redirect (获取登录用户信息).
//
// WeCom API docs: https://developer.work.weixin.qq.com/document/path/91125
func (s *ServiceService) GetLoginInfo(ctx context.Context, authCode, providerAccessToken string) (*LoginInfo, error) {
	return resultPtr[LoginInfo](ctx, s.client, s.GetLoginInfoRequest(authCode, providerAccessToken))
}

// GetLoginURLRequest is the request of GetLoginURL.
func (s *ServiceService) GetLoginURLRequest(p LoginURLParams) *Request {
	return &Request{
		Method: http.MethodPost,
		API:    "service/get_login_url",
		Body:   p,
		Token:  p.ProviderAccessToken,
	}
}

// GetLoginURL returns the address that logs an admin into the console page
// p.Target (获取登录企业号官网的url).
//
// WeCom API docs: https://qydev.weixin.qq.com/wiki/index.php?title=获取登录企业号官网的url
func (s *ServiceService) GetLoginURL(ctx context.Context, p LoginURLParams) (*LoginURL, error) {
	return resultPtr[LoginURL](ctx, s.client, s.GetLoginURLRequest(p))
}
