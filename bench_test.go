package main

// Benchmarks of the runner binary as users run it, against the emulator
// serving a large organisation from this process over loopback.
//
//	go test -run '^$' -bench 'UserListProcess' -benchtime 5x .

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
// prints.
func largeEmulator(b *testing.B, departments, members int) map[string]string {
	return emulatorProcess(b, "--members", strconv.Itoa(members), "--departments", strconv.Itoa(departments))
}

// process is one run of a child process: what it printed on its last line
// of stdout, and its peak resident memory.
type process struct {
	last   string
	maxRSS int64 // bytes
	wall   time.Duration
}

// runProcess runs name with args in a clean environment plus env, and fails
// b unless it exits 0.
func runProcess(b *testing.B, env []string, name string, args ...string) process {
	b.Helper()
	cmd := exec.Command(name, args...)
	cmd.Env = append([]string{"PATH=" + os.Getenv("PATH"), "HOME=" + b.TempDir()}, env...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	start := time.Now()
	if err := cmd.Run(); err != nil {
		b.Fatalf("%s: %v\n%s", name, err, stderr.String())
	}
	wall := time.Since(start)
	lines := strings.Split(strings.TrimSpace(stdout.String()), "\n")
	ru := cmd.ProcessState.SysUsage().(*syscall.Rusage)
	return process{last: lines[len(lines)-1], maxRSS: ru.Maxrss * 1024, wall: wall}
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

// BenchmarkUserListProcess50k compares wecom.user.list(1, true) in a runner
// process (runner exec) with the same list in a Python process doing what
// wechatpy does (bench/python/wechatpy_userlist.py: http.client and
// json.loads), against the emulator serving emulator.LargeOrg(100, 50000):
// 35 MB of user/list JSON. Each op runs one process of each, in turn, so
// that both see the same load of a shared machine. It reports the median
// time of the list inside each process (runner-s, python-s, and their
// ratio), and the median peak RSS of each process (runner-MB, python-MB).
// Without python3 it reports the runner's figures only. With
// -before=PATH, it runs that runner binary too (before-s, before-MB).
func BenchmarkUserListProcess50k(b *testing.B) {
	const members = 50000
	script := filepath.Join(b.TempDir(), "userlist.lua")
	if err := os.WriteFile(script, []byte(userListScript), 0o644); err != nil {
		b.Fatal(err)
	}
	python, err := exec.LookPath("python3")
	if err != nil {
		b.Log("python3 not found: no baseline")
	}
	vars := largeEmulator(b, 100, members)
	env := []string{"WECOM_BASE_URL=" + vars["WECOM_BASE_URL"], "WECOM_CORP_ID=" + vars["WECOM_CORP_ID"], "WECOM_SECRET=" + vars["WECOM_CONTACTS_SECRET"]}
	type result struct {
		Members int     `json:"members"`
		Seconds float64 `json:"seconds"`
	}
	parse := func(p process) result {
		var r result
		if err := json.Unmarshal([]byte(p.last), &r); err != nil {
			b.Fatalf("%q: %v", p.last, err)
		}
		if r.Members != members {
			b.Fatalf("%d members, want %d", r.Members, members)
		}
		return r
	}
	runProcess(b, env, runnerBin, "exec", script) // the emulator's first answer is not measured
	var runnerS, pythonS, runnerRSS, pythonRSS, beforeS, beforeRSS []float64
	for b.Loop() {
		p := runProcess(b, env, runnerBin, "exec", script)
		runnerS, runnerRSS = append(runnerS, parse(p).Seconds), append(runnerRSS, float64(p.maxRSS)/1e6)
		if *beforeRunner != "" {
			p := runProcess(b, env, *beforeRunner, "exec", script)
			beforeS, beforeRSS = append(beforeS, parse(p).Seconds), append(beforeRSS, float64(p.maxRSS)/1e6)
		}
		if python != "" {
			p := runProcess(b, nil, python, "bench/python/wechatpy_userlist.py", vars["WECOM_BASE_URL"], vars["WECOM_CORP_ID"], vars["WECOM_CONTACTS_SECRET"], "1")
			pythonS, pythonRSS = append(pythonS, parse(p).Seconds), append(pythonRSS, float64(p.maxRSS)/1e6)
		}
	}
	b.ReportMetric(medianOf(runnerS), "runner-s")
	b.ReportMetric(medianOf(runnerRSS), "runner-MB")
	if *beforeRunner != "" {
		b.ReportMetric(medianOf(beforeS), "before-s")
		b.ReportMetric(medianOf(beforeRSS), "before-MB")
	}
	if python != "" {
		b.ReportMetric(medianOf(pythonS), "python-s")
		b.ReportMetric(medianOf(pythonRSS), "python-MB")
		b.ReportMetric(medianOf(runnerS)/medianOf(pythonS), "runner/python")
	}
}

// medianOf is the median of xs, which it sorts.
func medianOf(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	slices.Sort(xs)
	return xs[len(xs)/2]
}
