package bindings

// wecom.service: 应用授权 (service providers and third-party applications).
//
// get_provider_token and get_suite_token send no access token (the secrets
// authenticate them); get_login_info and get_login_url send
// provider_access_token as the access token when it is given, else the
// client's.

import "github.com/wecomrunner/runner/wecom"

// serviceGetProviderToken is service.get_provider_token.
func serviceGetProviderToken(a *args) call {
	return send(a, a.client.Service.GetProviderTokenRequest(a.str("provider_secret")))
}

// serviceGetSuiteToken is service.get_suite_token.
func serviceGetSuiteToken(a *args) call {
	return send(a, a.client.Service.GetSuiteTokenRequest(a.str("suite_id"), a.str("suite_secret"), a.str("suite_ticket")))
}

// serviceGetLoginInfo is service.get_login_info.
func serviceGetLoginInfo(a *args) call {
	return send(a, a.client.Service.GetLoginInfoRequest(a.str("auth_code"), a.str("provider_access_token")))
}

// serviceGetLoginURL is service.get_login_url.
func serviceGetLoginURL(a *args) call {
	p := wecom.LoginURLParams{
		LoginTicket:         a.str("login_ticket"),
		Target:              a.str("target"),
		ProviderAccessToken: a.str("provider_access_token"),
	}
	if a.has("agentid") {
		id := a.int("agentid")
		p.AgentID = &id
	}
	return send(a, a.client.Service.GetLoginURLRequest(p))
}
