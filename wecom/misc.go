package wecom

import (
	"context"
	"net/http"
)

// MiscService is the tools API group (工具类接口).
type MiscService service

// GetWechatIPsRequest is the request of GetWechatIPs.
func (s *MiscService) GetWechatIPsRequest() *Request {
	return &Request{Method: http.MethodGet, API: "getcallbackip", Result: "ip_list", Read: true}
}

// GetWechatIPs returns the IP addresses and ranges that WeCom's servers call
// the application's callback URL from (获取企业微信回调IP段), e.g. to
// allow them in a firewall.
//
// WeCom API docs: https://developer.work.weixin.qq.com/document/path/90930
func (s *MiscService) GetWechatIPs(ctx context.Context) ([]string, error) {
	var ips []string
	err := s.client.Do(ctx, s.GetWechatIPsRequest(), &ips)
	return ips, err
}
