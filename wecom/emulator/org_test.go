package emulator

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestDemoOrg(t *testing.T) {
	t.Parallel()
	org := DemoOrg()
	if err := org.Validate(); err != nil {
		t.Fatal(err)
	}
	if org.CorpID != "ww7d0a5c1e2f3b4a69" || len(org.Users) != 40 || len(org.Apps) != 4 || len(org.AppChats) != 1 ||
		org.ExternalContact == nil || len(org.ExternalContact.Customers) != 8 || len(org.ExternalContact.GroupChats) != 3 ||
		org.OA == nil || len(org.OA.Templates) != 2 || len(org.OA.Checkin) != 2 {
		t.Errorf("demo org: corp %s, %d users, %d apps", org.CorpID, len(org.Users), len(org.Apps))
	}
	s := New(org)
	st := s.st
	if d := st.depth(3); d != 3 {
		t.Errorf("department 3 is at level %d, want 3", d)
	}
	org.Users[0].Name = "changed" // New copies the org
	if st.user("zhangwei").Name != "张伟" {
		t.Errorf("New shares the org")
	}
}

func TestLoadOrgYAML(t *testing.T) {
	t.Parallel()
	org, err := LoadOrg("testdata/org.yaml")
	if err != nil {
		t.Fatal(err)
	}
	srv, err := Start(org)
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	if got := srv.Snapshot().CorpUserMax; got != 200 {
		t.Errorf("corp_user_max = %d, want 200", got)
	}
	if q := srv.Quotas(); !slices.ContainsFunc(q, func(q QuotaUsage) bool { return q.API == "message/send" && q.Limit == 200*200 }) {
		t.Errorf("quotas %+v, want message/send's at 40,000 a day", q)
	}
	c := as(t, srv, org.Apps[0].Secret)
	u := c.get("user/get", "userid", "zhoumin")
	wantCode(t, u, 0)
	if u.str("alias") != "Amy" || u.num("main_department") != 2 || u.str("gender") != "2" {
		t.Errorf("zhoumin = %v", u)
	}
	attrs := u.obj("extattr").list("attrs")
	if len(attrs) != 1 {
		t.Errorf("extattr = %v", u["extattr"])
	}
	wantCode(t, as(t, srv, org.Apps[1].Secret).get("user/get", "userid", "qianfang"), 60011)
	r := c.get("externalcontact/get", "external_userid", "wmQScustWuHua00000000000000000A")
	wantCode(t, r, 0)
	if f := r.list("follow_user"); len(f) != 1 || result(f[0].(map[string]any)).list("tags")[0].(map[string]any)["tag_name"] != "货主" {
		t.Errorf("the customer of the org file = %v", r)
	}
	wantCode(t, as(t, srv, org.Apps[1].Secret).get("externalcontact/list", "userid", "liqiang"), 48002)
}

func TestLoadOrgJSON(t *testing.T) {
	t.Parallel()
	org, err := LoadOrg("testdata/org.yaml")
	if err != nil {
		t.Fatal(err)
	}
	data, err := json.Marshal(org)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "org.json")
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	again, err := LoadOrg(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(again.Users) != len(org.Users) || again.Users[1].Alias != "Amy" {
		t.Errorf("JSON round trip lost data")
	}
}

func TestLoadOrgErrors(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	tests := []struct {
		name, file, content, want string
	}{
		{"unknown field", "a.yaml", "corp_id: ww1\ncontacts_secret: s\ncorpname: x\n", "corpname"},
		{"unknown json field", "a.json", `{"corp_id":"ww1","contacts_secret":"s","departmnets":[]}`, "departmnets"},
		{"no root", "b.yaml", "corp_id: ww1\ncontacts_secret: s\ndepartments: [{id: 2, name: x, parentid: 1}]\n", "root"},
		{"unknown department", "c.yaml", "corp_id: ww1\ncontacts_secret: s\ndepartments: [{id: 1, name: r, parentid: 0}]\nusers: [{userid: a, name: A, department: [7]}]\n", "unknown department 7"},
		{"duplicate userid", "d.yaml", "corp_id: ww1\ncontacts_secret: s\ndepartments: [{id: 1, name: r, parentid: 0}]\nusers: [{userid: a, name: A, department: [1]}, {userid: A, name: B, department: [1]}]\n", "duplicate userid"},
		{"shared secret", "e.yaml", "corp_id: ww1\ncontacts_secret: s\ndepartments: [{id: 1, name: r, parentid: 0}]\napps: [{agentid: 1, name: x, secret: s}]\n", "secret"},
		{"cycle", "f.yaml", "corp_id: ww1\ncontacts_secret: s\ndepartments: [{id: 1, name: r, parentid: 0}, {id: 2, name: a, parentid: 3}, {id: 3, name: b, parentid: 2}]\n", "cycle"},
	}
	for _, tt := range tests {
		path := filepath.Join(dir, tt.file)
		os.WriteFile(path, []byte(tt.content), 0o600)
		_, err := LoadOrg(path)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: error %v, want it to mention %q", tt.name, err, tt.want)
		}
	}
	if _, err := LoadOrg(filepath.Join(dir, "missing.yaml")); err == nil {
		t.Errorf("a missing file loaded")
	}
}

func TestNewPanicsOnInvalidOrg(t *testing.T) {
	t.Parallel()
	defer func() {
		if recover() == nil {
			t.Errorf("New accepted an invalid org")
		}
	}()
	New(&Org{CorpID: "ww1"})
}
