package wecom

import (
	"context"
	"net/http"
)

// ShakeAroundService is the legacy 摇一摇周边 API group of 企业号, which
// WeCom no longer develops.
type ShakeAroundService service

// ShakeInfo is the device and member of one shake (shakearound/getshakeinfo).
type ShakeInfo struct {
	PageID     int        `json:"page_id"`
	BeaconInfo BeaconInfo `json:"beacon_info"`
	UserID     string     `json:"userid"`
}

// BeaconInfo is the iBeacon device that a shake found.
type BeaconInfo struct {
	Distance float64 `json:"distance"` // metres from the device
	Major    int     `json:"major"`
	Minor    int     `json:"minor"`
	UUID     string  `json:"uuid"`
}

// GetShakeInfoRequest is the request of GetShakeInfo.
func (s *ShakeAroundService) GetShakeInfoRequest(ticket string) *Request {
	return &Request{Method: http.MethodPost, API: "shakearound/getshakeinfo", Body: map[string]any{"ticket": ticket}, Result: "data", Read: true}
}

// GetShakeInfo reads the device and member of a shake from the ticket in the
// shaken page's URL, valid for 30 minutes (获取设备及用户信息).
//
// WeCom API docs: https://qydev.weixin.qq.com/wiki/index.php?title=获取设备及用户信息
func (s *ShakeAroundService) GetShakeInfo(ctx context.Context, ticket string) (*ShakeInfo, error) {
	var info ShakeInfo
	if err := s.client.Do(ctx, s.GetShakeInfoRequest(ticket), &info); err != nil {
		return nil, err
	}
	return &info, nil
}
