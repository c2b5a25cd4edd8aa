package bindings

// Module http reads other systems (an HR system's export) over HTTP:
//
//	http.get(url [, {headers=, query=, timeout=}]) -> response
//	http.post(url [, {json=, body=, headers=, query=, timeout=}]) -> response
//
// response is {status=200, headers={["content-type"]="..."}, body="...",
// json=<decoded body>}: header names are lower case, json is set when the
// response's Content-Type is JSON. A status ≥ 400 is a response, not an
// error: check response.status. Transport failures, timeouts, a body over
// the run's string limit (a quarter of memory_limit, at most 64 MB) and a
// JSON body that does not parse raise errors, which name the URL without its
// query string (it may hold a token). A body announced larger than the limit
// is refused before it is read, and one that passes it as it arrives is
// abandoned there. A request body has the same limit.
//
// query is a table of parameters added to the URL (a list value repeats the
// parameter). json is encoded like json.encode and sent as
// application/json; body is sent as is. timeout is in seconds; the default is
// the client's (30 s). The request ends when the run is cancelled.
//
// http reaches public addresses, and others only as Env.HTTPAllow (jobs.yaml's
// http_allow) says: see httpallow.go. A refused address raises an error
// naming it, before anything is sent.

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/wecomrunner/runner/bindings/luajson"
	lua "github.com/yuin/gopher-lua"
)

type httpModule struct {
	client  *http.Client
	maxBody int64 // the largest request or response body, in bytes: the run's string limit
}

func newHTTPModule(env *Env) module {
	return &httpModule{client: newHTTPPolicy(env.HTTPAllow).client(30 * time.Second), maxBody: env.stringLimit()}
}

func (m *httpModule) exports() map[string]lua.LGFunction {
	return map[string]lua.LGFunction{
		"get":  m.get,
		"post": m.post,
	}
}

func (m *httpModule) get(L *lua.LState) int {
	req := m.checkRequest(L, http.MethodGet, "headers", "query", "timeout")
	L.Push(m.do(L, req))
	return 1
}

func (m *httpModule) post(L *lua.LState) int {
	req := m.checkRequest(L, http.MethodPost, "body", "headers", "json", "query", "timeout")
	L.Push(m.do(L, req))
	return 1
}

// httpRequest is a request as the arguments describe it.
type httpRequest struct {
	method  string
	url     *url.URL
	header  http.Header
	body    []byte
	timeout time.Duration
}

// checkRequest reads the arguments url and options; allowed are the option
// names the function accepts.
func (m *httpModule) checkRequest(L *lua.LState, method string, allowed ...string) *httpRequest {
	raw := L.CheckString(1)
	opts := L.OptTable(2, L.NewTable())
	u, err := url.Parse(raw)
	if err != nil || u.Scheme != "http" && u.Scheme != "https" || u.Host == "" {
		L.ArgError(1, "want an http or https URL")
	}
	req := &httpRequest{method: method, url: u, header: http.Header{}}
	opts.ForEach(func(k, v lua.LValue) {
		name := k.String()
		if _, ok := k.(lua.LString); !ok || !slices.Contains(allowed, name) {
			L.ArgError(2, fmt.Sprintf("unknown option %q (want %s)", name, strings.Join(allowed, ", ")))
		}
		switch name {
		case "headers":
			checkHeaders(L, v, req.header)
		case "query":
			q := u.Query()
			checkQuery(L, v, q)
			u.RawQuery = q.Encode()
		case "timeout":
			secs, ok := v.(lua.LNumber)
			if !ok || !(secs > 0) {
				L.ArgError(2, "timeout must be a number of seconds > 0")
			}
			req.timeout = time.Duration(float64(secs) * float64(time.Second))
		case "body":
			s, ok := v.(lua.LString)
			if !ok {
				L.ArgError(2, "body must be a string")
			}
			req.body = []byte(s)
		case "json":
			data, err := luajson.Encode(v)
			if err != nil {
				L.ArgError(2, "json: "+err.Error())
			}
			req.body = data
			if req.header.Get("Content-Type") == "" {
				req.header.Set("Content-Type", "application/json")
			}
		}
	})
	if opts.RawGetString("body") != lua.LNil && opts.RawGetString("json") != lua.LNil {
		L.ArgError(2, "give body or json, not both")
	}
	if int64(len(req.body)) > m.maxBody {
		L.ArgError(2, fmt.Sprintf("the body is larger than the limit of %d bytes", m.maxBody))
	}
	return req
}

func checkHeaders(L *lua.LState, v lua.LValue, h http.Header) {
	t, ok := v.(*lua.LTable)
	if !ok {
		L.ArgError(2, "headers must be a table")
	}
	t.ForEach(func(k, v lua.LValue) {
		if k.Type() != lua.LTString || v.Type() != lua.LTString && v.Type() != lua.LTNumber {
			L.ArgError(2, fmt.Sprintf("header %s: names and values must be strings", k))
		}
		h.Set(k.String(), v.String())
	})
}

func checkQuery(L *lua.LState, v lua.LValue, q url.Values) {
	t, ok := v.(*lua.LTable)
	if !ok {
		L.ArgError(2, "query must be a table")
	}
	t.ForEach(func(k, v lua.LValue) {
		if k.Type() != lua.LTString {
			L.ArgError(2, fmt.Sprintf("query parameter %s: names must be strings", k))
		}
		name := k.String()
		values := []lua.LValue{v}
		if list, ok := v.(*lua.LTable); ok {
			values = values[:0]
			list.ForEach(func(_, e lua.LValue) { values = append(values, e) })
		}
		for _, e := range values {
			switch e.Type() {
			case lua.LTString, lua.LTNumber, lua.LTBool:
				q.Add(name, e.String())
			default:
				L.ArgError(2, fmt.Sprintf("query parameter %q: want strings, numbers or booleans, got a %s", name, e.Type()))
			}
		}
	})
}

// do sends req and returns the response table, raising an error when no
// response arrives.
func (m *httpModule) do(L *lua.LState, r *httpRequest) *lua.LTable {
	where := fmt.Sprintf("http.%s %s", strings.ToLower(r.method), redactURL(r.url))
	ctx := contextOf(L)
	if r.timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, r.timeout)
		defer cancel()
	}
	var body io.Reader
	if r.body != nil {
		body = bytes.NewReader(r.body)
	}
	req, err := http.NewRequestWithContext(ctx, r.method, r.url.String(), body)
	if err != nil {
		L.RaiseError("%s: %v", where, err)
	}
	req.Header = r.header
	resp, err := m.client.Do(req)
	if err != nil {
		var uerr *url.Error
		if errors.As(err, &uerr) {
			err = uerr.Err // its message repeats the URL, query included
		}
		var blocked *blockedError
		if errors.As(err, &blocked) && !strings.HasPrefix(err.Error(), "redirected") {
			err = blocked // without the dial's "dial tcp addr:port: "
		}
		L.RaiseError("%s: %v", where, err)
	}
	defer resp.Body.Close()
	data, err := readLimited(resp.Body, resp.ContentLength, m.maxBody)
	var tooLarge *tooLargeError
	if errors.As(err, &tooLarge) {
		L.RaiseError("%s: the response body has %v %s", where, err, stringWhy)
	}
	if err != nil {
		L.RaiseError("%s: reading the response: %v", where, err)
	}

	t := L.CreateTable(0, 4)
	t.RawSetString("status", lua.LNumber(resp.StatusCode))
	headers := L.CreateTable(0, len(resp.Header))
	for name, values := range resp.Header {
		headers.RawSetString(strings.ToLower(name), lua.LString(strings.Join(values, ", ")))
	}
	t.RawSetString("headers", headers)
	text := string(data)
	t.RawSetString("body", lua.LString(text))
	if isJSON(resp.Header.Get("Content-Type")) && strings.TrimSpace(text) != "" {
		v, err := luajson.DecodeString(L, text)
		if err != nil {
			L.RaiseError("%s: status %d, Content-Type %s: %v", where, resp.StatusCode, resp.Header.Get("Content-Type"), err)
		}
		t.RawSetString("json", v)
	}
	return t
}

// isJSON reports whether a Content-Type is JSON (application/json, or
// application/something+json).
func isJSON(contentType string) bool {
	mt, _, err := mime.ParseMediaType(contentType)
	return err == nil && (mt == "application/json" || strings.HasPrefix(mt, "application/") && strings.HasSuffix(mt, "+json"))
}

// redactURL is u without its query, user information or fragment, for
// error messages.
func redactURL(u *url.URL) string {
	return (&url.URL{Scheme: u.Scheme, Host: u.Host, Path: u.Path}).String()
}
