package wecom

import (
	"context"
	"crypto/sha1"
	"encoding/hex"
	"net/http"
	"net/url"
	"strconv"
)

// JSAPIService is the JS-SDK API group (JS-SDK 接口): the tickets and the
// signature a web page needs to call wx.config and wx.agentConfig.
//
// WeCom API docs: https://developer.work.weixin.qq.com/document/path/90506
type JSAPIService service

// JSAPITicket is WeCom's answer to a ticket request: a JS-SDK ticket and its
// lifetime in seconds.
type JSAPITicket struct {
	Ticket    string `json:"ticket"`
	ExpiresIn int    `json:"expires_in"`
}

// GetTicketRequest is the request of GetTicket.
func (s *JSAPIService) GetTicketRequest() *Request {
	return &Request{Method: http.MethodGet, API: "get_jsapi_ticket", Read: true}
}

// GetTicket fetches a new corp jsapi_ticket, for wx.config
// (获取企业的jsapi_ticket). WeCom limits how often tickets may be fetched:
// use CachedTicket unless the raw answer is needed.
//
// WeCom API docs: https://developer.work.weixin.qq.com/document/path/90506
func (s *JSAPIService) GetTicket(ctx context.Context) (*JSAPITicket, error) {
	var t JSAPITicket
	if err := s.client.Do(ctx, s.GetTicketRequest(), &t); err != nil {
		return nil, err
	}
	return &t, nil
}

// GetAgentTicketRequest is the request of GetAgentTicket.
func (s *JSAPIService) GetAgentTicketRequest() *Request {
	return &Request{Method: http.MethodGet, API: "ticket/get", Query: url.Values{"type": {"agent_config"}}, Read: true}
}

// GetAgentTicket fetches a new jsapi_ticket of the application, for
// wx.agentConfig (获取应用的jsapi_ticket). Use CachedAgentTicket unless the
// raw answer is needed.
//
// WeCom API docs: https://developer.work.weixin.qq.com/document/path/90506
func (s *JSAPIService) GetAgentTicket(ctx context.Context) (*JSAPITicket, error) {
	var t JSAPITicket
	if err := s.client.Do(ctx, s.GetAgentTicketRequest(), &t); err != nil {
		return nil, err
	}
	return &t, nil
}

// CachedTicket returns the corp jsapi_ticket (获取企业的jsapi_ticket),
// fetched once and reused until shortly before it expires, in the client's
// token cache when it has one.
//
// WeCom API docs: https://developer.work.weixin.qq.com/document/path/90506
func (s *JSAPIService) CachedTicket(ctx context.Context) (string, error) {
	return s.client.jsapiTicket.get(ctx)
}

// CachedAgentTicket returns the application's jsapi_ticket
// (获取应用的jsapi_ticket), fetched once and reused until shortly before it
// expires, in the client's token cache when it has one.
//
// WeCom API docs: https://developer.work.weixin.qq.com/document/path/90506
func (s *JSAPIService) CachedAgentTicket(ctx context.Context) (string, error) {
	return s.client.agentTicket.get(ctx)
}

// Signature is the JS-SDK signature of the page at pageURL (JS-SDK使用权限签名算法):
// the hex SHA-1 of the four fields in the ASCII order of their names, values
// as given. pageURL is the page's full address without its #fragment. The
// same algorithm signs wx.config with the corp ticket and wx.agentConfig with
// the application's ticket.
//
// WeCom API docs: https://developer.work.weixin.qq.com/document/path/90506
func (s *JSAPIService) Signature(nonceStr, ticket string, timestamp int64, pageURL string) string {
	sum := sha1.Sum([]byte("jsapi_ticket=" + ticket +
		"&noncestr=" + nonceStr +
		"&timestamp=" + strconv.FormatInt(timestamp, 10) +
		"&url=" + pageURL))
	return hex.EncodeToString(sum[:])
}
