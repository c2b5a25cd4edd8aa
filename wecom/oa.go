package wecom

import "encoding/json"

// OAService is the OA group (wecom.oa, wechatpy's WeChatOA): approvals
// (审批), leave settings and balances (假期管理) and attendance (打卡).
//
// A corp created after 2023-12-01 calls it with the secret of a self-built
// application configured in 审批 → 可调用接口的应用 (approvals and leave)
// or 打卡 → 可调用接口的应用 (attendance); that application sees the
// members of its visible range. The attendance calls take at most
// MaxCheckinUsers userids, and a time range of at most a month (30 days
// for the check-in records).
//
// WeCom API docs: https://developer.work.weixin.qq.com/document/path/91956 (审批)
// and https://developer.work.weixin.qq.com/document/path/90262 (打卡)
type OAService service

// MaxCheckinUsers is the number of userids one attendance call takes.
const MaxCheckinUsers = 100

// I18nText is a text in one language, as approval templates give their
// names, titles and summaries.
type I18nText struct {
	Text string `json:"text"`
	Lang string `json:"lang"`
}

// ApprovalTemplate is an approval template, as oa/gettemplatedetail
// answers.
type ApprovalTemplate struct {
	TemplateNames   []I18nText `json:"template_names"`
	TemplateContent struct {
		Controls []TemplateControl `json:"controls"`
	} `json:"template_content"`
}

// TemplateControl is one control of an approval template.
type TemplateControl struct {
	Property struct {
		Control     string     `json:"control"` // Text, Textarea, Number, Money, Date, Selector, Contact, File, Vacation, ...
		ID          string     `json:"id"`
		Title       []I18nText `json:"title"`
		Placeholder []I18nText `json:"placeholder"`
		Require     int        `json:"require"` // 1 when the control must have a value
		UnPrint     int        `json:"un_print"`
	} `json:"property"`
	Config json.RawMessage `json:"config,omitempty"` // the control's settings, by kind
}

// ApprovalNumbers is a page of oa/getapprovalinfo: approval numbers, and
// the cursor of the next page ("" after the last).
type ApprovalNumbers struct {
	SpNoList      []string `json:"sp_no_list"`
	NewNextCursor string   `json:"new_next_cursor"`
}

// AppliedApproval is the answer of oa/applyevent: the new approval's
// number.
type AppliedApproval struct {
	SpNo string `json:"sp_no"`
}

// ApprovalDetail is the answer of oa/getapprovaldetail.
type ApprovalDetail struct {
	Info Approval `json:"info"`
}

// Approval is an approval (审批单).
type Approval struct {
	SpNo       string `json:"sp_no"`
	SpName     string `json:"sp_name"`
	SpStatus   int    `json:"sp_status"` // 1 pending, 2 approved, 3 rejected, 4 withdrawn, 6 withdrawn after approval, 7 deleted, 10 paid
	TemplateID string `json:"template_id"`
	ApplyTime  int64  `json:"apply_time"`
	Applyer    struct {
		UserID  string `json:"userid"`
		PartyID string `json:"partyid"`
	} `json:"applyer"`
	SpRecord []ApprovalStep `json:"sp_record"`
	Notifyer []struct {
		UserID string `json:"userid"`
	} `json:"notifyer"`
	ApplyData struct {
		Contents []json.RawMessage `json:"contents"`
	} `json:"apply_data"`
	Comments []json.RawMessage `json:"comments"`
}

// ApprovalStep is one node of an approval's process.
type ApprovalStep struct {
	SpStatus     int `json:"sp_status"`    // 1 pending, 2 approved, 3 rejected, 4 handed over, ...
	ApproverAttr int `json:"approverattr"` // 1 any of the approvers (或签), 2 all of them (会签)
	Details      []struct {
		Approver struct {
			UserID string `json:"userid"`
		} `json:"approver"`
		Speech   string   `json:"speech"`
		SpStatus int      `json:"sp_status"`
		SpTime   int64    `json:"sptime"`
		MediaID  []string `json:"media_id"`
	} `json:"details"`
}

// VacationConf is the answer of oa/vacation/getcorpconf: the kinds of
// leave.
type VacationConf struct {
	Lists []VacationRule `json:"lists"`
}

// VacationRule is a kind of leave (假期) and its rules. Durations are in
// seconds.
type VacationRule struct {
	ID             int             `json:"id"`
	Name           string          `json:"name"`
	TimeAttr       int             `json:"time_attr"`     // 0 taken by day, 1 by hour
	DurationType   int             `json:"duration_type"` // 0 by working days, 1 by natural days
	QuotaAttr      json.RawMessage `json:"quota_attr"`
	PerdayDuration int             `json:"perday_duration"`
	IsNewOvertime  int             `json:"is_newovertime"`
	ExpireRule     json.RawMessage `json:"expire_rule,omitempty"`
}

// VacationQuota is the answer of oa/vacation/getuservacationquota: a
// member's balances.
type VacationQuota struct {
	Lists []VacationBalance `json:"lists"`
}

// VacationBalance is a member's balance of one kind of leave, in seconds.
type VacationBalance struct {
	ID                 int    `json:"id"`
	AssignDuration     int    `json:"assignduration"`
	UsedDuration       int    `json:"usedduration"`
	LeftDuration       int    `json:"leftduration"`
	VacationName       string `json:"vacationname"`
	RealAssignDuration int    `json:"real_assignduration"`
}

// CheckinRecords is the answer of checkin/getcheckindata.
type CheckinRecords struct {
	CheckinData []CheckinRecord `json:"checkindata"`
}

// CheckinRecord is one check-in (打卡记录).
type CheckinRecord struct {
	UserID         string   `json:"userid"`
	GroupName      string   `json:"groupname"`
	CheckinType    string   `json:"checkin_type"`   // 上班打卡, 下班打卡, 外出打卡
	ExceptionType  string   `json:"exception_type"` // "" or 时间异常, 地点异常, 未打卡, ...
	CheckinTime    int64    `json:"checkin_time"`
	LocationTitle  string   `json:"location_title"`
	LocationDetail string   `json:"location_detail"`
	WifiName       string   `json:"wifiname"`
	Notes          string   `json:"notes"`
	WifiMac        string   `json:"wifimac"`
	MediaIDs       []string `json:"mediaids"`
	SchCheckinTime int64    `json:"sch_checkin_time"` // the scheduled time
	GroupID        int      `json:"groupid"`
	ScheduleID     int      `json:"schedule_id"`
	TimelineID     int      `json:"timeline_id"`
}

// CheckinDayReports is the answer of checkin/getcheckin_daydata.
type CheckinDayReports struct {
	Datas []CheckinDayReport `json:"datas"`
}

// CheckinDayReport is one member's attendance on one day.
type CheckinDayReport struct {
	BaseInfo struct {
		Date        int64  `json:"date"`
		RecordType  int    `json:"record_type"` // 1 fixed hours, 2 by shift, 3 free, ...
		Name        string `json:"name"`
		NameEx      string `json:"name_ex"`
		DepartsName string `json:"departs_name"`
		AcctID      string `json:"acctid"`
		DayType     int    `json:"day_type"` // 0 working day, 1 day off
		RuleInfo    struct {
			GroupID      int    `json:"groupid"`
			GroupName    string `json:"groupname"`
			ScheduleID   int    `json:"scheduleid"`
			ScheduleName string `json:"schedulename"`
		} `json:"rule_info"`
	} `json:"base_info"`
	SummaryInfo struct {
		CheckinCount    int   `json:"checkin_count"`
		RegularWorkSec  int   `json:"regular_work_sec"`
		StandardWorkSec int   `json:"standard_work_sec"`
		EarliestTime    int64 `json:"earliest_time"`
		LastestTime     int64 `json:"lastest_time"`
	} `json:"summary_info"`
	ExceptionInfos []CheckinException `json:"exception_infos"`
}

// CheckinException counts one kind of exception: 1 late, 2 early leave, 3
// missed check-in, 4 absent, 5 wrong place, 6 wrong device.
type CheckinException struct {
	Exception int `json:"exception"`
	Count     int `json:"count"`
	Duration  int `json:"duration"` // seconds late or early; 0 for the others
}

// CheckinMonthReports is the answer of checkin/getcheckin_monthdata.
type CheckinMonthReports struct {
	Datas []CheckinMonthReport `json:"datas"`
}

// CheckinMonthReport is one member's attendance over the period asked.
type CheckinMonthReport struct {
	BaseInfo struct {
		RecordType  int    `json:"record_type"`
		Name        string `json:"name"`
		NameEx      string `json:"name_ex"`
		DepartsName string `json:"departs_name"`
		AcctID      string `json:"acctid"`
		RuleInfo    struct {
			GroupID   int    `json:"groupid"`
			GroupName string `json:"groupname"`
		} `json:"rule_info"`
	} `json:"base_info"`
	SummaryInfo struct {
		WorkDays        int `json:"work_days"`
		ExceptDays      int `json:"except_days"`
		RegularWorkSec  int `json:"regular_work_sec"`
		StandardWorkSec int `json:"standard_work_sec"`
		RestDays        int `json:"rest_days"`
	} `json:"summary_info"`
	ExceptionInfos []CheckinException `json:"exception_infos"`
}

// CorpCheckinOption is the answer of checkin/getcorpcheckinoption: the
// corp's check-in rules.
type CorpCheckinOption struct {
	Group []CheckinRule `json:"group"`
}

// CheckinRule is a check-in rule (打卡规则). The members, departments and
// tags it applies to are in Range.
type CheckinRule struct {
	GroupType   int             `json:"grouptype"` // 1 fixed hours, 2 by shift, 3 free
	GroupID     int             `json:"groupid"`
	GroupName   string          `json:"groupname"`
	CheckinDate json.RawMessage `json:"checkindate"`
	Range       struct {
		PartyID []string `json:"partyid"`
		UserID  []string `json:"userid"`
		TagID   []int    `json:"tagid"`
	} `json:"range"`
	ScheduleList json.RawMessage `json:"schedulelist,omitempty"`
}

// CheckinSchedules is the answer of checkin/getcheckinschedulist.
type CheckinSchedules struct {
	ScheduleList []MemberSchedule `json:"schedule_list"`
}

// MemberSchedule is a member's shifts in one month under a rule by shift.
type MemberSchedule struct {
	UserID    string `json:"userid"`
	YearMonth int    `json:"yearmonth"`
	GroupID   int    `json:"groupid"`
	GroupName string `json:"groupname"`
	Schedule  struct {
		ScheduleList []struct {
			Day          int `json:"day"`
			ScheduleInfo struct {
				ScheduleID   int             `json:"schedule_id"`
				ScheduleName string          `json:"schedule_name"`
				TimeSection  json.RawMessage `json:"time_section"`
			} `json:"schedule_info"`
		} `json:"scheduleList"`
	} `json:"schedule"`
}
