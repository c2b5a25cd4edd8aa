package bindings

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync/atomic"
	"testing"

	lua "github.com/yuin/gopher-lua"

	"github.com/wecomrunner/runner/wecom"
)

// hostile is an HTTP server whose answers are too long: endless bodies it
// writes until the client hangs up (or cap bytes, so that a client that
// reads everything fails the test rather than exhausting the machine), and
// bodies that announce a huge Content-Length. It counts the bytes it served.
type hostile struct {
	srv    *httptest.Server
	mux    *http.ServeMux
	served atomic.Int64
	done   chan struct{} // a value each time a body's handler returns
}

// hostileCap is the most an endless body serves.
const hostileCap = 256 << 20

func newHostile(t *testing.T) *hostile {
	t.Helper()
	h := &hostile{mux: http.NewServeMux(), done: make(chan struct{}, 16)}
	h.mux.HandleFunc("/cgi-bin/gettoken", func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, `{"errcode":0,"errmsg":"ok","access_token":"tok","expires_in":7200}`)
	})
	h.srv = httptest.NewServer(h.mux)
	t.Cleanup(h.srv.Close)
	return h
}

// endless serves head, then chunk repeated until the client hangs up or
// limit bytes went out, then tail.
func (h *hostile) endless(pattern, contentType, head, chunk, tail string, limit int64) {
	h.mux.HandleFunc(pattern, func(w http.ResponseWriter, r *http.Request) {
		defer func() { h.done <- struct{}{} }()
		w.Header().Set("Content-Type", contentType)
		w.Header().Set("Content-Disposition", `attachment; filename="big.bin"`)
		n, _ := io.WriteString(w, head)
		h.served.Add(int64(n))
		block := strings.Repeat(chunk, 64<<10/len(chunk))
		for sent := int64(n); sent < limit; {
			n, err := io.WriteString(w, block)
			h.served.Add(int64(n))
			sent += int64(n)
			if err != nil {
				return
			}
		}
		io.WriteString(w, tail)
	})
}

// announcing answers with a Content-Length of size and a few bytes.
func (h *hostile) announcing(pattern string, size int64) {
	h.mux.HandleFunc(pattern, func(w http.ResponseWriter, r *http.Request) {
		defer func() { h.done <- struct{}{} }()
		w.Header().Set("Content-Type", "application/octet-stream")
		w.Header().Set("Content-Disposition", `attachment; filename="big.bin"`)
		w.Header().Set("Content-Length", fmt.Sprint(size))
		w.WriteHeader(http.StatusOK)
		n, _ := io.WriteString(w, "start")
		h.served.Add(int64(n))
	})
}

// servedAfter waits until the handler of the request just made has
// returned, and returns the bytes served since the last call.
func (h *hostile) servedAfter(t *testing.T) int64 {
	t.Helper()
	select {
	case <-h.done:
	case <-t.Context().Done():
		t.Fatal("the server is still writing")
	}
	return h.served.Swap(0)
}

// maxServed bounds what a client that stops at its limit lets a server
// write: the limit, the client's buffers and the kernel's socket buffers.
const maxServed = 32 << 20

// run runs script in a state whose wecom client and http module talk
// to h, with a string limit of stringLimit bytes, and returns its error.
func (h *hostile) run(t *testing.T, dir string, stringLimit int64, script string) error {
	t.Helper()
	c := wecom.New("corp", "secret", wecom.WithBaseURL(h.srv.URL+"/cgi-bin/"), wecom.WithAgentID(1))
	env := &Env{
		Clients: map[string]*wecom.Client{"default": c}, Default: "default",
		Dirs: []string{dir}, HTTPAllow: []string{"127.0.0.1"}, StringLimit: stringLimit,
	}
	L := lua.NewState()
	defer L.Close()
	L.SetContext(t.Context())
	Preload(L, env)
	L.SetGlobal("BASE", lua.LString(h.srv.URL))
	return L.DoString(script)
}

// TestDownloadLimits: media.download and material.get read a file into a
// string only up to the run's string limit, and save a file only up to
// maxSavedFile, whatever the server sends: an endless body is abandoned at
// the limit, one announced too large is refused before it is read, and a
// file that failed leaves nothing behind.
func TestDownloadLimits(t *testing.T) {
	defer func(old int64) { maxSavedFile = old }(maxSavedFile)
	maxSavedFile = 4 << 20
	h := newHostile(t)
	h.endless("/cgi-bin/media/get", "application/octet-stream", "", "x", "", hostileCap)
	h.announcing("/cgi-bin/material/get", 10<<30)
	dir := t.TempDir()

	for _, tt := range []struct {
		name, script string
		want         []string
		served       int64 // the most the server may have sent
	}{
		{"endless into a string", `require("wecom").media.download("m")`,
			[]string{"media.download: the file has more than the limit of 1048576 bytes for a string (a quarter of memory_limit, at most 64 MiB): give a path to save it to a file"}, maxServed},
		{"endless into a file", `require("wecom").media.download{media_id = "m", path = "big.bin"}`,
			[]string{"media.download: the file has more than the limit of 4194304 bytes"}, maxServed},
		{"announced too large for a string", `require("wecom").material.get{media_id = "m"}`,
			[]string{"material.get: the file has 10737418240 bytes, more than the limit of 1048576 bytes for a string"}, 5},
		{"announced too large for a file", `require("wecom").material.get{media_id = "m", path = "big.bin"}`,
			[]string{"material.get: the file has 10737418240 bytes, more than the limit of 4194304 bytes"}, 5},
	} {
		t.Run(tt.name, func(t *testing.T) {
			err := h.run(t, dir, 1<<20, tt.script)
			if err == nil {
				t.Fatal("no error")
			}
			for _, want := range tt.want {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error %q\nwant it to contain %q", err, want)
				}
			}
			if n := h.servedAfter(t); n > tt.served {
				t.Errorf("the server sent %d bytes, want at most %d", n, tt.served)
			}
			entries, _ := os.ReadDir(dir)
			if len(entries) != 0 {
				t.Errorf("the failed download left %v in the directory", entries)
			}
		})
	}

	// A file larger than the string limit but within maxSavedFile streams
	// to its path.
	fine := newHostile(t)
	fine.endless("/cgi-bin/media/get", "application/octet-stream", "", "y", "", 3<<20)
	err := fine.run(t, dir, 1<<20, `
		local r = require("wecom").media.download("m", "ok.bin")
		assert(r.size == 3 * 1024 * 1024, r.size)`)
	if err != nil {
		t.Fatal(err)
	}
	if st, err := os.Stat(dir + "/ok.bin"); err != nil || st.Size() != 3<<20 {
		t.Errorf("saved file: %v, %v; want 3 MiB", st, err)
	}
}

// TestHTTPBodyLimit: the http module reads a response body only up to the
// run's string limit: an endless body is abandoned there, one announced too
// large is refused before it is read.
func TestHTTPBodyLimit(t *testing.T) {
	h := newHostile(t)
	h.endless("/endless", "text/plain", "", "z", "", hostileCap)
	h.announcing("/announced", 1<<40)
	for _, tt := range []struct {
		path, want string
		served     int64
	}{
		{"/endless", "http.get " + h.srv.URL + "/endless: the response body has more than the limit of 1048576 bytes for a string (a quarter of memory_limit, at most 64 MiB)", maxServed},
		{"/announced", "http.get " + h.srv.URL + "/announced: the response body has 1099511627776 bytes, more than the limit of 1048576 bytes", 5},
	} {
		err := h.run(t, t.TempDir(), 1<<20, `require("http").get(BASE .. "`+tt.path+`")`)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: error %v\nwant it to contain %q", tt.path, err, tt.want)
		}
		if n := h.servedAfter(t); n > tt.served {
			t.Errorf("%s: the server sent %d bytes, want at most %d", tt.path, n, tt.served)
		}
	}
	if got := newHTTPModule(&Env{StringLimit: 1 << 20}).(*httpModule).maxBody; got != 1<<20 {
		t.Errorf("body limit with a string limit of 1 MiB: %d", got)
	}
}

// TestFanoutAnswerLimit: a fan-out reads each streamed answer whole only up
// to the run's string limit; the item whose answer is endless fails with
// an error naming the method and the limit.
func TestFanoutAnswerLimit(t *testing.T) {
	h := newHostile(t)
	h.endless("/cgi-bin/user/list", "application/json", `{"errcode":0,"errmsg":"ok","userlist":[`, `{"userid":"u"},`, `{"userid":"u"}]}`, hostileCap)
	err := h.run(t, t.TempDir(), 1<<20, `
		local results, failed = require("wecom").fanout("user.list", {{1}})
		assert(failed == 1, "failed: " .. failed)
		error(tostring(results[1].error))`)
	want := "user.list: WeCom's answer to user/list has more than the limit of 1048576 bytes for a string"
	if err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("error %v\nwant it to contain %q", err, want)
	}
	if n := h.servedAfter(t); n > maxServed {
		t.Errorf("the server sent %d bytes, want at most %d", n, maxServed)
	}
}
