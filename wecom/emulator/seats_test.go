package emulator

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"
)

// seatOrg is the demo organisation with one free seat: 41 seats for its 40
// members.
func seatOrg() *Org {
	org := DemoOrg()
	org.CorpUserMax = len(org.Users) + 1
	return org
}

func newbie(id, mobile string) map[string]any {
	return map[string]any{"userid": id, "name": "新人", "department": []int{1}, "mobile": mobile}
}

// TestSeatLimitUserCreate: user/create fills the last free seat, then
// answers 45024 until a member leaves, under both rules: the seat limit is
// the corp's licence, not a rule of a date.
func TestSeatLimitUserCreate(t *testing.T) {
	t.Parallel()
	for _, rules := range []Rules{RulesToday, RulesLegacy} {
		t.Run(rules.String(), func(t *testing.T) {
			s := startRules(t, seatOrg(), oldSyncIP, WithRules(rules))
			c := contacts(t, s)
			wantCode(t, c.post("user/create", newbie("seat41", "13600000041")), 0)
			r := c.post("user/create", newbie("seat42", "13600000042"))
			wantCode(t, r, 45024)
			if !strings.HasPrefix(r.str("errmsg"), "account number exceeded: the corp's 41 seats are taken") {
				t.Errorf("errmsg %q", r.str("errmsg"))
			}
			wantCode(t, c.get("user/get", "userid", "seat42"), 60111)
			wantMembers(t, s, 41, "a create past the seat limit")
			// An invalid member is told what is wrong with it first.
			wantCode(t, c.post("user/create", newbie("seat41", "13600000043")), 60102)
			wantCode(t, c.get("user/delete", "userid", "seat41"), 0)
			wantCode(t, c.post("user/create", newbie("seat42", "13600000042")), 0)
		})
	}
}

// TestSeatLimitDefault: without corp_user_max the corp has 500 seats, or
// as many as the members it was loaded with if more; deleting a member
// frees a seat either way.
func TestSeatLimitDefault(t *testing.T) {
	t.Parallel()
	s := startServer(t)
	if n := s.st.seatLimit(); n != 500 {
		t.Errorf("demo seat limit %d, want 500", n)
	}
	org := DemoOrg()
	for len(org.Users) < 501 {
		u := cloneUser(org.Users[len(org.Users)-1])
		u.UserID = "extra" + itoa(len(org.Users))
		u.Mobile = "136" + strings.Repeat("0", 5) + itoa(100+len(org.Users))
		u.Email = ""
		u.Creator = false
		org.Users = append(org.Users, u)
	}
	big := startRules(t, org, oldSyncIP)
	c := contacts(t, big)
	wantCode(t, c.post("user/create", newbie("seat502", "13700000502")), 45024)
	wantCode(t, c.get("user/delete", "userid", "extra40"), 0)
	wantCode(t, c.post("user/create", newbie("seat502", "13700000502")), 0)
	wantCode(t, c.post("user/create", newbie("seat503", "13700000503")), 45024)
}

// TestSeatLimitBatch: an import's new members past the seat limit fail
// with 45024 in the job's results, the other rows apply; a replacement
// frees the seats of the members it deletes before adding its own.
func TestSeatLimitBatch(t *testing.T) {
	t.Parallel()
	s := startRules(t, seatOrg(), oldSyncIP, WithBatchDuration(time.Millisecond))
	c := contacts(t, s)
	file := "姓名,帐号,手机号,所在部门,职位\n" +
		"新人甲,xinjia,13512340001,1,\n" +
		"李四,lisi,13800138003,3,资深后端工程师\n" +
		"新人乙,xinyi,13512340002,1,\n"
	res, _ := pollJob(t, c, submitImport(t, c, "batch/syncuser", file, nil))
	wantCode(t, res, 0)
	var codes []int
	for _, r := range res.list("result") {
		codes = append(codes, result(r.(map[string]any)).code())
	}
	if len(codes) != 3 || codes[0] != 0 || codes[1] != 0 || codes[2] != 45024 {
		t.Errorf("row errcodes %v, want [0 0 45024]", codes)
	}
	wantCode(t, c.get("user/get", "userid", "xinyi"), 60111)
	if got := c.get("user/get", "userid", "lisi"); got.str("position") != "资深后端工程师" {
		t.Errorf("lisi after sync: %v", got)
	}
	wantMembers(t, s, 41, "a sync past the seat limit")

	// 41 members, all seats taken: a file that keeps 36 of them frees 5.
	users := s.Snapshot().Users
	more := ""
	for i := range 6 {
		more += "替补,tibu" + itoa(i) + ",1351234100" + itoa(i) + ",,1,,,,,,,,0,\n"
	}
	res, _ = pollJob(t, c, submitImport(t, c, "batch/replaceuser", userHeader+memberRows(users[:36])+more, nil))
	wantCode(t, res, 0)
	rows := res.list("result")
	if len(rows) != 42 {
		t.Fatalf("%d results, want 42", len(rows))
	}
	for i, r := range rows[36:] {
		want := 0
		if i == 5 {
			want = 45024
		}
		if got := result(r.(map[string]any)); got.code() != want {
			t.Errorf("row %d (%s) errcode %d, want %d", 36+i, got.str("userid"), got.code(), want)
		}
	}
	wantMembers(t, s, 41, "a replacement past the seat limit")
}

// TestSeatLimitConsole: the admin console adds no member past the seat
// limit either.
func TestSeatLimitConsole(t *testing.T) {
	t.Parallel()
	s := startRules(t, seatOrg(), oldSyncIP)
	post := func(body map[string]any) result {
		t.Helper()
		b, _ := json.Marshal(body)
		resp, err := http.Post(strings.TrimSuffix(s.BaseURL(), "/cgi-bin/")+"/_emulator/console/user/create", "application/json", strings.NewReader(string(b)))
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var out result
		if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
			t.Fatal(err)
		}
		return out
	}
	wantCode(t, post(newbie("seat41", "13600000041")), 0)
	wantCode(t, post(newbie("seat42", "13600000042")), 45024)
	wantMembers(t, s, 41, "a console create past the seat limit")
}
