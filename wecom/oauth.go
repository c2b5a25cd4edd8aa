package wecom

import (
	"net/url"
	"strings"
)

// OAuthService is the web login API group (身份验证): it identifies the
// member who opened one of the application's pages inside WeCom.
//
// WeCom API docs: https://developer.work.weixin.qq.com/document/path/91022
type OAuthService service

// AuthorizeBaseURL is the page that asks WeCom for an OAuth code.
const AuthorizeBaseURL = "https://open.weixin.qq.com/connect/oauth2/authorize"

// OAuthUser is the identity of the member (or non-member) who followed an
// authorization link (user/getuserinfo).
type OAuthUser struct {
	UserID     string `json:"UserId"`      // the member's userid
	OpenID     string `json:"OpenId"`      // set instead of UserId for a non-member
	DeviceID   string `json:"DeviceId"`    // the device the member used
	UserTicket string `json:"user_ticket"` // for reading the member's details, when the scope allows
	ExpiresIn  int    `json:"expires_in"`  // lifetime of user_ticket, in seconds
}

// AuthorizeURL is the link that sends a member through WeCom's OAuth and
// back to redirectURI with ?code=CODE&state=STATE (构造网页授权链接). It is
// built locally for the client's corp with the snsapi_base scope;
// redirectURI is escaped, state (left out when empty) is not.
//
// WeCom API docs: https://developer.work.weixin.qq.com/document/path/91022
func (s *OAuthService) AuthorizeURL(redirectURI, state string) string {
	var b strings.Builder
	b.WriteString(AuthorizeBaseURL)
	b.WriteString("?appid=")
	b.WriteString(s.client.corpID)
	b.WriteString("&redirect_uri=")
	b.WriteString(escapeAll(redirectURI))
	b.WriteString("&response_type=code&scope=snsapi_base")
	if state != "" {
		b.WriteString("&state=")
		b.WriteString(state)
	}
	b.WriteString("#wechat_redirect")
	return b.String()
}

// escapeAll percent-encodes every byte of s but ASCII letters, digits and
// "-._~", a space included (as %20).
func escapeAll(s string) string {
	return strings.ReplaceAll(url.QueryEscape(s), "+", "%20")
}
