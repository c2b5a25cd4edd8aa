package emulator_test

import (
	"encoding/json"
	"errors"
	"reflect"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/wecomrunner/runner/wecom"
	"github.com/wecomrunner/runner/wecom/emulator"
)

// oaMonday is a Monday morning, 2026-12-07 10:00 UTC+8.
var oaMonday = time.Date(2026, 12, 7, 10, 0, 0, 0, time.FixedZone("CST", 8*3600))

// leaveData is the apply_data of a leave on the demo template 请假.
func leaveData(reason string) map[string]any {
	return map[string]any{"contents": []any{
		map[string]any{"control": "Vacation", "id": "vacation-1563793073898", "value": map[string]any{"vacation": map[string]any{
			"selector":   map[string]any{"type": "single", "options": []any{map[string]any{"key": "1", "value": []any{map[string]any{"text": "年假", "lang": "zh_CN"}}}}},
			"attendance": map[string]any{"date_range": map[string]any{"type": "halfday", "new_begin": 1765209600, "new_end": 1765296000, "new_duration": 86400}, "type": 1},
		}}},
		map[string]any{"control": "Textarea", "id": "item-1497581399901", "value": map[string]any{"text": reason}},
	}}
}

func summary(text string) []any {
	return []any{map[string]any{"summary_info": []any{map[string]any{"text": text, "lang": "zh_CN"}}}}
}

// TestClientApprovals drives the approval and leave API through the typed
// client: a template, an application by the template's process and one by
// the approvers given, the numbers of the period and an approval's detail,
// the leave settings and a member's balances.
func TestClientApprovals(t *testing.T) {
	t.Parallel()
	clock, srv := clockedServer(t, oaMonday)
	ctx := t.Context()
	oa := appClient(srv, emulator.DemoOAAgentID).OA

	tpl, err := oa.GetTemplateDetail(ctx, emulator.DemoLeaveTemplateID)
	noError(t, err, "GetTemplateDetail")
	if tpl.TemplateNames[0].Text != "请假" || len(tpl.TemplateContent.Controls) != 3 || tpl.TemplateContent.Controls[1].Property.Require != 1 {
		t.Errorf("template = %+v", tpl)
	}
	_, err = oa.GetTemplateDetail(ctx, "no-such-template")
	wantAPIError(t, err, "oa/gettemplatedetail", 301025)

	first, err := oa.ApplyEvent(ctx, "lisi", emulator.DemoLeaveTemplateID, 1, nil, leaveData("回老家"), summary("年假1天"), nil, 0)
	noError(t, err, "ApplyEvent")
	if first.SpNo != "202612070001" {
		t.Errorf("sp_no = %q, want the day's first number 202612070001", first.SpNo)
	}
	clock.Add(time.Hour)
	second, err := oa.ApplyEvent(ctx, "linfeng", emulator.DemoLeaveTemplateID, 0,
		[]any{map[string]any{"attr": 2, "userid": []string{"guoqiang", "hutao"}}}, leaveData("看病"), summary("病假"), []string{"chenjing"}, 1)
	noError(t, err, "ApplyEvent with approvers")
	if second.SpNo != "202612070002" {
		t.Errorf("second sp_no = %q", second.SpNo)
	}
	_, err = oa.ApplyEvent(ctx, "lisi", emulator.DemoLeaveTemplateID, 1, nil, map[string]any{"contents": []any{}}, summary("空"), nil, 0)
	wantAPIError(t, err, "oa/applyevent", 301025)

	start, end := oaMonday.Add(-time.Hour).Unix(), oaMonday.Add(24*time.Hour).Unix()
	page, err := oa.GetApprovalInfo(ctx, itoa(start), itoa(end), "", 1, nil)
	noError(t, err, "GetApprovalInfo")
	if !slices.Equal(page.SpNoList, []string{first.SpNo}) || page.NewNextCursor == "" {
		t.Fatalf("first page = %+v", page)
	}
	page, err = oa.GetApprovalInfo(ctx, itoa(start), itoa(end), page.NewNextCursor, 1, nil)
	noError(t, err, "GetApprovalInfo page 2")
	if !slices.Equal(page.SpNoList, []string{second.SpNo}) || page.NewNextCursor != "" {
		t.Errorf("second page = %+v", page)
	}
	byCreator, err := oa.GetApprovalInfo(ctx, itoa(start), itoa(end), "", 100, []any{map[string]string{"key": "creator", "value": "linfeng"}})
	noError(t, err, "GetApprovalInfo by creator")
	if !slices.Equal(byCreator.SpNoList, []string{second.SpNo}) {
		t.Errorf("linfeng's = %v", byCreator.SpNoList)
	}
	_, err = oa.GetApprovalInfo(ctx, itoa(start), itoa(start+32*86400), "", 100, nil)
	wantAPIError(t, err, "oa/getapprovalinfo", 301025)

	d, err := oa.GetApprovalDetail(ctx, first.SpNo)
	noError(t, err, "GetApprovalDetail")
	in := d.Info
	if in.SpName != "请假" || in.SpStatus != 1 || in.Applyer.UserID != "lisi" || in.Applyer.PartyID != "3" || in.ApplyTime != oaMonday.Unix() ||
		len(in.SpRecord) != 2 || in.SpRecord[0].Details[0].Approver.UserID != "liuyang" || in.SpRecord[1].Details[0].Approver.UserID != "chenjing" ||
		len(in.ApplyData.Contents) != 2 {
		t.Errorf("detail of the template's process = %+v", in)
	}
	d, err = oa.GetApprovalDetail(ctx, second.SpNo)
	noError(t, err, "GetApprovalDetail 2")
	if len(d.Info.SpRecord) != 1 || d.Info.SpRecord[0].ApproverAttr != 2 || len(d.Info.SpRecord[0].Details) != 2 || len(d.Info.Notifyer) != 1 {
		t.Errorf("detail with approvers = %+v", d.Info)
	}
	_, err = oa.GetApprovalDetail(ctx, "209901010001")
	wantAPIError(t, err, "oa/getapprovaldetail", 301025)

	conf, err := oa.VacationGetCorpConf(ctx)
	noError(t, err, "VacationGetCorpConf")
	if len(conf.Lists) != 4 || conf.Lists[0].Name != "年假" || conf.Lists[1].TimeAttr != 1 {
		t.Errorf("leave settings = %+v", conf.Lists)
	}
	quota, err := oa.VacationGetUserVacationQuota(ctx, "lisi")
	noError(t, err, "VacationGetUserVacationQuota")
	annual := quota.Lists[0]
	if len(quota.Lists) != 4 || annual.VacationName != "年假" || annual.AssignDuration < 5*86400 || annual.AssignDuration > 10*86400 ||
		annual.LeftDuration != annual.AssignDuration-annual.UsedDuration {
		t.Errorf("lisi's balances = %+v", quota.Lists)
	}
	_, err = oa.VacationGetUserVacationQuota(ctx, "nobody")
	wantAPIError(t, err, "oa/vacation/getuservacationquota", 301063)

	// Another application, not configured for approvals, is refused.
	_, err = newClient(srv, emulator.DemoOpsSecret).OA.VacationGetCorpConf(ctx)
	wantAPIError(t, err, "oa/vacation/getcorpconf", 48002)
}

// TestClientCheckin drives the attendance API through the typed client:
// the records of last week, the day reports computed from them, the month
// report that adds them up, the rules and the shifts.
func TestClientCheckin(t *testing.T) {
	t.Parallel()
	_, srv := clockedServer(t, oaMonday)
	ctx := t.Context()
	oa := appClient(srv, emulator.DemoOAAgentID).OA
	users := []string{"lisi", "linfeng", "heyan", "xuming", "sunhao", "nobody"}
	lastMonday := time.Date(2026, 11, 30, 0, 0, 0, 0, oaMonday.Location())
	from, to := lastMonday.Unix(), lastMonday.AddDate(0, 0, 7).Unix()-1

	recs, err := oa.GetCheckinData(ctx, 3, int(from), int(to), users)
	noError(t, err, "GetCheckinData")
	perUser := map[string]int{}
	for _, r := range recs.CheckinData {
		perUser[r.UserID]++
		if r.CheckinTime < from || r.CheckinTime > to || r.GroupID == 0 {
			t.Errorf("record out of the range or without a rule: %+v", r)
		}
	}
	// Under 总部考勤 a member checks in (or misses) twice each weekday.
	if perUser["lisi"] != 10 || perUser["nobody"] != 0 || perUser["xuming"] == 0 {
		t.Errorf("records per member = %v", perUser)
	}
	again, err := oa.GetCheckinData(ctx, 3, int(from), int(to), users)
	noError(t, err, "GetCheckinData again")
	if len(again.CheckinData) != len(recs.CheckinData) || !reflect.DeepEqual(again.CheckinData, recs.CheckinData) {
		t.Errorf("the records change between reads")
	}

	days, err := oa.GetCheckinDayData(ctx, int(from), int(lastMonday.AddDate(0, 0, 6).Unix()), users)
	noError(t, err, "GetCheckinDayData")
	if len(days.Datas) != 5*7 {
		t.Fatalf("%d day reports, want 7 days of the 5 members under a rule", len(days.Datas))
	}
	month, err := oa.GetCheckinMonthData(ctx, int(from), int(lastMonday.AddDate(0, 0, 6).Unix()), users)
	noError(t, err, "GetCheckinMonthData")
	if len(month.Datas) != 5 {
		t.Fatalf("%d month reports", len(month.Datas))
	}
	for _, m := range month.Datas {
		var late, regular, workDays, restDays int
		for _, d := range days.Datas {
			if d.BaseInfo.AcctID != m.BaseInfo.AcctID {
				continue
			}
			regular += d.SummaryInfo.RegularWorkSec
			if d.BaseInfo.DayType == 1 {
				restDays++
			} else if d.SummaryInfo.CheckinCount > 0 {
				workDays++
			}
			for _, e := range d.ExceptionInfos {
				if e.Exception == 1 {
					late += e.Count
				}
			}
		}
		var monthLate int
		for _, e := range m.ExceptionInfos {
			if e.Exception == 1 {
				monthLate = e.Count
			}
		}
		if m.SummaryInfo.RegularWorkSec != regular || m.SummaryInfo.WorkDays != workDays || m.SummaryInfo.RestDays != restDays || monthLate != late {
			t.Errorf("%s: month %+v, but the days add up to regular %d, work days %d, rest days %d, late %d",
				m.BaseInfo.AcctID, m.SummaryInfo, regular, workDays, restDays, late)
		}
	}
	// lisi's day reports agree with lisi's records.
	for _, d := range days.Datas {
		if d.BaseInfo.AcctID != "lisi" || d.BaseInfo.DayType == 1 {
			continue
		}
		made := 0
		for _, r := range recs.CheckinData {
			if r.UserID == "lisi" && r.ExceptionType != "未打卡" && r.CheckinTime >= d.BaseInfo.Date && r.CheckinTime < d.BaseInfo.Date+86400 {
				made++
			}
		}
		if d.SummaryInfo.CheckinCount != made || d.SummaryInfo.StandardWorkSec != 9*3600 {
			t.Errorf("lisi on %d: report %+v, %d check-ins recorded", d.BaseInfo.Date, d.SummaryInfo, made)
		}
	}

	_, err = oa.GetCheckinData(ctx, 3, int(from), int(from)+31*86400, users)
	wantAPIError(t, err, "checkin/getcheckindata", 301024)
	many := make([]string, 101)
	for i := range many {
		many[i] = "lisi"
	}
	_, err = oa.GetCheckinDayData(ctx, int(from), int(to), many)
	wantAPIError(t, err, "checkin/getcheckin_daydata", 301023)

	opt, err := oa.GetCorpCheckinOption(ctx)
	noError(t, err, "GetCorpCheckinOption")
	if len(opt.Group) != 2 || opt.Group[0].GroupName != "总部考勤" || opt.Group[1].GroupType != 2 || !slices.Equal(opt.Group[1].Range.PartyID, []string{"6"}) {
		t.Errorf("rules = %+v", opt.Group)
	}
	var shifts []map[string]any
	if err := json.Unmarshal(opt.Group[1].ScheduleList, &shifts); err != nil || len(shifts) != 2 {
		t.Errorf("shifts of 运维排班 = %s (%v)", opt.Group[1].ScheduleList, err)
	}

	sch, err := oa.GetCheckinScheduList(ctx, int(from), int(lastMonday.AddDate(0, 0, 6).Unix()), users)
	noError(t, err, "GetCheckinScheduList")
	// Only 运维部 works in shifts; the week spans November and December.
	if len(sch.ScheduleList) != 4 || sch.ScheduleList[0].UserID != "xuming" || sch.ScheduleList[0].YearMonth != 202611 || sch.ScheduleList[1].YearMonth != 202612 {
		t.Fatalf("schedules = %+v", sch.ScheduleList)
	}
	for _, d := range days.Datas {
		if d.BaseInfo.AcctID == "xuming" && d.BaseInfo.Date == lastMonday.Unix() {
			if d.BaseInfo.RuleInfo.ScheduleID != sch.ScheduleList[0].Schedule.ScheduleList[0].ScheduleInfo.ScheduleID {
				t.Errorf("xuming's day report and schedule disagree on 11-30: %+v vs %+v", d.BaseInfo.RuleInfo, sch.ScheduleList[0].Schedule.ScheduleList[0])
			}
		}
	}

	// The customer application is not configured for attendance.
	_, err = appClient(srv, emulator.DemoCustomerAgentID).OA.GetCorpCheckinOption(ctx)
	var apiErr *wecom.APIError
	if !errors.As(err, &apiErr) || apiErr.Code != 48002 {
		t.Errorf("customer app reading the rules: %v, want 48002", err)
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
