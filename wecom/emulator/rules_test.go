package emulator

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"
)

// startRules starts the demo organisation under rules, with no old IP of
// the contacts sync (unlike startServer).
func startRules(t *testing.T, org *Org, opts ...Option) *Server {
	t.Helper()
	s, err := Start(org, opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func TestParseRules(t *testing.T) {
	for _, r := range []Rules{RulesToday, RulesLegacy} {
		got, err := ParseRules(r.String())
		if err != nil || got != r {
			t.Errorf("ParseRules(%q) = %v, %v", r.String(), got, err)
		}
	}
	if _, err := ParseRules("2021"); err == nil || !strings.Contains(err.Error(), "today or legacy") {
		t.Errorf("ParseRules(2021) = %v", err)
	}
	if s := New(nil); s.Rules() != RulesToday {
		t.Errorf("default rules %v, want today", s.Rules())
	}
}

// sensitive are the fields applications created since 2022-06-20 no
// longer read.
var sensitive = []string{"mobile", "email", "biz_mail", "avatar", "thumb_avatar", "address", "qr_code"}

func TestRulesSensitiveFields(t *testing.T) {
	t.Parallel()
	org := DemoOrg()
	org.Apps[1].SensitiveFields = true // 日报, as if created before 2022-06-20
	today := startRules(t, org, oldSyncIP)
	legacy := startRules(t, org, oldSyncIP, WithRules(RulesLegacy))

	// Today: the demo's 运维助手 is a new application.
	newApp := opsApp(t, today).get("user/get", "userid", "zhangsan")
	wantCode(t, newApp, 0)
	for _, f := range sensitive {
		if _, ok := newApp[f]; ok {
			t.Errorf("today, 运维助手 reads %s: %v", f, newApp)
		}
	}
	if newApp.str("gender") != "0" || newApp.str("telephone") == "" || newApp.str("position") == "" {
		t.Errorf("today, 运维助手 reads %v; want gender 0, with telephone and position", newApp)
	}
	list := opsApp(t, today).get("user/list", "department_id", "2")
	wantCode(t, list, 0)
	for _, u := range list.list("userlist") {
		if m := u.(map[string]any); m["mobile"] != nil || m["email"] != nil {
			t.Errorf("today, 运维助手's user/list reads %v", m)
		}
	}
	// An application created before, and the contacts sync, still read them.
	for name, c := range map[string]*apiClient{"日报 (sensitive_fields)": reportApp(t, today), "the contacts sync": contacts(t, today)} {
		full := c.get("user/get", "userid", "zhangsan")
		wantCode(t, full, 0)
		if full.str("mobile") == "" || full.str("email") == "" || full.str("gender") != "1" || full.str("qr_code") == "" {
			t.Errorf("today, %s reads %v", name, full)
		}
	}

	// Legacy: every application reads every field.
	old := opsApp(t, legacy).get("user/get", "userid", "zhangsan")
	wantCode(t, old, 0)
	if old.str("mobile") == "" || old.str("email") == "" || old.str("gender") != "1" || old.str("avatar") == "" {
		t.Errorf("legacy, 运维助手 reads %v", old)
	}
}

func TestRulesContactsSyncNewIP(t *testing.T) {
	t.Parallel()
	reads := []struct {
		api string
		kv  []string
	}{
		{"user/get", []string{"userid", "zhangsan"}},
		{"user/list", []string{"department_id", "1", "fetch_child", "1"}},
		{"user/simplelist", []string{"department_id", "1"}},
		{"department/list", nil},
	}
	allowed := func(t *testing.T, c *apiClient) {
		t.Helper()
		wantCode(t, c.post("user/list_id", map[string]any{"limit": 100}), 0)
		wantCode(t, c.get("department/simplelist"), 0)
		wantCode(t, c.get("department/get", "id", "2"), 0)
		wantCode(t, c.post("user/update", map[string]any{"userid": "lisi", "position": "架构师"}), 0)
	}

	t.Run("today", func(t *testing.T) {
		s := startRules(t, nil)
		c := contacts(t, s)
		for _, r := range reads {
			got := c.get(r.api, r.kv...)
			wantCode(t, got, 48009)
			if !strings.Contains(got.str("errmsg"), "api forbidden for contact assistant") {
				t.Errorf("%s errmsg %q", r.api, got.str("errmsg"))
			}
		}
		allowed(t, c)
		// Applications are not concerned: only the contacts sync.
		for _, r := range reads {
			wantCode(t, opsApp(t, s).get(r.api, r.kv...), 0)
		}
	})
	t.Run("today from an old IP", func(t *testing.T) {
		s := startRules(t, nil, WithContactsSyncIPs("127.0.0.1"))
		c := contacts(t, s)
		for _, r := range reads {
			wantCode(t, c.get(r.api, r.kv...), 0)
		}
	})
	t.Run("legacy", func(t *testing.T) {
		s := startRules(t, nil, WithRules(RulesLegacy))
		c := contacts(t, s)
		for _, r := range reads {
			wantCode(t, c.get(r.api, r.kv...), 0)
		}
		allowed(t, c)
	})
}

func TestRulesTrustedIPs(t *testing.T) {
	t.Parallel()
	for _, rules := range []Rules{RulesToday, RulesLegacy} {
		t.Run(rules.String(), func(t *testing.T) {
			s := startRules(t, nil, WithRules(rules))
			ops := opsApp(t, s) // a token taken before the rule is on
			if s.TrustedIPs() != nil {
				t.Fatalf("trusted IPs %v before any is set", s.TrustedIPs())
			}
			wantCode(t, ops.get("agent/get", "agentid", fmt.Sprint(DemoOpsAgentID)), 0)

			// On, for another IP, through the admin console.
			postConsole(t, s, "trusted_ips", `{"ips":["203.0.113.7"]}`)
			if got := s.TrustedIPs(); !slices.Equal(got, []string{"203.0.113.7"}) {
				t.Fatalf("TrustedIPs = %v", got)
			}
			r := ops.get("agent/get", "agentid", fmt.Sprint(DemoOpsAgentID))
			wantCode(t, r, 60020)
			if !strings.Contains(r.str("errmsg"), "not allow to access from your ip") {
				t.Errorf("errmsg %q", r.str("errmsg"))
			}
			for _, secret := range []string{DemoOpsSecret, DemoContactsSecret} {
				tok := rawCall(t, s, http.MethodGet, "gettoken", query("corpid", DemoCorpID, "corpsecret", secret), nil)
				wantCode(t, tok, 60020)
			}
			// A wrong secret is still told as such.
			wantCode(t, rawCall(t, s, http.MethodGet, "gettoken", query("corpid", DemoCorpID, "corpsecret", "nope"), nil), 40001)

			// This machine trusted: calls pass again.
			s.SetTrustedIPs([]string{"203.0.113.7", "127.0.0.1"})
			wantCode(t, ops.get("agent/get", "agentid", fmt.Sprint(DemoOpsAgentID)), 0)
			// Off.
			postConsole(t, s, "trusted_ips", `{"ips":[]}`)
			s.SetTrustedIPs([]string{"203.0.113.7"})
			s.SetTrustedIPs(nil)
			wantCode(t, contacts(t, s).get("department/simplelist"), 0)
		})
	}
	// The option turns it on from the start.
	s := startRules(t, nil, WithTrustedIPs("198.51.100.1"))
	wantCode(t, rawCall(t, s, http.MethodGet, "gettoken", query("corpid", DemoCorpID, "corpsecret", DemoOpsSecret), nil), 60020)
}

// postConsole posts body to the admin console's action and wants ok.
func postConsole(t *testing.T, s *Server, action, body string) {
	t.Helper()
	wantCode(t, consoleCall(t, s, action, body), 0)
}

// consoleCall posts body to the admin console's action and returns the
// answer.
func consoleCall(t *testing.T, s *Server, action, body string) result {
	t.Helper()
	resp, err := testHTTP.Post(strings.TrimSuffix(s.BaseURL(), "/cgi-bin/")+consolePrefix+action, "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var r result
	if err := json.NewDecoder(resp.Body).Decode(&r); err != nil {
		t.Fatalf("console %s: %v", action, err)
	}
	return r
}

func TestRulesMemberMessageLimits(t *testing.T) {
	t.Parallel()
	t.Run("today", func(t *testing.T) {
		clock := newFakeClock()
		s := startRules(t, nil, WithClock(clock.Now))
		ops := opsApp(t, s)
		// 30 in the same minute reach zhangsan; the 31st is answered ok but
		// dropped for him, while lisi, who had none, gets it.
		for i := range 30 {
			wantCode(t, ops.post("message/send", textMsg(DemoOpsAgentID, "zhangsan", "", "", fmt.Sprint("告警 ", i))), 0)
			clock.Add(time.Second)
		}
		r := ops.post("message/send", textMsg(DemoOpsAgentID, "zhangsan|lisi", "", "", "告警 30"))
		wantCode(t, r, 0)
		if r.str("msgid") == "" || r.str("invaliduser") != "" {
			t.Errorf("answer %v", r)
		}
		msgs := s.Messages()
		last := msgs[len(msgs)-1]
		if !slices.Equal(last.Recipients, []string{"lisi"}) || !slices.Equal(last.Dropped, []string{"zhangsan"}) {
			t.Errorf("31st message: recipients %v, dropped %v", last.Recipients, last.Dropped)
		}
		// The inspection API shows it.
		var seen []Message
		getInspect(t, s, "messages", &seen)
		if got := seen[len(seen)-1]; !slices.Equal(got.Dropped, []string{"zhangsan"}) {
			t.Errorf("/_emulator/messages shows the last message as %+v", got)
		}
		var stats Stats
		getInspect(t, s, "stats", &stats)
		if stats.DroppedDeliveries != 1 || stats.Messages != 31 {
			t.Errorf("/_emulator/stats: %+v, want 31 messages, 1 delivery dropped", stats)
		}
		// Another application has its own count.
		rep := reportApp(t, s)
		wantCode(t, rep.post("message/send", textMsg(DemoReportAgentID, "zhangsan", "", "", "日报")), 0)
		if m := s.Messages(); !slices.Equal(m[len(m)-1].Recipients, []string{"zhangsan"}) {
			t.Errorf("日报's message: %+v", m[len(m)-1])
		}
		// A minute after the first, he gets messages again.
		clock.Add(time.Minute)
		wantCode(t, ops.post("message/send", textMsg(DemoOpsAgentID, "zhangsan", "", "", "恢复")), 0)
		if m := s.Messages(); !slices.Equal(m[len(m)-1].Recipients, []string{"zhangsan"}) {
			t.Errorf("a minute later: %+v", m[len(m)-1])
		}

		// 1,000 an hour: one every 2 seconds stays under 30 a minute, and
		// the hour's 1,000th is the last to reach wangwu.
		for i := range 1000 {
			clock.Add(2 * time.Second)
			wantCode(t, ops.post("message/send", textMsg(DemoOpsAgentID, "wangwu", "", "", fmt.Sprint("第", i, "条"))), 0)
		}
		clock.Add(2 * time.Second)
		wantCode(t, ops.post("message/send", textMsg(DemoOpsAgentID, "wangwu", "", "", "第1001条")), 0)
		dropped := 0
		for _, m := range s.Messages() {
			if slices.Contains(m.Dropped, "wangwu") {
				dropped++
			}
		}
		if m := s.Messages(); dropped != 1 || !slices.Equal(m[len(m)-1].Dropped, []string{"wangwu"}) {
			t.Errorf("%d messages to wangwu dropped, want the last one only", dropped)
		}
		clock.Add(time.Hour)
		wantCode(t, ops.post("message/send", textMsg(DemoOpsAgentID, "wangwu", "", "", "一小时后")), 0)
		if m := s.Messages(); len(m[len(m)-1].Dropped) != 0 {
			t.Errorf("an hour later: %+v", m[len(m)-1])
		}
	})
	t.Run("legacy", func(t *testing.T) {
		s := startRules(t, nil, WithRules(RulesLegacy), WithClock(newFakeClock().Now))
		ops := opsApp(t, s)
		for i := range 40 {
			wantCode(t, ops.post("message/send", textMsg(DemoOpsAgentID, "zhangsan", "", "", fmt.Sprint("告警 ", i))), 0)
		}
		for _, m := range s.Messages() {
			if len(m.Dropped) != 0 || len(m.Recipients) != 1 {
				t.Fatalf("legacy dropped a message: %+v", m)
			}
		}
	})
}

// underBothRules runs test as a subtest under each rules, on a server of
// the demo organisation with a settable clock, with a client of 运维助手.
func underBothRules(t *testing.T, test func(t *testing.T, rules Rules, s *Server, clock *fakeClock, ops *apiClient)) {
	for _, rules := range []Rules{RulesToday, RulesLegacy} {
		t.Run(rules.String(), func(t *testing.T) {
			clock := newFakeClock()
			s := startRules(t, nil, WithRules(rules), WithClock(clock.Now))
			test(t, rules, s, clock, opsApp(t, s))
		})
	}
}

func TestRulesDuplicateCheck(t *testing.T) {
	t.Parallel()
	underBothRules(t, func(t *testing.T, rules Rules, s *Server, clock *fakeClock, ops *apiClient) {
		checked := func(content string, interval int) map[string]any {
			m := textMsg(DemoOpsAgentID, "zhangsan|lisi", "", "", content)
			m["enable_duplicate_check"] = 1
			if interval > 0 {
				m["duplicate_check_interval"] = interval
			}
			return m
		}
		last := func() Message { m := s.Messages(); return m[len(m)-1] }

		first := ops.post("message/send", checked("发布通知", 60))
		wantCode(t, first, 0)
		if m := last(); m.Duplicate || len(m.Recipients) != 2 {
			t.Fatalf("first message: %+v", m)
		}
		clock.Add(30 * time.Second)
		again := ops.post("message/send", checked("发布通知", 60))
		wantCode(t, again, 0)
		if again.str("msgid") == "" {
			t.Errorf("a duplicate is answered %v", again)
		}
		if m := last(); !m.Duplicate || len(m.Recipients) != 0 || !slices.Equal(m.Dropped, []string{"zhangsan", "lisi"}) {
			t.Errorf("duplicate within the interval: %+v", m)
		}
		// Other content, or no check asked: delivered.
		wantCode(t, ops.post("message/send", checked("另一条通知", 60)), 0)
		if m := last(); m.Duplicate {
			t.Errorf("other content: %+v", m)
		}
		wantCode(t, ops.post("message/send", textMsg(DemoOpsAgentID, "zhangsan|lisi", "", "", "发布通知")), 0)
		if m := last(); m.Duplicate {
			t.Errorf("without the check: %+v", m)
		}
		// Past the interval (counted from the delivered one): delivered.
		clock.Add(31 * time.Second)
		wantCode(t, ops.post("message/send", checked("发布通知", 60)), 0)
		if m := last(); m.Duplicate || len(m.Recipients) != 2 {
			t.Errorf("after the interval: %+v", m)
		}
		// The default interval is 1800 s.
		clock.Add(29 * time.Minute)
		wantCode(t, ops.post("message/send", checked("发布通知", 0)), 0)
		if m := last(); !m.Duplicate {
			t.Errorf("within the default 1800 s: %+v", m)
		}
	})
}

func TestRulesDailyQuota(t *testing.T) {
	t.Parallel()
	var mobile string
	for _, u := range DemoOrg().Users {
		if u.UserID == "zhangsan" {
			mobile = u.Mobile
		}
	}
	// The demo has 40 members: past 8 mobiles not found in a day,
	// user/getuserid is blocked until the next day (Beijing time).
	t.Run("today", func(t *testing.T) {
		clock := newFakeClock() // 2024-03-01 09:00 UTC, 17:00 in China
		s := startRules(t, nil, WithClock(clock.Now))
		ops := opsApp(t, s)
		for i := range 8 {
			wantCode(t, ops.post("user/getuserid", map[string]any{"mobile": fmt.Sprint("1390000000", i)}), 46004)
		}
		r := ops.post("user/getuserid", map[string]any{"mobile": mobile})
		wantCode(t, r, 45009)
		if msg := r.str("errmsg"); !strings.HasPrefix(msg, "reach max api daily quota limit: user/getuserid") || !strings.Contains(msg, "2024-03-02 00:00") {
			t.Errorf("errmsg %q", msg)
		}
		clock.Add(6*time.Hour + 59*time.Minute) // 23:59 in China
		ops = opsApp(t, s)                      // the token has expired
		wantCode(t, ops.post("user/getuserid", map[string]any{"mobile": mobile}), 45009)
		clock.Add(time.Minute) // the next day
		r = ops.post("user/getuserid", map[string]any{"mobile": mobile})
		wantCode(t, r, 0)
		if r.str("userid") != "zhangsan" {
			t.Errorf("answer %v", r)
		}
	})
	t.Run("legacy", func(t *testing.T) {
		s := startRules(t, nil, WithRules(RulesLegacy))
		ops := opsApp(t, s)
		for i := range 20 {
			wantCode(t, ops.post("user/getuserid", map[string]any{"mobile": fmt.Sprint("139000000", 10+i)}), 46004)
		}
		wantCode(t, ops.post("user/getuserid", map[string]any{"mobile": mobile}), 0)
	})
}

func TestRulesAppChatDailyQuota(t *testing.T) {
	t.Parallel()
	s := startRules(t, nil)
	ops := opsApp(t, s)
	for i := range 1000 {
		r := ops.post("appchat/create", map[string]any{"name": fmt.Sprint("群", i), "owner": "zhangsan", "userlist": []string{"zhangsan", "lisi"}})
		wantCode(t, r, 0)
	}
	r := ops.post("appchat/create", map[string]any{"name": "一千零一", "owner": "zhangsan", "userlist": []string{"zhangsan", "lisi"}})
	wantCode(t, r, 45009)
	if !strings.HasPrefix(r.str("errmsg"), dailyQuotaText) {
		t.Errorf("errmsg %q", r.str("errmsg"))
	}
}

// TestRulesAppMessageDailyQuota: an application's messages reach at most
// 200 recipients a day per seat of the corp; a call that would pass it
// answers 45009 and blocks the application until Beijing's midnight.
func TestRulesAppMessageDailyQuota(t *testing.T) {
	t.Parallel()
	org := DemoOrg()
	org.CorpUserMax = len(org.Users) // 40 seats: 8,000 recipients a day
	limit := org.CorpUserMax * 200
	t.Run("today", func(t *testing.T) {
		clock := newFakeClock() // 2024-03-01 17:00 in China
		s := startRules(t, org, WithClock(clock.Now))
		ops := opsApp(t, s)
		wantCode(t, ops.post("message/send", textMsg(DemoOpsAgentID, "@all", "", "", "全员通知")), 0)
		m := s.Messages()[0]
		n := len(m.Recipients) + len(m.Dropped) // the app's whole range
		if n < 2 {
			t.Fatalf("@all reached %d members", n)
		}
		for sent := n; sent+n <= limit; sent += n {
			// Those the per-member limits drop count too.
			wantCode(t, ops.post("message/send", textMsg(DemoOpsAgentID, "@all", "", "", fmt.Sprint("通知 ", sent))), 0)
		}
		used := limit / n * n
		r := ops.post("message/send", textMsg(DemoOpsAgentID, "@all", "", "", "一条太多"))
		wantCode(t, r, 45009)
		if msg := r.str("errmsg"); !strings.HasPrefix(msg, fmt.Sprintf("%s: message/send allows %d recipients (人次) of application %d's messages a day; blocked until 2024-03-02 00:00 CST", dailyQuotaText, limit, DemoOpsAgentID)) {
			t.Errorf("errmsg %q", msg)
		}
		// Blocked for the day, even for one recipient; another app is not.
		wantCode(t, ops.post("message/send", textMsg(DemoOpsAgentID, "zhangsan", "", "", "一人")), 45009)
		wantCode(t, reportApp(t, s).post("message/send", textMsg(DemoReportAgentID, "zhangsan", "", "", "日报")), 0)
		var stats Stats
		getInspect(t, s, "stats", &stats)
		i := slices.IndexFunc(stats.Quotas, func(q QuotaUsage) bool { return q.API == "message/send" && q.AgentID == DemoOpsAgentID })
		j := slices.IndexFunc(stats.Quotas, func(q QuotaUsage) bool { return q.API == "message/send" && q.AgentID == DemoReportAgentID })
		if i < 0 || j < 0 {
			t.Fatalf("/_emulator/stats quotas: %+v", stats.Quotas)
		}
		if q := stats.Quotas[i]; q.Used != used || q.Limit != limit || q.Period != "day" || q.BlockedUntil == nil ||
			!q.BlockedUntil.Equal(time.Date(2024, 3, 2, 0, 0, 0, 0, beijing)) {
			t.Errorf("运维助手's quota: %+v, want %d of %d used, blocked until midnight", q, used, limit)
		}
		if q := stats.Quotas[j]; q.Used != 1 || q.BlockedUntil != nil {
			t.Errorf("日报's quota: %+v", q)
		}
		clock.Add(6*time.Hour + 59*time.Minute) // 23:59 in China
		ops = opsApp(t, s)                      // the token has expired
		wantCode(t, ops.post("message/send", textMsg(DemoOpsAgentID, "zhangsan", "", "", "一人")), 45009)
		clock.Add(time.Minute)
		wantCode(t, ops.post("message/send", textMsg(DemoOpsAgentID, "@all", "", "", "新的一天")), 0)
	})
	t.Run("legacy", func(t *testing.T) {
		s := startRules(t, org, WithRules(RulesLegacy))
		ops := opsApp(t, s)
		for i := range limit/len(org.Users) + 1 {
			wantCode(t, ops.post("message/send", textMsg(DemoOpsAgentID, "@all", "", "", fmt.Sprint("通知 ", i))), 0)
		}
	})
	t.Run("default seats", func(t *testing.T) {
		s := startRules(t, nil)
		for _, q := range s.Quotas() {
			if q.API == "message/send" && q.Limit != 500*200 {
				t.Errorf("the demo's quota of messages: %+v, want 100,000 a day (500 seats)", q)
			}
		}
		bad := DemoOrg()
		bad.CorpUserMax = 3
		if err := bad.Validate(); err == nil || !strings.Contains(err.Error(), "corp_user_max 3 is below the 40 members") {
			t.Errorf("Validate: %v", err)
		}
	})
}

// TestRulesUploadImgMonthlyQuota: media/uploadimg takes 1,000 images a day
// and 3,000 a month; past the month's, it answers 45009 for 30 days, and
// /_emulator/stats shows both quotas.
func TestRulesUploadImgMonthlyQuota(t *testing.T) {
	t.Parallel()
	t.Run("today", func(t *testing.T) {
		clock := newFakeClock() // 2024-03-01 17:00 in China
		s := startRules(t, nil, WithClock(clock.Now))
		upload := func(want int) result {
			t.Helper()
			r := opsApp(t, s).upload("media/uploadimg", "a.png", pngBytes)
			wantCode(t, r, want)
			return r
		}
		ops := opsApp(t, s)
		for day := range 3 {
			for range 1000 {
				wantCode(t, ops.upload("media/uploadimg", "a.png", pngBytes), 0)
			}
			r := upload(45009) // the day's quota
			if msg := r.str("errmsg"); !strings.HasPrefix(msg, dailyQuotaText+": media/uploadimg allows 1000 images uploaded a day") {
				t.Errorf("day %d: errmsg %q", day+1, msg)
			}
			clock.Add(24 * time.Hour)
			ops = opsApp(t, s) // the token has expired
		}
		// 2024-03-04: the month's 3,000 are used up, blocked 30 days.
		r := upload(45009)
		if msg := r.str("errmsg"); !strings.HasPrefix(msg, "reach max api monthly quota limit: media/uploadimg allows 3000 images uploaded a month") ||
			!strings.Contains(msg, "blocked until 2024-04-03 17:00 CST") {
			t.Errorf("errmsg %q", msg)
		}
		var stats Stats
		getInspect(t, s, "stats", &stats)
		var day, month *QuotaUsage
		for i, q := range stats.Quotas {
			if q.API == "media/uploadimg" && q.Period == "day" {
				day = &stats.Quotas[i]
			}
			if q.API == "media/uploadimg" && q.Period == "month" {
				month = &stats.Quotas[i]
			}
		}
		want := time.Date(2024, 4, 3, 17, 0, 0, 0, beijing)
		if day == nil || month == nil || day.Used != 0 || day.Limit != 1000 || day.BlockedUntil != nil ||
			month.Used != 3000 || month.Limit != 3000 || month.BlockedUntil == nil || !month.BlockedUntil.Equal(want) {
			t.Fatalf("/_emulator/stats quotas: %+v", stats.Quotas)
		}
		// April has its own count, but the block lasts 30 days.
		clock.Add(29*24*time.Hour + 23*time.Hour) // 2024-04-03 16:00
		upload(45009)
		clock.Add(time.Hour)
		upload(0)
		var quotas []QuotaUsage
		getInspect(t, s, "quotas", &quotas)
		if i := slices.IndexFunc(quotas, func(q QuotaUsage) bool { return q.API == "media/uploadimg" && q.Period == "month" }); i < 0 ||
			quotas[i].Used != 1 || quotas[i].BlockedUntil != nil {
			t.Errorf("/_emulator/quotas: %+v", quotas)
		}
	})
	t.Run("legacy", func(t *testing.T) {
		s := startRules(t, nil, WithRules(RulesLegacy))
		ops := opsApp(t, s)
		for range 1001 {
			wantCode(t, ops.upload("media/uploadimg", "a.png", pngBytes), 0)
		}
		if q := s.Quotas(); len(q) != 0 {
			t.Errorf("quotas under legacy rules: %+v", q)
		}
	})
}

func TestRulesChatMessageLimits(t *testing.T) {
	t.Parallel()
	underBothRules(t, func(t *testing.T, rules Rules, s *Server, clock *fakeClock, ops *apiClient) {
		wantCode(t, ops.post("appchat/create", map[string]any{"chatid": "LIMITS", "name": "限流群", "owner": "zhangsan", "userlist": []string{"zhangsan", "lisi"}}), 0)
		send := func(text string) {
			t.Helper()
			wantCode(t, ops.post("appchat/send", map[string]any{"chatid": "LIMITS", "msgtype": "text", "text": map[string]string{"content": text}}), 0)
		}
		// 200 in a minute reach the members; the 201st is answered ok.
		for i := range 200 {
			send(fmt.Sprint("消息 ", i))
			clock.Add(100 * time.Millisecond)
		}
		send("第 201 条")
		msgs := s.ChatMessages()
		last := msgs[len(msgs)-1]
		if rules == RulesLegacy {
			if len(last.Recipients) != 2 || last.Dropped != nil {
				t.Errorf("legacy dropped: %+v", last)
			}
			return
		}
		if len(last.Recipients) != 0 || !slices.Equal(last.Dropped, []string{"zhangsan", "lisi"}) {
			t.Errorf("the 201st message: recipients %v, dropped %v", last.Recipients, last.Dropped)
		}
		for _, m := range msgs[:200] {
			if len(m.Dropped) != 0 {
				t.Fatalf("one of the first 200 dropped: %+v", m)
			}
		}
		// A minute after the first, they get messages again.
		clock.Add(time.Minute)
		send("恢复")
		if m := s.ChatMessages(); len(m[len(m)-1].Recipients) != 2 {
			t.Errorf("a minute later: %+v", m[len(m)-1])
		}
	})
}
