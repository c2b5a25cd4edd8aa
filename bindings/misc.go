package bindings

// wecom.misc: 工具类接口.
//
//	misc.get_wechat_ips() -> {"1.2.3.4", ...}

var miscGroup = group{
	"get_wechat_ips": {doc: "Lists the IP addresses WeCom calls the application's callback from (获取企业微信回调IP段).", prepare: func(a *args) call {
		return send(a, a.client.Misc.GetWechatIPsRequest())
	}},
}
