package emulator

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// WeCom has no API to approve or reject: an approver does it in the WeCom
// app, and WeCom pushes sys_approval_change (审批状态通知事件) to the
// callback of the applications in 审批 → 可调用接口的应用. The admin console
// acts as that approver (see serveConsole):
//
//	POST /_emulator/console/approval/approve  {"sp_no": "...", "userid": "...", "speech": "..."}
//	POST /_emulator/console/approval/reject   the same
//	POST /_emulator/console/approval/withdraw {"sp_no": "...", "userid": "..."} (oa_comment.go)
//	POST /_emulator/console/approval/comment  {"sp_no": "...", "userid": "...", "content": "..."}
//
// The approver must be one of the current step's (the first pending one)
// and not have decided already. A step of attr 1 (或签) is decided by its
// first approver; one of attr 2 (会签) is approved when all its approvers
// have approved, rejected by any of them. The last step approved approves
// the approval (sp_status 2); a rejection rejects it (3), and the steps
// after it are never reached (0).

// Decisions of an approver, as sp_status of an approval's details and the
// StatuChangeEvent of sys_approval_change (2 同意, 3 驳回); spWithdrawn is
// the sp_status of an approval its applicant withdrew (4 已撤销).
const (
	spPending   = 1
	spApproved  = 2
	spRejected  = 3
	spWithdrawn = 4
)

// decision is one approver's part in a step.
type decision struct {
	Status int // 0 not decided
	Time   int64
	Speech string
}

// approvalRequest names an approval and who acts on it: the part the
// bodies of the console's approval actions share.
type approvalRequest struct {
	SpNo   flexString `json:"sp_no"`
	UserID string     `json:"userid"`
}

// decisionRequest is the body of the console's approval/approve and
// approval/reject.
type decisionRequest struct {
	approvalRequest
	Speech string `json:"speech"`
}

// decisionAnswer is the console's answer: the approval's status after the
// change.
type decisionAnswer struct {
	status
	SpStatus int `json:"sp_status"`
}

// consoleDecide decides for an approver (verdict spApproved or
// spRejected) and announces the change as sys_approval_change.
func (s *Server) consoleDecide(body []byte, verdict int) (any, *apiError) {
	var req decisionRequest
	if e := decodeBody(body, &req); e != nil {
		return nil, e
	}
	return s.consoleApproval(req.UserID, func(o *oaState, at int64) (*approval, int, *apiError) {
		a, e := o.decide(string(req.SpNo), req.UserID, req.Speech, verdict, at)
		return a, verdict, e
	})
}

// consoleApproval applies change to an approval with the locks held and, if
// it succeeds, announces it by userid as sys_approval_change with the
// StatuChangeEvent change returns, and answers the approval's sp_status.
func (s *Server) consoleApproval(userid string, change func(o *oaState, at int64) (*approval, int, *apiError)) (any, *apiError) {
	s.st.mu.RLock()
	agentID := s.approvalAgent()
	o := s.lockOA()
	a, event, e := change(o, s.now().Unix())
	var info string
	if e == nil {
		info = a.eventInfo(event)
	}
	o.mu.Unlock()
	s.st.mu.RUnlock()
	if e != nil {
		return nil, e
	}
	fields := []string{"ApprovalInfo", info}
	if agentID != 0 {
		fields = append([]string{"AgentID", strconv.Itoa(agentID)}, fields...)
	}
	xml := eventXML(s.corpID(), s.now(), "sys_approval_change", fields...)
	s.notify(nil, xml, Delivery{Event: "sys_approval_change", UserID: userid, SpNo: a.SpNo})
	return decisionAnswer{okStatus, a.Status}, nil
}

// approvalFor is the approval spNo that userid acts on, or the error for a
// request that lacks either or names no approval. The caller holds o.mu.
func (o *oaState) approvalFor(spNo, userid string) (*approval, *apiError) {
	a := o.bySpNo[spNo]
	switch {
	case spNo == "":
		return nil, approvalError("sp_no missing")
	case a == nil:
		return nil, approvalError("sp_no %q not found", spNo)
	case userid == "":
		return nil, approvalError("userid missing")
	}
	return a, nil
}

// approvalAgent is the agent id of the first application in 审批 → 可调用接口
// 的应用, whose callback receives sys_approval_change; 0 when none is. The
// caller holds st.mu.
func (s *Server) approvalAgent() int {
	for _, id := range sortedKeys(s.st.apps) {
		if s.st.apps[id].Approval {
			return id
		}
	}
	return 0
}

// decide records userid's verdict on the current step of approval spNo at
// time at, and settles the step and the approval by the step rules. The
// caller holds o.mu.
func (o *oaState) decide(spNo, userid, speech string, verdict int, at int64) (*approval, *apiError) {
	a, e := o.approvalFor(spNo, userid)
	if e != nil {
		return nil, e
	}
	if a.Status != spPending {
		return nil, approvalError("approval %s is no longer pending: sp_status %d", spNo, a.Status)
	}
	i := slices.IndexFunc(a.Steps, func(st approvalStep) bool { return st.Status == spPending })
	if i < 0 {
		return nil, approvalError("approval %s has no pending step", spNo)
	}
	st := &a.Steps[i]
	j := slices.IndexFunc(st.Approvers, func(id string) bool { return strings.EqualFold(id, userid) })
	if j < 0 {
		return nil, approvalError("%s is not an approver of step %d of %s (%s)", userid, i+1, spNo, strings.Join(st.Approvers, ", "))
	}
	if st.Decisions == nil {
		st.Decisions = make([]decision, len(st.Approvers))
	}
	if st.Decisions[j].Status != 0 {
		return nil, approvalError("%s has already decided step %d of %s", userid, i+1, spNo)
	}
	st.Decisions[j] = decision{Status: verdict, Time: at, Speech: speech}
	switch {
	case verdict == spRejected:
		st.Status, st.Time, a.Status = spRejected, at, spRejected
		for k := i + 1; k < len(a.Steps); k++ {
			a.Steps[k].Status = 0 // never reached
		}
	case st.Attr == 1 || !slices.ContainsFunc(st.Decisions, func(d decision) bool { return d.Status != spApproved }):
		st.Status, st.Time = spApproved, at
		if i == len(a.Steps)-1 {
			a.Status = spApproved
		}
	}
	return a, nil
}

// details are the approvers' parts in the step, as getapprovaldetail and
// sys_approval_change give them: an approver's own decision, or, for one
// who has not decided, pending while the step is and the step's status of a
// step settled before the server started.
func (st *approvalStep) details() []stepDetail {
	out := make([]stepDetail, 0, len(st.Approvers))
	for i, id := range st.Approvers {
		d := stepDetail{Approver: userRef{id}, SpStatus: st.Status, SpTime: st.Time, MediaID: []string{}}
		if st.Decisions != nil {
			d.SpStatus, d.SpTime, d.Speech = st.Decisions[i].Status, st.Decisions[i].Time, st.Decisions[i].Speech
			if d.SpStatus == 0 {
				d.SpStatus = spPending
			}
		}
		out = append(out, d)
	}
	return out
}

// eventInfo is the ApprovalInfo element of a sys_approval_change about a,
// changed by change (StatuChangeEvent: 2 同意, 3 驳回, 6 撤销, 10 添加备注), in
// the shape of WeCom's example (审批申请状态变化回调通知): numbers bare, text
// in CDATA, one SpRecord per step with one Details per approver, one
// Comments per comment.
func (a *approval) eventInfo(change int) string {
	var b strings.Builder
	fmt.Fprintf(&b, "<SpNoStr>%s</SpNoStr><SpNo>%s</SpNo><SpName>%s</SpName><SpStatus>%d</SpStatus><TemplateId>%s</TemplateId><ApplyTime>%d</ApplyTime>",
		cdata(a.SpNo), a.SpNo, cdata(a.Template.Name), a.Status, cdata(a.Template.ID), a.ApplyTime)
	fmt.Fprintf(&b, "<Applyer><UserId>%s</UserId><Party>%s</Party></Applyer>", cdata(a.Creator), cdata(strconv.Itoa(a.PartyID)))
	for i := range a.Steps {
		st := &a.Steps[i]
		fmt.Fprintf(&b, "<SpRecord><SpStatus>%d</SpStatus><ApproverAttr>%d</ApproverAttr>", st.Status, st.Attr)
		for _, d := range st.details() {
			fmt.Fprintf(&b, "<Details><Approver><UserId>%s</UserId></Approver><Speech>%s</Speech><SpStatus>%d</SpStatus><SpTime>%d</SpTime></Details>",
				cdata(d.Approver.UserID), cdata(d.Speech), d.SpStatus, d.SpTime)
		}
		b.WriteString("</SpRecord>")
	}
	for _, id := range a.Notify {
		fmt.Fprintf(&b, "<Notifyer><UserId>%s</UserId></Notifyer>", cdata(id))
	}
	for _, c := range a.Comments {
		fmt.Fprintf(&b, "<Comments><CommentUserInfo><UserId>%s</UserId></CommentUserInfo><CommentTime>%d</CommentTime><CommentContent>%s</CommentContent><CommentId>%s</CommentId></Comments>",
			cdata(c.UserID), c.Time, cdata(c.Content), cdata(c.ID))
	}
	fmt.Fprintf(&b, "<StatuChangeEvent>%d</StatuChangeEvent>", change)
	return b.String()
}

// ApprovalState is an approval as the inspection endpoint lists it.
type ApprovalState struct {
	SpNo       string `json:"sp_no"`
	SpName     string `json:"sp_name"`
	TemplateID string `json:"template_id"`
	// SpStatus is 1 pending, 2 approved, 3 rejected, 4 withdrawn.
	SpStatus  int    `json:"sp_status"`
	Creator   string `json:"creator_userid"`
	ApplyTime int64  `json:"apply_time"`
	// Step is the current step of a pending approval (1 for the first),
	// Attr its rule (1 或签, 2 会签) and Approvers those who may still
	// decide it; 0 and none for an approval decided.
	Step      int      `json:"step,omitempty"`
	Attr      int      `json:"attr,omitempty"`
	Approvers []string `json:"approvers,omitempty"`
}

// Approvals returns the approvals, oldest first, with who may decide the
// pending ones in the admin console.
func (s *Server) Approvals() []ApprovalState {
	o := s.lockOA()
	defer o.mu.Unlock()
	out := make([]ApprovalState, 0, len(o.approvals))
	for _, a := range o.approvals {
		v := ApprovalState{SpNo: a.SpNo, SpName: a.Template.Name, TemplateID: a.Template.ID, SpStatus: a.Status, Creator: a.Creator, ApplyTime: a.ApplyTime}
		if i := slices.IndexFunc(a.Steps, func(st approvalStep) bool { return st.Status == spPending }); i >= 0 && a.Status == spPending {
			st := &a.Steps[i]
			v.Step, v.Attr = i+1, st.Attr
			for j, id := range st.Approvers {
				if st.Decisions == nil || st.Decisions[j].Status == 0 {
					v.Approvers = append(v.Approvers, id)
				}
			}
		}
		out = append(out, v)
	}
	return out
}
