package scheduler

import (
	"context"
	"errors"
	"log/slog"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/wecomrunner/runner/runtime/jobs"
	"github.com/wecomrunner/runner/runtime/vm"
	"github.com/wecomrunner/runner/wecom"
	"github.com/wecomrunner/runner/wecom/emulator"
)

// rateLimitRig runs scripts with one client, "app", of the emulator's demo
// app, configured by cc's rate_limit: and rate_limit_wait:, and keeps the
// run's log.
type rateLimitRig struct {
	srv    *emulator.Server
	engine *Engine
	cc     jobs.ClientConfig
	log    syncBuffer
}

func newRateLimitRig(t *testing.T, limit jobs.RateLimit, wait jobs.RateLimitWait) *rateLimitRig {
	t.Helper()
	srv := startEmulator(t, emulator.DemoOrg())
	cred := srv.Credentials()
	r := &rateLimitRig{srv: srv, cc: jobs.ClientConfig{CorpID: cred.CorpID, Secret: cred.Apps[0].Secret, AgentID: cred.Apps[0].AgentID,
		BaseURL: srv.BaseURL(), RateLimit: limit, RateLimitWait: wait}}
	r.engine = NewEngine(&jobs.Config{Clients: map[string]jobs.ClientConfig{"app": r.cc}}, EngineOptions{})
	return r
}

// run runs src as job "loop" with a deadline timeout away.
func (r *rateLimitRig) run(t *testing.T, src string, timeout time.Duration) error {
	t.Helper()
	proto, err := vm.CompileReader(strings.NewReader(src), "loop.lua")
	if err != nil {
		t.Fatal(err)
	}
	job := &jobs.Job{Name: "loop", Script: "loop.lua", Client: "app", Proto: proto}
	a := &Attempt{RunID: "r1", Number: 1, Logger: slog.New(slog.NewTextHandler(&r.log, nil)), Stdout: os.Stdout}
	ctx, cancel := context.WithTimeout(t.Context(), timeout)
	defer cancel()
	return r.engine.Execute(ctx, job, a)
}

const userLoop = `
local wecom = require("wecom")
for i = 1, 5 do wecom.user.get("zhangsan") end
`

// TestRunOwnRateLimitNearDeadline: a loop the client's own limit would hold
// past the run's deadline fails at once, in the run's words.
func TestRunOwnRateLimitNearDeadline(t *testing.T) {
	t.Parallel()
	r := newRateLimitRig(t, jobs.RateLimit{PerMinute: 2}, jobs.RateLimitWait{})
	err := r.run(t, userLoop, 25*time.Second)
	if err == nil {
		t.Fatal("the loop passed a limit of 2 calls a minute within 20s")
	}
	msg := err.Error()
	if !strings.Contains(msg, "user.get: rate limit of 2 calls/min for user/get: the run's deadline would pass before the next call may be sent") ||
		strings.Contains(msg, "rate: Wait") || strings.Contains(msg, "context deadline") {
		t.Errorf("error %q, want the rate limit in the run's words", msg)
	}
	var se *vm.ScriptError
	if !errors.As(err, &se) || errors.Is(err, vm.ErrTimeout) {
		t.Errorf("error %v: want a script error, not a timeout", err)
	}
}

// TestRunRateLimitOff: rate_limit: off sends the loop at once.
func TestRunRateLimitOff(t *testing.T) {
	t.Parallel()
	r := newRateLimitRig(t, jobs.RateLimit{Off: true}, jobs.RateLimitWait{})
	if err := r.run(t, userLoop, 20*time.Second); err != nil {
		t.Fatal(err)
	}
}

// TestRunLogsRateLimitWaits: each wait on WeCom's frequency limit is a line
// of the run's log (API, wait, why), and rate_limit_wait ends the waiting.
func TestRunLogsRateLimitWaits(t *testing.T) {
	t.Parallel()
	r := newRateLimitRig(t, jobs.RateLimit{}, jobs.RateLimitWait{Wait: 300 * time.Millisecond, Set: true})
	r.srv.SetRateLimit("user/get", 1)
	err := r.run(t, userLoop, time.Hour)
	if !wecom.IsCode(err, wecom.CodeFrequencyLimited) && !strings.Contains(fmtErr(err), "errcode 45009") {
		t.Fatalf("error %v, want 45009 after rate_limit_wait", err)
	}
	if !strings.Contains(fmtErr(err), "the most a call waits") {
		t.Errorf("error %q, want it to say the wait ran out", fmtErr(err))
	}
	lines := strings.Split(strings.TrimSpace(r.log.String()), "\n")
	waits := 0
	for _, l := range lines {
		if !strings.Contains(l, "WeCom limits calls: waiting before calling again") {
			continue
		}
		waits++
		for _, want := range []string{"api=user/get", "errcode=45009", "reason=", "wait=", "rate_limit_wait=300ms"} {
			if !strings.Contains(l, want) {
				t.Errorf("log line %q lacks %s", l, want)
			}
		}
	}
	if waits == 0 {
		t.Errorf("no wait logged:\n%s", r.log.String())
	}
	if log := r.log.String(); strings.Contains(log, r.cc.Secret) || strings.Contains(log, "access_token") {
		t.Errorf("the log holds a secret or a token:\n%s", log)
	}
}

// TestRunDailyQuotaNotWaited: a daily quota used up fails the call at once.
func TestRunDailyQuotaNotWaited(t *testing.T) {
	t.Parallel()
	r := newRateLimitRig(t, jobs.RateLimit{}, jobs.RateLimitWait{})
	r.srv.SetDailyQuota("user/get", 2)
	err := r.run(t, userLoop, time.Hour)
	if !strings.Contains(fmtErr(err), "daily quota of user/get is used up") {
		t.Fatalf("error %v, want the daily quota used up", err)
	}
	if strings.Contains(r.log.String(), "waiting before calling again") {
		t.Errorf("a wait was logged for a daily quota:\n%s", r.log.String())
	}
}

func fmtErr(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}
