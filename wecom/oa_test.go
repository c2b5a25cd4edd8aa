package wecom

import (
	"net/http"
	"testing"
)

// oaExamples are the request and response examples of the official pages
// of the OA API (approvals, leave, attendance), shared with the emulator's
// tests; the conformance cases are written from the same examples.
var oaExamples = readExamples("emulator/testdata/oa_examples.json")

// serveOAExamples registers each of apis on ts with its official example.
func serveOAExamples(t *testing.T, ts *testServer, method string, apis ...string) {
	t.Helper()
	for _, api := range apis {
		serveFrom(t, ts, oaExamples, method, api, nil)
	}
}

func TestOAService_Approvals(t *testing.T) {
	t.Parallel()
	c, ts := setup(t)
	ctx := t.Context()
	serveOAExamples(t, ts, http.MethodPost, "oa/gettemplatedetail", "oa/applyevent", "oa/getapprovalinfo", "oa/getapprovaldetail", "oa/vacation/getuservacationquota")
	serveOAExamples(t, ts, http.MethodGet, "oa/vacation/getcorpconf")

	tpl, err := c.OA.GetTemplateDetail(ctx, "ZLqk8pcsAoXZ1eYa6vpAgfX28MPdYU3ayMaSPHaaa")
	if err != nil || tpl.TemplateNames[0].Text != "全字段" || tpl.TemplateContent.Controls[0].Property.ID != "Selector-15111111111" {
		t.Errorf("GetTemplateDetail = %+v, %v", tpl, err)
	}
	approver := []map[string]any{{"attr": 2, "userid": []string{"WuJunJie", "WangXiaoMing"}}, {"attr": 1, "userid": []string{"LiuXiaoGang"}}}
	data := map[string]any{"contents": []any{map[string]any{"control": "Text", "id": "Text-15111111111",
		"title": []I18nText{{"文本控件", "zh_CN"}}, "value": map[string]string{"text": "文本填写的内容"}}}}
	var summary []map[string][]I18nText
	for _, line := range []string{"摘要第1行", "摘要第2行", "摘要第3行"} {
		summary = append(summary, map[string][]I18nText{"summary_info": {{line, "zh_CN"}}})
	}
	applied, err := c.OA.ApplyEvent(ctx, "WangXiaoMing", "3Tka1eD6v6JfzhDMqPd3aMkFdxqtJMc2ZRioeFXkaaa", 0, approver, data, summary, []string{"WuJunJie", "WangXiaoMing"}, 1)
	if err != nil || applied.SpNo != "201909180001" {
		t.Errorf("ApplyEvent = %+v, %v", applied, err)
	}
	filters := []map[string]string{{"key": "template_id", "value": "ZLqk8pcsAoaXZ1eY56vpAgfX28MPdYU3ayMaSPHaaa"}, {"key": "creator", "value": "WuJunJie"},
		{"key": "department", "value": "1"}, {"key": "sp_status", "value": "1"}}
	nums, err := c.OA.GetApprovalInfo(ctx, "1569546000", "1569718800", "", 100, filters)
	if err != nil || len(nums.SpNoList) != 3 || nums.NewNextCursor != "201909270003" {
		t.Errorf("GetApprovalInfo = %+v, %v", nums, err)
	}
	d, err := c.OA.GetApprovalDetail(ctx, "201909270001")
	if err != nil || d.Info.SpNo != "201909270002" || d.Info.Applyer.UserID != "WuJunJie" || len(d.Info.SpRecord[0].Details) != 2 || len(d.Info.ApplyData.Contents) != 1 {
		t.Errorf("GetApprovalDetail = %+v, %v", d, err)
	}
	conf, err := c.OA.VacationGetCorpConf(ctx)
	if err != nil || len(conf.Lists) != 1 || conf.Lists[0].Name != "年假" || conf.Lists[0].PerdayDuration != 86400 {
		t.Errorf("VacationGetCorpConf = %+v, %v", conf, err)
	}
	q, err := c.OA.VacationGetUserVacationQuota(ctx, "ZhangSan")
	if err != nil || len(q.Lists) != 3 || q.Lists[1].VacationName != "事假" || q.Lists[0].LeftDuration != 604800 {
		t.Errorf("VacationGetUserVacationQuota = %+v, %v", q, err)
	}
}

func TestOAService_Checkin(t *testing.T) {
	t.Parallel()
	c, ts := setup(t)
	ctx := t.Context()
	serveOAExamples(t, ts, http.MethodPost, "checkin/getcheckindata", "checkin/getcheckin_daydata", "checkin/getcheckin_monthdata", "checkin/getcorpcheckinoption", "checkin/getcheckinschedulist")
	recs, err := c.OA.GetCheckinData(ctx, 3, 1492617600, 1492790400, []string{"james", "paul"})
	if err != nil || len(recs.CheckinData) != 1 || recs.CheckinData[0].CheckinType != "上班打卡" || recs.CheckinData[0].CheckinTime != 1492617610 {
		t.Errorf("GetCheckinData = %+v, %v", recs, err)
	}
	days, err := c.OA.GetCheckinDayData(ctx, 1599062400, 1599062400, []string{"ZhangSan"})
	if err != nil || len(days.Datas) != 1 || days.Datas[0].BaseInfo.AcctID != "ZhangSan" || days.Datas[0].ExceptionInfos[0].Exception != 1 {
		t.Errorf("GetCheckinDayData = %+v, %v", days, err)
	}
	month, err := c.OA.GetCheckinMonthData(ctx, 1599062400, 1599408000, []string{"ZhangSan"})
	if err != nil || len(month.Datas) != 1 || month.Datas[0].SummaryInfo.StandardWorkSec != 29040 {
		t.Errorf("GetCheckinMonthData = %+v, %v", month, err)
	}
	opt, err := c.OA.GetCorpCheckinOption(ctx)
	if err != nil || len(opt.Group) != 1 || opt.Group[0].GroupID != 69 || opt.Group[0].Range.PartyID[0] != "1" {
		t.Errorf("GetCorpCheckinOption = %+v, %v", opt, err)
	}
	sch, err := c.OA.GetCheckinScheduList(ctx, 1492617600, 1492790400, []string{"james", "paul"})
	if err != nil || len(sch.ScheduleList) != 1 || sch.ScheduleList[0].Schedule.ScheduleList[0].ScheduleInfo.ScheduleName != "早班" {
		t.Errorf("GetCheckinScheduList = %+v, %v", sch, err)
	}
}
