package service

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http/httptest"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/wecomrunner/runner/runtime/internal/runfixture"
	"github.com/wecomrunner/runner/runtime/jobs"
	"github.com/wecomrunner/runner/runtime/scheduler"
	"github.com/wecomrunner/runner/runtime/state"
)

func httpGet(t *testing.T, srv *httptest.Server, path string) (int, string) {
	t.Helper()
	resp, err := srv.Client().Get(srv.URL + path)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}

func TestStatusPages(t *testing.T) {
	cfg, err := jobs.Load("../jobs/testdata/valid/jobs.yaml", testEnv)
	if err != nil {
		t.Fatal(err)
	}
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	cfg.Jobs[1].Retries.Max = 0
	exec := execFunc(func(ctx context.Context, job *jobs.Job, a *scheduler.Attempt) error {
		a.Logger.Info("synced <departments>", "created", 3)
		if job.Name == "daily-report" {
			return errors.New("no figures")
		}
		return nil
	})
	store := runfixture.OpenBolt(t, state.BoltOptions{})
	s, err := scheduler.New(cfg, exec, store, scheduler.Options{})
	if err != nil {
		t.Fatal(err)
	}
	ok, err := s.RunNow(t.Context(), "nightly-department-sync")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.RunNow(t.Context(), "daily-report"); err != nil {
		t.Fatal(err)
	}
	s.Metrics().APICall("user/get", 60111, 30*time.Millisecond)
	s.Metrics().TokenFetch()

	srv := httptest.NewServer(StatusHandler(s))
	defer srv.Close()

	tests := []struct {
		path   string
		status int
		want   []string
	}{
		{"/healthz", 200, []string{"ok"}},
		{"/", 200, []string{
			`<a href="/jobs/nightly-department-sync">nightly-department-sync</a>`,
			"<code>0 2 * * *</code>", "Asia/Shanghai", "CST", "disabled",
			`class="r r-ok" href="/jobs/nightly-department-sync/runs/` + ok.ID,
			`class="r r-failed"`,
		}},
		{"/jobs/daily-report", 200, []string{"Europe/Paris", "replace", "once within 2h0m0s", "no figures", "manual", "<dd>no retries</dd>"}},
		{"/jobs/nightly-department-sync", 200, []string{"<dd>2 (backoff 1m0s, at most 10m0s)</dd>"}},
		// The run's log lines are stamped in the job's zone, Asia/Shanghai.
		{"/jobs/nightly-department-sync/runs/" + ok.ID, 200, []string{ok.ID, "r-ok", "synced &lt;departments&gt;", "created=3", "&#43;08:00 level=INFO"}},
		{"/jobs/nope", 404, nil},
		{"/jobs/nightly-department-sync/runs/nope", 404, nil},
		{"/metrics", 200, []string{
			`runner_job_runs_total{job="daily-report",result="failed"} 1`,
			`runner_job_runs_total{job="nightly-department-sync",result="ok"} 1`,
			`runner_job_running{job="hourly"} 0`,
			`runner_api_calls_total{api="user/get",errcode="60111"} 1`,
			`runner_token_fetches_total 1`,
			`runner_job_last_success_timestamp_seconds{job="nightly-department-sync"} `,
			"\ngo_goroutines ", "\nprocess_cpu_seconds_total ",
		}},
	}
	for _, tt := range tests {
		status, body := httpGet(t, srv, tt.path)
		if status != tt.status {
			t.Errorf("GET %s: status %d, want %d", tt.path, status, tt.status)
		}
		for _, want := range tt.want {
			if !strings.Contains(body, want) {
				t.Errorf("GET %s lacks %q:\n%s", tt.path, want, body)
			}
		}
		for _, secret := range []string{"contacts-secret-value", "app-secret-value", "hr_departments.csv"} {
			if strings.Contains(body, secret) {
				t.Errorf("GET %s shows %q", tt.path, secret)
			}
		}
	}
}

func TestStatusNextRun(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := start(t, runfixture.Config(runfixture.Job("sync", every(time.Hour))), execFunc(func(context.Context, *jobs.Job, *scheduler.Attempt) error { return nil }), nil)
		synctest.Wait()
		rec := httptest.NewRecorder()
		StatusHandler(h.S).ServeHTTP(rec, httptest.NewRequest("GET", "/", nil))
		if body := rec.Body.String(); !strings.Contains(body, "2000-01-01 01:00:00 UTC") {
			t.Errorf("index lacks the next run:\n%s", body)
		}
		h.Shutdown()
	})
}

// TestStatusLogPages: a run's page shows its log a page at a time, with
// links to the other pages, and a page of long lines stays near 1 MB.
func TestStatusLogPages(t *testing.T) {
	long := strings.Repeat("长", 20_000) // 60 kB
	exec := execFunc(func(ctx context.Context, job *jobs.Job, a *scheduler.Attempt) error {
		n, text := 2500, "step"
		if job.Name == "long" {
			n, text = 100, long
		}
		for i := range n {
			a.Logger.Info(text, "i", i)
		}
		return nil
	})
	store := runfixture.OpenBolt(t, state.BoltOptions{})
	s, err := scheduler.New(runfixture.Config(runfixture.Job("many", every(time.Hour)), runfixture.Job("long", every(time.Hour))), exec, store, scheduler.Options{})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(StatusHandler(s))
	defer srv.Close()
	many, err := s.RunNow(t.Context(), "many")
	if err != nil {
		t.Fatal(err)
	}
	_, total, _ := store.Log(t.Context(), "many", many.ID, 0, 0)
	page := "/jobs/many/runs/" + many.ID
	for _, tt := range []struct {
		from       string
		want, lack []string
	}{
		{"", []string{fmt.Sprintf("lines 1–1000 of %d", total), `<a href="?from=1000">next</a>`, fmt.Sprintf(`<a href="?from=%d">last</a>`, total-1000), "i=0\n", "i=998\n"},
			[]string{`href="?from=0"`, "i=999\n"}},
		{"?from=1000", []string{fmt.Sprintf("lines 1001–2000 of %d", total), `<a href="?from=0">previous</a>`, `<a href="?from=2000">next</a>`, "i=999\n", "i=1998\n"},
			[]string{"i=998\n", "i=1999\n"}},
		{fmt.Sprintf("?from=%d", total-1000), []string{fmt.Sprintf("lines %d–%d of %d", total-999, total, total), "run finished"}, []string{`">next</a>`}},
		{"?from=99999", []string{"no log lines"}, nil},
		{"?from=-5", []string{"lines 1–1000"}, nil},
	} {
		status, body := httpGet(t, srv, page+tt.from)
		if status != 200 {
			t.Errorf("GET %s%s: status %d", page, tt.from, status)
		}
		for _, want := range tt.want {
			if !strings.Contains(body, want) {
				t.Errorf("GET %s lacks %q", tt.from, want)
			}
		}
		for _, lack := range tt.lack {
			if strings.Contains(body, lack) {
				t.Errorf("GET %s has %q", tt.from, lack)
			}
		}
	}

	long1, err := s.RunNow(t.Context(), "long")
	if err != nil {
		t.Fatal(err)
	}
	status, body := httpGet(t, srv, "/jobs/long/runs/"+long1.ID)
	if status != 200 || len(body) > logPageBytes+scheduler.MaxLogLine+10_000 || !strings.Contains(body, "lines 1–18 of 102") || !strings.Contains(body, `<a href="?from=18">next</a> · <a href="?from=84">last</a>`) {
		t.Errorf("a page of 60 kB lines: status %d, %d bytes, %.300q", status, len(body), body[strings.Index(body, "<h2>Log"):])
	}
}

// healthStore is a store whose Health fails with err while err is set.
type healthStore struct {
	state.Store
	err error
}

func (s *healthStore) Health(ctx context.Context) error {
	if s.err != nil {
		return s.err
	}
	return s.Store.Health(ctx)
}

// TestHealthz: /healthz answers ok while the store is healthy, and fails with
// the store's reason when it is not (TestBoltHealth has the reasons).
func TestHealthz(t *testing.T) {
	store := &healthStore{Store: runfixture.OpenBolt(t, state.BoltOptions{})}
	s, err := scheduler.New(runfixture.Config(runfixture.Job("sync", every(time.Hour))), execFunc(func(context.Context, *jobs.Job, *scheduler.Attempt) error { return nil }), store, scheduler.Options{})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(StatusHandler(s))
	defer srv.Close()
	if status, body := httpGet(t, srv, "/healthz"); status != 200 || body != "ok\n" {
		t.Errorf("/healthz = %d %q, want 200 ok", status, body)
	}
	store.err = errors.New("a write to the state failed 3s ago: write state.db: no space left on device")
	if status, body := httpGet(t, srv, "/healthz"); status != 503 || body != "degraded: "+store.err.Error()+"\n" {
		t.Errorf("/healthz after a failed write = %d %q, want 503 and the error", status, body)
	}
}
