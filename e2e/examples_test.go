package e2e

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/wecomrunner/runner/internal/exampletree"
	"github.com/wecomrunner/runner/wecom"
)

// TestExampleReferenceScripts runs the short reference scripts the way an
// admin does: runner exec with jobs.yaml, against a running emulator.
func TestExampleReferenceScripts(t *testing.T) {
	t.Parallel()
	dir := exampletree.Copy(t)
	srv, env := startEmulator(t)
	exec := func(client, script string, args ...string) string {
		t.Helper()
		argv := append([]string{"exec", "--config", "jobs.yaml", "--client", client, "scripts/examples/" + script}, args...)
		out, errOut, code := runner(t, dir, env, argv...)
		if code != 0 {
			t.Fatalf("%s: exit %d\n%s", script, code, errOut)
		}
		return out
	}

	// tag_mirror: the tag holds exactly 研发中心's 17 members, and a second run changes nothing.
	if out := exec("contacts", "tag_mirror.lua"); out != "tag 研发中心全员: 17 added, 0 removed\n" {
		t.Errorf("tag_mirror: %q", out)
	}
	if out := exec("contacts", "tag_mirror.lua"); out != "tag 研发中心全员: 0 added, 0 removed\n" {
		t.Errorf("tag_mirror again: %q", out)
	}

	// export_org: two CSV files with every department and member, with
	// their mobiles and emails, read by the contacts sync with the exports.
	exec("contacts", "export_org.lua", "--arg", "dir=out")
	members, err := os.ReadFile(filepath.Join(dir, "data", "out", "members.csv"))
	if err != nil {
		t.Fatal(err)
	}
	if lines := strings.Count(string(members), "\n"); lines != 41 || !strings.Contains(string(members), "zhangsan,张三,2,研发总监,13800138002,zhangsan@") {
		t.Errorf("members.csv has %d lines:\n%s", lines, members)
	}

	// welcome_new_joiners: the first run remembers, the next one greets the newcomer only.
	if out := exec("notify", "welcome_new_joiners.lua"); out != "welcomed 0 new members\n" {
		t.Errorf("first welcome: %q", out)
	}
	cred := srv.Credentials()
	contacts := wecom.New(cred.CorpID, cred.ContactsSecret, wecom.WithBaseURL(srv.BaseURL()))
	if err := contacts.User.Create(t.Context(), &wecom.UserInput{UserID: "xinren", Name: "辛仁", Mobile: "13900139999", Department: []int{3}}); err != nil {
		t.Fatal(err)
	}
	if out := exec("notify", "welcome_new_joiners.lua"); out != "welcomed 1 new members\n" {
		t.Errorf("second welcome: %q", out)
	}
	msgs := srv.Messages()
	if len(msgs) != 1 || msgs[0].ToUser != "xinren" || msgs[0].MsgType != "textcard" || !strings.Contains(string(msgs[0].Payload), "辛仁，你好") {
		t.Errorf("messages = %+v, want one welcome card to xinren", msgs)
	}
}
