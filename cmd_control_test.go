package main

// End-to-end tests of the control API of runner serve and of the commands
// that go through it.

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/wecomrunner/runner/runtime"
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
	client := runtime.NewControlClient(url, token)
	ctx := t.Context()
	rec, err := client.RunNow(ctx, "by-hand", runtime.RunBody{Args: map[string]any{"who": "alice"}, By: "alice@laptop"})
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := client.Log(ctx, rec.ID, true, &out); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), `msg="hello alice"`) || !strings.Contains(out.String(), `msg="run finished" result=ok`) {
		t.Errorf("the log of the manual run:\n%s", out.String())
	}
	if _, err := runtime.NewControlClient(url, "wrong").Jobs(ctx); err == nil || !strings.Contains(err.Error(), "missing or wrong control token") {
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
