package e2e

// The console in a real browser: headless Chromium driven by chromedp logs
// in, clicks "Run now", confirms, waits for the run to finish, reads its log
// and sees the badge of an alert that failed.

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/wecomrunner/runner/runtime/service"
)

// chromium finds the browser: Debian's chromium, or another Chrome. Without
// one the test is skipped, except in CI (CI=true), where it fails: .ci/run
// installs it.
func chromium(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"} {
		if path, err := exec.LookPath(name); err == nil {
			return path
		}
	}
	if os.Getenv("CI") == "true" {
		t.Fatal("no chromium: the browser test must run in CI (.ci/run installs it)")
	}
	t.Skip("no chromium or chrome on PATH")
	return ""
}

// browser starts a headless browser for the test and returns its context.
func browser(t *testing.T) context.Context {
	t.Helper()
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromium(t)),
		chromedp.NoSandbox, // tests run as root in containers
		chromedp.UserDataDir(t.TempDir()),
	)
	alloc, cancelAlloc := chromedp.NewExecAllocator(t.Context(), opts...)
	t.Cleanup(cancelAlloc)
	ctx, cancel := chromedp.NewContext(alloc, chromedp.WithErrorf(t.Logf))
	t.Cleanup(cancel)
	ctx, cancelTimeout := context.WithTimeout(ctx, 3*time.Minute)
	t.Cleanup(cancelTimeout)
	if err := chromedp.Do(ctx); err != nil { // starts the browser
		t.Fatalf("starting %s: %v", chromium(t), err)
	}
	return ctx
}

// waitText waits until the element sel holds text, reloading the page every
// half second with reload, and leaving the page to update itself without.
func waitText(t *testing.T, ctx context.Context, sel, text string, reload bool) string {
	t.Helper()
	for deadline := time.Now().Add(time.Minute); ; {
		short, cancel := context.WithTimeout(ctx, 5*time.Second)
		got, err := chromedp.Run(short, chromedp.Text(chromedp.CSS(sel), chromedp.NodeVisible))
		cancel()
		if err == nil && strings.Contains(got, text) {
			return got
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s never showed %q; last: %q, %v", sel, text, got, err)
		}
		time.Sleep(500 * time.Millisecond)
		if !reload {
			continue
		}
		if err := chromedp.Do(ctx, chromedp.Reload()); err != nil {
			t.Fatal(err)
		}
	}
}

// confirmRun opens the confirmation page at url, presses its button with
// press (a Click or DoubleClick of #confirm-run), and waits for the page of
// the run.
func confirmRun(t *testing.T, ctx context.Context, url string, press chromedp.Action[chromedp.Void]) {
	t.Helper()
	err := chromedp.Do(ctx,
		chromedp.Navigate(url),
		chromedp.WaitVisible(chromedp.ID("confirm-run")),
		press,
		chromedp.WaitVisible(chromedp.ID("result")),
	)
	if err != nil {
		t.Fatal(err)
	}
}

func TestConsoleInBrowser(t *testing.T) {
	t.Parallel()
	dir := jobsDir(t, `timezone: Asia/Shanghai
clients:
  notify: {corp_id: "${WECOM_CORP_ID}", secret: "${WECOM_SECRET}"}
jobs:
  - {name: hello, schedule: "0 2 * * *", script: hello.lua}
  - {name: twice, schedule: "0 4 * * *", script: quick.lua, concurrency: allow}
  - name: fails
    schedule: "0 3 * * *"
    script: fails.lua
    notify: {webhook: "${WECOM_BASE_URL}webhook/send?key=not-a-robot"}
`, map[string]string{
		"hello.lua": `print("hello " .. args.get("who", "nobody") .. ", " .. wecom.user.get("zhangsan").name)` + "\n" +
			`for _ = 1, 600 do if fs.exists("go") then break end time.sleep(0.1) end` + "\n", // until the test says go
		"fails.lua": `error("the HR export is empty")` + "\n",
		"quick.lua": `print("quick")` + "\n",
	})
	ctx := browser(t)
	_, url, _ := startServe(t, dir, "--emulator")
	token := readToken(t, dir)

	// Log in with the token, from the link on the front page.
	if err := chromedp.Do(ctx, chromedp.Navigate(url)); err != nil {
		t.Fatal(err)
	}
	title, err := chromedp.Run(ctx, chromedp.Title())
	if err != nil {
		t.Fatal(err)
	}
	err = chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(`a[href^="/login"]`)),
		chromedp.WaitVisible(chromedp.ID("token")),
		chromedp.SendKeys(chromedp.ID("token"), token),
		chromedp.Click(chromedp.ID("login")),
		chromedp.WaitVisible(chromedp.CSS(`form[action="/logout"]`)),
	)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(title, "[emulator] ") {
		t.Errorf("the title of the page of serve --emulator = %q", title)
	}

	// Run hello now with an argument, after the confirmation page.
	err = chromedp.Do(ctx,
		chromedp.Navigate(url),
		chromedp.Click(chromedp.CSS(`#job-hello a[href="/jobs/hello/run"]`)),
		chromedp.WaitVisible(chromedp.ID("confirm-run")),
	)
	if err != nil {
		t.Fatal(err)
	}
	confirm, err := chromedp.Run(ctx, chromedp.Text(chromedp.ID("confirm-run")))
	if err != nil {
		t.Fatal(err)
	}
	err = chromedp.Do(ctx,
		chromedp.SendKeys(chromedp.ID("args"), "who=browser"),
		chromedp.Click(chromedp.ID("confirm-run")),
		chromedp.WaitVisible(chromedp.ID("result")),
	)
	if err != nil {
		t.Fatal(err)
	}
	if confirm != "Run hello now" {
		t.Errorf("the confirmation button says %q", confirm)
	}
	// The page follows the run: its live log gets the lines as they come,
	// then the page shows the end. The log is in the job's zone.
	waitText(t, ctx, `#live-log`, "hello browser", false)
	os.MkdirAll(filepath.Join(dir, "data"), 0o755)
	if err := os.WriteFile(filepath.Join(dir, "data", "go"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	waitText(t, ctx, `#result`, "ok", false)
	log := waitText(t, ctx, `#log`, "run finished", true)
	wantContains(t, "the run's log", log, `msg="hello browser, 张三"`, "by=console", "+08:00 level=INFO")

	// The confirmation of a job that may run beside itself: the page draws
	// a key for the form, so the form posted twice at once (a double click,
	// a post sent again) starts one run, and a double click on the button
	// one more.
	err = chromedp.Do(ctx,
		chromedp.Navigate(url+"jobs/twice/run"),
		chromedp.WaitVisible(chromedp.ID("confirm-run")),
	)
	if err != nil {
		t.Fatal(err)
	}
	key, err := chromedp.Run(ctx, chromedp.Value(chromedp.CSS(`input[name="idempotency_key"]`)))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(key, "console-") || len(key) < 30 {
		t.Errorf("the key the page drew for the form = %q", key)
	}
	// where each post ended up: the page of its run
	landed, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`(function () {
  var form = document.querySelector('form[action="/jobs/twice/run"]');
  var post = function () {
    return fetch(form.action, {method: 'POST', body: new URLSearchParams(new FormData(form))}).then(function (r) { return r.url; });
  };
  return Promise.all([post(), post()]);
})()`, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatal(err)
	}
	if len(landed) != 2 || landed[0] != landed[1] || !strings.Contains(landed[0], "/jobs/twice/runs/") {
		t.Errorf("the form posted twice at once landed on %q, want the page of one run", landed)
	}
	confirmRun(t, ctx, url+"jobs/twice/run", chromedp.DoubleClick(chromedp.ID("confirm-run")))
	runs, err := service.NewControlClient(url, token).Runs(t.Context(), "twice", 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(runs) != 2 {
		t.Errorf("twice has %d runs, want 2: one for the form posted twice, one for the double click", len(runs))
	}

	// A failing run whose alert cannot be sent shows the alert's failure.
	confirmRun(t, ctx, url+"jobs/fails/run", chromedp.Click(chromedp.ID("confirm-run")))
	waitText(t, ctx, `#result`, "failed", false)
	badge := waitText(t, ctx, `#alert-error`, "alert failed", true)
	if !strings.Contains(badge, "errcode 93000") || strings.Contains(badge, "not-a-robot") {
		t.Errorf("the alert's failure = %q", badge)
	}
	// The front page shows the failure and its reason.
	err = chromedp.Do(ctx, chromedp.Navigate(url), chromedp.WaitVisible(chromedp.CSS(`#job-fails .r-alert-failed`)))
	if err != nil {
		t.Fatal(err)
	}
	if reason := waitText(t, ctx, `#job-fails .failure-reason`, "the HR export is empty", true); strings.Contains(reason, token) {
		t.Error("the page shows the token")
	}
}
