package bindings

// wecom.oauth: 身份验证 (OAuth2).

import "context"

// oauthAuthorizeURL is oauth.authorize_url, built locally.
func oauthAuthorizeURL(a *args) call {
	u := a.client.OAuth.AuthorizeURL(a.str("redirect_uri"), a.str("state"))
	return func(context.Context) (any, error) { return u, nil }
}
