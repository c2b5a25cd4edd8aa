package runtime

import (
	"context"
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"strconv"
	"time"
)

// StatusHandler serves the scheduler's status over HTTP:
//
//	/healthz                  "ok", or 503 and why the state cannot be written
//	/metrics                  Prometheus text format
//	/                         the jobs: schedule, next run, last results
//	/jobs/{job}               a job's settings and run history
//	/jobs/{job}/runs/{run}    a run and a page of its log (?from=line)
//
// and the control API under /api/v1/ (see api.go), enabled by
// WithControlToken.
//
// The pages are plain HTML. They show no secret: client secrets and job
// arguments are left out.
func StatusHandler(s *Scheduler, opts ...ServiceOption) http.Handler {
	h := &statusHandler{s: s}
	svc := &service{s: s, c: NewControl(s), started: time.Now().UTC()}
	for _, o := range opts {
		o(svc)
	}
	mux := http.NewServeMux()
	svc.routes(mux)
	mux.HandleFunc("GET /healthz", healthz(s.Store()))
	mux.HandleFunc("GET /metrics", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
		s.Metrics().WriteTo(w)
	})
	mux.HandleFunc("GET /{$}", h.index)
	mux.HandleFunc("GET /jobs/{job}", h.job)
	mux.HandleFunc("GET /jobs/{job}/runs/{run}", h.run)
	return mux
}

type statusHandler struct {
	s *Scheduler
}

// recentRuns is how many results the index shows per job.
const recentRuns = 5

type jobRow struct {
	Job     *Job
	Next    string
	Running int
	Runs    []runRow
}

type runRow struct {
	RunRecord
	Scheduled, Started, Duration string
}

func (h *statusHandler) index(w http.ResponseWriter, r *http.Request) {
	cfg := h.s.Config()
	var rows []jobRow
	for _, st := range h.s.Jobs() {
		row := jobRow{Job: st.Job, Next: formatTime(st.Next, st.Job.Location), Running: len(st.Running)}
		if !st.Job.Enabled {
			row.Next = "disabled"
		}
		runs, err := h.s.Store().Runs(r.Context(), st.Job.Name, recentRuns)
		if err != nil {
			http.Error(w, "reading the history: "+err.Error(), http.StatusInternalServerError)
			return
		}
		row.Runs = runRows(runs, st.Job.Location)
		rows = append(rows, row)
	}
	render(w, indexPage, map[string]any{
		"File":     cfg.File,
		"Instance": h.s.Store().Instance(),
		"Now":      formatTime(time.Now(), cfg.Location),
		"Jobs":     rows,
		"Widened":  h.s.Widenings(),
	})
}

func (h *statusHandler) job(w http.ResponseWriter, r *http.Request) {
	st, ok := h.lookup(r.PathValue("job"))
	if !ok {
		http.NotFound(w, r)
		return
	}
	runs, err := h.s.Store().Runs(r.Context(), st.Job.Name, 0)
	if err != nil {
		http.Error(w, "reading the history: "+err.Error(), http.StatusInternalServerError)
		return
	}
	next := formatTime(st.Next, st.Job.Location)
	if !st.Job.Enabled {
		next = "disabled"
	}
	render(w, jobPage, map[string]any{"Job": st.Job, "Next": next, "Running": st.Running, "Runs": runRows(runs, st.Job.Location)})
}

func (h *statusHandler) run(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("job")
	loc := time.UTC
	if st, ok := h.lookup(name); ok {
		loc = st.Job.Location
	}
	rec, err := h.s.Store().Run(r.Context(), name, r.PathValue("run"))
	if errors.Is(err, ErrNotFound) {
		http.NotFound(w, r)
		return
	}
	if err != nil {
		http.Error(w, "reading the run: "+err.Error(), http.StatusInternalServerError)
		return
	}
	from, _ := strconv.Atoi(r.URL.Query().Get("from"))
	log, err := readLogPage(r.Context(), h.s.Store(), name, rec.ID, from)
	if err != nil {
		http.Error(w, "reading the log: "+err.Error(), http.StatusInternalServerError)
		return
	}
	render(w, runPage, map[string]any{"Run": runRows([]RunRecord{rec}, loc)[0], "Log": log})
}

// healthTimeout bounds the probe write of /healthz.
const healthTimeout = 5 * time.Second

// healthz answers "ok" when the state can be written, and 503 with the
// reason when it cannot: runs would go on without history, logs, claims or
// cached tokens. Store errors name files and hosts, never passwords.
func healthz(store Store) http.HandlerFunc {
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
func readLogPage(ctx context.Context, store Store, job, id string, from int) (logPage, error) {
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

// lookup finds a job of the current configuration.
func (h *statusHandler) lookup(name string) (JobStatus, bool) {
	for _, st := range h.s.Jobs() {
		if st.Job.Name == name {
			return st, true
		}
	}
	return JobStatus{}, false
}

func runRows(runs []RunRecord, loc *time.Location) []runRow {
	rows := make([]runRow, len(runs))
	for i, r := range runs {
		rows[i] = runRow{RunRecord: r, Scheduled: formatTime(r.Scheduled, loc), Started: formatTime(r.Started, loc)}
		switch {
		case r.Result == ResultRunning:
			rows[i].Duration = time.Since(r.Started).Round(time.Second).String() + " so far"
		case r.Result != ResultSkipped && r.Duration() > 0:
			rows[i].Duration = r.Duration().Round(time.Millisecond).String()
		}
	}
	return rows
}

func formatTime(t time.Time, loc *time.Location) string {
	if t.IsZero() {
		return ""
	}
	if loc == nil {
		loc = time.UTC
	}
	return t.In(loc).Format("2006-01-02 15:04:05 MST")
}

func render(w http.ResponseWriter, t *template.Template, data any) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	if err := t.Execute(w, data); err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
	}
}

const pageHead = `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{block "title" .}}runner{{end}}</title>
<style>
body { font: 14px/1.45 system-ui, sans-serif; margin: 2em auto; max-width: 75em; padding: 0 1em; color: #222; }
h1 { font-size: 1.4em; } h1 a { color: inherit; text-decoration: none; }
table { border-collapse: collapse; width: 100%; margin: 1em 0; }
th, td { text-align: left; padding: .35em .6em; border-bottom: 1px solid #ddd; vertical-align: top; }
th { background: #f5f5f5; }
code, pre { font: 13px/1.4 ui-monospace, monospace; }
pre { background: #f7f7f7; padding: 1em; overflow-x: auto; white-space: pre-wrap; }
.muted { color: #777; }
.warn { background: #fff3e0; border-left: 4px solid #ef6c00; padding: .4em .8em; }
.r { display: inline-block; padding: 0 .45em; border-radius: 3px; color: #fff; text-decoration: none; font-size: 12px; }
.r-ok { background: #2e7d32; } .r-failed, .r-timed_out { background: #c62828; }
.r-skipped { background: #9e9e9e; } .r-interrupted { background: #ef6c00; } .r-running { background: #1565c0; }
dl { display: grid; grid-template-columns: max-content auto; gap: .25em 1em; } dt { color: #555; }
</style></head><body>
<h1><a href="/">runner</a>{{block "heading" .}}{{end}}</h1>
`

// layout is the frame of every page; a page defines "title", "heading" and
// "body".
var layout = template.Must(template.New("page").Parse(pageHead + `{{block "body" .}}{{end}}
</body></html>
`))

func page(body string) *template.Template {
	return template.Must(template.Must(layout.Clone()).Parse(body))
}

var indexPage = page(`{{define "heading"}} · jobs{{end}}{{define "body"}}
<p class="muted">{{.File}} · {{len .Jobs}} jobs · {{.Instance}} · {{.Now}}</p>
{{range .Widened}}<p class="warn">Reload at {{.Time.Format "2006-01-02 15:04:05"}} widened what scripts may do: {{range $i, $c := .Changes}}{{if $i}}; {{end}}<code>{{$c}}</code>{{end}}</p>
{{end}}<table>
<tr><th>Job</th><th>Schedule</th><th>Next run</th><th>Running</th><th>Last runs (newest first)</th></tr>
{{range .Jobs}}<tr>
<td><a href="/jobs/{{.Job.Name}}">{{.Job.Name}}</a></td>
<td><code>{{.Job.Schedule}}</code> <span class="muted">{{.Job.Timezone}}</span></td>
<td>{{.Next}}</td>
<td>{{if .Running}}{{.Running}}{{end}}</td>
<td>{{$job := .Job.Name}}{{range .Runs}}<a class="r r-{{.Result}}" href="/jobs/{{$job}}/runs/{{.ID}}" title="{{.Started}} {{.Error}}">{{.Result}}</a> {{else}}<span class="muted">no runs yet</span>{{end}}</td>
</tr>
{{end}}</table>
<p class="muted"><a href="/metrics">metrics</a> · <a href="/healthz">health</a></p>{{end}}`)

var jobPage = page(`{{define "title"}}{{.Job.Name}} · runner{{end}}{{define "heading"}} · {{.Job.Name}}{{end}}{{define "body"}}
<dl>
<dt>Schedule</dt><dd><code>{{.Job.Schedule}}</code> in {{.Job.Timezone}}</dd>
<dt>Next run</dt><dd>{{.Next}}</dd>
<dt>Script</dt><dd><code>{{.Job.Script}}</code></dd>
{{with .Job.Client}}<dt>Client</dt><dd>{{.}}</dd>{{end}}
<dt>Timeout</dt><dd>{{.Job.Timeout}}</dd>
<dt>Concurrency</dt><dd>{{.Job.Concurrency}}</dd>
<dt>Retries</dt><dd>{{.Job.Retries}}</dd>
<dt>Catch-up</dt><dd>{{.Job.Catchup}}{{if .Job.StartingDeadline}} within {{.Job.StartingDeadline}}{{end}}</dd>
{{if .Job.Jitter}}<dt>Jitter</dt><dd>{{.Job.Jitter}}</dd>{{end}}
<dt>Defined at</dt><dd>{{.Job.File}}:{{.Job.Line}}</dd>
</dl>
<h2>Runs</h2>
<table>
<tr><th>Run</th><th>Trigger</th><th>Scheduled</th><th>Started</th><th>Duration</th><th>Attempts</th><th>Result</th></tr>
{{$job := .Job.Name}}{{range .Runs}}<tr>
<td><a href="/jobs/{{$job}}/runs/{{.ID}}"><code>{{.ID}}</code></a></td>
<td>{{.Trigger}}</td><td>{{.Scheduled}}</td><td>{{.Started}}</td><td>{{.Duration}}</td><td>{{if .Attempts}}{{.Attempts}}{{end}}</td>
<td><span class="r r-{{.Result}}">{{.Result}}</span> {{.Error}}</td>
</tr>
{{else}}<tr><td colspan="7" class="muted">no runs yet</td></tr>
{{end}}</table>{{end}}`)

var runPage = page(`{{define "title"}}{{.Run.Job}} {{.Run.ID}} · runner{{end}}{{define "heading"}} · <a href="/jobs/{{.Run.Job}}">{{.Run.Job}}</a> · {{.Run.ID}}{{end}}{{define "body"}}
<dl>
<dt>Result</dt><dd><span class="r r-{{.Run.Result}}">{{.Run.Result}}</span> {{.Run.Error}}</dd>
<dt>Trigger</dt><dd>{{.Run.Trigger}}</dd>
<dt>Scheduled</dt><dd>{{.Run.Scheduled}}</dd>
<dt>Started</dt><dd>{{.Run.Started}}</dd>
{{with .Run.Duration}}<dt>Duration</dt><dd>{{.}}</dd>{{end}}
{{with .Run.Attempts}}<dt>Attempts</dt><dd>{{.}}</dd>{{end}}
<dt>Instance</dt><dd>{{.Run.Instance}}</dd>
</dl>
<h2>Log</h2>
{{with .Log}}{{if .Lines}}{{if or (ge .Prev 0) (ge .Next 0)}}{{template "logNav" .}}{{end}}<pre>{{range .Lines}}{{.}}
{{end}}</pre>{{if ge .Next 0}}{{template "logNav" .}}{{end}}{{else}}<p class="muted">no log lines</p>{{end}}{{end}}{{end}}
{{define "logNav"}}<p class="muted">lines {{.First}}–{{.Last}} of {{.Total}} ·
{{if ge .Prev 0}}<a href="?from=0">first</a> · <a href="?from={{.Prev}}">previous</a>{{else}}first · previous{{end}} ·
{{if ge .Next 0}}<a href="?from={{.Next}}">next</a> · <a href="?from={{.End}}">last</a>{{else}}next · last{{end}}</p>{{end}}`)
