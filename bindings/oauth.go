package bindings

// wecom.oauth: 身份验证 (OAuth2).
//
//	oauth.authorize_url(redirect_uri [, state]) -> url (string), built locally
//	oauth.get_user_info(code) -> {errcode, errmsg, UserId | OpenId, DeviceId, ...}

import "context"

// oauthAuthorizeURL is oauth.authorize_url, built locally.
func oauthAuthorizeURL(a *args) call {
	u := a.client.OAuth.AuthorizeURL(a.str("redirect_uri"), a.str("state"))
	return func(context.Context) (any, error) { return u, nil }
}
