package emulator

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Attendance (打卡): checkin/. The members under a check-in rule check in
// every working day of the 60 days before the server's clock; what each
// did on a day (on time, late, leaving early, forgetting to check out,
// absent) is derived from their userid and the date, so the records are
// the same whenever they are read, and the day and month reports are
// computed from them. Today's records are those before the clock's time;
// the reports cover whole days before today.
//
// The errcodes are those of the check-in pages (e.g. document/path/90262,
// 错误说明): 301023 for a bad or too long useridlist, 301024 for a bad or
// too long time range.

// checkinHistory is how many days before the clock members have records.
const checkinHistory = 60

// The limits of the check-in calls: at most 100 userids (用户列表不超过100
// 个), a range of at most 30 days for the records (获取记录时间跨度不超过30
// 天, document/path/90262) and of a month for the reports and schedules
// (与starttime跨度不超过一个月, document/path/93380).
const (
	maxCheckinUsers   = 100
	maxRecordsSpan    = 30 * 86400
	maxCheckinPeriod  = 31 * 86400
	checkinRangeError = 301024
)

// checkinRequest is the body of the check-in calls.
type checkinRequest struct {
	DataType  flexInt    `json:"opencheckindatatype"`
	StartTime flexInt    `json:"starttime"`
	EndTime   flexInt    `json:"endtime"`
	Users     stringList `json:"useridlist"`
}

// check checks a check-in request: the userids (1 to 100) and the range
// (end not before start, at most maxSpan seconds).
func (req *checkinRequest) check(maxSpan int64) *apiError {
	switch n := len(req.Users); {
	case n == 0:
		return errorf(301023, "useridlist is empty")
	case n > maxCheckinUsers:
		return errorf(301023, "useridlist holds %d userids, at most %d", n, maxCheckinUsers)
	}
	start, end := int64(req.StartTime), int64(req.EndTime)
	switch {
	case start <= 0 || end < start:
		return errorf(checkinRangeError, "endtime must not be before starttime")
	case end-start > maxSpan:
		return errorf(checkinRangeError, "the range is longer than %d days", maxSpan/86400)
	}
	return nil
}

// checkinMember is a member under a rule, as the check-in calls see them.
type checkinMember struct {
	m    *member
	rule *CheckinRule
	dept string // departs_name: the paths of the member's departments
}

// checkinMembers are the members of ids that the application sees and
// that a rule applies to, in the order asked; WeCom leaves out the others.
// The caller holds st.mu.
func (s *Server) checkinMembers(c *call, ids []string) []checkinMember {
	var out []checkinMember
	seen := map[string]bool{}
	for _, id := range ids {
		m := s.st.seenUser(c, id)
		if m == nil || seen[m.UserID] {
			continue
		}
		seen[m.UserID] = true
		if r := s.ruleOf(m); r != nil {
			out = append(out, checkinMember{m, r, s.deptPaths(m)})
		}
	}
	return out
}

// checkinCall adapts h, a check-in call of a range of at most maxSpan
// seconds, to a handler: the request is decoded and checked, and h gets
// it with the members asked that are under a rule, the state read-locked.
func (s *Server) checkinCall(maxSpan int64, h func(c *call, req checkinRequest, members []checkinMember) (any, *apiError)) handler {
	return body(func(c *call, req checkinRequest) (any, *apiError) {
		if e := req.check(maxSpan); e != nil {
			return nil, e
		}
		st := s.readState()
		defer st.mu.RUnlock()
		return h(c, req, s.checkinMembers(c, req.Users))
	})
}

// ruleOf is the rule that applies to m: the one listing them, else the one
// of their nearest department.
func (s *Server) ruleOf(m *member) *CheckinRule {
	rules := s.st.oa.cfg.Checkin
	for i := range rules {
		if slices.ContainsFunc(rules[i].Users, func(u string) bool { return strings.EqualFold(u, m.UserID) }) {
			return &rules[i]
		}
	}
	for d := m.MainDepartment; d != 0; {
		for i := range rules {
			if slices.Contains(rules[i].Parties, d) {
				return &rules[i]
			}
		}
		dept := s.st.depts[d]
		if dept == nil {
			break
		}
		d = dept.ParentID
	}
	return nil
}

// deptPaths is WeCom's departs_name: each department's path from the root,
// joined by ";".
func (s *Server) deptPaths(m *member) string {
	var paths []string
	for _, d := range m.Department {
		var names []string
		for id := d; id != 0; {
			dept := s.st.depts[id]
			if dept == nil {
				break
			}
			names = append([]string{dept.Name}, names...)
			id = dept.ParentID
		}
		paths = append(paths, strings.Join(names, "/"))
	}
	return strings.Join(paths, ";")
}

// --- a member's day ---

// workday is what a member was to do on one day: the shift's hours, or
// none on a day off.
type workday struct {
	date       time.Time // 00:00 UTC+8
	work, off  int       // seconds after 00:00; both 0 on a day off
	shift      *Shift    // the shift, for a rule by shift
	scheduleID int
}

func (w workday) off_() bool { return w.work == 0 && w.off == 0 }

// dayOf is member m's working day on date under rule r.
func dayOf(m *member, r *CheckinRule, date time.Time) workday {
	w := workday{date: date}
	switch r.Type {
	case 1:
		if slices.Contains(r.Workdays, int(date.Weekday())) {
			w.work, w.off = r.WorkSec, r.OffWorkSec
		}
	case 2:
		if sh := schedule(m, r, date); sh != nil {
			w.work, w.off, w.shift, w.scheduleID = sh.WorkSec, sh.OffWorkSec, sh, sh.ID
		}
	}
	return w
}

// schedule is m's shift on date under a rule by shift: members rotate
// through the shifts and a day off, each starting at a point of the
// rotation given by their userid; nil on a day off.
func schedule(m *member, r *CheckinRule, date time.Time) *Shift {
	n := len(r.Shifts) + 1
	day := int(date.Unix() / 86400)
	i := (day + int(seed(m.UserID)%uint64(n))) % n
	if i == len(r.Shifts) {
		return nil
	}
	return &r.Shifts[i]
}

// What a member did on a working day.
const (
	onTime = iota
	late
	leftEarly
	noCheckOut
	absent
)

// conduct is what m did on the working day date, and by how many seconds
// they were late or early: mostly on time, late one day in ten, early one
// in twenty-five, without checking out one in thirty, absent one in
// twenty-five.
func conduct(m *member, date time.Time) (kind, by int) {
	h := seed(m.UserID, date.Format("20060102"))
	by = int(h>>16%41+5) * 60 // 5 to 45 minutes
	switch p := h % 100; {
	case p < 4:
		return absent, 0
	case p < 14:
		return late, by
	case p < 18:
		return leftEarly, by
	case p < 21:
		return noCheckOut, 0
	}
	return onTime, 0
}

// check is one check-in of a day, as getcheckindata lists it.
type check struct {
	kind      string // 上班打卡, 下班打卡
	exception string // "", 时间异常, 未打卡
	at        int64  // Unix seconds; the scheduled time when 未打卡
	scheduled int64
}

// checks are m's check-ins on the working day w, those before now.
func checks(m *member, w workday, now time.Time) []check {
	if w.off_() {
		return nil
	}
	day := w.date.Unix()
	kind, by := conduct(m, w.date)
	h := seed(m.UserID, w.date.Format("20060102"), "minutes")
	in := check{kind: "上班打卡", scheduled: day + int64(w.work), at: day + int64(w.work) - int64(h%20+1)*60}
	out := check{kind: "下班打卡", scheduled: day + int64(w.off), at: day + int64(w.off) + int64(h>>8%40)*60}
	switch kind {
	case absent:
		in.exception, in.at = "未打卡", in.scheduled
		out.exception, out.at = "未打卡", out.scheduled
	case late:
		in.exception, in.at = "时间异常", in.scheduled+int64(by)
	case leftEarly:
		out.exception, out.at = "时间异常", out.scheduled-int64(by)
	case noCheckOut:
		out.exception, out.at = "未打卡", out.scheduled
	}
	var list []check
	for _, c := range []check{in, out} {
		if c.at <= now.Unix() && c.scheduled <= now.Unix() {
			list = append(list, c)
		}
	}
	return list
}

// days are the dates (00:00 UTC+8) from start to end, limited to the
// history the emulator keeps and to days that began before until.
func days(start, end int64, now time.Time, until time.Time) []time.Time {
	first := midnight(time.Unix(start, 0))
	oldest := midnight(now).AddDate(0, 0, -checkinHistory)
	var out []time.Time
	for d := first; d.Unix() <= end && d.Before(until); d = d.AddDate(0, 0, 1) {
		if !d.Before(oldest) {
			out = append(out, d)
		}
	}
	return out
}

// midnight is the start of t's day in UTC+8.
func midnight(t time.Time) time.Time {
	t = t.In(cst)
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, cst)
}

// --- getcheckindata ---

type checkinRecordView struct {
	UserID         string   `json:"userid"`
	GroupName      string   `json:"groupname"`
	CheckinType    string   `json:"checkin_type"`
	ExceptionType  string   `json:"exception_type"`
	CheckinTime    int64    `json:"checkin_time"`
	LocationTitle  string   `json:"location_title"`
	LocationDetail string   `json:"location_detail"`
	WifiName       string   `json:"wifiname"`
	Notes          string   `json:"notes"`
	WifiMac        string   `json:"wifimac"`
	MediaIDs       []string `json:"mediaids"`
	SchCheckinTime int64    `json:"sch_checkin_time"`
	GroupID        int      `json:"groupid"`
	ScheduleID     int      `json:"schedule_id"`
	TimelineID     int      `json:"timeline_id"`
}

type checkinDataAnswer struct {
	status
	CheckinData []checkinRecordView `json:"checkindata"`
}

// ciData serves POST checkin/getcheckindata: the check-ins in [starttime,
// endtime] of the members asked. opencheckindatatype 1 and 3 list them (the
// emulator's members make no 外出 check-ins, which 2 asks for).
func (s *Server) ciData(c *call, req checkinRequest, members []checkinMember) (any, *apiError) {
	if req.DataType < 1 || req.DataType > 3 {
		return nil, errorf(301021, "opencheckindatatype must be 1, 2 or 3")
	}
	now := s.now()
	out := checkinDataAnswer{okStatus, []checkinRecordView{}}
	if req.DataType == 2 {
		return out, nil
	}
	start, end := int64(req.StartTime), int64(req.EndTime)
	for _, cm := range members {
		for _, d := range days(start-86400, end, now, now) {
			w := dayOf(cm.m, cm.rule, d)
			for i, ch := range checks(cm.m, w, now) {
				if ch.at < start || ch.at > end {
					continue
				}
				v := checkinRecordView{UserID: cm.m.UserID, GroupName: cm.rule.Name, CheckinType: ch.kind, ExceptionType: ch.exception,
					CheckinTime: ch.at, MediaIDs: []string{}, SchCheckinTime: ch.scheduled, GroupID: cm.rule.ID, ScheduleID: w.scheduleID, TimelineID: i + 1}
				if ch.exception != "未打卡" {
					v.LocationTitle, v.LocationDetail, v.WifiName, v.WifiMac = cm.rule.Location, cm.rule.Address, cm.rule.WifiName, cm.rule.WifiMac
				}
				out.CheckinData = append(out.CheckinData, v)
			}
		}
	}
	return out, nil
}

// --- day reports ---

// Exceptions of the reports.
const (
	exLate      = 1 // 迟到
	exEarly     = 2 // 早退
	exMissing   = 3 // 缺卡
	exAbsent    = 4 // 旷工
	exceptKinds = 4
)

// dayReport is one member's day, computed from their check-ins.
type dayReport struct {
	w          workday
	count      int   // check-ins made
	earliest   int64 // seconds after 00:00 of the first and last check-in
	latest     int64
	regular    int // seconds worked within the working hours
	standard   int // the working hours' length
	exceptions [exceptKinds + 1]struct{ count, duration int }
}

func (r *dayReport) except(kind, duration int) {
	r.exceptions[kind].count++
	r.exceptions[kind].duration += duration
}

func (r *dayReport) excepted() bool {
	for _, e := range r.exceptions {
		if e.count > 0 {
			return true
		}
	}
	return false
}

// report computes member m's report of the working day w from their
// check-ins.
func report(m *member, w workday, now time.Time) dayReport {
	r := dayReport{w: w}
	if w.off_() {
		return r
	}
	day := w.date.Unix()
	r.standard = w.off - w.work
	var in, out *check
	cs := checks(m, w, now)
	for i := range cs {
		ch := &cs[i]
		if ch.exception == "未打卡" {
			continue
		}
		r.count++
		sec := ch.at - day
		if r.count == 1 || sec < r.earliest {
			r.earliest = sec
		}
		r.latest = max(r.latest, sec)
		if ch.kind == "上班打卡" {
			in = ch
		} else {
			out = ch
		}
	}
	switch {
	case in == nil && out == nil:
		r.except(exAbsent, r.standard)
		return r
	case in == nil:
		r.except(exMissing, 0)
	case out == nil:
		r.except(exMissing, 0)
	}
	if in != nil && in.at > in.scheduled {
		r.except(exLate, int(in.at-in.scheduled))
	}
	if out != nil && out.at < out.scheduled {
		r.except(exEarly, int(out.scheduled-out.at))
	}
	if in != nil && out != nil {
		from, to := max(in.at, day+int64(w.work)), min(out.at, day+int64(w.off))
		r.regular = int(max(0, to-from))
	}
	return r
}

type exceptionView struct {
	Exception int `json:"exception"`
	Count     int `json:"count"`
	Duration  int `json:"duration"`
}

func (r *dayReport) exceptionViews() []exceptionView {
	out := []exceptionView{}
	for kind := 1; kind <= exceptKinds; kind++ {
		if e := r.exceptions[kind]; e.count > 0 {
			out = append(out, exceptionView{kind, e.count, e.duration})
		}
	}
	return out
}

type checkinTimeView struct {
	WorkSec    int `json:"work_sec"`
	OffWorkSec int `json:"off_work_sec"`
}

// reportMember is who a day or month report is of, as its base_info
// starts.
type reportMember struct {
	RecordType  int    `json:"record_type"`
	Name        string `json:"name"`
	NameEx      string `json:"name_ex"`
	DepartsName string `json:"departs_name"`
	AcctID      string `json:"acctid"`
}

// reportMember is the member as the reports show them.
func (cm checkinMember) reportMember() reportMember {
	return reportMember{recordType(cm.rule), cm.m.Name, cm.m.Alias, cm.dept, cm.m.UserID}
}

type dayDataView struct {
	BaseInfo struct {
		Date int64 `json:"date"`
		reportMember
		RuleInfo struct {
			GroupID      int               `json:"groupid"`
			GroupName    string            `json:"groupname"`
			ScheduleID   int               `json:"scheduleid"`
			ScheduleName string            `json:"schedulename"`
			CheckinTime  []checkinTimeView `json:"checkintime"`
		} `json:"rule_info"`
		DayType int `json:"day_type"`
	} `json:"base_info"`
	SummaryInfo struct {
		CheckinCount    int   `json:"checkin_count"`
		RegularWorkSec  int   `json:"regular_work_sec"`
		StandardWorkSec int   `json:"standard_work_sec"`
		EarliestTime    int64 `json:"earliest_time"`
		LastestTime     int64 `json:"lastest_time"`
	} `json:"summary_info"`
	HolidayInfos   []any           `json:"holiday_infos"`
	ExceptionInfos []exceptionView `json:"exception_infos"`
	SpItems        []any           `json:"sp_items"`
}

type dayDataAnswer struct {
	status
	Datas []dayDataView `json:"datas"`
}

// recordType is a rule's record_type in the reports: 1 fixed hours, 3 by
// shift.
func recordType(r *CheckinRule) int {
	if r.Type == 2 {
		return 3
	}
	return 1
}

// ciDayData serves POST checkin/getcheckin_daydata: for each member asked
// and each whole day from starttime to endtime (days that ended before the
// clock's today), the day's report computed from the check-ins.
func (s *Server) ciDayData(c *call, req checkinRequest, members []checkinMember) (any, *apiError) {
	now := s.now()
	out := dayDataAnswer{okStatus, []dayDataView{}}
	for _, cm := range members {
		for _, d := range days(int64(req.StartTime), int64(req.EndTime), now, midnight(now)) {
			w := dayOf(cm.m, cm.rule, d)
			r := report(cm.m, w, now)
			var v dayDataView
			b := &v.BaseInfo
			b.Date, b.reportMember = d.Unix(), cm.reportMember()
			b.RuleInfo.GroupID, b.RuleInfo.GroupName, b.RuleInfo.CheckinTime = cm.rule.ID, cm.rule.Name, []checkinTimeView{}
			if w.off_() {
				b.DayType = 1
			} else {
				b.RuleInfo.CheckinTime = []checkinTimeView{{w.work, w.off}}
			}
			if w.shift != nil {
				b.RuleInfo.ScheduleID, b.RuleInfo.ScheduleName = w.shift.ID, w.shift.Name
			}
			si := &v.SummaryInfo
			si.CheckinCount, si.RegularWorkSec, si.StandardWorkSec, si.EarliestTime, si.LastestTime = r.count, r.regular, r.standard, r.earliest, r.latest
			v.HolidayInfos, v.SpItems, v.ExceptionInfos = []any{}, []any{}, r.exceptionViews()
			out.Datas = append(out.Datas, v)
		}
	}
	return out, nil
}

// --- month reports ---

type monthDataView struct {
	BaseInfo struct {
		reportMember
		RuleInfo struct {
			GroupID   int    `json:"groupid"`
			GroupName string `json:"groupname"`
		} `json:"rule_info"`
	} `json:"base_info"`
	SummaryInfo struct {
		WorkDays        int `json:"work_days"`
		ExceptDays      int `json:"except_days"`
		RegularWorkSec  int `json:"regular_work_sec"`
		StandardWorkSec int `json:"standard_work_sec"`
		RestDays        int `json:"rest_days"`
	} `json:"summary_info"`
	ExceptionInfos []exceptionView `json:"exception_infos"`
	SpItems        []any           `json:"sp_items"`
}

type monthDataAnswer struct {
	status
	Datas []monthDataView `json:"datas"`
}

// ciMonthData serves POST checkin/getcheckin_monthdata: each member's
// totals over the whole days from starttime to endtime: the day reports
// added up.
func (s *Server) ciMonthData(c *call, req checkinRequest, members []checkinMember) (any, *apiError) {
	now := s.now()
	out := monthDataAnswer{okStatus, []monthDataView{}}
	for _, cm := range members {
		var v monthDataView
		b := &v.BaseInfo
		b.reportMember = cm.reportMember()
		b.RuleInfo.GroupID, b.RuleInfo.GroupName = cm.rule.ID, cm.rule.Name
		var total dayReport
		si := &v.SummaryInfo
		for _, d := range days(int64(req.StartTime), int64(req.EndTime), now, midnight(now)) {
			r := report(cm.m, dayOf(cm.m, cm.rule, d), now)
			switch {
			case r.w.off_():
				si.RestDays++
				continue
			case r.count > 0:
				si.WorkDays++
			}
			if r.excepted() {
				si.ExceptDays++
			}
			si.RegularWorkSec += r.regular
			si.StandardWorkSec += r.standard
			for kind, e := range r.exceptions {
				total.exceptions[kind].count += e.count
				total.exceptions[kind].duration += e.duration
			}
		}
		v.ExceptionInfos, v.SpItems = total.exceptionViews(), []any{}
		out.Datas = append(out.Datas, v)
	}
	return out, nil
}

// --- rules and schedules ---

type timeSectionView struct {
	ID               int `json:"id,omitempty"`
	WorkSec          int `json:"work_sec"`
	OffWorkSec       int `json:"off_work_sec"`
	RemindWorkSec    int `json:"remind_work_sec"`
	RemindOffWorkSec int `json:"remind_off_work_sec"`
}

func timeSection(id, work, off int) timeSectionView {
	return timeSectionView{id, work, off, work - 600, off}
}

type scheduleView struct {
	ScheduleID   int               `json:"schedule_id"`
	ScheduleName string            `json:"schedule_name"`
	TimeSection  []timeSectionView `json:"time_section"`
}

func (sh *Shift) view() scheduleView {
	return scheduleView{sh.ID, sh.Name, []timeSectionView{timeSection(1, sh.WorkSec, sh.OffWorkSec)}}
}

// ciCorpOption serves POST checkin/getcorpcheckinoption: the corp's rules.
func (s *Server) ciCorpOption(c *call) (any, *apiError) {
	s.st.mu.RLock()
	defer s.st.mu.RUnlock()
	var groups []map[string]any
	for _, r := range s.st.oa.cfg.Checkin {
		parties := []string{}
		for _, p := range r.Parties {
			parties = append(parties, strconv.Itoa(p))
		}
		g := map[string]any{
			"grouptype": r.Type, "groupid": r.ID, "groupname": r.Name,
			"checkindate": []any{}, "spe_workdays": []any{}, "spe_offdays": []any{},
			"sync_holidays": true, "need_photo": false, "note_can_use_local_pic": false,
			"allow_checkin_offworkday": false, "allow_apply_offworkday": false,
			"wifimac_infos": []map[string]string{{"wifiname": r.WifiName, "wifimac": r.WifiMac}},
			"loc_infos":     []map[string]any{{"lat": 31203000, "lng": 121590000, "loc_title": r.Location, "loc_detail": r.Address, "distance": 300}},
			"range":         map[string]any{"partyid": parties, "userid": append([]string{}, r.Users...), "tagid": []int{}},
			"white_users":   []string{}, "type": 0, "option_out_range": 0, "use_face_detect": false,
			"create_userid": "zhangwei", "update_userid": "caixin",
		}
		switch r.Type {
		case 1:
			g["checkindate"] = []map[string]any{{
				"workdays": r.Workdays, "checkintime": []timeSectionView{timeSection(0, r.WorkSec, r.OffWorkSec)},
				"noneed_offwork": false, "limit_aheadtime": 10800000, "flex_on_duty_time": 0, "flex_off_duty_time": 0,
			}}
		case 2:
			var list []scheduleView
			for i := range r.Shifts {
				list = append(list, r.Shifts[i].view())
			}
			g["schedulelist"] = list
		}
		groups = append(groups, g)
	}
	if groups == nil {
		groups = []map[string]any{}
	}
	return map[string]any{"errcode": 0, "errmsg": "ok", "group": groups}, nil
}

type daySchedule struct {
	Day          int          `json:"day"`
	ScheduleInfo scheduleView `json:"schedule_info"`
}

type memberScheduleView struct {
	UserID    string `json:"userid"`
	YearMonth int    `json:"yearmonth"`
	GroupID   int    `json:"groupid"`
	GroupName string `json:"groupname"`
	Schedule  struct {
		ScheduleList []daySchedule `json:"scheduleList"`
	} `json:"schedule"`
}

type scheduleAnswer struct {
	status
	ScheduleList []memberScheduleView `json:"schedule_list"`
}

// ciScheduleList serves POST checkin/getcheckinschedulist: the shifts, day
// by day and month by month, of the members asked who are under a rule by
// shift; a day off is schedule 0.
func (s *Server) ciScheduleList(c *call, req checkinRequest, members []checkinMember) (any, *apiError) {
	out := scheduleAnswer{okStatus, []memberScheduleView{}}
	for _, cm := range members {
		if cm.rule.Type != 2 {
			continue
		}
		var cur *memberScheduleView
		for d := midnight(time.Unix(int64(req.StartTime), 0)); d.Unix() <= int64(req.EndTime); d = d.AddDate(0, 0, 1) {
			ym := d.Year()*100 + int(d.Month())
			if cur == nil || cur.YearMonth != ym {
				out.ScheduleList = append(out.ScheduleList, memberScheduleView{UserID: cm.m.UserID, YearMonth: ym, GroupID: cm.rule.ID, GroupName: cm.rule.Name})
				cur = &out.ScheduleList[len(out.ScheduleList)-1]
				cur.Schedule.ScheduleList = []daySchedule{}
			}
			v := scheduleView{ScheduleName: "休息", TimeSection: []timeSectionView{}}
			if sh := schedule(cm.m, cm.rule, d); sh != nil {
				v = sh.view()
			}
			cur.Schedule.ScheduleList = append(cur.Schedule.ScheduleList, daySchedule{d.Day(), v})
		}
	}
	return out, nil
}

// String describes a workday, for test failures.
func (w workday) String() string {
	return fmt.Sprintf("%s %d-%d", w.date.Format("2006-01-02"), w.work, w.off)
}
