package e2e

// End-to-end tests of runner validate, serve and jobs.

import (
	"bufio"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// jobsDir writes a jobs file and its scripts into a new directory.
func jobsDir(t *testing.T, jobsYAML string, scripts map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	files := map[string]string{"jobs.yaml": jobsYAML}
	for name, src := range scripts {
		files[name] = src
	}
	for name, content := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestValidateCommand(t *testing.T) {
	dir := jobsDir(t, `timezone: Asia/Shanghai
clients:
  contacts: {corp_id: ww1, secret: "${CONTACTS_SECRET}"}
jobs:
  - name: nightly
    schedule: "0 2 * * *"
    script: sync.lua
  - name: paris
    schedule: "30 9 * * 1-5"
    timezone: Europe/Paris
    script: sync.lua
  - name: by-hand
    schedule: "@daily"
    script: sync.lua
    enabled: false
`, map[string]string{"sync.lua": "return 1\n"})

	stdout, stderr, code := runner(t, dir, []string{"CONTACTS_SECRET=s3cret"}, "validate")
	if code != 0 {
		t.Fatalf("validate: exit %d\n%s", code, stderr)
	}
	wantContains(t, "stdout", stdout,
		"jobs.yaml: 3 jobs, no problems",
		`nightly: "0 2 * * *" in Asia/Shanghai`,
		`paris: "30 9 * * 1-5" in Europe/Paris`,
		"disabled: runs only by hand",
	)
	next := regexp.MustCompile(`(?m)^  next: (\w{3} \S+ 02:00:00 CST, ){2}\w{3} \S+ 02:00:00 CST$`)
	if !next.MatchString(stdout) {
		t.Errorf("stdout lacks the next 3 runs of nightly in Shanghai time:\n%s", stdout)
	}
	if strings.Contains(stdout+stderr, "s3cret") {
		t.Error("validate printed a secret")
	}

	// Without the secret, and with a typo: problems on stdout, exit 2.
	os.WriteFile(filepath.Join(dir, "jobs.yaml"), []byte("jobs:\n  - name: a\n    shedule: '@daily'\n    script: sync.lua\n"), 0o644)
	stdout, stderr, code = runner(t, dir, nil, "validate")
	if code != 2 {
		t.Errorf("validate of a bad file: exit %d, want 2", code)
	}
	if want := `jobs.yaml:3: job "a": unknown field "shedule"`; !strings.Contains(stdout, want) {
		t.Errorf("stdout lacks %q:\n%s", want, stdout)
	}
	if !strings.Contains(stderr, "2 problems") {
		t.Errorf("stderr = %q", stderr)
	}

	if _, _, code := runner(t, dir, nil, "validate", "--config", "missing.yaml"); code != 2 {
		t.Errorf("validate of a missing file: exit %d, want 2", code)
	}
}

// serveLog collects serve's stderr while the test reads it.
type serveLog struct {
	mu sync.Mutex
	b  strings.Builder
}

func (l *serveLog) add(line string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.b.WriteString(line + "\n")
}

func (l *serveLog) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// startServe starts runner serve in dir and returns the process, the status
// page's URL and its log.
func startServe(t *testing.T, dir string, args ...string) (*exec.Cmd, string, *serveLog) {
	t.Helper()
	return startServeEnv(t, dir, nil, args...)
}

// startServeEnv is startServe with environment variables.
func startServeEnv(t *testing.T, dir string, env []string, args ...string) (*exec.Cmd, string, *serveLog) {
	t.Helper()
	cmd := command(t, dir, env, append([]string{"serve", "--listen", "127.0.0.1:0"}, args...)...)
	stderr := startPiped(t, cmd, cmd.StderrPipe)
	log := &serveLog{}
	url := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			log.add(sc.Text())
			if m := regexp.MustCompile(`msg="status page" url=(\S+)`).FindStringSubmatch(sc.Text()); m != nil {
				url <- m[1]
			}
		}
	}()
	select {
	case u := <-url:
		return cmd, u, log
	case <-time.After(20 * time.Second):
		t.Fatalf("serve did not start:\n%s", log)
	}
	return nil, "", nil
}

func httpBody(t *testing.T, url string) string {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return string(b)
}

func TestServeAndJobsCommands(t *testing.T) {
	dir := jobsDir(t, `timezone: UTC
grace: 10s
jobs:
  - name: tick
    schedule: "* * * * * *"
    script: tick.lua
  - name: by-hand
    schedule: "@daily"
    script: tick.lua
    enabled: false
`, map[string]string{"tick.lua": `require("log").info("tick", {n = 1})` + "\n"})

	cmd, url, log := startServe(t, dir)
	// Two runs of tick, for the history below.
	for deadline := time.Now().Add(time.Minute); strings.Count(log.String(), `msg="run finished" job=tick`) < 2; time.Sleep(50 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("tick did not run twice:\n%s", log)
		}
	}
	if body := httpBody(t, url+"healthz"); body != "ok\n" {
		t.Errorf("/healthz = %q", body)
	}
	const runs = `runner_job_runs_total{job="tick",result="ok"}`
	body := httpBody(t, url+"metrics")
	for deadline := time.Now().Add(time.Minute); !strings.Contains(body, runs) && time.Now().Before(deadline); {
		time.Sleep(50 * time.Millisecond)
		body = httpBody(t, url+"metrics")
	}
	if !strings.Contains(body, runs) {
		t.Errorf("/metrics lacks the runs of tick:\n%s", body)
	}
	if body := httpBody(t, url); !strings.Contains(body, `href="/jobs/tick"`) {
		t.Errorf("status page lacks tick:\n%s", body)
	}
	cmd.Process.Signal(syscall.SIGTERM)
	if err := cmd.Wait(); err != nil {
		t.Fatalf("serve after SIGTERM: %v\n%s", err, log)
	}
	if !strings.Contains(log.String(), `msg=tick job=tick run=`) {
		t.Errorf("serve's log lacks the script's lines tagged with job and run:\n%s", log)
	}
	if info, err := os.Stat(filepath.Join(dir, ".runner/state.db")); err != nil || info.Mode().Perm() != 0o600 {
		t.Errorf("state file: %v, %v", info, err)
	}

	stdout, stderr, code := runner(t, dir, nil, "jobs", "list")
	if code != 0 || !regexp.MustCompile(`(?m)^tick\s+\* \* \* \* \* \*\s+UTC\s+\w{3} \S+ \S+ UTC\s+ok at `).MatchString(stdout) ||
		!regexp.MustCompile(`(?m)^by-hand\s+@daily\s+UTC\s+disabled\s+-$`).MatchString(stdout) {
		t.Errorf("jobs list: exit %d\n%s%s", code, stdout, stderr)
	}

	stdout, stderr, code = runner(t, dir, nil, "jobs", "history", "tick")
	lines := strings.Split(strings.TrimSpace(stdout), "\n")
	if code != 0 || len(lines) < 3 || !strings.HasPrefix(lines[0], "RUN ") || !strings.Contains(lines[1], " schedule ") {
		t.Fatalf("jobs history: exit %d\n%s%s", code, stdout, stderr)
	}
	id := strings.Fields(lines[1])[0]
	stdout, _, code = runner(t, dir, nil, "jobs", "history", "tick", "--log", id)
	if code != 0 || !strings.Contains(stdout, "msg=tick attempt=1 n=1") || !strings.Contains(stdout, `msg="run finished" result=ok`) {
		t.Errorf("jobs history --log: exit %d\n%s", code, stdout)
	}

	stdout, stderr, code = runner(t, dir, nil, "jobs", "run", "by-hand")
	if code != 0 || !strings.Contains(stdout, "by-hand ") || !strings.Contains(stdout, ": ok at ") || !strings.Contains(stderr, "msg=tick") {
		t.Errorf("jobs run: exit %d\nstdout: %s\nstderr: %s", code, stdout, stderr)
	}
	stdout, _, _ = runner(t, dir, nil, "jobs", "history", "by-hand")
	if !strings.Contains(stdout, " manual ") {
		t.Errorf("the manual run is not in the history:\n%s", stdout)
	}
	if _, _, code := runner(t, dir, nil, "jobs", "run", "nope"); code != 2 {
		t.Errorf("jobs run of an unknown job: exit %d, want 2", code)
	}
}

// TestServeSecondSignal stops serve with two signals while a run is in
// progress: it exits at once, and the run is reported interrupted.
func TestServeSecondSignal(t *testing.T) {
	dir := jobsDir(t, `timezone: UTC
grace: 1m
jobs:
  - name: slow
    schedule: "* * * * * *"
    script: slow.lua
`, map[string]string{"slow.lua": `require("log").info("sleeping"); require("time").sleep(60)` + "\n"})
	cmd, _, log := startServe(t, dir)
	waitFor(t, log, "msg=sleeping")
	cmd.Process.Signal(syscall.SIGTERM)
	waitFor(t, log, "a second signal stops at once")
	start := time.Now()
	cmd.Process.Signal(syscall.SIGTERM)
	err := cmd.Wait()
	if d := time.Since(start); d > 30*time.Second { // the run would go on for a minute
		t.Errorf("serve took %v to exit after the second signal", d)
	}
	if exitErr, ok := err.(*exec.ExitError); !ok || exitErr.ExitCode() != 1 {
		t.Errorf("serve after two signals: %v, want exit 1\n%s", err, log)
	}
	stdout, stderr, _ := runner(t, dir, nil, "jobs", "history", "slow")
	if !strings.Contains(stdout, "interrupted: the runner") {
		t.Errorf("the run stopped by the second signal is not interrupted:\n%s%s", stdout, stderr)
	}
}

// TestServeReload edits jobs.yaml under a running serve: a good file swaps
// the jobs, a bad one keeps them.
func TestServeReload(t *testing.T) {
	dir := jobsDir(t, "jobs:\n  - {name: a, schedule: '@daily', script: a.lua}\n", map[string]string{"a.lua": "return 1\n"})
	cmd, url, log := startServe(t, dir)

	os.WriteFile(filepath.Join(dir, "jobs.yaml"), []byte("jobs:\n  - {name: b, schedule: '@daily', script: a.lua}\n"), 0o644)
	cmd.Process.Signal(syscall.SIGHUP)
	waitFor(t, log, `msg="jobs reloaded"`)
	if body := httpBody(t, url); !strings.Contains(body, `href="/jobs/b"`) || strings.Contains(body, `href="/jobs/a"`) {
		t.Errorf("after the reload the status page shows:\n%s", body)
	}

	os.WriteFile(filepath.Join(dir, "jobs.yaml"), []byte("jobs:\n  - {name: c, schedule: 'often', script: a.lua}\n"), 0o644)
	waitFor(t, log, `reload: jobs.yaml:2: job \"c\": schedule:`) // noticed by polling
	if body := httpBody(t, url); !strings.Contains(body, `href="/jobs/b"`) {
		t.Errorf("a bad file replaced the jobs:\n%s", body)
	}
	cmd.Process.Signal(syscall.SIGTERM)
	if err := cmd.Wait(); err != nil {
		t.Errorf("serve: %v", err)
	}
}

func waitFor(t *testing.T, log *serveLog, text string) {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for !strings.Contains(log.String(), text) {
		if time.Now().After(deadline) {
			t.Fatalf("no %q in serve's log:\n%s", text, log)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
