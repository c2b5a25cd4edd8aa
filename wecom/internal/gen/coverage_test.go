package main

import (
	"bufio"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/wecomrunner/runner/wecom/emulator"
)

// TestEveryMethodIsServedAndTested checks each row of the method table
// against the rest of the tree: the emulator serves every API it calls (a
// POST one only by POST, a legacy group's as retired), a Go test calls its
// Go method, a Lua test (bindings/testdata/<group>_test.lua) calls its Lua
// function, and a conformance case covers it.
//
// The emulator declares its routes itself rather than being generated from
// the table: it is WeCom's side, written from WeCom's documentation, so that
// a wrong verb or path in a row fails here instead of being copied.
func TestEveryMethodIsServedAndTested(t *testing.T) {
	root := testRoot(t)
	methods, err := load()
	if err != nil {
		t.Fatal(err)
	}
	srv, err := emulator.Start(emulator.DemoOrg())
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	goTests := readAll(t, root, "wecom/*_test.go", "wecom/emulator/*_test.go")
	cases := conformanceCases(t, root)

	for _, m := range methods {
		for _, e := range m.endpoints {
			a := ask(t, srv.BaseURL(), e.verb, e.api)
			if a.status == http.StatusNotFound {
				t.Errorf("%s: the emulator does not serve %s %s", m.key(), e.verb, e.api)
				continue
			}
			if m.group.Legacy && !a.retired {
				t.Errorf("%s: the emulator does not serve %s as a retired API of a legacy group", m.key(), e.api)
			}
			if g := ask(t, srv.BaseURL(), "GET", e.api); e.verb == "POST" && !postAndGet[e.api] && g.errcode != 40058 {
				t.Errorf("%s: the emulator serves %s by GET (errcode %d), the table by POST", m.key(), e.api, g.errcode)
			}
		}
		if m.Go != "" && m.HTTP != "" {
			call := regexp.MustCompile(`\.` + m.group.Service + `\.` + m.Go + `(Request)?\(`)
			if !call.MatchString(goTests) {
				t.Errorf("%s: no Go test calls %s.%s", m.key(), m.group.Service, m.Go)
			}
		}
		lua := readAll(t, root, "bindings/testdata/"+m.Group+"_test.lua")
		if !regexp.MustCompile(`\.` + m.Name + `\s*[({"',]`).MatchString(lua) {
			t.Errorf("%s: bindings/testdata/%s_test.lua does not call it", m.key(), m.Group)
		}
		if !cases[m.key()] {
			t.Errorf("%s: no conformance case", m.key())
		}
	}
}

// postAndGet are the APIs of POST rows that WeCom also serves by GET.
var postAndGet = map[string]bool{"user/list_id": true}

// answer is what the emulator answered a request without a token.
type answer struct {
	status  int  // 404 for an API it does not know
	errcode int  // 40058 for a POST API asked by GET
	retired bool // it marks the API retired (Deprecation: true)
}

// ask sends a request with an empty JSON body (for POST) and no token.
func ask(t *testing.T, base, verb, api string) answer {
	t.Helper()
	res, err := http.Post(base+api, "application/json", strings.NewReader("{}"))
	if verb == "GET" {
		res, err = http.Get(base + api)
	}
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var body struct{ Errcode int }
	json.NewDecoder(res.Body).Decode(&body)
	return answer{status: res.StatusCode, errcode: body.Errcode, retired: res.Header.Get("Deprecation") == "true"}
}

// readAll is the content of the files that match the patterns under root.
func readAll(t *testing.T, root string, patterns ...string) string {
	t.Helper()
	var b strings.Builder
	for _, pat := range patterns {
		names, err := filepath.Glob(filepath.Join(root, pat))
		if err != nil {
			t.Fatal(err)
		}
		for _, name := range names {
			data, err := os.ReadFile(name)
			if err != nil {
				t.Fatal(err)
			}
			b.Write(data)
		}
	}
	return b.String()
}

// conformanceCases are the methods the conformance cases of
// bindings/testdata/conformance cover, as "group.method".
func conformanceCases(t *testing.T, root string) map[string]bool {
	t.Helper()
	names, err := filepath.Glob(filepath.Join(root, "bindings/testdata/conformance/*.jsonl"))
	if err != nil || len(names) == 0 {
		t.Fatalf("no conformance cases: %v", err)
	}
	covered := map[string]bool{}
	for _, name := range names {
		f, err := os.Open(name)
		if err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(f)
		sc.Buffer(nil, 1<<20)
		for sc.Scan() {
			var c struct{ Group, Method string }
			if err := json.Unmarshal(sc.Bytes(), &c); err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			covered[c.Group+"."+c.Method] = true
		}
		f.Close()
		if err := sc.Err(); err != nil {
			t.Fatal(err)
		}
	}
	return covered
}
