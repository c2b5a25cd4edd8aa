package e2e

// End-to-end tests of the control API of runner serve and of the commands
// that go through it.

import (
	"bufio"
	"bytes"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/wecomrunner/runner/internal/redistest"

	"github.com/wecomrunner/runner/runtime/service"
)

// readToken reads the control token that serve made in dir's state.
func readToken(t *testing.T, dir string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, ".runner", "control.token"))
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(string(b))
}

func TestServeControlAPI(t *testing.T) {
	t.Parallel()
	dir := jobsDir(t, `timezone: UTC
jobs:
  - name: by-hand
    schedule: "@daily"
    script: hello.lua
    enabled: false
`, map[string]string{"hello.lua": `print("hello " .. require("args").get("who", "nobody"))` + "\n"})
	cmd, url, log := startServe(t, dir)
	token := readToken(t, dir)
	if b, err := os.ReadFile(filepath.Join(dir, ".runner", "state.db.service")); err != nil || !strings.Contains(string(b), url) {
		t.Errorf("serve did not record its address in the state: %s, %v", b, err)
	}
	client := service.NewControlClient(url, token)
	ctx := t.Context()
	rec, err := client.RunNow(ctx, "by-hand", service.RunBody{Args: map[string]any{"who": "alice"}, By: "alice@laptop"})
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := client.Log(ctx, rec.ID, 0, true, &out); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), `msg="hello alice"`) || !strings.Contains(out.String(), `msg="run finished" result=ok`) {
		t.Errorf("the log of the manual run:\n%s", out.String())
	}
	if _, err := service.NewControlClient(url, "wrong").Jobs(ctx); err == nil || !strings.Contains(err.Error(), "missing or wrong control token") {
		t.Errorf("a wrong token: %v", err)
	}

	cmd.Process.Signal(syscall.SIGTERM)
	if err := cmd.Wait(); err != nil {
		t.Fatalf("serve: %v\n%s", err, log)
	}
	if strings.Contains(log.String(), token) {
		t.Error("serve logged its control token")
	}
	if _, err := os.Stat(filepath.Join(dir, ".runner", "state.db.service")); !os.IsNotExist(err) {
		t.Errorf("the service file outlived serve: %v", err)
	}
}

// TestJobsRunRetriesOnce: runner jobs run sends its request again when the
// answer is lost on the way (here a proxy between it and serve drops the
// first one), with the same Idempotency-Key: serve runs the job once.
func TestJobsRunRetriesOnce(t *testing.T) {
	t.Parallel()
	dir := jobsDir(t, `timezone: UTC
jobs:
  - {name: by-hand, schedule: "@daily", script: hello.lua, enabled: false}
`, map[string]string{"hello.lua": `print("hello")` + "\n"})
	cmd, serveURL, log := startServe(t, dir)
	target, err := url.Parse(serveURL)
	if err != nil {
		t.Fatal(err)
	}
	proxy := httputil.NewSingleHostReverseProxy(target)
	var mu sync.Mutex
	var keys []string // of the requests to run, in order
	lossy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost {
			proxy.ServeHTTP(w, r)
			return
		}
		mu.Lock()
		keys = append(keys, r.Header.Get("Idempotency-Key"))
		first := len(keys) == 1
		mu.Unlock()
		if !first {
			proxy.ServeHTTP(w, r)
			return
		}
		proxy.ServeHTTP(httptest.NewRecorder(), r) // serve handles it; the answer is lost
		if conn, _, err := w.(http.Hijacker).Hijack(); err == nil {
			conn.Close()
		}
	}))
	defer lossy.Close()
	// The command line finds serve through the file serve wrote: send it
	// to the proxy instead.
	file := filepath.Join(dir, ".runner", "state.db.service")
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(file, bytes.ReplaceAll(b, []byte(serveURL), []byte(lossy.URL+"/")), 0o600); err != nil {
		t.Fatal(err)
	}

	stdout, stderr, code := runner(t, dir, nil, "jobs", "run", "by-hand")
	if code != 0 {
		t.Fatalf("jobs run: exit %d\n%s%s", code, stdout, stderr)
	}
	id := runID(t, stdout, "by-hand")
	mu.Lock()
	if len(keys) < 2 || keys[0] == "" || slices.ContainsFunc(keys, func(k string) bool { return k != keys[0] }) {
		t.Errorf("the requests' Idempotency-Keys: %q, want one key, sent again", keys)
	}
	mu.Unlock()
	runs, err := service.NewControlClient(serveURL, readToken(t, dir)).Runs(t.Context(), "by-hand", 0)
	if err != nil || len(runs) != 1 || runs[0].ID != id {
		t.Errorf("runs of by-hand: %+v, %v; want %s only", runs, err, id)
	}
	cmd.Process.Signal(syscall.SIGTERM)
	if err := cmd.Wait(); err != nil {
		t.Fatalf("serve: %v\n%s", err, log)
	}
}

func TestServeRefusesTheNetworkWithoutToken(t *testing.T) {
	t.Parallel()
	dir := jobsDir(t, "jobs:\n  - {name: a, schedule: '@daily', script: a.lua}\n", map[string]string{"a.lua": "return 1\n"})
	_, stderr, code := runner(t, dir, nil, "serve", "--listen", "0.0.0.0:0")
	if code != 2 || !strings.Contains(stderr, "reachable from the network") || !strings.Contains(stderr, "control_token") {
		t.Errorf("serve on 0.0.0.0 without a token: exit %d\n%s", code, stderr)
	}
}

// TestJobsListWithoutSecrets lists the jobs of a production jobs.yaml whose
// secrets are not set: the listing needs none, and ${VAR:-default} applies.
func TestJobsListWithoutSecrets(t *testing.T) {
	t.Parallel()
	dir := jobsDir(t, `clients:
  contacts: {corp_id: "${WECOM_CORP_ID}", secret: "${WECOM_CONTACTS_SECRET}",
             base_url: "${WECOM_BASE_URL:-https://qyapi.weixin.qq.com/cgi-bin/}"}
control_token: "${RUNNER_CONTROL_TOKEN}"
jobs:
  - {name: sync, schedule: "0 2 * * *", script: a.lua}
`, map[string]string{"a.lua": "return 1\n"})
	stdout, stderr, code := runner(t, dir, nil, "jobs", "list")
	if code != 0 || !strings.Contains(stdout, "sync") {
		t.Errorf("jobs list without the secrets: exit %d\n%s%s", code, stdout, stderr)
	}
	if _, stderr, code := runner(t, dir, nil, "validate"); code != 2 || !strings.Contains(stderr+"", "problems") {
		t.Errorf("validate without the secrets: exit %d\n%s", code, stderr)
	}
}

// runID returns the run id that a line of runner jobs run starts with
// ("NAME ID: ...").
func runID(t *testing.T, out, job string) string {
	t.Helper()
	m := regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(job) + ` (\d{8}-\d{6}\.\d{3}-[0-9a-f]{6}): `).FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("no run id of %s in:\n%s", job, out)
	}
	return m[1]
}

// operateJobs runs the jobs commands an admin uses against the serves of dir
// (they run its slow, hello and fails jobs): runs, follows, refusals,
// cancel, pause and resume, reload, and the errors of bad input. It returns
// the id of the run of hello it made.
func operateJobs(t *testing.T, dir string) string {
	t.Helper()
	user := []string{"USER=alice"}
	host, _ := os.Hostname()
	want := func(what string, code, wantCode int, out string, texts ...string) {
		t.Helper()
		if code != wantCode {
			t.Errorf("%s: exit %d, want %d\n%s", what, code, wantCode, out)
		}
		for _, s := range texts {
			if !strings.Contains(out, s) {
				t.Errorf("%s: no %q in\n%s", what, s, out)
			}
		}
	}

	stdout, stderr, code := runner(t, dir, user, "jobs", "list")
	want("jobs list", code, 0, stdout+stderr, "hello", "slow", "disabled")

	stdout, stderr, code = runner(t, dir, user, "jobs", "run", "hello", "--arg", "who=alice", "--follow")
	want("jobs run --follow", code, 0, stdout+stderr, `msg="hello alice"`, "by=alice@"+host, `msg="run finished" result=ok`)
	hello := runID(t, stdout, "hello")
	stdout, stderr, code = runner(t, dir, user, "jobs", "history", "hello")
	want("jobs history", code, 0, stdout+stderr, hello, " manual ", "alice@"+host)
	stdout, stderr, code = runner(t, dir, user, "jobs", "logs", hello)
	want("jobs logs", code, 0, stdout+stderr, `msg="hello alice"`)
	stdout, stderr, code = runner(t, dir, user, "jobs", "logs", hello, "--lines", "1")
	want("jobs logs --lines 1", code, 0, stderr, "runner: lines 1-1 of ", "--from 2 prints the next ones")
	if strings.Count(stdout, "\n") != 1 || !strings.Contains(stdout, `msg="run started"`) {
		t.Errorf("jobs logs --lines 1 printed:\n%s", stdout)
	}

	// A failing run through the service exits 1 and says why.
	stdout, stderr, code = runner(t, dir, user, "jobs", "run", "fails", "--follow")
	want("jobs run of a failing job", code, 1, stdout+stderr, "failed at ", "boom", "runs did not succeed: fails (failed)")
	stdout, stderr, code = runner(t, dir, user, "jobs", "logs", runID(t, stdout, "fails"))
	want("jobs logs of a failing run", code, 0, stdout+stderr, `traceback="stack traceback:"`+"\n\t")
	if strings.Contains(stdout, `\n\t`) {
		t.Errorf("jobs logs shows a traceback as \\n\\t:\n%s", stdout)
	}

	// With forbid, a second run is refused while the first goes on, and the
	// follow of a run that is cancelled ends with the run.
	stdout, stderr, code = runner(t, dir, user, "jobs", "run", "slow")
	want("jobs run slow", code, 0, stdout+stderr, "started at", "runner jobs logs --follow")
	slow := runID(t, stdout, "slow")
	stdout, stderr, code = runner(t, dir, user, "jobs", "run", "slow")
	want("a second run of slow", code, 1, stdout+stderr, "slow is still running", "its concurrency is forbid")
	follow := background(t, dir, user, "jobs", "logs", "--follow", slow)
	waitUntil(t, "slow's log shows it working", func() bool {
		out, _, _ := runner(t, dir, user, "jobs", "logs", slow)
		return strings.Contains(out, "msg=working")
	})
	stdout, stderr, code = runner(t, dir, user, "jobs", "cancel", slow)
	want("jobs cancel", code, 0, stdout+stderr, "slow "+slow)
	stdout, stderr, code = follow()
	want("jobs logs --follow of the cancelled run", code, 1, stdout+stderr, "msg=working", "interrupted", "cancelled by alice@"+host)
	stdout, stderr, code = runner(t, dir, user, "jobs", "cancel", slow)
	want("a second cancel", code, 1, stdout+stderr, "has already ended: interrupted")

	// Pause and resume.
	stdout, stderr, code = runner(t, dir, user, "jobs", "pause", "hello")
	want("jobs pause", code, 0, stdout+stderr, "hello paused")
	stdout, stderr, code = runner(t, dir, user, "jobs", "run", "hello")
	want("a run of a paused job", code, 1, stdout+stderr, "hello is paused (by alice@"+host, "resume it first")
	stdout, stderr, code = runner(t, dir, user, "jobs", "list")
	want("jobs list of a paused job", code, 0, stdout+stderr, "paused by alice@"+host)
	stdout, stderr, code = runner(t, dir, user, "jobs", "resume", "hello")
	want("jobs resume", code, 0, stdout+stderr, "hello resumed")

	// Bad input: clear answers, exit 2, nothing run.
	stdout, stderr, code = runner(t, dir, user, "jobs", "run", "nope")
	want("jobs run of an unknown job", code, 2, stdout+stderr, `no job "nope"`)
	stdout, stderr, code = runner(t, dir, user, "jobs", "logs", "20250101-000000.000-abcdef")
	want("jobs logs of an unknown run", code, 2, stdout+stderr, "no run 20250101-000000.000-abcdef")
	stdout, stderr, code = runner(t, dir, user, "jobs", "cancel", "nope")
	want("jobs cancel of an unknown run", code, 2, stdout+stderr, "no run nope")
	stdout, stderr, code = runner(t, dir, user, "jobs", "run", "hello", "--arg", "who")
	want("a bad --arg", code, 2, stdout+stderr, "want key=value")

	stdout, stderr, code = runner(t, dir, user, "reload")
	want("runner reload", code, 0, stdout+stderr, "jobs.yaml reloaded: 3 jobs")
	return hello
}

// waitUntil polls cond until it holds, for a generous while.
func waitUntil(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(30 * time.Second); !cond(); {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within 30s", what)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

const operateJobsYAML = `timezone: UTC
grace: 10s
jobs:
  - {name: hello, schedule: "@daily", script: hello.lua, enabled: false}
  - {name: slow, schedule: "@daily", script: slow.lua, enabled: false}
  - {name: fails, schedule: "@daily", script: fails.lua, enabled: false}
`

var operateJobsScripts = map[string]string{
	"hello.lua": `print("hello " .. require("args").get("who", "nobody"))` + "\n",
	"slow.lua":  `require("log").info("working"); require("time").sleep(60)` + "\n",
	"fails.lua": `error("boom")` + "\n",
}

// TestJobsCommandsThroughServe runs the jobs commands while serve runs on a
// bbolt state, which it holds locked: they go through its control API. Once
// serve has stopped they work on the state directly.
func TestJobsCommandsThroughServe(t *testing.T) {
	t.Parallel()
	dir := jobsDir(t, operateJobsYAML, operateJobsScripts)
	cmd, _, log := startServe(t, dir)
	hello := operateJobs(t, dir)

	// A wrong token is refused, and not shown.
	tokenFile := filepath.Join(dir, ".runner", "control.token")
	token := readToken(t, dir)
	os.WriteFile(tokenFile, []byte("not-the-token-0123456789\n"), 0o600)
	stdout, stderr, code := runner(t, dir, nil, "jobs", "list")
	if code != 1 || !strings.Contains(stderr, "missing or wrong control token") || strings.Contains(stdout+stderr, "not-the-token") {
		t.Errorf("jobs list with a wrong token: exit %d\n%s%s", code, stdout, stderr)
	}
	os.WriteFile(tokenFile, []byte(token+"\n"), 0o600)

	// A bad file is reported by reload, and the serve keeps its jobs.
	good, _ := os.ReadFile(filepath.Join(dir, "jobs.yaml"))
	os.WriteFile(filepath.Join(dir, "jobs.yaml"), append(good, "  - {name: bad, schedule: often, script: hello.lua}\n"...), 0o644)
	if _, stderr, code := runner(t, dir, nil, "reload"); code != 2 || !strings.Contains(stderr, `job "bad": schedule`) {
		t.Errorf("reload of a bad file: exit %d\n%s", code, stderr)
	}
	os.WriteFile(filepath.Join(dir, "jobs.yaml"), good, 0o644)

	cmd.Process.Signal(syscall.SIGTERM)
	if err := cmd.Wait(); err != nil {
		t.Fatalf("serve: %v\n%s", err, log)
	}
	if strings.Contains(log.String(), token) {
		t.Error("serve logged its control token")
	}
	// Without serve, on the state directly.
	if stdout, stderr, code := runner(t, dir, nil, "jobs", "history", "hello"); code != 0 || !strings.Contains(stdout, hello) {
		t.Errorf("jobs history without serve: exit %d\n%s%s", code, stdout, stderr)
	}
	if stdout, stderr, code := runner(t, dir, nil, "jobs", "pause", "slow"); code != 0 || !strings.Contains(stdout, "slow paused") {
		t.Errorf("jobs pause without serve: exit %d\n%s%s", code, stdout, stderr)
	}
	if stdout, _, _ := runner(t, dir, nil, "jobs", "list"); !regexp.MustCompile(`(?m)^slow .* paused by cli@`).MatchString(stdout) {
		t.Errorf("jobs list without serve does not show the pause:\n%s", stdout)
	}
	if _, stderr, code := runner(t, dir, nil, "reload"); code != 1 || !strings.Contains(stderr, "no runner serve of jobs.yaml is running") {
		t.Errorf("reload without serve: exit %d\n%s", code, stderr)
	}
	if stdout, stderr, code := runner(t, dir, nil, "jobs", "run", "hello", "--arg", "who=bob"); code != 0 || !strings.Contains(stdout, "hello bob") {
		t.Errorf("jobs run without serve: exit %d\n%s%s", code, stdout, stderr)
	}
}

// TestJobsCommandsThroughRedis runs the jobs commands against two serves
// sharing a real Redis: each run asked for happens once, a pause holds on
// both, and the state's history shows every run.
func TestJobsCommandsThroughRedis(t *testing.T) {
	t.Parallel()
	r := redistest.Start(t)
	dir := jobsDir(t, "state: "+r.URL()+"\n"+operateJobsYAML, operateJobsScripts)
	startServe(t, dir)
	startServe(t, dir)
	hello := operateJobs(t, dir)

	stdout, _, _ := runner(t, dir, nil, "jobs", "history", "--limit", "0", "hello")
	if n := strings.Count(stdout, " manual "); n != 1 || !strings.Contains(stdout, hello) {
		t.Errorf("hello ran %d times, want once:\n%s", n, stdout)
	}
}

// TestEmulatorKeepsItsOwnState: runs against the emulator never land in the
// production history, and the pages of serve --emulator say so.
func TestEmulatorKeepsItsOwnState(t *testing.T) {
	t.Parallel()
	dir := jobsDir(t, `timezone: UTC
clients:
  notify: {corp_id: "${WECOM_CORP_ID}", secret: "${WECOM_SECRET}"}
jobs:
  - {name: who, schedule: "@daily", script: who.lua, enabled: false}
`, map[string]string{"who.lua": `print(require("wecom").user.get("zhangsan").name)` + "\n"})
	stdout, stderr, code := runner(t, dir, nil, "jobs", "run", "--emulator", "who")
	if code != 0 || !strings.Contains(stdout, "张三") {
		t.Fatalf("jobs run --emulator: exit %d\n%s%s", code, stdout, stderr)
	}
	if stdout, stderr, code := runner(t, dir, nil, "jobs", "history", "who"); code != 0 || !strings.Contains(stdout, "who has not run yet") {
		t.Errorf("the production history has the emulator's run: exit %d\n%s%s", code, stdout, stderr)
	}
	if stdout, stderr, code := runner(t, dir, nil, "jobs", "history", "--emulator", "who"); code != 0 || !strings.Contains(stdout, " manual ") {
		t.Errorf("jobs history --emulator: exit %d\n%s%s", code, stdout, stderr)
	}
	cmd, url, log := startServe(t, dir, "--emulator")
	if body := httpBody(t, url); !strings.Contains(body, `id="emulator"`) || !strings.Contains(body, "<title>[emulator] ") {
		t.Errorf("the page of serve --emulator does not say emulator:\n%s", body)
	}
	// The command line with --emulator goes through the emulator's serve.
	if stdout, stderr, code := runner(t, dir, nil, "jobs", "run", "--emulator", "--follow", "who"); code != 0 || !strings.Contains(stdout, `msg=张三`) {
		t.Errorf("jobs run --emulator through serve --emulator: exit %d\n%s%s", code, stdout, stderr)
	}
	cmd.Process.Signal(syscall.SIGTERM)
	if err := cmd.Wait(); err != nil {
		t.Fatalf("serve: %v\n%s", err, log)
	}
	if _, err := os.Stat(filepath.Join(dir, ".runner", "state.db")); !os.IsNotExist(err) {
		t.Errorf("the emulator's runs made a production state file: %v", err)
	}
}

// TestAlertsEndToEnd runs failing jobs under serve --emulator: the robot of
// the emulator receives the alert of one, whose run's page says it was sent;
// the other's robot key is wrong, and its run's page shows the failure.
func TestAlertsEndToEnd(t *testing.T) {
	t.Parallel()
	dir := jobsDir(t, `timezone: UTC
public_url: http://runner.example.com
clients:
  contacts: {corp_id: "${WECOM_CORP_ID}", secret: "${WECOM_CONTACTS_SECRET}"}
defaults:
  notify: {webhook: "${WECOM_ROBOT_URL}"}
jobs:
  - {name: fails, schedule: "@daily", script: fails.lua, enabled: false}
  - {name: mute, schedule: "@daily", script: fails.lua, enabled: false,
     notify: {webhook: "${WECOM_BASE_URL}webhook/send?key=not-a-robot"}}
`, map[string]string{"fails.lua": `error("the HR export is empty")` + "\n"})
	_, url, log := startServe(t, dir, "--emulator")
	m := regexp.MustCompile(`running against the WeCom emulator" base_url=(\S+)`).FindStringSubmatch(log.String())
	if m == nil {
		t.Fatalf("no emulator base URL in serve's log:\n%s", log)
	}
	inspect := strings.TrimSuffix(m[1], "cgi-bin/") + "_emulator/robot/messages"

	stdout, stderr, code := runner(t, dir, nil, "jobs", "run", "--emulator", "--follow", "fails", "mute")
	if code != 1 {
		t.Fatalf("jobs run of failing jobs: exit %d\n%s%s", code, stdout, stderr)
	}
	fails, mute := runID(t, stdout, "fails"), runID(t, stdout, "mute")
	waitUntil(t, "the robot's message", func() bool { return strings.Contains(httpBody(t, inspect), "fails failed") })
	body := httpBody(t, inspect)
	wantContains(t, "the robot's message", body, `"robot":"运维告警"`, "the HR export is empty", "http://runner.example.com/jobs/fails/runs/"+fails, "[emulator] ")
	if strings.Contains(body, "mute") {
		t.Errorf("the robot got mute's alert, sent with another key:\n%s", body)
	}
	waitUntil(t, "the alerts recorded", func() bool {
		return strings.Contains(httpBody(t, url+"jobs/mute/runs/"+mute), "alert failed")
	})
	if page := httpBody(t, url+"jobs/fails/runs/"+fails); !strings.Contains(page, "failure alert sent to the robot") {
		t.Errorf("the page of the alerted run:\n%s", page)
	}
	if page := httpBody(t, url+"jobs/mute/runs/"+mute); !strings.Contains(page, `id="alert-error"`) || !strings.Contains(page, "errcode 93000") || strings.Contains(page, "not-a-robot") {
		t.Errorf("the page of the run whose alert failed:\n%s", page)
	}
	if !strings.Contains(log.String(), `msg="the alert was not sent" job=mute`) {
		t.Errorf("serve did not log the failed alert:\n%s", log)
	}
}

// TestJobsWithServeWithoutAPI: a serve without --listen holds the bbolt state
// and records no address; the jobs commands say what to do instead of
// "locked".
func TestJobsWithServeWithoutAPI(t *testing.T) {
	t.Parallel()
	dir := jobsDir(t, "jobs:\n  - {name: a, schedule: '@daily', script: a.lua}\n", map[string]string{"a.lua": "return 1\n"})
	cmd := command(t, dir, nil, "serve", "--listen", "")
	stderr := startPiped(t, cmd, cmd.StderrPipe)
	log := &serveLog{}
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			log.add(sc.Text())
		}
	}()
	waitFor(t, log, `msg="scheduler started"`)
	_, errOut, code := runner(t, dir, nil, "jobs", "pause", "a")
	if code != 1 || !strings.Contains(errOut, "records no control address") || !strings.Contains(errOut, "give it --listen") {
		t.Errorf("jobs pause while serve runs without --listen: exit %d\n%s", code, errOut)
	}
}
