package runtime

import (
	"context"
	"errors"
	"io"
	"net/http/httptest"
	"strings"
	"testing"
	"testing/synctest"
	"time"
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
	cfg, err := Load("testdata/valid/jobs.yaml", testEnv)
	if err != nil {
		t.Fatal(err)
	}
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	cfg.Jobs[1].Retries.Max = 0
	exec := execFunc(func(ctx context.Context, job *Job, a *Attempt) error {
		a.Logger.Info("synced <departments>", "created", 3)
		if job.Name == "daily-report" {
			return errors.New("no figures")
		}
		return nil
	})
	store := openTestStore(t, BoltOptions{})
	s, err := NewScheduler(cfg, exec, store, SchedulerOptions{})
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
		h := start(t, testConfig(testJob("sync", every(time.Hour))), execFunc(func(context.Context, *Job, *Attempt) error { return nil }), nil)
		synctest.Wait()
		rec := httptest.NewRecorder()
		StatusHandler(h.s).ServeHTTP(rec, httptest.NewRequest("GET", "/", nil))
		if body := rec.Body.String(); !strings.Contains(body, "2000-01-01 01:00:00 UTC") {
			t.Errorf("index lacks the next run:\n%s", body)
		}
		h.shutdown()
	})
}

func TestMetricsFormat(t *testing.T) {
	m := NewMetrics()
	m.setJobs([]*Job{{Name: "a"}, {Name: `we"ird`}})
	m.runStarted("a")
	m.runFinished("a", ResultOK, 2*time.Second, time.Unix(1700000000, 500e6))
	m.runFinished("a", ResultSkipped, 0, time.Unix(1700000100, 0))
	m.startDelay(20 * time.Millisecond)
	m.APICall("gettoken", 0, 100*time.Millisecond)
	m.TokenFetch()
	var b strings.Builder
	if _, err := m.WriteTo(&b); err != nil {
		t.Fatal(err)
	}
	golden(t, "metrics.golden", []byte(b.String()))

	var nilMetrics *Metrics
	nilMetrics.APICall("user/get", 0, time.Second) // a nil *Metrics counts nothing
	nilMetrics.TokenFetch()
}
