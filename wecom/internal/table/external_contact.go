package table

// The customer contact groups (客户联系): customers of the members, corp
// customer tags, the transfer of customers of members in post (在职继承) and
// of members who left (离职继承), and customer groups (客户群).
//
// Names are those of wechatpy's current wechatpy/work client
// (external_contact.py, external_contact_group_chat.py) where it has the
// method, and WeCom's endpoint names otherwise (transfer_customer,
// resigned/transfer_customer as resigned_transfer_customer, ...). Like
// wechatpy's, every function returns WeCom's whole answer; the typed Go
// methods return its member of interest.
//
// Since 2023-12-01 WeCom no longer accepts the secret of the system
// application 客户联系 from corps created after that date: those call these
// APIs with the secret of a self-built application configured in the list
// of applications that may call them (客户联系 → 可调用应用), and see the
// members in that application's visible range.

// The parameters the customer contact methods share.
var (
	ecUserID         = Param{Name: "userid", Type: String, Doc: "企业成员的userid", Go: "userID"}
	ecExternalUserID = Param{Name: "external_userid", Type: String, Doc: "外部联系人的userid,注意不是企业成员的帐号", Go: "externalUserID"}
	ecHandover       = Param{Name: "handover_userid", Type: String, Doc: "原跟进成员的userid", Go: "handoverUserID"}
	ecTakeover       = Param{Name: "takeover_userid", Type: String, Doc: "接替成员的userid", Go: "takeoverUserID"}
	ecTransferred    = Param{Name: "external_userid", Type: Strings, Doc: "客户的external_userid列表,每次最多分配100个客户", Go: "externalUserIDs"}
	ecResultCursor   = Param{Name: "cursor", Type: String, Default: Optional, Doc: "分页查询的cursor,每个分页返回的数据不会超过1000条;不填或为空表示获取第一个分页"}
	ecChatIDList     = Param{Name: "chat_id_list", Type: Strings, Doc: "需要转群主的客户群ID列表。取值范围: 1 ~ 100", Go: "chatIDs"}
	ecNewOwner       = Param{Name: "new_owner", Type: String, Doc: "新群主ID"}
	ecStatusFilter   = Param{Name: "status_filter", Type: Int, Default: "0", Doc: "客户群跟进状态过滤。0 - 所有列表(即不过滤);1 - 离职待继承;2 - 离职继承中;3 - 离职继承完成"}
	ecOwnerUserIDs   = Param{Name: "owner_userid_list", Type: Strings, Default: Optional, Doc: "根据群主id过滤。如果不填,表示获取应用可见范围内全部群主的数据;当群主为离职成员时,必须要指定群主过滤才可拉取对应数据"}
)

// The dry-run answers of the transfers: accepted, with no customer or chat
// listed (the answer cannot repeat the request's ids).
const (
	dryRunCustomerTransfer = `{"customer": []}`
	dryRunChatTransfer     = `{"failed_chat_list": []}`
)

// externalContactGroups are the customer contact groups, in the order of
// the Lua module's fields.
var externalContactGroups = []Group{
	{Name: "external_contact", Service: "ExternalContact", Title: "客户联系"},
	{Name: "external_contact_group_chat", Service: "ExternalContactGroupChat", Title: "客户群管理"},
}

// externalContactMethods are the functions of the customer contact groups,
// in each group in wechatpy's order, then WeCom's.
var externalContactMethods = []Method{
	// external_contact: customers
	{Group: "external_contact", Name: "get_follow_user_list", Go: "GetFollowUserList", HTTP: "GET externalcontact/get_follow_user_list", Read: true, Docs: "92571", Hand: HandMethod,
		Doc:      "Lists the members configured for customer contact that the caller may see (获取配置了客户联系功能的成员列表).",
		GoResult: "[]string"},
	{Group: "external_contact", Name: "list", Go: "List", HTTP: "GET externalcontact/list", Read: true, Docs: "92113", Hand: HandMethod,
		Doc:      "Lists the external userids of a member's customers (获取客户列表).",
		Params:   []Param{ecUserID},
		GoResult: "[]string"},
	{Group: "external_contact", Name: "batch_get_by_user", Go: "BatchGetByUser", HTTP: "POST externalcontact/batch/get_by_user", Read: true, Docs: "92994",
		Doc: "Reads one page of the customers of members, each with the member's follow info (批量获取客户详情).",
		Params: []Param{
			{Name: "userid", Wire: "userid_list", Type: Strings, Doc: "企业成员的userid,或最多100个userid的列表", Go: "userIDs"},
			{Name: "cursor", Type: String, Default: `""`, Doc: "用于分页查询的游标,字符串类型,由上一次调用返回,首次调用可不填"},
			{Name: "limit", Type: Int, Default: "50", Doc: "返回的最大记录数,整型,最大值100,默认值50,超过最大值时取最大值"},
		},
		GoResult: "*CustomerPage"},
	{Group: "external_contact", Name: "gen_all_by_user", Go: "AllByUser", HTTP: "POST externalcontact/batch/get_by_user", Read: true, Docs: "92994", Hand: HandWritten,
		Doc: "Reads every customer of members, page after page, each with the member's follow info (批量获取客户详情).",
		Params: []Param{
			{Name: "userid", Type: Strings, Doc: "企业成员的userid,或最多100个userid的列表"},
			{Name: "limit", Type: Int, Default: "50", Doc: "每次请求返回的最大记录数,最大值100,默认值50"},
		},
		LuaResult: "table[]"},
	{Group: "external_contact", Name: "get", Go: "Get", HTTP: "GET externalcontact/get", Read: true, Docs: "92114",
		Doc: "Reads a customer with the members who added them (获取客户详情).",
		Params: []Param{
			ecExternalUserID,
			{Name: "cursor", Type: String, Default: Optional, Doc: "上次请求返回的next_cursor;客户的跟进人超过500人时分页获取"},
		},
		GoResult: "*Customer"},

	// external_contact: leavers and transfers
	{Group: "external_contact", Name: "get_unassigned_list", Go: "GetUnassignedList", HTTP: "POST externalcontact/get_unassigned_list", Read: true, Docs: "92124",
		Doc: "Reads one page of the customers of members who left, not yet assigned to anyone (获取待分配的离职成员列表).",
		Params: []Param{
			{Name: "page_id", Type: Int, Default: "0", Doc: "分页查询,要查询页号,从0开始", Go: "pageID"},
			{Name: "page_size", Type: Int, Default: "1000", Doc: "每次返回的最大记录数,默认为1000,最大值为1000"},
			{Name: "cursor", Type: String, Default: Optional, Doc: "分页查询游标,字符串类型,适用于数据量较大的情况,如果使用该参数则无需填写page_id,该参数由上一次调用返回"},
		},
		GoResult: "*UnassignedPage"},
	{Group: "external_contact", Name: "transfer_customer", Go: "TransferCustomer", HTTP: "POST externalcontact/transfer_customer", Docs: "92125", Hand: HandMethod, DryRun: dryRunCustomerTransfer,
		Doc: "Hands customers of a member in post to another member, who takes them over 24 hours later unless the customer refuses (分配在职成员的客户); the answer has an errcode per customer.",
		Params: []Param{ecHandover, ecTakeover, ecTransferred,
			{Name: "transfer_success_msg", Type: String, Default: Optional, Doc: "转移成功后发给客户的消息,最多200个字符,不填则使用默认文案", Go: "successMsg"}},
		GoResult: "[]CustomerTransfer"},
	{Group: "external_contact", Name: "transfer_result", Go: "TransferResult", HTTP: "POST externalcontact/transfer_result", Read: true, Docs: "94088",
		Doc:      "Reads the state of the customers handed from one member in post to another (查询客户接替状态).",
		Params:   []Param{ecHandover, ecTakeover, ecResultCursor},
		GoResult: "*TransferResultPage"},
	{Group: "external_contact", Name: "resigned_transfer_customer", Go: "ResignedTransferCustomer", HTTP: "POST externalcontact/resigned/transfer_customer", Docs: "94081", Hand: HandMethod, DryRun: dryRunCustomerTransfer,
		Doc: "Assigns customers of a member who left to another member, who takes them over 24 hours later (分配离职成员的客户); the answer has an errcode per customer.",
		Params: []Param{
			Param{Name: "handover_userid", Type: String, Doc: "原跟进成员的userid,必须是已离职用户", Go: "handoverUserID"},
			ecTakeover,
			Param{Name: "external_userid", Type: Strings, Doc: "客户的external_userid列表,最多一次转移100个客户", Go: "externalUserIDs"},
		},
		GoResult: "[]CustomerTransfer"},
	{Group: "external_contact", Name: "resigned_transfer_result", Go: "ResignedTransferResult", HTTP: "POST externalcontact/resigned/transfer_result", Read: true, Docs: "94082",
		Doc:      "Reads the state of the customers assigned from a member who left to another member (查询离职客户接替状态).",
		Params:   []Param{Param{Name: "handover_userid", Type: String, Doc: "原添加成员的userid", Go: "handoverUserID"}, ecTakeover, ecResultCursor},
		GoResult: "*TransferResultPage"},

	// external_contact: corp customer tags
	{Group: "external_contact", Name: "get_corp_tag_list", Go: "GetCorpTagList", HTTP: "POST externalcontact/get_corp_tag_list", Read: true, Docs: "92117", Hand: HandMethod,
		Doc: "Lists the corp's customer tag groups and their tags, all or those given (获取企业标签库).",
		Params: []Param{
			{Name: "tag_ids", Wire: "tag_id", Type: Strings, Default: Optional, Doc: "要查询的标签id;不填则获取该企业的所有客户标签", Go: "tagIDs"},
			{Name: "group_ids", Wire: "group_id", Type: Strings, Default: Optional, Doc: "要查询的标签组id,返回该标签组以及其下的所有标签信息;同时传递tag_id和group_id时,忽略tag_id", Go: "groupIDs"},
		},
		GoResult: "[]CorpTagGroup"},
	{Group: "external_contact", Name: "add_corp_tag", Go: "AddCorpTag", HTTP: "POST externalcontact/add_corp_tag", Docs: "92117", Hand: HandMethod,
		DryRun: `{"tag_group": {"group_id": "dry-run-group", "tag": []}}`,
		Doc:    "Adds tags to a customer tag group, created when only its name is given (添加企业客户标签).",
		Params: []Param{
			{Name: "group_id", Type: String, Default: Optional, Doc: "标签组id;填写时group_name和order被忽略"},
			{Name: "group_name", Type: String, Default: Optional, Doc: "标签组名称,最长为30个字符;已存在时在此标签组下新建标签"},
			{Name: "order", Type: Int, Default: Optional, Doc: "标签组次序值。order值大的排序靠前。有效的值范围是[0, 2^32)"},
			{Name: "tags", Wire: "tag", Type: Table, Doc: "需要添加的标签列表,每个为 {name = ..., order = ...};同一标签组内同名标签只创建一个"},
		},
		GoResult: "*CorpTagGroup"},
	{Group: "external_contact", Name: "edit_corp_tag", Go: "EditCorpTag", HTTP: "POST externalcontact/edit_corp_tag", Docs: "92117",
		Doc: "Renames or reorders a customer tag or tag group (编辑企业客户标签).",
		Params: []Param{
			{Name: "id", Type: String, Doc: "标签或标签组的id"},
			{Name: "name", Type: String, Default: Optional, Doc: "新的标签或标签组名称,最长为30个字符;不能与同一标签组内其他标签(或其他标签组)重名"},
			{Name: "order", Type: Int, Default: Optional, Doc: "标签/标签组的次序值。order值大的排序靠前。有效的值范围是[0, 2^32)"},
		}},
	{Group: "external_contact", Name: "del_corp_tag", Go: "DeleteCorpTag", HTTP: "POST externalcontact/del_corp_tag", Docs: "92117",
		Doc: "Deletes customer tags or whole tag groups; a group left without tags is deleted too (删除企业客户标签).",
		Params: []Param{
			{Name: "tag_id", Type: Strings, Default: Optional, Doc: "标签的id列表;tag_id和group_id不可同时为空", Go: "tagIDs"},
			{Name: "group_id", Type: Strings, Default: Optional, Doc: "标签组的id列表", Go: "groupIDs"},
		}},
	{Group: "external_contact", Name: "mark_tag", Go: "MarkTag", HTTP: "POST externalcontact/mark_tag", Docs: "92118",
		Doc: "Adds corp tags to and removes them from a member's customer (编辑客户企业标签).",
		Params: []Param{
			{Name: "userid", Type: String, Doc: "添加外部联系人的userid", Go: "userID"},
			Param{Name: "external_userid", Type: String, Doc: "外部联系人userid;必须是userid的客户", Go: "externalUserID"},
			{Name: "add_tag", Type: Strings, Default: Optional, Doc: "要标记的标签列表"},
			{Name: "remove_tag", Type: Strings, Default: Optional, Doc: "要移除的标签列表;add_tag和remove_tag不可同时为空"},
		}},

	// external_contact: wechatpy's customer group functions
	{Group: "external_contact", Name: "get_group_chat_list", Go: "", HTTP: "POST externalcontact/groupchat/list", Read: true, Docs: "92120", Hand: HandWritten,
		Doc: "Reads one page of the customer groups, as external_contact_group_chat.list with the owner filter given as a table (获取客户群列表).",
		Params: []Param{
			{Name: "limit", Type: Int, Doc: "分页,预期请求的数据量,取值范围 1 ~ 1000"},
			ecStatusFilter,
			{Name: "owner_filter", Type: Table, Default: Optional, Doc: "群主过滤:{userid_list = {...}};如果不填,表示获取应用可见范围内全部群主的数据"},
			{Name: "cursor", Type: String, Default: Optional, Doc: "用于分页查询的游标,字符串类型,由上一次调用返回,首次调用不填"},
		}},
	{Group: "external_contact", Name: "get_group_chat_info", Go: "", HTTP: "POST externalcontact/groupchat/get", Read: true, Docs: "92122", Hand: HandWritten,
		Doc:    "Reads a customer group, as external_contact_group_chat.get (获取客户群详情).",
		Params: []Param{{Name: "chat_id", Type: String, Doc: "客户群ID"}}},

	// external_contact_group_chat
	{Group: "external_contact_group_chat", Name: "list", Go: "List", HTTP: "POST externalcontact/groupchat/list", Read: true, Docs: "92120", Body: "q *GroupChatQuery",
		Doc: "Reads one page of the customer groups, by follow-up status and owner (获取客户群列表).",
		Params: []Param{
			ecStatusFilter, ecOwnerUserIDs,
			{Name: "cursor", Type: String, Default: Optional, Doc: "用于分页查询的游标,字符串类型,由上一次调用返回,首次调用不填"},
			{Name: "limit", Type: Int, Default: "100", Doc: "分页,预期请求的数据量,取值范围 1 ~ 1000,默认100"},
		},
		GoResult: "*GroupChatPage"},
	{Group: "external_contact_group_chat", Name: "list_all", Go: "ListAll", HTTP: "POST externalcontact/groupchat/list", Read: true, Docs: "92120", Hand: HandWritten,
		Doc:       "Reads every customer group, page after page, by follow-up status and owner (获取客户群列表).",
		Params:    []Param{ecStatusFilter, ecOwnerUserIDs, {Name: "limit", Type: Int, Default: "100", Doc: "每次请求的数据量,取值范围 1 ~ 1000,默认100"}},
		LuaResult: "table[]"},
	{Group: "external_contact_group_chat", Name: "get", Go: "Get", HTTP: "POST externalcontact/groupchat/get", Read: true, Docs: "92122", Hand: HandMethod,
		Doc: "Reads a customer group: name, owner, members with how and when they joined, administrators (获取客户群详情).",
		Params: []Param{
			{Name: "chat_id", Type: String, Doc: "客户群ID", Go: "chatID"},
			{Name: "need_name", Type: Int, Default: Optional, Doc: "是否需要返回群成员的名字group_chat.member_list.name。0-不返回;1-返回。默认不返回"},
		},
		GoResult: "*CustomerGroup"},
	{Group: "external_contact_group_chat", Name: "transfer", Go: "Transfer", HTTP: "POST externalcontact/groupchat/transfer", Docs: "92127", Hand: HandMethod, DryRun: dryRunChatTransfer,
		Doc:      "Gives the customer groups of owners who left to a new owner (分配离职成员的客户群); the answer lists the groups that failed.",
		Params:   []Param{ecChatIDList, ecNewOwner},
		GoResult: "[]FailedChat"},
	{Group: "external_contact_group_chat", Name: "onjob_transfer", Go: "OnJobTransfer", HTTP: "POST externalcontact/groupchat/onjob_transfer", Docs: "95703", Hand: HandMethod, DryRun: dryRunChatTransfer,
		Doc:      "Gives the customer groups of owners in post to a new owner (分配在职成员的客户群); the answer lists the groups that failed.",
		Params:   []Param{ecChatIDList, ecNewOwner},
		GoResult: "[]FailedChat"},
}
