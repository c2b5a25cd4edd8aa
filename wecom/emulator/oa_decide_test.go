package emulator

import (
	"fmt"
	"testing"
)

// oaSteps submits a leave of zhaoliu with the approvers given and returns
// its sp_no.
func oaSteps(t *testing.T, s *Server, approver ...any) string {
	t.Helper()
	req := oaLeave("zhaoliu")
	req["use_template_approver"], req["approver"] = 0, approver
	r := oaApp(t, s).post("oa/applyevent", req)
	wantCode(t, r, 0)
	return r.str("sp_no")
}

// decideAs approves (or rejects) spNo as userid in the admin console.
func decideAs(t *testing.T, s *Server, action, spNo, userid string) result {
	t.Helper()
	return consoleCall(t, s, "approval/"+action, fmt.Sprintf(`{"sp_no":%q,"userid":%q,"speech":"%s by %s"}`, spNo, userid, action, userid))
}

// spRecord is the sp_record of spNo as getapprovaldetail answers it: per
// step, its sp_status and its approvers' sp_status and speech.
func spRecord(t *testing.T, s *Server, spNo string) (status int, steps [][]string) {
	t.Helper()
	r := oaApp(t, s).post("oa/getapprovaldetail", map[string]any{"sp_no": spNo})
	wantCode(t, r, 0)
	info := r["info"].(map[string]any)
	for _, st := range info["sp_record"].([]any) {
		st := st.(map[string]any)
		row := []string{fmt.Sprint(st["sp_status"])}
		for _, d := range st["details"].([]any) {
			d := d.(map[string]any)
			row = append(row, fmt.Sprintf("%s:%v:%s", d["approver"].(map[string]any)["userid"], d["sp_status"], d["speech"]))
		}
		steps = append(steps, row)
	}
	return int(info["sp_status"].(float64)), steps
}

func wantRecord(t *testing.T, s *Server, spNo string, status int, want string) {
	t.Helper()
	got, steps := spRecord(t, s, spNo)
	if got != status || fmt.Sprint(steps) != want {
		t.Errorf("%s: sp_status %d, sp_record %v; want %d, %s", spNo, got, steps, status, want)
	}
}

// TestApprovalDecisions: a 会签 step (attr 2) needs every approver, a 或签
// step (attr 1) any one; the last step approved approves the approval, and
// each decision is in getapprovaldetail's sp_record with its speech.
func TestApprovalDecisions(t *testing.T) {
	t.Parallel()
	s := startServer(t, WithClock(oaNow))
	sp := oaSteps(t, s, map[string]any{"attr": 2, "userid": []string{"lisi", "wangwu"}}, map[string]any{"attr": 1, "userid": []string{"zhangwei", "chenjing"}})
	wantRecord(t, s, sp, 1, "[[1 lisi:1: wangwu:1:] [1 zhangwei:1: chenjing:1:]]")

	// Only the current step's approvers decide.
	wantCode(t, decideAs(t, s, "approve", sp, "zhangwei"), 301025)
	wantCode(t, decideAs(t, s, "approve", sp, "xuming"), 301025)

	if r := decideAs(t, s, "approve", sp, "lisi"); r.code() != 0 || r.num("sp_status") != 1 {
		t.Fatalf("lisi approves: %v", r)
	}
	wantRecord(t, s, sp, 1, "[[1 lisi:2:approve by lisi wangwu:1:] [1 zhangwei:1: chenjing:1:]]")
	wantWaiting(t, s, sp, "1 2 [wangwu]")
	// An approver decides once.
	wantCode(t, decideAs(t, s, "approve", sp, "lisi"), 301025)
	wantCode(t, decideAs(t, s, "approve", sp, "zhangwei"), 301025) // the 会签 step still waits for wangwu

	wantCode(t, decideAs(t, s, "approve", sp, "WangWu"), 0) // userids match without case, as WeCom's
	wantRecord(t, s, sp, 1, "[[2 lisi:2:approve by lisi wangwu:2:approve by WangWu] [1 zhangwei:1: chenjing:1:]]")
	wantWaiting(t, s, sp, "2 1 [zhangwei chenjing]")

	if r := decideAs(t, s, "approve", sp, "chenjing"); r.code() != 0 || r.num("sp_status") != 2 {
		t.Fatalf("chenjing approves: %v", r)
	}
	wantRecord(t, s, sp, 2, "[[2 lisi:2:approve by lisi wangwu:2:approve by WangWu] [2 zhangwei:1: chenjing:2:approve by chenjing]]")
	wantWaiting(t, s, sp, "0 0 []")
	// A decided approval takes no more decisions.
	wantCode(t, decideAs(t, s, "reject", sp, "zhangwei"), 301025)

	// getapprovalinfo filters by the new status.
	r := oaApp(t, s).post("oa/getapprovalinfo", map[string]any{"starttime": itoa(int(oaNow().Unix() - 3600)), "endtime": itoa(int(oaNow().Unix() + 3600)),
		"filters": []any{map[string]any{"key": "sp_status", "value": "2"}}})
	if list, _ := r["sp_no_list"].([]any); len(list) != 1 || list[0] != sp {
		t.Errorf("approved = %v, want [%s]", r, sp)
	}
}

// TestApprovalRejection: one rejection in a 会签 step rejects the approval;
// the steps after it are never reached.
func TestApprovalRejection(t *testing.T) {
	t.Parallel()
	s := startServer(t, WithClock(oaNow))
	sp := oaSteps(t, s, map[string]any{"attr": 2, "userid": []string{"lisi", "wangwu"}}, map[string]any{"attr": 1, "userid": []string{"zhangwei"}})
	wantCode(t, decideAs(t, s, "approve", sp, "lisi"), 0)
	if r := decideAs(t, s, "reject", sp, "wangwu"); r.code() != 0 || r.num("sp_status") != 3 {
		t.Fatalf("wangwu rejects: %v", r)
	}
	wantRecord(t, s, sp, 3, "[[3 lisi:2:approve by lisi wangwu:3:reject by wangwu] [0 zhangwei:0:]]")
	wantCode(t, decideAs(t, s, "approve", sp, "zhangwei"), 301025)
}

// TestApprovalDecisionErrors: a decision names an approval and an approver.
func TestApprovalDecisionErrors(t *testing.T) {
	t.Parallel()
	s := startServer(t, WithClock(oaNow))
	for _, body := range []string{`{"userid":"lisi"}`, `{"sp_no":"209901010001","userid":"lisi"}`, `{"sp_no":"x"}`} {
		if r := consoleCall(t, s, "approval/approve", body); r.code() != 301025 {
			t.Errorf("%s: %v, want 301025", body, r)
		}
	}
	if r := consoleCall(t, s, "approval/approve", `{"sp_no":`); r.code() == 0 {
		t.Errorf("a broken body: %v", r)
	}
	// A seeded approval already decided takes none; the seeded pending one
	// (heyan's 报销) waits for its first step's approver.
	var pending, settled string
	for _, a := range s.st.oa.approvals {
		if a.Status == 1 {
			pending = a.SpNo
		} else {
			settled = a.SpNo
		}
	}
	wantCode(t, decideAs(t, s, "approve", settled, "zhenghui"), 301025)
	wantCode(t, decideAs(t, s, "approve", pending, "zhenghui"), 301025) // zhenghui approves second
	first := s.st.oa.bySpNo[pending].Steps[0].Approvers[0]
	wantCode(t, decideAs(t, s, "approve", pending, first), 0)
	wantCode(t, decideAs(t, s, "approve", pending, "zhenghui"), 0)
	if st, _ := spRecord(t, s, pending); st != 2 {
		t.Errorf("the seeded 报销 is %d after both steps, want 2", st)
	}
}

// wantWaiting checks what /_emulator/approvals says of spNo: its current
// step, the step's rule and who may still decide it.
func wantWaiting(t *testing.T, s *Server, spNo, want string) {
	t.Helper()
	var list []ApprovalState
	getInspect(t, s, "approvals", &list)
	for _, a := range list {
		if a.SpNo == spNo {
			if got := fmt.Sprint(a.Step, a.Attr, a.Approvers); got != want {
				t.Errorf("/_emulator/approvals: %s waits for %s, want %s", spNo, got, want)
			}
			return
		}
	}
	t.Errorf("/_emulator/approvals lacks %s: %+v", spNo, list)
}
