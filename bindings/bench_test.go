package bindings

// Benchmarks of the Lua path of a WeCom call: wecom.user.get against the same
// call from the Go client, a fan-out of 10,000 messages against a sequential
// loop, and a 50,000-member user.list from HTTP to Lua tables.
//
//	go test ./bindings/ -run '^$' -bench 'UserGet|Fanout|Sequential|UserList50k' -benchmem
//
// With -short, the fan-out sends 1,000 messages instead of 10,000.

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	lua "github.com/yuin/gopher-lua"

	"github.com/wecomrunner/runner/bindings/luajson/luajsontest"
	"github.com/wecomrunner/runner/internal/benchpair"
	"github.com/wecomrunner/runner/internal/emulatortest"
	"github.com/wecomrunner/runner/wecom"
	"github.com/wecomrunner/runner/wecom/emulator"
)

// staticWeCom is a fake WeCom that answers gettoken and, for each API in
// answers, the given bytes, as fast as a handler can: the benchmarks measure
// the client side.
type staticWeCom struct {
	*httptest.Server
	gettokens atomic.Int64
}

const benchToken = "bench-access-token"

func newStaticWeCom(b *testing.B, answers map[string][]byte) *staticWeCom {
	b.Helper()
	s := &staticWeCom{}
	mux := http.NewServeMux()
	mux.HandleFunc("/cgi-bin/gettoken", func(w http.ResponseWriter, r *http.Request) {
		s.gettokens.Add(1)
		w.Header().Set("Content-Type", "application/json; charset=UTF-8")
		fmt.Fprintf(w, `{"errcode":0,"errmsg":"ok","access_token":%q,"expires_in":7200}`, benchToken)
	})
	for api, body := range answers {
		mux.HandleFunc("/cgi-bin/"+api, func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Query().Get("access_token") != benchToken {
				fmt.Fprint(w, `{"errcode":40014,"errmsg":"invalid access_token"}`)
				return
			}
			w.Header().Set("Content-Type", "application/json; charset=UTF-8")
			w.Header().Set("Content-Length", strconv.Itoa(len(body)))
			w.Write(body)
		})
	}
	s.Server = httptest.NewServer(mux)
	b.Cleanup(s.Close)
	return s
}

// noWait is a client-side rate limit so high that the limiter runs on every
// call but never makes one wait: the default 9,000 calls a minute would pace
// a tight loop of user.get to 150 calls a second, which is policy, not the
// cost of a call.
var noWait = wecom.WithRateLimit(math.MaxInt32)

// benchState is a Lua state as a run has it: the run's context and every
// module preloaded, for the default client c. It is closed when b ends.
func benchState(b *testing.B, c *wecom.Client) *lua.LState {
	b.Helper()
	L := lua.NewState()
	b.Cleanup(L.Close)
	L.SetContext(b.Context())
	Preload(L, &Env{Clients: map[string]*wecom.Client{"default": c}, Default: "default"})
	return L
}

// benchFunc compiles the chunk src, which returns a function, and returns a Go
// function that calls it with args.
func benchFunc(b *testing.B, L *lua.LState, src string) func(args ...lua.LValue) {
	b.Helper()
	if err := L.DoString(src); err != nil {
		b.Fatal(err)
	}
	fn := L.Get(-1).(*lua.LFunction)
	L.Pop(1)
	return func(args ...lua.LValue) {
		if err := L.CallByParam(lua.P{Fn: fn, Protect: true}, args...); err != nil {
			b.Fatal(err)
		}
	}
}

// userGetAnswer is the emulator's answer to user/get of zhangsan, the demo
// org's member with every field filled in.
func userGetAnswer(b *testing.B) []byte {
	b.Helper()
	srv := emulatortest.Start(b, nil, emulator.WithContactsSyncIPs("127.0.0.1")) // the contacts sync reads members
	c := wecom.New(emulator.DemoCorpID, emulator.DemoContactsSecret, wecom.WithBaseURL(srv.BaseURL()))
	var raw json.RawMessage
	if err := c.Do(context.Background(), c.User.GetRequest("zhangsan"), &raw); err != nil {
		b.Fatal(err)
	}
	return raw
}

// userGetLoop is a Lua function calling wecom.user.get n times.
const userGetLoop = `
local wecom = require("wecom")
return function(n)
  for i = 1, n do
    local u = wecom.user.get("zhangsan")
    if u.userid ~= "zhangsan" then error("userid " .. tostring(u.userid)) end
  end
end`

// userGetBench is the server and the warm client of the user.get benchmarks.
func userGetBench(b *testing.B) *wecom.Client {
	srv := newStaticWeCom(b, map[string][]byte{"user/get": userGetAnswer(b)})
	c := wecom.New("wwbench", "bench-secret", wecom.WithBaseURL(srv.URL+"/cgi-bin/"), noWait)
	if _, err := c.User.Get(b.Context(), "zhangsan"); err != nil { // token and connection
		b.Fatal(err)
	}
	return c
}

// goUserGet is the Go client's side of the user.get benchmarks.
func goUserGet(b *testing.B, c *wecom.Client, n int) {
	for range n {
		u, err := c.User.Get(b.Context(), "zhangsan")
		if err != nil {
			b.Fatal(err)
		}
		if u.UserID != "zhangsan" {
			b.Fatalf("userid %q", u.UserID)
		}
	}
}

// BenchmarkLuaUserGet is wecom.user.get called in a Lua loop in one state,
// over a keep-alive connection: argument checking, the client's call, and
// the answer decoded into a Lua table. Compare with BenchmarkGoUserGet.
func BenchmarkLuaUserGet(b *testing.B) {
	c := userGetBench(b)
	run := benchFunc(b, benchState(b, c), userGetLoop)
	b.ReportAllocs()
	b.ResetTimer()
	run(lua.LNumber(b.N))
}

// BenchmarkGoUserGet is the Go client's User.Get on the same server, the
// yardstick of BenchmarkLuaUserGet.
func BenchmarkGoUserGet(b *testing.B) {
	c := userGetBench(b)
	b.ReportAllocs()
	b.ResetTimer()
	goUserGet(b, c, b.N)
}

// BenchmarkLuaOverGoUserGet alternates rounds of ten calls from Lua and ten
// from Go on one server, so that both see the same load of a shared machine,
// and reports the median time per call of each and their ratio (the target
// is at most 1.3). One op is one round of each.
func BenchmarkLuaOverGoUserGet(b *testing.B) {
	const round = 10
	c := userGetBench(b)
	run := benchFunc(b, benchState(b, c), userGetLoop)
	run(lua.LNumber(round))
	var fromLua, fromGo []time.Duration
	for b.Loop() {
		t0 := time.Now()
		run(lua.LNumber(round))
		t1 := time.Now()
		goUserGet(b, c, round)
		fromLua, fromGo = append(fromLua, t1.Sub(t0)/round), append(fromGo, time.Since(t1)/round)
	}
	benchpair.Report(b, "lua", fromLua, "go", fromGo)
}

// sendLatency is the emulator's answer time in the fan-out benchmarks,
// WeCom's from a server in China on a good day.
const sendLatency = 20 * time.Millisecond

// fanoutSize is the number of messages of BenchmarkFanout10000: 10,000, or
// 1,000 with -short.
func fanoutSize() int {
	if testing.Short() {
		return 1000
	}
	return 10000
}

// sendBench starts the emulator with the demo org plus members member00001
// to member<n>, all visible to the demo ops app, answering after
// sendLatency, and returns it with a Lua state whose default client is the
// ops app with the client's default settings (rate limits included), and
// the global items holding one send_text argument table per member.
func sendBench(b *testing.B, n int) (*emulator.Server, *lua.LState) {
	b.Helper()
	org := emulator.DemoOrg()
	for i := 1; i <= n; i++ {
		org.Users = append(org.Users, emulator.User{UserID: fmt.Sprintf("member%05d", i), Name: fmt.Sprintf("成员%d", i), Department: []int{1}})
	}
	srv := emulatortest.Start(b, org, emulator.WithLatency(sendLatency, 0), emulator.WithRequestLogSize(n+100))
	c := wecom.New(emulator.DemoCorpID, emulator.DemoOpsSecret,
		wecom.WithBaseURL(srv.BaseURL()), wecom.WithAgentID(emulator.DemoOpsAgentID))
	L := benchState(b, c)
	items := L.CreateTable(n, 0)
	for i := 1; i <= n; i++ {
		t := L.CreateTable(0, 2)
		t.RawSetString("user_ids", lua.LString(fmt.Sprintf("member%05d", i)))
		t.RawSetString("content", lua.LString(fmt.Sprintf("成员%d，早上好：今天 10:00 在三楼会议室开周会。", i)))
		items.RawSetInt(i, t)
	}
	L.SetGlobal("items", items)
	return srv, L
}

// checkSends fails b unless the emulator answered every request since start
// without a frequency-limit error and recorded want messages in all.
func checkSends(b *testing.B, srv *emulator.Server, start time.Time, want int) {
	b.Helper()
	for _, r := range srv.Requests() {
		if !r.Time.Before(start) && (r.ErrCode == wecom.CodeFrequencyLimited || r.ErrCode == wecom.CodeConcurrencyLimited) {
			b.Fatalf("the emulator answered %s with errcode %d", r.API, r.ErrCode)
		}
	}
	if got := srv.Stats().Messages; got != want {
		b.Fatalf("the emulator recorded %d messages, want %d", got, want)
	}
}

// timeSends runs run, which sends n messages, in b's loop, checks each
// round with checkSends outside the timer, reports ns/send and returns it.
func timeSends(b *testing.B, srv *emulator.Server, run func(...lua.LValue), n int) float64 {
	b.Helper()
	sent := 0
	for b.Loop() {
		start := time.Now()
		run()
		sent += n
		b.StopTimer()
		checkSends(b, srv, start, sent)
		b.StartTimer()
	}
	perSend := float64(b.Elapsed().Nanoseconds()) / float64(sent)
	b.ReportMetric(perSend, "ns/send")
	return perSend
}

// BenchmarkFanout10000 sends 10,000 personalised text messages, one per
// member, with one wecom.fanout call at its default concurrency, against the
// emulator answering each after 20 ms, with the client's default rate limits.
// It fails if any call was answered with 45009 or 45033. (The emulator, like
// WeCom, puts no per-API limit on message/send: WeCom limits app messages
// per recipient and per day instead.) ns/send is the wall time divided by
// the sends: compare it with BenchmarkSequential10000's (the target is at
// least 8 times faster).
func BenchmarkFanout10000(b *testing.B) {
	n := fanoutSize()
	srv, L := sendBench(b, n)
	run := benchFunc(b, L, `
local wecom = require("wecom")
return function()
  local results, failed = wecom.fanout("message.send_text", items)
  if failed > 0 then
    for i, r in ipairs(results) do
      if not r.ok then error("item " .. i .. ": " .. tostring(r.error)) end
    end
  end
  if #results ~= #items then error(#results .. " results") end
end`)
	timeSends(b, srv, run, n)
}

// sequentialSample is how many messages BenchmarkSequential10000 sends.
const sequentialSample = 200

// BenchmarkSequential10000 is the yardstick of BenchmarkFanout10000: the same
// messages sent one after the other from a Lua loop, against the same
// emulator. 10,000 of them take over 200 s (20 ms each at least), so it
// sends the first 200 and extrapolates: ns/send is the time per send, and
// s/10000 the time 10,000 sends would take.
func BenchmarkSequential10000(b *testing.B) {
	srv, L := sendBench(b, sequentialSample)
	run := benchFunc(b, L, `
local wecom = require("wecom")
return function()
  for i = 1, #items do
    wecom.message.send_text(items[i])
  end
end`)
	perSend := timeSends(b, srv, run, sequentialSample)
	b.ReportMetric(perSend*10000/1e9, "s/10000")
}

// BenchmarkLuaUserList50k is wecom.user.list(1, true) from Lua against a
// server answering the 50,000-member body of BenchmarkDecodeUserList50k
// (about 13 MB): the whole path of a big read, HTTP, the envelope scan, the
// userlist member and its decoding into Lua tables.
func BenchmarkLuaUserList50k(b *testing.B) {
	body := luajsontest.UserListBody(50000)
	srv := newStaticWeCom(b, map[string][]byte{"user/list": body})
	c := wecom.New("wwbench", "bench-secret", wecom.WithBaseURL(srv.URL+"/cgi-bin/"))
	run := benchFunc(b, benchState(b, c), `
local wecom = require("wecom")
return function()
  local users = wecom.user.list(1, true)
  if #users ~= 50000 then error(#users .. " members") end
end`)
	run() // token and connection
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		run()
	}
}

// largeOrgClient starts the emulator serving emulator.LargeOrg(departments,
// members) and returns a client of its contacts-sync secret, after one full
// member list so that the emulator's first answer is not measured.
func largeOrgClient(b *testing.B, departments, members int) *wecom.Client {
	b.Helper()
	srv := emulatortest.Start(b, emulator.LargeOrg(departments, members), emulator.WithContactsSyncIPs("127.0.0.1")) // the contacts sync reads members
	c := wecom.New(emulator.DemoCorpID, emulator.DemoContactsSecret, wecom.WithBaseURL(srv.BaseURL()))
	var raw json.RawMessage
	if err := c.Do(b.Context(), c.User.ListRequest(1, &wecom.UserListOptions{FetchChild: true}), &raw); err != nil {
		b.Fatal(err)
	}
	return c
}

// BenchmarkLuaUserListOrg50k is wecom.user.list(1, true) from Lua against
// the emulator over loopback, serving emulator.LargeOrg(100, 50000): members
// with every field WeCom returns, about 35 MB of user/list JSON. It is the
// in-process side of BenchmarkUserListProcess50k (package e2e), which
// compares the same list with Python's and measures the peak memory of the
// process.
func BenchmarkLuaUserListOrg50k(b *testing.B) {
	benchLargeLoop(b, `
local wecom = require("wecom")
return function()
  local users = wecom.user.list(1, true)
  if #users ~= 50000 then error(#users .. " members") end
end`)
}

// BenchmarkLuaUserEachOrg50k is the same organisation counted with
// wecom.user.each, one member at a time.
func BenchmarkLuaUserEachOrg50k(b *testing.B) {
	benchLargeLoop(b, `
local wecom = require("wecom")
return function()
  local n = 0
  for u in wecom.user.each(1, true) do
    if u.status == 1 then n = n + 1 end
  end
  if n == 0 then error("no active member") end
end`)
}

// benchLargeLoop runs the function that src returns once per op against
// emulator.LargeOrg(100, 50000).
func benchLargeLoop(b *testing.B, src string) {
	c := largeOrgClient(b, 100, 50000)
	run := benchFunc(b, benchState(b, c), src)
	b.ReportAllocs()
	for b.Loop() {
		run()
	}
}

// BenchmarkLuaExportEachUser100k counts the members of
// emulator.LargeOrg(100, 100000) with wecom.export.each_user: export/user,
// get_result until done (the emulator's job is processing at the first poll,
// so each op includes Export.Wait's first pause of 500 ms), the download and
// decryption of the file in memory, and its rows decoded into Lua one at a
// time.
func BenchmarkLuaExportEachUser100k(b *testing.B) {
	c := largeOrgClient(b, 100, 100000)
	run := benchFunc(b, benchState(b, c), `
local wecom = require("wecom")
return function()
  local n = 0
  for u in wecom.export.each_user() do
    if u.status == 1 then n = n + 1 end
  end
  if n == 0 then error("no active member") end
end`)
	b.ReportAllocs()
	for b.Loop() {
		run()
	}
}
