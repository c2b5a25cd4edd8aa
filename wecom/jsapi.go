package wecom

import (
	"context"
	"crypto/sha1"
	"encoding/hex"
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
