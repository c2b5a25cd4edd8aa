package bindings

// wecom.jsapi: JS-SDK 接口.

import "context"

// jsapiGetJsapiTicket is jsapi.get_jsapi_ticket.
func jsapiGetJsapiTicket(a *args) call {
	js := a.client.JSAPI
	return func(ctx context.Context) (any, error) { return js.CachedTicket(ctx) }
}

// jsapiGetAgentJsapiTicket is jsapi.get_agent_jsapi_ticket.
func jsapiGetAgentJsapiTicket(a *args) call {
	js := a.client.JSAPI
	return func(ctx context.Context) (any, error) { return js.CachedAgentTicket(ctx) }
}

// jsapiGetJsapiSignature is jsapi.get_jsapi_signature, computed locally.
func jsapiGetJsapiSignature(a *args) call {
	sig := a.client.JSAPI.Signature(a.str("noncestr"), a.str("ticket"), int64(a.int("timestamp")), a.str("url"))
	return func(context.Context) (any, error) { return sig, nil }
}
