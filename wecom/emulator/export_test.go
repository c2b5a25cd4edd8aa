package emulator_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/wecomrunner/runner/wecom"
	"github.com/wecomrunner/runner/wecom/emulator"
)

// exportRows runs an export end to end with the client: submit, poll,
// download and decrypt; it returns the files' objects.
func exportRows(t *testing.T, c *wecom.Client, submit func(key string) (string, error)) []map[string]json.RawMessage {
	t.Helper()
	key := wecom.NewExportKey()
	job, err := submit(key)
	noError(t, err, "submit")
	first, err := c.Export.GetResult(t.Context(), job)
	noError(t, err, "get_result")
	if first.Status != wecom.ExportProcessing || len(first.DataList) != 0 {
		t.Errorf("first poll: %+v, want processing without files", first)
	}
	res, err := c.Export.Wait(t.Context(), job)
	noError(t, err, "wait")
	var out []map[string]json.RawMessage
	for _, f := range res.DataList {
		plain, err := c.Export.Download(t.Context(), f, key)
		noError(t, err, "download")
		var obj map[string]json.RawMessage
		if err := json.Unmarshal(plain, &obj); err != nil {
			t.Fatalf("a file is not a JSON object: %v", err)
		}
		out = append(out, obj)
	}
	return out
}

// userIDsOf are the userids of the member lists of files.
func userIDsOf(t *testing.T, files []map[string]json.RawMessage) []string {
	t.Helper()
	var ids []string
	for _, f := range files {
		var list []struct {
			UserID string `json:"userid"`
		}
		if err := json.Unmarshal(f["userlist"], &list); err != nil {
			t.Fatal(err)
		}
		for _, u := range list {
			ids = append(ids, u.UserID)
		}
	}
	return ids
}

// TestExportMembers: the member exports hold what user/list and
// user/simplelist list from the root, for the caller's visible range.
func TestExportMembers(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	for name, c := range map[string]*wecom.Client{"contacts": contactsClient(srv), "report app": reportClient(srv)} {
		want, err := c.User.SimpleList(t.Context(), 1, &wecom.UserListOptions{FetchChild: true})
		if name == "report app" {
			// The app does not see the root: its range is 研发中心, 王五 and a tag.
			want = nil
			for _, id := range []int{2} {
				l, err := c.User.SimpleList(t.Context(), id, &wecom.UserListOptions{FetchChild: true})
				noError(t, err, "simplelist")
				want = append(want, l...)
			}
			u, err := c.User.Get(t.Context(), "wangwu")
			noError(t, err, "get wangwu")
			want = append(want, wecom.UserBrief{UserID: u.UserID})
		} else {
			noError(t, err, "simplelist")
		}
		var wantIDs []string
		for _, u := range want {
			wantIDs = append(wantIDs, u.UserID)
		}
		simple := exportRows(t, c, func(key string) (string, error) { return c.Export.SimpleUser(t.Context(), key, 0) })
		detail := exportRows(t, c, func(key string) (string, error) { return c.Export.User(t.Context(), key, 10000) })
		for kind, files := range map[string][]map[string]json.RawMessage{"simple_user": simple, "user": detail} {
			if len(files) != 1 {
				t.Errorf("%s %s: %d files, want 1", name, kind, len(files))
			}
			got := userIDsOf(t, files)
			for _, id := range wantIDs {
				if !slices.Contains(got, id) {
					t.Errorf("%s %s: %s is missing from %v", name, kind, id, got)
				}
			}
			if name == "contacts" && len(got) != len(wantIDs) {
				t.Errorf("%s %s: %d members, want %d", name, kind, len(got), len(wantIDs))
			}
		}
		// The details are user/get's view of the caller.
		var members []map[string]any
		json.Unmarshal(detail[0]["userlist"], &members)
		for _, m := range members {
			if m["userid"] == "wangwu" {
				u, err := c.User.Get(t.Context(), "wangwu")
				noError(t, err, "get")
				if m["position"] != u.Position || m["name"] != u.Name {
					t.Errorf("%s: wangwu exported as %v, user/get says %+v", name, m, u)
				}
			}
		}
	}
}

// TestExportSplitsFiles: block_size members a file, every member once.
func TestExportSplitsFiles(t *testing.T) {
	t.Parallel()
	org := emulator.DemoOrg()
	for i := range 20_000 {
		org.Users = append(org.Users, emulator.User{UserID: fmt.Sprintf("member%05d", i), Name: fmt.Sprintf("成员%d", i), Department: []int{1}})
	}
	srv, err := emulator.Start(org)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	c := contactsClient(srv)
	files := exportRows(t, c, func(key string) (string, error) { return c.Export.SimpleUser(t.Context(), key, 10_000) })
	if len(files) != 3 {
		t.Fatalf("%d files, want 3 of at most 10000 members", len(files))
	}
	ids := userIDsOf(t, files)
	seen := map[string]bool{}
	for _, id := range ids {
		if seen[id] {
			t.Fatalf("%s is exported twice", id)
		}
		seen[id] = true
	}
	if len(ids) != 20_040 {
		t.Errorf("%d members exported, want the demo's 40 and 20000 more", len(ids))
	}
}

func TestExportDepartmentsAndTag(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	c := contactsClient(srv)
	depts, err := c.Department.List(t.Context(), 0)
	noError(t, err, "department list")
	files := exportRows(t, c, func(key string) (string, error) { return c.Export.Department(t.Context(), key, 0) })
	var got []wecom.Department
	if err := json.Unmarshal(files[0]["department"], &got); err != nil {
		t.Fatal(err)
	}
	if len(got) != len(depts) || got[1].Name != depts[1].Name || got[1].ParentID != depts[1].ParentID {
		t.Errorf("exported %+v, department/list says %+v", got, depts)
	}

	tag, err := c.Tag.GetUsers(t.Context(), 1)
	noError(t, err, "tag get")
	files = exportRows(t, c, func(key string) (string, error) { return c.Export.TagUser(t.Context(), 1, key, 0) })
	var exported struct {
		TagName   string            `json:"tagname"`
		UserList  []wecom.TagMember `json:"userlist"`
		PartyList []int             `json:"partylist"`
	}
	raw, _ := json.Marshal(files[0])
	json.Unmarshal(raw, &exported)
	if exported.TagName != tag.TagName || !slices.Equal(exported.UserList, tag.UserList) || !slices.Equal(exported.PartyList, tag.PartyList) {
		t.Errorf("exported %+v, tag/get says %+v", exported, tag)
	}
	_, err = c.Export.TagUser(t.Context(), 999, wecom.NewExportKey(), 0)
	wantAPIError(t, err, "export/taguser", 40068)
}

// TestExportErrors: a bad key or block size, and a job read by another
// identity than the one that submitted it.
func TestExportErrors(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	c := contactsClient(srv)
	_, err := c.Export.SimpleUser(t.Context(), "IJUiXNpvGbODwKEBSEsAeOAPAhkqHqNCF6g19t9wfg", 0)
	wantAPIError(t, err, "export/simple_user", 40058)
	_, err = c.Export.User(t.Context(), wecom.NewExportKey(), 9_999)
	wantAPIError(t, err, "export/user", 40058)
	_, err = c.Export.Department(t.Context(), wecom.NewExportKey(), 1_000_001)
	wantAPIError(t, err, "export/department", 40058)
	_, err = c.Export.GetResult(t.Context(), "jobid_unknown")
	wantAPIError(t, err, "export/get_result", 40058)
	job, err := c.Export.SimpleUser(t.Context(), wecom.NewExportKey(), 0)
	noError(t, err, "submit")
	_, err = opsClient(srv).Export.GetResult(t.Context(), job)
	wantAPIError(t, err, "export/get_result", 40058)
}

// TestExportJobFails: a job asked to fail (FailNextExports, or the console's
// fail_exports) is processing at its first poll, then failed (status 3)
// without files; Wait reports it naming the job, and the next job is done.
func TestExportJobFails(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	c := contactsClient(srv)
	srv.FailNextExports(1)
	job, err := c.Export.User(t.Context(), wecom.NewExportKey(), 0)
	noError(t, err, "submit")
	first, err := c.Export.GetResult(t.Context(), job)
	noError(t, err, "get_result")
	if first.Status != wecom.ExportProcessing {
		t.Errorf("first poll: %+v, want processing", first)
	}
	res, err := c.Export.GetResult(t.Context(), job)
	noError(t, err, "get_result")
	if res.Status != wecom.ExportFailed || len(res.DataList) != 0 {
		t.Errorf("second poll: %+v, want failed without files", res)
	}
	_, err = c.Export.Wait(t.Context(), job)
	if !errors.Is(err, wecom.ErrExportFailed) || !strings.Contains(err.Error(), "job "+job+": the export job failed (status 3") {
		t.Errorf("Wait: %v, want the failure of job %s", err, job)
	}
	// Only the job asked for fails.
	if files := exportRows(t, c, func(key string) (string, error) { return c.Export.Department(t.Context(), key, 0) }); len(files) != 1 {
		t.Errorf("the next export: %d files", len(files))
	}
	// The console asks for the next two.
	if r := console(t, srv, "fail_exports", `{"n": 2}`); r["errcode"] != 0.0 {
		t.Fatalf("console fail_exports: %v", r)
	}
	for _, submit := range []func() (string, error){
		func() (string, error) { return c.Export.SimpleUser(t.Context(), wecom.NewExportKey(), 0) },
		func() (string, error) { return c.Export.TagUser(t.Context(), 1, wecom.NewExportKey(), 0) },
	} {
		job, err := submit()
		noError(t, err, "submit")
		if _, err := c.Export.Wait(t.Context(), job); !errors.Is(err, wecom.ErrExportFailed) {
			t.Errorf("Wait(%s): %v, want ErrExportFailed", job, err)
		}
	}
	if r := console(t, srv, "fail_exports", `{"n": 0}`); r["errcode"] != 40058.0 {
		t.Errorf("console fail_exports n=0: %v, want 40058", r)
	}
}

// TestExportFilesExpire: the files are served for two hours by the
// server's clock, with Range requests.
func TestExportFilesExpire(t *testing.T) {
	t.Parallel()
	clock := newFakeClock()
	srv := newServer(t, emulator.WithClock(clock.Now))
	c := contactsClient(srv)
	key := wecom.NewExportKey()
	job, err := c.Export.SimpleUser(t.Context(), key, 0)
	noError(t, err, "submit")
	res, err := c.Export.Wait(t.Context(), job)
	noError(t, err, "wait")
	f := res.DataList[0]
	if !strings.HasPrefix(f.URL, strings.TrimSuffix(srv.BaseURL(), "cgi-bin/")) || f.Size == 0 || len(f.MD5) != 32 {
		t.Errorf("file %+v", f)
	}
	req, _ := http.NewRequest(http.MethodGet, f.URL, nil)
	req.Header.Set("Range", "bytes=0-31")
	resp, err := http.DefaultClient.Do(req)
	noError(t, err, "range")
	part, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusPartialContent || len(part) != 32 {
		t.Errorf("range: HTTP %d, %d bytes", resp.StatusCode, len(part))
	}
	clock.Add(2*time.Hour + time.Second)
	if _, err := c.Export.Download(t.Context(), f, key); err == nil || !strings.Contains(err.Error(), "404") {
		t.Errorf("a file after two hours: %v", err)
	}
	_, err = c.Export.GetResult(t.Context(), job)
	wantAPIError(t, err, "export/get_result", 40058)
	// A job never read to the end is forgotten two hours after it was
	// submitted.
	old, err := c.Export.Department(t.Context(), key, 0)
	noError(t, err, "submit")
	clock.Add(2*time.Hour + time.Second)
	_, err = c.Export.GetResult(t.Context(), old)
	wantAPIError(t, err, "export/get_result", 40058)
}

// BenchmarkExportUsers100k exports the details of emulator.LargeOrg(100,
// 100000) through the client: export/user with the default block_size (one
// file), get_result polled without pauses until done (two polls), the file
// downloaded over loopback, its MD5 checked and decrypted in memory. The
// bytes are the ciphertext's.
func BenchmarkExportUsers100k(b *testing.B) {
	srv, err := emulator.Start(emulator.LargeOrg(100, 100_000))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { srv.Close() })
	c := wecom.New(emulator.DemoCorpID, emulator.DemoContactsSecret, wecom.WithBaseURL(srv.BaseURL()))
	key := wecom.NewExportKey()
	run := func() int64 {
		job, err := c.Export.User(b.Context(), key, 0)
		if err != nil {
			b.Fatal(err)
		}
		var res *wecom.ExportResult
		for res == nil || res.Status != wecom.ExportDone {
			if res, err = c.Export.GetResult(b.Context(), job); err != nil {
				b.Fatal(err)
			}
		}
		var size int64
		for _, f := range res.DataList {
			plain, err := c.Export.Download(b.Context(), f, key)
			if err != nil {
				b.Fatal(err)
			}
			if len(plain) < 100_000*100 {
				b.Fatalf("%d bytes of members", len(plain))
			}
			size += f.Size
		}
		return size
	}
	b.SetBytes(run())
	b.ReportAllocs()
	for b.Loop() {
		run()
	}
}
