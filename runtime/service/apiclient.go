package service

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/wecomrunner/runner/runtime/scheduler"
	"github.com/wecomrunner/runner/runtime/state"
)

// ControlClient calls the control API of a running runner serve; it is how
// the command line goes through the service.
type ControlClient struct {
	base  string // ends in "/"
	token string
	http  *http.Client

	// attemptTimeout bounds each attempt of RunNowOnce; retryDelay is the
	// wait before its second attempt (twice that before the third).
	attemptTimeout, retryDelay time.Duration
}

// NewControlClient returns a client of the serve at baseURL (its
// ServiceInfo.URL) sending token.
func NewControlClient(baseURL, token string) *ControlClient {
	if !strings.HasSuffix(baseURL, "/") {
		baseURL += "/"
	}
	return &ControlClient{base: baseURL, token: token, http: &http.Client{}, attemptTimeout: 30 * time.Second, retryDelay: time.Second}
}

// ControlError is an answer of the control API other than a success.
type ControlError struct {
	Status int    // the HTTP status
	Msg    string // the API's error message
}

func (e *ControlError) Error() string { return e.Msg }

// Service returns what the serve says about itself.
func (c *ControlClient) Service(ctx context.Context) (ServiceStatus, error) {
	var v ServiceStatus
	return v, c.call(ctx, "GET", "api/v1/service", nil, &v)
}

// Jobs returns every job with its state.
func (c *ControlClient) Jobs(ctx context.Context) ([]scheduler.JobInfo, error) {
	var v struct{ Jobs []scheduler.JobInfo }
	return v.Jobs, c.call(ctx, "GET", "api/v1/jobs", nil, &v)
}

// Runs returns a job's runs, newest first; limit 0 returns every run kept.
func (c *ControlClient) Runs(ctx context.Context, job string, limit int) ([]state.RunRecord, error) {
	var v struct{ Runs []state.RunRecord }
	return v.Runs, c.call(ctx, "GET", "api/v1/jobs/"+url.PathEscape(job)+"/runs?limit="+strconv.Itoa(limit), nil, &v)
}

// RunNow starts a run of a job and returns it as it started.
func (c *ControlClient) RunNow(ctx context.Context, job string, body RunBody) (state.RunRecord, error) {
	var v state.RunRecord
	return v, c.call(ctx, "POST", "api/v1/jobs/"+url.PathEscape(job)+"/runs", body, &v)
}

// runNowTries is how many times RunNowOnce sends its request at most.
const runNowTries = 3

// RunNowOnce is RunNow with an Idempotency-Key, key: the serve starts one
// run for the key however often the request reaches it, so RunNowOnce sends
// it again, with the same key, when no answer came (a connection lost, an
// attempt past attemptTimeout) or a proxy answered 502 or 504. It returns
// the run, as it started or, for a request that had reached the serve
// before, as it is now.
func (c *ControlClient) RunNowOnce(ctx context.Context, job, key string, body RunBody) (state.RunRecord, error) {
	b, err := json.Marshal(body)
	if err != nil {
		return state.RunRecord{}, err
	}
	header := http.Header{idempotencyHeader: {key}}
	path := "api/v1/jobs/" + url.PathEscape(job) + "/runs"
	for try := 1; ; try++ {
		var rec state.RunRecord
		actx, cancel := context.WithTimeout(ctx, c.attemptTimeout)
		err := c.callWith(actx, "POST", path, header, bytes.NewReader(b), &rec)
		cancel()
		var ce *ControlError
		retry := ctx.Err() == nil && (!errors.As(err, &ce) || ce.Status == http.StatusBadGateway || ce.Status == http.StatusGatewayTimeout)
		if err == nil || !retry || try == runNowTries {
			return rec, err
		}
		select {
		case <-time.After(time.Duration(try) * c.retryDelay):
		case <-ctx.Done():
			return rec, err
		}
	}
}

// Run returns one run.
func (c *ControlClient) Run(ctx context.Context, id string) (state.RunRecord, error) {
	var v state.RunRecord
	return v, c.call(ctx, "GET", "api/v1/runs/"+url.PathEscape(id), nil, &v)
}

// Cancel stops a run in progress.
func (c *ControlClient) Cancel(ctx context.Context, id, by string) (state.RunRecord, error) {
	var v state.RunRecord
	return v, c.call(ctx, "POST", "api/v1/runs/"+url.PathEscape(id)+"/cancel", ByBody{By: by}, &v)
}

// Pause pauses a job.
func (c *ControlClient) Pause(ctx context.Context, job, by string) (scheduler.JobInfo, error) {
	var v scheduler.JobInfo
	return v, c.call(ctx, "POST", "api/v1/jobs/"+url.PathEscape(job)+"/pause", ByBody{By: by}, &v)
}

// Resume resumes a paused job.
func (c *ControlClient) Resume(ctx context.Context, job, by string) (scheduler.JobInfo, error) {
	var v scheduler.JobInfo
	return v, c.call(ctx, "POST", "api/v1/jobs/"+url.PathEscape(job)+"/resume", ByBody{By: by}, &v)
}

// Reload makes the serve reload jobs.yaml; a file with problems is a
// ControlError (422) listing them.
func (c *ControlClient) Reload(ctx context.Context) (jobs int, err error) {
	var v struct{ Jobs int }
	return v.Jobs, c.call(ctx, "POST", "api/v1/reload", nil, &v)
}

// Log copies a run's log to w from line from (0 is the first); with follow
// it goes on until the run has ended.
func (c *ControlClient) Log(ctx context.Context, id string, from int, follow bool, w io.Writer) error {
	resp, err := c.do(ctx, "GET", fmt.Sprintf("api/v1/runs/%s/log?from=%d&follow=%t", url.PathEscape(id), from, follow), nil, nil)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	_, err = io.Copy(w, resp.Body)
	return err
}

// LogLines returns up to n lines (n > 0) of a run's log from line from (0 is
// the first), and how many lines the log has.
func (c *ControlClient) LogLines(ctx context.Context, id string, from, n int) ([]string, int, error) {
	resp, err := c.do(ctx, "GET", fmt.Sprintf("api/v1/runs/%s/log?from=%d&lines=%d", url.PathEscape(id), from, n), nil, nil)
	if err != nil {
		return nil, 0, err
	}
	defer resp.Body.Close()
	total, err := strconv.Atoi(resp.Header.Get(logTotalHeader))
	if err != nil {
		return nil, 0, fmt.Errorf("control API: the log has no %s", logTotalHeader)
	}
	var lines []string
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		lines = append(lines, sc.Text())
	}
	return lines, total, sc.Err()
}

// call sends a request with body as JSON and decodes the answer into out.
func (c *ControlClient) call(ctx context.Context, method, path string, body, out any) error {
	var r io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return err
		}
		r = bytes.NewReader(b)
	}
	return c.callWith(ctx, method, path, nil, r, out)
}

// callWith sends a request with header and body, JSON, and decodes the
// answer into out.
func (c *ControlClient) callWith(ctx context.Context, method, path string, header http.Header, body io.Reader, out any) error {
	resp, err := c.do(ctx, method, path, header, body)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
		return fmt.Errorf("control API %s %s: %w", method, path, err)
	}
	return nil
}

// do sends a request and returns a successful response; any other answer is
// a ControlError.
func (c *ControlClient) do(ctx context.Context, method, path string, header http.Header, body io.Reader) (*http.Response, error) {
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, body)
	if err != nil {
		return nil, err
	}
	for name, values := range header {
		req.Header[name] = values
	}
	req.Header.Set("Authorization", "Bearer "+c.token)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode/100 == 2 {
		return resp, nil
	}
	defer resp.Body.Close()
	var e struct{ Error string }
	b, _ := io.ReadAll(io.LimitReader(resp.Body, maxBody))
	if json.Unmarshal(b, &e) != nil || e.Error == "" {
		e.Error = fmt.Sprintf("control API %s %s: %s", method, path, resp.Status)
	}
	return nil, &ControlError{Status: resp.StatusCode, Msg: e.Error}
}
