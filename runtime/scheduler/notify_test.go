package scheduler

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/wecomrunner/runner/wecom/emulator"

	"github.com/wecomrunner/runner/runtime/internal/runfixture"
	"github.com/wecomrunner/runner/runtime/jobs"
	"github.com/wecomrunner/runner/runtime/state"
)

// alertRig runs jobs whose result the test chooses, with the alerts of
// their notify: sent to an emulator.
type alertRig struct {
	t    *testing.T
	srv  *emulator.Server
	s    *Scheduler
	fail map[string]bool // jobs whose next runs fail
}

func newAlertRig(t *testing.T, notify string) *alertRig {
	t.Helper()
	srv := startEmulator(t, emulator.DemoOrg())
	creds := srv.Credentials()
	vars := map[string]string{
		"CORP": creds.CorpID, "APP_SECRET": emulator.DemoOpsSecret, "BASE": srv.BaseURL(),
		"ROBOT": srv.BaseURL() + "webhook/send?key=" + emulator.DemoRobotKey,
	}
	cfg := runfixture.LoadValidEnv(t, `timezone: Asia/Shanghai
public_url: https://runner.example.com/
clients:
  ops: {corp_id: "${CORP}", secret: "${APP_SECRET}", agent_id: 1000002, base_url: "${BASE}"}
defaults:
`+notify+`
jobs:
  - {name: sync, schedule: "@daily", script: job.lua, enabled: false}
`, vars)
	r := &alertRig{t: t, srv: srv, fail: map[string]bool{}}
	exec := execFunc(func(ctx context.Context, job *jobs.Job, a *Attempt) error {
		if r.fail[job.Name] {
			return errors.New("sync.lua:12: department 研发部 not found\nstack traceback:\n\t[C]: in ?")
		}
		return nil
	})
	store := runfixture.OpenBolt(t, state.BoltOptions{})
	alerter := NewAlerter(NewEngine(cfg, EngineOptions{Store: store}), AlerterOptions{})
	var err error
	if r.s, err = New(cfg, exec, store, Options{Logger: testLogger(t), Alerter: alerter}); err != nil {
		t.Fatal(err)
	}
	return r
}

// run runs sync, failing or not, and returns its record as stored.
func (r *alertRig) run(fail bool) state.RunRecord {
	r.t.Helper()
	r.fail["sync"] = fail
	rec, err := r.s.RunNow(r.t.Context(), "sync")
	if err != nil {
		r.t.Fatal(err)
	}
	stored, err := r.s.Store().Run(r.t.Context(), "sync", rec.ID)
	if err != nil {
		r.t.Fatal(err)
	}
	return stored
}

// TestAlerts: a failure alerts the robot, the app's users and the app chat;
// while the job keeps failing it alerts at most once per quiet; the first
// success after the failures alerts a recovery; later successes are quiet.
func TestAlerts(t *testing.T) {
	r := newAlertRig(t, `  notify:
    webhook: "${ROBOT}"
    client: ops
    users: [zhangsan, lisi]
    chat: OPSONCALL2024
    quiet: 1h`)

	first := r.run(true)
	if first.Result != state.ResultFailed || first.Alert != "failure alert sent to the robot, the app message, the app chat" || first.AlertError != "" {
		t.Fatalf("the first failure = %+v", first)
	}
	robot := r.srv.RobotMessages()
	if len(robot) != 1 {
		t.Fatalf("robot messages = %+v", robot)
	}
	msg := robot[0].Content
	for _, want := range []string{
		"**runner: sync failed**", `<font color="warning">failed</font> after 1 attempt, 0s`,
		"> Error: sync.lua:12: department 研发部 not found\n", "(manual)",
		"[Run " + first.ID + "](https://runner.example.com/jobs/sync/runs/" + first.ID + ")",
		"> Started: " + first.Started.In(r.s.Config().Jobs[0].Location).Format("2006-01-02 15:04:05") + " CST",
	} {
		if !strings.Contains(msg, want) {
			t.Errorf("the alert lacks %q:\n%s", want, msg)
		}
	}
	for _, secret := range []string{emulator.DemoRobotKey, emulator.DemoOpsSecret, "stack traceback"} {
		if strings.Contains(msg, secret) {
			t.Errorf("the alert shows %q:\n%s", secret, msg)
		}
	}
	if apps := r.srv.Messages(); len(apps) != 1 || apps[0].MsgType != "markdown" || apps[0].ToUser != "zhangsan|lisi" || apps[0].AgentID != 1000002 {
		t.Errorf("app messages = %+v", apps)
	}
	if chats := r.srv.ChatMessages(); len(chats) != 1 || chats[0].ChatID != "OPSONCALL2024" {
		t.Errorf("chat messages = %+v", chats)
	}

	second := r.run(true)
	if !strings.HasPrefix(second.Alert, "withheld: the job keeps failing, and was alerted just now (quiet: 1h0m0s)") || len(r.srv.RobotMessages()) != 1 {
		t.Errorf("a second failure within quiet = %+v; %d robot messages", second, len(r.srv.RobotMessages()))
	}
	recovered := r.run(false)
	robot = r.srv.RobotMessages()
	if recovered.Alert != "recovery alert sent to the robot, the app message, the app chat" || len(robot) != 2 ||
		!strings.Contains(robot[1].Content, "**runner: sync recovered**") || !strings.Contains(robot[1].Content, "> After 2 failed runs since ") {
		t.Errorf("the recovery = %+v; robot %+v", recovered, robot)
	}
	if quiet := r.run(false); quiet.Alert != "" || len(r.srv.RobotMessages()) != 2 {
		t.Errorf("a success without success in when: = %+v", quiet)
	}
	// A new series of failures alerts again at once.
	if again := r.run(true); !strings.HasPrefix(again.Alert, "failure alert sent") {
		t.Errorf("the failure after the recovery = %+v", again)
	}
	var b strings.Builder
	r.s.Metrics().WriteTo(&b)
	for _, want := range []string{`runner_alerts_total{job="sync",outcome="sent"} 3`, `runner_alerts_total{job="sync",outcome="withheld"} 1`} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("the metrics lack %q:\n%s", want, b.String())
		}
	}
}

// TestAlertStateOfEarlierVersion: the alert state an earlier version kept
// in the kv namespace ":notify" still counts after the upgrade: a job that
// was failing alerts its recovery, and the old state is deleted once it is
// carried over.
func TestAlertStateOfEarlierVersion(t *testing.T) {
	r := newAlertRig(t, `  notify:
    webhook: "${ROBOT}"
    quiet: 1h`)
	ctx := t.Context()
	since := time.Now().Add(-2 * time.Hour).UTC()
	old := fmt.Sprintf(`{"failing":true,"since":%q,"failures":3,"last_alert":%q}`, since.Format(time.RFC3339Nano), since.Format(time.RFC3339Nano))
	legacy := r.s.Store().KV(":notify")
	if err := legacy.Set(ctx, "sync", old); err != nil {
		t.Fatal(err)
	}
	recovered := r.run(false)
	robot := r.srv.RobotMessages()
	if recovered.Alert != "recovery alert sent to the robot" || len(robot) != 1 || !strings.Contains(robot[0].Content, "> After 3 failed runs since ") {
		t.Fatalf("the first run after the upgrade = %+v; robot %+v", recovered, robot)
	}
	if _, ok, err := legacy.Get(ctx, "sync"); err != nil || ok {
		t.Errorf("the earlier version's state is still there (%v, %v)", ok, err)
	}
	if quiet := r.run(false); quiet.Alert != "" || len(r.srv.RobotMessages()) != 1 {
		t.Errorf("the next success = %+v", quiet)
	}
}

// TestAlertFailure: an alert that cannot be sent is recorded with the run
// and logged, and the run keeps its result.
func TestAlertFailure(t *testing.T) {
	r := newAlertRig(t, `  notify:
    webhook: "${BASE}webhook/send?key=not-a-robot"
    when: [failure, success]`)
	rec := r.run(false)
	if rec.Result != state.ResultOK || rec.Alert != "" || !strings.Contains(rec.AlertError, "robot: wecom webhook/send: errcode 93000") || strings.Contains(rec.AlertError, "not-a-robot") {
		t.Errorf("a run whose alert failed = %+v", rec)
	}
	r.srv.FailNext("webhook/send", 1, 45009)
	if rec := r.run(true); rec.Result != state.ResultFailed || !strings.Contains(rec.AlertError, "errcode 45009") {
		t.Errorf("a failed run whose alert failed = %+v", rec)
	}
	// An alert that reached no one does not count for quiet:.
	if rec := r.run(true); strings.HasPrefix(rec.Alert, "withheld") || !strings.Contains(rec.AlertError, "errcode 93000") {
		t.Errorf("the failure after an alert that was not sent = %+v, want its alert tried", rec)
	}
}

func TestNotifyProblems(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "job.lua"), "return 1\n")
	writeFile(t, filepath.Join(dir, "jobs.yaml"), `clients:
  contacts: {corp_id: ww1, secret: s}
  ops: {corp_id: ww1, secret: s, agent_id: 1000002}
defaults:
  client: contacts
  notify: {webhook: "${ROBOT_URL}"}
jobs:
  - {name: a, schedule: "@daily", script: job.lua}
  - {name: b, schedule: "@daily", script: job.lua, notify: {when: [failure, sometimes], quiet: -1m}}
  - {name: c, schedule: "@daily", script: job.lua, notify: {users: [zhangsan]}}
  - {name: d, schedule: "@daily", script: job.lua, notify: {client: contacts, users: [zhangsan]}}
  - {name: e, schedule: "@daily", script: job.lua, notify: {webhook: "https://qyapi.weixin.qq.com/cgi-bin/webhook/send"}}
  - {name: f, schedule: "@daily", script: job.lua, notify: {client: ops, chat: OPS}}
`)
	cfg, err := jobs.Load(filepath.Join(dir, "jobs.yaml"), env(nil))
	if err != nil {
		t.Fatal(err)
	}
	err = cfg.Validate()
	for _, want := range []string{
		`jobs.yaml:6: defaults.notify.webhook: environment variable ROBOT_URL is not set`,
		`jobs.yaml:9: job "b": notify.when: "sometimes" is not failure, recovery or success`,
		`job "b": notify: tells no one`,
		`job "b": notify.quiet: must not be negative`,
		`job "c": notify.client: required with users:`,
		`job "d": notify.client: contacts has no agent_id`,
		`job "e": notify.webhook: the URL has no key`,
	} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Validate lacks %q:\n%v", want, err)
		}
	}
	if strings.Contains(err.Error(), `job "f"`) {
		t.Errorf("a good notify: has problems:\n%v", err)
	}
	// Reading the history needs no webhook.
	cfg, _ = jobs.Load(filepath.Join(dir, "jobs.yaml"), env(nil))
	cfg.ClientVariablesOptional()
	if err := cfg.Validate(); err != nil && strings.Contains(err.Error(), "ROBOT_URL") {
		t.Errorf("ClientVariablesOptional keeps the webhook's variable: %v", err)
	}
}

// pairedTransport holds each request until another one arrives, or until a
// while has passed: two instances that both send an alert send it at the
// same moment.
type pairedTransport struct {
	mu      sync.Mutex
	waiting chan struct{} // closed when a second request arrives; nil when none waits
}

func (p *pairedTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	p.mu.Lock()
	w := p.waiting
	if w == nil {
		w = make(chan struct{})
		p.waiting = w
	} else {
		close(w)
		p.waiting = nil
	}
	p.mu.Unlock()
	select {
	case <-w:
	case <-time.After(2 * time.Second):
		p.mu.Lock()
		if p.waiting == w {
			p.waiting = nil
		}
		p.mu.Unlock()
	}
	return http.DefaultTransport.RoundTrip(req)
}

// TestAlertsOnceAcrossInstances: two schedulers sharing a Redis state end
// runs of the same job at the same moment, and send their alerts at the
// same moment: the failure alerts once (the other run's is withheld by
// quiet), and the recovery once.
func TestAlertsOnceAcrossInstances(t *testing.T) {
	srv := startEmulator(t, emulator.DemoOrg())
	cfg := runfixture.LoadValidEnv(t, `timezone: Asia/Shanghai
jobs:
  - name: sync
    schedule: "@daily"
    script: job.lua
    enabled: false
    concurrency: allow
    notify: {webhook: "${ROBOT}", when: [failure, recovery], quiet: 1h}
`, map[string]string{"ROBOT": srv.BaseURL() + "webhook/send?key=" + emulator.DemoRobotKey})

	var fail atomic.Bool
	var arrived sync.WaitGroup // the runs of a round, until both have begun
	exec := execFunc(func(ctx context.Context, job *jobs.Job, a *Attempt) error {
		arrived.Done()
		arrived.Wait()
		if fail.Load() {
			return errors.New("the HR export is empty")
		}
		return nil
	})
	redis := runfixture.StartRedis(t)
	transport := &pairedTransport{}
	var instances []*Scheduler
	for _, name := range []string{"a", "b"} {
		store := redis.Open(t, state.RedisOptions{Instance: name})
		alerter := NewAlerter(NewEngine(cfg, EngineOptions{Store: store}), AlerterOptions{HTTPClient: &http.Client{Transport: transport}})
		s, err := New(cfg, exec, store, Options{Logger: testLogger(t), Alerter: alerter})
		if err != nil {
			t.Fatal(err)
		}
		instances = append(instances, s)
	}
	// round runs sync on both instances at once and returns the alerts
	// their runs recorded, sorted.
	round := func(failing bool) []string {
		t.Helper()
		fail.Store(failing)
		arrived.Add(len(instances))
		var runs []*TriggeredRun
		for _, s := range instances {
			run, err := s.Trigger(t.Context(), "sync", RunRequest{})
			if err != nil {
				t.Fatal(err)
			}
			runs = append(runs, run)
		}
		var alerts []string
		for _, run := range runs {
			alerts = append(alerts, run.Record().Alert)
		}
		slices.Sort(alerts)
		return alerts
	}

	alerts := round(true)
	if len(alerts) != 2 || !strings.HasPrefix(alerts[0], "failure alert sent to the robot") || !strings.HasPrefix(alerts[1], "withheld: the job keeps failing") {
		t.Errorf("two failures at once on two instances: alerts %q; want one sent, one withheld", alerts)
	}
	if robot := srv.RobotMessages(); len(robot) != 1 {
		t.Fatalf("%d robot messages after the failures, want 1", len(robot))
	}
	alerts = round(false)
	if len(alerts) != 2 || alerts[0] != "" || alerts[1] != "recovery alert sent to the robot" {
		t.Errorf("two successes at once on two instances: alerts %q; want one recovery", alerts)
	}
	robot := srv.RobotMessages()
	if len(robot) != 2 || !strings.Contains(robot[1].Content, "**runner: sync recovered**") || !strings.Contains(robot[1].Content, "After 2 failed runs") {
		t.Errorf("robot messages after the recovery: %+v, want the failure and one recovery after 2 failed runs", robot)
	}
}
