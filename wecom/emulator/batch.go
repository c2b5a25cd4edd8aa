package emulator

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/wecomrunner/runner/wecom/batchfile"
)

// keptResults is how many recent jobs batch/getresult still answers (40089
// for older ones).
const keptResults = 5

// Job types, as batch/getresult names them.
const (
	jobSyncUser     = "sync_user"
	jobReplaceUser  = "replace_user"
	jobReplaceParty = "replace_party"
	jobInviteUser   = "invite_user"
)

// jobStore runs batch jobs in submission order.
type jobStore struct {
	mu      sync.Mutex
	jobs    []*job
	pending atomic.Int32
}

// job is a batch job: its input, progress and, once done, its results.
type job struct {
	id       string
	kind     string
	agentID  int
	created  time.Time
	polls    int
	done     bool
	finished time.Time
	err      *apiError // the whole job failed (e.g. 45026)
	rows     int       // rows in the file (members invited for invite_user)
	users    []userRow
	parties  []partyRow
	invite   []string // invite_user: the members invited
	results  []BatchResult
	callback *Callback // the request's own callback, if it gave one
}

// BatchJob describes a batch job for inspection.
type BatchJob struct {
	JobID      string        `json:"jobid"`
	Type       string        `json:"type"`
	Status     int           `json:"status"`
	Percentage int           `json:"percentage"`
	Total      int           `json:"total"`
	CreatedAt  time.Time     `json:"created_at"`
	ErrCode    int           `json:"errcode"`
	ErrMsg     string        `json:"errmsg,omitempty"`
	Result     []BatchResult `json:"result"`
}

// BatchResult is the outcome of one row of a batch job: a member (UserID)
// or a department (PartyID, with Action bits 1 created, 2 renamed, 4 moved,
// 8 reordered).
type BatchResult struct {
	UserID  string `json:"userid,omitempty"`
	PartyID int    `json:"partyid,omitempty"`
	Action  int    `json:"action,omitempty"`
	ErrCode int    `json:"errcode"`
	ErrMsg  string `json:"errmsg"`
}

// BatchJobs returns every batch job submitted so far, oldest first.
func (s *Server) BatchJobs() []BatchJob {
	s.jobs.tick(s)
	now := s.now()
	s.jobs.mu.Lock()
	defer s.jobs.mu.Unlock()
	out := make([]BatchJob, len(s.jobs.jobs))
	for i, j := range s.jobs.jobs {
		st, pct := s.progress(j, now)
		out[i] = BatchJob{JobID: j.id, Type: j.kind, Status: st, Percentage: pct, Total: j.total(), CreatedAt: j.created,
			Result: slices.Clone(j.results)}
		if j.err != nil {
			out[i].ErrCode, out[i].ErrMsg = j.err.code, j.err.msg
		}
	}
	return out
}

func (j *job) total() int { return j.rows }

// fraction returns how far j has progressed at now: time elapsed over the
// batch duration, plus half of it per poll after the first.
func (s *Server) fraction(j *job, now time.Time) float64 {
	f := 1.0
	if d := s.opts.batchDuration; d > 0 {
		f = float64(now.Sub(j.created)) / float64(d)
	}
	return f + 0.5*float64(max(j.polls-1, 0))
}

// progress returns j's status (1 started, 2 running, 3 done) and
// percentage. The caller holds jobs.mu.
func (s *Server) progress(j *job, now time.Time) (int, int) {
	if j.done {
		return 3, 100
	}
	f := s.fraction(j, now)
	if f < 0.2 {
		return 1, 0
	}
	return 2, min(99, int(f*100))
}

// tick completes, in submission order, the jobs whose time has come.
func (js *jobStore) tick(s *Server) {
	if js.pending.Load() == 0 {
		return
	}
	now := s.now()
	js.mu.Lock()
	defer js.mu.Unlock()
	for _, j := range js.jobs {
		if j.done {
			continue
		}
		if s.fraction(j, now) < 1 {
			return
		}
		s.run(j)
		j.done, j.finished = true, now
		j.users, j.parties = nil, nil
		js.pending.Add(-1)
		s.announceJob(j)
	}
}

// announceJob pushes the batch_job_result event of a finished job to the
// request's callback, or else to the contacts sync's.
func (s *Server) announceJob(j *job) {
	code, msg := 0, "ok"
	if j.err != nil {
		code, msg = j.err.code, j.err.msg
	}
	inner := fmt.Sprintf("<JobId>%s</JobId><JobType>%s</JobType><ErrCode>%d</ErrCode><ErrMsg>%s</ErrMsg>", cdata(j.id), cdata(j.kind), code, cdata(msg))
	xml := eventXML(s.corpID(), j.finished, "batch_job_result", "BatchJob", inner)
	s.notify(j.callback, xml, Delivery{Event: "batch_job_result", JobID: j.id})
}

// submit queues a job and schedules its completion.
func (s *Server) submit(j *job) {
	j.id = randomID(43)
	j.created = s.now()
	j.rows = len(j.users) + len(j.parties) + len(j.invite)
	s.jobs.mu.Lock()
	s.jobs.jobs = append(s.jobs.jobs, j)
	s.jobs.pending.Add(1)
	s.jobs.mu.Unlock()
	time.AfterFunc(s.opts.batchDuration+time.Millisecond, func() { s.jobs.tick(s) })
}

type batchRequest struct {
	MediaID  string    `json:"media_id"`
	ToInvite *flexBool `json:"to_invite"`
	Callback *struct {
		URL            *string `json:"url"`
		Token          *string `json:"token"`
		EncodingAESKey *string `json:"encodingaeskey"`
	} `json:"callback"`
}

type jobAnswer struct {
	status
	JobID string `json:"jobid"`
}

// batchImport serves a batch import: it checks the request, reads its
// file into a job of kind with read, and queues the job.
func (s *Server) batchImport(c *call, req *batchRequest, kind string, read func(j *job, data []byte) *apiError) (any, *apiError) {
	data, cb, e := s.batchFile(req)
	if e != nil {
		return nil, e
	}
	j := &job{kind: kind, agentID: c.agentID, callback: cb}
	if e := read(j, data); e != nil {
		return nil, e
	}
	s.submit(j)
	return jobAnswer{okStatus, j.id}, nil
}

// batchSyncUser serves POST batch/syncuser: members in the file are created
// or updated; others are left alone.
func (s *Server) batchSyncUser(c *call, req batchRequest) (any, *apiError) {
	return s.batchImport(c, &req, jobSyncUser, readUsers)
}

// batchReplaceUser serves POST batch/replaceuser: the directory's members
// become exactly the file's.
func (s *Server) batchReplaceUser(c *call, req batchRequest) (any, *apiError) {
	return s.batchImport(c, &req, jobReplaceUser, readUsers)
}

// batchReplaceParty serves POST batch/replaceparty: the department tree
// becomes the file's, except that departments with members or
// sub-departments are kept.
func (s *Server) batchReplaceParty(c *call, req batchRequest) (any, *apiError) {
	return s.batchImport(c, &req, jobReplaceParty, readParties)
}

// batchFile checks a batch request and returns its CSV file's bytes and
// its own callback, if it gives one with a URL.
func (s *Server) batchFile(req *batchRequest) ([]byte, *Callback, *apiError) {
	if req.MediaID == "" {
		return nil, nil, newError(41006)
	}
	s.media.mu.RLock()
	it := s.media.items[req.MediaID]
	s.media.mu.RUnlock()
	if it == nil || it.image || it.permanent || s.now().Sub(it.created) >= mediaTTL {
		return nil, nil, errorf(40007, "%s", req.MediaID)
	}
	var cb *Callback
	if r := req.Callback; r != nil && r.URL != nil && *r.URL != "" {
		cb = &Callback{URL: *r.URL}
		if r.Token != nil {
			cb.Token = *r.Token
		}
		if r.EncodingAESKey != nil {
			cb.EncodingAESKey = *r.EncodingAESKey
		}
		// A callback WeCom cannot use is not an error of the request (the
		// official example's is "xxx"): its deliveries fail.
	}
	return it.data, cb, nil
}

type resultAnswer struct {
	status
	Status     int    `json:"status"`
	Type       string `json:"type"`
	Total      int    `json:"total"`
	Percentage int    `json:"percentage"`
	Result     []any  `json:"result"`
}

type userResult struct {
	UserID  string `json:"userid"`
	ErrCode int    `json:"errcode"`
	ErrMsg  string `json:"errmsg"`
}

type partyResult struct {
	Action  int    `json:"action"`
	PartyID int    `json:"partyid"`
	ErrCode int    `json:"errcode"`
	ErrMsg  string `json:"errmsg"`
}

type inviteResult struct {
	UserID     string `json:"userid"`
	InviteType int    `json:"invitetype"`
}

// batchGetResult serves GET batch/getresult?jobid=ID. Each poll advances
// the job; results are given once it is done (status 3). A job that
// failed as a whole answers its errcode (e.g. 45026).
func (s *Server) batchGetResult(c *call) (any, *apiError) {
	id := c.param("jobid")
	if id == "" {
		return nil, errorf(40088, "jobid is required")
	}
	js := s.jobs
	js.mu.Lock()
	i := slices.IndexFunc(js.jobs, func(j *job) bool { return j.id == id })
	if i < 0 {
		js.mu.Unlock()
		return nil, errorf(40088, "%s", id)
	}
	if i < len(js.jobs)-keptResults {
		js.mu.Unlock()
		return nil, newError(40089)
	}
	j := js.jobs[i]
	j.polls++
	js.mu.Unlock()
	js.tick(s)

	js.mu.Lock()
	defer js.mu.Unlock()
	st, pct := s.progress(j, s.now())
	out := resultAnswer{status: okStatus, Status: st, Type: j.kind, Total: j.total(), Percentage: pct, Result: []any{}}
	if !j.done {
		return out, nil
	}
	if j.err != nil {
		out.status = status{j.err.code, j.err.errmsg(clientIP(c.r))}
		return out, nil
	}
	for _, r := range j.results {
		switch j.kind {
		case jobReplaceParty:
			out.Result = append(out.Result, partyResult{r.Action, r.PartyID, r.ErrCode, r.ErrMsg})
		case jobInviteUser:
			out.Result = append(out.Result, inviteResult{r.UserID, 1})
		default:
			out.Result = append(out.Result, userResult{r.UserID, r.ErrCode, r.ErrMsg})
		}
	}
	return out, nil
}

// run applies a job to the organisation. The caller holds jobs.mu.
func (s *Server) run(j *job) {
	st := s.writeState()
	defer st.mu.Unlock()
	switch j.kind {
	case jobSyncUser, jobReplaceUser:
		s.runUsers(j)
	case jobReplaceParty:
		s.runParties(j)
	case jobInviteUser:
		for _, uid := range j.invite {
			j.results = append(j.results, BatchResult{UserID: uid, ErrMsg: "ok"})
		}
	}
}

// rowResult turns a row's error into its result fields.
func rowResult(e *apiError) (int, string) {
	if e == nil {
		return 0, "ok"
	}
	return e.code, e.msg
}

// runUsers applies a member file. replace_user first checks WeCom's
// deletion protection: it refuses to delete more than 20% of the members
// when deleting over 50 of them, or more than 80% otherwise (45026).
func (s *Server) runUsers(j *job) {
	st := s.st
	inFile := map[string]bool{}
	for _, r := range j.users {
		inFile[strings.ToLower(r.userID)] = true
	}
	var doomed []*member
	if j.kind == jobReplaceUser {
		for key, m := range st.users {
			if !inFile[key] && !m.Creator {
				doomed = append(doomed, m)
			}
		}
		d, n := len(doomed), len(st.users)
		if d > 50 && d*5 > n || d <= 50 && d*5 > n*4 {
			j.err = errorf(45026, "the file would delete %d of %d members", d, n)
			return
		}
	}
	// The members the file replaces leave first: their seats, mobiles and
	// emails are free for its rows. A row past the seat limit fails with
	// 45024 in the results, as any other row's error.
	for _, m := range doomed {
		st.removeMember(m)
	}
	for _, r := range j.users {
		req := r.request()
		var e *apiError
		if r.err != nil {
			e = r.err
		} else if st.user(r.userID) == nil {
			_, e = s.createUser(req)
		} else {
			e = s.updateUser(req)
		}
		code, msg := rowResult(e)
		j.results = append(j.results, BatchResult{UserID: r.userID, ErrCode: code, ErrMsg: msg})
	}
	st.dropEmptyPending()
}

// dropEmptyPending deletes the departments a replace_party kept because
// they were not empty, once they are (deepest first).
func (st *state) dropEmptyPending() {
	for progress := true; progress; {
		progress = false
		for id := range st.pendingDrop {
			if st.depts[id] == nil {
				delete(st.pendingDrop, id)
				continue
			}
			if st.deleteDept(id) == nil {
				progress = true
			}
		}
	}
}

// runParties applies a department file: rows are created or updated once
// their parent exists; departments absent from the file are deleted if
// empty, else kept until they are.
func (s *Server) runParties(j *job) {
	st := s.st
	results := make([]BatchResult, len(j.parties))
	done := make([]bool, len(j.parties))
	inFile := map[int]bool{1: true}
	for i, r := range j.parties {
		inFile[r.id] = true
		results[i] = BatchResult{PartyID: r.id}
		if r.err != nil {
			results[i].ErrCode, results[i].ErrMsg = rowResult(r.err)
			done[i] = true
		}
	}
	for progress := true; progress; {
		progress = false
		for i, r := range j.parties {
			if done[i] || r.id != 1 && st.depts[r.parentID] == nil {
				continue
			}
			done[i], progress = true, true
			action, e := st.applyParty(r)
			results[i].Action = action
			results[i].ErrCode, results[i].ErrMsg = rowResult(e)
		}
	}
	for i, r := range j.parties {
		if !done[i] {
			results[i].ErrCode, results[i].ErrMsg = rowResult(errorf(60004, "parent %d", r.parentID))
		}
	}
	j.results = results

	// Delete departments absent from the file, leaves first.
	var absent []int
	for _, id := range st.subtree(1) {
		if !inFile[id] {
			absent = append(absent, id)
		}
	}
	slices.Reverse(absent)
	for _, id := range absent {
		if st.deleteDept(id) != nil {
			st.pendingDrop[id] = true
		}
	}
}

// applyParty creates or updates one department row and returns its action
// bits. The caller holds st.mu.
func (st *state) applyParty(r partyRow) (int, *apiError) {
	if e := checkDeptName(r.name); e != nil {
		return 0, e
	}
	d := st.depts[r.id]
	if d == nil {
		if r.id <= 1 {
			return 0, errorf(60008, "id %d", r.id)
		}
		if st.depth(r.parentID)+1 > maxDeptDepth {
			return 0, newError(81002)
		}
		if e := st.checkSiblingName(r.parentID, r.name, 0); e != nil {
			return 0, e
		}
		st.depts[r.id] = &Department{ID: r.id, Name: r.name, ParentID: r.parentID, Order: r.order}
		st.nextDeptID = max(st.nextDeptID, r.id+1)
		return 1, nil
	}
	delete(st.pendingDrop, r.id)
	action := 0
	parent := d.ParentID
	if r.id != 1 && r.parentID != d.ParentID {
		if st.isAncestor(r.id, r.parentID) {
			return 0, errorf(60010, "department %d cannot move under itself", r.id)
		}
		parent = r.parentID
		action |= 4
	}
	if r.name != d.Name {
		action |= 2
	}
	if r.id != 1 {
		if e := st.checkSiblingName(parent, r.name, r.id); e != nil {
			return 0, e
		}
	}
	d.Name, d.ParentID = r.name, parent
	if r.order != 0 && r.order != d.Order {
		d.Order = r.order
		action |= 8
	}
	return action, nil
}

type batchInviteRequest struct {
	User  stringList `json:"user"`
	Party intList    `json:"party"`
	Tag   intList    `json:"tag"`
}

// batchInvite serves POST batch/invite {user, party, tag}: it invites the
// not yet activated members among them and answers the invalid ones.
func (s *Server) batchInvite(c *call, req batchInviteRequest) (any, *apiError) {
	switch {
	case len(req.User) == 0 && len(req.Party) == 0 && len(req.Tag) == 0:
		return nil, errorf(40058, "user, party and tag are all empty")
	case len(req.User) > 1000 || len(req.Party) > 100 || len(req.Tag) > 100:
		return nil, errorf(40058, "at most 1000 users, 100 departments and 100 tags")
	}
	r, _ := s.invite(c, req.User, intStrings(req.Party), intStrings(req.Tag), false)
	return inviteAnswer{okStatus, nonNil(r.badUsers), atoiAll(r.badParties), atoiAll(r.badTags)}, nil
}

type inviteAnswer struct {
	status
	InvalidUser  []string `json:"invaliduser"`
	InvalidParty []int    `json:"invalidparty"`
	InvalidTag   []int    `json:"invalidtag"`
}

// inactive keeps the members not yet activated (status 4). The caller
// holds st.mu.
func (st *state) inactive(ids []string) []string {
	out := []string{}
	for _, id := range ids {
		if m := st.user(id); m != nil && m.Status == 4 {
			out = append(out, m.UserID)
		}
	}
	return out
}

// invite resolves the recipients within the caller's visible range and
// records an invitation (batch/inviteuser's if legacy) of those not yet
// activated, whom it returns with the resolution.
func (s *Server) invite(c *call, users, parties, tags []string, legacy bool) (resolution, []string) {
	st := s.readState()
	r := st.resolve(c.app(), users, parties, tags)
	invited := st.inactive(r.recipients)
	st.mu.RUnlock()
	s.out.mu.Lock()
	s.out.invites = append(s.out.invites, Invitation{Time: s.now(), AgentID: c.agentID, Users: invited, Legacy: legacy})
	s.out.mu.Unlock()
	return r, invited
}

type batchInviteUserRequest struct {
	ToUser  flexString `json:"touser"`
	ToParty flexString `json:"toparty"`
	ToTag   flexString `json:"totag"`
}

// batchInviteUser serves the legacy POST batch/inviteuser {touser, toparty,
// totag} ("|"-joined; all empty invites every member not yet activated) as
// an invite_user job.
func (s *Server) batchInviteUser(c *call, req batchInviteUserRequest) (any, *apiError) {
	users, parties, tags := splitBar(string(req.ToUser)), splitBar(string(req.ToParty)), splitBar(string(req.ToTag))
	if len(users)+len(parties)+len(tags) == 0 {
		users = []string{"@all"}
	}
	_, invited := s.invite(c, users, parties, tags, true)
	j := &job{kind: jobInviteUser, agentID: c.agentID, invite: invited}
	s.submit(j)
	return jobAnswer{okStatus, j.id}, nil
}

func intStrings(ids []int) []string {
	out := make([]string, len(ids))
	for i, id := range ids {
		out[i] = strconv.Itoa(id)
	}
	return out
}

func atoiAll(ids []string) []int {
	out := []int{}
	for _, id := range ids {
		if n, err := strconv.Atoi(id); err == nil {
			out = append(out, n)
		}
	}
	return out
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// CSV files (WeCom's batch import formats), read by package batchfile.

// userRow is one row of a member file. Fields whose column the file lacks
// are absent, and left unchanged.
type userRow struct {
	userID string
	fields map[string]string // member field → cell
	err    *apiError         // a cell WeCom cannot read
}

// partyRow is one row of a department file.
type partyRow struct {
	name     string
	id       int
	parentID int
	order    int
	err      *apiError
}

// readUsers reads a member file into j: 姓名, 帐号 and 所在部门 are required,
// and 手机号 or 邮箱 in every row (40092 otherwise).
func readUsers(j *job, data []byte) *apiError {
	f, err := batchfile.ReadMembers(data)
	if err != nil {
		return errorf(40092, "%v", err)
	}
	j.users = make([]userRow, 0, len(f.Rows))
	for _, r := range f.Rows {
		row := userRow{userID: r.Cells["userid"], fields: r.Cells}
		if !validUserID(row.userID) {
			row.err = errorf(40003, "%q", row.userID)
		}
		j.users = append(j.users, row)
	}
	return nil
}

// request turns a member row into a user/create or user/update request.
func (r *userRow) request() *userRequest {
	req := &userRequest{}
	uid := flexString(r.userID)
	req.UserID = &uid
	str := func(key string) *string {
		v, ok := r.fields[key]
		if !ok {
			return nil
		}
		return &v
	}
	req.Name = str("name")
	req.Alias = str("alias")
	req.Position = str("position")
	req.Email = str("email")
	req.BizMail = str("biz_mail")
	req.Address = str("address")
	req.Telephone = str("telephone")
	req.ExternalPosition = str("external_position")
	if v, ok := r.fields["mobile"]; ok {
		m := flexString(v)
		req.Mobile = &m
	}
	if v, ok := r.fields["gender"]; ok {
		g := flexString(batchfile.ParseGender(v))
		req.Gender = &g
	}
	deps := splitInts(r.fields["department"])
	dl := intList(deps)
	req.Department = &dl
	if v, ok := r.fields["order"]; ok {
		req.Order = perDept(splitInts(v), len(deps))
	}
	if v, ok := r.fields["is_leader_in_dept"]; ok {
		var flags []int
		for _, f := range batchfile.SplitCell(v) {
			flag := 0
			if batchfile.IsYes(f) {
				flag = 1
			}
			flags = append(flags, flag)
		}
		req.IsLeaderInDept = perDept(flags, len(deps))
	}
	if v, ok := r.fields["enable"]; ok {
		enable := flexInt(1)
		if batchfile.IsYes(v) {
			enable = 0
		}
		req.Enable = &enable
	}
	if v, ok := r.fields["direct_leader"]; ok {
		l := stringList(batchfile.SplitCell(v))
		req.DirectLeader = &l
	}
	return req
}

// perDept spreads per-department values: one value per department, a
// single value for all, or none for zeros.
func perDept(vals []int, n int) *intList {
	out := make(intList, n)
	switch len(vals) {
	case 0:
	case 1:
		for i := range out {
			out[i] = vals[0]
		}
	default:
		out = intList(vals)
	}
	return &out
}

// splitInts reads a cell of ';'-separated integers; unreadable values
// become -1, which no department has.
func splitInts(v string) []int {
	var out []int
	for _, p := range batchfile.SplitCell(v) {
		n, err := strconv.Atoi(p)
		if err != nil {
			n = -1
		}
		out = append(out, n)
	}
	return out
}

// readParties reads a department file into j: 部门名称, 部门ID and 父部门ID
// are required and numeric (40092 otherwise); 排序 is optional.
func readParties(j *job, data []byte) *apiError {
	deps, err := batchfile.ReadDepartments(data)
	if err != nil {
		return errorf(40092, "%v", err)
	}
	j.parties = make([]partyRow, 0, len(deps))
	for _, d := range deps {
		row := partyRow{name: d.Name, id: d.ID, parentID: d.ParentID, order: d.Order}
		if d.ID == 1 && d.ParentID != 0 {
			row.err = errorf(60010, "the root department cannot move")
		}
		j.parties = append(j.parties, row)
	}
	return nil
}

// String describes a job for test failures.
func (j BatchJob) String() string {
	return fmt.Sprintf("%s %s status %d %d%% errcode %d", j.Type, j.JobID, j.Status, j.Percentage, j.ErrCode)
}
