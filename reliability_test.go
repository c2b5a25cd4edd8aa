package main

// The reliability and security suite (make reliability): faults injected
// into the emulator, bad input of every kind and hostile scripts, through the
// built binary as an admin runs it. The emulator runs in the test process, so
// that the tests inject faults and inspect the organisation, the request log
// and the token fetches. Its secrets are recognisable strings, and every run
// of the binary is checked for them and for the access tokens the emulator
// issued: none may appear in anything runner prints.

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/text/encoding/simplifiedchinese"

	"github.com/wecomrunner/runner/wecom/emulator"
)

// The secrets of the suite's organisation.
const (
	relContactsSecret = "SECRET-7f3a9c-should-never-appear"
	relOpsSecret      = "SECRET-2b8e41-ops-app-never-appear"
	relReportSecret   = "SECRET-c95d07-report-app-never-appear"
)

// relOrg is the demo organisation with the suite's secrets.
func relOrg() *emulator.Org {
	org := emulator.DemoOrg()
	org.ContactsSecret = relContactsSecret
	org.Apps[0].Secret = relOpsSecret
	org.Apps[1].Secret = relReportSecret
	return org
}

// relRig is an emulator with the suite's organisation, and a directory that
// is the working directory of the runs, and so their allowed directory.
type relRig struct {
	srv *emulator.Server
	dir string
	env []string

	mu        sync.Mutex
	secrets   []string // secrets and issued access tokens
	ownTokens int      // gettoken calls made by the test, not by runner
}

func newRelRig(t *testing.T, opts ...emulator.Option) *relRig {
	t.Helper()
	srv, err := emulator.Start(relOrg(), opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	cred := srv.Credentials()
	r := &relRig{
		srv: srv,
		dir: t.TempDir(),
		env: []string{
			"WECOM_BASE_URL=" + srv.BaseURL(),
			"WECOM_CORP_ID=" + cred.CorpID,
			"WECOM_SECRET=" + cred.Apps[0].Secret,
			"WECOM_AGENT_ID=" + strconv.Itoa(cred.Apps[0].AgentID),
			"WECOM_CONTACTS_SECRET=" + cred.ContactsSecret,
		},
		secrets: []string{relContactsSecret, relOpsSecret, relReportSecret},
	}
	r.learnTokens(t)
	return r
}

// learnTokens fetches the current access token of each secret, as runner's
// clients get it (the emulator answers the same token while it is valid),
// and adds it to the strings that must never be printed.
func (r *relRig) learnTokens(t *testing.T) {
	t.Helper()
	for _, secret := range []string{relContactsSecret, relOpsSecret, relReportSecret} {
		tok := r.token(t, secret)
		r.mu.Lock()
		if !slices.Contains(r.secrets, tok) {
			r.secrets = append(r.secrets, tok)
		}
		r.mu.Unlock()
	}
}

// token calls gettoken with secret and returns the access token.
func (r *relRig) token(t *testing.T, secret string) string {
	t.Helper()
	r.mu.Lock()
	r.ownTokens++
	r.mu.Unlock()
	q := url.Values{"corpid": {r.srv.Credentials().CorpID}, "corpsecret": {secret}}
	res, err := http.Get(r.srv.BaseURL() + "gettoken?" + q.Encode())
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var answer struct {
		ErrCode     int    `json:"errcode"`
		AccessToken string `json:"access_token"`
	}
	if err := json.NewDecoder(res.Body).Decode(&answer); err != nil || answer.ErrCode != 0 || len(answer.AccessToken) < 16 {
		t.Fatalf("gettoken: errcode %d, %v", answer.ErrCode, err)
	}
	return answer.AccessToken
}

// tokenFetches is how many times runner called gettoken.
func (r *relRig) tokenFetches() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.srv.TokenRequests() - r.ownTokens
}

// calls returns the emulator's log of the calls of api, oldest first.
func (r *relRig) calls(api string) []emulator.Request {
	var out []emulator.Request
	for _, req := range r.srv.Requests() {
		if req.API == api {
			out = append(out, req)
		}
	}
	return out
}

// errcodes lists the errcodes answered to the calls of api.
func (r *relRig) errcodes(api string) []int {
	var out []int
	for _, req := range r.calls(api) {
		out = append(out, req.ErrCode)
	}
	return out
}

// uploads lists the calls that would have changed members in bulk: media
// uploads and batch jobs.
func (r *relRig) uploads() []string {
	var out []string
	for _, req := range r.srv.Requests() {
		if req.API == "media/upload" || strings.HasPrefix(req.API, "batch/") {
			out = append(out, req.API)
		}
	}
	return out
}

// write writes a file in the rig's directory and returns its path.
func (r *relRig) write(t *testing.T, name string, content []byte) string {
	t.Helper()
	p := filepath.Join(r.dir, name)
	if err := os.WriteFile(p, content, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// relRun is a finished run of the binary.
type relRun struct {
	stdout, stderr string
	code           int
	elapsed        time.Duration
}

// relProc is a run of the binary in progress.
type relProc struct {
	rig    *relRig
	cmd    *exec.Cmd
	out    *syncBuffer
	errOut *syncBuffer
	start  time.Time
	done   chan error
}

// syncBuffer is a bytes.Buffer safe for a writer and concurrent readers.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// start starts runner with args in the rig's directory and environment.
func (r *relRig) start(t *testing.T, args ...string) *relProc {
	t.Helper()
	return r.startEnv(t, nil, args...)
}

// startEnv starts runner with the rig's environment changed by env
// (NAME=value entries replace the rig's).
func (r *relRig) startEnv(t *testing.T, env []string, args ...string) *relProc {
	t.Helper()
	cmd := exec.Command(runnerBin, args...)
	cmd.Dir = r.dir
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir()}
	for _, kv := range r.env {
		name, _, _ := strings.Cut(kv, "=")
		if !slices.ContainsFunc(env, func(e string) bool { return strings.HasPrefix(e, name+"=") }) {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	cmd.Env = append(cmd.Env, env...)
	p := &relProc{rig: r, cmd: cmd, out: &syncBuffer{}, errOut: &syncBuffer{}, done: make(chan error, 1)}
	cmd.Stdout, cmd.Stderr = p.out, p.errOut
	p.start = time.Now()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { p.done <- cmd.Wait() }()
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			cmd.Process.Kill()
		}
	})
	return p
}

// procLimit bounds every run of the binary: a run still going after it is
// killed and fails its test.
const procLimit = 90 * time.Second

// wait waits for the process to exit, then checks its output for secrets and
// crashes.
func (p *relProc) wait(t *testing.T) relRun {
	t.Helper()
	var err error
	select {
	case err = <-p.done:
	case <-time.After(procLimit):
		p.cmd.Process.Kill()
		<-p.done
		t.Fatalf("runner %s still running after %s, killed\nstderr:\n%s", strings.Join(p.cmd.Args[1:], " "), procLimit, p.errOut)
	}
	run := relRun{stdout: p.out.String(), stderr: p.errOut.String(), elapsed: time.Since(p.start)}
	var exitErr *exec.ExitError
	switch {
	case err == nil:
	case errors.As(err, &exitErr):
		run.code = exitErr.ExitCode()
	default:
		t.Fatal(err)
	}
	p.rig.learnTokens(t)
	p.rig.assertNoSecrets(t, "stdout", run.stdout)
	p.rig.assertNoSecrets(t, "stderr", run.stderr)
	assertNoCrash(t, run)
	return run
}

// run runs runner with args to its end.
func (r *relRig) run(t *testing.T, args ...string) relRun {
	t.Helper()
	return r.start(t, args...).wait(t)
}

// script writes src as a Lua script in the rig's directory and returns its
// path.
func (r *relRig) script(t *testing.T, name, src string) string {
	t.Helper()
	return r.write(t, name, []byte(src))
}

// exec runs src with runner exec, the contacts client and args.
func (r *relRig) exec(t *testing.T, src string, args ...string) relRun {
	t.Helper()
	return r.startExec(t, src, args...).wait(t)
}

// startExec starts src with runner exec, the contacts client and args.
func (r *relRig) startExec(t *testing.T, src string, args ...string) *relProc {
	t.Helper()
	p := r.script(t, "script.lua", src)
	return r.start(t, append(append([]string{"exec", "--client", "contacts"}, args...), p)...)
}

// assertNoSecrets fails the test if text holds a secret or an access token
// of the rig, whole or its first 12 characters.
func (r *relRig) assertNoSecrets(t *testing.T, where, text string) {
	t.Helper()
	r.mu.Lock()
	secrets := slices.Clone(r.secrets)
	r.mu.Unlock()
	for _, s := range secrets {
		if strings.Contains(text, s[:12]) {
			t.Errorf("%s holds the secret or token %.12s…:\n%s", where, s, text)
		}
	}
}

// assertNoCrash fails the test if the run crashed instead of failing with
// a message: a Go panic or fatal error, or an exit code other than 0, 1, 2.
func assertNoCrash(t *testing.T, run relRun) {
	t.Helper()
	for _, sign := range []string{"panic:", "fatal error:", "goroutine 1 ["} {
		if strings.Contains(run.stderr, sign) {
			t.Errorf("runner crashed (%q on stderr):\n%.3000s", sign, run.stderr)
			return
		}
	}
	if run.code < 0 || run.code > 2 {
		t.Errorf("exit code %d: killed or crashed\n%.3000s", run.code, run.stderr)
	}
}

// wantRun fails the test unless the run exited with code and its stderr
// holds each of the strings.
func wantRun(t *testing.T, run relRun, code int, stderr ...string) {
	t.Helper()
	if run.code != code {
		t.Errorf("exit %d, want %d\nstdout:\n%s\nstderr:\n%s", run.code, code, run.stdout, run.stderr)
		return
	}
	for _, s := range stderr {
		if !strings.Contains(run.stderr, s) {
			t.Errorf("stderr lacks %q:\n%s", s, run.stderr)
		}
	}
}

// waitFor polls cond until it holds, failing the test after 20 s.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// pauseScript calls first, waits until the file "continue" exists in the
// rig's directory, then calls second: the test acts on the emulator in
// between.
func pauseScript(first, second string) string {
	return `
		local wecom = require("wecom")
		local fs = require("fs")
		local time = require("time")
		` + first + `
		while not fs.exists("continue") do time.sleep(0.01) end
		` + second + "\n"
}

// resume lets a pauseScript go on.
func (r *relRig) resume(t *testing.T) {
	t.Helper()
	r.write(t, "continue", nil)
}

// TestReliabilityTokenExpiry: an access token that WeCom declares expired
// (42001) or invalid (40014) in the middle of a run costs one gettoken and
// one retry, and the run succeeds; a second stale answer in a row is final.
func TestReliabilityTokenExpiry(t *testing.T) {
	t.Parallel()
	const getOne = `print(require("wecom").user.get("zhangsan").name)`
	for _, code := range []int{42001, 40014} {
		t.Run(fmt.Sprintf("FailNext %d", code), func(t *testing.T) {
			t.Parallel()
			r := newRelRig(t)
			r.srv.FailNext("user/get", 1, code)
			run := r.exec(t, getOne)
			wantRun(t, run, 0)
			if run.stdout != "张三\n" {
				t.Errorf("stdout = %q, want 张三", run.stdout)
			}
			if got := r.tokenFetches(); got != 2 {
				t.Errorf("%d gettoken calls, want 2 (the first token and one refresh)", got)
			}
			if got, want := r.errcodes("user/get"), []int{code, 0}; !slices.Equal(got, want) {
				t.Errorf("user/get answered %v, want %v (one retry)", got, want)
			}
		})
		t.Run(fmt.Sprintf("ExpireTokens %d", code), func(t *testing.T) {
			t.Parallel()
			r := newRelRig(t, emulator.WithExpiredTokenErrcode(code))
			p := r.startExec(t, pauseScript(
				`print(wecom.user.get("zhangsan").name)`,
				`print(wecom.user.get("lisi").name)`))
			waitFor(t, "the first user/get", func() bool { return len(r.calls("user/get")) == 1 })
			r.srv.ExpireTokens()
			r.resume(t)
			run := p.wait(t)
			wantRun(t, run, 0)
			if run.stdout != "张三\n李四\n" {
				t.Errorf("stdout = %q, want 张三 and 李四", run.stdout)
			}
			if got := r.tokenFetches(); got != 2 {
				t.Errorf("%d gettoken calls, want 2", got)
			}
			if got, want := r.errcodes("user/get"), []int{0, code, 0}; !slices.Equal(got, want) {
				t.Errorf("user/get answered %v, want %v", got, want)
			}
		})
	}
	t.Run("ExpireTokens before a fan-out", func(t *testing.T) {
		t.Parallel()
		r := newRelRig(t)
		p := r.startExec(t, pauseScript(
			`print(wecom.user.get("zhangsan").name)`,
			`local items = {}
			for _, u in ipairs(wecom.user.list(1, true, 0, true)) do items[#items + 1] = {user_id = u.userid} end
			local results, failed = wecom.fanout("user.get", items, {concurrency = 8})
			print(#results, failed)`))
		waitFor(t, "the first user/get", func() bool { return len(r.calls("user/get")) == 1 })
		r.srv.ExpireTokens()
		r.resume(t)
		run := p.wait(t)
		wantRun(t, run, 0)
		if run.stdout != "张三\n40\t0\n" {
			t.Errorf("stdout = %q, want 40 members fetched and none failed", run.stdout)
		}
		// Concurrent callers that all meet the expired token share one refresh.
		if got := r.tokenFetches(); got != 2 {
			t.Errorf("%d gettoken calls, want 2", got)
		}
	})
	t.Run("stale twice", func(t *testing.T) {
		t.Parallel()
		r := newRelRig(t)
		r.srv.FailNext("user/get", 2, 42001)
		run := r.exec(t, getOne)
		wantRun(t, run, 1, "user/get", "42001")
		if got := r.tokenFetches(); got != 2 {
			t.Errorf("%d gettoken calls, want 2: one refresh only", got)
		}
		if got := len(r.calls("user/get")); got != 2 {
			t.Errorf("user/get sent %d times, want 2", got)
		}
	})
}

// relDept is the department the fault tests create.
const relDept = "可靠性测试部"

// createDept creates relDept.
const createDept = `
	local r = require("wecom").department.create{name = "` + relDept + `", parent_id = 1}
	print("created", r.id)
`

// departmentsNamed counts the organisation's departments called name.
func (r *relRig) departmentsNamed(name string) int {
	n := 0
	for _, d := range r.srv.Snapshot().Departments {
		if d.Name == name {
			n++
		}
	}
	return n
}

// TestReliabilityTransientFaults: WeCom busy (errcode -1), a 5xx answer, a
// dropped connection and a server slower than the run's timeout. Reads and
// writes that certainly did not reach WeCom are retried a bounded number of
// times; a write whose answer was lost is not replayed, and its error says
// the outcome is unknown; no write is applied twice.
func TestReliabilityTransientFaults(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		inject  func(s *emulator.Server)
		code    int
		sent    int // department/create requests
		created int
		stderr  []string
	}{
		{"errcode -1 twice", func(s *emulator.Server) { s.FailNext("department/create", 2, -1) }, 0, 3, 1, nil},
		{"errcode -1 persists", func(s *emulator.Server) { s.FailNext("department/create", 10, -1) }, 1, 3, 0,
			[]string{"script.lua:2:", "department/create", "errcode -1"}},
		{"HTTP 502 twice", func(s *emulator.Server) { s.FailNextHTTP("department/create", 2, 502) }, 0, 3, 1, nil},
		{"HTTP 502 persists", func(s *emulator.Server) { s.FailNextHTTP("department/create", 10, 502) }, 1, 3, 0,
			[]string{"script.lua:2:", "department/create", "HTTP 502"}},
		{"HTTP 503 on gettoken", func(s *emulator.Server) { s.ExpireTokens(); s.FailNextHTTP("gettoken", 10, 503) }, 1, 0, 0,
			[]string{"script.lua:2:", "gettoken", "503"}},
		{"dropped write", func(s *emulator.Server) { s.DropNext("department/create", 1) }, 1, 1, 0,
			[]string{"script.lua:2:", "department/create", "outcome unknown"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := newRelRig(t)
			tt.inject(r.srv)
			run := r.exec(t, createDept)
			wantRun(t, run, tt.code, tt.stderr...)
			if got := len(r.calls("department/create")); got != tt.sent {
				t.Errorf("department/create sent %d times, want %d", got, tt.sent)
			}
			if got := r.departmentsNamed(relDept); got != tt.created {
				t.Errorf("%d departments %s, want %d", got, relDept, tt.created)
			}
		})
	}

	t.Run("dropped read", func(t *testing.T) {
		t.Parallel()
		r := newRelRig(t)
		r.srv.DropNext("user/get", 2)
		run := r.exec(t, `print(require("wecom").user.get("zhangsan").name)`)
		wantRun(t, run, 0)
		if run.stdout != "张三\n" {
			t.Errorf("stdout = %q", run.stdout)
		}
		if got := len(r.calls("user/get")); got != 3 {
			t.Errorf("user/get sent %d times, want 3", got)
		}
	})

	t.Run("server slower than the timeout", func(t *testing.T) {
		t.Parallel()
		r := newRelRig(t)
		const latency = 8 * time.Second
		p := r.startExec(t, pauseScript(`print(wecom.user.get("zhangsan").name)`, createDept), "--timeout", "3s")
		waitFor(t, "the first user/get", func() bool { return len(r.calls("user/get")) == 1 })
		r.srv.SetLatency(latency, 0)
		r.resume(t)
		run := p.wait(t)
		wantRun(t, run, 1, "timed out", "department/create", "outcome unknown")
		if run.elapsed >= latency {
			t.Errorf("the run took %s: it waited for the server instead of stopping at its timeout", run.elapsed)
		}
		// The emulator applies the write once its latency has passed: the
		// write was sent once and applied at most once.
		r.srv.SetLatency(0, 0)
		waitFor(t, "the emulator to answer the create", func() bool { return len(r.calls("department/create")) == 1 })
		if got := r.departmentsNamed(relDept); got > 1 {
			t.Errorf("%d departments %s: a write was applied twice", got, relDept)
		}
	})
}

// TestReliabilityRateLimit: WeCom's frequency limit (45009) slows a run down
// without failing it, within its timeout; a limit outlasting the timeout
// fails the run before its deadline with a clear error.
func TestReliabilityRateLimit(t *testing.T) {
	t.Parallel()
	t.Run("burst", func(t *testing.T) {
		t.Parallel()
		r := newRelRig(t)
		r.srv.FailNext("user/get", 3, 45009)
		run := r.exec(t, `print(require("wecom").user.get("zhangsan").name)`, "--timeout", "30s")
		wantRun(t, run, 0)
		if got, want := r.errcodes("user/get"), []int{45009, 45009, 45009, 0}; !slices.Equal(got, want) {
			t.Fatalf("user/get answered %v, want %v", got, want)
		}
		calls := r.calls("user/get")
		for i := 1; i < len(calls); i++ {
			if gap := calls[i].Time.Sub(calls[i-1].Time); gap < 400*time.Millisecond {
				t.Errorf("retry %d came %s after a 45009: the client did not slow down", i, gap)
			}
		}
	})

	t.Run("one-minute window", func(t *testing.T) {
		t.Parallel()
		// The emulator's clock runs 30 times faster than the test's, so
		// that its one-minute frequency window lasts 2 s.
		origin := time.Now()
		r := newRelRig(t, emulator.WithClock(func() time.Time { return origin.Add(30 * time.Since(origin)) }))
		r.srv.SetRateLimit("user/get", 5)
		run := r.exec(t, `
			local wecom = require("wecom")
			for i = 1, 12 do wecom.user.get("zhangsan") end
			print("done")
		`, "--timeout", "40s")
		wantRun(t, run, 0)
		ok, limited := 0, 0
		for _, code := range r.errcodes("user/get") {
			switch code {
			case 0:
				ok++
			case 45009:
				limited++
			}
		}
		if ok != 12 || limited == 0 {
			t.Errorf("user/get: %d answered, %d rate-limited; want 12 answered after some 45009", ok, limited)
		}
		if run.elapsed > 30*time.Second {
			t.Errorf("the run took %s", run.elapsed)
		}
	})

	t.Run("limit outlasting the timeout", func(t *testing.T) {
		t.Parallel()
		r := newRelRig(t)
		r.srv.FailNext("user/get", 1000, 45009)
		run := r.exec(t, `print(require("wecom").user.get("zhangsan").name)`, "--timeout", "3s")
		wantRun(t, run, 1, "user/get", "45009")
		if run.elapsed > 5*time.Second {
			t.Errorf("the run took %s with a 3s timeout", run.elapsed)
		}
		if n := len(r.calls("user/get")); n < 2 || n > 10 {
			t.Errorf("user/get sent %d times in 3 s", n)
		}
	})
}

// memberCSV is the HR export format of replace_user.lua for users.
func memberCSV(users []emulator.User) []byte {
	var b bytes.Buffer
	b.WriteString("userid,name,department,mobile,email,position,gender\n")
	for _, u := range users {
		var deps []string
		for _, d := range u.Department {
			deps = append(deps, strconv.Itoa(d))
		}
		fmt.Fprintf(&b, "%s,%s,%s,%s,%s,%s,%s\n", u.UserID, u.Name, strings.Join(deps, ";"), u.Mobile, u.Email, u.Position, u.Gender)
	}
	return b.Bytes()
}

// members is the organisation's members with their departments, sorted.
func (r *relRig) members() []string {
	var out []string
	for _, u := range r.srv.Snapshot().Users {
		out = append(out, fmt.Sprint(u.UserID, u.Department))
	}
	slices.Sort(out)
	return out
}

// TestReliabilityBadCSV: bad member files, read with csv.read and turned into
// WeCom's batch file with csv.member_file, or given to the example
// replace_user.lua, and a file that would remove half the members: refused
// before anything is uploaded, with an error naming the problem; the members
// stay as they were.
func TestReliabilityBadCSV(t *testing.T) {
	t.Parallel()
	users := relOrg().Users
	good := memberCSV(users)
	gbk, err := simplifiedchinese.GBK.NewEncoder().Bytes(good)
	if err != nil {
		t.Fatal(err)
	}
	withRow := func(extra string) []byte { return append(slices.Clone(good), extra...) }
	files := []struct {
		name string
		data []byte
		// the error of the batch helpers, and of replace_user.lua
		helpers, example string
	}{
		{"GBK", gbk, "line 2: not UTF-8 (looks like GBK)", "line 2: not UTF-8 (looks like GBK)"},
		{"wrong header", bytes.Replace(good, []byte("userid,"), []byte("user_id,"), 1), "userid is required", "userid is required"},
		{"duplicate userid", withRow("ZhangSan,张三二,2,13900000001,zs2@tengfei.example.com,,1\n"), `userid "ZhangSan" repeats members[`, `userid "ZhangSan" repeats members[`},
		{"department name for id", withRow("newbie,新人,研发中心,13900000002,,,1\n"), "研发中心 is not an integer", `department "研发中心" is not a number`},
		{"unknown department", withRow("newbie,新人,999,13900000002,,,1\n"), "", "department 999"},
		{"empty", nil, "no members", "no members"},
		{"header only", []byte("userid,name,department,mobile,email,position,gender\n"), "no members", "no members"},
		{"half the members", memberCSV(users[:len(users)/2]), "", "refusing: the file would remove 20 of 40 members"},
	}
	const helpers = `
		local wecom = require("wecom")
		local csv = require("csv")
		local members = {}
		for _, row in ipairs(csv.read(require("args").get("source"))) do
			members[#members + 1] = {userid = row.userid, name = row.name, department = row.department,
				mobile = row.mobile, email = row.email, position = row.position, gender = row.gender}
		end
		local file = csv.member_file(members)
		local media = wecom.media.upload("file", {filename = "members.csv", content = file})
		print(wecom.batch.replace_user{media_id = media.media_id}.jobid)
	`
	example, err := filepath.Abs("scripts/examples/replace_user.lua")
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		for _, via := range []string{"helpers", "replace_user.lua"} {
			want := f.helpers
			if via != "helpers" {
				want = f.example
			}
			if want == "" {
				continue // the helpers know no organisation
			}
			t.Run(f.name+" via "+via, func(t *testing.T) {
				t.Parallel()
				r := newRelRig(t)
				before := r.members()
				src := r.write(t, "members.csv", f.data)
				var run relRun
				if via == "helpers" {
					run = r.exec(t, helpers, "--arg", "source="+src)
				} else {
					run = r.run(t, "exec", "--client", "contacts", "--arg", "source="+src, example)
				}
				wantRun(t, run, 1, want)
				if up := r.uploads(); len(up) != 0 {
					t.Errorf("a refused file was sent: %v", up)
				}
				if after := r.members(); !slices.Equal(before, after) {
					t.Errorf("members changed:\nbefore %v\nafter  %v", before, after)
				}
			})
		}
	}

	t.Run("good file via replace_user.lua", func(t *testing.T) {
		t.Parallel()
		r := newRelRig(t)
		before := r.members()
		src := r.write(t, "members.csv", good)
		run := r.run(t, "exec", "--client", "contacts", "--arg", "source="+src, example)
		wantRun(t, run, 0)
		if up := r.uploads(); !slices.Contains(up, "media/upload") || !slices.Contains(up, "batch/replaceuser") {
			t.Errorf("the good file was not replaced: %v", up)
		}
		if after := r.members(); !slices.Equal(before, after) {
			t.Errorf("replacing the members with themselves changed them:\nbefore %v\nafter  %v", before, after)
		}
	})
}

// TestReliabilitySandbox: scripts that try to escape the sandbox, read or
// write outside the allowed directories, or exhaust the CPU, the stack or
// the memory are refused or stopped with exit code 1 and a message, not a
// crash, and the next run works.
func TestReliabilitySandbox(t *testing.T) {
	t.Parallel()
	outside := t.TempDir()
	secretFile := filepath.Join(outside, "secret.txt")
	if err := os.WriteFile(secretFile, []byte("outside-content-d41d8c"), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		src     string
		args    []string
		stderr  []string
		setup   func(t *testing.T, dir string)
		outside string // a file under outside that must not exist afterwards
	}{
		{name: "os.execute", src: `os.execute("touch pwned")`, stderr: []string{"script.lua:1:"}},
		{name: "io.popen", src: `io.popen("id")`, stderr: []string{"script.lua:1:"}},
		{name: "require io", src: `require("io").popen("id")`, stderr: []string{"script.lua:1:", `module io not found`}},
		{name: "loadfile", src: `loadfile("script.lua")()`, stderr: []string{"script.lua:1:"}},
		{name: "dofile", src: `dofile("script.lua")`, stderr: []string{"script.lua:1:"}},
		{name: "loadstring bytecode", src: `assert(loadstring("\27LuaQ\0\1\4\8\4\8\0"))()`, stderr: []string{"script.lua:1:", "precompiled"}},
		{name: "load bytecode from a function", src: `
			local sent = false
			local f, err = load(function() if sent then return nil end sent = true return "\27LuaQ\0\1\4\8\4\8\0" end)
			assert(f, err)()`, stderr: []string{"script.lua:4:"}},
		{name: "package.loadlib", src: `package.loadlib("/lib/x86_64-linux-gnu/libc.so.6", "system")("id")`, stderr: []string{"script.lua:1:"}},
		{name: "fs.read /etc/passwd", src: `print(require("fs").read("/etc/passwd"))`, stderr: []string{"outside the allowed directories"}},
		{name: "fs.read outside", src: `print(require("fs").read("` + secretFile + `"))`, stderr: []string{"outside the allowed directories"}},
		{name: "csv.write ../", src: `require("csv").write("../x.csv", {{a = 1}})`, stderr: []string{"outside the allowed directories"}},
		{name: "symlink to a file outside", src: `print(require("fs").read("link.txt"))`, stderr: []string{"outside the allowed directories"},
			setup: func(t *testing.T, dir string) { symlink(t, secretFile, filepath.Join(dir, "link.txt")) }},
		{name: "dangling symlink to outside", src: `require("csv").write("out.csv", {{a = 1}})`, stderr: []string{"outside the allowed directories"},
			setup:   func(t *testing.T, dir string) { symlink(t, filepath.Join(outside, "new.csv"), filepath.Join(dir, "out.csv")) },
			outside: "new.csv"},
		{name: "symlinked directory to outside", src: `require("fs").write("sub/x.txt", "x")`, stderr: []string{"outside the allowed directories"},
			setup:   func(t *testing.T, dir string) { symlink(t, outside, filepath.Join(dir, "sub")) },
			outside: "x.txt"},
		{name: "upload a file outside", src: `require("wecom").media.upload("file", "` + secretFile + `")`, stderr: []string{"outside the allowed directories"}},
		{name: "http file URL", src: `print(require("http").get("file://` + secretFile + `").body)`, stderr: []string{"script.lua:1:"}},
		{name: "infinite loop", src: `while true do end`, args: []string{"--timeout", "1s"}, stderr: []string{"timed out"}},
		{name: "recursion", src: "local function f(n) return 1 + f(n + 1) end\nprint(f(1))", stderr: []string{"stack overflow"}},
		{name: "recursion through metamethods", src: `
			local t = setmetatable({}, {__index = function(t, k) return t[k] end})
			print(t.x)`, stderr: []string{"stack overflow"}},
		{name: "recursion through coroutines", src: `
			local function f() return coroutine.wrap(f)() end
			f()`, args: []string{"--timeout", "30s"}, stderr: []string{"memory"}},
		{name: "string.rep", src: `local s = string.rep("x", 1e10)`, stderr: []string{"script.lua:1:", "exceeds the limit"}},
		{name: "string.rep method", src: `local s = ("xy"):rep(1e9)`, stderr: []string{"script.lua:1:", "exceeds the limit"}},
		{name: "doubling a string", src: `
			local s = "x"
			for i = 1, 40 do s = s .. s end
			print(#s)`, args: []string{"--timeout", "60s"}, stderr: []string{"memory"}},
		{name: "growing a table", src: `
			local t = {}
			while true do t[#t + 1] = string.rep("x", 4096) .. #t end`, args: []string{"--timeout", "60s"}, stderr: []string{"memory"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := newRelRig(t)
			if tt.setup != nil {
				tt.setup(t, r.dir)
			}
			run := r.exec(t, tt.src, tt.args...)
			wantRun(t, run, 1, append([]string{"runner: "}, tt.stderr...)...)
			for _, leak := range []string{"outside-content-d41d8c", "root:x:0:0"} {
				if strings.Contains(run.stdout+run.stderr, leak) {
					t.Errorf("the script read a file outside its directory:\n%s%s", run.stdout, run.stderr)
				}
			}
			if _, err := os.Stat(filepath.Join(r.dir, "pwned")); err == nil {
				t.Error("os.execute ran a command")
			}
			if _, err := os.Stat(filepath.Join(filepath.Dir(r.dir), "x.csv")); err == nil {
				t.Error("csv.write wrote outside the allowed directory")
			}
			if tt.outside != "" {
				if _, err := os.Stat(filepath.Join(outside, tt.outside)); err == nil {
					t.Errorf("the script wrote %s outside the allowed directory", tt.outside)
					os.Remove(filepath.Join(outside, tt.outside))
				}
			}
			if up := r.uploads(); len(up) != 0 {
				t.Errorf("the script uploaded: %v", up)
			}
			// The next run in the same place works.
			next := r.exec(t, `print(require("wecom").user.get("zhangsan").name)`)
			wantRun(t, next, 0)
			if next.stdout != "张三\n" {
				t.Errorf("the next run printed %q", next.stdout)
			}
		})
	}
}

// symlink makes link point at target.
func symlink(t *testing.T, target, link string) {
	t.Helper()
	if err := os.Symlink(target, link); err != nil {
		t.Fatal(err)
	}
}

// TestReliabilitySecrets: the secrets and access tokens never appear in
// what runner prints, in text or JSON logs, whatever happens: success, API
// errors, transport errors, a refused gettoken, a dry run, and a script that
// looks for them. (Every run of this suite is checked as well; these are the
// runs most likely to print a credential.)
func TestReliabilitySecrets(t *testing.T) {
	t.Parallel()
	const lookAround = `
		local wecom = require("wecom")
		local json = require("json")
		local log = require("log")
		local seen = {}
		local function walk(v, depth)
			if depth > 4 or seen[v] then return end
			seen[v] = true
			if type(v) == "table" then
				for k, x in pairs(v) do print(tostring(k), tostring(x)); walk(x, depth + 1) end
			end
		end
		walk(wecom, 0)
		walk(wecom.client("default"), 0)
		print(tostring(wecom.client("contacts")))
		local ok, err = pcall(require("env").get, "WECOM_CONTACTS_SECRET")
		print("env.get", ok, tostring(err))
		log.info("a user", {user = wecom.user.get("zhangsan")})
		local ok, err = pcall(wecom.user.get, "nobody")
		log.error("failed", {err = err, text = tostring(err)})
		print(json.encode(err))
		wecom.department.create{name = "` + relDept + `", parent_id = 1}
	`
	tests := []struct {
		name   string
		inject func(s *emulator.Server)
		env    []string
		args   []string
		code   int
	}{
		{"text log", nil, nil, nil, 0},
		{"json log", nil, nil, []string{"--log-format", "json"}, 0},
		{"dry run", nil, nil, []string{"--dry-run", "--log-format", "json"}, 0},
		{"HTTP 502", func(s *emulator.Server) { s.FailNextHTTP("*", 100, 502) }, nil, []string{"--log-format", "json"}, 1},
		{"dropped connections", func(s *emulator.Server) { s.DropNext("*", 100) }, nil, nil, 1},
		{"expired tokens", func(s *emulator.Server) { s.FailNext("*", 100, 42001) }, nil, []string{"--log-format", "json"}, 1},
		{"wrong secret", nil, []string{"WECOM_CONTACTS_SECRET=SECRET-wrong-5e6f70-never-appear"}, nil, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := newRelRig(t)
			r.mu.Lock()
			r.secrets = append(r.secrets, "SECRET-wrong-5e6f70-never-appear")
			r.mu.Unlock()
			if tt.inject != nil {
				tt.inject(r.srv)
			}
			p := r.script(t, "script.lua", lookAround)
			run := r.startEnv(t, tt.env, append(append([]string{"exec", "--client", "contacts"}, tt.args...), p)...).wait(t)
			if run.code != tt.code {
				t.Errorf("exit %d, want %d\n%s", run.code, tt.code, run.stderr)
			}
			if tt.code == 0 && !strings.Contains(run.stdout, "env.get\tfalse") {
				t.Errorf("env.get read a variable outside the allow-list:\n%s", run.stdout)
			}
		})
	}
}

// readAll reads a response body or fails the test.
func readAll(t *testing.T, r io.Reader) string {
	t.Helper()
	b, err := io.ReadAll(r)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
