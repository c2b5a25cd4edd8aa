package bindings

import (
	"maps"
	"slices"
	"strings"
)

// paramDoc is what one parameter of a WeCom API method means, for the editor
// stubs (runner stubs).
type paramDoc struct {
	def string // the default when the parameter may be left out ("nil", "0", `"详情"`); "" when required
	doc string // its meaning, from wechatpy's reference documentation, or the official API's for methods wechatpy lacks
}

// paramDocs documents the parameters of every wecom.<group>.<method>, by
// "group.method" and parameter name. Defaults are wechatpy's, except where
// the runner follows the official API and leaves an absent parameter out of
// the request (agent.set's flags, user.create's gender, batch callbacks).
var paramDocs = withSharedParamDocs(methodParamDocs, sharedParamDocs)

// withSharedParamDocs returns the method docs own, each completed from the
// shared docs of its group for the parameters it does not document itself.
func withSharedParamDocs(own, shared map[string]map[string]paramDoc) map[string]map[string]paramDoc {
	all := make(map[string]map[string]paramDoc, len(own))
	for key, docs := range own {
		docs = maps.Clone(docs)
		if m, ok := lookup(key); ok {
			group, _, _ := strings.Cut(key, ".")
			params := m.params
			if m.kwargs {
				params = append(slices.Clip(params), "kwargs")
			}
			for _, p := range params {
				if _, ok := docs[p]; ok {
					continue
				}
				if d, ok := shared[group][p]; ok {
					docs[p] = d
				}
			}
		}
		all[key] = docs
	}
	return all
}

// sharedParamDocs documents, by group and parameter name, the parameters
// that mean the same in several methods of a group.
var sharedParamDocs = map[string]map[string]paramDoc{
	"appchat": {
		"chat_id":  {"", "群聊id"},
		"msg_type": {"", "消息类型,可以为text/image/voice/video/file/textcard/news/mpnews/markdown"},
		"kwargs":   {"", "具体消息类型的扩展参数"},
	},
	"batch": {
		"url":              {"nil", "企业应用接收企业微信推送请求的访问协议和地址,支持http或https协议"},
		"token":            {"nil", "用于生成签名"},
		"encoding_aes_key": {"nil", "用于消息体的加密,是AES密钥的Base64编码"},
		"media_id":         {"", "上传的csv文件的media_id"},
		"to_invite":        {"true", "是否邀请新建的成员使用企业微信(将通过微信服务通知或短信或邮件下发邀请,每天自动下发一次,最多持续3个工作日),默认值为true。"},
	},
	"chat": {
		"chat_id":       {"", "会话 ID"},
		"op_user":       {"", "操作人 userid"},
		"sender":        {"", "发送人"},
		"receiver_type": {"", "接收人类型:single|group,分别表示:单聊|群聊"},
		"receiver_id":   {"", "接收人的值,为userid|chatid,分别表示:成员id|会话id"},
		"content":       {"", "消息内容"},
	},
	"department": {
		"order":       {"nil", "在父部门中的次序值。order值大的排序靠前。有效的值范围是[0, 2^32)"},
		"status":      {"0", "0 获取全部员工,1 获取已关注成员列表, 2 获取禁用成员列表,4 获取未关注成员列表。可叠加"},
		"fetch_child": {"0", "1/0:是否递归获取子部门下面的成员"},
	},
	"material": {
		"agent_id": {"", "企业应用的id"},
		"media_id": {"", "媒体文件 ID"},
		"articles": {"", "图文素材数组"},
	},
	"media": {
		"media_id": {"", "媒体文件id"},
	},
	"menu": {
		"agent_id":  {"", "应用id"},
		"menu_data": {"", "菜单数据,即 menu/create 的请求体 {button = {...}}"},
	},
	"message": {
		"agent_id":  {"", "企业应用的id,整型。可在应用的设置页面查看"},
		"user_ids":  {"", "成员ID列表(消息接收者,多个接收者用‘|’分隔,最多支持1000个)。特殊情况:指定为@all,则向关注该企业应用的全部成员发送"},
		"party_ids": {`""`, "部门ID列表,最多支持100个。当touser为@all时忽略本参数"},
		"tag_ids":   {`""`, "标签ID列表,最多支持100个。当touser为@all时忽略本参数"},
		"safe":      {"0", "表示是否是保密消息,0表示否,1表示是,默认0"},
	},
	"service": {
		"provider_access_token": {"nil", "服务提供商的 accesstoken"},
	},
	"tag": {
		"tag_id":   {"", "标签ID"},
		"name":     {"", "标签名称,长度限制为32个字以内(汉字或英文字母),标签名不可与其他标签重名"},
		"user_ids": {"", "企业成员ID列表,单次请求个数不超过1000"},
	},
	"user": {
		"user_id":    {"", "成员UserID。对应管理端的帐号"},
		"department": {"nil", "成员所属部门id列表,不超过100个"},
		"position":   {"nil", "职务信息。长度为0~128个字符"},
		"mobile":     {"nil", "手机号码。企业内必须唯一,mobile/email二者不能同时为空"},
		"gender":     {"nil", "性别。1表示男性,2表示女性"},
		"tel":        {"nil", "座机。由1-32位的纯数字或‘-‘号组成"},
		"email":      {"nil", "邮箱。长度6~64个字节,且为有效的email格式。企业内必须唯一"},
		"weixin_id":  {"nil", "微信号"},
		"extattr":    {"nil", "自定义字段。自定义字段需要先在WEB管理端添加,见 user/create 的 extattr"},
		"kwargs":     {"", "其他成员字段,使用企业微信的字段名(如 alias, is_leader_in_dept, enable, external_profile)"},
	},
}

// methodParamDocs documents, by "group.method" and parameter name, what
// sharedParamDocs does not: a method's parameters that no other method of
// its group shares, and those that mean something else in it. Every method
// has an entry, empty when all its parameters are shared.
var methodParamDocs = map[string]map[string]paramDoc{
	"agent.get": {
		"agent_id": {"", "应用id"},
	},
	"agent.list": {},
	"agent.set": {
		"agent_id":             {"", "企业应用的id"},
		"name":                 {"nil", "企业应用名称,长度不超过32个utf8字符"},
		"description":          {"nil", "企业应用详情,长度为4至120个utf8字符"},
		"redirect_domain":      {"nil", "企业应用可信域名。注意:域名需通过所有权校验,否则jssdk功能将受限,此时返回错误码85005"},
		"logo_media_id":        {"nil", "企业应用头像的mediaid,通过素材管理接口上传图片获得mediaid,上传后会自动裁剪成方形和圆形两个头像"},
		"report_location_flag": {"nil", "企业应用是否打开地理位置上报 0:不上报;1:进入会话上报;"},
		"is_report_user":       {"nil", "是否接收用户变更通知。0:不接收;1:接收。"},
		"is_report_enter":      {"nil", "是否上报用户进入应用事件。0:不接收;1:接收。"},
	},
	"appchat.create": {
		"chat_id":   {"nil", "群聊的唯一标志,不能与已有的群重复;字符串类型,最长32个字符。只允许字符0-9及字母a-zA-Z。如果不填,系统会随机生成群id"},
		"name":      {"nil", "群聊名,最多50个utf8字符,超过将截断"},
		"owner":     {"nil", "指定群主的id。如果不指定,系统会随机从userlist中选一人作为群主"},
		"user_list": {"nil", "会话成员列表,成员用userid来标识。至少2人,至多500人"},
	},
	"appchat.get": {},
	"appchat.update": {
		"name":          {"nil", "新的群聊名。若不需更新,请忽略此参数。最多50个utf8字符,超过将截断"},
		"owner":         {"nil", "新群主的id。若不需更新,请忽略此参数"},
		"add_user_list": {"nil", "会话新增成员列表,成员用userid来标识"},
		"del_user_list": {"nil", "会话退出成员列表,成员用userid来标识"},
	},
	"appchat.send":     {},
	"appchat.send_msg": {},
	"appchat.send_text": {
		"content": {"", "消息内容"},
		"safe":    {"0", "表示是否是保密消息,0表示否,1表示是,默认0"},
	},
	"batch.sync_user":     {},
	"batch.replace_user":  {},
	"batch.replace_party": {},
	"batch.get_result": {
		"job_id": {"", "异步任务id,最大长度为64字符"},
	},
	"batch.invite": {
		"user":  {"nil", "成员ID列表, 最多支持1000个。"},
		"party": {"nil", "部门ID列表, 最多支持100个。"},
		"tag":   {"nil", "标签ID列表, 最多支持100个。"},
	},
	"batch.invite_user": {
		"user_ids":    {"nil", "可选,成员ID列表,多个接收者用‘|’分隔,最多支持1000个。"},
		"party_ids":   {"nil", "可选,部门ID列表,多个接收者用‘|’分隔,最多支持100个。"},
		"tag_ids":     {"nil", "可选,标签ID列表,多个接收者用‘|’分隔。"},
		"invite_tips": {"nil", "可选,推送到微信上的提示语"},
	},
	"chat.create": {
		"chat_id":   {"", "会话id。字符串类型,最长32个字符。只允许字符0-9及字母a-zA-Z, 如果值内容为64bit无符号整型:要求值范围在[1, 2^63)之间, [2^63, 2^64)为系统分配会话id区间"},
		"name":      {"", "会话标题"},
		"owner":     {"", "管理员userid,必须是该会话userlist的成员之一"},
		"user_list": {"", "会话成员列表,成员用userid来标识。会话成员必须在3人或以上,1000人以下"},
	},
	"chat.get": {},
	"chat.update": {
		"name":          {"nil", "会话标题"},
		"owner":         {"nil", "管理员userid,必须是该会话userlist的成员之一"},
		"add_user_list": {"nil", "会话新增成员列表,成员用userid来标识"},
		"del_user_list": {"nil", "会话退出成员列表,成员用userid来标识"},
	},
	"chat.quit": {},
	"chat.clear_notify": {
		"op_user": {"", "会话所有者的userid"},
		"type":    {"", "会话类型:single|group,分别表示:单聊|群聊"},
		"id":      {"", "会话值,为userid|chatid,分别表示:成员id|会话id"},
	},
	"chat.set_mute": {
		"user_mute_list": {"", "成员新消息免打扰参数,数组,最大支持10000个成员"},
	},
	"chat.send_text": {},
	"chat.send_single_text": {
		"receiver": {"", "接收人成员 ID"},
	},
	"chat.send_group_text": {
		"receiver": {"", "会话 ID"},
	},
	"chat.send_image": {
		"media_id": {"", "图片媒体文件id,可以调用上传素材文件接口获取"},
	},
	"chat.send_single_image": {
		"receiver": {"", "接收人成员 ID"},
		"media_id": {"", "图片媒体文件id,可以调用上传素材文件接口获取"},
	},
	"chat.send_group_image": {
		"receiver": {"", "会话 ID"},
		"media_id": {"", "图片媒体文件id,可以调用上传素材文件接口获取"},
	},
	"chat.send_file": {
		"media_id": {"", "文件id,可以调用上传素材文件接口获取, 文件须大于4字节"},
	},
	"chat.send_single_file": {
		"receiver": {"", "接收人成员 ID"},
		"media_id": {"", "文件id,可以调用上传素材文件接口获取, 文件须大于4字节"},
	},
	"chat.send_group_file": {
		"receiver": {"", "会话 ID"},
		"media_id": {"", "文件id,可以调用上传素材文件接口获取, 文件须大于4字节"},
	},
	"department.create": {
		"name":      {"", "部门名称。长度限制为1~32个字符,字符不能包括:?”<>|"},
		"parent_id": {"1", "父部门id,32位整型"},
		"id":        {"nil", "部门id,32位整型,指定时必须大于1。若不填该参数,将自动生成id"},
	},
	"department.update": {
		"id":        {"", "部门 id"},
		"name":      {"nil", "部门名称。长度限制为1~32个字符,字符不能包括:?”<>|"},
		"parent_id": {"nil", "父亲部门id"},
	},
	"department.delete": {
		"id": {"", "部门id。(注:不能删除根部门;不能删除含有子部门、成员的部门)"},
	},
	"department.get": {
		"id": {"nil", "部门id。获取指定部门及其下的子部门。 如果不填,默认获取全量组织架构"},
	},
	"department.get_detail": {
		"id": {"", "部门id"},
	},
	"department.simplelist": {
		"id": {"nil", "部门id。获取指定部门及其下的子部门(递归)。如果不填,默认获取全量组织架构"},
	},
	"department.get_users": {
		"id":     {"", "部门 id"},
		"simple": {"true", "True 获取部门成员,False 获取部门成员详情"},
	},
	"department.get_map_users": {
		"id":  {"nil", "部门 id, 如果不填,默认获取有权限的所有部门"},
		"key": {`"name"`, "员工详细信息字段 key,所指向的值必须唯一"},
	},
	"jsapi.get_ticket": {},
	"jsapi.get_jsapi_signature": {
		"noncestr":  {"", "nonce string"},
		"ticket":    {"", "JS-SDK ticket"},
		"timestamp": {"", "时间戳"},
		"url":       {"", "URL"},
	},
	"jsapi.get_agent_ticket":       {},
	"jsapi.get_jsapi_ticket":       {},
	"jsapi.get_agent_jsapi_ticket": {},
	"material.add_articles": {
		"agent_id": {"nil", "企业应用的id;官方接口要求的 agentid,不填时用客户端配置的 agent_id(都没有则不发送)"},
	},
	"material.add": {
		"media_type": {"", "媒体文件类型,分别有图片(image)、语音(voice)、视频(video)普通文件(file)"},
		"media_file": {"", "要上传的文件,文件路径(在允许的目录内)或 {filename = ..., content = ...}"},
	},
	"material.get_url": {},
	"material.get": {
		"path": {"nil", "保存到的文件路径(在允许的目录内);不填则以字符串返回文件内容"},
	},
	"material.get_articles": {},
	"material.delete":       {},
	"material.update_articles": {
		"media_id": {"", "要修改的图文消息的 id"},
	},
	"material.get_count": {},
	"material.batchget": {
		"media_type": {"", "媒体文件类型,分别有图文(mpnews)、图片(image)、 语音(voice)、视频(video)和文件(file)"},
		"offset":     {"0", "从全部素材的该偏移位置开始返回,0 表示从第一个素材返回"},
		"count":      {"20", "返回素材的数量,取值在1到20之间"},
	},
	"media.upload": {
		"media_type": {"", "媒体文件类型,分别有图片(image)、语音(voice)、视频(video)和普通文件(file)"},
		"media_file": {"", "要上传的文件,文件路径(在允许的目录内)或 {filename = ..., content = ...}"},
	},
	"media.upload_img": {
		"image_file": {"", "要上传的图片,仅支持jpg/png格式,大小5B~2MB,文件路径(在允许的目录内)或 {filename = ..., content = ...}"},
	},
	"media.get_url": {},
	"media.get_jssdk_url": {
		"media_id": {"", "通过JSSDK的uploadVoice接口上传的语音文件id"},
	},
	"media.download": {
		"path": {"nil", "保存到的文件路径(在允许的目录内);不填则以字符串返回文件内容"},
	},
	"menu.create": {},
	"menu.get":    {},
	"menu.delete": {},
	"menu.update": {},
	"message.send": {
		"msg": {"nil", "消息内容:msgtype 及该类型的字段,如 {msgtype = \"text\", text = {content = \"...\"}}"},
	},
	"message.send_text": {
		"content": {"", "消息内容,最长不超过2048个字节"},
	},
	"message.send_text_card": {
		"title":       {"", "标题,不超过128个字节,超过会自动截断。"},
		"description": {"", "必填,描述,不超过512个字节,超过会自动截断"},
		"url":         {"", "必填,点击后跳转的链接。"},
		"btntxt":      {`"详情"`, "按钮文字。 默认为“详情”, 不超过4个文字,超过自动截断。"},
	},
	"message.send_image": {
		"media_id": {"", "图片媒体文件id,可以调用上传临时素材接口获取"},
	},
	"message.send_voice": {
		"media_id": {"", "语音文件id,可以调用上传临时素材接口获取"},
	},
	"message.send_video": {
		"media_id":    {"", "视频媒体文件id,可以调用上传临时素材接口获取"},
		"title":       {"nil", "视频消息的标题,不超过128个字节"},
		"description": {"nil", "视频消息的描述,不超过512个字节"},
	},
	"message.send_file": {
		"media_id": {"", "文件id,可以调用上传临时素材接口获取"},
	},
	"message.send_articles": {
		"articles": {"", "图文消息,1到8条图文,每条为 {title, description, url, picurl}"},
	},
	"message.send_mp_articles": {
		"articles": {"", "图文消息,1到8条图文,每条为 {title, thumb_media_id, author, content_source_url, content, digest}"},
	},
	"message.send_markdown": {
		"content": {"", "markdown内容,最长不超过2048个字节,必须是utf8编码"},
	},
	"message.recall": {
		"msgid": {"", "消息ID。从应用发送消息接口处获得,只能撤回24小时内发送的消息"},
	},
	"misc.get_wechat_ips": {},
	"oauth.authorize_url": {
		"redirect_uri": {"", "授权后重定向的回调链接地址"},
		"state":        {"nil", "重定向后会带上 state 参数"},
	},
	"oauth.get_user_info": {
		"code": {"", "通过成员授权获取到的code"},
	},
	"service.get_provider_token": {
		"provider_secret": {"", "服务商的secret,在服务商管理后台可见"},
	},
	"service.get_suite_token": {
		"suite_id":     {"", "以ww或wx开头应用id(对应于旧的以tj开头的套件id)"},
		"suite_secret": {"", "应用secret"},
		"suite_ticket": {"", "企业微信后台推送的ticket"},
	},
	"service.get_login_info": {
		"auth_code": {"", "OAuth 2.0 授权企业号管理员登录产生的 code"},
	},
	"service.get_login_url": {
		"login_ticket": {"", "通过get_login_info得到的login_ticket, 10小时有效"},
		"target":       {"", "登录跳转到企业号后台的目标页面"},
		"agentid":      {"nil", "可选,授权方应用id"},
	},
	"shakearound.get_shake_info": {
		"ticket": {"", "摇周边业务的ticket,可在摇到的 URL 中得到,ticket 生效时间为30分钟"},
	},
	"tag.create":       {},
	"tag.update":       {},
	"tag.delete":       {},
	"tag.get_users":    {},
	"tag.add_users":    {},
	"tag.delete_users": {},
	"tag.list":         {},
	"user.create": {
		"user_id": {"", "成员UserID。对应管理端的帐号,企业内必须唯一。长度为1~64个字节"},
		"name":    {"", "成员名称。长度为1~64个utf8字符"},
	},
	"user.list_id": {
		"cursor": {"nil", "用于分页查询的游标,由上一次调用返回的next_cursor,首次调用不填"},
		"limit":  {"10000", "分页,预期请求的数据量,取值范围 1 ~ 10000"},
	},
	"user.all_ids": {},
	"user.get":     {},
	"user.update": {
		"user_id": {"", "成员UserID。对应管理端的帐号,企业内必须唯一。长度为1~64个字节"},
		"name":    {"nil", "成员名称。长度为1~64个utf8字符"},
		"enable":  {"nil", "启用/禁用成员。1表示启用成员,0表示禁用成员"},
	},
	"user.delete": {},
	"user.batch_delete": {
		"user_ids": {"", "成员UserID列表,最多支持200个"},
	},
	"user.list": {
		"department_id": {"", "获取的部门id"},
		"fetch_child":   {"false", "是否递归获取子部门下面的成员"},
		"status":        {"0", "0 获取全部员工,1 获取已关注成员列表, 2 获取禁用成员列表,4 获取未关注成员列表。可叠加"},
		"simple":        {"false", "true 只获取成员的userid和姓名(user/simplelist),false 获取成员详情(user/list)"},
	},
	"user.convert_to_openid": {
		"user_id":  {"", "企业微信内的成员 ID"},
		"agent_id": {"nil", "可选,需要发送红包的应用ID,若只是使用微信支付和企业转账,则无需该参数"},
	},
	"user.convert_to_user_id": {
		"openid": {"", "在使用微信支付、微信红包和企业转账之后,返回结果的openid"},
	},
	"user.verify": {},
	"user.get_info": {
		"agent_id": {"", "应用id"},
		"code":     {"", "通过成员授权获取到的code"},
	},
}
