package emulator

import (
	"io"
	"net/http"
	"slices"
	"strings"
)

// consolePrefix is the admin console: changes an administrator makes by
// hand in WeCom's admin console (管理后台), which WeCom announces to the
// contacts sync's callback. Changes made through the API with the
// contacts-sync secret are not announced, as in WeCom.
const consolePrefix = inspectPrefix + "console/"

// serveConsole serves the admin console:
//
//	POST /_emulator/console/user/create   a member, as user/create's body
//	POST /_emulator/console/user/update   a member's changes, as user/update's body
//	POST /_emulator/console/user/delete   {"userid": "..."}
//	POST /_emulator/console/trusted_ips   {"ips": ["203.0.113.7"]}: the trusted-IP rule (60020) on for these IPs, off for []
//	POST /_emulator/console/approval/approve  {"sp_no": "...", "userid": "...", "speech": "..."}: an approver approves (oa_decide.go)
//	POST /_emulator/console/approval/reject   the same: an approver rejects
//	POST /_emulator/console/approval/withdraw {"sp_no": "...", "userid": "..."}: the applicant withdraws (oa_comment.go)
//	POST /_emulator/console/approval/comment  {"sp_no": "...", "userid": "...", "content": "..."}: a comment (备注)
//	POST /_emulator/console/fail_exports  {"n": 1}: the next n export jobs fail (FailNextExports), for tests and demos
//
// Each is validated as the API validates it and answered
// {"errcode":0,"errmsg":"created"} (or the error), then announced as a
// change_contact event (create_user, update_user, delete_user) carrying
// what WeCom sends since 2022: the UserID (and NewUserID when renamed) and
// the departments. An approval decided, withdrawn or commented on is
// answered with its sp_status and announced as sys_approval_change.
func (s *Server) serveConsole(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", "POST")
		http.Error(w, "the admin console takes POST", http.StatusMethodNotAllowed)
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, maxBody))
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	var v any
	var e *apiError
	switch action := strings.TrimPrefix(r.URL.Path, consolePrefix); action {
	case "user/create":
		v, e = consoleChange(s, body, "create_user", createdStatus, s.consoleCreateUser)
	case "user/update":
		v, e = consoleChange(s, body, "update_user", updatedStatus, s.consoleUpdateUser)
	case "user/delete":
		v, e = consoleChange(s, body, "delete_user", deletedStatus, consoleDeleteUser)
	case "trusted_ips":
		v, e = s.consoleTrustedIPs(body)
	case "approval/approve":
		v, e = s.consoleDecide(body, spApproved)
	case "approval/reject":
		v, e = s.consoleDecide(body, spRejected)
	case "approval/withdraw":
		v, e = s.consoleWithdraw(body)
	case "approval/comment":
		v, e = s.consoleComment(body)
	case "fail_exports":
		v, e = s.consoleFailExports(body)
	default:
		http.NotFound(w, r)
		return
	}
	if e != nil {
		v = status{e.code, e.errmsg(clientIP(r))}
	}
	s.writeJSON(w, http.StatusOK, v)
}

// consoleChange decodes the body as an R, applies it to the organisation
// with the write lock held and, if it succeeds, announces it as a
// change_contact event of the kind change with the member's fields that
// apply returns, and answers answer.
func consoleChange[R any](s *Server, body []byte, change string, answer status, apply func(st *state, req *R) ([]string, *apiError)) (any, *apiError) {
	var req R
	if e := decodeBody(body, &req); e != nil {
		return nil, e
	}
	st := s.writeState()
	fields, e := apply(st, &req)
	st.mu.Unlock()
	if e != nil {
		return nil, e
	}
	s.announceMember(change, fields)
	return answer, nil
}

func (s *Server) consoleCreateUser(_ *state, req *userRequest) ([]string, *apiError) {
	m, e := s.createUser(req)
	if e != nil {
		return nil, e
	}
	return memberFields(m), nil
}

func (s *Server) consoleUpdateUser(st *state, req *userRequest) ([]string, *apiError) {
	var before []int
	if req.UserID != nil {
		if m := st.user(string(*req.UserID)); m != nil {
			before = slices.Clone(m.Department)
		}
	}
	if e := s.updateUser(req); e != nil {
		return nil, e
	}
	id := string(*req.UserID)
	m := st.user(id)
	if req.NewUserID != nil && *req.NewUserID != "" {
		m = st.user(*req.NewUserID)
	}
	fields := []string{"UserID", id}
	if !strings.EqualFold(m.UserID, id) {
		fields = append(fields, "NewUserID", m.UserID)
	}
	if !slices.Equal(before, m.Department) {
		fields = append(fields, memberFields(m)[2:]...)
	}
	return fields, nil
}

// consoleDeletion is the body of the console's user/delete.
type consoleDeletion struct {
	UserID string `json:"userid"`
}

func consoleDeleteUser(st *state, req *consoleDeletion) ([]string, *apiError) {
	if req.UserID == "" {
		return nil, newError(41009)
	}
	m := st.user(req.UserID)
	switch {
	case m == nil:
		return nil, errorf(60111, "%s", req.UserID)
	case m.Creator:
		return nil, newError(301005)
	}
	st.removeMember(m)
	return []string{"UserID", m.UserID}, nil
}

// announceMember pushes a change_contact event about a member.
func (s *Server) announceMember(change string, fields []string) {
	xml := eventXML(s.corpID(), s.now(), "change_contact", append([]string{"ChangeType", change}, fields...)...)
	s.notify(nil, xml, Delivery{Event: "change_contact", ChangeType: change, UserID: fields[1]})
}
