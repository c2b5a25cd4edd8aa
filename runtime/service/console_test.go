package service

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/wecomrunner/runner/runtime/internal/runfixture"
	"github.com/wecomrunner/runner/runtime/jobs"
	"github.com/wecomrunner/runner/runtime/scheduler"
	"github.com/wecomrunner/runner/runtime/state"
)

// consoleUser is a browser of the console: it keeps cookies and does not
// follow redirects, so that the tests see them.
type consoleUser struct {
	t      *testing.T
	a      *apiHarness
	client *http.Client
}

func newConsoleUser(t *testing.T, a *apiHarness) *consoleUser {
	jar, _ := cookiejar.New(nil)
	return &consoleUser{t: t, a: a, client: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	}}}
}

// do sends a request as a browser of this site would, and returns the
// status, the Location header and the body.
func (u *consoleUser) do(method, path string, form url.Values, header ...string) (int, string, string) {
	u.t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequestWithContext(u.t.Context(), method, u.a.srv.URL+path, body)
	if err != nil {
		u.t.Fatal(err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := u.client.Do(req)
	if err != nil {
		u.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if strings.Contains(string(b), testToken) {
		u.t.Errorf("%s %s shows the control token", method, path)
	}
	return resp.StatusCode, resp.Header.Get("Location"), string(b)
}

// page reads a page once it shows text: the lines of a run's log are
// stored a little after its result.
func (u *consoleUser) page(path, text string) string {
	u.t.Helper()
	var body string
	waitUntil(u.t, path+" shows "+text, func() bool {
		_, _, body = u.do("GET", path, nil)
		return strings.Contains(body, text)
	})
	return body
}

var csrfField = regexp.MustCompile(`name="csrf" value="([0-9a-f]+)"`)

// csrf reads the CSRF token of the forms of a page.
func (u *consoleUser) csrf(path string) string {
	u.t.Helper()
	_, _, body := u.do("GET", path, nil)
	m := csrfField.FindStringSubmatch(body)
	if m == nil {
		u.t.Fatalf("GET %s has no form with a CSRF token:\n%s", path, body)
	}
	return m[1]
}

func (u *consoleUser) login() {
	u.t.Helper()
	status, to, body := u.do("POST", "/login", url.Values{"token": {testToken}, "next": {"/jobs/sync"}})
	if status != http.StatusSeeOther || to != "/jobs/sync" {
		u.t.Fatalf("login: %d to %q\n%s", status, to, body)
	}
}

func TestConsoleForms(t *testing.T) {
	started := make(chan string, 4)
	release := make(chan struct{})
	exec := execFunc(func(ctx context.Context, job *jobs.Job, a *scheduler.Attempt) error {
		a.Logger.Info("working", "who", a.Args["who"])
		if job.Name == "report" {
			return blockUntilDone(started, release).Execute(ctx, job, a)
		}
		return nil
	})
	a := startAPI(t, exec, []*jobs.Job{runfixture.Job("sync", every(time.Hour)), runfixture.Job("report", every(time.Hour))}, WithEmulator())
	anon, u := newConsoleUser(t, a), newConsoleUser(t, a)

	// Reading needs no login; acting does.
	status, _, body := anon.do("GET", "/", nil)
	if status != 200 || !strings.Contains(body, `href="/login?next=%2f"`) || strings.Contains(body, `name="csrf"`) || !strings.Contains(body, `id="emulator"`) {
		t.Errorf("the index for a visitor: %d\n%s", status, body)
	}
	if status, _, body := anon.do("POST", "/jobs/sync/run", url.Values{"args": {""}}); status != 403 || !strings.Contains(body, "Log in first") {
		t.Errorf("a run without logging in: %d\n%s", status, body)
	}
	if status, _, body := anon.do("POST", "/login", url.Values{"token": {"wrong"}}); status != 401 || !strings.Contains(body, "not the control token") {
		t.Errorf("a wrong token: %d\n%s", status, body)
	}

	u.login()
	for _, c := range u.client.Jar.Cookies(mustURL(t, a.srv.URL)) {
		if c.Name == sessionCookie && strings.Contains(c.Value, testToken) {
			t.Error("the session cookie holds the token")
		}
	}
	form := u.csrf("/jobs/sync/run")
	if _, _, body := u.do("GET", "/jobs/sync/run", nil); !strings.Contains(body, `id="confirm-run"`) || !strings.Contains(body, "Run sync now") {
		t.Errorf("the confirmation page:\n%s", body)
	}

	// Forged posts do nothing.
	for _, tc := range []struct {
		name   string
		form   url.Values
		header []string
		status int
		text   string
	}{
		{"no CSRF token", url.Values{"args": {"who=x"}}, nil, 403, "CSRF token does not match"},
		{"another session's token", url.Values{"csrf": {a.srv.URL}}, nil, 403, "CSRF token does not match"},
		{"another site", url.Values{"csrf": {form}}, []string{"Sec-Fetch-Site", "cross-site", "Origin", "https://evil.example"}, 403, "posted from another site"},
		{"10 MB", url.Values{"csrf": {form}, "args": {strings.Repeat("x", 10<<20)}}, nil, 413, "larger than 64 KiB"},
		{"bad arguments", url.Values{"csrf": {form}, "args": {"who"}}, nil, 400, `line 1: &#34;who&#34; is not key=value`},
	} {
		status, _, body := u.do("POST", "/jobs/sync/run", tc.form, tc.header...)
		if status != tc.status || !strings.Contains(body, tc.text) {
			t.Errorf("%s: %d, want %d and %q\n%s", tc.name, status, tc.status, tc.text, body)
		}
	}
	if runs := a.Runs("sync"); len(runs) != 0 {
		t.Fatalf("refused forms ran the job: %v", runfixture.Results(runs))
	}

	// A run with arguments and a dry run, then its page.
	status, to, _ := u.do("POST", "/jobs/sync/run", url.Values{"csrf": {form}, "args": {"who=alice\n\n# a comment\n"}, "dry_run": {"1"}})
	if status != http.StatusSeeOther || !strings.HasPrefix(to, "/jobs/sync/runs/") {
		t.Fatalf("run now: %d to %q", status, to)
	}
	id := strings.TrimPrefix(to, "/jobs/sync/runs/")
	rec := a.waitRun(t, id)
	if rec.Result != state.ResultOK || rec.By != "console" || rec.Args != `{"who":"alice"}` || !rec.DryRun || rec.Trigger != state.TriggerManual {
		t.Errorf("the console's run = %+v", rec)
	}
	if body := u.page(to, "run finished"); !strings.Contains(body, "msg=working attempt=1 who=alice") || !strings.Contains(body, "manual by console") || !strings.Contains(body, "dry run") {
		t.Errorf("the run's page:\n%s", body)
	}

	// The form's key: the same form posted again shows the run it
	// started, and starts nothing.
	if _, _, body := u.do("GET", "/jobs/sync/run", nil); !strings.Contains(body, `<input type="hidden" name="idempotency_key" value="">`) {
		t.Errorf("the confirmation page has no key field for console.js to fill:\n%s", body)
	}
	keyed := url.Values{"csrf": {form}, "args": {"who=bob"}, "idempotency_key": {"console-0123abcd"}}
	status, first, _ := u.do("POST", "/jobs/sync/run", keyed)
	a.waitRun(t, strings.TrimPrefix(first, "/jobs/sync/runs/"))
	if again, to, _ := u.do("POST", "/jobs/sync/run", keyed); status != http.StatusSeeOther || again != http.StatusSeeOther || to != first {
		t.Errorf("the form posted twice with its key: %d to %q, then %d to %q; want the same run", status, first, again, to)
	}
	if runs := a.Runs("sync"); len(runs) != 2 {
		t.Errorf("sync has %d runs, want 2: the form with a key started one", len(runs))
	}

	// Pause and resume from the index.
	index := u.csrf("/")
	if status, to, _ := u.do("POST", "/jobs/sync/pause", url.Values{"csrf": {index}, "back": {"/"}}); status != 303 || to != "/" {
		t.Errorf("pause: %d to %q", status, to)
	}
	if _, _, body := u.do("GET", "/", nil); !strings.Contains(body, `class="r r-paused" title="paused by console`) || !strings.Contains(body, ">Resume</button>") {
		t.Errorf("the index of a paused job:\n%s", body)
	}
	if status, _, body := u.do("POST", "/jobs/sync/run", url.Values{"csrf": {index}}); status != 409 || !strings.Contains(body, "sync is paused (by console") {
		t.Errorf("a run of a paused job: %d\n%s", status, body)
	}
	if status, _, _ := u.do("POST", "/jobs/sync/resume", url.Values{"csrf": {index}, "back": {"//evil.example/"}}); status != 303 {
		t.Errorf("resume: %d", status)
	}
	if info, _ := a.S.JobInfo(t.Context(), "sync"); info.Paused != nil {
		t.Error("the job is still paused")
	}

	// Cancel a run in progress; its page is live meanwhile.
	status, to, _ = u.do("POST", "/jobs/report/run", url.Values{"csrf": {index}})
	if status != 303 {
		t.Fatalf("run report: %d", status)
	}
	<-started
	_, _, body = u.do("GET", to, nil)
	if !strings.Contains(body, `id="live-log" data-src="`+to+`/lines"`) || !strings.Contains(body, `id="cancel"`) || !strings.Contains(body, `<meta http-equiv="refresh" content="5">`) {
		t.Errorf("the page of a run in progress:\n%s", body)
	}
	var live struct {
		Lines []LogLine
		Next  int
		Ended bool
	}
	waitUntil(t, "the live lines of the run", func() bool {
		_, _, body = u.do("GET", to+"/lines?from=0", nil)
		if err := json.Unmarshal([]byte(body), &live); err != nil {
			t.Fatalf("%v\n%s", err, body)
		}
		return live.Next > 1
	})
	if live.Ended || !strings.Contains(live.Lines[0].Text, "run started") || !strings.Contains(live.Lines[1].Text, "msg=working") {
		t.Errorf("the live lines = %+v", live)
	}
	if status, back, _ := u.do("POST", to+"/cancel", url.Values{"csrf": {u.csrf(to)}}); status != 303 || back != to {
		t.Errorf("cancel: %d to %q", status, back)
	}
	if rec := a.waitRun(t, strings.TrimPrefix(to, "/jobs/report/runs/")); rec.Result != state.ResultInterrupted || rec.Error != "cancelled by console" {
		t.Errorf("the cancelled run = %+v", rec)
	}
	_, _, body = u.do("GET", to+"/lines?from=0", nil)
	json.Unmarshal([]byte(body), &live)
	if !live.Ended {
		t.Errorf("the live lines of the cancelled run do not end: %s", body)
	}
	if status, _, body := u.do("POST", to+"/cancel", url.Values{"csrf": {index}}); status != 409 || !strings.Contains(body, "has already ended: interrupted") {
		t.Errorf("a second cancel: %d\n%s", status, body)
	}
	close(release)

	// Logging out ends the session: its forms are refused.
	if status, _, _ := u.do("POST", "/logout", url.Values{}); status != 303 {
		t.Errorf("logout: %d", status)
	}
	if status, _, _ := u.do("POST", "/jobs/sync/pause", url.Values{"csrf": {index}}); status != 403 {
		t.Errorf("a form after logging out: %d", status)
	}
}

// TestConsolePages: the front page shows each job's last success as "… ago"
// and its last failure's first line; a run's page shows a traceback as
// lines, and times in the job's zone; a rejected reload shows its problems.
func TestConsolePages(t *testing.T) {
	paris, _ := time.LoadLocation("Europe/Paris")
	exec := execFunc(func(ctx context.Context, job *jobs.Job, a *scheduler.Attempt) error {
		if a.Args["fail"] == "yes" {
			a.Logger.Error("script failed", "error", "sync.lua:2: boom", "traceback", "stack traceback:\n\t[G]: in function 'error'\n\tsync.lua:2: in main chunk")
			return errors.New("sync.lua:2: boom\nstack traceback:\n\t[G]: in function 'error'")
		}
		return nil
	})
	job := runfixture.Job("sync", every(time.Hour), func(j *jobs.Job) { j.Timezone, j.Location = "Europe/Paris", paris })
	a := startAPI(t, exec, []*jobs.Job{job})
	ok, _ := a.client.RunNow(t.Context(), "sync", RunBody{})
	a.waitRun(t, ok.ID)
	failed, _ := a.client.RunNow(t.Context(), "sync", RunBody{Args: map[string]any{"fail": "yes"}})
	a.waitRun(t, failed.ID)

	u := newConsoleUser(t, a)
	_, _, body := u.do("GET", "/", nil)
	for _, want := range []string{
		`<span class="last-success" title="` + time.Now().In(paris).Format("2006-01-02"), ">just now</span>",
		`<span class="failure-reason">sync.lua:2: boom</span>`, `class="r r-failed" href="/jobs/sync/runs/` + failed.ID,
		`<body data-refresh="10">`, `<noscript><meta http-equiv="refresh" content="10"></noscript>`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("the index lacks %q:\n%s", want, body)
		}
	}
	if strings.Contains(body, `id="emulator"`) {
		t.Error("the index of a service that is not the emulator's says emulator")
	}
	body = u.page("/jobs/sync/runs/"+failed.ID, "run finished")
	zone := strings.ReplaceAll(time.Now().In(paris).Format("-07:00"), "+", "&#43;")
	for _, want := range []string{
		`traceback=&#34;stack traceback:&#34;` + "\n" + `<span class="more">	[G]: in function &#39;error&#39;</span>` + "\n" + `<span class="more">	sync.lua:2: in main chunk</span>`,
		"time=" + time.Now().In(paris).Format("2006-01-02T"), zone + " level=ERROR msg=&#34;script failed&#34;",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("the failed run's page lacks %q:\n%s", want, body)
		}
	}
	if !strings.Contains(body, `sync.lua:2: boom</dd>`) || !strings.Contains(body, "<pre class=\"error-more\">stack traceback:\n\t[G]") {
		t.Errorf("the failed run's page does not show its error's traceback as lines:\n%s", body)
	}
	if strings.Contains(body, `\n\t`) {
		t.Errorf("the page shows a traceback as \\n\\t:\n%s", body)
	}

	// A rejected reload is on every page until a reload succeeds.
	dir := t.TempDir()
	bad := dir + "/jobs.yaml"
	writeFile(t, bad, "jobs:\n  - {name: x, schedule: often, script: x.lua}\n")
	a.S.ReloadFile(bad, testEnv)
	_, _, body = u.do("GET", "/jobs/sync", nil)
	if !strings.Contains(body, `id="rejected"`) || !strings.Contains(body, "was not reloaded") || !strings.Contains(body, `job &#34;x&#34;: schedule:`) {
		t.Errorf("the page after a rejected reload:\n%s", body)
	}
}

// waitUntil polls cond until it holds, for a minute at most.
func waitUntil(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(time.Minute); !cond(); {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within a minute", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func mustURL(t *testing.T, s string) *url.URL {
	u, err := url.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return u
}
