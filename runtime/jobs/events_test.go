package jobs

import (
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/wecomrunner/runner/wecom/callback"
)

// The official example's token and key, used as the test callback's.
const (
	testCBToken = "QDG6eK"
	testCBKey   = "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C"
	testCorpID  = "ww-test-corp"
)

// eventConfig parses and validates a jobs file written in a temporary
// directory with an empty script.lua, with the callback's secrets in the
// environment.
func eventConfig(t testing.TB, src string) (*Config, error) {
	t.Helper()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "script.lua"), []byte("return\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	getenv := env(map[string]string{"CB_TOKEN": testCBToken, "CB_KEY": testCBKey, "CORP_ID": testCorpID})
	cfg, err := Parse(strings.NewReader(src), filepath.Join(dir, "jobs.yaml"), getenv)
	if err != nil {
		t.Fatal(err)
	}
	return cfg, cfg.Validate()
}

const eventJobsFile = `
clients:
  contacts: {corp_id: ww-test-corp, secret: s}
  notify: {corp_id: ww-test-corp, secret: s, agent_id: 1000002}
callbacks:
  contacts:
    token: ${CB_TOKEN}
    encoding_aes_key: ${CB_KEY}
    receive_id: ${CORP_ID}
    client: contacts
  app:
    token: ${CB_TOKEN}
    encoding_aes_key: ${CB_KEY}
    receive_id: ${CORP_ID}
    client: notify
    max_age: 2m
events: {queue: 50, max_running: 2}
jobs:
  - name: welcome
    script: script.lua
    on: {callback: contacts, event: change_contact, change_type: create_user, department: [2, 3]}
  - name: both
    schedule: "@daily"
    script: script.lua
    client: contacts
    on:
      - {callback: contacts, change_type: [delete_user, update_user]}
      - {callback: app, keyword: [请假, Leave]}
  - name: explicit-client
    script: script.lua
    client: notify
    on: {callback: contacts, tag: 7}
`

func TestEventConfig(t *testing.T) {
	cfg, err := eventConfig(t, eventJobsFile)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := cfg.Callbacks["contacts"], (CallbackConfig{Token: testCBToken, EncodingAESKey: testCBKey, ReceiveID: testCorpID, Client: "contacts", MaxAge: DefaultCallbackMaxAge}); got != want {
		t.Errorf("callbacks.contacts = %#v, want %#v", got, want)
	}
	if got := cfg.Callbacks["app"].MaxAge; got != 2*time.Minute {
		t.Errorf("callbacks.app.max_age = %v", got)
	}
	if cfg.Events != (EventsConfig{Queue: 50, MaxRunning: 2}) {
		t.Errorf("events = %+v", cfg.Events)
	}
	welcome, both, explicit := cfg.Jobs[0], cfg.Jobs[1], cfg.Jobs[2]
	if welcome.Client != "contacts" || explicit.Client != "notify" {
		t.Errorf("clients = %q, %q; want the callback's, the job's", welcome.Client, explicit.Client)
	}
	// Two callbacks with different clients give the job none.
	_, err = eventConfig(t, strings.Replace(eventJobsFile, "    client: contacts\n    on:", "    on:", 1))
	if err == nil || !strings.Contains(err.Error(), `job "both": client: required when several clients are configured`) {
		t.Errorf("callbacks that disagree on the client: %v", err)
	}
	if welcome.Schedule != "" || !welcome.Next(time.Now()).IsZero() {
		t.Error("a job with only on: has a schedule")
	}
	if got := welcome.On[0].String(); got != "contacts: change_contact create_user department=2,3" {
		t.Errorf("String() = %q", got)
	}
	if got := both.On[0].Events; !reflect.DeepEqual(got, []string{"change_contact"}) {
		t.Errorf("change_type implies event change_contact; events = %q", got)
	}
	if got := both.On[1].Events; !reflect.DeepEqual(got, []string{"text"}) {
		t.Errorf("keyword implies event text; events = %q", got)
	}
	if len(both.On) != 2 || both.On[1].Callback != "app" || !reflect.DeepEqual(both.On[1].Keywords, []string{"请假", "Leave"}) {
		t.Errorf("both.On = %+v", both.On)
	}
}

func TestEventConfigSecretsNeverShown(t *testing.T) {
	cfg, err := eventConfig(t, eventJobsFile+"  - {name: bad, script: script.lua, on: {callback: nope}}\n")
	if err == nil {
		t.Fatal("Validate succeeded")
	}
	for _, s := range []string{err.Error(), fmt.Sprint(cfg.Callbacks), fmt.Sprintf("%+v", cfg.Callbacks), fmt.Sprintf("%#v", cfg.Callbacks["app"])} {
		if strings.Contains(s, testCBToken) || strings.Contains(s, testCBKey) {
			t.Errorf("a callback secret is shown: %s", s)
		}
	}
	// A key of the wrong shape is reported without being shown.
	bad := strings.Replace(eventJobsFile, "encoding_aes_key: ${CB_KEY}", "encoding_aes_key: \"${CB_KEY}!!\"", 1)
	if _, err := eventConfig(t, bad); err == nil || strings.Contains(err.Error(), testCBKey) || !strings.Contains(err.Error(), "callbacks.contacts.encoding_aes_key") {
		t.Errorf("a bad key: %v", err)
	}
}

func TestOnDefaultsToTheOnlyCallback(t *testing.T) {
	cfg, err := eventConfig(t, `
clients: {contacts: {corp_id: ww1, secret: s}}
callbacks: {contacts: {token: "${CB_TOKEN}", encoding_aes_key: "${CB_KEY}", receive_id: ww1}}
jobs:
  - {name: a, script: script.lua, on: {event: batch_job_result}}
`)
	if err != nil {
		t.Fatal(err)
	}
	if got := cfg.Jobs[0].On[0].Callback; got != "contacts" {
		t.Errorf("callback = %q, want the only one", got)
	}
}

func TestOnMatch(t *testing.T) {
	parse := func(s string) callback.Event {
		t.Helper()
		ev, err := callback.ParseEvent([]byte("<xml><MsgType>event</MsgType>" + s + "</xml>"))
		if err != nil {
			t.Fatal(err)
		}
		return ev
	}
	join := parse("<Event>change_contact</Event><ChangeType>create_user</ChangeType><UserID>a</UserID><Department>5,2</Department>")
	party := parse("<Event>change_contact</Event><ChangeType>create_party</ChangeType><Id>9</Id><ParentId>2</ParentId>")
	tag := parse("<Event>change_contact</Event><ChangeType>update_tag</ChangeType><TagId>7</TagId><AddPartyItems>3</AddPartyItems>")
	batch := parse("<Event>batch_job_result</Event><BatchJob><JobId>j</JobId></BatchJob>")
	text, _ := callback.ParseEvent([]byte("<xml><MsgType>text</MsgType><Content>我想请假三天</Content><AgentID>1000002</AgentID></xml>"))
	click := parse("<Event>click</Event><EventKey>leave</EventKey><AgentID>1000003</AgentID>")

	tests := []struct {
		on   On
		want []callback.Event
	}{
		{On{}, []callback.Event{join, party, tag, batch, text, click}},
		{On{Events: []string{"change_contact"}}, []callback.Event{join, party, tag}},
		{On{Events: []string{"change_contact"}, ChangeTypes: []string{"create_user", "update_tag"}}, []callback.Event{join, tag}},
		{On{Departments: []int{2}}, []callback.Event{join, party}},
		{On{Departments: []int{3}}, []callback.Event{tag}},
		{On{Departments: []int{9}}, []callback.Event{party}},
		{On{Departments: []int{}}, nil},
		{On{Tags: []int{7}}, []callback.Event{tag}},
		{On{Tags: []int{8}}, nil},
		{On{Agents: []int{1000002}}, []callback.Event{text}},
		{On{Agents: []int{1000002, 1000003}}, []callback.Event{text, click}},
		{On{Keywords: []string{"请假"}}, []callback.Event{text}},
		{On{Keywords: []string{"LEAVE"}}, nil},
		{On{Events: []string{"batch_job_result", "click"}}, []callback.Event{batch, click}},
	}
	all := []callback.Event{join, party, tag, batch, text, click}
	for _, tt := range tests {
		var got []callback.Event
		for _, ev := range all {
			if tt.on.Match(ev) {
				got = append(got, ev)
			}
		}
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%+v matches %d events, want %d: %v", tt.on, len(got), len(tt.want), got)
		}
	}
}

func TestSuggest(t *testing.T) {
	for name, want := range map[string]string{
		"change_contacts": ` (did you mean "change_contact"?)`,
		"Location":        ` (did you mean "LOCATION"?)`,
		"CLICK":           ` (did you mean "click"?)`,
		"nothing-alike":   ``,
	} {
		if got := suggest(name, callback.Types); got != want {
			t.Errorf("suggest(%q) = %q, want %q", name, got, want)
		}
	}
}
