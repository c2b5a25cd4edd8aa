package emulator

import (
	"fmt"
	"slices"
)

// OA is the OA data of an organisation (审批, 假期管理, 打卡): approval
// templates, kinds of leave, and check-in rules. The approvals submitted,
// the members' balances and their check-in records live in the server's
// state: balances and records are derived, deterministically, from the
// members and the server's clock (see oaState and checkin.go).
type OA struct {
	Templates []ApprovalTemplate `json:"templates,omitempty" yaml:"templates,omitempty"`
	Vacations []Vacation         `json:"vacations,omitempty" yaml:"vacations,omitempty"`
	Checkin   []CheckinRule      `json:"checkin_rules,omitempty" yaml:"checkin_rules,omitempty"`
	// Approvals are approvals submitted before the server started, each
	// DaysAgo days before its clock, by the template's process.
	Approvals []ApprovalSeed `json:"approvals,omitempty" yaml:"approvals,omitempty"`
}

// ApprovalSeed is an approval submitted before the server started.
type ApprovalSeed struct {
	TemplateID string `json:"template_id" yaml:"template_id"`
	Creator    string `json:"creator_userid" yaml:"creator_userid"`
	DaysAgo    int    `json:"days_ago" yaml:"days_ago"`
	// Status is 1 pending, 2 approved (every step), 3 rejected (at the
	// first step).
	Status int `json:"sp_status" yaml:"sp_status"`
	// Text is the value of the template's first text control (Text or
	// Textarea), Option the option chosen in its Selector or the kind of
	// leave of its Vacation control, Amount its Money, Summary the
	// approval's one summary line. A Date is the day of the application; a
	// leave starts the next day and lasts a day.
	Text    string `json:"text" yaml:"text"`
	Option  string `json:"option,omitempty" yaml:"option,omitempty"`
	Amount  string `json:"amount,omitempty" yaml:"amount,omitempty"`
	Summary string `json:"summary" yaml:"summary"`
}

// ApprovalTemplate is an approval template (审批模板).
type ApprovalTemplate struct {
	ID   string `json:"template_id" yaml:"template_id"`
	Name string `json:"name" yaml:"name"`
	// RecordType is the kind getapprovalinfo's record_type filter selects:
	// 1 leave, 3 business trip, 8 refund, ...; 0 for none.
	RecordType int               `json:"record_type,omitempty" yaml:"record_type,omitempty"`
	Controls   []TemplateControl `json:"controls" yaml:"controls"`
	// Approvers are the steps of the template's process after the leader
	// of the creator's department: one userid a step.
	Approvers []string `json:"approvers,omitempty" yaml:"approvers,omitempty"`
}

// TemplateControl is one control of a template.
type TemplateControl struct {
	Control string   `json:"control" yaml:"control"` // Text, Textarea, Number, Money, Date, Selector, Vacation, File, ...
	ID      string   `json:"id" yaml:"id"`
	Title   string   `json:"title" yaml:"title"`
	Require bool     `json:"require,omitempty" yaml:"require,omitempty"`
	Options []string `json:"options,omitempty" yaml:"options,omitempty"` // a Selector's options
}

// Vacation is a kind of leave (假期) with its yearly quota.
type Vacation struct {
	ID   int    `json:"id" yaml:"id"`
	Name string `json:"name" yaml:"name"`
	// TimeAttr is 0 for leave taken by the day, 1 by the hour.
	TimeAttr int `json:"time_attr" yaml:"time_attr"`
	// QuotaDays is the yearly quota in days; each member gets between it
	// and QuotaDays+QuotaSpread days (by seniority, derived from the
	// userid), and has used part of it. 0 for leave without quota.
	QuotaDays   int `json:"quota_days,omitempty" yaml:"quota_days,omitempty"`
	QuotaSpread int `json:"quota_spread,omitempty" yaml:"quota_spread,omitempty"`
}

// CheckinRule is a check-in rule (打卡规则): a fixed working time on some
// weekdays (Type 1, 固定时间上下班) or shifts (Type 2, 按班次上下班), for
// the members listed and those of the departments listed (the rule of the
// nearest department applies).
type CheckinRule struct {
	ID      int      `json:"groupid" yaml:"groupid"`
	Name    string   `json:"groupname" yaml:"groupname"`
	Type    int      `json:"grouptype" yaml:"grouptype"`
	Parties []int    `json:"parties,omitempty" yaml:"parties,omitempty"`
	Users   []string `json:"users,omitempty" yaml:"users,omitempty"`
	// Workdays are the working weekdays of a fixed rule, 0 Sunday to 6
	// Saturday; WorkSec and OffWorkSec its hours, in seconds after 00:00.
	Workdays   []int `json:"workdays,omitempty" yaml:"workdays,omitempty"`
	WorkSec    int   `json:"work_sec,omitempty" yaml:"work_sec,omitempty"`
	OffWorkSec int   `json:"off_work_sec,omitempty" yaml:"off_work_sec,omitempty"`
	// Shifts are the shifts of a rule by shift; members rotate through
	// them and a day off (see schedule).
	Shifts   []Shift `json:"shifts,omitempty" yaml:"shifts,omitempty"`
	Location string  `json:"location,omitempty" yaml:"location,omitempty"`
	Address  string  `json:"address,omitempty" yaml:"address,omitempty"`
	WifiName string  `json:"wifiname,omitempty" yaml:"wifiname,omitempty"`
	WifiMac  string  `json:"wifimac,omitempty" yaml:"wifimac,omitempty"`
}

// Shift is a shift (班次) of a rule by shift.
type Shift struct {
	ID         int    `json:"schedule_id" yaml:"schedule_id"`
	Name       string `json:"schedule_name" yaml:"schedule_name"`
	WorkSec    int    `json:"work_sec" yaml:"work_sec"`
	OffWorkSec int    `json:"off_work_sec" yaml:"off_work_sec"`
}

// validate lists what is wrong with the OA data.
func (x *OA) validate(o *Org) []error {
	if x == nil {
		return nil
	}
	var errs []error
	users := map[string]bool{}
	for _, u := range o.Users {
		users[u.UserID] = true
	}
	seen := map[string]bool{}
	for i, t := range x.Templates {
		if t.ID == "" || seen[t.ID] {
			errs = append(errs, fmt.Errorf("oa.templates[%d]: template_id empty or repeated", i))
		}
		seen[t.ID] = true
		for _, a := range t.Approvers {
			if !users[a] {
				errs = append(errs, fmt.Errorf("oa.templates[%d].approvers: no member %q", i, a))
			}
		}
	}
	for i, a := range x.Approvals {
		switch {
		case !seen[a.TemplateID]:
			errs = append(errs, fmt.Errorf("oa.approvals[%d]: no template %q", i, a.TemplateID))
		case a.Creator == "":
			errs = append(errs, fmt.Errorf("oa.approvals[%d]: creator_userid missing", i))
		case a.Status < 1 || a.Status > 3 || a.DaysAgo < 0:
			errs = append(errs, fmt.Errorf("oa.approvals[%d]: sp_status must be 1, 2 or 3 and days_ago not negative", i))
		}
	}
	for i, r := range x.Checkin {
		switch {
		case r.Type == 1 && (r.OffWorkSec <= r.WorkSec || len(r.Workdays) == 0):
			errs = append(errs, fmt.Errorf("oa.checkin_rules[%d]: a fixed rule needs workdays and work_sec < off_work_sec", i))
		case r.Type == 2 && len(r.Shifts) == 0:
			errs = append(errs, fmt.Errorf("oa.checkin_rules[%d]: a rule by shift needs shifts", i))
		case r.Type != 1 && r.Type != 2:
			errs = append(errs, fmt.Errorf("oa.checkin_rules[%d]: grouptype must be 1 (fixed) or 2 (by shift)", i))
		}
	}
	return errs
}

// clone is a deep copy of x.
func (x *OA) clone() *OA {
	if x == nil {
		return nil
	}
	c := &OA{Vacations: slices.Clone(x.Vacations), Approvals: slices.Clone(x.Approvals)}
	for _, t := range x.Templates {
		t.Controls = slices.Clone(t.Controls)
		t.Approvers = slices.Clone(t.Approvers)
		c.Templates = append(c.Templates, t)
	}
	for _, r := range x.Checkin {
		r.Parties, r.Users, r.Workdays, r.Shifts = slices.Clone(r.Parties), slices.Clone(r.Users), slices.Clone(r.Workdays), slices.Clone(r.Shifts)
		c.Checkin = append(c.Checkin, r)
	}
	return c
}

// DemoOAAgentID is the agent id of the demo app 行政助手, configured in
// 审批 → 可调用接口的应用 and 打卡 → 可调用接口的应用 and visible to the
// whole company.
const DemoOAAgentID = 1000005

// DemoOASecret is the secret of the demo app 行政助手.
const DemoOASecret = "pQ4wN8eR2tY6uI0oP3aS7dF1gH5jK9lZ2xC6vB0nM4q"

// The demo organisation's approval templates.
const (
	DemoLeaveTemplateID   = "C4UE1fTqkHhtYmCcL2u2BTGa1N8jXp6VmVf5wBz1A"
	DemoExpenseTemplateID = "C4UE1fTqkHhtYmCcL2u2BTGa1N8jXp6VmVf5wBz2B"
)

// demoOA is the OA data of the demo organisation: the templates 请假 and
// 报销 with four approvals of the last week, four kinds of leave, and two check-in rules: 总部考勤 (weekdays
// 09:00-18:00, the whole company) and 运维排班 (early and late shifts,
// 运维部).
func demoOA() *OA {
	return &OA{
		Templates: []ApprovalTemplate{
			{ID: DemoLeaveTemplateID, Name: "请假", RecordType: 1, Approvers: []string{"chenjing"}, Controls: []TemplateControl{
				{Control: "Vacation", ID: "vacation-1563793073898", Title: "请假类型", Require: true},
				{Control: "Textarea", ID: "item-1497581399901", Title: "请假事由", Require: true},
				{Control: "File", ID: "item-1497581426169", Title: "附件"},
			}},
			{ID: DemoExpenseTemplateID, Name: "报销", RecordType: 9, Approvers: []string{"zhenghui"}, Controls: []TemplateControl{
				{Control: "Selector", ID: "Selector-1576659513342", Title: "报销类型", Require: true, Options: []string{"差旅费", "交通费", "招待费", "其他"}},
				{Control: "Money", ID: "Money-1576659554432", Title: "报销金额", Require: true},
				{Control: "Date", ID: "Date-1576659589043", Title: "发生日期", Require: true},
				{Control: "Textarea", ID: "Textarea-1576659604311", Title: "费用说明"},
			}},
		},
		Approvals: []ApprovalSeed{
			{TemplateID: DemoLeaveTemplateID, Creator: "zhaoliu", DaysAgo: 6, Status: 2, Text: "家中有事", Option: "事假", Summary: "事假1天"},
			{TemplateID: DemoExpenseTemplateID, Creator: "linfeng", DaysAgo: 3, Status: 2, Text: "拜访宏达制造的差旅费", Option: "差旅费", Amount: "1280.00", Summary: "差旅费 1280.00元"},
			{TemplateID: DemoLeaveTemplateID, Creator: "yangfan", DaysAgo: 2, Status: 3, Text: "调休", Option: "调休假", Summary: "调休1天"},
			{TemplateID: DemoExpenseTemplateID, Creator: "heyan", DaysAgo: 1, Status: 1, Text: "客户招待", Option: "招待费", Amount: "560.00", Summary: "招待费 560.00元"},
		},
		Vacations: []Vacation{
			{ID: 1, Name: "年假", TimeAttr: 0, QuotaDays: 5, QuotaSpread: 5},
			{ID: 2, Name: "事假", TimeAttr: 1},
			{ID: 3, Name: "病假", TimeAttr: 1, QuotaDays: 10},
			{ID: 4, Name: "调休假", TimeAttr: 1, QuotaDays: 1, QuotaSpread: 3},
		},
		Checkin: []CheckinRule{
			{ID: 1, Name: "总部考勤", Type: 1, Parties: []int{1}, Workdays: []int{1, 2, 3, 4, 5}, WorkSec: 9 * 3600, OffWorkSec: 18 * 3600,
				Location: "腾飞大厦", Address: "上海市浦东新区张江路88号", WifiName: "Tengfei-Office", WifiMac: "3c:46:d8:0c:7a:70"},
			{ID: 2, Name: "运维排班", Type: 2, Parties: []int{6}, Shifts: []Shift{
				{ID: 1, Name: "早班", WorkSec: 8 * 3600, OffWorkSec: 16 * 3600},
				{ID: 2, Name: "晚班", WorkSec: 14 * 3600, OffWorkSec: 22 * 3600},
			}, Location: "腾飞大厦", Address: "上海市浦东新区张江路88号", WifiName: "Tengfei-Office", WifiMac: "3c:46:d8:0c:7a:70"},
		},
	}
}
