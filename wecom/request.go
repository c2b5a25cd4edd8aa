package wecom

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"mime"
	"mime/multipart"
	"net/http"
	"net/http/httptrace"
	"net/textproto"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Request is one call of the WeCom server API. Every service method builds
// one; Client.Do sends it.
type Request struct {
	Method string     // http.MethodGet or http.MethodPost
	API    string     // the path below the base URL: "user/get"
	Query  url.Values // the query, without the access token
	Body   any        // sent as JSON when not nil
	Upload *Upload    // sent as multipart/form-data when not nil
	// Result names the member of WeCom's answer that is the call's result,
	// e.g. "userlist"; empty for the whole answer.
	Result string
	// Read marks a call that changes nothing in WeCom: it may be replayed
	// when its outcome is unknown, and a dry run sends it. It matters only
	// for APIs outside the method table: for those of the table (every
	// service method's), the table says whether they read.
	Read bool
	// NoToken sends the call without the client's access token (gettoken,
	// and the service calls that authenticate with secrets in their body).
	NoToken bool
	// Token, when set, is sent as the access token instead of the client's.
	Token string
}

// isRead reports whether req changes nothing in WeCom: as the method table
// says for its APIs (readAPIs), as req.Read says for others.
func (req *Request) isRead() bool {
	if read, ok := readAPIs[req.API]; ok {
		return read
	}
	return req.Read
}

// Upload is a file sent as multipart/form-data.
type Upload struct {
	Field    string    // the form field; "media" when empty
	Filename string    // the file name WeCom keeps
	Content  io.Reader // the bytes; an io.Seeker can be sent again on retry
	Size     int64     // the length, or -1 when unknown
}

// File is a downloaded file. The caller closes Body.
type File struct {
	Body        io.ReadCloser
	ContentType string
	Filename    string // from Content-Disposition, when WeCom sent one
	Size        int64  // -1 when unknown
}

// maxAnswer bounds the size of a JSON answer read into memory. A var for
// tests.
var maxAnswer int64 = 512 << 20

// errAnswerTooLarge is wrapped by the error of an answer longer than
// maxAnswer, which is not retried.
var errAnswerTooLarge = errors.New("the answer is too large")

// Do sends req and decodes the result into out: a pointer to a value for
// encoding/json, a *json.RawMessage to keep the bytes as WeCom sent them,
// or nil. Errors are *APIError for a non-zero errcode, *RateLimitError when
// WeCom's frequency limit lasted until ctx's deadline, and wrapped transport
// errors otherwise; none of them contains a token or a secret.
func (c *Client) Do(ctx context.Context, req *Request, out any) error {
	body, err := c.send(ctx, req)
	if err != nil {
		return err
	}
	if req.Result != "" {
		body, err = member(body, req.Result)
		if err != nil {
			return fmt.Errorf("wecom %s: %w", req.API, err)
		}
	}
	switch o := out.(type) {
	case nil:
		return nil
	case *json.RawMessage:
		*o = body
		return nil
	default:
		if err := json.Unmarshal(body, out); err != nil {
			return fmt.Errorf("wecom %s: decoding the answer: %w", req.API, err)
		}
		return nil
	}
}

// result sends req with c and returns its result decoded into a T, as the
// typed methods whose result is a value (a string, a slice) do.
func result[T any](ctx context.Context, c *Client, req *Request) (T, error) {
	var res T
	err := c.Do(ctx, req, &res)
	return res, err
}

// resultPtr sends req with c and returns its result decoded into a new T, or
// nil with the error.
func resultPtr[T any](ctx context.Context, c *Client, req *Request) (*T, error) {
	var res T
	if err := c.Do(ctx, req, &res); err != nil {
		return nil, err
	}
	return &res, nil
}

// memberOf sends req with c and returns the member name of WeCom's answer
// decoded into a T (its zero value when the answer has none), without
// changing req.
func memberOf[T any](ctx context.Context, c *Client, req *Request, name string) (T, error) {
	r := *req
	r.Result = name
	return result[T](ctx, c, &r)
}

// Download sends req and returns the file WeCom answers with. A JSON answer
// (WeCom's way of reporting a failed download) is returned as an error.
func (c *Client) Download(ctx context.Context, req *Request) (*File, error) {
	var f *File
	_, err := c.exchange(ctx, req, &taker{take: func(res *http.Response, cancel context.CancelFunc) bool {
		if res.StatusCode != http.StatusOK {
			return false
		}
		// WeCom reports a failed download as a JSON object without a
		// Content-Disposition, but a file may be text/plain or JSON too:
		// look at the header and the first byte before deciding.
		ct := res.Header.Get("Content-Type")
		body := bufio.NewReader(res.Body)
		res.Body = struct {
			io.Reader
			io.Closer
		}{body, res.Body}
		if isJSON(ct) && res.Header.Get("Content-Disposition") == "" && startsObject(body) {
			return false
		}
		f = &File{Body: cancelOnClose{res.Body, cancel}, ContentType: ct, Size: res.ContentLength}
		if _, params, err := mime.ParseMediaType(res.Header.Get("Content-Disposition")); err == nil {
			f.Filename = params["filename"]
		}
		return true
	}})
	if err != nil {
		return nil, err
	}
	if f == nil {
		return nil, fmt.Errorf("wecom %s: answered with JSON instead of a file", req.API)
	}
	return f, nil
}

// URL returns the address of req with the current access token, for APIs
// that are links (media/get as an <img> source). It fetches a token if needed.
func (c *Client) URL(ctx context.Context, req *Request) (string, error) {
	q := url.Values{}
	if !req.NoToken {
		tok := req.Token
		if tok == "" {
			var err error
			if tok, err = c.token.get(ctx); err != nil {
				return "", err
			}
		}
		q.Set("access_token", tok)
	}
	for k, v := range req.Query {
		q[k] = v
	}
	return c.baseURL + req.API + "?" + q.Encode(), nil
}

// send returns the body of WeCom's successful answer to req.
func (c *Client) send(ctx context.Context, req *Request) ([]byte, error) {
	if c.dryRun != nil && (!req.isRead() || isDryRunJob(req)) {
		return c.pretend(req)
	}
	return c.exchange(ctx, req, nil)
}

// exchange runs the retry loop around one call. stream, when not nil, may
// take over a 200 answer before it is read as JSON.
func (c *Client) exchange(ctx context.Context, req *Request, stream *taker) ([]byte, error) {
	payload, err := encodeBody(req)
	if err != nil {
		return nil, err
	}
	refreshed := false
	limitedSince := time.Time{}
	var limited *APIError // the frequency-limit answer being waited out, if any
	for attempt, try := 1, 1; ; attempt++ {
		if err := c.limits.wait(ctx, req.API); err != nil {
			if limited != nil {
				return nil, waitedError(limited, time.Since(limitedSince), c.rateLimitWait, false)
			}
			return nil, err
		}
		token := req.Token
		if token == "" && !req.NoToken {
			if token, err = c.token.get(ctx); err != nil {
				if limited != nil && ctx.Err() != nil {
					return nil, waitedError(limited, time.Since(limitedSince), c.rateLimitWait, false)
				}
				return nil, err
			}
		}
		if req.Upload != nil && attempt > 1 {
			s, ok := req.Upload.Content.(io.Seeker)
			if !ok {
				return nil, fmt.Errorf("wecom %s: the upload cannot be sent again (its reader cannot seek)", req.API)
			}
			if _, err := s.Seek(0, io.SeekStart); err != nil {
				return nil, fmt.Errorf("wecom %s: rewinding the upload: %w", req.API, err)
			}
		}
		body, status, sent, err := c.roundTrip(ctx, req, payload, token, attempt, stream)
		var retry error
		switch {
		case body == nil && err == nil: // taken by stream
			return nil, nil
		case err != nil && ctx.Err() != nil:
			if sent && !req.isRead() {
				return nil, fmt.Errorf("wecom %s: %w: %w", req.API, ErrOutcomeUnknown, ctx.Err())
			}
			if limited != nil { // the deadline came while WeCom still limited the call
				return nil, waitedError(limited, time.Since(limitedSince), c.rateLimitWait, false)
			}
			return nil, fmt.Errorf("wecom %s: %w", req.API, ctx.Err())
		case err != nil && sent && !req.isRead():
			return nil, fmt.Errorf("wecom %s: %w: %w", req.API, ErrOutcomeUnknown, err)
		case errors.Is(err, errAnswerTooLarge):
			return nil, err
		case err != nil:
			retry = err
		case status >= 500:
			retry = c.statusError(req, status)
		case status != http.StatusOK:
			return nil, c.statusError(req, status)
		default:
			code, msg, err := envelope(body)
			if err != nil {
				return nil, fmt.Errorf("wecom %s: %w", req.API, redactError(err, c.secretsOf(req, token)...))
			}
			if code == CodeOK {
				return body, nil
			}
			// A gateway may echo the request in errmsg: its secrets are
			// removed once, here, for the error, the logs and the history.
			apiErr := &APIError{Code: code, Msg: redact(msg, c.secretsOf(req, token)...), API: req.API}
			switch {
			case staleToken(code) && !req.NoToken && req.Token == "" && !refreshed:
				// One refresh and one retry; a second stale answer is final.
				refreshed = true
				c.token.invalidate(token)
				continue
			case code == CodeSystemBusy:
				retry = apiErr
			case code == CodeFrequencyLimited && quotaUsedUp(msg) != "":
				// A daily quota ends with the day, a monthly one in 30
				// days: no wait can outlast them.
				return nil, quotaError(apiErr)
			case rateLimited(code):
				limited = apiErr
				if limitedSince.IsZero() {
					limitedSince = time.Now()
				}
				waited := time.Since(limitedSince)
				left := c.rateLimitWait - waited
				if left <= 0 {
					return nil, waitedError(apiErr, waited, c.rateLimitWait, true)
				}
				d := min(c.rateLimitDelay(waited), left)
				if deadline, ok := ctx.Deadline(); ok && time.Until(deadline) < d {
					return nil, waitedError(apiErr, waited, c.rateLimitWait, false)
				}
				if t := traceOf(ctx); t != nil && t.RateLimitWait != nil {
					t.RateLimitWait(RateLimitWait{API: req.API, Errcode: code, Errmsg: apiErr.Msg, Delay: d, Waited: waited, Limit: c.rateLimitWait})
				}
				if err := sleep(ctx, d); err != nil {
					return nil, waitedError(apiErr, time.Since(limitedSince), c.rateLimitWait, false)
				}
				continue
			default:
				return nil, apiErr
			}
		}
		if try >= c.tries {
			return nil, retry
		}
		if err := sleep(ctx, c.delay(try)); err != nil {
			return nil, fmt.Errorf("%w (retry cancelled: %w)", retry, err)
		}
		try++
	}
}

// statusError is the error of an HTTP answer other than 200 OK. It names the
// URL, secrets redacted: a 404 usually means a base URL without /cgi-bin/.
func (c *Client) statusError(req *Request, status int) error {
	u := c.baseURL + req.API
	if len(req.Query) > 0 {
		u += "?" + req.Query.Encode()
	}
	if pu, err := url.Parse(u); err == nil {
		u = pu.Redacted()
	}
	hint := ""
	if status == http.StatusNotFound {
		hint = " (is the base URL right? WeCom's ends in /cgi-bin/)"
	}
	return fmt.Errorf("wecom %s: HTTP %d %s from %s %s%s", req.API, status, http.StatusText(status), methodOf(req), redact(u), hint)
}

// DefaultRateLimitWait is the most a call waits, in all, for WeCom's
// frequency limit to pass (WithRateLimitWait): two of WeCom's one-minute
// windows.
const DefaultRateLimitWait = 2 * time.Minute

// delay is the pause before retry number try+1: doubling from the first
// backoff, capped, with jitter over its upper half.
func (c *Client) delay(try int) time.Duration {
	d := min(c.backoff<<(try-1), c.maxDelay)
	if d <= 0 {
		return 0
	}
	return d/2 + rand.N(d/2+1)
}

// rateLimitDelay is the pause after a frequency-limit answer, growing with
// the time spent limited: WeCom blocks for the rest of its one-minute window.
func (c *Client) rateLimitDelay(limited time.Duration) time.Duration {
	d := max(c.backoff*5, limited/2)
	d = min(d, 10*time.Second)
	return d/2 + rand.N(d/2+1)
}

// methodOf is the HTTP method of req: GET unless it says otherwise.
func methodOf(req *Request) string {
	if req.Method == "" {
		return http.MethodGet
	}
	return req.Method
}

// roundTrip sends one HTTP request. For a write (not req.isRead()), sent
// reports whether the request was written to the network, so that a failure
// after it leaves the outcome unknown.
func (c *Client) roundTrip(ctx context.Context, req *Request, payload []byte, token string, attempt int, stream *taker) (body []byte, status int, sent bool, err error) {
	start := time.Now()
	call := Call{API: req.API, Attempt: attempt}
	defer func() {
		if c.hook != nil {
			call.Duration, call.Status = time.Since(start), status
			if err == nil && body != nil {
				call.Errcode, _, _ = envelope(body)
			}
			call.Err = err
			c.hook(call)
		}
	}()

	var cancel context.CancelFunc
	var idle *idleTimeout
	if stream != nil && stream.perRead {
		// The timeout bounds the wait for the answer here, and each read
		// of it once taken (see Open), not the exchange.
		ctx, cancel = context.WithCancel(ctx)
		idle = newIdleTimeout(c.timeout, cancel)
		defer idle.timer.Stop()
		take := stream.take
		stream = &taker{take: func(res *http.Response, release context.CancelFunc) bool {
			res.Body = &idleReader{res.Body, idle}
			return take(res, release)
		}}
	} else {
		ctx, cancel = context.WithTimeout(ctx, c.timeout)
	}
	if !req.isRead() {
		// Only a write's failure depends on whether it reached WeCom: a
		// read is retried either way, and is spared the trace.
		ctx = httptrace.WithClientTrace(ctx, &httptrace.ClientTrace{WroteRequest: func(info httptrace.WroteRequestInfo) {
			if info.Err == nil {
				sent = true
			}
		}})
	}
	hreq, err := c.newHTTPRequest(ctx, req, payload, token)
	if err != nil {
		cancel()
		return nil, 0, false, err
	}
	res, err := c.http.Do(hreq)
	if err != nil {
		err = idle.check(err)
		cancel()
		return nil, 0, sent, fmt.Errorf("wecom %s: %w", req.API, redactError(err, c.secretsOf(req, token)...))
	}
	status = res.StatusCode
	if stream != nil && stream.take(res, cancel) {
		return nil, status, true, nil
	}
	defer cancel()
	defer res.Body.Close()
	body, err = readAnswer(res)
	if err != nil {
		return nil, status, true, fmt.Errorf("wecom %s: reading the answer: %w", req.API, redactError(err, c.secretsOf(req, token)...))
	}
	return body, status, true, nil
}

// readAnswer reads a JSON answer of at most maxAnswer bytes, in one
// allocation when its length is known. A longer one is an error, at once
// when its length says so, otherwise once maxAnswer+1 bytes have come.
func readAnswer(res *http.Response) ([]byte, error) {
	n := res.ContentLength
	if n > maxAnswer {
		return nil, fmt.Errorf("%w: %d bytes, more than the %d read into memory", errAnswerTooLarge, n, maxAnswer)
	}
	if n > 0 {
		body := make([]byte, n)
		if _, err := io.ReadFull(res.Body, body); err != nil {
			if err == io.EOF {
				err = io.ErrUnexpectedEOF
			}
			return nil, err
		}
		return body, nil
	}
	body, err := io.ReadAll(io.LimitReader(res.Body, maxAnswer+1))
	if err == nil && int64(len(body)) > maxAnswer {
		return nil, fmt.Errorf("%w: more than the %d bytes read into memory", errAnswerTooLarge, maxAnswer)
	}
	return body, err
}

func (c *Client) newHTTPRequest(ctx context.Context, req *Request, payload []byte, token string) (*http.Request, error) {
	q := url.Values{}
	for k, v := range req.Query {
		q[k] = v
	}
	if token != "" {
		q.Set("access_token", token)
	}
	u := c.baseURL + req.API
	if len(q) > 0 {
		u += "?" + q.Encode()
	}
	method := methodOf(req)
	var body io.Reader
	contentType := ""
	length := int64(-1)
	switch {
	case req.Upload != nil:
		var err error
		body, contentType, length, err = multipartBody(req.Upload)
		if err != nil {
			return nil, fmt.Errorf("wecom %s: %w", req.API, err)
		}
	case payload != nil:
		body, contentType, length = bytes.NewReader(payload), "application/json; charset=utf-8", int64(len(payload))
	}
	hreq, err := http.NewRequestWithContext(ctx, method, u, body)
	if err != nil {
		return nil, fmt.Errorf("wecom %s: %w", req.API, redactError(err))
	}
	if length >= 0 {
		hreq.ContentLength = length
	}
	if contentType != "" {
		hreq.Header.Set("Content-Type", contentType)
	}
	if !req.isRead() && body == nil {
		// net/http replays a GET without a body when a reused connection
		// drops; a write sent with GET (user/delete, ...) must not be
		// replayed, so it gets an empty body the transport cannot replay
		// (and does not send).
		hreq.Body = io.NopCloser(http.NoBody)
	}
	return hreq, nil
}

// encodeBody returns req's JSON body, or nil when it has none.
func encodeBody(req *Request) ([]byte, error) {
	if req.Body == nil {
		return nil, nil
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(req.Body); err != nil {
		return nil, fmt.Errorf("wecom %s: encoding the request: %w", req.API, err)
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}

// multipartBody streams u as multipart/form-data without buffering the file.
func multipartBody(u *Upload) (io.Reader, string, int64, error) {
	var head, tail bytes.Buffer
	w := multipart.NewWriter(&head)
	field := u.Field
	if field == "" {
		field = "media"
	}
	h := textproto.MIMEHeader{}
	disp := fmt.Sprintf(`form-data; name="%s"; filename="%s"`, field, escapeQuotes(u.Filename))
	if u.Size >= 0 {
		disp += "; filelength=" + strconv.FormatInt(u.Size, 10)
	}
	h.Set("Content-Disposition", disp)
	h.Set("Content-Type", "application/octet-stream")
	if _, err := w.CreatePart(h); err != nil {
		return nil, "", 0, err
	}
	contentType := w.FormDataContentType()
	tail.WriteString("\r\n--" + w.Boundary() + "--\r\n")
	length := int64(-1)
	if u.Size >= 0 {
		length = int64(head.Len()) + u.Size + int64(tail.Len())
	}
	return io.MultiReader(&head, u.Content, &tail), contentType, length, nil
}

var quoteEscaper = strings.NewReplacer("\\", "\\\\", `"`, "\\\"")

func escapeQuotes(s string) string { return quoteEscaper.Replace(s) }

func isJSON(contentType string) bool {
	mt, _, _ := mime.ParseMediaType(contentType)
	return mt == "application/json" || mt == "text/plain" || mt == "text/json"
}

// startsObject reports whether r, after white space, opens a JSON object.
// It reads nothing from r.
func startsObject(r *bufio.Reader) bool {
	b, _ := r.Peek(64)
	b = bytes.TrimLeft(b, " \t\r\n")
	return len(b) > 0 && b[0] == '{'
}

// sleep waits for d or until ctx is done.
func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// cancelOnClose releases a streamed answer's context when it is closed.
type cancelOnClose struct {
	io.ReadCloser
	cancel context.CancelFunc
}

func (c cancelOnClose) Close() error {
	err := c.ReadCloser.Close()
	c.cancel()
	return err
}

// pretend answers a write of a dry run without sending it.
func (c *Client) pretend(req *Request) ([]byte, error) {
	d := DryRun{Method: req.Method, API: req.API, Query: req.Query.Encode()}
	if d.Method == "" {
		d.Method = http.MethodGet
	}
	switch {
	case req.Upload != nil:
		d.Body = fmt.Appendf(nil, "(file %q, %d bytes)", req.Upload.Filename, req.Upload.Size)
	default:
		var err error
		if d.Body, err = encodeBody(req); err != nil {
			return nil, err
		}
	}
	c.dryRun(d)
	answer := map[string]any{}
	if more, ok := dryRunAnswers[req.API]; ok {
		if err := json.Unmarshal([]byte(more), &answer); err != nil {
			return nil, fmt.Errorf("wecom %s: the dry-run answer: %w", req.API, err)
		}
	}
	for k, v := range answer {
		switch s, _ := v.(string); {
		case s == "$now":
			answer[k] = strconv.FormatInt(time.Now().Unix(), 10)
		case strings.HasPrefix(s, "$query."):
			answer[k] = req.Query.Get(strings.TrimPrefix(s, "$query."))
		}
	}
	answer["errcode"], answer["errmsg"] = 0, "ok (dry run)"
	return json.Marshal(answer)
}

// dryRunJobID is the job id of the batch jobs a dry run pretends to start.
const dryRunJobID = "dry-run-job"

func isDryRunJob(req *Request) bool {
	return req.API == "batch/getresult" && req.Query.Get("jobid") == dryRunJobID
}

var errNotObject = errors.New("the answer is not a JSON object")
