package emulator

import (
	"fmt"
	"maps"
	"strings"
	"testing"
	"time"
)

const userHeader = "姓名,帐号,手机号,邮箱,所在部门,职位,性别,是否部门内领导,排序,别名,地址,座机,禁用,禁用项说明：(0-启用;1-禁用)\n"

// uploadCSV uploads a CSV file and returns its media id.
func uploadCSV(t *testing.T, c *apiClient, content string) string {
	t.Helper()
	r := c.upload("media/upload", "batch.csv", []byte(content), "type", "file")
	wantCode(t, r, 0)
	return r.str("media_id")
}

// submitImport uploads file and submits it to api (batch/syncuser,
// batch/replaceuser or batch/replaceparty) with the fields of extra, and
// returns the job's id.
func submitImport(t *testing.T, c *apiClient, api, file string, extra map[string]any) string {
	t.Helper()
	body := map[string]any{"media_id": uploadCSV(t, c, file)}
	maps.Copy(body, extra)
	r := c.post(api, body)
	wantCode(t, r, 0)
	return r.str("jobid")
}

// wantMembers fails t unless the organisation has want members after
// what happened.
func wantMembers(t *testing.T, s *Server, want int, after string) {
	t.Helper()
	if n := len(s.Snapshot().Users); n != want {
		t.Errorf("%d members after %s, want %d", n, after, want)
	}
}

// pollJob polls batch/getresult until the job is done and returns the
// final answer and the statuses seen.
func pollJob(t *testing.T, c *apiClient, jobID string) (result, []int) {
	t.Helper()
	var seen []int
	for deadline := time.Now().Add(time.Minute); time.Now().Before(deadline); time.Sleep(time.Millisecond) {
		r := c.get("batch/getresult", "jobid", jobID)
		seen = append(seen, r.num("status"))
		if r.num("status") == 3 {
			return r, seen
		}
	}
	t.Fatalf("job %s never finished: statuses %v", jobID, seen)
	return nil, nil
}

// memberRows renders demo members as CSV rows.
func memberRows(users []User) string {
	var b strings.Builder
	for _, u := range users {
		fmt.Fprintf(&b, "%s,%s,%s,%s,%s,%s,%s,,,,,,0,\n", u.Name, u.UserID, u.Mobile, u.Email, joinInts(u.Department), u.Position, map[string]string{"1": "男", "2": "女"}[u.Gender])
	}
	return b.String()
}

func joinInts(ids []int) string {
	s := make([]string, len(ids))
	for i, id := range ids {
		s[i] = itoa(id)
	}
	return strings.Join(s, ";")
}

func TestBatchReplaceUser(t *testing.T) {
	t.Parallel()
	clock := newFakeClock() // frozen: jobs advance with polls
	s := startServer(t, WithClock(clock.Now))
	c := contacts(t, s)
	users := DemoOrg().Users
	keep := users[:36] // drops 4 members: 10%
	file := "\xef\xbb\xbf" + userHeader + memberRows(keep) +
		"新同事,xintongshi,13512345678,xin@example.com,3;4,实习生,女,0;1,,小新,,,0,\n" +
		"坏部门,baddept,13512345679,,999,,,,,,,,0,\n"
	job := submitImport(t, c, "batch/replaceuser", file, map[string]any{"to_invite": true,
		"callback": map[string]any{"url": nil, "token": nil, "encodingaeskey": nil}})

	res, seen := pollJob(t, c, job)
	if fmt.Sprint(seen) != "[1 2 3]" {
		t.Errorf("statuses %v, want [1 2 3]", seen)
	}
	if res.str("type") != "replace_user" || res.num("total") != 38 || res.num("percentage") != 100 {
		t.Errorf("getresult = %v", res)
	}
	results := res.list("result")
	if len(results) != 38 {
		t.Fatalf("%d results", len(results))
	}
	last := result(results[37].(map[string]any))
	if last.str("userid") != "baddept" || last.code() != 60123 {
		t.Errorf("bad row result = %v", last)
	}
	c = contacts(t, s)
	wantCode(t, c.get("user/get", "userid", "weiwei"), 60111) // absent from the file
	u := c.get("user/get", "userid", "xintongshi")
	wantCode(t, u, 0)
	if u.str("gender") != "2" || len(u.list("department")) != 2 || u.list("is_leader_in_dept")[1] != 1.0 {
		t.Errorf("created member %v", u)
	}
	wantMembers(t, s, 37, "replace")
}

func TestBatchReplaceUserProtection(t *testing.T) {
	t.Parallel()
	s := startServer(t, WithBatchDuration(time.Millisecond))
	c := contacts(t, s)
	file := userHeader + memberRows(DemoOrg().Users[:5])
	res, _ := pollJob(t, c, submitImport(t, c, "batch/replaceuser", file, nil))
	wantCode(t, res, 45026)
	wantMembers(t, s, 40, "an aborted replace")
	jobs := s.BatchJobs()
	if len(jobs) != 1 || jobs[0].ErrCode != 45026 || jobs[0].Status != 3 {
		t.Errorf("BatchJobs() = %v", jobs)
	}
}

func TestBatchSyncUser(t *testing.T) {
	t.Parallel()
	s := startServer(t, WithBatchDuration(20*time.Millisecond))
	c := contacts(t, s)
	file := "姓名,帐号,手机号,所在部门,职位\n李四,lisi,13800138003,3,资深后端工程师\n新人,xinren,13512340000,5,测试工程师\n"
	submitImport(t, c, "batch/syncuser", file, map[string]any{"to_invite": false})
	// The job completes by itself after its duration.
	deadline := time.Now().Add(time.Minute)
	for s.BatchJobs()[0].Status != 3 && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	if got := c.get("user/get", "userid", "lisi"); got.str("position") != "资深后端工程师" || got.str("email") == "" {
		t.Errorf("lisi after sync: %v", got)
	}
	wantCode(t, c.get("user/get", "userid", "xinren"), 0)
	wantMembers(t, s, 41, "sync")
}

func TestBatchReplaceParty(t *testing.T) {
	t.Parallel()
	s := startServer(t, WithBatchDuration(time.Millisecond))
	c := contacts(t, s)
	// Keep the tree but rename 产品部, move 测试部 under 1, add 数据部 under a
	// new 平台部, and leave out 行政部 (has members) and a new empty one.
	wantCode(t, c.post("department/create", map[string]any{"name": "临时项目组", "parentid": 1, "id": 30}), 0)
	file := "部门名称,部门ID,父部门ID,排序\n" +
		"腾飞科技,1,0,\n研发中心,2,1,\n后端开发部,3,2,\n前端开发部,4,2,\n测试部,5,1,\n运维部,6,2,\n" +
		"产品与设计部,7,1,\n市场部,8,1,\n华东销售部,9,8,\n华南销售部,10,8,\n人力资源部,11,1,\n财务部,12,1,\n" +
		"数据部,21,20,5\n平台部,20,2,\n"
	res, _ := pollJob(t, c, submitImport(t, c, "batch/replaceparty", file, nil))
	wantCode(t, res, 0)
	actions := map[int]int{}
	for _, item := range res.list("result") {
		m := result(item.(map[string]any))
		actions[m.num("partyid")] = m.num("action")
		if m.code() != 0 {
			t.Errorf("row %v failed", m)
		}
	}
	if actions[7] != 2 || actions[5] != 4 || actions[20] != 1 || actions[21] != 1 || actions[3] != 0 {
		t.Errorf("actions = %v", actions)
	}
	wantCode(t, c.get("department/get", "id", "30"), 60003) // empty and absent: deleted
	wantCode(t, c.get("department/get", "id", "13"), 0)     // absent but has members: kept

	// Once a member import empties 行政部, it goes.
	members := ""
	for _, u := range DemoOrg().Users {
		if u.Department[0] != 13 {
			members += memberRows([]User{u})
		}
	}
	res, _ = pollJob(t, c, submitImport(t, c, "batch/replaceuser", userHeader+members, nil))
	wantCode(t, res, 0)
	wantCode(t, c.get("department/get", "id", "13"), 60003)
}

func TestBatchFileErrors(t *testing.T) {
	t.Parallel()
	s := startServer(t)
	c := contacts(t, s)
	tests := []struct {
		name, api, file string
	}{
		{"no header", "batch/syncuser", "张三,zhangsan,138\n"},
		{"missing name", "batch/syncuser", "姓名,帐号,手机号,所在部门\n,zhangsan,13800138002,2\n"},
		{"missing mobile and email", "batch/replaceuser", "姓名,帐号,手机号,邮箱,所在部门\n张三,zhangsan,,,2\n"},
		{"no rows", "batch/syncuser", userHeader},
		{"party id not numeric", "batch/replaceparty", "部门名称,部门ID,父部门ID\n研发,abc,1\n"},
	}
	for _, tt := range tests {
		if r := c.post(tt.api, map[string]any{"media_id": uploadCSV(t, c, tt.file)}); r.code() != 40092 {
			t.Errorf("%s: %v", tt.name, r)
		}
	}
	wantCode(t, c.post("batch/syncuser", map[string]any{"media_id": "nope"}), 40007)
	wantCode(t, c.post("batch/syncuser", map[string]any{}), 41006)
	wantCode(t, opsApp(t, s).post("batch/syncuser", map[string]any{"media_id": "nope"}), 48002)
	wantCode(t, c.get("batch/getresult", "jobid", "nope"), 40088)
}

func TestBatchResultsKept(t *testing.T) {
	t.Parallel()
	s := startServer(t, WithBatchDuration(time.Millisecond))
	c := contacts(t, s)
	media := uploadCSV(t, c, "姓名,帐号,手机号,所在部门\n李四,lisi,13800138003,3\n")
	var ids []string
	for range 6 {
		r := c.post("batch/syncuser", map[string]any{"media_id": media})
		wantCode(t, r, 0)
		ids = append(ids, r.str("jobid"))
	}
	wantCode(t, c.get("batch/getresult", "jobid", ids[0]), 40089)
	wantCode(t, c.get("batch/getresult", "jobid", ids[1]), 0)
}

func TestBatchInvite(t *testing.T) {
	t.Parallel()
	s := startServer(t)
	c := contacts(t, s)
	r := c.post("batch/invite", map[string]any{"user": []string{"panyue", "zhangsan", "ghost"}, "party": []int{999}, "tag": []int{2}})
	wantCode(t, r, 0)
	if fmt.Sprint(r.list("invaliduser")) != "[ghost]" || fmt.Sprint(r.list("invalidparty")) != "[999]" {
		t.Errorf("invite answer %v", r)
	}
	inv := s.Invitations()
	if len(inv) != 1 || fmt.Sprint(inv[0].Users) != "[panyue]" {
		t.Errorf("Invitations() = %+v", inv)
	}
	wantCode(t, c.post("batch/invite", map[string]any{}), 40058)

	legacy := c.post("batch/inviteuser", map[string]any{"touser": "panyue|zhangsan", "invite_tips": "欢迎",
		"callback": map[string]string{"url": "https://oa.example.com/cb", "token": "t", "encodingaeskey": "k"}})
	wantCode(t, legacy, 0)
	res, _ := pollJob(t, c, legacy.str("jobid"))
	if res.str("type") != "invite_user" || len(res.list("result")) != 1 {
		t.Errorf("invite_user result %v", res)
	}
}
