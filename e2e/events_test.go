package e2e

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	neturl "net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/wecomrunner/runner/internal/exampletree"
	"github.com/wecomrunner/runner/wecom/callback"
)

// eventJobs is a jobs file whose jobs WeCom's contact events run, against
// the emulator whose variables the environment holds. The member is read
// by the application (notify): the contacts sync may not call user/get from
// a new IP.
const eventJobs = `timezone: UTC
grace: 10s
clients:
  contacts: {corp_id: "${WECOM_CORP_ID}", secret: "${WECOM_CONTACTS_SECRET}", base_url: "${WECOM_BASE_URL}"}
  notify: {corp_id: "${WECOM_CORP_ID}", secret: "${WECOM_SECRET}", base_url: "${WECOM_BASE_URL}"}
callbacks:
  contacts:
    token: ${WECOM_CB_TOKEN}
    encoding_aes_key: ${WECOM_CB_AES_KEY}
    receive_id: ${WECOM_CORP_ID}
jobs:
  - name: greet
    on: {callback: contacts, change_type: create_user}
    script: greet.lua
    client: notify
`

// greetScript reads the new member again, as the event carries only ids.
const greetScript = `local event = require("event")
local u = require("wecom").user.get(event.UserID)
print(string.format("hello %s of %s (%s)", u.name, event.Department, event.lists.Department[1]))
`

// eventsRig is runner emulator pushing its events to the callback contacts
// of runner serve.
type eventsRig struct {
	emu   string   // the emulator's root URL
	env   []string // the variables the emulator printed
	dir   string   // serve's directory, with jobs.yaml and the scripts
	cb    string   // the address of serve's callbacks
	serve *exec.Cmd
	log   *serveLog // serve's
}

// startEventsServe starts an eventsRig whose serve runs jobsYAML with
// scripts, and waits for serve's scheduler.
func startEventsServe(t *testing.T, jobsYAML string, scripts map[string]string) eventsRig {
	t.Helper()
	callbacks := freePort(t)
	vars := emulatorProcess(t, "WECOM_CB_AES_KEY", "--callback-url", "http://"+callbacks+"/callback/contacts")
	if vars["WECOM_CB_TOKEN"] == "" {
		t.Fatalf("runner emulator printed %q", vars)
	}
	r := eventsRig{emu: strings.TrimSuffix(vars["WECOM_BASE_URL"], "/cgi-bin/"), dir: jobsDir(t, jobsYAML, scripts), cb: callbacks}
	for k, v := range vars {
		r.env = append(r.env, k+"="+v)
	}
	r.serve, _, r.log = startServeEnv(t, r.dir, r.env, "--callback-listen", callbacks)
	waitFor(t, r.log, `msg="scheduler started"`)
	return r
}

func postConsole(t *testing.T, emu, action, body string) {
	t.Helper()
	resp, err := http.Post(emu+"/_emulator/console/"+action, "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	answer, _ := io.ReadAll(resp.Body)
	if !strings.Contains(string(answer), `"errcode":0`) {
		t.Fatalf("console %s: %s", action, answer)
	}
}

// TestEventsEndToEnd runs the built binary as an admin would: runner
// emulator pushing its events to runner serve's callback; a member added in
// the emulator's admin console runs the job, which reads the member back.
// The run is in the history with its event, and runner events replay runs
// the job again with it.
func TestEventsEndToEnd(t *testing.T) {
	t.Parallel()
	r := startEventsServe(t, eventJobs, map[string]string{"greet.lua": greetScript})
	emu, env, dir, serve, log, callbacks := r.emu, r.env, r.dir, r.serve, r.log, r.cb

	postConsole(t, emu, "user/create", `{"userid":"xiaoming","name":"小明","mobile":"13900000001","department":[6]}`)
	waitFor(t, log, `msg="hello 小明 of 6 (6)" job=greet`)
	waitFor(t, log, `msg="run finished" job=greet`)
	if !strings.Contains(log.String(), `msg="event accepted" callback=contacts type=change_contact`) {
		t.Errorf("serve's log lacks the accepted event:\n%s", log)
	}
	resp, err := http.Get(emu + "/_emulator/callbacks")
	if err != nil {
		t.Fatal(err)
	}
	var deliveries []struct {
		Delivered bool `json:"delivered"`
		Status    int  `json:"status"`
	}
	json.NewDecoder(resp.Body).Decode(&deliveries)
	resp.Body.Close()
	if len(deliveries) != 1 || !deliveries[0].Delivered || deliveries[0].Status != 200 {
		t.Errorf("the emulator's deliveries = %+v, want one, answered 200", deliveries)
	}
	// A wrong signature is refused, and shows no secret in the log.
	resp, err = http.Post("http://"+callbacks+"/callback/contacts?msg_signature=0&timestamp="+strconv.FormatInt(time.Now().Unix(), 10)+"&nonce=1", "text/xml", strings.NewReader("<xml><Encrypt>AAAA</Encrypt></xml>"))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("a forged event = %d, want 403", resp.StatusCode)
	}

	serve.Process.Signal(syscall.SIGTERM)
	if err := serve.Wait(); err != nil {
		t.Fatalf("serve after SIGTERM: %v\n%s", err, log)
	}
	for _, kv := range env {
		name, value, _ := strings.Cut(kv, "=")
		if (strings.Contains(name, "SECRET") || strings.HasPrefix(name, "WECOM_CB_")) && strings.Contains(log.String(), value) {
			t.Errorf("serve's log shows %s", name)
		}
	}

	stdout, stderr, code := runner(t, dir, env, "jobs", "history", "greet")
	lines := strings.Split(strings.TrimSpace(stdout), "\n")
	if code != 0 || len(lines) != 2 || !strings.Contains(lines[1], " event ") || !strings.Contains(lines[1], " ok") {
		t.Fatalf("jobs history: exit %d\n%s%s", code, stdout, stderr)
	}
	id := strings.Fields(lines[1])[0]

	// The recorded event runs the job again; so does a file.
	stdout, stderr, code = runner(t, dir, env, "events", "replay", "--run", id, "greet")
	if code != 0 || !strings.Contains(stdout, "hello 小明 of 6 (6)") || !regexp.MustCompile(`greet \S+: ok at `).MatchString(stdout) {
		t.Errorf("events replay --run: exit %d\n%s%s", code, stdout, stderr)
	}
	event := `<xml><ToUserName>ww</ToUserName><MsgType>event</MsgType><Event>change_contact</Event>` +
		`<ChangeType>create_user</ChangeType><UserID>lisi</UserID><Department>3</Department></xml>`
	os.WriteFile(filepath.Join(dir, "lisi.xml"), []byte(event), 0o644)
	stdout, stderr, code = runner(t, dir, env, "events", "replay", "greet", "lisi.xml")
	if code != 0 || !strings.Contains(stdout, "hello 李四 of 3 (3)") {
		t.Errorf("events replay FILE: exit %d\n%s%s", code, stdout, stderr)
	}
	stdout, _, _ = runner(t, dir, env, "jobs", "history", "greet")
	if n := strings.Count(stdout, " event "); n != 3 {
		t.Errorf("history has %d event runs, want 3:\n%s", n, stdout)
	}
	if _, stderr, code := runner(t, dir, env, "events", "replay", "greet"); code != 2 || !strings.Contains(stderr, "--run") {
		t.Errorf("replay without an event: exit %d\n%s", code, stderr)
	}
	if _, stderr, code := runner(t, dir, env, "events", "replay", "--run", "nope", "greet"); code != 2 || !strings.Contains(stderr, "no run nope") {
		t.Errorf("replay of an unknown run: exit %d\n%s", code, stderr)
	}

	// runner exec --event gives a script the event without a job.
	stdout, stderr, code = runner(t, dir, env, "exec", "--config", "jobs.yaml", "--client", "notify", "--event", "lisi.xml", "greet.lua")
	if code != 0 || stdout != "hello 李四 of 3 (3)\n" {
		t.Errorf("exec --event: exit %d\n%s%s", code, stdout, stderr)
	}
	os.WriteFile(filepath.Join(dir, "bad.xml"), []byte("<xml><UserID>x</xml>"), 0o644)
	if _, stderr, code := runner(t, dir, env, "exec", "--config", "jobs.yaml", "--event", "bad.xml", "greet.lua"); code != 2 || !strings.Contains(stderr, "bad.xml") {
		t.Errorf("exec --event with a bad file: exit %d\n%s", code, stderr)
	}
}

// eventsTry runs runner events try in dir with args, fails the test unless
// it exits 0, and returns its stdout and stderr.
func eventsTry(t *testing.T, dir string, args ...string) (string, string) {
	t.Helper()
	stdout, stderr, code := runner(t, dir, nil, append([]string{"events", "try"}, args...)...)
	if code != 0 {
		t.Fatalf("events try: exit %d\n%s%s", code, stdout, stderr)
	}
	return stdout, stderr
}

// TestEventsTry is make demo's event path: the example jobs of jobs.yaml,
// triggered by changes in the emulator's admin console.
func TestEventsTry(t *testing.T) {
	t.Parallel()
	dir := exampletree.Copy(t)
	stdout, _ := eventsTry(t, dir, "--join", "xiaoming:6:小明", "--leave", "zhoujie")
	wantContains(t, "stdout", stdout,
		"welcomed 小明 (xiaoming): tag 2, chats OPSONCALL2024",
		"- 成员：zhoujie（不在目录副本中）",
	)
	if !regexp.MustCompile(`(?m)^welcome-on-join \S+ \(change_contact\): ok at `).MatchString(stdout) ||
		!regexp.MustCompile(`(?m)^offboarding \S+ \(change_contact\): ok at `).MatchString(stdout) {
		t.Errorf("stdout lacks the two runs:\n%s", stdout)
	}
	if _, stderr, code := runner(t, dir, nil, "events", "try"); code != 2 || !strings.Contains(stderr, "nothing to try: give --join, --leave, --approve or --reject") {
		t.Errorf("events try with nothing to try: exit %d\n%s", code, stderr)
	}
}

// TestEventsTryApprovals: the demo's pending 报销 approved by its two
// approvers runs approval-notice twice; the second run hands it to
// finance. An approver no approval waits for is refused before anything
// runs.
func TestEventsTryApprovals(t *testing.T) {
	t.Parallel()
	dir := exampletree.Copy(t)
	stdout, stderr := eventsTry(t, dir, "--approve", "guoqiang", "--approve", "zhenghui")
	if runs := regexp.MustCompile(`(?m)^approval-notice \S+ \(sys_approval_change\): ok at `).FindAllString(stdout, -1); len(runs) != 2 {
		t.Errorf("stdout lacks the two runs:\n%s", stdout)
	}
	wantContains(t, "stdout", stdout, `console approval/approve {"sp_no":"`, `"userid":"zhenghui"}`)
	wantContains(t, "stderr", stderr, `msg="not an approval approved"`, `msg="expense handed to finance"`, "amount=560.00")
	_, stderr, code := runner(t, dir, nil, "events", "try", "--reject", "xieting")
	if code != 2 || !strings.Contains(stderr, "--reject xieting: no pending approval waits for xieting") {
		t.Errorf("events try --reject xieting: exit %d\n%s", code, stderr)
	}
	if _, stderr, code := runner(t, dir, nil, "events", "try", "--approve", ":202612010001"); code != 2 || !strings.Contains(stderr, "want USERID[:SP_NO]") {
		t.Errorf("events try --approve :SP_NO: exit %d\n%s", code, stderr)
	}
}

// durableJobs is a jobs file with one job that WeCom's create_user events
// run, one at a time; its script blocks for the member "blocker".
const durableJobs = `timezone: UTC
callbacks:
  contacts: {token: "${CB_TOKEN}", encoding_aes_key: "${CB_KEY}", receive_id: ww-durable}
jobs:
  - name: onboard
    on: {callback: contacts, change_type: create_user}
    script: onboard.lua
    timeout: 2h
`

const onboardScript = `local event = require("event")
if event.UserID == "blocker" then
  print("blocking for " .. event.UserID)
  require("time").sleep(7200)
end
print("onboarded " .. event.UserID)
`

// TestEventsSurviveKill: serve killed with SIGKILL while an event it
// answered 200 waits for its run (behind another that blocks) runs the event
// once at its next start, on the same state file. The run that was going on
// is interrupted, not run again; a redelivery of the event runs nothing.
func TestEventsSurviveKill(t *testing.T) {
	t.Parallel()
	const token, key = "durableToken", "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C"
	env := []string{"CB_TOKEN=" + token, "CB_KEY=" + key}
	crypto, err := callback.New(token, key, "ww-durable")
	if err != nil {
		t.Fatal(err)
	}
	nonce := 0
	// deliver posts an event as WeCom does, and returns the function that
	// posts it again to a serve at url.
	deliver := func(url, user string) func(url string) int {
		xml := fmt.Sprintf(`<xml><ToUserName><![CDATA[ww-durable]]></ToUserName><FromUserName><![CDATA[sys]]></FromUserName>`+
			`<CreateTime>%d</CreateTime><MsgType><![CDATA[event]]></MsgType><Event><![CDATA[change_contact]]></Event>`+
			`<ChangeType>create_user</ChangeType><UserID><![CDATA[%s]]></UserID></xml>`, time.Now().Unix(), user)
		enc := crypto.Encrypt([]byte(xml))
		nonce++
		ts, n := strconv.FormatInt(time.Now().Unix(), 10), strconv.Itoa(nonce)
		q := neturl.Values{"msg_signature": {callback.Signature(token, ts, n, enc)}, "timestamp": {ts}, "nonce": {n}}
		body := "<xml><Encrypt><![CDATA[" + enc + "]]></Encrypt></xml>"
		post := func(url string) int {
			resp, err := http.Post(url+"callback/contacts?"+q.Encode(), "text/xml", strings.NewReader(body))
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			return resp.StatusCode
		}
		if code := post(url); code != http.StatusOK {
			t.Fatalf("the event for %s = %d", user, code)
		}
		return post
	}

	dir := jobsDir(t, durableJobs, map[string]string{"onboard.lua": onboardScript})
	serve, url, log := startServeEnv(t, dir, env)
	deliver(url, "blocker")
	waitFor(t, log, `msg="blocking for blocker"`)
	again := deliver(url, "xiaoming") // answered 200: it waits behind blocker's run
	if err := serve.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	serve.Wait()

	serve, url, log = startServeEnv(t, dir, env)
	waitFor(t, log, `msg="pending events taken up: they run as they came" events=1`)
	var history string
	for deadline := time.Now().Add(time.Minute); ; {
		stdout, stderr, code := runner(t, dir, env, "jobs", "history", "onboard")
		if code != 0 {
			t.Fatalf("jobs history: exit %d\n%s", code, stderr)
		}
		if history = stdout; strings.Contains(history, " recovered ") && strings.Contains(history, " ok") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no recovered run in the history after a minute:\n%s\nserve's log:\n%s", history, log)
		}
		time.Sleep(100 * time.Millisecond)
	}
	lines := strings.Split(strings.TrimSpace(history), "\n")[1:]
	if len(lines) != 2 || !strings.Contains(lines[0], " recovered ") || !strings.Contains(lines[1], " event ") || !strings.Contains(lines[1], " interrupted") {
		t.Errorf("history, want the recovered run of xiaoming and blocker's interrupted one:\n%s", history)
	}
	waitFor(t, log, `msg="onboarded xiaoming"`)
	if n := strings.Count(log.String(), "blocking for blocker"); n != 0 {
		t.Errorf("the run killed midway ran again (%d times)", n)
	}
	// WeCom delivering the event again gets 200 and runs nothing.
	if code := again(url); code != http.StatusOK {
		t.Errorf("a redelivery = %d, want 200", code)
	}
	waitFor(t, log, `msg="event delivered again: it is taken already"`)
	serve.Process.Signal(syscall.SIGTERM)
	if err := serve.Wait(); err != nil {
		t.Fatalf("serve after SIGTERM: %v\n%s", err, log)
	}
	stdout, _, _ := runner(t, dir, env, "jobs", "history", "onboard")
	if n := strings.Count(stdout, "\n") - 1; n != 2 {
		t.Errorf("history after the redelivery has %d runs, want 2:\n%s", n, stdout)
	}
	if strings.Contains(log.String(), key) || strings.Contains(log.String(), token) {
		t.Error("serve's log shows the callback's secrets")
	}
	state, err := os.ReadFile(filepath.Join(dir, ".runner", "state.db"))
	if err != nil || !strings.Contains(string(state), "xiaoming") || strings.Contains(string(state), key) || strings.Contains(string(state), token) {
		t.Errorf("the state file (%d bytes, %v) holds the callback's token or key, or not the event", len(state), err)
	}
}

// TestEventsTryDemo is make demo's event step: a newcomer joins the team
// whose on-call chat's owner leaves at the same moment. Both jobs succeed
// at their first attempt, whichever acts first: the chat is handed to the
// same member, and the report names them.
func TestEventsTryDemo(t *testing.T) {
	t.Parallel()
	dir := exampletree.Copy(t)
	if stdout, stderr, code := runner(t, dir, nil, "jobs", "run", "--emulator", "--config", "jobs.yaml", "offboarding"); code != 0 {
		t.Fatalf("the nightly offboarding run: exit %d\n%s%s", code, stdout, stderr)
	}
	stdout, stderr := eventsTry(t, dir, "--join", "xiaoming:6:小明", "--leave", "xuming")
	wantContains(t, "stdout", stdout,
		"welcomed 小明 (xiaoming): tag 2, chats OPSONCALL2024",
		"- 成员：**徐明**（xuming）运维主管",
		"- 群聊「运维值班群」的群主转给：孙浩",
	)
	if strings.Contains(stderr, "86216") || strings.Contains(stderr, "attempt failed") {
		t.Errorf("a job needed another attempt:\n%s", stderr)
	}
}

// approvalJobs is a jobs file whose job the approval events run.
const approvalJobs = `timezone: UTC
grace: 10s
clients:
  contacts: {corp_id: "${WECOM_CORP_ID}", secret: "${WECOM_CONTACTS_SECRET}", base_url: "${WECOM_BASE_URL}"}
callbacks:
  contacts:
    token: ${WECOM_CB_TOKEN}
    encoding_aes_key: ${WECOM_CB_AES_KEY}
    receive_id: ${WECOM_CORP_ID}
jobs:
  - name: approvals
    on: {callback: contacts, event: sys_approval_change}
    script: approvals.lua
`

// approvalScript prints what the event says of the approval and its
// first step.
const approvalScript = `local info = require("event").ApprovalInfo
local step = info.SpRecord[1]
print(string.format("%s %s status %s change %s: %s step 1 by %s (%s) of %d steps", info.SpName, info.SpNo, info.SpStatus,
  info.StatuChangeEvent, info.Applyer.UserId, step.Details[1].Approver.UserId, step.Details[1].Speech, #info.SpRecord))
`

// TestApprovalEventsEndToEnd: an approver approving the demo's pending
// 报销 in runner emulator's admin console runs the job of runner serve
// with the sys_approval_change event.
func TestApprovalEventsEndToEnd(t *testing.T) {
	t.Parallel()
	r := startEventsServe(t, approvalJobs, map[string]string{"approvals.lua": approvalScript})
	emu, log := r.emu, r.log

	resp, err := http.Get(emu + "/_emulator/approvals")
	if err != nil {
		t.Fatal(err)
	}
	var approvals []struct {
		SpNo      string   `json:"sp_no"`
		SpStatus  int      `json:"sp_status"`
		Creator   string   `json:"creator_userid"`
		Approvers []string `json:"approvers"`
	}
	json.NewDecoder(resp.Body).Decode(&approvals)
	resp.Body.Close()
	var sp string
	for _, a := range approvals {
		if a.SpStatus == 1 && a.Creator == "heyan" && len(a.Approvers) == 1 && a.Approvers[0] == "guoqiang" {
			sp = a.SpNo
		}
	}
	if sp == "" {
		t.Fatalf("no pending approval of heyan waiting for guoqiang: %+v", approvals)
	}
	postConsole(t, emu, "approval/approve", `{"sp_no":"`+sp+`","userid":"guoqiang","speech":"同意"}`)
	waitFor(t, log, fmt.Sprintf(`msg="报销 %s status 1 change 2: heyan step 1 by guoqiang (同意) of 2 steps" job=approvals`, sp))
	postConsole(t, emu, "approval/approve", `{"sp_no":"`+sp+`","userid":"zhenghui"}`)
	waitFor(t, log, fmt.Sprintf(`msg="报销 %s status 2 change 2: heyan step 1 by guoqiang (同意) of 2 steps" job=approvals`, sp))
}
