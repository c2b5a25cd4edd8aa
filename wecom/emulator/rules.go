package emulator

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Rules says which of WeCom's rules of today the server applies. A corp
// created now meets all of them on its first call (RulesToday, the
// default); RulesLegacy serves WeCom as an older corp knew it, before the
// 2022 changes, for scripts written then.
//
// Under RulesToday:
//   - applications created since 2022-06-20 read no sensitive member
//     fields (fullView); an app of the org file with sensitive_fields, one
//     created before, still reads them, as does the contacts-sync secret;
//   - the contacts-sync secret may not call user/get, user/list,
//     user/simplelist and department/list from a new IP (48009): every IP
//     is new but those given by WithContactsSyncIPs;
//   - a member receives at most 30 messages a minute and 1,000 an hour
//     from one application, and 200 group chat messages a minute and
//     10,000 a day: the excess is dropped silently (answered ok, marked
//     dropped in Messages and ChatMessages);
//   - an application's messages reach at most 200 recipients a day per
//     seat of the corp (messagesPerSeat, Org.CorpUserMax), then answer 45009
//     for the rest of the day;
//   - the quotas of callQuotas answer 45009 once used up: a daily one
//     until the end of the day, a monthly one for 30 days.
//
// Under RulesLegacy none of these apply: every application reads every
// field, the contacts-sync secret reads from anywhere, and messages and
// quotas are not counted.
//
// Under both, the trusted-IP rule (60020) applies once trusted IPs are set
// (WithTrustedIPs, SetTrustedIPs, the console's trusted_ips), and a message
// sent with enable_duplicate_check is not delivered again within its
// interval: both are asked for by the corp, not imposed by a date. The
// seat limit (Org.CorpUserMax) applies under both too, being the corp's
// licence: with every seat taken, a member created by user/create, the
// console or a batch import's row fails with 45024.
type Rules int

const (
	// RulesToday are WeCom's rules for a corp created today (the default).
	RulesToday Rules = iota
	// RulesLegacy are WeCom's rules before 2022-06-20, for older corps.
	RulesLegacy
)

// String returns "today" or "legacy".
func (r Rules) String() string {
	if r == RulesLegacy {
		return "legacy"
	}
	return "today"
}

// ParseRules reads "today" or "legacy".
func ParseRules(s string) (Rules, error) {
	switch s {
	case "today":
		return RulesToday, nil
	case "legacy":
		return RulesLegacy, nil
	}
	return 0, fmt.Errorf("rules %q: want today or legacy", s)
}

// WithRules sets the rules the server applies (default RulesToday).
func WithRules(r Rules) Option {
	return func(o *options) { o.rules = r }
}

// WithContactsSyncIPs lists the IPs the contacts sync called from before
// 2022-08-15: from them, and only from them, the contacts-sync secret may
// still call user/get, user/list, user/simplelist and department/list
// under RulesToday.
func WithContactsSyncIPs(ips ...string) Option {
	return func(o *options) { o.syncIPs = append(o.syncIPs, ips...) }
}

// WithTrustedIPs turns the trusted-IP rule on (see SetTrustedIPs).
func WithTrustedIPs(ips ...string) Option {
	return func(o *options) { o.trustedIPs = append(o.trustedIPs, ips...) }
}

// Rules returns the rules the server applies.
func (s *Server) Rules() Rules { return s.opts.rules }

// today reports whether the server applies today's rules.
func (s *Server) today() bool { return s.opts.rules == RulesToday }

// ruleState is what the rules count and configure.
type ruleState struct {
	// trusted are the trusted IPs; nil: the trusted-IP rule is off. It is
	// read on every call, without a lock.
	trusted atomic.Pointer[map[string]bool]
	syncIPs map[string]bool // set once, by New

	mu sync.Mutex // guards what follows
	// deliveries are the times of the messages each member received from
	// each app within the last hour, oldest first.
	deliveries map[delivery][]time.Time
	// sent are the messages sent with enable_duplicate_check, by app and
	// request, with the time they were delivered; those older than the
	// longest interval are dropped once a minute, at pruned.
	sent   map[string]time.Time
	pruned time.Time
	// quotas are the counters of the quotas (callQuotas), in the periods
	// of the server's clock.
	quotas map[quotaKey]*quotaCount
}

func newRuleState(o options) *ruleState {
	r := &ruleState{
		syncIPs:    map[string]bool{},
		deliveries: map[delivery][]time.Time{},
		sent:       map[string]time.Time{},
		quotas:     map[quotaKey]*quotaCount{},
	}
	for _, ip := range o.syncIPs {
		r.syncIPs[ip] = true
	}
	r.setTrusted(o.trustedIPs)
	return r
}

// SetTrustedIPs turns the trusted-IP rule on for the IPs given (企业可信IP),
// or off if there are none: calls from any other IP, with any secret, answer
// 60020 "not allow to access from your ip", gettoken included. Source: the
// global error page (document/path/90313, errcode 60020: "若调用者是企业自建应用
// 或通讯录同步助手，请确认该IP是本企业服务器IP，并已经配置到应用详情的“企业可信IP”"),
// and the 2022-06-20 change making it required for new applications
// (wecom-api-rules.md (g)). The emulator applies it under both rules, since
// the corp turns it on.
func (s *Server) SetTrustedIPs(ips []string) { s.rules.setTrusted(ips) }

// setTrusted sets the trusted IPs, or turns the rule off if there are none.
func (r *ruleState) setTrusted(ips []string) {
	if len(ips) == 0 {
		r.trusted.Store(nil)
		return
	}
	m := map[string]bool{}
	for _, ip := range ips {
		m[strings.TrimSpace(ip)] = true
	}
	r.trusted.Store(&m)
}

// TrustedIPs returns the trusted IPs, sorted, or nil if the rule is off.
func (s *Server) TrustedIPs() []string {
	m := s.rules.trusted.Load()
	if m == nil {
		return nil
	}
	return slices.Sorted(maps.Keys(*m))
}

// checkTrustedIP answers 60020 for a call from an IP outside the trusted
// IPs, when they are set.
func (s *Server) checkTrustedIP(r *http.Request) *apiError {
	m := s.rules.trusted.Load()
	if m == nil || (*m)[clientIP(r)] {
		return nil
	}
	return errorf(60020, "%s is not a trusted IP of the corp (企业可信IP)", clientIP(r))
}

// newIPForbidden are the calls the contacts-sync secret may no longer make
// from a new IP since 2022-08-15 10:00, with what to call instead. Sources:
// 获取部门成员详情 (https://developer.work.weixin.qq.com/document/path/96260,
// updated 2024/07/24: "从2022年8月15日10点开始，“企业管理后台 - 管理工具 - 通讯录
// 同步”的新增IP将不能再调用此接口，企业可通过「获取成员ID列表」和「获取部门ID列表」
// 接口获取userid和部门ID列表"); the same change on 读取成员, 获取部门成员 and
// 获取部门列表 (the 通讯录同步接口调整 notice; wecom-api-rules.md d.1, d.2);
// errcode 48009 "API接口无权限调用，为保障企业数据安全，不再允许通讯录同步助手从
// 新增IP读取通讯录详情" (全局错误码, document/path/90313, crawled 2023-08-20),
// errmsg "api forbidden for contact assistant" as answered by WeCom
// (opsre/go-ldap-admin #378). Still allowed: user/list_id,
// department/simplelist, department/get and every write.
var newIPForbidden = map[string]string{
	"user/get":        "user/list_id",
	"user/list":       "user/list_id",
	"user/simplelist": "user/list_id",
	"department/list": "department/simplelist and department/get",
}

// checkContactsIP answers 48009 for a read the contacts-sync secret may no
// longer make from a new IP, under today's rules.
func (c *call) checkContactsIP() *apiError {
	instead, forbidden := newIPForbidden[c.api]
	if !forbidden || !c.contacts() || !c.s.today() {
		return nil
	}
	if c.s.rules.syncIPs[clientIP(c.r)] {
		return nil
	}
	return errorf(48009, "the contacts sync may not call %s from a new IP since 2022-08-15; use %s", c.api, instead)
}

// fullView reports whether the app a (nil: the contacts-sync secret) reads
// members' sensitive fields: avatar, thumb_avatar, gender, mobile, email,
// biz_mail, qr_code and address. Since 2022-06-20 20:00 self-built
// applications created after that date, and base applications other than
// the contacts sync, no longer receive them from user/get and user/list;
// telephone, alias and position are still given (gender is "0"). Source:
// 获取部门成员详情 (https://developer.work.weixin.qq.com/document/path/96260,
// updated 2024/07/24: "从2022年6月20号20点开始，除通讯录同步以外的基础应用（如
// 客户联系、微信客服、会话存档、日程等），以及新创建的自建应用与代开发应用，调用该
// 接口时，不再返回以下字段：头像、性别、手机、邮箱、企业邮箱、员工个人二维码、
// 地址"), the same note on 读取成员 (wecom-api-rules.md d.2).
// Under RulesLegacy every application reads them.
func (st *state) fullView(a *appState) bool {
	return a == nil || a.SensitiveFields || st.allFields
}

// memberLimit is one of the per-member limits of messages: at most n
// deliveries to one member within a period; beyond, WeCom drops the
// messages without an error.
type memberLimit struct {
	n      int
	period time.Duration
}

// appMessageLimits are message/send's: an application sends one member at
// most 30 messages a minute and 1,000 an hour. Source: 访问频率限制
// (https://developer.work.weixin.qq.com/document/path/90454, updated
// 2023/08/28: "超过部分会被丢弃不下发") and 发送应用消息 (updated 2025/09/24), as
// collected in wecom-api-rules.md (c).
var appMessageLimits = []memberLimit{{30, time.Minute}, {1000, time.Hour}}

// chatMessageLimits are appchat/send's: one member receives at most 200
// group chat messages a minute and 10,000 a day, all applications together
// (the same page and wecom-api-rules.md (c)). The emulator counts the day
// as the last 24 hours.
var chatMessageLimits = []memberLimit{{200, time.Minute}, {10000, 24 * time.Hour}}

// delivery is a (sender, member) pair of the per-member message limits:
// the sender is an application's agent id for message/send, chatSender
// for appchat/send.
type delivery struct {
	agentID int
	user    string // lower userid
}

// chatSender is the sender of appchat/send's deliveries: its limits count
// every application together.
const chatSender = -1

// admit splits recipients into the members a message from sender reaches
// at now and those over one of limits (the longest period last), and
// counts the message for the first. Under RulesLegacy every member is
// reached.
func (s *Server) admit(sender int, recipients []string, limits []memberLimit, now time.Time) (reached, dropped []string) {
	if !s.today() {
		return recipients, nil
	}
	longest := limits[len(limits)-1].period
	r := s.rules
	r.mu.Lock()
	defer r.mu.Unlock()
	reached = make([]string, 0, len(recipients))
	for _, id := range recipients {
		k := delivery{sender, strings.ToLower(id)}
		times := r.deliveries[k]
		// Keep the longest period only.
		i := 0
		for i < len(times) && !times[i].After(now.Add(-longest)) {
			i++
		}
		times = times[i:]
		over := false
		for _, l := range limits {
			// The deliveries within the period: the last ones of times.
			from := len(times)
			for from > 0 && times[from-1].After(now.Add(-l.period)) {
				from--
			}
			over = over || len(times)-from >= l.n
		}
		if over {
			dropped = append(dropped, id)
			r.deliveries[k] = times
			continue
		}
		r.deliveries[k] = append(times, now)
		reached = append(reached, id)
	}
	return reached, dropped
}

// Duplicate check of message/send: with "enable_duplicate_check": 1, a
// message with the same content and recipients from the same application
// within duplicate_check_interval seconds (default 1800, at most 4 hours)
// is not delivered again. Source: 发送应用消息 (updated 2025/09/24, as
// collected in wecom-api-rules.md d.5). WeCom documents no error for a
// duplicate: it is answered ok with a msgid, as a message sent, and marked
// Duplicate in Messages.
const (
	defaultDuplicateInterval = 1800 * time.Second
	maxDuplicateInterval     = 4 * time.Hour
)

// duplicateFields are the duplicate check fields of a message/send body.
type duplicateFields struct {
	Enable   flexInt `json:"enable_duplicate_check"`
	Interval flexInt `json:"duplicate_check_interval"`
}

// duplicate reports whether the message body from the app is a duplicate
// of one delivered within its check interval, and records it as delivered
// if not. Messages without enable_duplicate_check are never duplicates.
func (s *Server) duplicate(agentID int, body []byte, now time.Time) bool {
	var f duplicateFields
	json.Unmarshal(body, &f)
	if f.Enable != 1 {
		return false
	}
	interval := defaultDuplicateInterval
	if f.Interval > 0 {
		interval = min(time.Duration(f.Interval)*time.Second, maxDuplicateInterval)
	}
	key := duplicateKey(agentID, body)
	r := s.rules
	r.mu.Lock()
	defer r.mu.Unlock()
	if now.Sub(r.pruned) >= time.Minute {
		r.pruned = now
		for k, t := range r.sent {
			if now.Sub(t) >= maxDuplicateInterval {
				delete(r.sent, k)
			}
		}
	}
	if t, ok := r.sent[key]; ok && now.Sub(t) < interval {
		return true
	}
	r.sent[key] = now
	return false
}

// duplicateKey identifies a message by its app and its body without the
// duplicate check fields, compacted.
func duplicateKey(agentID int, body []byte) string {
	var m map[string]json.RawMessage
	if json.Unmarshal(body, &m) != nil {
		return fmt.Sprint(agentID, " ", string(body))
	}
	delete(m, "enable_duplicate_check")
	delete(m, "duplicate_check_interval")
	for k, v := range m {
		var b bytes.Buffer
		if json.Compact(&b, v) == nil {
			m[k] = b.Bytes()
		}
	}
	return fmt.Sprint(agentID, " ", string(marshalJSON(m)))
}

// quotaPeriod is the period a quota counts in: a natural day or a natural
// month of Beijing time, WeCom's.
type quotaPeriod int

const (
	perDay quotaPeriod = iota
	perMonth
)

// String returns "day" or "month".
func (p quotaPeriod) String() string {
	if p == perMonth {
		return "month"
	}
	return "day"
}

// start returns the start of t's period in Beijing time.
func (p quotaPeriod) start(t time.Time) time.Time {
	y, m, d := t.In(beijing).Date()
	if p == perMonth {
		d = 1
	}
	return time.Date(y, m, d, 0, 0, 0, 0, beijing)
}

// monthBlock is how long a monthly quota, once past, blocks its API:
// "按月拦截则屏蔽一个月（30天，非自然月）" (访问频率限制,
// https://developer.work.weixin.qq.com/document/path/90454).
const monthBlock = 30 * 24 * time.Hour

// blockEnd returns the end of the block that begins at now, past a quota
// of the period that began at start: the end of the natural day for a daily
// quota ("按天拦截则被屏蔽一天（自然天）", the same page), 30 days for a monthly
// one.
func (p quotaPeriod) blockEnd(start, now time.Time) time.Time {
	if p == perMonth {
		return now.Add(monthBlock)
	}
	return start.AddDate(0, 0, 1)
}

// quotaText is the errmsg of a 45009 for a quota of the period used up:
// dailyQuotaText for a day's, on which clients tell it from a limit worth
// waiting for; WeCom's wording of a month's is not documented, and the
// emulator words it alike.
func (p quotaPeriod) quotaText() string {
	if p == perMonth {
		return "reach max api monthly quota limit"
	}
	return dailyQuotaText
}

// callQuota is a number of calls an API takes a day or a month, per corp;
// past it the API answers 45009 until the block ends (quotaPeriod.blockEnd),
// as errcode 45009 on 全局错误码 says (document/path/90313: "频率拦截时长一般与
// 调用的限制时长相同").
type callQuota struct {
	api    string
	period quotaPeriod
	// limit returns the quota for the org.
	limit func(s *Server) int
	// counts reports whether a call answered with errcode counts.
	counts func(errcode int) bool
	// what says what is counted, for the errmsg.
	what string
}

func succeeded(code int) bool { return code == 0 }

// callQuotas are the quotas of calls WeCom documents for the API the
// emulator serves:
//   - appchat/create: 1,000 group chats a day per corp, all applications
//     together (访问频率限制, document/path/90454; wecom-api-rules.md (c));
//   - media/uploadimg: 1,000 images a day and 3,000 a month per corp (上传
//     图片, https://developer.work.weixin.qq.com/document/path/90256: "每个企业
//     每月最多可上传3000张图片，每天最多可上传1000张图片"; the same on 90454);
//   - user/getuserid: once the mobiles not found in a day exceed 20% of the
//     corp's members, the API is blocked for the day (errcode 45009 on
//     document/path/90313, item 6: "手机号换userid的接口，需确保手机号的正确性，
//     若出错的次数超出企业规模人数的20%，会导致1天不可调用").
var callQuotas = []callQuota{
	{api: "appchat/create", period: perDay, limit: fixedQuota(1000), counts: succeeded, what: "group chats created"},
	{api: "media/uploadimg", period: perDay, limit: fixedQuota(1000), counts: succeeded, what: "images uploaded"},
	{api: "media/uploadimg", period: perMonth, limit: fixedQuota(3000), counts: succeeded, what: "images uploaded"},
	{
		api:    "user/getuserid",
		period: perDay,
		limit: func(s *Server) int {
			s.st.mu.RLock()
			defer s.st.mu.RUnlock()
			return max(len(s.st.users)/5, 1)
		},
		counts: func(code int) bool { return code == 46004 },
		what:   "mobiles not found (20% of the members)",
	},
}

// fixedQuota returns the limit function of a quota of n.
func fixedQuota(n int) func(*Server) int { return func(*Server) int { return n } }

// quotaKey identifies the counter of a quota: of an API, for the whole
// corp (agentID 0) or for one application, in a period.
type quotaKey struct {
	api     string
	agentID int
	period  quotaPeriod
}

// quotaCount counts what a quota counts in its current period.
type quotaCount struct {
	start   time.Time // the period counted
	used    int
	blocked time.Time // the quota refuses calls until then
}

// counter returns k's counter, in the period of now. The caller holds mu.
func (r *ruleState) counter(k quotaKey, now time.Time) *quotaCount {
	c := r.quotas[k]
	if c == nil {
		c = &quotaCount{}
		r.quotas[k] = c
	}
	if start := k.period.start(now); !start.Equal(c.start) {
		c.start, c.used = start, 0
	}
	return c
}

// refuse answers 45009 if n more of what the quota counts would take the
// counter c of k past limit, or if it is blocked; the first refusal blocks
// it until the end of the block. The caller holds mu.
func (c *quotaCount) refuse(k quotaKey, limit, n int, what string, now time.Time) *apiError {
	if !now.Before(c.blocked) {
		if c.used+n <= limit {
			return nil
		}
		c.blocked = k.period.blockEnd(c.start, now)
	}
	return &apiError{code: 45009, msg: fmt.Sprintf("%s: %s allows %d %s a %s; blocked until %s",
		k.period.quotaText(), k.api, limit, what, k.period, c.blocked.In(beijing).Format("2006-01-02 15:04 MST"))}
}

// checkQuota answers 45009 for a call of an API one of whose quotas is
// used up, under today's rules, with WeCom's errmsg for the quota's period
// (quotaText) followed by the quota and the end of the block.
func (s *Server) checkQuota(api string, now time.Time) *apiError {
	if !s.today() {
		return nil
	}
	for _, q := range callQuotas {
		if q.api != api {
			continue
		}
		limit := q.limit(s)
		k := quotaKey{api: api, period: q.period}
		r := s.rules
		r.mu.Lock()
		e := r.counter(k, now).refuse(k, limit, 1, q.what, now)
		r.mu.Unlock()
		if e != nil {
			return e
		}
	}
	return nil
}

// countQuota counts a call answered with errcode toward its API's quotas.
func (s *Server) countQuota(api string, errcode int, now time.Time) {
	if !s.today() {
		return
	}
	r := s.rules
	for _, q := range callQuotas {
		if q.api != api || !q.counts(errcode) {
			continue
		}
		r.mu.Lock()
		r.counter(quotaKey{api: api, period: q.period}, now).used++
		r.mu.Unlock()
	}
}

// messagesPerSeat is message/send's daily quota of each application, in
// recipients (人次) per seat of the corp: "每应用不可超过账号上限数*200人次/天
// （注：若调用api一次发给1000人，算1000人次；若企业账号上限是500人，则每个应用每天
// 可发送100000人次的消息）" (发送应用消息, 频率限制,
// https://developer.work.weixin.qq.com/document/path/90236, updated
// 2025/09/24; the same on 访问频率限制, document/path/90454). Past it WeCom
// answers 45009, which 全局错误码 (document/path/90313, errcode 45009, item
// 5) ties to 发送应用消息的频率拦截, blocked for the natural day. Every
// recipient a call reaches or would reach counts, those the per-member
// limits drop and those of a duplicate included: the quota counts calls'
// recipients, not deliveries. A call that would pass the quota is refused
// whole, and blocks the application until the end of the day.
const messagesPerSeat = 200

// takeSendQuota counts a message/send of the application agentID to n
// recipients toward its daily quota, or answers 45009 if it would pass it,
// under today's rules.
func (s *Server) takeSendQuota(agentID, n int, now time.Time) *apiError {
	if !s.today() {
		return nil
	}
	limit := s.sendQuota()
	k := sendQuotaKey(agentID)
	r := s.rules
	r.mu.Lock()
	defer r.mu.Unlock()
	c := r.counter(k, now)
	if e := c.refuse(k, limit, n, sendQuotaWhat(agentID), now); e != nil {
		return e
	}
	c.used += n
	return nil
}

// sendQuota returns the daily quota of each application's messages.
func (s *Server) sendQuota() int {
	s.st.mu.RLock()
	defer s.st.mu.RUnlock()
	return s.st.seatLimit() * messagesPerSeat
}

// sendQuotaKey is the counter of the application agentID's messages.
func sendQuotaKey(agentID int) quotaKey {
	return quotaKey{api: "message/send", agentID: agentID, period: perDay}
}

// sendQuotaWhat says what message/send's quota counts, for the errmsg.
func sendQuotaWhat(agentID int) string {
	return fmt.Sprintf("recipients (人次) of application %d's messages", agentID)
}

// QuotaUsage is what one of WeCom's quotas has counted in its current
// period (see Server.Quotas).
type QuotaUsage struct {
	API string `json:"api"`
	// AgentID is the application the quota is counted for; 0 for a quota
	// of the whole corp.
	AgentID int    `json:"agentid,omitempty"`
	Period  string `json:"period"` // "day" or "month" (Beijing time)
	Used    int    `json:"used"`
	Limit   int    `json:"limit"`
	// BlockedUntil is set while the quota refuses calls with 45009.
	BlockedUntil *time.Time `json:"blocked_until,omitempty"`
}

// Quotas returns the quotas of today's rules with what each has counted in
// the current period of the server's clock, by API, application and
// period; none under RulesLegacy.
func (s *Server) Quotas() []QuotaUsage {
	if !s.today() {
		return []QuotaUsage{}
	}
	now := s.now()
	out := []QuotaUsage{}
	r := s.rules
	add := func(k quotaKey, limit int) {
		r.mu.Lock()
		defer r.mu.Unlock()
		c := r.counter(k, now)
		u := QuotaUsage{API: k.api, AgentID: k.agentID, Period: k.period.String(), Used: c.used, Limit: limit}
		if now.Before(c.blocked) {
			until := c.blocked.In(beijing)
			u.BlockedUntil = &until
		}
		out = append(out, u)
	}
	for _, q := range callQuotas {
		add(quotaKey{api: q.api, period: q.period}, q.limit(s))
	}
	s.st.mu.RLock()
	agents := sortedKeys(s.st.apps)
	s.st.mu.RUnlock()
	limit := s.sendQuota()
	for _, id := range agents {
		add(sendQuotaKey(id), limit)
	}
	return out
}

// consoleTrustedIPs serves POST /_emulator/console/trusted_ips
// {"ips": ["203.0.113.7"]}: the trusted-IP rule on for those IPs, or off
// for an empty list.
func (s *Server) consoleTrustedIPs(body []byte) (any, *apiError) {
	var req struct {
		IPs []string `json:"ips"`
	}
	if e := decodeBody(body, &req); e != nil {
		return nil, e
	}
	s.SetTrustedIPs(slices.Clone(req.IPs))
	return okStatus, nil
}
