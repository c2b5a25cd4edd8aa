package service

import (
	"bytes"
	"context"
	"fmt"
	"html/template"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/wecomrunner/runner/runtime/jobs"
	"github.com/wecomrunner/runner/runtime/scheduler"
	"github.com/wecomrunner/runner/runtime/state"
)

// StatusHandler serves the scheduler's console over HTTP:
//
//	/healthz                  "ok", or 503 and why the state cannot be written
//	/metrics                  Prometheus text format
//	/                         the jobs: schedule, next run, last success, last failure, runs
//	/jobs/{job}               a job's settings and run history
//	/jobs/{job}/runs/{run}    a run and a page of its log (?from=line), live while it runs
//
// with the console's forms (console.go) and the control API under /api/v1/
// (api.go), both enabled by WithControlToken.
//
// The pages are plain HTML, readable without JavaScript (which only adds the
// live log and the auto-refresh); times are in each job's time zone. They
// show no secret: client secrets, tokens and the jobs' own arguments are
// left out.
func StatusHandler(s *scheduler.Scheduler, opts ...Option) http.Handler {
	svc := &service{s: s, c: NewControl(s), started: time.Now().UTC()}
	for _, o := range opts {
		o(svc)
	}
	mux := http.NewServeMux()
	svc.routes(mux)
	svc.consoleRoutes(mux)
	mux.HandleFunc("GET /healthz", healthz(s.Store()))
	mux.Handle("GET /metrics", s.Metrics().Handler())
	mux.HandleFunc("GET /{$}", svc.index)
	mux.HandleFunc("GET /jobs/{job}", svc.job)
	mux.HandleFunc("GET /jobs/{job}/runs/{run}", svc.run)
	return mux
}

// recentRuns is how many results the index shows per job.
const recentRuns = 5

// refreshEvery is how often, in seconds, the index and the page of a job
// with a run in progress reload themselves.
const refreshEvery = 10

// jobRow is a job as the pages show it.
type jobRow struct {
	scheduler.JobInfo
	Job         *jobs.Job
	Next        string // the next firing, or why there is none
	Paused      string // who paused it and when; "" when it is not paused
	LastSuccess string // "3 h ago"; "" for never
	SuccessAt   string // when, in the job's zone
	Failure     *runRow
	Running     []runRow
	Runs        []runRow
}

type runRow struct {
	state.RunRecord
	Scheduled, Started, Duration string
	Ago                          string // when it started: "3 h ago"
	ErrorLine                    string // the first line of its error
	ErrorMore                    string // the other lines of its error (a traceback)
	AlertBadge                   string // "failed", "sent" or "withheld": what became of its alert
}

func (a *service) index(w http.ResponseWriter, r *http.Request) {
	cfg := a.s.Config()
	infos, err := a.c.Jobs(r.Context())
	if err != nil {
		a.errorPage(w, r, http.StatusInternalServerError, "Cannot read the state", err.Error())
		return
	}
	var rows []jobRow
	for _, info := range infos {
		row, err := a.jobRow(r.Context(), info, recentRuns)
		if err != nil {
			a.errorPage(w, r, http.StatusInternalServerError, "Cannot read the history", err.Error())
			return
		}
		rows = append(rows, row)
	}
	a.render(w, r, http.StatusOK, indexPage, map[string]any{
		"File":     cfg.File,
		"Instance": a.s.Store().Instance(),
		"Now":      scheduler.FormatTime(time.Now(), cfg.Location),
		"Jobs":     rows,
		"Refresh":  refreshEvery,
	})
}

// jobRow reads what the pages show of a job: its state and its last n runs
// (all kept when n is 0).
func (a *service) jobRow(ctx context.Context, info scheduler.JobInfo, n int) (jobRow, error) {
	j := info.Job()
	loc := j.Location
	now := time.Now()
	row := jobRow{JobInfo: info, Job: j, Next: scheduler.FormatTime(info.Next, loc)}
	switch {
	case info.Paused != nil:
		row.Paused = fmt.Sprintf("paused by %s, %s", info.Paused.By, scheduler.Ago(info.Paused.At, now))
		row.Next = "none while paused"
	case !j.Enabled:
		row.Next = "disabled: runs only by hand"
	}
	if s := info.LastSuccess; s != nil {
		row.LastSuccess, row.SuccessAt = scheduler.Ago(s.Finished, now), scheduler.FormatTime(s.Finished, loc)
	}
	if f := info.LastFailure; f != nil {
		row.Failure = &runRows([]state.RunRecord{*f}, loc)[0]
	}
	runs, err := a.s.Store().Runs(ctx, j.Name, n)
	if err != nil {
		return row, err
	}
	row.Runs = runRows(runs, loc)
	for _, r := range row.Runs {
		if r.Result == state.ResultRunning {
			row.Running = append(row.Running, r)
		}
	}
	return row, nil
}

func (a *service) job(w http.ResponseWriter, r *http.Request) {
	info, err := a.c.Job(r.Context(), r.PathValue("job"))
	if err != nil {
		a.errorPage(w, r, errorStatus(err), "No such job", err.Error())
		return
	}
	row, err := a.jobRow(r.Context(), info, 0)
	if err != nil {
		a.errorPage(w, r, http.StatusInternalServerError, "Cannot read the history", err.Error())
		return
	}
	refresh := 0
	if len(row.Running) > 0 {
		refresh = refreshEvery
	}
	a.render(w, r, http.StatusOK, jobPage, map[string]any{"Row": row, "Refresh": refresh})
}

func (a *service) run(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("job")
	loc := a.zone(name)
	rec, err := a.s.Store().Run(r.Context(), name, r.PathValue("run"))
	if err != nil {
		a.errorPage(w, r, errorStatus(err), "No such run", err.Error())
		return
	}
	from, _ := strconv.Atoi(r.URL.Query().Get("from"))
	log, err := readLogPage(r.Context(), a.s.Store(), name, rec.ID, from)
	if err != nil {
		a.errorPage(w, r, http.StatusInternalServerError, "Cannot read the log", err.Error())
		return
	}
	lines := make([]LogLine, len(log.Lines))
	for i, l := range log.Lines {
		lines[i] = ReadableLogLine(l, loc)
	}
	// The log is live on its last page while the run goes on; without
	// JavaScript the page reloads itself instead.
	refresh := 0
	if !rec.Ended() {
		refresh = 5
	}
	a.render(w, r, http.StatusOK, runPage, map[string]any{
		"Run": runRows([]state.RunRecord{rec}, loc)[0], "Log": log, "Lines": lines,
		"Live": !rec.Ended() && log.Next < 0, "LiveFrom": log.Last, "Refresh": refresh,
	})
}

// healthTimeout bounds the probe write of /healthz.
const healthTimeout = 5 * time.Second

// healthz answers "ok" when the state can be written, and 503 with the
// reason when it cannot: runs would go on without history, logs, claims or
// cached tokens. Store errors name files and hosts, never passwords.
func healthz(store state.Store) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), healthTimeout)
		defer cancel()
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.Header().Set("Cache-Control", "no-store")
		if err := store.Health(ctx); err != nil {
			w.WriteHeader(http.StatusServiceUnavailable)
			fmt.Fprintf(w, "degraded: %v\n", err)
			return
		}
		w.Write([]byte("ok\n"))
	}
}

// A page of a run's log shows up to logPageLines lines, fewer when they
// pass logPageBytes (a stored line is at most maxLogLine bytes).
const (
	logPageLines = 1000
	logPageBytes = 1 << 20
)

// logPage is a page of a run's log.
type logPage struct {
	Lines      []string
	First      int // number of the first line shown, from 1
	Last       int // number of the last line shown
	Total      int // lines in the log
	Prev, Next int // from= of the previous and next pages; -1 when there is none
	End        int // from= of the last page (of as many lines as this one)
}

// readLogPage reads the page of a run's log that starts at line from (0 is
// the first line).
func readLogPage(ctx context.Context, store state.Store, job, id string, from int) (logPage, error) {
	from = max(from, 0)
	lines, total, err := store.Log(ctx, job, id, from, logPageLines)
	if err != nil {
		return logPage{}, err
	}
	size := 0
	for i, l := range lines {
		if size += len(l) + 1; size > logPageBytes && i > 0 {
			lines = lines[:i]
			break
		}
	}
	// The neighbouring pages are taken to hold as many lines as this one.
	step := max(len(lines), 1)
	p := logPage{Lines: lines, First: from + 1, Last: from + len(lines), Total: total, Prev: -1, Next: -1,
		End: max(total-step, 0)}
	if from > 0 {
		p.Prev = max(from-step, 0)
	}
	if p.Last < total {
		p.Next = p.Last
	}
	return p, nil
}

func runRows(runs []state.RunRecord, loc *time.Location) []runRow {
	rows := make([]runRow, len(runs))
	now := time.Now()
	for i, r := range runs {
		rows[i] = runRow{RunRecord: r, Scheduled: scheduler.FormatTime(r.Scheduled, loc), Started: scheduler.FormatTime(r.Started, loc),
			Ago: scheduler.Ago(r.Started, now)}
		rows[i].ErrorLine, rows[i].ErrorMore, _ = strings.Cut(r.Error, "\n")
		switch {
		case r.AlertError != "":
			rows[i].AlertBadge = "failed"
		case strings.HasPrefix(r.Alert, "withheld"):
			rows[i].AlertBadge = "withheld"
		case r.Alert != "":
			rows[i].AlertBadge = "sent"
		}
		switch {
		case r.Result == state.ResultRunning:
			rows[i].Duration = time.Since(r.Started).Round(time.Second).String() + " so far"
		case r.Result != state.ResultSkipped && r.Duration() > 0:
			rows[i].Duration = r.Duration().Round(time.Millisecond).String()
		}
	}
	return rows
}

// render writes a page of the console with a status. Every page gets, as
// .Page, what the frame shows: the emulator mark, the last rejected reload,
// the widenings of reloads, and the session (with the CSRF token of its
// forms).
func (a *service) render(w http.ResponseWriter, r *http.Request, status int, t *template.Template, data map[string]any) {
	session := a.session(r)
	refresh, _ := data["Refresh"].(int)
	data["Page"] = map[string]any{
		"Emulator": a.emulator,
		"Rejected": a.s.Rejected(),
		"Widened":  a.s.Widenings(),
		"Session":  session != "",
		"Forms":    a.token != "",
		"CSRF":     a.csrf(session),
		"Path":     r.URL.RequestURI(),
		"Refresh":  refresh,
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Referrer-Policy", "same-origin")
	h.Set("Content-Security-Policy", "default-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'")
	if status != http.StatusOK {
		h.Set("Cache-Control", "no-store")
	}
	var b bytes.Buffer
	if err := t.Execute(&b, data); err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.WriteHeader(status)
	w.Write(b.Bytes())
}

const pageFrame = `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{if .Page.Emulator}}[emulator] {{end}}{{block "title" .}}runner{{end}}</title>
{{with .Page.Refresh}}<noscript><meta http-equiv="refresh" content="{{.}}"></noscript>{{end}}
<link rel="stylesheet" href="/static/console.css">
<script src="/static/console.js" defer></script>
</head><body{{with .Page.Refresh}} data-refresh="{{.}}"{{end}}>
<header><h1><a href="/">runner</a>{{block "heading" .}}{{end}}</h1>
<span class="who">{{if .Page.Session}}logged in · <form class="inline" method="post" action="/logout"><button>log out</button></form>
{{else if .Page.Forms}}<a href="/login?next={{.Page.Path}}">log in</a> to run, cancel and pause jobs{{end}}</span></header>
{{if .Page.Emulator}}<p class="banner emulator" id="emulator">EMULATOR — these jobs run against the built-in WeCom emulator, not the real WeCom; their history is the emulator's own.</p>
{{end}}{{with .Page.Rejected}}<div class="banner rejected" id="rejected"><p><strong>{{.File}} was not reloaded</strong> ({{.At.Format "2006-01-02 15:04:05 MST"}}): it has problems, and the jobs still run as before the change.</p>
<ul>{{range .Problems}}<li><code>{{.}}</code></li>{{end}}</ul></div>
{{end}}{{range .Page.Widened}}<p class="warn">Reload at {{.Time.Format "2006-01-02 15:04:05"}} widened what scripts may do: {{range $i, $c := .Changes}}{{if $i}}; {{end}}<code>{{$c}}</code>{{end}}</p>
{{end}}`

// layout is the frame of every page; a page defines "title", "heading" and
// "body".
var layout = template.Must(template.New("page").Parse(pageFrame + `{{block "body" .}}{{end}}
</body></html>
{{define "csrf"}}<input type="hidden" name="csrf" value="{{.}}">{{end}}
{{define "badge"}}<span class="r r-{{.Result}}">{{.Result}}</span>{{if .DryRun}} <span class="muted">dry run</span>{{end}}{{template "alert" .}}{{end}}
{{define "alert"}}{{if eq .AlertBadge "failed"}} <span class="r r-alert-failed" title="{{.AlertError}}">alert failed</span>{{else if eq .AlertBadge "sent"}} <span class="r r-alert-sent" title="{{.Alert}}">alerted</span>{{else if eq .AlertBadge "withheld"}} <span class="muted" title="{{.Alert}}">alert withheld</span>{{end}}{{end}}`))

func page(body string) *template.Template {
	return template.Must(template.Must(layout.Clone()).Parse(body))
}

var indexPage = page(`{{define "heading"}} · jobs{{end}}{{define "body"}}
<p class="muted">{{.File}} · {{len .Jobs}} jobs · {{.Instance}} · {{.Now}}</p>
<table>
<tr><th>Job</th><th>Schedule</th><th>Next run</th><th>Last success</th><th>Last failure</th><th>Runs (newest first)</th><th></th></tr>
{{$page := .Page}}{{range .Jobs}}{{$job := .Name}}<tr id="job-{{$job}}">
<td><a href="/jobs/{{$job}}">{{$job}}</a>{{with .Paused}} <span class="r r-paused" title="{{.}}">paused</span>{{end}}</td>
<td>{{if .Schedule}}<code>{{.Schedule}}</code> <span class="muted">{{.Timezone}}</span>{{end}}{{range .Job.On}}<div class="muted">on {{.}}</div>{{end}}</td>
<td>{{.Next}}{{with .Paused}}<br><span class="muted">{{.}}</span>{{end}}</td>
<td>{{if .LastSuccess}}<span class="last-success" title="{{.SuccessAt}}">{{.LastSuccess}}</span>{{else}}<span class="muted">never</span>{{end}}</td>
<td>{{with .Failure}}<a class="r r-{{.Result}}" href="/jobs/{{$job}}/runs/{{.ID}}">{{.Result}}</a>{{template "alert" .}} <span title="{{.Started}}">{{.Ago}}</span><br><span class="failure-reason">{{.ErrorLine}}</span>{{else}}<span class="muted">-</span>{{end}}</td>
<td>{{range .Runs}}<a class="r r-{{.Result}}" href="/jobs/{{$job}}/runs/{{.ID}}" title="{{.Started}} {{.ErrorLine}}">{{.Result}}</a> {{else}}<span class="muted">no runs yet</span>{{end}}</td>
<td><a href="/jobs/{{$job}}/run">Run now</a>{{if $page.Session}}
<form class="inline" method="post" action="/jobs/{{$job}}/{{if .Paused}}resume{{else}}pause{{end}}">{{template "csrf" $page.CSRF}}<input type="hidden" name="back" value="/"><button>{{if .Paused}}Resume{{else}}Pause{{end}}</button></form>{{end}}</td>
</tr>
{{end}}</table>
<p class="muted"><a href="/metrics">metrics</a> · <a href="/healthz">health</a>{{if .Page.Session}} · <form class="inline" method="post" action="/reload">{{template "csrf" .Page.CSRF}}<button>Reload jobs.yaml</button></form>{{end}}</p>{{end}}`)

var jobPage = page(`{{define "title"}}{{.Row.Name}} · runner{{end}}{{define "heading"}} · {{.Row.Name}}{{end}}{{define "body"}}
{{$page := .Page}}{{with .Row}}{{$job := .Name}}<dl>
{{if .Job.Schedule}}<dt>Schedule</dt><dd><code>{{.Job.Schedule}}</code> in {{.Job.Timezone}}</dd>
<dt>Next run</dt><dd>{{.Next}}</dd>{{end}}
{{range .Job.On}}<dt>On</dt><dd>{{.}}</dd>{{end}}
{{with .Paused}}<dt>Paused</dt><dd><span class="r r-paused">paused</span> {{.}}</dd>{{end}}
<dt>Last success</dt><dd>{{if .LastSuccess}}{{.LastSuccess}} <span class="muted">{{.SuccessAt}}</span>{{else}}never{{end}}</dd>
{{with .Failure}}<dt>Last failure</dt><dd><a class="r r-{{.Result}}" href="/jobs/{{$job}}/runs/{{.ID}}">{{.Result}}</a> {{.Ago}}: <span class="failure-reason">{{.ErrorLine}}</span></dd>{{end}}
<dt>Script</dt><dd><code>{{.Job.Script}}</code></dd>
{{with .Job.Client}}<dt>Client</dt><dd>{{.}}</dd>{{end}}
<dt>Timeout</dt><dd>{{.Job.Timeout}}</dd>
<dt>Concurrency</dt><dd>{{.Job.Concurrency}}</dd>
<dt>Retries</dt><dd>{{.Job.Retries}}</dd>
<dt>Catch-up</dt><dd>{{.Job.Catchup}}{{if .Job.StartingDeadline}} within {{.Job.StartingDeadline}}{{end}}</dd>
{{if .Job.Jitter}}<dt>Jitter</dt><dd>{{.Job.Jitter}}</dd>{{end}}
<dt>Defined at</dt><dd>{{.Job.File}}:{{.Job.Line}}</dd>
</dl>
<p><a href="/jobs/{{$job}}/run">Run now</a>{{if $page.Session}} ·
<form class="inline" method="post" action="/jobs/{{$job}}/{{if .Paused}}resume{{else}}pause{{end}}">{{template "csrf" $page.CSRF}}<input type="hidden" name="back" value="/jobs/{{$job}}"><button>{{if .Paused}}Resume{{else}}Pause{{end}}</button></form>{{end}}</p>
<h2>Runs</h2>
<table>
<tr><th>Run</th><th>Trigger</th><th>By</th><th>Scheduled</th><th>Started</th><th>Duration</th><th>Attempts</th><th>Result</th></tr>
{{range .Runs}}<tr>
<td><a href="/jobs/{{$job}}/runs/{{.ID}}"><code>{{.ID}}</code></a></td>
<td>{{.Trigger}}{{with .Event}} <span class="muted">{{.Type}}</span>{{end}}</td><td>{{.By}}</td><td>{{.Scheduled}}</td><td>{{.Started}}</td><td>{{.Duration}}</td><td>{{if .Attempts}}{{.Attempts}}{{end}}</td>
<td>{{template "badge" .}} {{.ErrorLine}}</td>
</tr>
{{else}}<tr><td colspan="8" class="muted">no runs yet</td></tr>
{{end}}</table>{{end}}{{end}}`)

var runPage = page(`{{define "title"}}{{.Run.Job}} {{.Run.ID}} · runner{{end}}{{define "heading"}} · <a href="/jobs/{{.Run.Job}}">{{.Run.Job}}</a> · {{.Run.ID}}{{end}}{{define "body"}}
<dl>
<dt>Result</dt><dd id="result">{{template "badge" .Run}} {{.Run.ErrorLine}}</dd>
<dt>Trigger</dt><dd>{{.Run.Trigger}}{{with .Run.By}} by {{.}}{{end}}</dd>
{{with .Run.Event}}<dt>Event</dt><dd>{{.Type}}{{with .Callback}} from callback {{.}}{{end}} <code>{{.Key}}</code></dd>{{end}}
{{with .Run.Args}}<dt>Arguments</dt><dd><code>{{.}}</code></dd>{{end}}
<dt>Scheduled</dt><dd>{{.Run.Scheduled}}</dd>
<dt>Started</dt><dd>{{.Run.Started}}</dd>
{{with .Run.Duration}}<dt>Duration</dt><dd>{{.}}</dd>{{end}}
{{with .Run.Attempts}}<dt>Attempts</dt><dd>{{.}}</dd>{{end}}
<dt>Instance</dt><dd>{{.Run.Instance}}</dd>
{{with .Run.Alert}}<dt>Alert</dt><dd>{{.}}</dd>{{end}}
{{with .Run.AlertError}}<dt>Alert</dt><dd id="alert-error"><span class="r r-alert-failed">alert failed</span> {{.}}</dd>{{end}}
</dl>
{{with .Run.ErrorMore}}<pre class="error-more">{{.}}</pre>{{end}}
{{if and (eq .Run.Result "running") .Page.Session}}<form method="post" action="/jobs/{{.Run.Job}}/runs/{{.Run.ID}}/cancel">{{template "csrf" .Page.CSRF}}<button id="cancel">Cancel this run</button></form>{{end}}
{{with .Run.Event}}<h2>Event</h2>
<pre id="event">{{.XML}}</pre>
{{end}}<h2>Log</h2>
{{if .Live}}<pre id="live-log" data-src="/jobs/{{.Run.Job}}/runs/{{.Run.ID}}/lines" data-from="{{.LiveFrom}}">{{template "lines" .Lines}}</pre>
{{else}}{{$lines := .Lines}}{{with .Log}}{{if .Lines}}{{if or (ge .Prev 0) (ge .Next 0)}}{{template "logNav" .}}{{end}}<pre id="log">{{template "lines" $lines}}</pre>{{if ge .Next 0}}{{template "logNav" .}}{{end}}{{else}}<p class="muted">no log lines</p>{{end}}{{end}}{{end}}{{end}}
{{define "lines"}}{{range .}}{{.Text}}
{{range .More}}<span class="more">{{.}}</span>
{{end}}{{end}}{{end}}
{{define "logNav"}}<p class="muted">lines {{.First}}–{{.Last}} of {{.Total}} ·
{{if ge .Prev 0}}<a href="?from=0">first</a> · <a href="?from={{.Prev}}">previous</a>{{else}}first · previous{{end}} ·
{{if ge .Next 0}}<a href="?from={{.Next}}">next</a> · <a href="?from={{.End}}">last</a>{{else}}next · last{{end}}</p>{{end}}`)

var runFormPage = page(`{{define "title"}}Run {{.Job.Name}} · runner{{end}}{{define "heading"}} · <a href="/jobs/{{.Job.Name}}">{{.Job.Name}}</a> · run now{{end}}{{define "body"}}
{{if .Job.Paused}}<p class="error">{{.Job.Name}} is paused (by {{.Job.Paused.By}}): resume it first.</p>
{{else if not .Page.Session}}<p class="error">Running a job needs the control token: <a href="/login?next={{.Page.Path}}">log in</a> first.</p>
{{else}}<form method="post" action="/jobs/{{.Job.Name}}/run">{{template "csrf" .Page.CSRF}}<input type="hidden" name="idempotency_key" value="">
<p>Run <strong>{{.Job.Name}}</strong> now{{if .Page.Emulator}}, against the emulator{{end}}. It is recorded as a manual run by the console; with concurrency {{.Job.Concurrency}}{{if eq .Job.Concurrency "forbid"}}, it is refused while the job is running{{end}}. The schedule does not move.</p>
<p><label for="args">Arguments, one <code>key=value</code> a line, over the job's own:</label><br>
<textarea id="args" name="args" rows="4" placeholder="source=data/hr_departments.csv"></textarea></p>
<p><label><input type="checkbox" name="dry_run" value="1"> Dry run: send reads, hold back every write</label></p>
<p><button id="confirm-run">Run {{.Job.Name}} now</button> · <a href="/jobs/{{.Job.Name}}">cancel</a></p>
</form>{{end}}{{end}}`)

var loginPage = page(`{{define "title"}}Log in · runner{{end}}{{define "heading"}} · log in{{end}}{{define "body"}}
{{if .Wrong}}<p class="error">That is not the control token.</p>{{end}}
<form method="post" action="/login"><input type="hidden" name="next" value="{{.Next}}">
<p><label for="token">Control token</label>{{if .TokenFile}} <span class="muted">(in <code>{{.TokenFile}}</code> on the machine runner serves from)</span>{{else}} <span class="muted">(control_token: of jobs.yaml)</span>{{end}}<br>
<input id="token" name="token" type="password" autocomplete="current-password" size="70"></p>
<p><button id="login">Log in</button></p></form>{{end}}`)

var errorPage = page(`{{define "title"}}{{.Title}} · runner{{end}}{{define "heading"}} · {{.Title}}{{end}}{{define "body"}}
<p class="error" id="error">{{.Message}}</p>
<p><a href="/">back to the jobs</a></p>{{end}}`)
