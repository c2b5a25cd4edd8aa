package main

// The example jobs of jobs.yaml, run through the scheduler against the
// emulator, with their effects on the organisation checked.

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"maps"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/wecomrunner/runner/wecom"
	"github.com/wecomrunner/runner/wecom/emulator"

	"github.com/wecomrunner/runner/runtime/jobs"
	"github.com/wecomrunner/runner/runtime/scheduler"
	"github.com/wecomrunner/runner/runtime/service"
	"github.com/wecomrunner/runner/runtime/state"
)

// exampleRig is jobs.yaml's schedule wired to a fresh emulator, with its
// state in a temporary directory.
type exampleRig struct {
	srv   *emulator.Server
	sched *scheduler.Scheduler
	store state.Store
}

func newExampleRig(t *testing.T, configure func(cfg *jobs.Config), engineOpts scheduler.EngineOptions) *exampleRig {
	t.Helper()
	srv, err := newEmulator("", 0, 0, emulator.RulesToday)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := srv.Listen("127.0.0.1:0"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	getenv := overlay(func(string) string { return "" }, srv.Env())
	cfg, err := jobs.Load("jobs.yaml", getenv)
	if err != nil {
		t.Fatal(err)
	}
	cfg.State = filepath.Join(t.TempDir(), "state.db")
	if configure != nil {
		configure(cfg)
	}
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	if testing.Verbose() {
		logger = slog.New(slog.NewTextHandler(os.Stderr, nil))
	}
	store, err := state.Open(cfg.State, cfg.History, logger)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	engineOpts.Getenv, engineOpts.BaseURL, engineOpts.Store = getenv, srv.BaseURL(), store
	sched, err := scheduler.New(cfg, scheduler.NewEngine(cfg, engineOpts), store, scheduler.Options{Logger: logger})
	if err != nil {
		t.Fatal(err)
	}
	return &exampleRig{srv: srv, sched: sched, store: store}
}

// run runs a job now and fails the test unless it succeeded.
func (r *exampleRig) run(t *testing.T, job string) state.RunRecord {
	t.Helper()
	rec, err := r.sched.RunNow(t.Context(), job)
	if err != nil {
		t.Fatalf("%s: %v", job, err)
	}
	if rec.Result != state.ResultOK {
		t.Fatalf("%s: %s: %s", job, rec.Result, rec.Error)
	}
	return rec
}

// refused runs a job now and fails the test unless the run failed with an
// error that contains why.
func (r *exampleRig) refused(t *testing.T, job, why string) {
	t.Helper()
	rec, err := r.sched.RunNow(t.Context(), job)
	if err != nil {
		t.Fatalf("%s: %v", job, err)
	}
	if rec.Result != state.ResultFailed || !strings.Contains(rec.Error, why) {
		t.Errorf("%s: result %s %q, want failed: %s", job, rec.Result, rec.Error, why)
	}
}

// writes lists the APIs of the requests that changed the organisation.
func (r *exampleRig) writes() []string {
	var out []string
	for _, req := range r.srv.Requests() {
		switch {
		case strings.HasSuffix(req.API, "/create"), strings.HasSuffix(req.API, "/update"),
			strings.HasSuffix(req.API, "/delete"), strings.HasPrefix(req.API, "batch/"),
			req.API == "media/upload", req.API == "message/send", req.API == "appchat/send":
			if req.API != "batch/getresult" {
				out = append(out, req.API)
			}
		}
	}
	return out
}

func department(org *emulator.Org, id int) *emulator.Department {
	for i := range org.Departments {
		if org.Departments[i].ID == id {
			return &org.Departments[i]
		}
	}
	return nil
}

func TestExampleDepartmentSync(t *testing.T) {
	t.Parallel()
	r := newExampleRig(t, nil, scheduler.EngineOptions{})
	r.run(t, "nightly-department-sync")

	org := r.srv.Snapshot()
	for id, want := range map[int]struct {
		name   string
		parent int
	}{4: {"大前端部", 2}, 13: {"行政部", 11}, 14: {"数据平台部", 2}, 15: {"数据仓库组", 14}, 16: {"算法组", 14}} {
		d := department(org, id)
		if d == nil || d.Name != want.name || d.ParentID != want.parent {
			t.Errorf("department %d = %+v, want %s under %d", id, d, want.name, want.parent)
		}
	}
	if department(org, 10) == nil {
		t.Error("department 10, absent from HR, was deleted without allow_delete")
	}

	// A second run plans nothing and sends no write.
	before := len(r.writes())
	r.run(t, "nightly-department-sync")
	if after := r.writes(); len(after) != before {
		t.Errorf("second run wrote %v", after[before:])
	}
}

func TestExampleReplaceUser(t *testing.T) {
	t.Parallel()
	r := newExampleRig(t, nil, scheduler.EngineOptions{})
	r.run(t, "nightly-department-sync") // the file places members in the new departments
	r.run(t, "replace-users")

	org := r.srv.Snapshot()
	have := map[string]emulator.User{}
	for _, u := range org.Users {
		have[u.UserID] = u
	}
	for _, gone := range []string{"weiwei", "liangchen"} {
		if _, ok := have[gone]; ok {
			t.Errorf("%s, absent from the file, is still a member", gone)
		}
	}
	for _, joined := range []string{"qianduoduo", "sunli", "zhouyi"} {
		if _, ok := have[joined]; !ok {
			t.Errorf("%s, in the file, is not a member", joined)
		}
	}
	if u := have["yangfan"]; !slices.Equal(u.Department, []int{14}) || u.Position != "数据平台负责人" {
		t.Errorf("yangfan = %v %q, want moved to 14 as 数据平台负责人", u.Department, u.Position)
	}
	if len(org.Users) != 41 {
		t.Errorf("%d members, want the file's 41", len(org.Users))
	}
}

func TestExampleReplaceUserRefusesMassRemoval(t *testing.T) {
	t.Parallel()
	half := filepath.Join(t.TempDir(), "half.csv")
	data, err := os.ReadFile("data/hr_members.csv")
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(data)), "\n")
	os.WriteFile(half, []byte(strings.Join(lines[:len(lines)/2], "\n")+"\n"), 0o644)

	r := newExampleRig(t, func(cfg *jobs.Config) {
		cfg.Dirs = append(cfg.Dirs, filepath.Dir(half))
		for _, j := range cfg.Jobs {
			if j.Name == "replace-users" {
				j.Args["source"] = half
			}
		}
	}, scheduler.EngineOptions{})
	r.refused(t, "replace-users", "refusing")
	if w := r.writes(); len(w) != 0 {
		t.Errorf("the refused run sent %v", w)
	}
	if n := len(r.srv.Snapshot().Users); n != 40 {
		t.Errorf("%d members after a refused run, want 40", n)
	}
}

func TestExampleDailyReport(t *testing.T) {
	t.Parallel()
	r := newExampleRig(t, nil, scheduler.EngineOptions{})
	r.run(t, "daily-report") // the first report remembers the members
	r.run(t, "nightly-department-sync")
	r.run(t, "replace-users")
	r.run(t, "daily-report")

	msgs := r.srv.Messages()
	if len(msgs) != 2 {
		t.Fatalf("%d messages sent, want 2", len(msgs))
	}
	last := msgs[1]
	if last.MsgType != "markdown" || last.ToUser != "zhangwei|chenjing" {
		t.Errorf("message %s to %q, want markdown to zhangwei|chenjing", last.MsgType, last.ToUser)
	}
	var payload struct {
		Markdown struct{ Content string } `json:"markdown"`
	}
	json.Unmarshal(last.Payload, &payload)
	for _, want := range []string{"在职人数：**41**", "入职 3 人，离职 2 人", "钱多多", "魏巍", "nightly-department-sync：<font color=\"info\">成功", "replace-users：<font color=\"info\">成功"} {
		if !strings.Contains(payload.Markdown.Content, want) {
			t.Errorf("report lacks %q:\n%s", want, payload.Markdown.Content)
		}
	}
	if chats := r.srv.ChatMessages(); len(chats) != 2 || chats[1].ChatID != "OPSONCALL2024" {
		t.Errorf("chat messages = %+v, want the report in OPSONCALL2024", chats)
	}
}

func TestExamplesDryRunChangeNothing(t *testing.T) {
	t.Parallel()
	var held []wecom.DryRun
	r := newExampleRig(t, nil, scheduler.EngineOptions{DryRun: func(d wecom.DryRun) { held = append(held, d) }})
	before, _ := json.Marshal(r.srv.Snapshot())
	for _, job := range []string{"nightly-department-sync", "replace-users", "daily-report", "attendance-report"} {
		r.run(t, job)
	}
	after, _ := json.Marshal(r.srv.Snapshot())
	if string(before) != string(after) {
		t.Error("a dry run changed the organisation")
	}
	if w := r.writes(); len(w) != 0 {
		t.Errorf("a dry run sent %v", w)
	}
	if len(held) == 0 {
		t.Error("the dry run held back no write")
	}
}

// runLog returns the log lines of the run rec.
func (r *exampleRig) runLog(t *testing.T, rec state.RunRecord) string {
	t.Helper()
	lines, _, err := r.store.Log(t.Context(), rec.Job, rec.ID, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	return strings.Join(lines, "\n")
}

// customerClient is the app 客户助手 of the rig's emulator, configured to
// call the customer contact API.
func (r *exampleRig) customerClient() *wecom.Client {
	return wecom.New(emulator.DemoCorpID, emulator.DemoCustomerSecret, wecom.WithBaseURL(r.srv.BaseURL()))
}

// leave deletes the member id, as HR's offboarding does.
func (r *exampleRig) leave(t *testing.T, id string) {
	t.Helper()
	c := wecom.New(emulator.DemoCorpID, emulator.DemoContactsSecret, wecom.WithBaseURL(r.srv.BaseURL()))
	if err := c.User.Delete(t.Context(), id); err != nil {
		t.Fatal(err)
	}
}

// customerTransfers lists the customer and group transfers sent.
func (r *exampleRig) customerTransfers() []string {
	var out []string
	for _, req := range r.srv.Requests() {
		if strings.HasSuffix(req.API, "transfer_customer") || strings.HasSuffix(req.API, "groupchat/transfer") {
			out = append(out, req.API)
		}
	}
	return out
}

func TestExampleOffboardCustomers(t *testing.T) {
	t.Parallel()
	r := newExampleRig(t, nil, scheduler.EngineOptions{})
	// The first run has nothing to hand over; it remembers the managers.
	rec := r.run(t, "offboard-customers")
	if log := r.runLog(t, rec); !strings.Contains(log, "no customers or groups of members who left to hand over") {
		t.Errorf("first run log:\n%s", log)
	}
	r.leave(t, "linfeng")
	rec = r.run(t, "offboard-customers")
	log := r.runLog(t, rec)
	if !strings.Contains(log, "linfeng → guoqiang: 4 customers assigned (0 taken over, 4 waiting, takeover from ") ||
		!strings.Contains(log, "2 groups moved") {
		t.Errorf("second run log:\n%s", log)
	}

	ctx := t.Context()
	c := r.customerClient()
	un, err := c.ExternalContact.GetUnassignedList(ctx, 0, 1000, "")
	if err != nil || len(un.Info) != 0 {
		t.Errorf("unassigned customers after the run = %+v, %v", un, err)
	}
	res, err := c.ExternalContact.ResignedTransferResult(ctx, "linfeng", "guoqiang", "")
	if err != nil || len(res.Customer) != 4 || res.Customer[0].Status != wecom.TransferWaiting {
		t.Errorf("transfer result = %+v, %v; want 4 customers waiting for guoqiang", res, err)
	}
	groups, err := c.ExternalContactGroupChat.List(ctx, &wecom.GroupChatQuery{StatusFilter: wecom.GroupChatInheritDone,
		OwnerFilter: &wecom.OwnerFilter{UserIDList: []string{"guoqiang"}}, Limit: 100})
	if err != nil || len(groups.GroupChatList) != 2 {
		t.Errorf("groups guoqiang inherited = %+v, %v", groups, err)
	}
	msgs := r.srv.Messages()
	if len(msgs) != 1 || msgs[0].ToUser != "guoqiang" || !strings.Contains(string(msgs[0].Payload), "4 位客户和 2 个客户群已分配给你") {
		t.Errorf("messages = %+v, want one to guoqiang", msgs)
	}

	// A third run finds nothing left and transfers nothing again.
	before := len(r.customerTransfers())
	rec = r.run(t, "offboard-customers")
	if log := r.runLog(t, rec); !strings.Contains(log, "no customers or groups of members who left to hand over") {
		t.Errorf("third run log:\n%s", log)
	}
	if after := r.customerTransfers(); len(after) != before {
		t.Errorf("third run sent %v", after[before:])
	}
}

// setArgs returns a configure function of newExampleRig that sets arguments
// of job.
func setArgs(job string, args map[string]any) func(cfg *jobs.Config) {
	return func(cfg *jobs.Config) {
		for _, j := range cfg.Jobs {
			if j.Name == job {
				maps.Copy(j.Args, args)
			}
		}
	}
}

func TestExampleOffboardCustomersRefusesTooMany(t *testing.T) {
	t.Parallel()
	r := newExampleRig(t, setArgs("offboard-customers", map[string]any{"max_transfer": 3}), scheduler.EngineOptions{})
	r.run(t, "offboard-customers")
	r.leave(t, "linfeng")
	r.refused(t, "offboard-customers", "refusing to transfer 4 customers in one run (max_transfer 3)")
	if w := r.customerTransfers(); len(w) != 0 {
		t.Errorf("the refused run sent %v", w)
	}
}

func TestExampleOffboardCustomersDryRun(t *testing.T) {
	t.Parallel()
	var held []wecom.DryRun
	// A leaver the job never saw: the manager comes from args.takeover.
	r := newExampleRig(t, setArgs("offboard-customers", map[string]any{"takeover": map[string]any{"linfeng": "guoqiang"}}),
		scheduler.EngineOptions{DryRun: func(d wecom.DryRun) { held = append(held, d) }})
	r.leave(t, "linfeng")
	before, _ := json.Marshal(r.srv.Snapshot())
	rec := r.run(t, "offboard-customers")
	if log := r.runLog(t, rec); !strings.Contains(log, "linfeng → guoqiang: would assign 4 customers and 2 groups (dry run)") {
		t.Errorf("dry run log:\n%s", log)
	}
	if after, _ := json.Marshal(r.srv.Snapshot()); string(before) != string(after) {
		t.Error("the dry run changed the organisation")
	}
	if w := r.customerTransfers(); len(w) != 0 {
		t.Errorf("the dry run sent %v", w)
	}
	var apis []string
	for _, d := range held {
		apis = append(apis, d.API)
	}
	if !slices.Equal(apis, []string{"externalcontact/resigned/transfer_customer", "externalcontact/groupchat/transfer"}) {
		t.Errorf("held back %v", apis)
	}
	un, err := r.customerClient().ExternalContact.GetUnassignedList(t.Context(), 0, 1000, "")
	if err != nil || len(un.Info) != 4 {
		t.Errorf("unassigned after the dry run = %+v, %v; want linfeng's 4", un, err)
	}
}

// eventRig is the example rig with the callback receiver of jobs.yaml,
// the emulator pushing its events to it.
type eventRig struct {
	*exampleRig
	recv *service.Receiver
}

func newEventRig(t *testing.T) *eventRig {
	t.Helper()
	r := &eventRig{exampleRig: newExampleRig(t, nil, scheduler.EngineOptions{})}
	r.recv = service.NewReceiver(r.sched, service.ReceiverOptions{})
	hook := httptest.NewServer(r.recv)
	t.Cleanup(hook.Close)
	cb := r.srv.Credentials().Callback
	cb.URL = hook.URL + service.CallbackPrefix + "contacts"
	if err := r.srv.SetCallback(*cb); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan struct{})
	go func() { r.recv.Run(ctx); close(done) }()
	t.Cleanup(func() { cancel(); <-done })
	return r
}

// console makes a change in the emulator's admin console and waits until
// the runs of the event it announces have ended.
func (r *eventRig) console(t *testing.T, action, body string) {
	t.Helper()
	resp, err := http.Post(strings.TrimSuffix(r.srv.BaseURL(), "/cgi-bin/")+"/_emulator/console/"+action, "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	answer, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(answer), `"errcode":0`) {
		t.Fatalf("console %s: %s", action, answer)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()
	if err := r.srv.WaitCallbacks(ctx); err != nil {
		t.Fatal(err)
	}
	if err := r.recv.Idle(ctx); err != nil {
		t.Fatal(err)
	}
}

// eventRuns returns the job's runs triggered by events, oldest first.
func (r *eventRig) eventRuns(t *testing.T, job string) []state.RunRecord {
	t.Helper()
	runs, err := r.store.Runs(t.Context(), job, 0)
	if err != nil {
		t.Fatal(err)
	}
	var out []state.RunRecord
	for i := len(runs) - 1; i >= 0; i-- {
		if runs[i].Trigger == state.TriggerEvent {
			out = append(out, runs[i])
		}
	}
	return out
}

// TestExampleWelcomeOnJoin: a member added in the admin console to 运维部
// gets the newcomer tag, joins the team's chat, and receives the welcome
// card; the event's run is recorded with the event.
func TestExampleWelcomeOnJoin(t *testing.T) {
	t.Parallel()
	r := newEventRig(t)
	r.console(t, "user/create", `{"userid":"xiaoming","name":"小明","mobile":"13900000001","department":[6],"position":"运维工程师"}`)

	runs := r.eventRuns(t, "welcome-on-join")
	if len(runs) != 1 || runs[0].Result != state.ResultOK || runs[0].Event == nil || runs[0].Event.Callback != "contacts" ||
		runs[0].Event.Type != "change_contact" || !strings.Contains(runs[0].Event.XML, "create_user") {
		t.Fatalf("runs = %+v", runs)
	}
	org := r.srv.Snapshot()
	for _, tag := range org.Tags {
		if tag.ID == 2 && !slices.Contains(tag.Users, "xiaoming") {
			t.Errorf("the newcomer tag lacks xiaoming: %v", tag.Users)
		}
	}
	if chat := org.AppChats[0]; !slices.Contains(chat.Users, "xiaoming") {
		t.Errorf("%s lacks xiaoming: %v", chat.ChatID, chat.Users)
	}
	chats := r.srv.ChatMessages()
	if len(chats) != 1 || !strings.Contains(string(chats[0].Payload), "欢迎新同事 小明（运维工程师）") {
		t.Errorf("chat messages = %+v", chats)
	}
	msgs := r.srv.Messages()
	if len(msgs) != 1 || msgs[0].ToUser != "xiaoming" || msgs[0].MsgType != "textcard" || !strings.Contains(string(msgs[0].Payload), "小明，你好") {
		t.Errorf("messages = %+v, want the welcome card to xiaoming", msgs)
	}

	// A member of another department gets the tag and the card, no chat.
	r.console(t, "user/create", `{"userid":"xiaohong","name":"小红","email":"xiaohong@example.com","department":[9]}`)
	if n := len(r.srv.ChatMessages()); n != 1 {
		t.Errorf("%d chat messages, want still 1", n)
	}
	if n := len(r.eventRuns(t, "welcome-on-join")); n != 2 {
		t.Errorf("%d runs, want 2", n)
	}
	// A departure is not a welcome.
	r.console(t, "user/delete", `{"userid":"xiaohong"}`)
	if n := len(r.eventRuns(t, "welcome-on-join")); n != 2 {
		t.Errorf("%d runs after a departure, want still 2", n)
	}
}

// TestExampleWelcomeWhileTheOwnerLeaves: a newcomer joins the on-call
// chat's team just as the chat's owner leaves, and the welcome runs before
// the offboarding job has handed the chat over (here, offboarding is paused
// until the welcome has ended). The welcome names the owner offboarding
// would name, and adds the newcomer, in its first attempt; offboarding's
// report then names the new owner.
func TestExampleWelcomeWhileTheOwnerLeaves(t *testing.T) {
	t.Parallel()
	r := newEventRig(t)
	ctx := t.Context()
	r.run(t, "offboarding") // the nightly copy of the directory and of the chats' owners
	if err := r.sched.Pause(ctx, "offboarding", "test"); err != nil {
		t.Fatal(err)
	}
	r.console(t, "user/delete", `{"userid":"xuming"}`)
	if chat := r.srv.Snapshot().AppChats[0]; chat.Owner != "xuming" || slices.Contains(chat.Users, "xuming") {
		t.Fatalf("after the owner left, before offboarding: owner %s, members %v; want xuming, not a member", chat.Owner, chat.Users)
	}
	r.console(t, "user/create", `{"userid":"xiaoming","name":"小明","mobile":"13900000001","department":[6],"position":"运维工程师"}`)

	runs := r.eventRuns(t, "welcome-on-join")
	if len(runs) != 1 || runs[0].Result != state.ResultOK || runs[0].Attempts != 1 {
		t.Fatalf("the welcome's runs = %+v, want one, ok at its first attempt", runs)
	}
	if chat := r.srv.Snapshot().AppChats[0]; chat.Owner != "sunhao" || !slices.Contains(chat.Users, "xiaoming") {
		t.Errorf("after the welcome: owner %s, members %v; want sunhao (offboarding's choice), with xiaoming", chat.Owner, chat.Users)
	}

	// The departure's run, once offboarding is resumed.
	if err := r.sched.Resume(ctx, "offboarding", "test"); err != nil {
		t.Fatal(err)
	}
	xml, err := os.ReadFile("scripts/examples/events/delete_user.xml") // xuming leaves
	if err != nil {
		t.Fatal(err)
	}
	run, err := r.sched.Trigger(ctx, "offboarding", scheduler.RunRequest{Trigger: state.TriggerEvent, Event: &state.EventInfo{Type: "change_contact", Key: "xuming-left", XML: string(xml)}})
	if err != nil {
		t.Fatal(err)
	}
	if rec := run.Record(); rec.Result != state.ResultOK {
		t.Fatalf("offboarding: %s: %s", rec.Result, rec.Error)
	}
	msgs := r.srv.Messages()
	if len(msgs) == 0 || !strings.Contains(string(msgs[len(msgs)-1].Payload), "群聊「运维值班群」的群主转给：孙浩") {
		t.Errorf("offboarding's report does not name the chat's new owner: %+v", msgs)
	}
	if chat := r.srv.Snapshot().AppChats[0]; chat.Owner != "sunhao" {
		t.Errorf("after offboarding: owner %s, want still sunhao", chat.Owner)
	}
}

// TestExampleOffboarding: the nightly run keeps a copy of the directory;
// when the owner of the on-call chat leaves, the admins are told who left,
// by name, and the chat gets a new owner.
func TestExampleOffboarding(t *testing.T) {
	t.Parallel()
	r := newEventRig(t)
	if out := r.run(t, "offboarding"); out.Event != nil {
		t.Fatalf("the scheduled run has an event: %+v", out)
	}
	r.console(t, "user/delete", `{"userid":"xuming"}`)

	runs := r.eventRuns(t, "offboarding")
	if len(runs) != 1 || runs[0].Result != state.ResultOK {
		t.Fatalf("runs = %+v", runs)
	}
	if chat := r.srv.Snapshot().AppChats[0]; chat.Owner != "sunhao" || slices.Contains(chat.Users, "xuming") {
		t.Errorf("chat owner %s, members %v; want sunhao, without xuming", chat.Owner, chat.Users)
	}
	msgs := r.srv.Messages()
	if len(msgs) != 1 || msgs[0].ToUser != "zhangwei|chenjing" || msgs[0].MsgType != "markdown" {
		t.Fatalf("messages = %+v, want the report to the admins", msgs)
	}
	for _, want := range []string{"**徐明**（xuming）运维主管", "群聊「运维值班群」的群主转给：孙浩"} {
		if !strings.Contains(string(msgs[0].Payload), want) {
			t.Errorf("the report lacks %q: %s", want, msgs[0].Payload)
		}
	}
}
