package bindings

import (
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
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
		m := newHTTPModule(&Env{HTTPAllow: []string{"127.0.0.1"}}).(*httpModule)
		m.maxBody = 1024
		L.PreloadModule("http", load("http", m))
		L.SetGlobal("BASE", lua.LString(srv.URL))
	})
}

func TestHTTPDefaultClient(t *testing.T) {
	m := newHTTPModule(&Env{}).(*httpModule)
	if m.client.Timeout != 30e9 || m.maxBody != 64<<20 {
		t.Errorf("default client timeout %v, body limit %d; want 30s, 64 MB", m.client.Timeout, m.maxBody)
	}
}

// TestHTTPAllow: http reaches loopback, private and link-local addresses
// only when http_allow lists them, by network or by the URL's host name;
// the check is made on the address connected to, and on every redirect.
func TestHTTPAllow(t *testing.T) {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /ok", func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "ok") })
	mux.HandleFunc("GET /redirect", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, r.URL.Query().Get("to"), http.StatusFound)
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()
	_, port, _ := net.SplitHostPort(srv.Listener.Addr().String())
	for _, tt := range []struct {
		name  string
		allow []string
	}{
		{"nothing listed", nil},
		{"the address listed", []string{"127.0.0.1"}},
		{"loopback listed", []string{"127.0.0.0/8", "::1"}},
		{"localhost listed", []string{"localhost", "*.example.internal"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			runLuaTests(t, "testdata/http_allow_test.lua", func(L *lua.LState) {
				L.PreloadModule("http", load("http", newHTTPModule(&Env{HTTPAllow: tt.allow})))
				L.SetGlobal("PORT", lua.LString(port))
				allow := L.NewTable()
				for _, a := range tt.allow {
					allow.Append(lua.LString(a))
				}
				L.SetGlobal("ALLOW", allow)
			})
		})
	}
}

func TestCheckHTTPAllow(t *testing.T) {
	for _, ok := range []string{"hr.example.com", "HR.Example.com.", "*.corp.example", "localhost", "10.2.3.4", "10.0.0.0/8", "10.2.3.4/16", "::1", "fd00::/8", "169.254.169.254"} {
		if err := CheckHTTPAllow(ok); err != nil {
			t.Errorf("CheckHTTPAllow(%q) = %v", ok, err)
		}
	}
	for entry, want := range map[string]string{
		"http://hr.example.com": "without scheme, port or path",
		"hr.example.com:8080":   "without scheme, port or path",
		"hr.example.com/api":    "without scheme, port or path",
		"*":                     "is not a host name, an address or a network",
		"a..b":                  "is not a host name",
		"exa mple.com":          "is not a host name",
		"10.0.0.0/33":           "without scheme, port or path",
		"":                      "is not a host name",
		"*.*.example":           "is not a host name",
		"fe80::1%eth0":          "without scheme, port or path",
	} {
		if err := CheckHTTPAllow(entry); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("CheckHTTPAllow(%q) = %v, want %q", entry, err, want)
		}
	}
}

func TestAddrKind(t *testing.T) {
	for addr, want := range map[string]string{
		"8.8.8.8": "", "2606:4700::1111": "", "1.1.1.1": "",
		"127.0.0.1": "loopback", "127.1.2.3": "loopback", "::1": "loopback", "::ffff:127.0.0.1": "loopback",
		"169.254.169.254": "link-local", "fe80::1": "link-local", "::ffff:169.254.169.254": "link-local",
		"10.1.2.3": "private", "172.16.0.1": "private", "172.31.255.255": "private", "192.168.1.1": "private", "fc00::1": "private", "fd12::1": "private",
		"0.0.0.0": "unspecified", "::": "unspecified", "239.1.2.3": "multicast", "224.0.0.1": "link-local", "ff02::1": "link-local",
		"100.64.0.1": "reserved", "0.1.2.3": "reserved", "198.18.0.1": "reserved", "240.0.0.1": "reserved", "255.255.255.255": "reserved",
		"64:ff9b::a00:1": "reserved", "2002:a00:1::": "reserved", "2001:db8::1": "reserved",
		"172.32.0.1": "", "100.128.0.1": "",
	} {
		if got := addrKind(netip.MustParseAddr(addr)); got != want {
			t.Errorf("addrKind(%s) = %q, want %q", addr, got, want)
		}
	}
}
