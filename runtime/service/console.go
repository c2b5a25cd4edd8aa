package service

import (
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/wecomrunner/runner/runtime/jobs"
	"github.com/wecomrunner/runner/runtime/scheduler"
)

// The console is the status pages with forms that act: run a job now (with
// arguments, after a confirmation page), cancel a run, pause and resume a
// job, reload jobs.yaml. Reading needs nothing; acting needs a session,
// which /login opens for whoever gives the control token. The session is a
// cookie (HttpOnly, SameSite=Strict) holding its expiry and a MAC made with
// the token, not the token itself; every form carries a CSRF token derived
// from the session, and cross-origin posts are refused
// (http.CrossOriginProtection). A form that fails these checks is answered
// 403 and does nothing.
//
//	GET  /login, POST /login, POST /logout
//	GET  /jobs/{job}/run                  the confirmation page: arguments, dry run
//	POST /jobs/{job}/run                  run now, then show the run
//	POST /jobs/{job}/pause, /resume       pause or resume the job
//	POST /jobs/{job}/runs/{run}/cancel    stop the run
//	POST /reload                          reload jobs.yaml
//	GET  /jobs/{job}/runs/{run}/lines     the log from ?from=N, as JSON, for the live log
//	GET  /static/console.css, console.js

const (
	sessionCookie = "runner_session"
	sessionLife   = 12 * time.Hour
	// consoleAsker is who asks for what the console's forms do.
	consoleAsker = "console"
)

// consoleRoutes registers the console's own routes on mux.
func (a *service) consoleRoutes(mux *http.ServeMux) {
	cop := http.NewCrossOriginProtection()
	cop.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		a.errorPage(w, r, http.StatusForbidden, "Refused", "This form was posted from another site. Nothing was done.")
	}))
	post := func(pattern string, h func(w http.ResponseWriter, r *http.Request) (redirect string, err error)) {
		mux.Handle(pattern, cop.Handler(a.form(h)))
	}
	mux.HandleFunc("GET /login", a.loginPage)
	mux.Handle("POST /login", cop.Handler(http.HandlerFunc(a.login)))
	mux.Handle("POST /logout", cop.Handler(http.HandlerFunc(a.logout)))
	mux.HandleFunc("GET /jobs/{job}/run", a.runForm)
	post("POST /jobs/{job}/run", a.runNow)
	post("POST /jobs/{job}/pause", a.pauseForm)
	post("POST /jobs/{job}/resume", a.resumeForm)
	post("POST /jobs/{job}/runs/{run}/cancel", a.cancelForm)
	post("POST /reload", a.reloadForm)
	mux.HandleFunc("GET /jobs/{job}/runs/{run}/lines", a.liveLines)
	mux.HandleFunc("GET /static/console.css", static("text/css; charset=utf-8", consoleCSS))
	mux.HandleFunc("GET /static/console.js", static("text/javascript; charset=utf-8", consoleJS))
}

// mac is the hex HMAC-SHA256, keyed with the control token, of parts.
func (a *service) mac(parts ...string) string {
	h := hmac.New(sha256.New, []byte(a.token))
	for _, p := range parts {
		h.Write([]byte(p))
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil))
}

// session returns the session of a request, or "" when it has none that is
// valid.
func (a *service) session(r *http.Request) string {
	if a.token == "" {
		return ""
	}
	c, err := r.Cookie(sessionCookie)
	if err != nil {
		return ""
	}
	exp, mac, ok := strings.Cut(c.Value, ".")
	unix, err := strconv.ParseInt(exp, 10, 64)
	if !ok || err != nil || time.Now().Unix() > unix || !hmac.Equal([]byte(mac), []byte(a.mac("session", exp))) {
		return ""
	}
	return c.Value
}

// csrf is the CSRF token of the forms of a session.
func (a *service) csrf(session string) string {
	if session == "" {
		return ""
	}
	return a.mac("csrf", session)
}

// form checks a posted form (a session, its CSRF token, a body of at most
// maxBody) before h acts, then redirects to where h says, or shows its error.
func (a *service) form(h func(w http.ResponseWriter, r *http.Request) (string, error)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if a.token == "" {
			a.errorPage(w, r, http.StatusForbidden, "The console's forms are off", "This service has no control token.")
			return
		}
		session := a.session(r)
		if session == "" {
			a.errorPage(w, r, http.StatusForbidden, "Log in first", "Acting on jobs needs the control token: log in, then try again. Nothing was done.")
			return
		}
		r.Body = http.MaxBytesReader(w, r.Body, maxBody)
		if err := r.ParseForm(); err != nil {
			var tooBig *http.MaxBytesError
			if errors.As(err, &tooBig) {
				a.errorPage(w, r, http.StatusRequestEntityTooLarge, "Too large", fmt.Sprintf("The form is larger than %d KiB. Nothing was done.", maxBody>>10))
				return
			}
			a.errorPage(w, r, http.StatusBadRequest, "Bad form", err.Error())
			return
		}
		if subtle.ConstantTimeCompare([]byte(r.PostForm.Get("csrf")), []byte(a.csrf(session))) != 1 {
			a.errorPage(w, r, http.StatusForbidden, "Refused", "The form is stale or was not made by this console (its CSRF token does not match): reload the page and try again. Nothing was done.")
			return
		}
		to, err := h(w, r)
		if err != nil {
			a.errorPage(w, r, errorStatus(err), "Not done", err.Error())
			return
		}
		http.Redirect(w, r, to, http.StatusSeeOther)
	}
}

func (a *service) loginPage(w http.ResponseWriter, r *http.Request) {
	a.render(w, r, http.StatusOK, loginPage, map[string]any{"Next": localPath(r.URL.Query().Get("next")), "TokenFile": a.tokenFile()})
}

func (a *service) login(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, maxBody)
	if err := r.ParseForm(); err != nil {
		a.errorPage(w, r, http.StatusBadRequest, "Bad form", "The login form could not be read.")
		return
	}
	next := localPath(r.PostForm.Get("next"))
	if a.token == "" || subtle.ConstantTimeCompare([]byte(strings.TrimSpace(r.PostForm.Get("token"))), []byte(a.token)) != 1 {
		a.render(w, r, http.StatusUnauthorized, loginPage, map[string]any{"Next": next, "TokenFile": a.tokenFile(), "Wrong": true})
		return
	}
	exp := strconv.FormatInt(time.Now().Add(sessionLife).Unix(), 10)
	http.SetCookie(w, &http.Cookie{
		Name: sessionCookie, Value: exp + "." + a.mac("session", exp), Path: "/",
		MaxAge: int(sessionLife / time.Second), HttpOnly: true, SameSite: http.SameSiteStrictMode, Secure: r.TLS != nil,
	})
	http.Redirect(w, r, next, http.StatusSeeOther)
}

func (a *service) logout(w http.ResponseWriter, r *http.Request) {
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Path: "/", MaxAge: -1, HttpOnly: true, SameSite: http.SameSiteStrictMode})
	http.Redirect(w, r, "/", http.StatusSeeOther)
}

// tokenFile is the file that holds the control token, or "" when jobs.yaml
// sets control_token.
func (a *service) tokenFile() string {
	if cfg := a.s.Config(); cfg.ControlToken == "" {
		return jobs.ControlTokenFile(cfg)
	}
	return ""
}

// localPath is p when it is a path of this site, else "/".
func localPath(p string) string {
	if !strings.HasPrefix(p, "/") || strings.HasPrefix(p, "//") || strings.HasPrefix(p, "/\\") {
		return "/"
	}
	return p
}

// runForm is the confirmation page of a run now.
func (a *service) runForm(w http.ResponseWriter, r *http.Request) {
	info, err := a.c.Job(r.Context(), r.PathValue("job"))
	if err != nil {
		a.errorPage(w, r, errorStatus(err), "No such job", err.Error())
		return
	}
	a.render(w, r, http.StatusOK, runFormPage, map[string]any{"Job": info})
}

// runNow starts the run the confirmation page asks for, and shows it. The
// page gives each confirmation a key (idempotency_key, drawn by
// console.js), used as the control API's Idempotency-Key: a double click or
// a form posted again shows the run the first post started.
func (a *service) runNow(w http.ResponseWriter, r *http.Request) (string, error) {
	name := r.PathValue("job")
	args, err := parseFormArgs(r.PostForm.Get("args"))
	if err != nil {
		return "", err
	}
	run, _, err := a.c.RunNow(r.Context(), name, r.PostForm.Get("idempotency_key"), scheduler.RunRequest{
		By: consoleAsker, Args: args, DryRun: r.PostForm.Get("dry_run") != "",
	})
	if err != nil {
		return "", err
	}
	return "/jobs/" + url.PathEscape(name) + "/runs/" + url.PathEscape(run.ID), nil
}

// parseFormArgs reads the arguments of the run form: one key=value a line.
func parseFormArgs(text string) (map[string]any, error) {
	var args map[string]any
	for i, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		k, v, ok := strings.Cut(line, "=")
		if !ok {
			return nil, &apiError{http.StatusBadRequest, fmt.Sprintf("arguments, line %d: %q is not key=value", i+1, line)}
		}
		if args == nil {
			args = map[string]any{}
		}
		args[strings.TrimSpace(k)] = strings.TrimSpace(v)
	}
	return args, checkArgs(args)
}

func (a *service) pauseForm(w http.ResponseWriter, r *http.Request) (string, error) {
	_, err := a.c.Pause(r.Context(), r.PathValue("job"), consoleAsker)
	return localPath(r.PostForm.Get("back")), err
}

func (a *service) resumeForm(w http.ResponseWriter, r *http.Request) (string, error) {
	_, err := a.c.Resume(r.Context(), r.PathValue("job"), consoleAsker)
	return localPath(r.PostForm.Get("back")), err
}

func (a *service) cancelForm(w http.ResponseWriter, r *http.Request) (string, error) {
	rec, err := a.c.Cancel(r.Context(), r.PathValue("run"), consoleAsker)
	if err != nil {
		return "", err
	}
	return "/jobs/" + url.PathEscape(rec.Job) + "/runs/" + url.PathEscape(rec.ID), nil
}

func (a *service) reloadForm(w http.ResponseWriter, r *http.Request) (string, error) {
	return "/", a.doReload()
}

// liveLines answers the lines of a run's log from ?from=N, readable in the
// job's time zone, for the live log of the run's page.
func (a *service) liveLines(w http.ResponseWriter, r *http.Request) {
	name, id := r.PathValue("job"), r.PathValue("run")
	rec, err := a.s.Store().Run(r.Context(), name, id)
	if err != nil {
		writeError(w, err)
		return
	}
	from, err := lineParam(r.URL.Query().Get("from"), "from")
	if err != nil {
		writeError(w, err)
		return
	}
	lines, total, err := a.s.Store().Log(r.Context(), name, id, from, logPageLines)
	if err != nil {
		writeError(w, err)
		return
	}
	loc := a.zone(name)
	out := make([]LogLine, len(lines))
	for i, l := range lines {
		out[i] = ReadableLogLine(l, loc)
	}
	next := from + len(lines)
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, http.StatusOK, map[string]any{"lines": out, "next": next, "ended": rec.Ended() && next >= total})
}

// zone is the time zone of a job, or of the configuration for a job it does
// not have (any more).
func (a *service) zone(job string) *time.Location {
	cfg := a.s.Config()
	if j := cfg.JobNamed(job); j != nil {
		return j.Location
	}
	if cfg.Location != nil {
		return cfg.Location
	}
	return time.UTC
}

// errorPage answers an error as a page with a status.
func (a *service) errorPage(w http.ResponseWriter, r *http.Request, status int, title, msg string) {
	a.render(w, r, status, errorPage, map[string]any{"Title": title, "Message": msg})
}

func static(contentType, body string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", contentType)
		w.Header().Set("Cache-Control", "max-age=300")
		w.Write([]byte(body))
	}
}

const consoleCSS = `body { font: 14px/1.45 system-ui, sans-serif; margin: 0 auto 2em; max-width: 80em; padding: 0 1em; color: #222; }
header { display: flex; align-items: baseline; gap: 1em; margin: 1.2em 0 .6em; }
h1 { font-size: 1.4em; margin: 0; } h1 a { color: inherit; text-decoration: none; }
header .who { margin-left: auto; }
table { border-collapse: collapse; width: 100%; margin: 1em 0; }
th, td { text-align: left; padding: .35em .6em; border-bottom: 1px solid #ddd; vertical-align: top; }
th { background: #f5f5f5; }
code, pre { font: 13px/1.4 ui-monospace, monospace; }
pre { background: #f7f7f7; padding: 1em; overflow-x: auto; white-space: pre-wrap; }
pre .more { color: #555; }
.muted { color: #777; }
.warn { background: #fff3e0; border-left: 4px solid #ef6c00; padding: .4em .8em; }
.banner { padding: .6em 1em; margin: .6em 0; border-radius: 4px; }
.emulator { background: #6a1b9a; color: #fff; font-weight: 600; }
.rejected { background: #ffebee; border-left: 4px solid #c62828; }
.error { background: #ffebee; border-left: 4px solid #c62828; padding: .6em 1em; }
.r { display: inline-block; padding: 0 .45em; border-radius: 3px; color: #fff; text-decoration: none; font-size: 12px; }
.r-ok { background: #2e7d32; } .r-failed, .r-timed_out { background: #c62828; }
.r-skipped { background: #9e9e9e; } .r-interrupted { background: #ef6c00; } .r-running { background: #1565c0; }
.r-paused { background: #6d4c41; } .r-alert-failed { background: #ad1457; } .r-alert-sent { background: #546e7a; }
dl { display: grid; grid-template-columns: max-content auto; gap: .25em 1em; } dt { color: #555; }
form.inline { display: inline; margin: 0; }
button { font: inherit; padding: .15em .7em; cursor: pointer; }
textarea { font: 13px/1.4 ui-monospace, monospace; width: 100%; max-width: 40em; }
`

const consoleJS = `// The console: a live log on the page of a running run, the keys of the
// forms that start runs, and an auto-refresh of the other pages that ask
// for it, while no form is being filled in.
(function () {
  var log = document.getElementById('live-log');
  if (log) {
    var url = log.getAttribute('data-src');
    var from = parseInt(log.getAttribute('data-from'), 10) || 0;
    var add = function (text, cls) {
      var span = document.createElement('span');
      if (cls) span.className = cls;
      span.textContent = text + '\n';
      log.appendChild(span);
    };
    var poll = function () {
      fetch(url + '?from=' + from, {headers: {'Accept': 'application/json'}, cache: 'no-store'})
        .then(function (r) { return r.json(); })
        .then(function (d) {
          (d.lines || []).forEach(function (l) {
            add(l.text, 'line');
            (l.more || []).forEach(function (m) { add(m, 'more'); });
          });
          from = d.next;
          if (d.ended) { location.reload(); return; }
          setTimeout(poll, 1000);
        })
        .catch(function () { setTimeout(poll, 3000); });
    };
    poll();
    return;
  }
  // Each showing of a form that starts a run draws the key of its
  // request, so that a double click or a post sent again starts one run.
  // A page shown again from the history draws a new one: going back to
  // confirm again asks for another run.
  var keys = document.querySelectorAll('input[name="idempotency_key"]');
  var draw = function () {
    keys.forEach(function (input) {
      var b = new Uint8Array(16);
      crypto.getRandomValues(b);
      input.value = 'console-' + Array.prototype.map.call(b, function (x) { return (x + 256).toString(16).slice(1); }).join('');
    });
  };
  draw();
  window.addEventListener('pageshow', function (e) { if (e.persisted) draw(); });
  var every = parseInt(document.body.getAttribute('data-refresh') || '0', 10);
  if (every > 0) {
    setInterval(function () {
      if (!document.querySelector('form :focus')) location.reload();
    }, every * 1000);
  }
})();
`
