package main

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/wecomrunner/runner/runtime/scheduler"
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
