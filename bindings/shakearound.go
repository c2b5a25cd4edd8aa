package bindings

// wecom.shakearound: 摇一摇周边 (legacy 企业号 API; warned about once per run).
//
//	shakearound.get_shake_info(ticket) -> {page_id, beacon_info = {distance, major, minor, uuid}, userid}

var shakearoundGroup = group{
	"get_shake_info": {params: []string{"ticket"}, doc: "Reads the device and member of a shake from the ticket in the shaken page's URL (获取设备及用户信息).", prepare: func(a *args) call {
		return send(a, a.client.ShakeAround.GetShakeInfoRequest(a.str("ticket")))
	}},
}
