package emulator

import (
	"encoding/json"
	"fmt"
	"hash/fnv"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// The approvals (审批) and leave (假期管理) of the OA API: oa/. Which
// secrets may call them is decided by permit (permissions.go); the errcodes
// are WeCom's: 301025 for a bad approval request ("get approval param
// error: ..."), 301063 for a bad leave request.

// cst is the time zone of WeCom's dates (sp_no, check-in days): UTC+8.
var cst = time.FixedZone("CST", 8*3600)

// oaState is the OA data of the server: the configuration, and the
// approvals submitted. Its mutex is taken after st.mu when both are.
type oaState struct {
	mu        sync.Mutex
	cfg       *OA
	now       func() time.Time
	templates map[string]*ApprovalTemplate
	approvals []*approval // in the order of submission
	bySpNo    map[string]*approval
	daySeq    map[string]int // yyyymmdd: the approvals numbered that day
	comments  int            // the comments added, numbering the next
}

// approval is one approval (审批单).
type approval struct {
	SpNo       string
	Template   *ApprovalTemplate
	Status     int // 1 pending, 2 approved, 3 rejected, 4 withdrawn
	ApplyTime  int64
	Creator    string
	PartyID    int
	Steps      []approvalStep
	Notify     []string
	Contents   []json.RawMessage
	Summary    json.RawMessage
	NotifyType int
	Comments   []approvalComment // oldest first (oa_comment.go)
}

type approvalStep struct {
	Attr      int // 1 any approver (或签), 2 all (会签)
	Approvers []string
	Status    int
	Time      int64
	// Decisions are the approvers' decisions made in the admin console
	// (oa_decide.go), one per approver; nil until the first.
	Decisions []decision
}

func newOAState(org *Org, now func() time.Time) *oaState {
	o := &oaState{cfg: org.OA.clone(), now: now, templates: map[string]*ApprovalTemplate{}, bySpNo: map[string]*approval{}, daySeq: map[string]int{}}
	if o.cfg == nil {
		o.cfg = &OA{}
	}
	for i := range o.cfg.Templates {
		o.templates[o.cfg.Templates[i].ID] = &o.cfg.Templates[i]
	}
	return o
}

// seedApprovals submits the organisation's approvals of the days before
// the clock (OA.Approvals), oldest first, by their template's process,
// settled as their status says.
func (s *Server) seedApprovals() {
	o := s.st.oa
	seeds := slices.Clone(o.cfg.Approvals)
	slices.SortStableFunc(seeds, func(a, b ApprovalSeed) int { return b.DaysAgo - a.DaysAgo })
	now := s.now()
	for i, seed := range seeds {
		t, creator := o.templates[seed.TemplateID], s.st.user(seed.Creator)
		if t == nil || creator == nil {
			continue
		}
		at := now.AddDate(0, 0, -seed.DaysAgo).Add(time.Duration(i) * time.Minute)
		a := &approval{Template: t, Status: seed.Status, Creator: creator.UserID, PartyID: creator.MainDepartment, ApplyTime: at.Unix(),
			Steps: s.templateProcess(t, creator)}
		for j := range a.Steps {
			switch {
			case seed.Status == 2 || (seed.Status == 3 && j == 0):
				a.Steps[j].Status, a.Steps[j].Time = seed.Status, at.Add(time.Duration(j+1)*time.Hour).Unix()
			case seed.Status == 3:
				a.Steps[j].Status = 0 // never reached
			}
		}
		a.Contents = completeContents(t, o.seedContents(t, seed, at))
		a.Summary, _ = json.Marshal([]any{map[string]any{"summary_info": zh(seed.Summary)}})
		a.SpNo = o.number(at)
		o.approvals = append(o.approvals, a)
		o.bySpNo[a.SpNo] = a
	}
}

// seedContents are the values of an approval seed's controls, in the
// shapes of getapprovaldetail's appendix (附录: apply_data/contents/value).
func (o *oaState) seedContents(t *ApprovalTemplate, seed ApprovalSeed, at time.Time) []json.RawMessage {
	var out []json.RawMessage
	text := seed.Text
	option := func(key string) map[string]any {
		return map[string]any{"type": "single", "exp_type": 0, "options": []any{map[string]any{"key": key, "value": zh(seed.Option)}}}
	}
	for _, ctl := range t.Controls {
		var value map[string]any
		switch ctl.Control {
		case "Text", "Textarea":
			if text != "" {
				value, text = map[string]any{"text": text}, ""
			}
		case "Selector":
			if i := slices.Index(ctl.Options, seed.Option); i >= 0 {
				value = map[string]any{"selector": option(fmt.Sprintf("option-%s-%d", ctl.ID, i+1))}
			}
		case "Money":
			if seed.Amount != "" {
				value = map[string]any{"new_money": seed.Amount}
			}
		case "Date":
			value = map[string]any{"date": map[string]any{"type": "day", "s_timestamp": strconv.FormatInt(midnight(at).Unix(), 10)}}
		case "Vacation":
			if i := slices.IndexFunc(o.cfg.Vacations, func(v Vacation) bool { return v.Name == seed.Option }); i >= 0 {
				begin := midnight(at).AddDate(0, 0, 1).Unix()
				value = map[string]any{"vacation": map[string]any{
					"selector":   option(strconv.Itoa(o.cfg.Vacations[i].ID)),
					"attendance": map[string]any{"date_range": map[string]any{"type": "halfday", "new_begin": begin, "new_end": begin + 86400, "new_duration": 86400}, "type": 1},
				}}
			}
		}
		if value != nil {
			raw, _ := json.Marshal(map[string]any{"control": ctl.Control, "id": ctl.ID, "value": value})
			out = append(out, raw)
		}
	}
	return out
}

// number gives an approval applied at t its sp_no, as WeCom does: the date
// (UTC+8) and the day's sequence number, 202612060001.
func (o *oaState) number(t time.Time) string {
	day := t.In(cst).Format("20060102")
	o.daySeq[day]++
	return fmt.Sprintf("%s%04d", day, o.daySeq[day])
}

// approvalError is WeCom's answer to a bad approval request.
func approvalError(format string, args ...any) *apiError {
	return &apiError{code: 301025, msg: "get approval param error:" + fmt.Sprintf(format, args...)}
}

// lockOA locks the OA state and returns it; the caller defers o.mu.Unlock().
func (s *Server) lockOA() *oaState {
	s.st.oa.mu.Lock()
	return s.st.oa
}

// --- templates ---

// template returns the approval template id: 301025 if there is none. The
// caller holds o.mu.
func (o *oaState) template(id string) (*ApprovalTemplate, *apiError) {
	t := o.templates[id]
	if t == nil {
		return nil, approvalError("template_id %q not found", id)
	}
	return t, nil
}

type i18n struct {
	Text string `json:"text"`
	Lang string `json:"lang"`
}

func zh(s string) []i18n { return []i18n{{s, "zh_CN"}} }

type templateAnswer struct {
	status
	TemplateNames   []i18n `json:"template_names"`
	TemplateContent struct {
		Controls []controlView `json:"controls"`
	} `json:"template_content"`
}

type controlView struct {
	Property struct {
		Control     string `json:"control"`
		ID          string `json:"id"`
		Title       []i18n `json:"title"`
		Placeholder []i18n `json:"placeholder"`
		Require     int    `json:"require"`
		UnPrint     int    `json:"un_print"`
	} `json:"property"`
	Config map[string]any `json:"config,omitempty"`
}

type oaTemplateDetailRequest struct {
	TemplateID string `json:"template_id"`
}

// oaTemplateDetail serves POST oa/gettemplatedetail.
func (s *Server) oaTemplateDetail(c *call, req oaTemplateDetailRequest) (any, *apiError) {
	o := s.lockOA()
	defer o.mu.Unlock()
	t, e := o.template(req.TemplateID)
	if e != nil {
		return nil, e
	}
	out := templateAnswer{status: okStatus, TemplateNames: zh(t.Name)}
	out.TemplateContent.Controls = []controlView{}
	for _, ctl := range t.Controls {
		var v controlView
		v.Property.Control, v.Property.ID, v.Property.Title, v.Property.Placeholder = ctl.Control, ctl.ID, zh(ctl.Title), []i18n{}
		if ctl.Require {
			v.Property.Require = 1
		}
		switch ctl.Control {
		case "Selector":
			var opts []map[string]any
			for i, name := range ctl.Options {
				opts = append(opts, map[string]any{"key": fmt.Sprintf("option-%s-%d", ctl.ID, i+1), "value": zh(name)})
			}
			v.Config = map[string]any{"selector": map[string]any{"type": "single", "exp_type": 0, "options": opts}}
		case "Date":
			v.Config = map[string]any{"date": map[string]any{"type": "day"}}
		case "Vacation":
			var opts []map[string]any
			for _, va := range o.cfg.Vacations {
				opts = append(opts, map[string]any{"id": va.ID, "name": zh(va.Name)})
			}
			v.Config = map[string]any{"vacation_list": map[string]any{"item": opts}}
		}
		out.TemplateContent.Controls = append(out.TemplateContent.Controls, v)
	}
	return out, nil
}

// --- applyevent ---

type applyRequest struct {
	CreatorUserID       string   `json:"creator_userid"`
	TemplateID          string   `json:"template_id"`
	UseTemplateApprover flexInt  `json:"use_template_approver"`
	ChooseDepartment    flexInt  `json:"choose_department"`
	Notifyer            []string `json:"notifyer"`
	NotifyType          flexInt  `json:"notify_type"`
	Approver            []struct {
		Attr   flexInt  `json:"attr"`
		UserID []string `json:"userid"`
	} `json:"approver"`
	ApplyData struct {
		Contents []json.RawMessage `json:"contents"`
	} `json:"apply_data"`
	SummaryList []json.RawMessage `json:"summary_list"`
}

type applyAnswer struct {
	status
	SpNo string `json:"sp_no"`
}

// oaApplyEvent serves POST oa/applyevent: it checks the request as WeCom
// does (the creator in the application's visible range, the template, the
// approvers, a value for every required control, one to three summary
// lines) and records a pending approval, numbered for its day.
func (s *Server) oaApplyEvent(c *call, req applyRequest) (any, *apiError) {
	s.st.mu.RLock()
	defer s.st.mu.RUnlock()
	creator := s.st.seenUser(c, req.CreatorUserID)
	switch {
	case req.CreatorUserID == "":
		return nil, approvalError("creator_userid missing")
	case creator == nil:
		return nil, approvalError("creator_userid not in app visiable range")
	}
	o := s.lockOA()
	defer o.mu.Unlock()
	t, e := o.template(req.TemplateID)
	if e != nil {
		return nil, e
	}
	a := &approval{Template: t, Status: 1, Creator: creator.UserID, PartyID: creator.MainDepartment, Notify: req.Notifyer, NotifyType: int(req.NotifyType)}
	if req.ChooseDepartment != 0 {
		if !slices.Contains(creator.Department, int(req.ChooseDepartment)) {
			return nil, approvalError("choose_department %d is not a department of the creator", req.ChooseDepartment)
		}
		a.PartyID = int(req.ChooseDepartment)
	}
	switch req.UseTemplateApprover {
	case 0:
		if len(req.Approver) == 0 {
			return nil, approvalError("approver missing: with use_template_approver 0 the approvers must be given")
		}
		for i, node := range req.Approver {
			if node.Attr != 1 && node.Attr != 2 {
				return nil, approvalError("approver[%d].attr must be 1 or 2", i)
			}
			if len(node.UserID) == 0 {
				return nil, approvalError("approver[%d].userid missing", i)
			}
			for _, id := range node.UserID {
				if s.st.user(id) == nil {
					return nil, approvalError("approver userid %q not found", id)
				}
			}
			a.Steps = append(a.Steps, approvalStep{Attr: int(node.Attr), Approvers: slices.Clone(node.UserID), Status: 1})
		}
	case 1:
		a.Steps = s.templateProcess(t, creator)
		a.Notify = nil
	default:
		return nil, approvalError("use_template_approver must be 0 or 1")
	}
	for _, id := range a.Notify {
		if s.st.user(id) == nil {
			return nil, approvalError("notifyer userid %q not found", id)
		}
	}
	if e := checkContents(t, req.ApplyData.Contents); e != nil {
		return nil, e
	}
	if n := len(req.SummaryList); n == 0 || n > 3 {
		return nil, approvalError("summary_list must have 1 to 3 lines, got %d", n)
	}
	summary, _ := json.Marshal(req.SummaryList)
	a.Contents, a.Summary = completeContents(t, req.ApplyData.Contents), summary
	now := s.now()
	a.ApplyTime = now.Unix()
	a.SpNo = o.number(now)
	o.approvals = append(o.approvals, a)
	o.bySpNo[a.SpNo] = a
	return applyAnswer{okStatus, a.SpNo}, nil
}

// templateProcess is the process a template's settings give a creator: the
// leader of their department (or of the nearest department above that has
// one), then the template's approvers. The caller holds st.mu.
func (s *Server) templateProcess(t *ApprovalTemplate, creator *member) []approvalStep {
	var steps []approvalStep
	if leader := s.deptLeader(creator); leader != "" {
		steps = append(steps, approvalStep{Attr: 1, Approvers: []string{leader}, Status: 1})
	}
	for _, id := range t.Approvers {
		if id != creator.UserID {
			steps = append(steps, approvalStep{Attr: 1, Approvers: []string{id}, Status: 1})
		}
	}
	return steps
}

// deptLeader is the leader of m's main department, or of the nearest
// department above it that has one other than m; "" when none.
func (s *Server) deptLeader(m *member) string {
	for d := m.MainDepartment; d != 0; {
		for _, other := range s.st.sortedMembers([]int{d}) {
			for i, od := range other.Department {
				if od == d && i < len(other.IsLeaderInDept) && other.IsLeaderInDept[i] == 1 && other.UserID != m.UserID {
					return other.UserID
				}
			}
		}
		dept := s.st.depts[d]
		if dept == nil {
			break
		}
		d = dept.ParentID
	}
	return ""
}

// checkContents checks an apply_data's contents against the template: each
// names a control of the template, and every required control has a value.
func checkContents(t *ApprovalTemplate, contents []json.RawMessage) *apiError {
	given := map[string]bool{}
	for i, raw := range contents {
		var ct struct {
			Control string                     `json:"control"`
			ID      string                     `json:"id"`
			Value   map[string]json.RawMessage `json:"value"`
		}
		if err := json.Unmarshal(raw, &ct); err != nil {
			return approvalError("apply_data.contents[%d]: %v", i, err)
		}
		j := slices.IndexFunc(t.Controls, func(ctl TemplateControl) bool { return ctl.ID == ct.ID })
		if j < 0 {
			return approvalError("apply_data.contents[%d]: the template has no control %q", i, ct.ID)
		}
		if ct.Control != "" && ct.Control != t.Controls[j].Control {
			return approvalError("apply_data.contents[%d]: control %q is a %s, not a %s", i, ct.ID, t.Controls[j].Control, ct.Control)
		}
		if hasValue(ct.Value) {
			given[ct.ID] = true
		}
	}
	for _, ctl := range t.Controls {
		if ctl.Require && !given[ctl.ID] {
			return approvalError("apply_data: the required control %q (%s) has no value", ctl.ID, ctl.Title)
		}
	}
	return nil
}

// completeContents are the contents as getapprovaldetail gives them back:
// each with its control's title, and a value holding, besides what was
// submitted, the members WeCom always sends (text, tips, members,
// departments, files, children, stat_field).
func completeContents(t *ApprovalTemplate, contents []json.RawMessage) []json.RawMessage {
	out := make([]json.RawMessage, 0, len(contents))
	for _, raw := range contents {
		var ct map[string]any
		if json.Unmarshal(raw, &ct) != nil {
			out = append(out, raw)
			continue
		}
		id, _ := ct["id"].(string)
		if j := slices.IndexFunc(t.Controls, func(ctl TemplateControl) bool { return ctl.ID == id }); j >= 0 {
			ct["control"] = t.Controls[j].Control
			if _, ok := ct["title"]; !ok {
				ct["title"] = zh(t.Controls[j].Title)
			}
		}
		value, _ := ct["value"].(map[string]any)
		if value == nil {
			value = map[string]any{}
		}
		if _, ok := value["text"]; !ok {
			value["text"] = ""
		}
		for _, k := range []string{"tips", "members", "departments", "files", "children", "stat_field"} {
			if _, ok := value[k]; !ok {
				value[k] = []any{}
			}
		}
		ct["value"] = value
		b, _ := json.Marshal(ct)
		out = append(out, b)
	}
	return out
}

// hasValue reports whether a control's value holds something: a member
// that is not empty, "", 0, [] or {}.
func hasValue(v map[string]json.RawMessage) bool {
	for _, raw := range v {
		switch strings.TrimSpace(string(raw)) {
		case "", `""`, "null", "[]", "{}", "0", `"0"`:
		default:
			return true
		}
	}
	return false
}

// --- getapprovalinfo ---

type approvalInfoAnswer struct {
	status
	SpNoList      []string `json:"sp_no_list"`
	NewNextCursor string   `json:"new_next_cursor,omitempty"`
	NextCursor    *int     `json:"next_cursor,omitempty"`
}

// maxApprovalSpan is the longest period getapprovalinfo takes (起始时间跨度
// 不能超过31天, document/path/91816).
const maxApprovalSpan = 31 * 86400

type oaApprovalInfoRequest struct {
	StartTime flexString       `json:"starttime"`
	EndTime   flexString       `json:"endtime"`
	NewCursor *string          `json:"new_cursor"`
	Cursor    *flexInt         `json:"cursor"`
	Size      flexInt          `json:"size"`
	Filters   []approvalFilter `json:"filters"`
}

// oaApprovalInfo serves POST oa/getapprovalinfo: the numbers of the
// approvals submitted in [starttime, endtime] by creators the application
// sees, filtered, a page at a time: by new_cursor (today's paging, answered
// with new_next_cursor) or the older integer cursor (answered with
// next_cursor).
func (s *Server) oaApprovalInfo(c *call, req oaApprovalInfoRequest) (any, *apiError) {
	start, err1 := strconv.ParseInt(string(req.StartTime), 10, 64)
	end, err2 := strconv.ParseInt(string(req.EndTime), 10, 64)
	if err1 != nil || err2 != nil || end <= start || end-start > maxApprovalSpan {
		return nil, approvalError("invalid starttime or endtime")
	}
	size := int(req.Size)
	switch {
	case size == 0:
		size = 100
	case size < 0 || size > 100:
		return nil, approvalError("size must be 1 to 100")
	}
	s.st.mu.RLock()
	defer s.st.mu.RUnlock()
	o := s.lockOA()
	defer o.mu.Unlock()
	var rows []string
	for _, a := range o.approvals {
		if a.ApplyTime < start || a.ApplyTime > end {
			continue
		}
		m := s.st.seenUser(c, a.Creator)
		if m == nil {
			continue
		}
		ok, e := s.matchFilters(a, m, req.Filters)
		if e != nil {
			return nil, e
		}
		if ok {
			rows = append(rows, a.SpNo)
		}
	}
	out := approvalInfoAnswer{status: okStatus}
	if req.NewCursor == nil && req.Cursor != nil {
		offset := int(*req.Cursor)
		if offset < 0 {
			return nil, approvalError("invalid cursor")
		}
		offset = min(offset, len(rows))
		end := min(len(rows), offset+size)
		out.SpNoList = append([]string{}, rows[offset:end]...)
		if end < len(rows) {
			out.NextCursor = &end
		}
		return out, nil
	}
	cursor := ""
	if req.NewCursor != nil {
		cursor = *req.NewCursor
	}
	list, next, e := page(rows, cursor, size)
	if e != nil {
		return nil, approvalError("invalid new_cursor")
	}
	out.SpNoList, out.NewNextCursor = append([]string{}, list...), next
	return out, nil
}

type approvalFilter struct {
	Key   string     `json:"key"`
	Value flexString `json:"value"`
}

// matchFilters reports whether a passes the filters: of different keys
// all, of the same key any (WeCom allows repeating only department).
func (s *Server) matchFilters(a *approval, m *member, filters []approvalFilter) (bool, *apiError) {
	byKey := map[string][]string{}
	for _, f := range filters {
		switch f.Key {
		case "template_id", "creator", "department", "sp_status", "record_type":
			byKey[f.Key] = append(byKey[f.Key], string(f.Value))
		default:
			return false, approvalError("unknown filter key %q", f.Key)
		}
	}
	for key, values := range byKey {
		ok := slices.ContainsFunc(values, func(v string) bool {
			switch key {
			case "template_id":
				return v == a.Template.ID
			case "creator":
				return strings.EqualFold(v, a.Creator)
			case "department":
				d, _ := strconv.Atoi(v)
				return slices.Contains(m.Department, d)
			case "sp_status":
				return v == strconv.Itoa(a.Status)
			default:
				return v == strconv.Itoa(a.Template.RecordType)
			}
		})
		if !ok {
			return false, nil
		}
	}
	return true, nil
}

// --- getapprovaldetail ---

type stepView struct {
	SpStatus     int          `json:"sp_status"`
	ApproverAttr int          `json:"approverattr"`
	Details      []stepDetail `json:"details"`
}

// stepDetail is one approver's part in a step.
type stepDetail struct {
	Approver userRef  `json:"approver"`
	Speech   string   `json:"speech"`
	SpStatus int      `json:"sp_status"`
	SpTime   int64    `json:"sptime"`
	MediaID  []string `json:"media_id"`
}

type approvalDetailAnswer struct {
	status
	Info struct {
		SpNo       string `json:"sp_no"`
		SpName     string `json:"sp_name"`
		SpStatus   int    `json:"sp_status"`
		TemplateID string `json:"template_id"`
		ApplyTime  int64  `json:"apply_time"`
		Applyer    struct {
			UserID  string `json:"userid"`
			PartyID string `json:"partyid"`
		} `json:"applyer"`
		SpRecord  []stepView `json:"sp_record"`
		Notifyer  []userRef  `json:"notifyer"`
		ApplyData struct {
			Contents []json.RawMessage `json:"contents"`
		} `json:"apply_data"`
		Comments []commentView `json:"comments"`
	} `json:"info"`
}

type oaApprovalDetailRequest struct {
	SpNo flexString `json:"sp_no"`
}

// oaApprovalDetail serves POST oa/getapprovaldetail.
func (s *Server) oaApprovalDetail(c *call, req oaApprovalDetailRequest) (any, *apiError) {
	s.st.mu.RLock()
	defer s.st.mu.RUnlock()
	o := s.lockOA()
	defer o.mu.Unlock()
	a := o.bySpNo[string(req.SpNo)]
	if a == nil {
		return nil, approvalError("sp_no %q not found", string(req.SpNo))
	}
	if s.st.hiddenUser(c, a.Creator) {
		return nil, approvalError("the creator of %s is not in app visiable range", a.SpNo)
	}
	var out approvalDetailAnswer
	out.status = okStatus
	in := &out.Info
	in.SpNo, in.SpName, in.SpStatus, in.TemplateID, in.ApplyTime = a.SpNo, a.Template.Name, a.Status, a.Template.ID, a.ApplyTime
	in.Applyer.UserID, in.Applyer.PartyID = a.Creator, strconv.Itoa(a.PartyID)
	in.SpRecord, in.Notifyer, in.Comments = []stepView{}, []userRef{}, a.commentViews()
	for i := range a.Steps {
		st := &a.Steps[i]
		in.SpRecord = append(in.SpRecord, stepView{SpStatus: st.Status, ApproverAttr: st.Attr, Details: st.details()})
	}
	for _, id := range a.Notify {
		in.Notifyer = append(in.Notifyer, userRef{id})
	}
	in.ApplyData.Contents = a.Contents
	if in.ApplyData.Contents == nil {
		in.ApplyData.Contents = []json.RawMessage{}
	}
	return out, nil
}

// --- leave ---

type vacationConfAnswer struct {
	status
	Lists []vacationView `json:"lists"`
}

type vacationView struct {
	ID             int    `json:"id"`
	Name           string `json:"name"`
	TimeAttr       int    `json:"time_attr"`
	DurationType   int    `json:"duration_type"`
	QuotaAttr      any    `json:"quota_attr"`
	PerdayDuration int    `json:"perday_duration"`
	IsNewOvertime  int    `json:"is_newovertime"`
	EnterCompLimit int    `json:"enter_comp_time_limit"`
	ExpireRule     any    `json:"expire_rule"`
}

// oaVacationConf serves GET oa/vacation/getcorpconf.
func (s *Server) oaVacationConf(c *call) (any, *apiError) {
	o := s.lockOA()
	defer o.mu.Unlock()
	out := vacationConfAnswer{okStatus, []vacationView{}}
	for _, v := range o.cfg.Vacations {
		quota := map[string]any{"type": 0}
		if v.QuotaDays > 0 {
			quota = map[string]any{"type": 1, "autoreset_time": 0, "autoreset_duration": v.QuotaDays * 86400, "quota_rule_type": 0, "at_entry_date": false, "auto_reset_month_day": 1,
				"quota_rules": map[string]any{"list": []map[string]int{{"quota": v.QuotaDays * 86400, "begin": 0, "end": 0}}, "based_on_actual_work_time": false}}
		}
		out.Lists = append(out.Lists, vacationView{ID: v.ID, Name: v.Name, TimeAttr: v.TimeAttr, QuotaAttr: quota, PerdayDuration: 86400,
			ExpireRule: map[string]any{"type": 1, "duration": 0, "date": map[string]int{"month": 12, "day": 31},
				"extern_duration_enable": false, "extern_duration": map[string]int{"month": 0, "day": 0}}})
	}
	return out, nil
}

type quotaView struct {
	ID                 int    `json:"id"`
	AssignDuration     int    `json:"assignduration"`
	UsedDuration       int    `json:"usedduration"`
	LeftDuration       int    `json:"leftduration"`
	VacationName       string `json:"vacationname"`
	RealAssignDuration int    `json:"real_assignduration"`
}

type quotaAnswer struct {
	status
	Lists []quotaView `json:"lists"`
}

// oaUserQuota serves POST oa/vacation/getuservacationquota: a member's
// balances, derived from their userid: each kind of leave with a quota
// assigns between QuotaDays and QuotaDays+QuotaSpread days, of which up to
// half is used.
func (s *Server) oaUserQuota(c *call, req userRef) (any, *apiError) {
	st := s.readState()
	m := st.seenUser(c, req.UserID)
	st.mu.RUnlock()
	if m == nil {
		return nil, errorf(301063, "userid %q is not a member in the application's visible range", req.UserID)
	}
	o := s.lockOA()
	defer o.mu.Unlock()
	out := quotaAnswer{okStatus, []quotaView{}}
	for _, v := range o.cfg.Vacations {
		q := quotaView{ID: v.ID, VacationName: v.Name}
		if v.QuotaDays > 0 {
			h := seed(m.UserID, v.Name)
			q.AssignDuration = (v.QuotaDays + int(h%uint64(v.QuotaSpread+1))) * 86400
			q.UsedDuration = int(h>>8%uint64(q.AssignDuration/43200+1)) * 21600 // quarter days, up to half the quota
			q.LeftDuration = q.AssignDuration - q.UsedDuration
			q.RealAssignDuration = q.AssignDuration
		}
		out.Lists = append(out.Lists, q)
	}
	return out, nil
}

// seed is a deterministic number from the parts: what the emulator derives
// members' balances and check-ins from.
func seed(parts ...string) uint64 {
	h := fnv.New64a()
	for _, p := range parts {
		h.Write([]byte(p))
		h.Write([]byte{0})
	}
	return h.Sum64()
}
