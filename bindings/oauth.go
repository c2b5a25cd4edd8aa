package bindings

// wecom.oauth: 身份验证 (OAuth2).
//
//	oauth.authorize_url(redirect_uri [, state]) -> url (string), built locally
//	oauth.get_user_info(code) -> {errcode, errmsg, UserId | OpenId, DeviceId, ...}

import "context"

var oauthGroup = group{
	"authorize_url": {params: []string{"redirect_uri", "state"}, doc: "Builds the link that identifies a member through WeCom and returns to redirect_uri with a code (构造网页授权链接).", prepare: func(a *args) call {
		u := a.client.OAuth.AuthorizeURL(a.str("redirect_uri"), a.optStr("state", ""))
		return func(context.Context) (any, error) { return u, nil }
	}},
	"get_user_info": {params: []string{"code"}, doc: "Identifies the visitor from the code WeCom appended to the redirect (获取访问用户身份).", prepare: func(a *args) call {
		return send(a, a.client.OAuth.GetUserInfoRequest(a.str("code")))
	}},
}
