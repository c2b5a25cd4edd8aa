package table

import "slices"

// Groups is every API group, in the order of the Lua module's fields: the
// groups of this file, then those of the other files of the table.
var Groups = slices.Concat(groups, externalContactGroups, exportGroups, oaGroups)

// groups are the API groups whose methods are in this file.
var groups = []Group{
	{Name: "agent", Service: "Agent", Title: "应用管理"},
	{Name: "appchat", Service: "AppChat", Title: "群聊会话"},
	{Name: "batch", Service: "Batch", Title: "异步批量接口"},
	{Name: "chat", Service: "Chat", Title: "企业会话", Legacy: true},
	{Name: "department", Service: "Department", Title: "部门管理"},
	{Name: "jsapi", Service: "JSAPI", Title: "JS-SDK"},
	{Name: "material", Service: "Material", Title: "永久素材", Legacy: true},
	{Name: "media", Service: "Media", Title: "素材管理"},
	{Name: "menu", Service: "Menu", Title: "自定义菜单"},
	{Name: "message", Service: "Message", Title: "消息推送"},
	{Name: "misc", Service: "Misc", Title: "工具类接口"},
	{Name: "oauth", Service: "OAuth", Title: "身份验证 (OAuth2)"},
	{Name: "service", Service: "Service", Title: "应用授权 (服务商、第三方应用)"},
	{Name: "shakearound", Service: "ShakeAround", Title: "摇一摇周边", Legacy: true},
	{Name: "tag", Service: "Tag", Title: "标签管理"},
	{Name: "user", Service: "User", Title: "成员管理"},
}

// Parameters that several methods share.
var (
	agentID    = Param{Name: "agent_id", Wire: "agentid", Type: Int, Default: ClientAgentID, Doc: "企业应用的id"}
	appAgentID = Param{Name: "agent_id", Wire: "agentid", Type: Int, Default: ClientAgentID, Doc: "应用id"}
	msgAgentID = Param{Name: "agent_id", Wire: "agentid", Type: Int, Default: ClientAgentID, Doc: "企业应用的id,整型。可在应用的设置页面查看"}

	appchatID   = Param{Name: "chat_id", Wire: "chatid", Type: String, Doc: "群聊id"}
	dupCheck    = Param{Name: "enable_duplicate_check", Type: Bool, Default: "false", Doc: "表示是否开启重复消息检查,0表示否,1表示是,默认0"}
	dupInterval = Param{Name: "duplicate_check_interval", Type: Int, Default: "1800", Doc: "表示是否重复消息检查的时间间隔,默认1800s,最大不超过4小时"}
	safe        = Param{Name: "safe", Type: Int, Default: "0", Doc: "表示是否是保密消息,0表示否,1表示是,默认0"}

	batchURL   = Param{Name: "url", Type: String, Default: Optional, Doc: "企业应用接收企业微信推送请求的访问协议和地址,支持http或https协议"}
	batchToken = Param{Name: "token", Type: String, Default: Optional, Doc: "用于生成签名"}
	batchKey   = Param{Name: "encoding_aes_key", Type: String, Default: Optional, Doc: "用于消息体的加密,是AES密钥的Base64编码"}
	batchMedia = Param{Name: "media_id", Type: String, Doc: "上传的csv文件的media_id"}
	toInvite   = Param{Name: "to_invite", Type: Bool, Default: "true", Doc: "是否邀请新建的成员使用企业微信(将通过微信服务通知或短信或邮件下发邀请,每天自动下发一次,最多持续3个工作日),默认值为true。"}

	chatID          = Param{Name: "chat_id", Wire: "chatid", Type: String, Doc: "会话 ID"}
	opUser          = Param{Name: "op_user", Type: String, Doc: "操作人 userid"}
	chatOwner       = Param{Name: "owner", Type: String, Default: Optional, Doc: "管理员userid,必须是该会话userlist的成员之一"}
	sender          = Param{Name: "sender", Type: String, Doc: "发送人"}
	receiverType    = Param{Name: "receiver_type", Type: String, Doc: "接收人类型:single|group,分别表示:单聊|群聊"}
	receiverID      = Param{Name: "receiver_id", Type: String, Doc: "接收人的值,为userid|chatid,分别表示:成员id|会话id"}
	singleReceiver  = Param{Name: "receiver", Type: String, Doc: "接收人成员 ID"}
	groupReceiver   = Param{Name: "receiver", Type: String, Doc: "会话 ID"}
	chatContent     = Param{Name: "content", Type: String, Doc: "消息内容"}
	chatImage       = Param{Name: "media_id", Type: String, Doc: "图片媒体文件id,可以调用上传素材文件接口获取"}
	chatFile        = Param{Name: "media_id", Type: String, Doc: "文件id,可以调用上传素材文件接口获取, 文件须大于4字节"}
	addUserList     = Param{Name: "add_user_list", Type: Strings, Default: Optional, Doc: "会话新增成员列表,成员用userid来标识"}
	delUserList     = Param{Name: "del_user_list", Type: Strings, Default: Optional, Doc: "会话退出成员列表,成员用userid来标识"}
	departmentName  = Param{Name: "name", Type: String, Doc: "部门名称。长度限制为1~32个字符,字符不能包括:?”<>|"}
	departmentOrder = Param{Name: "order", Type: Int, Default: Optional, Doc: "在父部门中的次序值。order值大的排序靠前。有效的值范围是[0, 2^32)"}
	// userListParams are the parameters of user.list and user.each.
	userListParams = []Param{
		{Name: "department_id", Type: Int, Doc: "获取的部门id"},
		{Name: "fetch_child", Type: Bool, Default: "false", Doc: "是否递归获取子部门下面的成员"},
		memberStatus,
		{Name: "simple", Type: Bool, Default: "false", Doc: "true 只获取成员的userid和姓名(user/simplelist),false 获取成员详情(user/list)"},
	}
	memberStatus = Param{Name: "status", Type: Int, Default: "0", Doc: "0 获取全部员工,1 获取已关注成员列表, 2 获取禁用成员列表,4 获取未关注成员列表。可叠加"}
	fetchChild   = Param{Name: "fetch_child", Type: Bool, Default: "false", Doc: "1/0:是否递归获取子部门下面的成员"}

	materialID       = Param{Name: "media_id", Type: String, Doc: "媒体文件 ID"}
	materialArticles = Param{Name: "articles", Type: Table, Doc: "图文素材数组"}
	mediaID          = Param{Name: "media_id", Type: String, Doc: "媒体文件id"}
	savePath         = Param{Name: "path", Type: String, Default: Optional, Doc: "保存到的文件路径(在允许的目录内);不填则以字符串返回文件内容"}
	menuData         = Param{Name: "menu_data", Type: Table, Doc: "菜单数据,即 menu/create 的请求体 {button = {...}}"}

	userIDs  = Param{Name: "user_ids", Type: Strings, Doc: "成员ID列表(消息接收者,多个接收者用‘|’分隔,最多支持1000个)。特殊情况:指定为@all,则向关注该企业应用的全部成员发送"}
	partyIDs = Param{Name: "party_ids", Type: IDs, Default: `""`, Doc: "部门ID列表,最多支持100个。当touser为@all时忽略本参数"}
	tagIDs   = Param{Name: "tag_ids", Type: IDs, Default: `""`, Doc: "标签ID列表,最多支持100个。当touser为@all时忽略本参数"}

	providerToken = Param{Name: "provider_access_token", Type: String, Default: Optional, Doc: "服务提供商的 accesstoken"}

	tagID      = Param{Name: "tag_id", Wire: "tagid", Type: Int, Doc: "标签ID"}
	tagName    = Param{Name: "name", Wire: "tagname", Type: String, Doc: "标签名称,长度限制为32个字以内(汉字或英文字母),标签名不可与其他标签重名"}
	tagUserIDs = Param{Name: "user_ids", Wire: "userlist", Type: Strings, Doc: "企业成员ID列表,单次请求个数不超过1000"}

	userID = Param{Name: "user_id", Wire: "userid", Type: String, Doc: "成员UserID。对应管理端的帐号"}
)

// memberParams are the parameters of user.create and user.update after
// user_id and name, sent under their WeCom names with their Lua types.
var memberParams = []Param{
	{Name: "department", Type: Ints, Default: Optional, Doc: "成员所属部门id列表,不超过100个"},
	{Name: "position", Type: String, Default: Optional, Doc: "职务信息。长度为0~128个字符"},
	{Name: "mobile", Type: String, Default: Optional, Doc: "手机号码。企业内必须唯一,mobile/email二者不能同时为空"},
	{Name: "gender", Type: Value, Default: Optional, Doc: "性别。1表示男性,2表示女性"},
	{Name: "tel", Type: String, Default: Optional, Doc: "座机。由1-32位的纯数字或‘-‘号组成"},
	{Name: "email", Type: String, Default: Optional, Doc: "邮箱。长度6~64个字节,且为有效的email格式。企业内必须唯一"},
	{Name: "weixin_id", Type: String, Default: Optional, Doc: "微信号"},
}

// memberKwargs documents the other member fields of user.create and user.update.
const memberKwargs = "其他成员字段,使用企业微信的字段名(如 alias, is_leader_in_dept, enable, external_profile)"

// chatSend is a chat.send_* function: a message of one type sent through
// chat/send by the hand-written ChatService.Send.
func chatSend(name, doc string, params ...Param) Method {
	return Method{Group: "chat", Name: name, Go: "Send", HTTP: "POST chat/send", Docs: chatDocs, Hand: HandWritten, Doc: doc, Params: params}
}

// messageSend is a message.send_* function: a message of one type sent
// through message/send by the hand-written MessageService.Send.
func messageSend(name, doc string, params ...Param) Method {
	return Method{Group: "message", Name: name, Go: "Send", HTTP: "POST message/send", Docs: "90236", Hand: HandWritten, Doc: doc, Params: params}
}

// with returns params followed by more.
func with(params []Param, more ...Param) []Param {
	return append(append([]Param{}, params...), more...)
}

// The results of the message methods and dry runs.
const (
	dryRunJob     = `{"jobid": "dry-run-job"}`
	dryRunMessage = `{"invaliduser": "", "invalidparty": "", "invalidtag": "", "msgid": "dry-run-message"}`
	dryRunUpload  = `{"media_id": "dry-run-media", "type": "$query.type", "created_at": "$now"}`
)

// Methods is every function of every API group, in each group in wechatpy's
// order: the methods of this file, then those of the other files.
var Methods = slices.Concat(methods, externalContactMethods, exportMethods, oaMethods)

// methods are the functions of the groups of this file.
var methods = []Method{
	// agent
	{Group: "agent", Name: "get", Go: "Get", HTTP: "GET agent/get", Read: true, Docs: "90227",
		Doc:    "Reads an application (获取指定的应用详情).",
		Params: []Param{appAgentID}, GoResult: "*Agent"},
	{Group: "agent", Name: "list", Go: "List", HTTP: "GET agent/list", Read: true, Docs: "90227",
		Doc:    "Lists the applications the access token may see: agentid, name and logo only (获取access_token对应的应用列表).",
		Result: "agentlist", GoResult: "[]Agent", LuaResult: "table[]"},
	{Group: "agent", Name: "set", Go: "Set", HTTP: "POST agent/set", Docs: "90228", Body: "settings *AgentSettings",
		Doc: "Changes the given settings of an application (设置应用).",
		Params: []Param{
			agentID,
			{Name: "name", Type: String, Default: Optional, Doc: "企业应用名称,长度不超过32个utf8字符"},
			{Name: "description", Type: String, Default: Optional, Doc: "企业应用详情,长度为4至120个utf8字符"},
			{Name: "redirect_domain", Type: String, Default: Optional, Doc: "企业应用可信域名。注意:域名需通过所有权校验,否则jssdk功能将受限,此时返回错误码85005"},
			{Name: "logo_media_id", Type: String, Default: Optional, Doc: "企业应用头像的mediaid,通过素材管理接口上传图片获得mediaid,上传后会自动裁剪成方形和圆形两个头像"},
			{Name: "report_location_flag", Type: Int, Default: Optional, Doc: "企业应用是否打开地理位置上报 0:不上报;1:进入会话上报;"},
			{Name: "is_report_user", Type: Bool, Default: Optional, Doc: "是否接收用户变更通知。0:不接收;1:接收。"},
			{Name: "is_report_enter", Type: Bool, Default: Optional, Doc: "是否上报用户进入应用事件。0:不接收;1:接收。"},
		}},

	// appchat
	{Group: "appchat", Name: "create", Go: "Create", HTTP: "POST appchat/create", Docs: "90245", Hand: HandWritten,
		Doc: "Creates a group chat (创建群聊会话).",
		Params: []Param{
			{Name: "chat_id", Type: String, Default: Optional, Doc: "群聊的唯一标志,不能与已有的群重复;字符串类型,最长32个字符。只允许字符0-9及字母a-zA-Z。如果不填,系统会随机生成群id"},
			{Name: "name", Type: String, Default: Optional, Doc: "群聊名,最多50个utf8字符,超过将截断"},
			{Name: "owner", Type: String, Default: Optional, Doc: "指定群主的id。如果不指定,系统会随机从userlist中选一人作为群主"},
			{Name: "user_list", Type: Strings, Default: Optional, Doc: "会话成员列表,成员用userid来标识。至少2人,至多500人"},
		}},
	{Group: "appchat", Name: "get", Go: "Get", HTTP: "GET appchat/get", Read: true, Docs: "90247",
		Doc:    "Reads a group chat (获取群聊会话).",
		Params: []Param{appchatID}, Result: "chat_info", GoResult: "*AppChat"},
	{Group: "appchat", Name: "update", Go: "Update", HTTP: "POST appchat/update", Docs: "90246", Body: "u *AppChatUpdate",
		Doc: "Renames a group chat, changes its owner or its members (修改群聊会话).",
		Params: []Param{
			appchatID,
			{Name: "name", Type: String, Default: Optional, Doc: "新的群聊名。若不需更新,请忽略此参数。最多50个utf8字符,超过将截断"},
			{Name: "owner", Type: String, Default: Optional, Doc: "新群主的id。若不需更新,请忽略此参数"},
			addUserList, delUserList,
		}},
	{Group: "appchat", Name: "send", Go: "Send", HTTP: "POST appchat/send", Docs: "90248", Hand: HandWritten, DryRun: dryRunMessage,
		Doc:    "Posts a message to a group chat (应用推送消息).",
		Params: []Param{appchatID, {Name: "msg_type", Type: String, Doc: "消息类型,可以为text/image/voice/video/file/textcard/news/mpnews/markdown"}},
		Kwargs: "具体消息类型的扩展参数"},
	{Group: "appchat", Name: "send_msg", Go: "Send", HTTP: "POST appchat/send", Docs: "90248", Hand: HandWritten,
		Doc:    "Posts a message to a group chat; the former name of appchat.send.",
		Params: []Param{appchatID, {Name: "msg_type", Type: String, Doc: "消息类型,可以为text/image/voice/video/file/textcard/news/mpnews/markdown"}},
		Kwargs: "具体消息类型的扩展参数"},
	{Group: "appchat", Name: "send_text", Go: "Send", HTTP: "POST appchat/send", Docs: "90248", Hand: HandWritten,
		Doc:    "Posts a text message to a group chat (应用推送消息).",
		Params: []Param{appchatID, chatContent, safe}},

	// batch
	{Group: "batch", Name: "sync_user", Go: "SyncUser", HTTP: "POST batch/syncuser", Docs: "90980", Hand: HandWritten, DryRun: dryRunJob,
		Doc:    "Starts an incremental import of members (增量更新成员).",
		Params: []Param{batchURL, batchToken, batchKey, batchMedia, toInvite}},
	{Group: "batch", Name: "replace_user", Go: "ReplaceUser", HTTP: "POST batch/replaceuser", Docs: "90981", Hand: HandWritten, DryRun: dryRunJob,
		Doc:    "Starts a full replacement of the members (全量覆盖成员).",
		Params: []Param{batchURL, batchToken, batchKey, batchMedia, toInvite}},
	{Group: "batch", Name: "replace_party", Go: "ReplaceParty", HTTP: "POST batch/replaceparty", Docs: "90982", Hand: HandWritten, DryRun: dryRunJob,
		Doc:    "Starts a full replacement of the departments (全量覆盖部门).",
		Params: []Param{batchURL, batchToken, batchKey, batchMedia}},
	{Group: "batch", Name: "get_result", Go: "GetResult", HTTP: "GET batch/getresult", Read: true, Docs: "90983",
		Doc:    "Reads the progress and outcome of a batch job (获取异步任务结果).",
		Params: []Param{{Name: "job_id", Wire: "jobid", Type: String, Doc: "异步任务id,最大长度为64字符"}},
		// A dry run answers for the jobs it pretended to start: done, with nothing applied.
		GoResult: "*BatchResult", DryRun: `{"status": 3, "type": "", "total": 0, "percentage": 100, "result": []}`},
	{Group: "batch", Name: "invite", Go: "Invite", HTTP: "POST batch/invite", Docs: "90975",
		Doc: "Invites members, departments and tags to use WeCom (邀请成员).",
		Params: []Param{
			{Name: "user", Type: Strings, Default: Optional, Doc: "成员ID列表, 最多支持1000个。", Go: "users"},
			{Name: "party", Type: Ints, Default: Optional, Doc: "部门ID列表, 最多支持100个。", Go: "parties"},
			{Name: "tag", Type: Ints, Default: Optional, Doc: "标签ID列表, 最多支持100个。", Go: "tags"},
		},
		GoResult: "*BatchInviteResult"},
	{Group: "batch", Name: "invite_user", Go: "InviteUser", HTTP: "POST batch/inviteuser", Hand: HandWritten, DryRun: dryRunJob,
		Docs: "https://qydev.weixin.qq.com/wiki/index.php?title=异步任务接口",
		Doc:  "Starts a job inviting members to follow the corp (邀请成员关注, 企业号).",
		Params: []Param{
			batchURL, batchToken, batchKey,
			{Name: "user_ids", Type: Joined, Default: Optional, Doc: "可选,成员ID列表,多个接收者用‘|’分隔,最多支持1000个。"},
			{Name: "party_ids", Type: Joined, Default: Optional, Doc: "可选,部门ID列表,多个接收者用‘|’分隔,最多支持100个。"},
			{Name: "tag_ids", Type: Joined, Default: Optional, Doc: "可选,标签ID列表,多个接收者用‘|’分隔。"},
			{Name: "invite_tips", Type: String, Default: Optional, Doc: "可选,推送到微信上的提示语"},
		}},

	// chat
	{Group: "chat", Name: "create", Go: "Create", HTTP: "POST chat/create", Docs: chatDocs, Body: "chat *Chat",
		Doc: "Creates a conversation (创建会话).",
		Params: []Param{
			{Name: "chat_id", Type: String, Doc: "会话id。字符串类型,最长32个字符。只允许字符0-9及字母a-zA-Z, 如果值内容为64bit无符号整型:要求值范围在[1, 2^63)之间, [2^63, 2^64)为系统分配会话id区间"},
			{Name: "name", Type: String, Doc: "会话标题"},
			{Name: "owner", Type: String, Doc: "管理员userid,必须是该会话userlist的成员之一"},
			{Name: "user_list", Type: Strings, Doc: "会话成员列表,成员用userid来标识。会话成员必须在3人或以上,1000人以下"},
		}},
	{Group: "chat", Name: "get", Go: "Get", HTTP: "GET chat/get", Read: true, Docs: chatDocs,
		Doc:    "Reads a conversation (获取会话).",
		Params: []Param{chatID}, Result: "chat_info", GoResult: "*Chat"},
	{Group: "chat", Name: "update", Go: "Update", HTTP: "POST chat/update", Docs: chatDocs, Body: "u *ChatUpdate",
		Doc: "Renames a conversation, changes its administrator or its members (修改会话).",
		Params: []Param{
			chatID, opUser,
			{Name: "name", Type: String, Default: Optional, Doc: "会话标题"},
			chatOwner, addUserList, delUserList,
		}},
	{Group: "chat", Name: "quit", Go: "Quit", HTTP: "POST chat/quit", Docs: chatDocs,
		Doc:    "Makes a member leave a conversation (退出会话).",
		Params: []Param{chatID, opUser}},
	{Group: "chat", Name: "clear_notify", Go: "ClearNotify", HTTP: "POST chat/clearnotify", Docs: chatDocs, Hand: HandWritten,
		Doc: "Marks a member's conversation as read (清除会话未读状态).",
		Params: []Param{
			{Name: "op_user", Type: String, Doc: "会话所有者的userid"},
			{Name: "type", Type: String, Doc: "会话类型:single|group,分别表示:单聊|群聊"},
			{Name: "id", Type: String, Doc: "会话值,为userid|chatid,分别表示:成员id|会话id"},
		}},
	{Group: "chat", Name: "set_mute", Go: "SetMute", HTTP: "POST chat/setmute", Docs: chatDocs, Hand: HandWritten,
		Doc:    "Sets members' do-not-disturb for new messages (设置成员新消息免打扰).",
		Params: []Param{{Name: "user_mute_list", Type: Table, Doc: "成员新消息免打扰参数,数组,最大支持10000个成员"}}},
	chatSend("send_text", "Sends a text message to a conversation (发送文本消息).",
		sender, receiverType, receiverID, chatContent),
	chatSend("send_single_text", "Sends a text message to a member (发送单聊文本消息).",
		sender, singleReceiver, chatContent),
	chatSend("send_group_text", "Sends a text message to a group chat (发送群聊文本消息).",
		sender, groupReceiver, chatContent),
	chatSend("send_image", "Sends an image message to a conversation (发送图片消息).",
		sender, receiverType, receiverID, chatImage),
	chatSend("send_single_image", "Sends an image message to a member (发送单聊图片消息).",
		sender, singleReceiver, chatImage),
	chatSend("send_group_image", "Sends an image message to a group chat (发送群聊图片消息).",
		sender, groupReceiver, chatImage),
	chatSend("send_file", "Sends a file message to a conversation (发送文件消息).",
		sender, receiverType, receiverID, chatFile),
	chatSend("send_single_file", "Sends a file message to a member (发送单聊文件消息).",
		sender, singleReceiver, chatFile),
	chatSend("send_group_file", "Sends a file message to a group chat (发送群聊文件消息).",
		sender, groupReceiver, chatFile),

	// department
	{Group: "department", Name: "create", Go: "Create", HTTP: "POST department/create", Docs: "90205", Body: "d *DepartmentInput", Hand: HandMethod,
		Doc: "Creates a department (创建部门).",
		Params: []Param{
			departmentName,
			{Name: "parent_id", Type: Int, Default: "1", Doc: "父部门id,32位整型"},
			departmentOrder,
			{Name: "id", Type: Int, Default: Optional, Doc: "部门id,32位整型,指定时必须大于1。若不填该参数,将自动生成id"},
		}},
	{Group: "department", Name: "update", Go: "Update", HTTP: "POST department/update", Docs: "90206", Body: "d *DepartmentInput",
		Doc: "Changes the given fields of a department (更新部门).",
		Params: []Param{
			{Name: "id", Type: Int, Doc: "部门 id"},
			{Name: "name", Type: String, Default: Optional, Doc: departmentName.Doc},
			{Name: "parent_id", Type: Int, Default: Optional, Doc: "父亲部门id"},
			departmentOrder,
		}},
	{Group: "department", Name: "delete", Go: "Delete", HTTP: "GET department/delete", Docs: "90207",
		Doc:    "Deletes a department, which must have no members and no sub-departments (删除部门).",
		Params: []Param{{Name: "id", Type: Int, Doc: "部门id。(注:不能删除根部门;不能删除含有子部门、成员的部门)"}}},
	{Group: "department", Name: "get", Go: "List", HTTP: "GET department/list", Read: true, Docs: "90208",
		Doc:    "Lists a department and its descendants, or all departments (获取部门列表).",
		Params: []Param{{Name: "id", Type: Int, Default: Optional, Doc: "部门id。获取指定部门及其下的子部门。 如果不填,默认获取全量组织架构"}},
		Result: "department", GoResult: "[]Department", LuaResult: "table[]"},
	{Group: "department", Name: "simplelist", Go: "SimpleList", HTTP: "GET department/simplelist", Read: true, Docs: "95350",
		Doc:    "Lists department ids, parents and orders (获取子部门ID列表).",
		Params: []Param{{Name: "id", Type: Int, Default: Optional, Doc: "部门id。获取指定部门及其下的子部门(递归)。如果不填,默认获取全量组织架构"}},
		Result: "department_id", GoResult: "[]DepartmentRef", LuaResult: "table[]"},
	{Group: "department", Name: "get_detail", Go: "Get", HTTP: "GET department/get", Read: true, Docs: "95351",
		Doc:    "Reads one department, with its leaders (获取单个部门详情).",
		Params: []Param{{Name: "id", Type: Int, Doc: "部门id"}},
		Result: "department", GoResult: "*Department"},
	{Group: "department", Name: "get_users", Go: "", HTTP: "GET user/simplelist, GET user/list", Read: true, Docs: "90200", Hand: HandWritten,
		Doc: "Lists a department's members, briefly unless simple is false (获取部门成员).",
		Params: []Param{
			{Name: "id", Type: Int, Doc: "部门 id"},
			memberStatus, fetchChild,
			{Name: "simple", Type: Bool, Default: "true", Doc: "True 获取部门成员,False 获取部门成员详情"},
		},
		LuaResult: "table[]"},
	{Group: "department", Name: "get_map_users", Go: "GetMapUsers", HTTP: "GET department/list, GET user/list", Read: true, Hand: HandWritten,
		Doc: "Maps a field of members, the name by default, to their userids.",
		Params: []Param{
			{Name: "id", Type: Int, Default: Optional, Doc: "部门 id, 如果不填,默认获取有权限的所有部门"},
			{Name: "key", Type: String, Default: `"name"`, Doc: "员工详细信息字段 key,所指向的值必须唯一"},
			memberStatus, fetchChild,
		},
		LuaResult: "table<string, string>"},

	// jsapi
	{Group: "jsapi", Name: "get_ticket", Go: "GetTicket", HTTP: "GET get_jsapi_ticket", Read: true, Docs: "90506",
		Doc:      "Fetches a new corp jsapi_ticket, for wx.config; returns WeCom's answer (获取企业的jsapi_ticket).",
		GoResult: "*JSAPITicket"},
	{Group: "jsapi", Name: "get_agent_ticket", Go: "GetAgentTicket", HTTP: "GET ticket/get?type=agent_config", Read: true, Docs: "90506",
		Doc:      "Fetches a new jsapi_ticket of the application, for wx.agentConfig; returns WeCom's answer (获取应用的jsapi_ticket).",
		GoResult: "*JSAPITicket"},
	{Group: "jsapi", Name: "get_jsapi_ticket", Go: "CachedTicket", HTTP: "GET get_jsapi_ticket", Read: true, Docs: "90506", Hand: HandWritten,
		Doc:       "Returns the corp jsapi_ticket, cached until it expires (获取企业的jsapi_ticket).",
		LuaResult: "string"},
	{Group: "jsapi", Name: "get_agent_jsapi_ticket", Go: "CachedAgentTicket", HTTP: "GET ticket/get?type=agent_config", Read: true, Docs: "90506", Hand: HandWritten,
		Doc:       "Returns the application's jsapi_ticket, cached until it expires (获取应用的jsapi_ticket).",
		LuaResult: "string"},
	{Group: "jsapi", Name: "get_jsapi_signature", Go: "Signature", Docs: "90506", Hand: HandWritten,
		Doc: "Signs a page for wx.config or wx.agentConfig: the hex SHA-1 signature (JS-SDK使用权限签名算法).",
		Params: []Param{
			{Name: "noncestr", Type: String, Doc: "nonce string"},
			{Name: "ticket", Type: String, Doc: "JS-SDK ticket"},
			{Name: "timestamp", Type: Int, Doc: "时间戳"},
			{Name: "url", Type: String, Doc: "URL"},
		},
		LuaResult: "string"},

	// material
	{Group: "material", Name: "add_articles", Go: "AddArticles", HTTP: "POST material/add_mpnews", Docs: materialDocs, Hand: HandWritten,
		Doc: "Stores articles as a permanent mpnews material (上传永久图文素材).",
		Params: []Param{
			materialArticles,
			{Name: "agent_id", Type: Int, Default: Optional, Doc: "企业应用的id;官方接口要求的 agentid,不填时用客户端配置的 agent_id(都没有则不发送)"},
		},
		DryRun: `{"media_id": "dry-run-media"}`},
	{Group: "material", Name: "add", Go: "Add", HTTP: "POST material/add_material", Docs: materialDocs, Hand: HandWritten,
		Doc: "Uploads a permanent image, voice, video or file (上传其他类型永久素材).",
		Params: []Param{
			agentID,
			{Name: "media_type", Type: String, Doc: "媒体文件类型,分别有图片(image)、语音(voice)、视频(video)普通文件(file)"},
			{Name: "media_file", Type: File, Doc: "要上传的文件,文件路径(在允许的目录内)或 {filename = ..., content = ...}"},
		},
		DryRun: dryRunUpload},
	{Group: "material", Name: "get_url", Go: "GetURL", HTTP: "GET material/get", Read: true, Docs: materialDocs, Hand: HandWritten,
		Doc:    "Returns the address of a permanent material, with the current access token (获取永久素材).",
		Params: []Param{agentID, materialID}, LuaResult: "string"},
	{Group: "material", Name: "get", Go: "Get", HTTP: "GET material/get", Read: true, Docs: materialDocs, Hand: HandWritten,
		Doc:    "Downloads a permanent material into memory or into the file at path (获取永久素材).",
		Params: []Param{agentID, materialID, savePath}},
	{Group: "material", Name: "get_articles", Go: "GetArticles", HTTP: "GET material/get", Read: true, Docs: materialDocs, Hand: HandWritten,
		Doc:    "Reads the articles of a permanent mpnews material (获取永久素材).",
		Params: []Param{agentID, materialID}},
	{Group: "material", Name: "delete", Go: "Delete", HTTP: "GET material/del", Docs: materialDocs,
		Doc:    "Deletes a permanent material (删除永久素材).",
		Params: []Param{agentID, materialID}},
	{Group: "material", Name: "update_articles", Go: "UpdateArticles", HTTP: "POST material/update_mpnews", Docs: materialDocs, Hand: HandWritten,
		Doc:    "Replaces the articles of a permanent mpnews material (修改永久图文素材).",
		Params: []Param{agentID, {Name: "media_id", Type: String, Doc: "要修改的图文消息的 id"}, materialArticles}},
	{Group: "material", Name: "get_count", Go: "GetCount", HTTP: "GET material/get_count", Read: true, Docs: materialDocs,
		Doc:    "Counts the permanent materials of an application (获取素材总数).",
		Params: []Param{agentID}, GoResult: "*MaterialCount"},
	{Group: "material", Name: "batchget", Go: "BatchGet", HTTP: "POST material/batchget", Read: true, Docs: materialDocs, Body: "q *MaterialQuery", GoResult: "*MaterialList",
		Doc: "Lists a page of an application's permanent materials of one type (获取素材列表).",
		Params: []Param{
			agentID,
			{Name: "media_type", Type: String, Doc: "媒体文件类型,分别有图文(mpnews)、图片(image)、 语音(voice)、视频(video)和文件(file)"},
			{Name: "offset", Type: Int, Default: "0", Doc: "从全部素材的该偏移位置开始返回,0 表示从第一个素材返回"},
			{Name: "count", Type: Int, Default: "20", Doc: "返回素材的数量,取值在1到20之间"},
		}},

	// media
	{Group: "media", Name: "upload", Go: "Upload", HTTP: "POST media/upload", Docs: "90253", Hand: HandWritten,
		Doc: "Uploads a temporary image, voice, video or file (上传临时素材).",
		Params: []Param{
			{Name: "media_type", Type: String, Doc: "媒体文件类型,分别有图片(image)、语音(voice)、视频(video)和普通文件(file)"},
			{Name: "media_file", Type: File, Doc: "要上传的文件,文件路径(在允许的目录内)或 {filename = ..., content = ...}"},
		},
		DryRun: dryRunUpload},
	{Group: "media", Name: "upload_img", Go: "UploadImg", HTTP: "POST media/uploadimg", Docs: "90256", Hand: HandWritten,
		Doc:    "Uploads an image for mpnews articles and returns its permanent URL (上传图片).",
		Params: []Param{{Name: "image_file", Type: File, Doc: "要上传的图片,仅支持jpg/png格式,大小5B~2MB,文件路径(在允许的目录内)或 {filename = ..., content = ...}"}},
		DryRun: `{"url": "https://dry-run.invalid/image.png"}`},
	{Group: "media", Name: "get_url", Go: "GetURL", HTTP: "GET media/get", Read: true, Docs: "90254", Hand: HandWritten,
		Doc:    "Returns the address of a temporary file, with the current access token (获取临时素材).",
		Params: []Param{mediaID}, LuaResult: "string"},
	{Group: "media", Name: "get_jssdk_url", Go: "GetJSSDKURL", HTTP: "GET media/get/jssdk", Read: true, Docs: "90255", Hand: HandWritten,
		Doc:       "Returns the address of a JS-SDK voice recording in high definition (获取高清语音素材).",
		Params:    []Param{{Name: "media_id", Type: String, Doc: "通过JSSDK的uploadVoice接口上传的语音文件id"}},
		LuaResult: "string"},
	{Group: "media", Name: "upload_by_url", Go: "UploadByURL", HTTP: "POST media/upload_by_url", Docs: "96219",
		Doc: "Starts WeCom's asynchronous download of a large video or file (up to 200 MB) from a URL into temporary media (生成异步上传任务); the jobid is polled with get_upload_by_url_result.",
		Params: []Param{
			{Name: "media_type", Wire: "type", Type: String, Doc: "媒体文件类型。目前仅支持video-视频,file-普通文件"},
			{Name: "filename", Type: String, Doc: "文件名,标识文件展示的名称。不超过128字节"},
			{Name: "url", Type: String, Doc: "文件cdn url。url要求支持Range分块下载,不超过1024字节"},
			{Name: "md5", Type: String, Doc: "文件md5。对比从url下载下来的文件md5是否一致"},
			{Name: "scene", Type: Int, Default: "1", Doc: "场景值。1-客户联系入群欢迎语素材(目前仅支持1)"},
		},
		Result: "jobid", GoResult: "string", LuaResult: "string", DryRun: `{"jobid": "dry-run-job"}`},
	{Group: "media", Name: "get_upload_by_url_result", Go: "GetUploadByURLResult", HTTP: "POST media/get_upload_by_url_result", Read: true, Docs: "96219",
		Doc:      "Reads an asynchronous upload's status (1 processing, 2 done, 3 failed) and detail, with the media_id when done (查询异步任务结果).",
		Params:   []Param{{Name: "jobid", Type: String, Doc: "任务id。最长为128字节,60分钟内有效", Go: "jobID"}},
		GoResult: "*UploadByURLResult"},
	{Group: "media", Name: "download", Go: "Download", HTTP: "GET media/get", Read: true, Docs: "90254", Hand: HandWritten,
		Doc:    "Downloads a temporary file into memory or into the file at path (获取临时素材).",
		Params: []Param{mediaID, savePath}},

	// menu
	{Group: "menu", Name: "create", Go: "Create", HTTP: "POST menu/create", Docs: "90231", Hand: HandWritten,
		Doc:    "Sets an application's menu (创建菜单).",
		Params: []Param{appAgentID, menuData}},
	{Group: "menu", Name: "get", Go: "Get", HTTP: "GET menu/get", Read: true, Docs: "90232", Hand: HandMethod,
		Doc:    "Reads an application's menu (获取菜单).",
		Params: []Param{appAgentID}},
	{Group: "menu", Name: "delete", Go: "Delete", HTTP: "GET menu/delete", Docs: "90233",
		Doc:    "Removes an application's menu (删除菜单).",
		Params: []Param{appAgentID}},
	{Group: "menu", Name: "update", Go: "Update", HTTP: "GET menu/delete, POST menu/create", Hand: HandWritten,
		Doc:    "Replaces an application's menu: delete, then create.",
		Params: []Param{appAgentID, menuData}},

	// message
	{Group: "message", Name: "send", Go: "Send", HTTP: "POST message/send", Docs: "90236", Hand: HandWritten, DryRun: dryRunMessage,
		Doc: "Sends an application message given as WeCom's fields (发送应用消息).",
		Params: []Param{msgAgentID, userIDs, partyIDs, tagIDs,
			{Name: "msg", Type: Table, Default: Optional, Doc: "消息内容:msgtype 及该类型的字段,如 {msgtype = \"text\", text = {content = \"...\"}}"}}},
	messageSend("send_text", "Sends a text message (发送文本消息).",
		msgAgentID, userIDs,
		Param{Name: "content", Type: String, Doc: "消息内容,最长不超过2048个字节"},
		partyIDs, tagIDs, safe, dupCheck, dupInterval),
	messageSend("send_text_card", "Sends a text card message (发送文本卡片消息).",
		msgAgentID, userIDs,
		Param{Name: "title", Type: String, Doc: "标题,不超过128个字节,超过会自动截断。"},
		Param{Name: "description", Type: String, Doc: "必填,描述,不超过512个字节,超过会自动截断"},
		Param{Name: "url", Type: String, Doc: "必填,点击后跳转的链接。"},
		Param{Name: "btntxt", Type: String, Default: `"详情"`, Doc: "按钮文字。 默认为“详情”, 不超过4个文字,超过自动截断。"},
		partyIDs, tagIDs, dupCheck, dupInterval),
	messageSend("send_image", "Sends an image message (发送图片消息).",
		msgAgentID, userIDs,
		Param{Name: "media_id", Type: String, Doc: "图片媒体文件id,可以调用上传临时素材接口获取"},
		partyIDs, tagIDs, safe, dupCheck, dupInterval),
	messageSend("send_voice", "Sends a voice message (发送语音消息).",
		msgAgentID, userIDs,
		Param{Name: "media_id", Type: String, Doc: "语音文件id,可以调用上传临时素材接口获取"},
		partyIDs, tagIDs, safe, dupCheck, dupInterval),
	messageSend("send_video", "Sends a video message (发送视频消息).",
		msgAgentID, userIDs,
		Param{Name: "media_id", Type: String, Doc: "视频媒体文件id,可以调用上传临时素材接口获取"},
		Param{Name: "title", Type: String, Default: Optional, Doc: "视频消息的标题,不超过128个字节"},
		Param{Name: "description", Type: String, Default: Optional, Doc: "视频消息的描述,不超过512个字节"},
		partyIDs, tagIDs, safe, dupCheck, dupInterval),
	messageSend("send_file", "Sends a file message (发送文件消息).",
		msgAgentID, userIDs,
		Param{Name: "media_id", Type: String, Doc: "文件id,可以调用上传临时素材接口获取"},
		partyIDs, tagIDs, safe, dupCheck, dupInterval),
	messageSend("send_articles", "Sends a news message of linked articles (发送图文消息).",
		msgAgentID, userIDs,
		Param{Name: "articles", Type: Table, Doc: "图文消息,1到8条图文,每条为 {title, description, url, picurl}"},
		partyIDs, tagIDs, dupCheck, dupInterval),
	messageSend("send_mp_articles", "Sends an mpnews message of articles stored in WeCom (发送图文消息（mpnews）).",
		msgAgentID, userIDs,
		Param{Name: "articles", Type: Table, Doc: "图文消息,1到8条图文,每条为 {title, thumb_media_id, author, content_source_url, content, digest}"},
		partyIDs, tagIDs, safe, dupCheck, dupInterval),
	messageSend("send_markdown", "Sends a markdown message (发送markdown消息).",
		msgAgentID, userIDs,
		Param{Name: "content", Type: String, Doc: "markdown内容,最长不超过2048个字节,必须是utf8编码"},
		partyIDs, tagIDs, dupCheck, dupInterval),
	messageSend("send_template_card", "Sends a template card message (发送模板卡片消息): text_notice, news_notice, button_interaction, vote_interaction or multiple_interaction.",
		msgAgentID, userIDs,
		Param{Name: "template_card", Type: Table, Doc: "模板卡片,如 {card_type = \"text_notice\", main_title = {title = \"...\"}, card_action = {type = 1, url = \"...\"}};交互型卡片需有 task_id"},
		partyIDs, tagIDs,
		Param{Name: "enable_id_trans", Type: Bool, Default: "false", Doc: "表示是否开启id转译,0表示否,1表示是,默认0"},
		dupCheck, dupInterval),
	{Group: "message", Name: "update_template_card", Go: "UpdateTemplateCard", HTTP: "POST message/update_template_card", Docs: "94888",
		Doc: "Updates a sent interactive template card by its response_code, once and within 72 hours: a button's text or the whole card (更新模版卡片消息).",
		Params: []Param{msgAgentID,
			{Name: "response_code", Type: String, Doc: "更新卡片所需要消费的code,可通过发消息接口和回调接口返回值获取,一个code只能调用一次该接口,且只能在72小时内调用"},
			{Name: "button", Type: Table, Default: Optional, Doc: "更新按钮为不可点击状态:{replace_name = \"已处理\"};与 template_card 二选一"},
			{Name: "template_card", Type: Table, Default: Optional, Doc: "更新为新的卡片,卡片字段同发送模板卡片消息"},
			{Name: "user_ids", Wire: "userids", Type: Strings, Default: Optional, Doc: "企业的成员ID列表(最多支持1000个)"},
			{Name: "party_ids", Wire: "partyids", Type: Ints, Default: Optional, Doc: "企业的部门ID列表(最多支持100个)"},
			{Name: "tag_ids", Wire: "tagids", Type: Ints, Default: Optional, Doc: "企业的标签ID列表(最多支持100个)"},
			{Name: "atall", Type: Int, Default: "0", Doc: "更新整个任务接收人员:1 是,0 否"},
		},
		DryRun: `{"invaliduser":[]}`},
	{Group: "message", Name: "recall", Go: "Recall", HTTP: "POST message/recall", Docs: "94867",
		Doc:    "Recalls a message sent in the last 24 hours (撤回应用消息).",
		Params: []Param{{Name: "msgid", Type: String, Doc: "消息ID。从应用发送消息接口处获得,只能撤回24小时内发送的消息", Go: "msgID"}}},

	// misc
	{Group: "misc", Name: "get_wechat_ips", Go: "GetWechatIPs", HTTP: "GET getcallbackip", Read: true, Docs: "90930",
		Doc:    "Lists the IP addresses WeCom calls the application's callback from (获取企业微信回调IP段).",
		Result: "ip_list", GoResult: "[]string", LuaResult: "string[]"},

	// oauth
	{Group: "oauth", Name: "authorize_url", Go: "AuthorizeURL", Docs: "91022", Hand: HandWritten,
		Doc: "Builds the link that identifies a member through WeCom and returns to redirect_uri with a code (构造网页授权链接).",
		Params: []Param{
			{Name: "redirect_uri", Type: String, Doc: "授权后重定向的回调链接地址"},
			{Name: "state", Type: String, Default: Optional, Doc: "重定向后会带上 state 参数"},
		},
		LuaResult: "string"},
	{Group: "oauth", Name: "get_user_info", Go: "GetUserInfo", HTTP: "GET user/getuserinfo", Read: true, Docs: "91023",
		Doc:      "Identifies the visitor from the code WeCom appended to the redirect (获取访问用户身份).",
		Params:   []Param{{Name: "code", Type: String, Doc: "通过成员授权获取到的code"}},
		GoResult: "*OAuthUser"},

	// service
	{Group: "service", Name: "get_provider_token", Go: "GetProviderToken", HTTP: "POST service/get_provider_token", Read: true, Docs: "91200", Hand: HandWritten,
		Doc:    "Fetches the service provider's access token, for the client's corp id (获取服务商凭证).",
		Params: []Param{{Name: "provider_secret", Type: String, Doc: "服务商的secret,在服务商管理后台可见"}}},
	{Group: "service", Name: "get_suite_token", Go: "GetSuiteToken", HTTP: "POST service/get_suite_token", Read: true, Docs: "90600", Hand: HandWritten,
		Doc: "Fetches a third-party application's access token (获取第三方应用凭证).",
		Params: []Param{
			{Name: "suite_id", Type: String, Doc: "以ww或wx开头应用id(对应于旧的以tj开头的套件id)"},
			{Name: "suite_secret", Type: String, Doc: "应用secret"},
			{Name: "suite_ticket", Type: String, Doc: "企业微信后台推送的ticket"},
		}},
	{Group: "service", Name: "get_login_info", Go: "GetLoginInfo", HTTP: "POST service/get_login_info", Read: true, Docs: "91125", Hand: HandWritten,
		Doc:    "Reads who logged in through the provider's login page, from its auth code (获取登录用户信息).",
		Params: []Param{{Name: "auth_code", Type: String, Doc: "OAuth 2.0 授权企业号管理员登录产生的 code"}, providerToken}},
	{Group: "service", Name: "get_login_url", Go: "GetLoginURL", HTTP: "POST service/get_login_url", Read: true, Hand: HandWritten,
		Docs: "https://qydev.weixin.qq.com/wiki/index.php?title=获取登录企业号官网的url",
		Doc:  "Returns the address that logs the admin into a console page (获取登录企业号官网的url).",
		Params: []Param{
			{Name: "login_ticket", Type: String, Doc: "通过get_login_info得到的login_ticket, 10小时有效"},
			{Name: "target", Type: String, Doc: "登录跳转到企业号后台的目标页面"},
			{Name: "agentid", Type: Int, Default: Optional, Doc: "可选,授权方应用id"},
			providerToken,
		}},

	// shakearound
	{Group: "shakearound", Name: "get_shake_info", Go: "GetShakeInfo", HTTP: "POST shakearound/getshakeinfo", Read: true,
		Docs:     "https://qydev.weixin.qq.com/wiki/index.php?title=获取设备及用户信息",
		Doc:      "Reads the device and member of a shake from the ticket in the shaken page's URL (获取设备及用户信息).",
		Params:   []Param{{Name: "ticket", Type: String, Doc: "摇周边业务的ticket,可在摇到的 URL 中得到,ticket 生效时间为30分钟"}},
		Result:   "data",
		GoResult: "*ShakeInfo"},

	// tag
	{Group: "tag", Name: "create", Go: "Create", HTTP: "POST tag/create", Docs: "90210", Hand: HandMethod,
		Doc:    "Creates a tag (创建标签).",
		Params: []Param{tagName}},
	{Group: "tag", Name: "update", Go: "Update", HTTP: "POST tag/update", Docs: "90211",
		Doc:    "Renames a tag (更新标签名字).",
		Params: []Param{tagID, tagName}},
	{Group: "tag", Name: "delete", Go: "Delete", HTTP: "GET tag/delete", Docs: "90212",
		Doc:    "Deletes a tag (删除标签).",
		Params: []Param{tagID}},
	{Group: "tag", Name: "get_users", Go: "GetUsers", HTTP: "GET tag/get", Read: true, Docs: "90213",
		Doc:    "Reads a tag's members and departments (获取标签成员).",
		Params: []Param{tagID}, GoResult: "*TagMembers"},
	{Group: "tag", Name: "add_users", Go: "AddUsers", HTTP: "POST tag/addtagusers", Docs: "90214",
		Doc:    "Adds members to a tag (增加标签成员); the answer lists those WeCom refused.",
		Params: []Param{tagID, tagUserIDs}, GoResult: "*TagChange"},
	{Group: "tag", Name: "delete_users", Go: "DeleteUsers", HTTP: "POST tag/deltagusers", Docs: "90215",
		Doc:    "Removes members from a tag (删除标签成员); the answer lists those WeCom refused.",
		Params: []Param{tagID, tagUserIDs}, GoResult: "*TagChange"},
	{Group: "tag", Name: "list", Go: "List", HTTP: "GET tag/list", Read: true, Docs: "90216",
		Doc:    "Lists the tags the application may see (获取标签列表).",
		Result: "taglist", GoResult: "[]Tag", LuaResult: "table[]"},

	// user
	{Group: "user", Name: "create", Go: "Create", HTTP: "POST user/create", Docs: "90195", Hand: HandWritten,
		Doc: "Creates a member (创建成员).",
		Params: with([]Param{
			{Name: "user_id", Type: String, Doc: "成员UserID。对应管理端的帐号,企业内必须唯一。长度为1~64个字节"},
			{Name: "name", Type: String, Doc: "成员名称。长度为1~64个utf8字符"},
		}, with(memberParams, Param{Name: "extattr", Type: Table, Default: Optional, Doc: "自定义字段。自定义字段需要先在WEB管理端添加,见 user/create 的 extattr"})...),
		Kwargs: memberKwargs},
	{Group: "user", Name: "get", Go: "Get", HTTP: "GET user/get", Read: true, Docs: "90196",
		Doc:    "Reads a member (读取成员).",
		Params: []Param{userID}, GoResult: "*User"},
	{Group: "user", Name: "update", Go: "Update", HTTP: "POST user/update", Docs: "90197", Hand: HandWritten,
		Doc: "Changes the given fields of a member (更新成员).",
		Params: with([]Param{
			{Name: "user_id", Type: String, Doc: "成员UserID。对应管理端的帐号,企业内必须唯一。长度为1~64个字节"},
			{Name: "name", Type: String, Default: Optional, Doc: "成员名称。长度为1~64个utf8字符"},
		}, with(memberParams,
			Param{Name: "enable", Type: Value, Default: Optional, Doc: "启用/禁用成员。1表示启用成员,0表示禁用成员"},
			Param{Name: "extattr", Type: Table, Default: Optional, Doc: "自定义字段。自定义字段需要先在WEB管理端添加,见 user/create 的 extattr"})...),
		Kwargs: memberKwargs},
	{Group: "user", Name: "delete", Go: "Delete", HTTP: "GET user/delete", Docs: "90198",
		Doc:    "Deletes a member (删除成员).",
		Params: []Param{userID}},
	{Group: "user", Name: "batch_delete", Go: "BatchDelete", HTTP: "POST user/batchdelete", Docs: "90199",
		Doc:    "Deletes up to 200 members (批量删除成员); if one userid is invalid, none is deleted.",
		Params: []Param{{Name: "user_ids", Wire: "useridlist", Type: Strings, Doc: "成员UserID列表,最多支持200个"}}},
	{Group: "user", Name: "list", Go: "List", HTTP: "GET user/list, GET user/simplelist", Read: true, Docs: "90201", Hand: HandWritten,
		Doc:       "Lists a department's members, in detail unless simple (获取部门成员详情).",
		Params:    userListParams,
		LuaResult: "table[]"},
	{Group: "user", Name: "list_id", Go: "ListID", HTTP: "POST user/list_id", Read: true, Docs: "96067", Hand: HandMethod,
		Doc: "Reads one page of the corp's (userid, department) pairs (获取成员ID列表).",
		Params: []Param{
			{Name: "cursor", Type: String, Default: Optional, Doc: "用于分页查询的游标,由上一次调用返回的next_cursor,首次调用不填"},
			{Name: "limit", Type: Int, Default: "10000", Doc: "分页,预期请求的数据量,取值范围 1 ~ 10000"},
		}},
	{Group: "user", Name: "all_ids", Go: "AllIDs", HTTP: "POST user/list_id", Read: true, Docs: "96067", Hand: HandWritten,
		Doc:       "Reads every (userid, department) pair of the corp, page after page (获取成员ID列表).",
		LuaResult: "table[]"},
	{Group: "user", Name: "each", HTTP: "GET user/list, GET user/simplelist", Read: true, Docs: "90201", Hand: HandWritten,
		Doc:       "Iterates over a department's members as user.list lists them, one at a time, decoded as WeCom's answer arrives: memory stays flat whatever the size of the organisation (获取部门成员详情).",
		Params:    userListParams,
		LuaResult: "fun(): table?"},
	{Group: "user", Name: "each_id", HTTP: "POST user/list_id", Read: true, Docs: "96067", Hand: HandWritten,
		Doc:       "Iterates over every (userid, department) pair of the corp, page after page, one at a time (获取成员ID列表).",
		LuaResult: "fun(): table?"},
	{Group: "user", Name: "convert_to_openid", Go: "ConvertToOpenID", HTTP: "POST user/convert_to_openid", Read: true, Docs: "90202", Hand: HandMethod,
		Doc: "Converts a userid to an openid (userid转openid).",
		Params: []Param{
			{Name: "user_id", Wire: "userid", Type: String, Doc: "企业微信内的成员 ID"},
			{Name: "agent_id", Wire: "agentid", Type: Int, Default: Optional, Doc: "可选,需要发送红包的应用ID,若只是使用微信支付和企业转账,则无需该参数"},
		}},
	{Group: "user", Name: "convert_to_user_id", Go: "ConvertToUserID", HTTP: "POST user/convert_to_userid", Read: true, Docs: "90202",
		Doc:    "Converts an openid to a userid (openid转userid).",
		Params: []Param{{Name: "openid", Type: String, Doc: "在使用微信支付、微信红包和企业转账之后,返回结果的openid", Go: "openID"}},
		Result: "userid", GoResult: "string", LuaResult: "string"},
	{Group: "user", Name: "getuserid", Go: "GetUserID", HTTP: "POST user/getuserid", Read: true, Docs: "95402",
		Doc:    "Finds the member whose mobile number is given (手机号获取userid).",
		Params: []Param{{Name: "mobile", Type: String, Doc: "用户在企业微信通讯录中的手机号码。长度为5~32个字节"}},
		Result: "userid", GoResult: "string", LuaResult: "string"},
	{Group: "user", Name: "get_userid_by_email", Go: "GetUserIDByEmail", HTTP: "POST user/get_userid_by_email", Read: true, Docs: "95895",
		Doc: "Finds the member whose corp or personal email is given (邮箱获取userid).",
		Params: []Param{
			{Name: "email", Type: String, Doc: "邮箱"},
			{Name: "email_type", Type: Int, Default: "1", Doc: "邮箱类型:1-企业邮箱(默认);2-个人邮箱"},
		},
		Result: "userid", GoResult: "string", LuaResult: "string"},
	{Group: "user", Name: "verify", Go: "Verify", HTTP: "GET user/authsucc", Docs: "90203",
		Doc:    "Reports a member's passed second verification, which activates the member (二次验证).",
		Params: []Param{userID}},
	{Group: "user", Name: "get_info", Go: "GetInfo", HTTP: "GET user/getuserinfo", Read: true, Docs: "91023",
		Doc:      "Reads who an OAuth code belongs to (根据code获取成员信息).",
		Params:   []Param{appAgentID, {Name: "code", Type: String, Doc: "通过成员授权获取到的code"}},
		GoResult: "*UserIdentity"},
}

// The documentation of the legacy groups, on the former 企业号 wiki.
const (
	chatDocs     = "https://qydev.weixin.qq.com/wiki/index.php?title=%E4%BC%81%E4%B8%9A%E4%BC%9A%E8%AF%9D%E6%8E%A5%E5%8F%A3%E8%AF%B4%E6%98%8E"
	materialDocs = "https://qydev.weixin.qq.com/wiki/index.php?title=%E4%B8%8A%E4%BC%A0%E6%B0%B8%E4%B9%85%E7%B4%A0%E6%9D%90"
)
