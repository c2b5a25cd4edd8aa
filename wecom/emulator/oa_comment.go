package emulator

import (
	"fmt"
	"slices"
	"strings"
)

// Besides the approvers' decisions (oa_decide.go), the WeCom app lets the
// applicant withdraw (撤销) an approval still pending, and the applicant,
// its approvers and those it notifies add comments (添加备注) at any time.
// The admin console acts for them:
//
//	POST /_emulator/console/approval/withdraw {"sp_no": "...", "userid": "..."}
//	POST /_emulator/console/approval/comment  {"sp_no": "...", "userid": "...", "content": "..."}
//
// A withdrawal sets sp_status 4 (已撤销) and leaves the steps as they were;
// a comment is appended to getapprovaldetail's comments. Each is pushed as
// sys_approval_change, with StatuChangeEvent 6 (撤销) or 10 (添加备注).

// StatuChangeEvent of a withdrawal and of a comment.
const (
	changeWithdraw = 6
	changeComment  = 10
)

// approvalComment is one comment (备注) on an approval.
type approvalComment struct {
	ID      string
	UserID  string
	Time    int64
	Content string
}

// commentView is a comment as getapprovaldetail gives it.
type commentView struct {
	UserInfo userRef  `json:"commentUserInfo"`
	Time     int64    `json:"commenttime"`
	Content  string   `json:"commentcontent"`
	ID       string   `json:"commentid"`
	MediaID  []string `json:"media_id"`
}

// commentRequest is the body of the console's approval/comment.
type commentRequest struct {
	approvalRequest
	Content string `json:"content"`
}

// consoleWithdraw withdraws an approval for its applicant and announces it.
func (s *Server) consoleWithdraw(body []byte) (any, *apiError) {
	var req approvalRequest
	if e := decodeBody(body, &req); e != nil {
		return nil, e
	}
	return s.consoleApproval(req.UserID, func(o *oaState, _ int64) (*approval, int, *apiError) {
		a, e := o.withdraw(string(req.SpNo), req.UserID)
		return a, changeWithdraw, e
	})
}

// consoleComment adds a comment to an approval and announces it.
func (s *Server) consoleComment(body []byte) (any, *apiError) {
	var req commentRequest
	if e := decodeBody(body, &req); e != nil {
		return nil, e
	}
	return s.consoleApproval(req.UserID, func(o *oaState, at int64) (*approval, int, *apiError) {
		a, e := o.comment(string(req.SpNo), req.UserID, req.Content, at)
		return a, changeComment, e
	})
}

// withdraw withdraws approval spNo for userid, who must be its applicant,
// while it is pending. The caller holds o.mu.
func (o *oaState) withdraw(spNo, userid string) (*approval, *apiError) {
	a, e := o.approvalFor(spNo, userid)
	switch {
	case e != nil:
		return nil, e
	case !strings.EqualFold(a.Creator, userid):
		return nil, approvalError("%s is not the applicant of %s (%s): only the applicant withdraws", userid, spNo, a.Creator)
	case a.Status != spPending:
		return nil, approvalError("approval %s is no longer pending: sp_status %d", spNo, a.Status)
	}
	a.Status = spWithdrawn
	return a, nil
}

// comment appends userid's comment to approval spNo at time at; userid is
// its applicant, one of its approvers or one it notifies. The caller holds
// o.mu.
func (o *oaState) comment(spNo, userid, content string, at int64) (*approval, *apiError) {
	a, e := o.approvalFor(spNo, userid)
	if e != nil {
		return nil, e
	}
	if strings.TrimSpace(content) == "" {
		return nil, approvalError("content missing")
	}
	same := func(id string) bool { return strings.EqualFold(id, userid) }
	if !same(a.Creator) && !slices.ContainsFunc(a.Notify, same) &&
		!slices.ContainsFunc(a.Steps, func(st approvalStep) bool { return slices.ContainsFunc(st.Approvers, same) }) {
		return nil, approvalError("%s is neither the applicant nor an approver or notifier of %s", userid, spNo)
	}
	o.comments++
	a.Comments = append(a.Comments, approvalComment{ID: fmt.Sprintf("%d%09d", at, o.comments), UserID: userid, Time: at, Content: content})
	return a, nil
}

// commentViews are a's comments as getapprovaldetail gives them.
func (a *approval) commentViews() []commentView {
	out := make([]commentView, 0, len(a.Comments))
	for _, c := range a.Comments {
		out = append(out, commentView{UserInfo: userRef{c.UserID}, Time: c.Time, Content: c.Content, ID: c.ID, MediaID: []string{}})
	}
	return out
}
