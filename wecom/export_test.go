package wecom

import (
	"context"
	"crypto/md5"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/wecomrunner/runner/wecom/internal/cbc"
)

// exportKey is the EncodingAESKey of the official examples (document/path/94849).
const exportKey = "IJUiXNpvGbODwKEBSEsAeOAPAhkqHqNCF6g19t9wfg2"

func TestExportService_Submit(t *testing.T) {
	t.Parallel()
	c, ts := setup(t)
	for _, api := range []string{"export/simple_user", "export/user", "export/department"} {
		ts.post(t, api, `{"encoding_aeskey":"`+exportKey+`","block_size":1000000}`, `{"errcode":0,"errmsg":"ok","jobid":"jobid_`+api[7:]+`"}`)
	}
	ts.post(t, "export/taguser", `{"tagid":1,"encoding_aeskey":"`+exportKey+`","block_size":10000}`, `{"errcode":0,"errmsg":"ok","jobid":"jobid_xxxxxxxxx"}`)
	ctx := t.Context()
	for name, run := range map[string]func() (string, error){
		"jobid_simple_user": func() (string, error) { return c.Export.SimpleUser(ctx, exportKey, 1000000) },
		"jobid_user":        func() (string, error) { return c.Export.User(ctx, exportKey, 1000000) },
		"jobid_department":  func() (string, error) { return c.Export.Department(ctx, exportKey, 1000000) },
		"jobid_xxxxxxxxx":   func() (string, error) { return c.Export.TagUser(ctx, 1, exportKey, 10000) },
	} {
		if got, err := run(); err != nil || got != name {
			t.Errorf("got %q, %v, want %q", got, err, name)
		}
	}
}

// TestExportService_WaitAndDownload: Wait polls until the job is done, and
// Download checks and decrypts each file.
func TestExportService_WaitAndDownload(t *testing.T) {
	t.Parallel()
	c, ts := setup(t)
	ciph, err := cbc.FromEncodingAESKey(exportKey)
	if err != nil {
		t.Fatal(err)
	}
	plain := []string{`{"userlist":[{"userid":"zhangsan","name":"张三","department":[1,2],"open_userid":"xxxxxx"}]}`, `{"userlist":[]}`}
	var files [][]byte
	for _, p := range plain {
		files = append(files, ciph.Seal([]byte(p)))
	}
	var polls atomic.Int32
	ts.handle(t, "export/get_result", func(w http.ResponseWriter, r *http.Request) {
		testMethod(t, r, http.MethodGet)
		if r.URL.Query().Get("jobid") != "jobid_xxxxxxxxx" {
			t.Errorf("query %v", r.URL.Query())
		}
		if polls.Add(1) == 1 {
			fmt.Fprint(w, `{"errcode":0,"errmsg":"ok","status":1}`)
			return
		}
		var list []string
		for i, f := range files {
			sum := md5.Sum(f)
			list = append(list, fmt.Sprintf(`{"url":"http://%s/cdn/%d?sign=SIGNATURE","size":%d,"md5":"%s"}`, r.Host, i, len(f), hex.EncodeToString(sum[:])))
		}
		fmt.Fprintf(w, `{"errcode":0,"errmsg":"ok","status":2,"data_list":[%s]}`, strings.Join(list, ","))
	})
	ts.mux.HandleFunc("/cdn/", func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Has("access_token") {
			t.Error("the file's download carries the access token")
		}
		var i int
		fmt.Sscanf(r.URL.Path, "/cdn/%d", &i)
		w.Write(files[i])
	})
	res, err := c.Export.Wait(t.Context(), "jobid_xxxxxxxxx")
	if err != nil {
		t.Fatal(err)
	}
	if polls.Load() != 2 || res.Status != ExportDone || len(res.DataList) != 2 {
		t.Fatalf("after %d polls: %+v", polls.Load(), res)
	}
	for i, f := range res.DataList {
		got, err := c.Export.Download(t.Context(), f, exportKey)
		if err != nil || string(got) != plain[i] {
			t.Errorf("file %d: %q, %v", i, got, err)
		}
	}

	// The wrong key, a damaged file, a file of another size: errors that
	// show neither the key nor the URL's signature.
	other := NewExportKey()
	f := res.DataList[0]
	for name, tc := range map[string]struct {
		f    ExportFile
		key  string
		want string
	}{
		"wrong key": {f, other, "does not decrypt"},
		"md5":       {ExportFile{f.URL, f.Size, strings.Repeat("0", 32)}, exportKey, "MD5"},
		"size":      {ExportFile{f.URL, f.Size + 1, ""}, exportKey, "announced"},
		"bad key":   {f, "short", "43"},
		"gone":      {ExportFile{strings.Replace(f.URL, "/cdn/", "/gone/", 1), 0, ""}, exportKey, "HTTP 404"},
	} {
		_, err := c.Export.Download(t.Context(), tc.f, tc.key)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: err = %v, want %q", name, err, tc.want)
			continue
		}
		if msg := err.Error(); strings.Contains(msg, other) || strings.Contains(msg, exportKey) || strings.Contains(msg, "SIGNATURE") {
			t.Errorf("%s: the error shows a secret: %v", name, msg)
		}
	}
}

func TestExportService_GetResultFailed(t *testing.T) {
	t.Parallel()
	c, ts := setup(t)
	ts.answer(t, "export/get_result", `{"errcode":0,"errmsg":"ok","status":3}`)
	r, err := c.Export.GetResult(t.Context(), "jobid_x")
	if err != nil || r.Status != ExportFailed {
		t.Fatalf("GetResult = %+v, %v", r, err)
	}
	_, err = c.Export.Wait(t.Context(), "jobid_x")
	if !errors.Is(err, ErrExportFailed) {
		t.Errorf("Wait: err = %v, want ErrExportFailed", err)
	}
	if want := "wecom export/get_result: job jobid_x: the export job failed (status 3, 异常失败); submit the export again"; err == nil || err.Error() != want {
		t.Errorf("Wait: err = %v, want %q", err, want)
	}
}

// TestExportService_KeyRedacted: an errmsg that echoes the request does not
// carry the encoding_aeskey into the error.
func TestExportService_KeyRedacted(t *testing.T) {
	t.Parallel()
	c, ts := setup(t)
	ts.handle(t, "export/user", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, `{"errcode":40058,"errmsg":"invalid parameter: {\"encoding_aeskey\":\"%s\",\"block_size\":5}"}`, exportKey)
	})
	_, err := c.Export.User(t.Context(), exportKey, 5)
	var apiErr *APIError
	if !errors.As(err, &apiErr) || apiErr.Code != 40058 {
		t.Fatalf("err = %v", err)
	}
	if strings.Contains(err.Error(), exportKey) {
		t.Errorf("the error shows the key: %v", err)
	}
}

func TestNewExportKey(t *testing.T) {
	t.Parallel()
	a, b := NewExportKey(), NewExportKey()
	if a == b {
		t.Error("two keys are equal")
	}
	for _, k := range []string{a, b} {
		if err := CheckExportKey(k); err != nil {
			t.Errorf("CheckExportKey(new key): %v", err)
		}
	}
	if err := CheckExportKey("IJUiXNpvGbODwKEBSEsAeOAPAhkqHqNCF6g19t9wfg"); err == nil || strings.Contains(err.Error(), "IJUi") {
		t.Errorf("a 42-character key: %v", err)
	}
}

// TestExportService_WaitHonoursContext: a job that stays processing ends
// the wait at the context's deadline.
func TestExportService_WaitHonoursContext(t *testing.T) {
	t.Parallel()
	c, ts := setup(t)
	ts.answer(t, "export/get_result", `{"errcode":0,"errmsg":"ok","status":1}`)
	ctx, cancel := context.WithTimeout(t.Context(), 100*time.Millisecond)
	defer cancel()
	if _, err := c.Export.Wait(ctx, "jobid_x"); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("err = %v, want the deadline", err)
	}
}

// TestExportService_DownloadRetries: a 5xx answer of the file's server is
// tried again; a 4xx is not.
func TestExportService_DownloadRetries(t *testing.T) {
	t.Parallel()
	c, ts := setup(t)
	ciph, _ := cbc.FromEncodingAESKey(exportKey)
	data := ciph.Seal([]byte(`{"department":[]}`))
	var calls atomic.Int32
	ts.mux.HandleFunc("/cdn/flaky", func(w http.ResponseWriter, r *http.Request) {
		if calls.Add(1) == 1 {
			http.Error(w, "busy", http.StatusServiceUnavailable)
			return
		}
		w.Write(data)
	})
	ts.mux.HandleFunc("/cdn/forbidden", func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		http.Error(w, "expired", http.StatusForbidden)
	})
	base := strings.TrimSuffix(c.BaseURL(), "cgi-bin/")
	got, err := c.Export.Download(t.Context(), ExportFile{URL: base + "cdn/flaky"}, exportKey)
	if err != nil || string(got) != `{"department":[]}` || calls.Load() != 2 {
		t.Errorf("after %d calls: %q, %v", calls.Load(), got, err)
	}
	calls.Store(0)
	if _, err := c.Export.Download(t.Context(), ExportFile{URL: base + "cdn/forbidden"}, exportKey); err == nil || calls.Load() != 1 {
		t.Errorf("a 403 after %d calls: %v", calls.Load(), err)
	}
}
