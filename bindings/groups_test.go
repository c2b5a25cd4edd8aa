package bindings

import (
	"log/slog"
	"strings"
	"testing"

	lua "github.com/yuin/gopher-lua"

	"github.com/wecomrunner/runner/bindings/luajson"
	"github.com/wecomrunner/runner/internal/syncbuf"
	"github.com/wecomrunner/runner/wecom"
	"github.com/wecomrunner/runner/wecom/emulator"
)

// TestLuaGroups runs the Lua tests of each API group against the emulator,
// testdata/<group>_test.lua as the subtest <group> (go test -run TestLua
// runs them).
func TestLuaGroups(t *testing.T) {
	for _, group := range []string{"user", "department", "tag", "batch", "agent", "menu", "jsapi", "misc", "oauth",
		"service", "shakearound", "export", "external_contact", "external_contact_group_chat", "oa"} {
		t.Run(group, func(t *testing.T) { runGroupTests(t, "testdata/"+group+"_test.lua") })
	}
}

// runGroupTests runs the Lua tests of file against one emulator with the
// demo organisation, shared by the file's tests, which run in order. The
// run has these clients: the default (the app 运维助手 with its agent id,
// from emulatorEnv), "report" (the app 日报 with its agent id), "customers"
// (the app 客户助手, configured for the customer contact API), "oa" (the
// app 行政助手, configured for approvals and attendance) and "oa_dry" (the
// same in a dry run), "contacts" (the contacts-sync secret, no agent id),
// "contacts_dry" (the same in a dry run, which must send the exports) and
// "provider" (the service provider's corp, no secret). Each test also sees
// the globals
//
//	emulator.oauth_code(userid)   a code for oauth.get_user_info and user.get_info
//	emulator.login_code(userid)   an auth_code for service.get_login_info
//	emulator.shake_ticket(userid) a ticket for shakearound.get_shake_info
//	emulator.provider             {secret, suite_id, suite_secret, suite_ticket}
//	emulator.member(userid)       the member as the emulator keeps it, or nil
//	emulator.department(id)       the department as the emulator keeps it, or nil
//	emulator.messages()           the app messages sent so far, oldest first
//	emulator.fail_next(api, n, errcode)
//	emulator.fail_next_exports(n)   the next n export jobs fail (status 3)
//	run_log()                     the lines the run's logger wrote so far
func runGroupTests(t *testing.T, file string) {
	t.Parallel()
	env, srv := emulatorEnv(t)
	creds := srv.Credentials()
	base := wecom.WithBaseURL(srv.BaseURL())
	env.Clients["report"] = wecom.New(creds.CorpID, emulator.DemoReportSecret, base, wecom.WithAgentID(emulator.DemoReportAgentID))
	env.Clients["customers"] = wecom.New(creds.CorpID, emulator.DemoCustomerSecret, base, wecom.WithAgentID(emulator.DemoCustomerAgentID))
	env.Clients["oa"] = wecom.New(creds.CorpID, emulator.DemoOASecret, base, wecom.WithAgentID(emulator.DemoOAAgentID))
	env.Clients["oa_dry"] = wecom.New(creds.CorpID, emulator.DemoOASecret, base, wecom.WithAgentID(emulator.DemoOAAgentID), wecom.WithDryRun(func(wecom.DryRun) {}))
	env.Clients["contacts"] = wecom.New(creds.CorpID, creds.ContactsSecret, base)
	env.Clients["contacts_dry"] = wecom.New(creds.CorpID, creds.ContactsSecret, base, wecom.WithDryRun(func(d wecom.DryRun) {
		if strings.HasPrefix(d.API, "export/") { // exports change nothing: a dry run sends them
			t.Errorf("a dry run held back %s %s", d.Method, d.API)
		}
	}))
	if creds.Provider == nil || len(creds.Provider.Suites) == 0 {
		t.Fatal("the demo organisation has no service provider with a suite")
	}
	env.Clients["provider"] = wecom.New(creds.Provider.CorpID, "", base)
	var log syncbuf.Buffer
	env.Logger = slog.New(slog.NewTextHandler(&log, nil))
	runLuaTests(t, file, func(L *lua.LState) {
		Preload(L, env)
		L.SetGlobal("emulator", emulatorTable(L, srv))
		L.SetGlobal("run_log", L.NewFunction(func(L *lua.LState) int {
			lines := strings.Split(strings.TrimSpace(log.String()), "\n")
			if lines[0] == "" {
				lines = nil
			}
			L.Push(luajson.ToLua(L, lines))
			return 1
		}))
	})
}

// emulatorTable is the global emulator of runGroupTests.
func emulatorTable(L *lua.LState, srv *emulator.Server) *lua.LTable {
	mint := func(fn func(string) (string, error)) *lua.LFunction {
		return L.NewFunction(func(L *lua.LState) int {
			v, err := fn(L.CheckString(1))
			if err != nil {
				L.RaiseError("%v", err)
			}
			L.Push(lua.LString(v))
			return 1
		})
	}
	p := srv.Credentials().Provider
	t := L.NewTable()
	t.RawSetString("oauth_code", mint(srv.NewOAuthCode))
	t.RawSetString("login_code", mint(srv.NewLoginAuthCode))
	t.RawSetString("shake_ticket", mint(srv.NewShakeTicket))
	t.RawSetString("provider", luajson.ToLua(L, map[string]any{
		"secret":       p.Secret,
		"suite_id":     p.Suites[0].SuiteID,
		"suite_secret": p.Suites[0].Secret,
		"suite_ticket": p.Suites[0].Ticket,
	}))
	t.RawSetString("member", L.NewFunction(func(L *lua.LState) int {
		id := L.CheckString(1)
		for _, u := range srv.Snapshot().Users {
			if strings.EqualFold(u.UserID, id) {
				L.Push(luajson.ToLua(L, u))
				return 1
			}
		}
		L.Push(lua.LNil)
		return 1
	}))
	t.RawSetString("department", L.NewFunction(func(L *lua.LState) int {
		id := L.CheckInt(1)
		for _, d := range srv.Snapshot().Departments {
			if d.ID == id {
				L.Push(luajson.ToLua(L, d))
				return 1
			}
		}
		L.Push(lua.LNil)
		return 1
	}))
	t.RawSetString("messages", L.NewFunction(func(L *lua.LState) int {
		L.Push(luajson.ToLua(L, srv.Messages()))
		return 1
	}))
	t.RawSetString("fail_next", L.NewFunction(func(L *lua.LState) int {
		srv.FailNext(L.CheckString(1), L.CheckInt(2), L.CheckInt(3))
		return 0
	}))
	t.RawSetString("fail_next_exports", L.NewFunction(func(L *lua.LState) int {
		srv.FailNextExports(L.CheckInt(1))
		return 0
	}))
	return t
}
