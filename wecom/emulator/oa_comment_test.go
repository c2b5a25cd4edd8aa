package emulator

import (
	"fmt"
	"testing"
)

// withdrawAs withdraws spNo as userid in the admin console.
func withdrawAs(t *testing.T, s *Server, spNo, userid string) result {
	t.Helper()
	return consoleCall(t, s, "approval/withdraw", fmt.Sprintf(`{"sp_no":%q,"userid":%q}`, spNo, userid))
}

// commentAs comments on spNo as userid in the admin console.
func commentAs(t *testing.T, s *Server, spNo, userid, content string) result {
	t.Helper()
	return consoleCall(t, s, "approval/comment", fmt.Sprintf(`{"sp_no":%q,"userid":%q,"content":%q}`, spNo, userid, content))
}

// TestApprovalWithdraw: only the applicant withdraws, and only an approval
// still pending; it is then sp_status 4 and takes no decision.
func TestApprovalWithdraw(t *testing.T) {
	t.Parallel()
	s := startServer(t, WithClock(oaNow))
	sp := oaSteps(t, s, map[string]any{"attr": 1, "userid": []string{"lisi"}}, map[string]any{"attr": 1, "userid": []string{"zhangwei"}})
	wantCode(t, decideAs(t, s, "approve", sp, "lisi"), 0)

	for _, who := range []string{"lisi", "zhangwei", "xuming"} { // approvers and a stranger
		if r := withdrawAs(t, s, sp, who); r.code() != 301025 {
			t.Errorf("%s withdraws zhaoliu's leave: %v, want 301025", who, r)
		}
	}
	if r := withdrawAs(t, s, sp, "ZhaoLiu"); r.code() != 0 || r.num("sp_status") != 4 {
		t.Fatalf("the applicant withdraws: %v", r)
	}
	wantRecord(t, s, sp, 4, "[[2 lisi:2:approve by lisi] [1 zhangwei:1:]]")
	wantWaiting(t, s, sp, "0 0 []")
	wantCode(t, withdrawAs(t, s, sp, "zhaoliu"), 301025)
	wantCode(t, decideAs(t, s, "approve", sp, "zhangwei"), 301025)

	// A decided approval is no longer withdrawn.
	sp = oaSteps(t, s, map[string]any{"attr": 1, "userid": []string{"lisi"}})
	wantCode(t, decideAs(t, s, "reject", sp, "lisi"), 0)
	if r := withdrawAs(t, s, sp, "zhaoliu"); r.code() != 301025 {
		t.Errorf("withdrawing a rejected approval: %v, want 301025", r)
	}
	wantRecord(t, s, sp, 3, "[[3 lisi:3:reject by lisi]]")

	for _, body := range []string{`{"userid":"zhaoliu"}`, `{"sp_no":"209901010001","userid":"zhaoliu"}`, `{"sp_no":"` + sp + `"}`} {
		if r := consoleCall(t, s, "approval/withdraw", body); r.code() != 301025 {
			t.Errorf("%s: %v, want 301025", body, r)
		}
	}
}

// comments are the comments of spNo as getapprovaldetail answers them.
func comments(t *testing.T, s *Server, spNo string) []map[string]any {
	t.Helper()
	r := oaApp(t, s).post("oa/getapprovaldetail", map[string]any{"sp_no": spNo})
	wantCode(t, r, 0)
	var out []map[string]any
	for _, c := range r["info"].(map[string]any)["comments"].([]any) {
		out = append(out, c.(map[string]any))
	}
	return out
}

// TestApprovalComment: the applicant, an approver of any step and one
// notified comment, whatever the approval's status; anyone else is
// refused. Comments are in getapprovaldetail, oldest first, in WeCom's
// shape.
func TestApprovalComment(t *testing.T) {
	t.Parallel()
	s := startServer(t, WithClock(oaNow))
	req := oaLeave("zhaoliu")
	req["use_template_approver"], req["approver"] = 0, []any{map[string]any{"attr": 1, "userid": []string{"lisi"}}, map[string]any{"attr": 1, "userid": []string{"zhangwei"}}}
	req["notifyer"], req["notify_type"] = []string{"chenjing"}, 1
	r := oaApp(t, s).post("oa/applyevent", req)
	wantCode(t, r, 0)
	sp := r.str("sp_no")
	if got := comments(t, s, sp); len(got) != 0 {
		t.Fatalf("comments before any = %v", got)
	}

	for _, who := range []string{"zhaoliu", "zhangwei", "chenjing"} { // applicant, approver of step 2, notified
		if r := commentAs(t, s, sp, who, "备注 by "+who); r.code() != 0 || r.num("sp_status") != 1 {
			t.Errorf("%s comments: %v", who, r)
		}
	}
	if r := commentAs(t, s, sp, "xuming", "路过"); r.code() != 301025 {
		t.Errorf("a stranger comments: %v, want 301025", r)
	}
	wantCode(t, commentAs(t, s, sp, "lisi", " "), 301025) // no content
	// Comments are taken once the approval is settled, too.
	wantCode(t, withdrawAs(t, s, sp, "zhaoliu"), 0)
	wantCode(t, commentAs(t, s, sp, "LiSi", "已撤销"), 0)

	got := comments(t, s, sp)
	if len(got) != 4 {
		t.Fatalf("comments = %v, want 4", got)
	}
	ids := map[any]bool{}
	for i, want := range []string{"zhaoliu:备注 by zhaoliu", "zhangwei:备注 by zhangwei", "chenjing:备注 by chenjing", "LiSi:已撤销"} {
		c := got[i]
		if who := fmt.Sprintf("%s:%s", c["commentUserInfo"].(map[string]any)["userid"], c["commentcontent"]); who != want {
			t.Errorf("comment %d = %s, want %s", i, who, want)
		}
		if c["commenttime"] != float64(oaNow().Unix()) || c["commentid"] == "" || c["media_id"] == nil {
			t.Errorf("comment %d = %v", i, c)
		}
		ids[c["commentid"]] = true
	}
	if len(ids) != 4 {
		t.Errorf("comment ids %v are not distinct", ids)
	}
	wantRecord(t, s, sp, 4, "[[1 lisi:1:] [1 zhangwei:1:]]")
}
