package e2e

// Benchmarks of the runner binary as users run it, against the emulator
// serving a large organisation from this process over loopback.
//
//	go test -run '^$' -bench 'UserListProcess' -benchtime 5x ./e2e

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

var beforeRunner = flag.String("before", "", "the process benchmarks also run this runner binary (an older build) in turn with the current one, for figures before and after a change")

// largeEmulator starts runner emulator --members in a process of its own
// (so that the peak memory of the processes measured is theirs alone), with
// emulator.LargeOrg(departments, members), and returns the variables it
// prints. Its contacts sync calls from this machine since before
// 2022-08-15 (--contacts-sync-ip): the benchmarks of user.list, and the
// rig that writes the HR exports, read members with it.
func largeEmulator(b *testing.B, departments, members int) map[string]string {
	return emulatorProcess(b, "WECOM_AGENT_ID", "--members", strconv.Itoa(members), "--departments", strconv.Itoa(departments), "--contacts-sync-ip", "127.0.0.1")
}

// process is one run of a child process: what it printed on its last line
// of stdout, its peak resident memory and its CPU time.
type process struct {
	last   string
	maxRSS int64 // bytes
	cpu    time.Duration
}

// runProcess runs name with args in a clean environment plus env, and fails
// b unless it exits 0.
func runProcess(b *testing.B, env []string, name string, args ...string) process {
	b.Helper()
	return runProcessIn(b, "", env, name, args...)
}

// runProcessIn is runProcess in the directory dir.
func runProcessIn(b *testing.B, dir string, env []string, name string, args ...string) process {
	b.Helper()
	cmd := exec.Command(name, args...)
	cmd.Dir = dir
	cmd.Env = append([]string{"PATH=" + os.Getenv("PATH"), "HOME=" + b.TempDir()}, env...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		b.Fatalf("%s: %v\n%s", name, err, stderr.String())
	}
	lines := strings.Split(strings.TrimSpace(stdout.String()), "\n")
	ru := cmd.ProcessState.SysUsage().(*syscall.Rusage)
	cpu := time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
	return process{last: lines[len(lines)-1], maxRSS: ru.Maxrss * 1024, cpu: cpu}
}

// listed is what the list scripts print: the members they saw and the
// seconds the list took.
type listed struct {
	Members int     `json:"members"`
	Seconds float64 `json:"seconds"`
}

// figures collects the medians a process benchmark reports for one kind of
// process: the list's time (-s), the process's CPU time (-cpu-s) and peak
// RSS (-MB).
type figures struct {
	name                string
	seconds, cpu, rssMB []float64
}

// add runs one process and records its figures, failing b unless it listed
// members members.
func (f *figures) add(b *testing.B, members int, env []string, name string, args ...string) {
	b.Helper()
	p := runProcess(b, env, name, args...)
	var r listed
	if err := json.Unmarshal([]byte(p.last), &r); err != nil {
		b.Fatalf("%s printed %q: %v", f.name, p.last, err)
	}
	if r.Members != members {
		b.Fatalf("%s listed %d members, want %d", f.name, r.Members, members)
	}
	f.seconds = append(f.seconds, r.Seconds)
	f.cpu = append(f.cpu, p.cpu.Seconds())
	f.rssMB = append(f.rssMB, float64(p.maxRSS)/1e6)
}

// report reports the medians, if any process ran.
func (f *figures) report(b *testing.B) {
	if len(f.seconds) == 0 {
		return
	}
	b.ReportMetric(medianOf(f.seconds), f.name+"-s")
	b.ReportMetric(medianOf(f.cpu), f.name+"-cpu-s")
	b.ReportMetric(medianOf(f.rssMB), f.name+"-MB")
}

// userListScript lists the members of the whole organisation into Lua
// tables once, after a first call that fetches the token and opens the
// connection, and prints their count and the seconds the list took.
const userListScript = `
local wecom = require("wecom")
local time = require("time")
wecom.user.get("zhangsan")
local start = time.now()
local users = wecom.user.list(1, true)
local seconds = time.now() - start
print(string.format('{"members": %d, "seconds": %.6f}', #users, seconds))
`

// userEachScript counts the active members of the whole organisation with
// wecom.user.each, one member at a time.
const userEachScript = `
local wecom = require("wecom")
local time = require("time")
wecom.user.get("zhangsan")
local start = time.now()
local members, active = 0, 0
for u in wecom.user.each(1, true) do
  members = members + 1
  if u.status == 1 then active = active + 1 end
end
local seconds = time.now() - start
print(string.format('{"members": %d, "seconds": %.6f}', members, seconds))
`

// BenchmarkUserListProcess50k compares wecom.user.list(1, true) in a runner
// process (runner exec) with the same list in a Python process doing what
// wechatpy does (bench/python/wechatpy_userlist.py: http.client and
// json.loads), against runner emulator --members 50000 (emulator.LargeOrg,
// 35 MB of user/list JSON) in a third process. Each op runs one process of
// each, in turn, so that all see the same load of a shared machine. It
// reports the medians of the time of the list inside each process
// (runner-s, python-s, and runner/python), of each process's CPU time
// (-cpu-s) and of its peak RSS (-MB). Without python3 it reports the
// runner's figures only. With -before=PATH, it runs that runner binary too
// (before-s, before-MB, ...).
func BenchmarkUserListProcess50k(b *testing.B) {
	const members = 50000
	vars := largeEmulator(b, 100, members)
	env := []string{"WECOM_BASE_URL=" + vars["WECOM_BASE_URL"], "WECOM_CORP_ID=" + vars["WECOM_CORP_ID"], "WECOM_SECRET=" + vars["WECOM_CONTACTS_SECRET"]}
	script := writeScript(b, userListScript)
	python, err := exec.LookPath("python3")
	if err != nil {
		b.Log("python3 not found: no baseline")
	}
	runProcess(b, env, runnerBin, "exec", script) // the emulator's first answer is not measured
	runner, before, py := figures{name: "runner"}, figures{name: "before"}, figures{name: "python"}
	for b.Loop() {
		runner.add(b, members, env, runnerBin, "exec", script)
		if *beforeRunner != "" {
			before.add(b, members, env, *beforeRunner, "exec", script)
		}
		if python != "" {
			py.add(b, members, nil, python, "bench/python/wechatpy_userlist.py", vars["WECOM_BASE_URL"], vars["WECOM_CORP_ID"], vars["WECOM_CONTACTS_SECRET"], "1")
		}
	}
	runner.report(b)
	before.report(b)
	py.report(b)
	if len(py.seconds) > 0 {
		b.ReportMetric(medianOf(runner.seconds)/medianOf(py.seconds), "runner/python")
	}
}

// BenchmarkUserEachProcess50k counts the same organisation's active members
// with wecom.user.each in a runner process: its peak RSS (runner-MB) stays
// near that of a process that lists nothing.
func BenchmarkUserEachProcess50k(b *testing.B) {
	const members = 50000
	vars := largeEmulator(b, 100, members)
	env := []string{"WECOM_BASE_URL=" + vars["WECOM_BASE_URL"], "WECOM_CORP_ID=" + vars["WECOM_CORP_ID"], "WECOM_SECRET=" + vars["WECOM_CONTACTS_SECRET"]}
	script := writeScript(b, userEachScript)
	runner := figures{name: "runner"}
	for b.Loop() {
		runner.add(b, members, env, runnerBin, "exec", script)
	}
	runner.report(b)
}

// medianOf is the median of xs, which it sorts.
func medianOf(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	slices.Sort(xs)
	return xs[len(xs)/2]
}

// nightlySize is the organisation of the nightly-job benchmarks: 100,000
// members, or 10,000 with -short.
func nightlySize() int {
	if testing.Short() {
		return 10000
	}
	return 100000
}

// nightlyJobs is the jobs.yaml of the nightly-job benchmarks: the example
// jobs, with their scripts copied beside it and their data in data/.
const nightlyJobs = `timezone: Asia/Shanghai
state: state.db
clients:
  contacts:
    corp_id: ${WECOM_CORP_ID}
    secret: ${WECOM_CONTACTS_SECRET}
    base_url: ${WECOM_BASE_URL}
  notify:
    corp_id: ${WECOM_CORP_ID}
    secret: ${WECOM_SECRET}
    agent_id: 1000002
    base_url: ${WECOM_BASE_URL}
jobs:
  - name: nightly-department-sync
    schedule: "0 2 * * *"
    script: scripts/examples/department_sync.lua
    client: contacts
    args: {source: hr_departments.csv, reader: notify}
  - name: replace-users
    schedule: "30 2 * * *"
    script: scripts/examples/replace_user.lua
    client: contacts
    timeout: 1h
    args: {source: hr_members.csv, max_remove_share: 0.1}
  - name: daily-report
    schedule: "0 18 * * 1-5"
    script: scripts/examples/daily_report.lua
    client: notify
    args: {admins: [zhangwei, chenjing], jobs: [replace-users]}
`

// hrExport writes the HR exports of the nightly jobs from the emulator's
// organisation: data/hr_members.csv without one member in 200 (whom the
// replace removes) and with one position in 100 changed, and
// data/hr_departments.csv with one department in 50 renamed and one in 100
// reordered.
const hrExport = `
local wecom = require("wecom")
local csv = require("csv")
local rows, i = {}, 0
for u in wecom.user.each(1, true) do
  i = i + 1
  if i % 200 ~= 0 or u.userid == "zhangwei" then
    rows[#rows + 1] = {userid = u.userid, name = u.name, department = table.concat(u.department, ";"),
      mobile = u.mobile, email = u.email, gender = u.gender,
      position = (i % 100 == 0) and ("高级" .. u.position) or u.position}
  end
end
csv.write("hr_members.csv", rows, {header = {"userid", "name", "department", "mobile", "email", "position", "gender"}})
local depts = {}
for n, d in ipairs(wecom.department.get()) do
  depts[#depts + 1] = {id = d.id, name = (n % 50 == 0) and (d.name .. "新") or d.name, parent_id = d.parentid,
    order = (n % 100 == 0) and (d.order + 1) or d.order}
end
csv.write("hr_departments.csv", depts, {header = {"id", "name", "parent_id", "order"}})
print(#rows, #depts)
`

// nightlyRig is a directory with nightlyJobs, the example scripts and the
// HR exports of an organisation that runner emulator serves.
func nightlyRig(b *testing.B, departments, members int) (dir string, env []string) {
	b.Helper()
	vars := largeEmulator(b, departments, members)
	env = []string{"WECOM_BASE_URL=" + vars["WECOM_BASE_URL"], "WECOM_CORP_ID=" + vars["WECOM_CORP_ID"],
		"WECOM_CONTACTS_SECRET=" + vars["WECOM_CONTACTS_SECRET"], "WECOM_SECRET=" + vars["WECOM_SECRET"]}
	dir = b.TempDir()
	if out, err := exec.Command("cp", "-r", "scripts", dir).CombinedOutput(); err != nil {
		b.Fatalf("copy: %v\n%s", err, out)
	}
	if err := os.MkdirAll(filepath.Join(dir, "data"), 0o755); err != nil {
		b.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "jobs.yaml"), []byte(nightlyJobs), 0o644); err != nil {
		b.Fatal(err)
	}
	export := writeScript(b, hrExport)
	runProcessIn(b, dir, env, runnerBin, "exec", "--config", "jobs.yaml", "--client", "contacts", export)
	return dir, env
}

// runJob runs a job of nightlyJobs once with runner jobs run and records the
// process's wall time, CPU time and peak RSS.
func (f *figures) runJob(b *testing.B, dir string, env []string, args ...string) {
	b.Helper()
	start := time.Now()
	p := runProcessIn(b, dir, env, runnerBin, append([]string{"jobs", "run", "--config", "jobs.yaml"}, args...)...)
	f.seconds = append(f.seconds, time.Since(start).Seconds())
	f.cpu = append(f.cpu, p.cpu.Seconds())
	f.rssMB = append(f.rssMB, float64(p.maxRSS)/1e6)
}

// BenchmarkNightlyJobs100k runs the example nightly jobs with runner jobs
// run against runner emulator --members 100000 (10,000 with -short) in 100
// departments: the daily report over every member, then replace_user from
// a 100,000-row HR export (read and check it, build WeCom's file, compare
// with the members, upload, submit, poll to the end). Each reports the
// median wall time of the runner process (-s, which for replace_user
// includes waiting for the emulator to apply the file), its CPU time
// (-cpu-s, the runner's own time) and its peak RSS (-MB). Targets: the
// daily report under 3 s, replace_user under 5 s of the runner's own time
// and 200 MB.
func BenchmarkNightlyJobs100k(b *testing.B) {
	dir, env := nightlyRig(b, 100, nightlySize())
	b.Run("daily-report", func(b *testing.B) {
		f := figures{name: "runner"}
		for b.Loop() {
			f.runJob(b, dir, env, "daily-report")
		}
		f.report(b)
	})
	b.Run("replace-users", func(b *testing.B) {
		f := figures{name: "runner"}
		for b.Loop() {
			f.runJob(b, dir, env, "replace-users")
		}
		f.report(b)
	})
}

// BenchmarkDepartmentSync5000 plans the example department sync of an
// organisation of 5,000 departments (500 with -short) against an HR export
// that renames one in 50 and reorders one in 100: runner jobs run
// --dry-run, which reads the export and WeCom's tree, prints the plan and
// holds back its writes. Target: under 1 s.
func BenchmarkDepartmentSync5000(b *testing.B) {
	departments := 5000
	if testing.Short() {
		departments = 500
	}
	dir, env := nightlyRig(b, departments, 10000)
	f := figures{name: "runner"}
	for b.Loop() {
		f.runJob(b, dir, env, "--dry-run", "nightly-department-sync")
	}
	f.report(b)
}
