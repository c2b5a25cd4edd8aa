package bindings

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	lua "github.com/yuin/gopher-lua"
)

func TestHTTPModule(t *testing.T) {
	mux := http.NewServeMux()
	writeJSON := func(w http.ResponseWriter, v any) {
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		json.NewEncoder(w).Encode(v)
	}
	mux.HandleFunc("GET /employees", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, map[string]any{
			"employees": []any{map[string]any{"id": 1, "name": "张三"}},
			"query":     r.URL.RawQuery,
			"auth":      r.Header.Get("Authorization"),
		})
	})
	mux.HandleFunc("POST /echo", func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		writeJSON(w, map[string]any{"method": r.Method, "content_type": r.Header.Get("Content-Type"), "body": string(body)})
	})
	mux.HandleFunc("GET /fail", func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusServiceUnavailable)
		io.WriteString(w, "maintenance")
	})
	mux.HandleFunc("GET /slow", func(w http.ResponseWriter, r *http.Request) {
		<-r.Context().Done()
	})
	mux.HandleFunc("GET /badjson", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, "{x")
	})
	mux.HandleFunc("GET /big", func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, strings.Repeat("x", 1025))
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()

	runLuaTests(t, "testdata/http_test.lua", func(L *lua.LState) {
		L.PreloadModule("http", load("http", &httpModule{client: srv.Client(), maxBody: 1024}))
		L.SetGlobal("BASE", lua.LString(srv.URL))
	})
}

func TestHTTPDefaultClient(t *testing.T) {
	m := newHTTPModule(&Env{}).(*httpModule)
	if m.client.Timeout != 30e9 || m.maxBody != 64<<20 {
		t.Errorf("default client timeout %v, body limit %d; want 30s, 64 MB", m.client.Timeout, m.maxBody)
	}
}
