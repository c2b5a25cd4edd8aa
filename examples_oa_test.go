package main

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/wecomrunner/runner/runtime/scheduler"
	"github.com/wecomrunner/runner/runtime/state"
	"github.com/wecomrunner/runner/wecom"
	"github.com/wecomrunner/runner/wecom/emulator"
)

// yesterdayCST is 00:00 of yesterday in UTC+8, the day the attendance
// report covers.
func yesterdayCST() time.Time {
	now := time.Now().In(time.FixedZone("CST", 8*3600))
	return time.Date(now.Year(), now.Month(), now.Day()-1, 0, 0, 0, 0, now.Location())
}

// TestExampleAttendanceReport runs the job attendance-report against the
// emulator's check-in records and checks its chat message against the day
// reports the emulator computes for yesterday: how many members had to work,
// and who was late, left early, missed a check-in or was absent.
func TestExampleAttendanceReport(t *testing.T) {
	t.Parallel()
	r := newExampleRig(t, nil, scheduler.EngineOptions{})
	day := yesterdayCST()
	rec := r.run(t, "attendance-report")
	if !yesterdayCST().Equal(day) {
		t.Skip("the day changed during the run")
	}

	c := wecom.New(emulator.DemoCorpID, emulator.DemoOASecret, wecom.WithBaseURL(r.srv.BaseURL()))
	var ids []string
	for _, u := range r.srv.Snapshot().Users {
		ids = append(ids, u.UserID)
	}
	reports, err := c.OA.GetCheckinDayData(t.Context(), int(day.Unix()), int(day.Unix()), ids)
	if err != nil {
		t.Fatal(err)
	}
	expected := 0
	byKind := map[int][]string{}
	for _, d := range reports.Datas {
		if d.BaseInfo.DayType != 0 {
			continue
		}
		expected++
		for _, e := range d.ExceptionInfos {
			byKind[e.Exception] = append(byKind[e.Exception], d.BaseInfo.Name)
		}
	}
	if expected == 0 {
		t.Fatal("nobody had to work yesterday: the shifts of 运维排班 should cover every day")
	}

	chats := r.srv.ChatMessages()
	if len(chats) != 1 || chats[0].ChatID != "OPSONCALL2024" || chats[0].MsgType != "markdown" || chats[0].AgentID != emulator.DemoOpsAgentID {
		t.Fatalf("chat messages = %+v, want one markdown to OPSONCALL2024 by 运维助手", chats)
	}
	var payload struct {
		Markdown struct{ Content string } `json:"markdown"`
	}
	json.Unmarshal(chats[0].Payload, &payload)
	content := payload.Markdown.Content
	want := []string{"## 考勤日报 " + day.Format("2006-01-02"), fmt.Sprintf("应出勤：**%d** 人", expected)}
	for kind, title := range map[int]string{1: "迟到", 2: "早退", 3: "缺卡", 4: "旷工"} {
		if names := byKind[kind]; len(names) > 0 {
			want = append(want, fmt.Sprintf("- %s %d 人：", title, len(names)))
			want = append(want, names...)
		} else {
			want = append(want, "- "+title+"：无")
		}
	}
	for _, w := range want {
		if !strings.Contains(content, w) {
			t.Errorf("report lacks %q:\n%s", w, content)
		}
	}
	if log := r.runLog(t, rec); !strings.Contains(log, "attendance report sent") {
		t.Errorf("run log:\n%s", log)
	}
}

// applyLeave submits a leave of userid through the OA application, from
// begin for a day, with the template's process, and returns its sp_no.
func applyLeave(t *testing.T, srv *emulator.Server, userid string, begin time.Time) string {
	t.Helper()
	c := wecom.New(emulator.DemoCorpID, emulator.DemoOASecret, wecom.WithBaseURL(srv.BaseURL()))
	applyData := map[string]any{"contents": []any{
		map[string]any{"control": "Vacation", "id": "vacation-1563793073898", "value": map[string]any{"vacation": map[string]any{
			"selector":   map[string]any{"type": "single", "options": []any{map[string]any{"key": "2", "value": []any{map[string]any{"text": "事假", "lang": "zh_CN"}}}}},
			"attendance": map[string]any{"date_range": map[string]any{"type": "halfday", "new_begin": begin.Unix(), "new_end": begin.Unix() + 86400, "new_duration": 86400}, "type": 1},
		}}},
		map[string]any{"control": "Textarea", "id": "item-1497581399901", "value": map[string]any{"text": "家中有事"}},
	}}
	summary := []any{map[string]any{"summary_info": []any{map[string]any{"text": "事假1天", "lang": "zh_CN"}}}}
	applied, err := c.OA.ApplyEvent(t.Context(), userid, emulator.DemoLeaveTemplateID, 1, nil, applyData, summary, nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	return applied.SpNo
}

// decide approves or rejects spNo as userid in the emulator's admin console
// and waits for the runs of the event it pushes.
func (r *eventRig) decide(t *testing.T, action, spNo, userid string) {
	t.Helper()
	r.console(t, "approval/"+action, fmt.Sprintf(`{"sp_no":%q,"userid":%q,"speech":"同意"}`, spNo, userid))
}

// TestExampleApprovalNotice: a leave of 孙浩 (运维部) goes through its two
// steps (the department's leader 徐明, then 陈静) in the emulator's admin
// console; each decision runs approval-notice, which acts on the last one
// only: 徐明 and the ops chat are told of the leave and its dates. An
// approved expense claim goes to finance; a rejected or withdrawn leave, or
// a comment, tells no one.
func TestExampleApprovalNotice(t *testing.T) {
	t.Parallel()
	r := newEventRig(t)
	cst := time.FixedZone("CST", 8*3600)
	begin := time.Now().In(cst).Truncate(time.Hour).Add(48 * time.Hour)
	sp := applyLeave(t, r.srv, "sunhao", begin)
	approved := sp

	r.decide(t, "approve", sp, "xuming")
	runs := r.eventRuns(t, "approval-notice")
	if len(runs) != 1 || runs[0].Result != state.ResultOK || runs[0].Event == nil || runs[0].Event.Type != "sys_approval_change" {
		t.Fatalf("runs after the first step = %+v", runs)
	}
	if n := len(r.srv.Messages()) + len(r.srv.ChatMessages()); n != 0 {
		t.Fatalf("%d messages after the first step, want none", n)
	}

	r.decide(t, "approve", sp, "chenjing")
	if runs = r.eventRuns(t, "approval-notice"); len(runs) != 2 || runs[1].Result != state.ResultOK {
		t.Fatalf("runs after the last step = %+v", runs)
	}
	want := fmt.Sprintf("孙浩（sunhao）的事假已通过审批：%s 至 %s。审批单 %s", begin.Format("2006-01-02 15:04"), begin.Add(24*time.Hour).Format("2006-01-02 15:04"), sp)
	msgs := r.srv.Messages()
	if len(msgs) != 1 || msgs[0].ToUser != "xuming" || msgs[0].AgentID != emulator.DemoOpsAgentID || !strings.Contains(string(msgs[0].Payload), want) {
		t.Errorf("messages = %+v, want %q to xuming", msgs, want)
	}
	chats := r.srv.ChatMessages()
	if len(chats) != 1 || chats[0].ChatID != "OPSONCALL2024" || !strings.Contains(string(chats[0].Payload), want) {
		t.Errorf("chat messages = %+v, want %q", chats, want)
	}

	// The same event again (a delivery WeCom repeats, a replay) sends
	// nothing twice.
	replay, err := r.sched.Trigger(t.Context(), "approval-notice", scheduler.RunRequest{Trigger: state.TriggerEvent, By: "replay", Event: runs[1].Event, Wait: true})
	if err != nil {
		t.Fatal(err)
	}
	if rec := replay.Record(); rec.Result != state.ResultOK || len(r.srv.Messages()) != 1 || len(r.srv.ChatMessages()) != 1 {
		t.Errorf("the replay: %+v; %d messages, %d chat messages, want still 1 and 1", rec, len(r.srv.Messages()), len(r.srv.ChatMessages()))
	}

	// An expense claim of 林峰, approved by 郭强 then 郑辉, goes to finance.
	c := wecom.New(emulator.DemoCorpID, emulator.DemoOASecret, wecom.WithBaseURL(r.srv.BaseURL()))
	expense := map[string]any{"contents": []any{
		map[string]any{"control": "Selector", "id": "Selector-1576659513342", "value": map[string]any{"selector": map[string]any{"type": "single", "options": []any{map[string]any{"key": "option-Selector-1576659513342-1"}}}}},
		map[string]any{"control": "Money", "id": "Money-1576659554432", "value": map[string]any{"new_money": "320.50"}},
		map[string]any{"control": "Date", "id": "Date-1576659589043", "value": map[string]any{"date": map[string]any{"type": "day", "s_timestamp": fmt.Sprint(begin.Unix())}}},
		map[string]any{"control": "Textarea", "id": "Textarea-1576659604311", "value": map[string]any{"text": "拜访客户的高铁票"}},
	}}
	summary := []any{map[string]any{"summary_info": []any{map[string]any{"text": "差旅费 320.50元", "lang": "zh_CN"}}}}
	applied, err := c.OA.ApplyEvent(t.Context(), "linfeng", emulator.DemoExpenseTemplateID, 1, nil, expense, summary, nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	r.decide(t, "approve", applied.SpNo, "guoqiang")
	r.decide(t, "approve", applied.SpNo, "zhenghui")
	msgs = r.srv.Messages()
	if want := "请付款：林峰（linfeng）的报销 320.50 元已通过审批，拜访客户的高铁票。审批单 " + applied.SpNo; len(msgs) != 2 || msgs[1].ToUser != "zhenghui" || !strings.Contains(string(msgs[1].Payload), want) {
		t.Errorf("messages = %+v, want %q to zhenghui", msgs, want)
	}

	// A rejected leave tells no one.
	sp = applyLeave(t, r.srv, "sunhao", begin.Add(72*time.Hour))
	r.decide(t, "reject", sp, "xuming")
	if runs = r.eventRuns(t, "approval-notice"); len(runs) != 6 || runs[5].Result != state.ResultOK {
		t.Fatalf("runs after a rejection = %+v", runs)
	}
	if n, m := len(r.srv.Messages()), len(r.srv.ChatMessages()); n != 2 || m != 1 {
		t.Errorf("%d messages and %d chat messages after a rejection, want still 2 and 1", n, m)
	}

	// Nor does a leave its applicant withdraws (StatuChangeEvent 6), nor a
	// comment on the approved one (StatuChangeEvent 10, SpStatus still 2).
	withdrawn := applyLeave(t, r.srv, "sunhao", begin.Add(96*time.Hour))
	r.console(t, "approval/withdraw", fmt.Sprintf(`{"sp_no":%q,"userid":"sunhao"}`, withdrawn))
	r.console(t, "approval/comment", fmt.Sprintf(`{"sp_no":%q,"userid":"chenjing","content":"已安排顶班"}`, approved))
	if runs = r.eventRuns(t, "approval-notice"); len(runs) != 8 || runs[6].Result != state.ResultOK || runs[7].Result != state.ResultOK {
		t.Fatalf("runs after a withdrawal and a comment = %+v", runs)
	}
	if n, m := len(r.srv.Messages()), len(r.srv.ChatMessages()); n != 2 || m != 1 {
		t.Errorf("%d messages and %d chat messages after a withdrawal and a comment, want still 2 and 1", n, m)
	}
}
