package bindings

// wecom.service: 应用授权 (service providers and third-party applications).
//
//	service.get_provider_token(provider_secret) -> {provider_access_token, expires_in}
//	service.get_suite_token(suite_id, suite_secret, suite_ticket) -> {suite_access_token, expires_in, ...}
//	service.get_login_info(auth_code [, provider_access_token]) -> {user_info, corp_info, agent, auth_info, ...}
//	service.get_login_url(login_ticket, target [, agentid [, provider_access_token]]) -> {login_url, ...}
//
// get_provider_token and get_suite_token send no access token (the secrets
// authenticate them); get_login_info and get_login_url send
// provider_access_token as the access token when it is given, else the
// client's.

import "github.com/wecomrunner/runner/wecom"

var serviceGroup = group{
	"get_provider_token": {params: []string{"provider_secret"}, doc: "Fetches the service provider's access token, for the client's corp id (获取服务商凭证).", prepare: func(a *args) call {
		return send(a, a.client.Service.GetProviderTokenRequest(a.str("provider_secret")))
	}},
	"get_suite_token": {params: []string{"suite_id", "suite_secret", "suite_ticket"}, doc: "Fetches a third-party application's access token (获取第三方应用凭证).", prepare: func(a *args) call {
		return send(a, a.client.Service.GetSuiteTokenRequest(a.str("suite_id"), a.str("suite_secret"), a.str("suite_ticket")))
	}},
	"get_login_info": {params: []string{"auth_code", "provider_access_token"}, doc: "Reads who logged in through the provider's login page, from its auth code (获取登录用户信息).", prepare: func(a *args) call {
		return send(a, a.client.Service.GetLoginInfoRequest(a.str("auth_code"), a.optStr("provider_access_token", "")))
	}},
	"get_login_url": {params: []string{"login_ticket", "target", "agentid", "provider_access_token"}, doc: "Returns the address that logs the admin into a console page (获取登录企业号官网的url).", prepare: func(a *args) call {
		p := wecom.LoginURLParams{
			LoginTicket:         a.str("login_ticket"),
			Target:              a.str("target"),
			ProviderAccessToken: a.optStr("provider_access_token", ""),
		}
		if a.has("agentid") {
			id := a.int("agentid")
			p.AgentID = &id
		}
		return send(a, a.client.Service.GetLoginURLRequest(p))
	}},
}
