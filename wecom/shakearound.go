package wecom

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
