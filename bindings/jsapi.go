package bindings

// wecom.jsapi: JS-SDK 接口.
//
//	jsapi.get_ticket() -> {errcode, errmsg, ticket, expires_in}
//	jsapi.get_agent_ticket() -> {errcode, errmsg, ticket, expires_in}
//	jsapi.get_jsapi_ticket() -> ticket (string), cached until it expires
//	jsapi.get_agent_jsapi_ticket() -> ticket (string), cached until it expires
//	jsapi.get_jsapi_signature(noncestr, ticket, timestamp, url) -> signature (hex string)

import "context"

var jsapiGroup = group{
	"get_ticket": {doc: "Fetches a new corp jsapi_ticket, for wx.config; returns WeCom's answer (获取企业的jsapi_ticket).", prepare: func(a *args) call {
		return send(a, a.client.JSAPI.GetTicketRequest())
	}},
	"get_agent_ticket": {doc: "Fetches a new jsapi_ticket of the application, for wx.agentConfig; returns WeCom's answer (获取应用的jsapi_ticket).", prepare: func(a *args) call {
		return send(a, a.client.JSAPI.GetAgentTicketRequest())
	}},
	"get_jsapi_ticket": {doc: "Returns the corp jsapi_ticket, cached until it expires (获取企业的jsapi_ticket).", prepare: func(a *args) call {
		js := a.client.JSAPI
		return func(ctx context.Context) (any, error) { return js.CachedTicket(ctx) }
	}},
	"get_agent_jsapi_ticket": {doc: "Returns the application's jsapi_ticket, cached until it expires (获取应用的jsapi_ticket).", prepare: func(a *args) call {
		js := a.client.JSAPI
		return func(ctx context.Context) (any, error) { return js.CachedAgentTicket(ctx) }
	}},
	"get_jsapi_signature": {params: []string{"noncestr", "ticket", "timestamp", "url"}, doc: "Signs a page for wx.config or wx.agentConfig: the hex SHA-1 signature (JS-SDK使用权限签名算法).", prepare: func(a *args) call {
		sig := a.client.JSAPI.Signature(a.str("noncestr"), a.str("ticket"), int64(a.int("timestamp")), a.str("url"))
		return func(context.Context) (any, error) { return sig, nil }
	}},
}
