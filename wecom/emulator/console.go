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
//
// Each is validated as the API validates it and answered
// {"errcode":0,"errmsg":"created"} (or the error), then announced as a
// change_contact event (create_user, update_user, delete_user) carrying
// what WeCom sends since 2022: the UserID (and NewUserID when renamed) and
// the departments.
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
		v, e = s.consoleCreateUser(body)
	case "user/update":
		v, e = s.consoleUpdateUser(body)
	case "user/delete":
		v, e = s.consoleDeleteUser(body)
	case "trusted_ips":
		v, e = s.consoleTrustedIPs(body)
	default:
		http.NotFound(w, r)
		return
	}
	if e != nil {
		v = status{e.code, e.errmsg(clientIP(r))}
	}
	s.writeJSON(w, http.StatusOK, v)
}

func (s *Server) consoleCreateUser(body []byte) (any, *apiError) {
	var req userRequest
	if e := decodeBody(body, &req); e != nil {
		return nil, e
	}
	st := s.st
	st.lock()
	m, e := s.createUser(&req)
	var fields []string
	if e == nil {
		fields = memberFields(m)
	}
	st.mu.Unlock()
	if e != nil {
		return nil, e
	}
	s.announceMember("create_user", fields)
	return createdStatus, nil
}

func (s *Server) consoleUpdateUser(body []byte) (any, *apiError) {
	var req userRequest
	if e := decodeBody(body, &req); e != nil {
		return nil, e
	}
	st := s.st
	st.lock()
	var before []int
	if req.UserID != nil {
		if m := st.user(string(*req.UserID)); m != nil {
			before = slices.Clone(m.Department)
		}
	}
	e := s.updateUser(&req)
	var fields []string
	if e == nil {
		id := string(*req.UserID)
		m := st.user(id)
		if req.NewUserID != nil && *req.NewUserID != "" {
			m = st.user(*req.NewUserID)
		}
		fields = []string{"UserID", id}
		if !strings.EqualFold(m.UserID, id) {
			fields = append(fields, "NewUserID", m.UserID)
		}
		if !slices.Equal(before, m.Department) {
			fields = append(fields, memberFields(m)[2:]...)
		}
	}
	st.mu.Unlock()
	if e != nil {
		return nil, e
	}
	s.announceMember("update_user", fields)
	return updatedStatus, nil
}

func (s *Server) consoleDeleteUser(body []byte) (any, *apiError) {
	var req struct {
		UserID string `json:"userid"`
	}
	if e := decodeBody(body, &req); e != nil {
		return nil, e
	}
	if req.UserID == "" {
		return nil, newError(41009)
	}
	st := s.st
	st.lock()
	m := st.user(req.UserID)
	var e *apiError
	switch {
	case m == nil:
		e = errorf(60111, "%s", req.UserID)
	case m.Creator:
		e = newError(301005)
	default:
		st.removeMember(m)
	}
	st.mu.Unlock()
	if e != nil {
		return nil, e
	}
	s.announceMember("delete_user", []string{"UserID", m.UserID})
	return deletedStatus, nil
}

// announceMember pushes a change_contact event about a member.
func (s *Server) announceMember(change string, fields []string) {
	xml := eventXML(s.corpID(), s.now(), "change_contact", append([]string{"ChangeType", change}, fields...)...)
	s.notify(nil, xml, Delivery{Event: "change_contact", ChangeType: change, UserID: fields[1]})
}
