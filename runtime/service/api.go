package service

import (
	"context"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/wecomrunner/runner/runtime/jobs"
	"github.com/wecomrunner/runner/runtime/scheduler"
	"github.com/wecomrunner/runner/runtime/state"
)

// The control API is JSON over HTTP on serve's listener, under /api/v1/.
// Every request carries the control token as "Authorization: Bearer TOKEN";
// without it the answer is 401. Errors are {"error": "..."} with the HTTP
// status saying what kind: 400 a bad request, 404 an unknown job or run, 409
// a run the job's state refuses (paused, still running with concurrency
// forbid, a cancel of a run that has ended), 413 a body over 64 KiB, 422 a
// reload of a file with problems, 503 a scheduler shutting down.
//
//	GET  /api/v1/service              this serve: instance, file, emulator, the last rejected reload
//	GET  /api/v1/jobs                 every job with its state (JobInfo)
//	GET  /api/v1/jobs/{job}           one job
//	GET  /api/v1/jobs/{job}/runs      its runs, newest first (?limit=20)
//	POST /api/v1/jobs/{job}/runs      run it now: {"args": {...}, "dry_run": false, "by": "alice@host"} → 202 and the run;
//	                                  with an Idempotency-Key header, a request repeating the key of one made
//	                                  within 24 hours for the job → 200, Idempotent-Replayed: true and that run
//	                                  (a key whose run never started, its serve gone, starts it: Control.RunNow)
//	POST /api/v1/jobs/{job}/pause     {"by": "..."}
//	POST /api/v1/jobs/{job}/resume    {"by": "..."}
//	GET  /api/v1/runs/{run}           one run
//	GET  /api/v1/runs/{run}/log       its log as text lines (?from=N skips N lines; ?lines=N: N of them, with
//	                                  their total in X-Log-Lines; ?follow=true streams until the run ends)
//	POST /api/v1/runs/{run}/cancel    {"by": "..."}
//	POST /api/v1/reload               reload jobs.yaml

// argName is what an argument of a manual run may be called.
var argName = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_.-]{0,63}$`)

// maxBody bounds the body of a request to the control API or a form.
const maxBody = 64 << 10

// logPoll is how often a followed log looks for new lines.
const logPoll = 250 * time.Millisecond

// Option configures StatusHandler.
type Option func(*service)

// WithControlToken enables the control API and the console's forms, for
// requests that carry token.
func WithControlToken(token string) Option {
	return func(s *service) { s.token = token }
}

// WithReload is how POST /api/v1/reload (and the console) reloads jobs.yaml.
func WithReload(reload func() error) Option {
	return func(s *service) { s.reload = reload }
}

// WithEmulator marks a service whose jobs run against the WeCom emulator:
// its pages say so.
func WithEmulator() Option {
	return func(s *service) { s.emulator = true }
}

// service is the state of StatusHandler's handlers.
type service struct {
	s        *scheduler.Scheduler
	c        *Control
	token    string
	reload   func() error
	emulator bool
	started  time.Time
}

// ServiceStatus is GET /api/v1/service.
type ServiceStatus struct {
	Instance string                  `json:"instance"`
	File     string                  `json:"file"`
	Started  time.Time               `json:"started"`
	Emulator bool                    `json:"emulator,omitempty"`
	Rejected *scheduler.ReloadStatus `json:"rejected_reload,omitempty"`
}

// RunBody is the body of POST /api/v1/jobs/{job}/runs.
type RunBody struct {
	Args   map[string]any `json:"args,omitempty"`
	DryRun bool           `json:"dry_run,omitempty"`
	By     string         `json:"by,omitempty"`
}

// ByBody is the body of the requests that only say who asks.
type ByBody struct {
	By string `json:"by,omitempty"`
}

func (b *RunBody) asker() string { return b.By }
func (b *ByBody) asker() string  { return b.By }

// readBody decodes a request's body into v and returns who asks.
func readBody(w http.ResponseWriter, r *http.Request, v interface{ asker() string }) (by string, err error) {
	if err := decodeBody(w, r, v); err != nil {
		return "", err
	}
	return checkBy(v.asker(), "api")
}

// apiError is an error with its HTTP status.
type apiError struct {
	status int
	msg    string
}

func (e *apiError) Error() string { return e.msg }

// routes registers the control API on mux.
func (a *service) routes(mux *http.ServeMux) {
	api := func(pattern string, h func(w http.ResponseWriter, r *http.Request) (any, error)) {
		mux.HandleFunc(pattern, a.authorized(func(w http.ResponseWriter, r *http.Request) {
			v, err := h(w, r)
			if err != nil {
				writeError(w, err)
				return
			}
			if v != nil {
				writeJSON(w, http.StatusOK, v)
			}
		}))
	}
	api("GET /api/v1/service", a.apiService)
	api("GET /api/v1/jobs", a.apiJobs)
	api("GET /api/v1/jobs/{job}", a.apiJob)
	api("GET /api/v1/jobs/{job}/runs", a.apiRuns)
	api("POST /api/v1/jobs/{job}/runs", a.apiRunNow)
	api("POST /api/v1/jobs/{job}/pause", a.apiPause)
	api("POST /api/v1/jobs/{job}/resume", a.apiResume)
	api("GET /api/v1/runs/{run}", a.apiRun)
	api("GET /api/v1/runs/{run}/log", a.apiLog)
	api("POST /api/v1/runs/{run}/cancel", a.apiCancel)
	api("POST /api/v1/reload", a.apiReload)
	mux.HandleFunc("/api/", a.authorized(func(w http.ResponseWriter, r *http.Request) {
		writeError(w, &apiError{http.StatusNotFound, fmt.Sprintf("no such API: %s %s", r.Method, r.URL.Path)})
	}))
}

// authorized lets through the requests that carry the control token.
func (a *service) authorized(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if a.token == "" {
			writeError(w, &apiError{http.StatusForbidden, "the control API is off: this service has no control token"})
			return
		}
		got, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		if !ok || subtle.ConstantTimeCompare([]byte(got), []byte(a.token)) != 1 {
			w.Header().Set("WWW-Authenticate", `Bearer realm="runner"`)
			writeError(w, &apiError{http.StatusUnauthorized, "missing or wrong control token (Authorization: Bearer TOKEN)"})
			return
		}
		h(w, r)
	}
}

func (a *service) apiService(w http.ResponseWriter, r *http.Request) (any, error) {
	return ServiceStatus{
		Instance: a.s.Store().Instance(),
		File:     a.s.Config().File,
		Started:  a.started,
		Emulator: a.emulator,
		Rejected: a.s.Rejected(),
	}, nil
}

func (a *service) apiJobs(w http.ResponseWriter, r *http.Request) (any, error) {
	jobs, err := a.c.Jobs(r.Context())
	if err != nil {
		return nil, err
	}
	return map[string]any{"jobs": jobs}, nil
}

func (a *service) apiJob(w http.ResponseWriter, r *http.Request) (any, error) {
	return a.c.Job(r.Context(), r.PathValue("job"))
}

func (a *service) apiRuns(w http.ResponseWriter, r *http.Request) (any, error) {
	name := r.PathValue("job")
	limit := 20
	if v := r.URL.Query().Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			return nil, &apiError{http.StatusBadRequest, fmt.Sprintf("limit=%q: want a whole number, 0 for every run kept", v)}
		}
		limit = n
	}
	runs, err := a.c.Runs(r.Context(), name, limit)
	if err != nil {
		return nil, err
	}
	return map[string]any{"runs": runs}, nil
}

func (a *service) apiRunNow(w http.ResponseWriter, r *http.Request) (any, error) {
	var body RunBody
	by, err := readBody(w, r, &body)
	if err != nil {
		return nil, err
	}
	if err := checkArgs(body.Args); err != nil {
		return nil, err
	}
	rec, replayed, err := a.c.RunNow(r.Context(), r.PathValue("job"), r.Header.Get(idempotencyHeader), scheduler.RunRequest{By: by, Args: body.Args, DryRun: body.DryRun})
	if err != nil {
		return nil, err
	}
	if replayed {
		w.Header().Set(replayedHeader, "true")
		writeJSON(w, http.StatusOK, rec)
		return nil, nil
	}
	writeJSON(w, http.StatusAccepted, rec)
	return nil, nil
}

// The headers of an idempotent run request: the key a client chose, and
// the mark of an answer that returns the run of an earlier request.
const (
	idempotencyHeader = "Idempotency-Key"
	replayedHeader    = "Idempotent-Replayed"
)

func (a *service) apiPause(w http.ResponseWriter, r *http.Request) (any, error) {
	return a.pauseOrResume(w, r, a.c.Pause)
}

func (a *service) apiResume(w http.ResponseWriter, r *http.Request) (any, error) {
	return a.pauseOrResume(w, r, a.c.Resume)
}

func (a *service) pauseOrResume(w http.ResponseWriter, r *http.Request, do func(ctx context.Context, name, by string) (scheduler.JobInfo, error)) (any, error) {
	by, err := readBody(w, r, &ByBody{})
	if err != nil {
		return nil, err
	}
	return do(r.Context(), r.PathValue("job"), by)
}

func (a *service) apiRun(w http.ResponseWriter, r *http.Request) (any, error) {
	return a.c.Run(r.Context(), r.PathValue("run"))
}

func (a *service) apiCancel(w http.ResponseWriter, r *http.Request) (any, error) {
	by, err := readBody(w, r, &ByBody{})
	if err != nil {
		return nil, err
	}
	rec, err := a.c.Cancel(r.Context(), r.PathValue("run"), by)
	if err != nil {
		return nil, err
	}
	if !rec.Ended() { // running on another instance, which was asked to stop it
		writeJSON(w, http.StatusAccepted, rec)
		return nil, nil
	}
	return rec, nil
}

func (a *service) apiReload(w http.ResponseWriter, r *http.Request) (any, error) {
	if err := a.doReload(); err != nil {
		return nil, err
	}
	return map[string]any{"file": a.s.Config().File, "jobs": len(a.s.Config().Jobs)}, nil
}

// doReload reloads jobs.yaml; a file with problems is a 422 listing them.
func (a *service) doReload() error {
	if a.reload == nil {
		return &apiError{http.StatusNotImplemented, "this service cannot reload its configuration"}
	}
	err := a.reload()
	var problems jobs.Problems
	if errors.As(err, &problems) {
		return &apiError{http.StatusUnprocessableEntity, "the file has problems; the current schedule stays:\n" + problems.Error()}
	}
	return err
}

// apiLog writes a run's log as text lines, from line ?from=N. With
// ?follow=true it goes on writing the lines as they are stored until the run
// has ended, or the client goes away.
func (a *service) apiLog(w http.ResponseWriter, r *http.Request) (any, error) {
	ctx := r.Context()
	id := r.PathValue("run")
	q := r.URL.Query()
	from, err := lineParam(q.Get("from"), "from")
	if err != nil {
		return nil, err
	}
	n, err := lineParam(q.Get("lines"), "lines")
	if err != nil {
		return nil, err
	}
	follow, _ := strconv.ParseBool(q.Get("follow"))
	if n > 0 && !follow {
		lines, total, err := a.c.LogLines(ctx, id, from, n)
		if err != nil {
			return nil, err
		}
		w.Header().Set(logTotalHeader, strconv.Itoa(total))
		return nil, writeLines(textHeaders(w), lines)
	}
	if _, err := a.c.Run(ctx, id); err != nil {
		return nil, err
	}
	textHeaders(w)
	rc := http.NewResponseController(w)
	return nil, a.c.LogFrom(ctx, id, from, follow, func(lines []string) error {
		if err := writeLines(w, lines); err != nil {
			return err
		}
		rc.Flush()
		return nil
	})
}

// logTotalHeader says how many lines a run's log has, in the answer to a
// page of it (?lines=N).
const logTotalHeader = "X-Log-Lines"

// lineParam reads a line number or count of the query; "" is 0.
func lineParam(v, name string) (int, error) {
	if v == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 {
		return 0, &apiError{http.StatusBadRequest, fmt.Sprintf("%s=%q: want a whole number", name, v)}
	}
	return n, nil
}

// textHeaders makes w answer plain text.
func textHeaders(w http.ResponseWriter) http.ResponseWriter {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	return w
}

// writeLines writes lines to w, each ended by a newline.
func writeLines(w io.Writer, lines []string) error {
	for _, l := range lines {
		if _, err := io.WriteString(w, l+"\n"); err != nil {
			return err
		}
	}
	return nil
}

// followLog calls emit with a run's log lines from line from, as they are
// stored; with follow it goes on until the run has ended and its last line
// is stored, or ctx ends. It reads the store, so that it follows runs of any
// instance sharing the state.
func followLog(ctx context.Context, store state.Store, rec state.RunRecord, from int, follow bool, emit func([]string) error) error {
	var endedAt time.Time
	last := "" // the last line emitted
	for {
		var err error
		if follow && !rec.Ended() {
			if rec, err = store.Run(ctx, rec.Job, rec.ID); err != nil {
				return err
			}
		}
		// The log is read a page at a time: a run may store 10 MB of it.
		lines, total, err := store.Log(ctx, rec.Job, rec.ID, from, logPageLines)
		if err != nil {
			return err
		}
		if len(lines) > 0 {
			if err := emit(lines); err != nil {
				return err
			}
			from += len(lines)
			last = lines[len(lines)-1]
		}
		if from < total {
			continue
		}
		if !follow {
			return nil
		}
		if rec.Ended() {
			// The result is stored before the run's last lines: wait for
			// them a little, as long as the log has not ended.
			if endedAt.IsZero() {
				endedAt = time.Now()
			}
			if logEnded(last) || time.Since(endedAt) > 2*time.Second {
				return nil
			}
		}
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(logPoll):
		}
	}
}

// logEnded reports whether last is the last line of a run's log: the end of
// the run, or the summary of what a truncated log did not store.
func logEnded(last string) bool {
	return strings.Contains(last, `msg="run finished"`) || strings.HasSuffix(last, scheduler.NotStoredSuffix)
}

// decodeBody reads a JSON request body of at most maxBody bytes into v; an
// empty body leaves v as it is.
func decodeBody(w http.ResponseWriter, r *http.Request, v any) error {
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxBody))
	dec.DisallowUnknownFields()
	err := dec.Decode(v)
	var tooBig *http.MaxBytesError
	switch {
	case errors.Is(err, io.EOF):
		return nil
	case errors.As(err, &tooBig):
		return &apiError{http.StatusRequestEntityTooLarge, fmt.Sprintf("the request body is larger than %d KiB", maxBody>>10)}
	case err != nil:
		return &apiError{http.StatusBadRequest, "the request body is not the expected JSON: " + err.Error()}
	}
	return nil
}

// checkBy checks who a request says it comes from; def when it says nothing.
func checkBy(by, def string) (string, error) {
	by = strings.TrimSpace(by)
	if by == "" {
		return def, nil
	}
	if len(by) > 200 || strings.ContainsFunc(by, unicode.IsControl) {
		return "", &apiError{http.StatusBadRequest, "by: at most 200 printable characters"}
	}
	return by, nil
}

// checkArgs checks the arguments of a manual run.
func checkArgs(args map[string]any) error {
	for k := range args {
		if !argName.MatchString(k) {
			return &apiError{http.StatusBadRequest, fmt.Sprintf("args: %q is not an argument name (letters, digits, '_', '-', '.')", k)}
		}
	}
	return nil
}

// writeJSON answers v as JSON with a status.
func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.Encode(v)
}

// writeError answers an error as {"error": "..."} with its status.
func writeError(w http.ResponseWriter, err error) {
	writeJSON(w, errorStatus(err), map[string]string{"error": err.Error()})
}

// errorStatus is the HTTP status of an error of the scheduler or the API.
func errorStatus(err error) int {
	var ae *apiError
	switch {
	case errors.As(err, &ae):
		return ae.status
	case errors.Is(err, state.ErrNotFound):
		return http.StatusNotFound
	case errors.Is(err, scheduler.ErrPaused), errors.Is(err, scheduler.ErrBusy), errors.Is(err, scheduler.ErrEnded):
		return http.StatusConflict
	case errors.Is(err, scheduler.ErrStopping):
		return http.StatusServiceUnavailable
	}
	return http.StatusInternalServerError
}
