package e2e

// End-to-end tests of the runner binary: built once, run as a user runs it.

import (
	"bufio"
	"path/filepath"
	"strings"
	"testing"
)

func TestExecAgainstEmulator(t *testing.T) {
	t.Parallel()
	script := writeScript(t, `
		local wecom = require("wecom")
		local u = wecom.user.get("zhangsan")
		print(u.name, u.userid)
		local r = wecom.message.send_text{user_ids = {"zhangsan"}, content = "早上好"}
		print(r.errcode)
	`)
	out, errOut, code := runner(t, filepath.Dir(script), nil, "exec", "--emulator", script)
	if code != 0 {
		t.Fatalf("exit %d\n%s", code, errOut)
	}
	if want := "张三\tzhangsan\n0\n"; out != want {
		t.Errorf("stdout = %q, want %q", out, want)
	}
}

func TestExecDryRunSendsNoWrite(t *testing.T) {
	t.Parallel()
	// The contacts sync writes; the application, visible to the whole
	// organisation, reads the tree (the contacts sync may not call
	// department/list from a new IP).
	script := writeScript(t, `
		local wecom = require("wecom")
		wecom.client("contacts").department.create{name = "临时部门", parent_id = 1}
		local found = false
		for _, d in ipairs(wecom.department.get()) do
			if d.name == "临时部门" then found = true end
		end
		print(found)
	`)
	out, errOut, code := runner(t, filepath.Dir(script), nil, "exec", "--emulator", "--dry-run", script)
	if code != 0 {
		t.Fatalf("exit %d\n%s", code, errOut)
	}
	if out != "false\n" {
		t.Errorf("stdout = %q: the dry run created the department", out)
	}
	if !strings.Contains(errOut, "dry run: 1 writes not sent") || !strings.Contains(errOut, "department/create") {
		t.Errorf("stderr lacks the dry-run summary:\n%s", errOut)
	}
}

func TestExecFailures(t *testing.T) {
	tests := []struct {
		name   string
		src    string
		args   []string
		code   int
		stderr []string
	}{
		{"lua error", "local x = 1\nerror(\"boom\")\n", nil, 1, []string{"script.lua:2:", "boom", "stack traceback:", "script.lua:2: in the main chunk"}},
		{"api error", "local wecom = require('wecom')\nwecom.user.get('nobody')\n", nil, 1, []string{"script.lua:2:", "errcode 60111"}},
		{"sandbox", "os.execute('touch /tmp/pwned')\n", nil, 1, []string{"script.lua:1:"}},
		{"timeout", "while true do end\n", []string{"--timeout", "200ms"}, 1, []string{"timed out"}},
		{"syntax", "local = 1\n", nil, 2, []string{"script.lua"}},
		{"bad flag", "", []string{"--no-such-flag"}, 2, []string{"unknown flag"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			script := writeScript(t, tt.src)
			args := append(append([]string{"exec", "--emulator"}, tt.args...), script)
			_, errOut, code := runner(t, filepath.Dir(script), nil, args...)
			if code != tt.code {
				t.Errorf("exit %d, want %d\n%s", code, tt.code, errOut)
			}
			for _, s := range tt.stderr {
				if !strings.Contains(errOut, s) {
					t.Errorf("stderr lacks %q:\n%s", s, errOut)
				}
			}
		})
	}
}

func TestExecUsesEnvironmentClient(t *testing.T) {
	t.Parallel()
	script := writeScript(t, `print("started") print(require("wecom").user.get("lisi").name)`)
	// No client configured: a configuration error before the script starts
	// explains what to set.
	out, errOut, code := runner(t, filepath.Dir(script), nil, "exec", script)
	if code != 2 || out != "" || !strings.Contains(errOut, "no client is configured: set WECOM_CORP_ID and WECOM_SECRET") {
		t.Errorf("exit %d, stdout %q, stderr:\n%s", code, out, errOut)
	}
	// With the variables the emulator prints, the same script runs.
	_, env := startEmulator(t)
	out, errOut, code = runner(t, filepath.Dir(script), env, "exec", script)
	if code != 0 || out != "started\n李四\n" {
		t.Errorf("exit %d, stdout %q, stderr:\n%s", code, out, errOut)
	}
}

func TestEmulatorCommandServesASecondShell(t *testing.T) {
	t.Parallel()
	addr := freePort(t)
	cmd := command(t, "", nil, "emulator", "--listen", addr, "--fail", "user/get=60111x1")
	stdout := startPiped(t, cmd, cmd.StdoutPipe)

	// The emulator prints the variables a client needs, one per line.
	var env []string
	sc := bufio.NewScanner(stdout)
	for len(env) < 7 && sc.Scan() {
		env = append(env, sc.Text())
	}
	want := []string{"WECOM_BASE_URL=http://" + addr + "/cgi-bin/", "WECOM_CORP_ID=", "WECOM_CONTACTS_SECRET=", "WECOM_CUSTOMER_SECRET=", "WECOM_SECRET=", "WECOM_AGENT_ID=1000002", "WECOM_OA_SECRET="}
	for i, w := range want {
		if i >= len(env) || !strings.HasPrefix(env[i], w) {
			t.Fatalf("line %d = %q, want %q...", i+1, env, w)
		}
	}
	script := writeScript(t, `
		local wecom = require("wecom")
		local ok, err = pcall(wecom.user.get, "zhangsan")
		print(ok, err.errcode)
		print(wecom.user.get("zhangsan").name)
	`)
	out, errOut, code := runner(t, filepath.Dir(script), env, "exec", script)
	if code != 0 || out != "false\t60111\n张三\n" {
		t.Errorf("exit %d, stdout %q, stderr:\n%s", code, out, errOut)
	}
}

// TestEmulatorCommandFailsExports: runner emulator --fail-exports 1 fails
// the first export job, which a script's export.each_user reports naming
// the export and the job; the next export is done.
func TestEmulatorCommandFailsExports(t *testing.T) {
	t.Parallel()
	vars := emulatorProcess(t, "WECOM_OA_SECRET", "--fail-exports", "1")
	var env []string
	for k, v := range vars {
		env = append(env, k+"="+v)
	}
	script := writeScript(t, `
		local wecom = require("wecom")
		local ok, err = pcall(function() for _ in wecom.export.each_user() do end end)
		print(ok, err)
		local n = 0
		for _ in wecom.export.each_department() do n = n + 1 end
		print(n > 0)
	`)
	out, errOut, code := runner(t, filepath.Dir(script), env, "exec", script)
	if code != 0 || !strings.HasPrefix(out, "false\t") || !strings.Contains(out, "script.lua:3: export/user: wecom export/get_result: job jobid_") ||
		!strings.HasSuffix(out, ": the export job failed (status 3, 异常失败); submit the export again\ntrue\n") {
		t.Errorf("exit %d, stdout %q, stderr:\n%s", code, out, errOut)
	}
	_, errOut, code = runner(t, t.TempDir(), nil, "emulator", "--fail-exports", "-1")
	if code != 2 || !strings.Contains(errOut, "--fail-exports -1: want 0 or more") {
		t.Errorf("--fail-exports -1: exit %d, stderr:\n%s", code, errOut)
	}
}

func TestEmulatorCommandRejectsBadFault(t *testing.T) {
	t.Parallel()
	_, errOut, code := runner(t, t.TempDir(), nil, "emulator", "--fail", "user/get")
	if code != 2 || !strings.Contains(errOut, "API=ERRCODE") {
		t.Errorf("exit %d, stderr:\n%s", code, errOut)
	}
}

func TestEmulatorCommandGrowsTheOrganisation(t *testing.T) {
	t.Parallel()
	vars := emulatorProcess(t, "WECOM_AGENT_ID", "--members", "500", "--departments", "30")
	script := writeScript(t, `
		local wecom = require("wecom")
		local depts = wecom.department.get()
		print(#wecom.user.list(1, true), #depts)
	`)
	// Read by the application 运维助手, visible to the whole organisation:
	// under today's rules the contacts sync may not call department/list.
	env := []string{"WECOM_BASE_URL=" + vars["WECOM_BASE_URL"], "WECOM_CORP_ID=" + vars["WECOM_CORP_ID"], "WECOM_SECRET=" + vars["WECOM_SECRET"]}
	out, errOut, code := runner(t, filepath.Dir(script), env, "exec", script)
	if code != 0 || out != "500\t30\n" {
		t.Errorf("exit %d, stdout %q, stderr:\n%s", code, out, errOut)
	}
	_, errOut, code = runner(t, t.TempDir(), nil, "emulator", "--members", "10", "--org", "org.yaml")
	if code != 2 || !strings.Contains(errOut, "--members and --org") {
		t.Errorf("--members with --org: exit %d, stderr:\n%s", code, errOut)
	}
}

// rulesScript reads zhangsan's mobile as the application (nil under today's
// rules: the demo's application is a new one) and the department tree with
// the contacts-sync secret (48009 under today's rules: a new IP), and prints
// both outcomes.
const rulesScript = `
	local wecom = require("wecom")
	print(wecom.user.get("zhangsan").mobile)
	local ok, err = pcall(wecom.client("contacts").department.get)
	print(ok and "department/list ok" or ("department/list " .. err.errcode))
`

func TestEmulatorCommandRules(t *testing.T) {
	t.Parallel()
	script := writeScript(t, rulesScript)
	run := func(args ...string) string {
		t.Helper()
		vars := emulatorProcess(t, "WECOM_AGENT_ID", args...)
		env := []string{"WECOM_BASE_URL=" + vars["WECOM_BASE_URL"], "WECOM_CORP_ID=" + vars["WECOM_CORP_ID"],
			"WECOM_SECRET=" + vars["WECOM_SECRET"], "WECOM_CONTACTS_SECRET=" + vars["WECOM_CONTACTS_SECRET"]}
		out, errOut, code := runner(t, filepath.Dir(script), env, "exec", script)
		if code != 0 {
			t.Fatalf("runner emulator %v: exit %d, stderr:\n%s", args, code, errOut)
		}
		return out
	}
	if out := run(); out != "nil\ndepartment/list 48009\n" {
		t.Errorf("today's rules (the default): %q", out)
	}
	if out := run("--rules", "today"); out != "nil\ndepartment/list 48009\n" {
		t.Errorf("--rules today: %q", out)
	}
	if out := run("--rules", "legacy"); out != "13800138002\ndepartment/list ok\n" {
		t.Errorf("--rules legacy: %q", out)
	}
	// The contacts sync of an older corp, calling from this machine.
	if out := run("--contacts-sync-ip", "127.0.0.1"); out != "nil\ndepartment/list ok\n" {
		t.Errorf("--contacts-sync-ip: %q", out)
	}

	// The trusted-IP rule: this machine is not trusted.
	vars := emulatorProcess(t, "WECOM_AGENT_ID", "--trusted-ip", "203.0.113.9")
	env := []string{"WECOM_BASE_URL=" + vars["WECOM_BASE_URL"], "WECOM_CORP_ID=" + vars["WECOM_CORP_ID"], "WECOM_SECRET=" + vars["WECOM_SECRET"]}
	_, errOut, code := runner(t, filepath.Dir(script), env, "exec", script)
	if code != 1 || !strings.Contains(errOut, "errcode 60020") {
		t.Errorf("--trusted-ip: exit %d, stderr:\n%s", code, errOut)
	}

	_, errOut, code = runner(t, t.TempDir(), nil, "emulator", "--rules", "2021")
	if code != 2 || !strings.Contains(errOut, "today or legacy") {
		t.Errorf("--rules 2021: exit %d, stderr:\n%s", code, errOut)
	}
}

// TestExecEmulatorRules: the in-process emulator of --emulator applies
// today's rules unless --emulator-rules legacy says otherwise.
func TestExecEmulatorRules(t *testing.T) {
	t.Parallel()
	script := writeScript(t, rulesScript)
	dir := filepath.Dir(script)
	for _, c := range []struct {
		args []string
		want string
	}{
		{nil, "nil\ndepartment/list 48009\n"},
		{[]string{"--emulator-rules", "today"}, "nil\ndepartment/list 48009\n"},
		{[]string{"--emulator-rules", "legacy"}, "13800138002\ndepartment/list ok\n"},
	} {
		args := append(append([]string{"exec", "--emulator"}, c.args...), script)
		out, errOut, code := runner(t, dir, nil, args...)
		if code != 0 || out != c.want {
			t.Errorf("runner %v: exit %d, stdout %q, want %q, stderr:\n%s", args, code, out, c.want, errOut)
		}
	}
	// jobs run (and serve, through the same flags) too.
	jobs := jobsDir(t, `timezone: UTC
clients:
  notify: {corp_id: "${WECOM_CORP_ID}", secret: "${WECOM_SECRET}"}
jobs:
  - {name: mobile, schedule: "@daily", script: mobile.lua}
`, map[string]string{"mobile.lua": `print("mobile:", require("wecom").user.get("zhangsan").mobile)` + "\n"})
	for rules, want := range map[string]string{"today": "mobile:\tnil\n", "legacy": "mobile:\t13800138002\n"} {
		stdout, stderr, code := runner(t, jobs, nil, "jobs", "run", "--emulator", "--emulator-rules", rules, "mobile")
		if code != 0 || !strings.Contains(stdout, want) {
			t.Errorf("jobs run --emulator-rules %s: exit %d, stdout %q, want %q, stderr:\n%s", rules, code, stdout, want, stderr)
		}
	}
	for _, args := range [][]string{
		{"exec", "--emulator-rules", "legacy", script},
		{"exec", "--emulator", "--emulator-rules", "2021", script},
	} {
		_, errOut, code := runner(t, dir, nil, args...)
		if code != 2 || !strings.Contains(errOut, "--emulator") {
			t.Errorf("runner %v: exit %d, stderr:\n%s", args, code, errOut)
		}
	}
}

// TestExecWrongBaseURL: a base URL without /cgi-bin/ fails with the URL
// named, and no secret shown.
func TestExecWrongBaseURL(t *testing.T) {
	t.Parallel()
	srv, env := startEmulator(t)
	wrong := strings.TrimSuffix(srv.BaseURL(), "cgi-bin/")
	script := writeScript(t, `print(require("wecom").user.get("lisi").name)`)
	_, errOut, code := runner(t, filepath.Dir(script), env, "exec", "--base-url", wrong, script)
	if code != 1 || !strings.Contains(errOut, "HTTP 404 Not Found from GET "+wrong+"gettoken?corpid=") {
		t.Errorf("exit %d, stderr:\n%s", code, errOut)
	}
	for _, kv := range env {
		if name, secret, _ := strings.Cut(kv, "="); strings.HasSuffix(name, "SECRET") && strings.Contains(errOut, secret) {
			t.Errorf("stderr shows %s:\n%s", name, errOut)
		}
	}
}
