package table

// The OA group (wecom.oa): approvals (审批), leave settings and balances
// (假期管理), and attendance (打卡), as wechatpy's current wechatpy/work
// client groups them in oa.py.
//
// Names are wechatpy's where it has the method (get_template_detail,
// apply_event, get_approval_info, get_approval_detail, get_checkin_data,
// get_checkin_daydata, get_checkin_monthdata, get_corp_checkin_option,
// get_checkin_schedu_list) and WeCom's endpoint names otherwise, the path
// below oa/ joined by "_" (vacation/getcorpconf as vacation_getcorpconf).
// Like wechatpy's, every function returns WeCom's whole answer.
//
// A corp created after 2023-12-01 calls them with the secret of a
// self-built application configured in 审批 → 可调用接口的应用 (approvals,
// leave) or 打卡 → 可调用接口的应用 (attendance); the secrets of the system
// applications 审批 and 打卡 work only for older corps. The application
// sees the members of its visible range.

// The limits WeCom documents, checked before the call.
var (
	// getcheckindata: 获取记录时间跨度不超过30天 (document/path/90262).
	checkinDataSpan = &Span{From: "start_time", To: "end_time", Days: 30}
	// getcheckin_daydata, getcheckin_monthdata, getcheckinschedulist (与
	// starttime跨度不超过一个月, document/path/93380), getapprovalinfo (起始
	// 时间跨度不能超过31天, wechatpy's oa.py and document/path/91816).
	monthSpan = &Span{From: "start_time", To: "end_time", Days: 31}
)

// The parameters the attendance methods share.
var (
	ciStart   = Param{Name: "start_time", Wire: "starttime", Type: Int, Doc: "开始时间,Unix时间戳"}
	ciEnd     = Param{Name: "end_time", Wire: "endtime", Type: Int, Doc: "结束时间,Unix时间戳"}
	ciUserIDs = Param{Name: "userid_list", Wire: "useridlist", Type: Strings, Max: 100, Doc: "成员的userid列表,1 ~ 100个;超过100个请分批获取", Go: "userIDs"}
	ciDayFrom = Param{Name: "start_time", Wire: "starttime", Type: Int, Doc: "开始日期,当天0点的Unix时间戳"}
	ciDayTo   = Param{Name: "end_time", Wire: "endtime", Type: Int, Doc: "结束日期,当天0点的Unix时间戳"}
)

// oaGroups is the OA group.
var oaGroups = []Group{
	{Name: "oa", Service: "OA", Title: "OA管理(审批、假期、打卡)"},
}

// oaMethods are the functions of wecom.oa, in wechatpy's order, then WeCom's.
var oaMethods = []Method{
	// approvals
	{Group: "oa", Name: "get_template_detail", Go: "GetTemplateDetail", HTTP: "POST oa/gettemplatedetail", Read: true, Docs: "91982",
		Doc:      "Reads an approval template: its names and controls (获取审批模板详情).",
		Params:   []Param{{Name: "template_id", Type: String, Doc: "模板的唯一标识id", Go: "templateID"}},
		GoResult: "*ApprovalTemplate"},
	{Group: "oa", Name: "get_approval_info", Go: "GetApprovalInfo", HTTP: "POST oa/getapprovalinfo", Read: true, Docs: "91816", Span: monthSpan,
		Doc: "Reads one page of the numbers of the approvals submitted in a period of at most 31 days, by template, creator, department or status (批量获取审批单号).",
		Params: []Param{
			{Name: "start_time", Wire: "starttime", Type: String, Doc: "审批单提交的时间范围的开始时间,Unix时间戳"},
			{Name: "end_time", Wire: "endtime", Type: String, Doc: "审批单提交的时间范围的结束时间,Unix时间戳;与开始时间的跨度不能超过31天"},
			{Name: "cursor", Wire: "new_cursor", Type: String, Doc: "分页查询游标,首次为空串,后续使用返回的new_next_cursor"},
			{Name: "size", Type: Int, Default: "100", Doc: "一次请求拉取审批单数量,默认值为100,上限值为100"},
			{Name: "filters", Type: Table, Default: Optional, Doc: "筛选条件,每个为 {key = ..., value = ...};key为template_id、creator、department、sp_status或record_type"},
		},
		GoResult: "*ApprovalNumbers"},
	{Group: "oa", Name: "get_approval_detail", Go: "GetApprovalDetail", HTTP: "POST oa/getapprovaldetail", Read: true, Docs: "91983",
		Doc:      "Reads an approval: its template, creator, status, approval steps and the values of its controls (获取审批申请详情).",
		Params:   []Param{{Name: "sp_no", Type: String, Doc: "审批单编号", Go: "spNo"}},
		GoResult: "*ApprovalDetail"},
	{Group: "oa", Name: "apply_event", Go: "ApplyEvent", HTTP: "POST oa/applyevent", Docs: "91853", DryRun: `{"sp_no": "dry-run"}`,
		Doc: "Submits an approval on behalf of a member, with the template's process or the approvers given (提交审批申请); the answer has its sp_no.",
		Params: []Param{
			{Name: "creator_userid", Type: String, Doc: "申请人userid,须在应用可见范围内", Go: "creatorUserID"},
			{Name: "template_id", Type: String, Doc: "模板id", Go: "templateID"},
			{Name: "use_template_approver", Type: Int, Doc: "审批人模式:0-通过接口指定审批人、抄送人;1-使用模板在管理后台设置的审批流程"},
			{Name: "approver", Type: Table, Doc: "审批流程,每个节点为 {attr = 1或2, userid = {...}};仅use_template_approver为0时生效"},
			{Name: "apply_data", Type: Table, Doc: "审批申请数据 {contents = {{control = ..., id = ..., value = {...}}, ...}};必填控件必须有值"},
			{Name: "summary_list", Type: Table, Doc: "摘要信息,最多3行,每行为 {summary_info = {{text = ..., lang = \"zh_CN\"}}}"},
			{Name: "notifyer", Type: Strings, Default: Optional, Doc: "抄送人userid列表,仅use_template_approver为0时生效"},
			{Name: "notify_type", Type: Int, Default: Optional, Doc: "抄送方式:1-提单时抄送(默认值);2-单据通过后抄送;3-提单和单据通过后抄送"},
		},
		GoResult: "*AppliedApproval"},

	// leave settings and balances (假期管理)
	{Group: "oa", Name: "vacation_getcorpconf", Go: "VacationGetCorpConf", HTTP: "GET oa/vacation/getcorpconf", Read: true, Docs: "93375",
		Doc:      "Lists the corp's kinds of leave: their ids, names, units and quota rules (获取企业假期管理配置).",
		GoResult: "*VacationConf"},
	{Group: "oa", Name: "vacation_getuservacationquota", Go: "VacationGetUserVacationQuota", HTTP: "POST oa/vacation/getuservacationquota", Read: true, Docs: "93376",
		Doc:      "Reads a member's leave balances, in seconds, by kind of leave (获取成员假期余额).",
		Params:   []Param{{Name: "userid", Type: String, Doc: "需要获取假期余额的成员的userid", Go: "userID"}},
		GoResult: "*VacationQuota"},

	// attendance (打卡)
	{Group: "oa", Name: "get_checkin_data", Go: "GetCheckinData", HTTP: "POST checkin/getcheckindata", Read: true, Docs: "90262", Span: checkinDataSpan,
		Doc: "Reads the check-in records of members over at most 30 days (获取打卡记录数据).",
		Params: []Param{
			{Name: "data_type", Wire: "opencheckindatatype", Type: Int, Doc: "打卡类型。1:上下班打卡;2:外出打卡;3:全部打卡"},
			ciStart, ciEnd, ciUserIDs,
		},
		GoResult: "*CheckinRecords"},
	{Group: "oa", Name: "get_checkin_daydata", Go: "GetCheckinDayData", HTTP: "POST checkin/getcheckin_daydata", Read: true, Docs: "93374", Span: monthSpan,
		Doc:      "Reads the daily attendance reports of members, day by day: check-ins, working time, lateness, early leaving and missed check-ins (获取打卡日报数据).",
		Params:   []Param{ciDayFrom, ciDayTo, ciUserIDs},
		GoResult: "*CheckinDayReports"},
	{Group: "oa", Name: "get_checkin_monthdata", Go: "GetCheckinMonthData", HTTP: "POST checkin/getcheckin_monthdata", Read: true, Docs: "93387", Span: monthSpan,
		Doc:      "Reads the attendance report of members over a period of at most a month: working days, working time and exceptions (获取打卡月报数据).",
		Params:   []Param{ciDayFrom, ciDayTo, ciUserIDs},
		GoResult: "*CheckinMonthReports"},
	{Group: "oa", Name: "get_corp_checkin_option", Go: "GetCorpCheckinOption", HTTP: "POST checkin/getcorpcheckinoption", Read: true, Docs: "93384",
		Doc:      "Lists the corp's check-in rules: working days and times, schedules and who they apply to (获取企业所有打卡规则).",
		GoResult: "*CorpCheckinOption"},
	{Group: "oa", Name: "get_checkin_schedu_list", Go: "GetCheckinScheduList", HTTP: "POST checkin/getcheckinschedulist", Read: true, Docs: "93380", Span: monthSpan,
		Doc:      "Reads the shifts of members under rules by shift (按班次上下班) over at most a month (获取打卡人员排班信息).",
		Params:   []Param{{Name: "start_time", Wire: "starttime", Type: Int, Doc: "获取排班信息的开始时间,Unix时间戳"}, {Name: "end_time", Wire: "endtime", Type: Int, Doc: "获取排班信息的结束时间,Unix时间戳;与开始时间的跨度不超过一个月"}, ciUserIDs},
		GoResult: "*CheckinSchedules"},
}
