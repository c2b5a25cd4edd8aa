package emulator_test

import (
	"testing"

	"github.com/wecomrunner/runner/wecom/callback"
	"github.com/wecomrunner/runner/wecom/emulator"
)

// TestApprovalChangeEvent: each decision made in the admin console is
// pushed as sys_approval_change, in the shape of WeCom's example
// (审批申请状态变化回调通知): the approval app's AgentID and an ApprovalInfo
// with the approval's new status, its steps and approvers, and the change
// (StatuChangeEvent 2 同意, 3 驳回).
func TestApprovalChangeEvent(t *testing.T) {
	t.Parallel()
	srv, h := newCallbackServer(t)
	oa := appClient(srv, emulator.DemoOAAgentID)
	applyData := map[string]any{"contents": []any{
		map[string]any{"control": "Vacation", "id": "vacation-1563793073898", "value": map[string]any{"vacation": map[string]any{"selector": map[string]any{"type": "single",
			"options": []any{map[string]any{"key": "2", "value": []any{map[string]any{"text": "事假", "lang": "zh_CN"}}}}}}}},
		map[string]any{"control": "Textarea", "id": "item-1497581399901", "value": map[string]any{"text": "家中有事"}},
	}}
	summary := []any{map[string]any{"summary_info": []any{map[string]any{"text": "事假1天", "lang": "zh_CN"}}}}
	approvers := []any{map[string]any{"attr": 2, "userid": []string{"lisi", "wangwu"}}, map[string]any{"attr": 1, "userid": []string{"zhangwei"}}}
	applied, err := oa.OA.ApplyEvent(t.Context(), "zhaoliu", emulator.DemoLeaveTemplateID, 0, approvers, applyData, summary, []string{"chenjing"}, 1)
	if err != nil {
		t.Fatal(err)
	}
	sp := applied.SpNo

	decide := func(action, userid string, wantStatus float64) callback.Event {
		t.Helper()
		if out := console(t, srv, "approval/"+action, `{"sp_no":"`+sp+`","userid":"`+userid+`","speech":"好的"}`); out["errcode"] != 0.0 || out["sp_status"] != wantStatus {
			t.Fatalf("%s %s: %v", userid, action, out)
		}
		return h.next()
	}

	ev := decide("approve", "lisi", 1)
	for k, v := range map[string]string{"ToUserName": emulator.DemoCorpID, "FromUserName": "sys", "MsgType": "event", "Event": "sys_approval_change", "AgentID": "1000005"} {
		if ev.Get(k) != v {
			t.Errorf("%s = %q, want %q", k, ev.Get(k), v)
		}
	}
	info, _ := ev["ApprovalInfo"].(map[string]any)
	for k, v := range map[string]string{"SpNo": sp, "SpNoStr": sp, "SpName": "请假", "SpStatus": "1", "TemplateId": emulator.DemoLeaveTemplateID, "StatuChangeEvent": "2"} {
		if info[k] != v {
			t.Errorf("ApprovalInfo.%s = %v, want %q", k, info[k], v)
		}
	}
	if applyer, _ := info["Applyer"].(map[string]any); applyer["UserId"] != "zhaoliu" || applyer["Party"] == "" {
		t.Errorf("Applyer = %v", info["Applyer"])
	}
	if n, _ := info["Notifyer"].([]any); len(n) != 1 || n[0].(map[string]any)["UserId"] != "chenjing" {
		t.Errorf("Notifyer = %v", info["Notifyer"])
	}
	steps, _ := info["SpRecord"].([]any)
	if len(steps) != 2 {
		t.Fatalf("SpRecord = %v, want the 2 steps", info["SpRecord"])
	}
	first := steps[0].(map[string]any)
	details, _ := first["Details"].([]any)
	if first["SpStatus"] != "1" || first["ApproverAttr"] != "2" || len(details) != 2 {
		t.Fatalf("step 1 = %v", first)
	}
	lisi := details[0].(map[string]any)
	if lisi["Approver"].(map[string]any)["UserId"] != "lisi" || lisi["SpStatus"] != "2" || lisi["Speech"] != "好的" || lisi["SpTime"] == "0" {
		t.Errorf("lisi's part = %v", lisi)
	}
	if d := details[1].(map[string]any); d["SpStatus"] != "1" || d["SpTime"] != "0" {
		t.Errorf("wangwu's part before deciding = %v", d)
	}

	decide("approve", "wangwu", 1)
	ev = decide("approve", "zhangwei", 2)
	if info := ev["ApprovalInfo"].(map[string]any); info["SpStatus"] != "2" || info["StatuChangeEvent"] != "2" {
		t.Errorf("the last approval: %v", info)
	}
	// The deliveries name the approval and the approver.
	if err := srv.WaitCallbacks(t.Context()); err != nil {
		t.Fatal(err)
	}
	var seen []string
	for _, d := range srv.CallbackDeliveries() {
		if d.Event == "sys_approval_change" && d.SpNo == sp && d.Delivered {
			seen = append(seen, d.UserID)
		}
	}
	if len(seen) != 3 || seen[2] != "zhangwei" {
		t.Errorf("deliveries by %v", seen)
	}

	// A rejection.
	applied, err = oa.OA.ApplyEvent(t.Context(), "zhaoliu", emulator.DemoLeaveTemplateID, 0, approvers[1:], applyData, summary, nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	sp = applied.SpNo
	if info := decide("reject", "zhangwei", 3)["ApprovalInfo"].(map[string]any); info["SpStatus"] != "3" || info["StatuChangeEvent"] != "3" {
		t.Errorf("the rejection: %v", info)
	}
	// A refused decision pushes nothing.
	if out := console(t, srv, "approval/approve", `{"sp_no":"`+sp+`","userid":"zhangwei"}`); out["errcode"] != 301025.0 {
		t.Errorf("a second decision: %v", out)
	}
	if err := srv.WaitCallbacks(t.Context()); err != nil {
		t.Fatal(err)
	}
	if n := h.calls.Load(); n != 4 {
		t.Errorf("%d deliveries, want 4", n)
	}
}

// TestApprovalWithdrawCommentEvents: a comment (添加备注) is pushed with
// StatuChangeEvent 10 and the approval's Comments; the applicant's
// withdrawal (撤销) with StatuChangeEvent 6 and SpStatus 4; a refused one
// pushes nothing.
func TestApprovalWithdrawCommentEvents(t *testing.T) {
	t.Parallel()
	srv, h := newCallbackServer(t)
	oa := appClient(srv, emulator.DemoOAAgentID)
	applied, err := oa.OA.ApplyEvent(t.Context(), "zhaoliu", emulator.DemoLeaveTemplateID, 0, []any{map[string]any{"attr": 1, "userid": []string{"lisi"}}}, leaveData("家中有事"), summary("事假1天"), nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	sp := applied.SpNo
	act := func(action, body string) map[string]any {
		t.Helper()
		if out := console(t, srv, "approval/"+action, body); out["errcode"] != 0.0 {
			t.Fatalf("%s: %v", action, out)
		}
		info, _ := h.next()["ApprovalInfo"].(map[string]any)
		return info
	}

	info := act("comment", `{"sp_no":"`+sp+`","userid":"lisi","content":"请补充<附件>"}`)
	if info["SpStatus"] != "1" || info["StatuChangeEvent"] != "10" {
		t.Errorf("the comment: SpStatus %v, StatuChangeEvent %v; want 1, 10", info["SpStatus"], info["StatuChangeEvent"])
	}
	list, _ := info["Comments"].([]any)
	if len(list) != 1 {
		t.Fatalf("Comments = %v, want one", info["Comments"])
	}
	c := list[0].(map[string]any)
	if c["CommentUserInfo"].(map[string]any)["UserId"] != "lisi" || c["CommentContent"] != "请补充<附件>" || c["CommentId"] == "" || c["CommentTime"] == "0" {
		t.Errorf("the comment = %v", c)
	}

	// Only the applicant withdraws.
	if out := console(t, srv, "approval/withdraw", `{"sp_no":"`+sp+`","userid":"lisi"}`); out["errcode"] != 301025.0 {
		t.Errorf("an approver withdraws: %v", out)
	}
	info = act("withdraw", `{"sp_no":"`+sp+`","userid":"zhaoliu"}`)
	if info["SpStatus"] != "4" || info["StatuChangeEvent"] != "6" {
		t.Errorf("the withdrawal: SpStatus %v, StatuChangeEvent %v; want 4, 6", info["SpStatus"], info["StatuChangeEvent"])
	}
	if list, _ := info["Comments"].([]any); len(list) != 1 {
		t.Errorf("the withdrawal's Comments = %v, want the comment", info["Comments"])
	}
	if err := srv.WaitCallbacks(t.Context()); err != nil {
		t.Fatal(err)
	}
	if n := h.calls.Load(); n != 2 {
		t.Errorf("%d deliveries, want 2", n)
	}
}
