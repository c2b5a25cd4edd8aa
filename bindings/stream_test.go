package bindings

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"runtime/debug"
	"strings"
	"sync"
	"testing"

	lua "github.com/yuin/gopher-lua"

	"github.com/wecomrunner/runner/wecom"
)

// streamWeCom is a fake WeCom whose user/list and user/list_id answers the
// test writes by hand, and which records the cursors list_id was sent.
type streamWeCom struct {
	mu      sync.Mutex
	cursors []string
	stuck   bool // list_id answers page3 with page3 as the next cursor
}

// listAnswer is a user/list answer of n members, with errcode where given:
// "first" (as WeCom sends it), "last" (after the members), or "none".
func listAnswer(n int, errcode string) string {
	var b strings.Builder
	b.WriteString("{")
	if errcode == "first" {
		b.WriteString(`"errcode":0,"errmsg":"ok",`)
	}
	b.WriteString(`"userlist":[`)
	for i := range n {
		if i > 0 {
			b.WriteString(",")
		}
		fmt.Fprintf(&b, `{"userid":"user%04d","name":"成员%d","department":[1],"status":1}`, i, i)
	}
	b.WriteString("]")
	if errcode == "last" {
		b.WriteString(`,"errcode":60011,"errmsg":"no privilege to access/modify contact/party/agent"`)
	}
	b.WriteString("}")
	return b.String()
}

// streamState starts the fake WeCom and returns a state whose default
// client calls it, with the test globals.
func streamState(t *testing.T) (*lua.LState, *streamWeCom) {
	t.Helper()
	s := &streamWeCom{}
	mux := http.NewServeMux()
	mux.HandleFunc("/cgi-bin/gettoken", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, `{"errcode":0,"errmsg":"ok","access_token":"TOKEN","expires_in":7200}`)
	})
	mux.HandleFunc("/cgi-bin/user/list", func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Query().Get("department_id") {
		case "2": // errcode after 1,000 members
			io.WriteString(w, listAnswer(1000, "last"))
		case "3": // the connection breaks in the middle of the answer
			answer := listAnswer(3000, "first")
			w.Header().Set("Content-Length", fmt.Sprint(len(answer)))
			io.WriteString(w, answer[:len(answer)/2])
		default:
			io.WriteString(w, listAnswer(3000, "first"))
		}
	})
	mux.HandleFunc("/cgi-bin/user/list_id", func(w http.ResponseWriter, r *http.Request) {
		var req struct {
			Cursor string `json:"cursor"`
		}
		json.NewDecoder(r.Body).Decode(&req)
		s.mu.Lock()
		s.cursors = append(s.cursors, req.Cursor)
		s.mu.Unlock()
		next := map[string]string{"": "page2", "page2": "page3", "page3": ""}[req.Cursor]
		s.mu.Lock()
		if s.stuck && req.Cursor == "page3" {
			next = "page3"
		}
		s.mu.Unlock()
		var rows []string
		for i := range 3 {
			rows = append(rows, fmt.Sprintf(`{"userid":"%s-%d","department":1}`, req.Cursor, i))
		}
		fmt.Fprintf(w, `{"errcode":0,"errmsg":"ok","next_cursor":%q,"dept_user":[%s]}`, next, strings.Join(rows, ","))
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	c := wecom.New("wwcorp", "secret", wecom.WithBaseURL(srv.URL+"/cgi-bin/"), wecom.WithRetries(1))
	L := lua.NewState()
	t.Cleanup(L.Close)
	L.SetContext(t.Context())
	Preload(L, &Env{Clients: map[string]*wecom.Client{"default": c}, Default: "default"})
	setTestGlobals(L)
	return L, s
}

func runLua(t *testing.T, L *lua.LState, src string) {
	t.Helper()
	if err := L.DoString(src); err != nil {
		t.Fatal(err)
	}
}

func TestStreamedListsAndIterators(t *testing.T) {
	L, _ := streamState(t)
	runLua(t, L, `
		local wecom = require("wecom")
		local users = wecom.user.list(1)
		assert_eq(#users, 3000)
		assert_eq(users[3000], {userid = "user2999", name = "成员2999", department = {1}, status = 1})
		local n = 0
		for u in wecom.user.each(1) do
		  n = n + 1
		  assert_eq(u.userid, users[n].userid)
		end
		assert_eq(n, 3000)

		-- A fan-out reads each answer whole in its worker.
		local results, failed = wecom.fanout("user.list", {{1}, {department_id = 1}})
		assert_eq(failed, 0)
		assert_eq(#results[2].result, 3000)
	`)
}

func TestStreamedErrcodeAfterTheMembers(t *testing.T) {
	L, _ := streamState(t)
	runLua(t, L, `
		local wecom = require("wecom")
		local err = fails(wecom.user.list, 2)
		assert_eq(err.errcode, 60011)
		assert_eq(err.errmsg, "no privilege to access/modify contact/party/agent")
		assert_eq(err.api, "user/list")

		local n = 0
		local ok, e = pcall(function()
		  for _ in wecom.user.each(2) do n = n + 1 end
		end)
		assert_eq(ok, false)
		assert_eq(e.errcode, 60011, "the loop raises when it reaches the errcode")
		assert_eq(n, 1000)
	`)
}

func TestStreamedAnswerCutShort(t *testing.T) {
	L, _ := streamState(t)
	runLua(t, L, `
		local wecom = require("wecom")
		local err = fails(wecom.user.list, 3)
		contains(tostring(err), "user/list: decoding the answer: reading the JSON text")

		local n = 0
		local ok, e = pcall(function()
		  for _ in wecom.user.each(3) do n = n + 1 end
		end)
		assert_eq(ok, false)
		contains(tostring(e), "user/list: reading the answer: reading the JSON text")
		assert_eq(n > 0 and n < 3000, true, "the members before the break were yielded: " .. n)
	`)
}

func TestEachIDFollowsTheCursor(t *testing.T) {
	L, s := streamState(t)
	runLua(t, L, `
		local wecom = require("wecom")
		local ids = {}
		for row in wecom.user.each_id() do
		  ids[#ids + 1] = row.userid
		end
		assert_eq(ids, {"-0", "-1", "-2", "page2-0", "page2-1", "page2-2", "page3-0", "page3-1", "page3-2"})
	`)
	if got, want := strings.Join(s.cursors, ","), ",page2,page3"; got != want {
		t.Errorf("cursors sent: %q, want %q", got, want)
	}

	s.mu.Lock()
	s.stuck = true
	s.mu.Unlock()
	runLua(t, L, `
		local n = 0
		local ok, e = pcall(function()
		  local wecom = require("wecom")
		  for _ in wecom.user.each_id() do n = n + 1 end
		end)
		assert_eq(ok, false)
		contains(tostring(e), "the next cursor is the one sent")
		assert_eq(n, 9)
	`)
}

// TestPauseGC checks that pauses of the collector for large decodes nest and
// restore the settings when the last one ends, and that a small answer does
// not pause it.
func TestPauseGC(t *testing.T) {
	percent := func() int {
		p := debug.SetGCPercent(-1)
		debug.SetGCPercent(p)
		return p
	}
	defer debug.SetGCPercent(debug.SetGCPercent(77))
	defer debug.SetMemoryLimit(debug.SetMemoryLimit(math.MaxInt64))

	pauseGC(1000)()
	if got := percent(); got != 77 {
		t.Errorf("a small answer: GC percent %d, want 77", got)
	}
	first := pauseGC(4 << 20)
	second := pauseGC(8 << 20)
	if got, limit := percent(), debug.SetMemoryLimit(-1); got != -1 || limit == math.MaxInt64 {
		t.Errorf("during two decodes: GC percent %d, memory limit %d; want -1 and a limit", got, limit)
	}
	first()
	if got := percent(); got != -1 {
		t.Errorf("during the second decode: GC percent %d, want -1", got)
	}
	second()
	if got, limit := percent(), debug.SetMemoryLimit(-1); got != 77 || limit != math.MaxInt64 {
		t.Errorf("after: GC percent %d, memory limit %d; want 77 and none", got, limit)
	}
}
