package bindings

import (
	"context"
	"testing"
	"time"

	lua "github.com/yuin/gopher-lua"

	"github.com/wecomrunner/runner/wecom"
	"github.com/wecomrunner/runner/wecom/emulator"
)

// TestLuaRateLimit runs testdata/ratelimit_test.lua against the emulator
// with a run's deadline 20 seconds away and the clients
//
//	default   the app 运维助手, limited to 2 calls a minute by the client
//	patient   the same app, waiting at most 200ms for WeCom's frequency limit
//
// and the globals emulator.set_rate_limit(api, per_minute) and
// emulator.set_daily_quota(api, per_day).
func TestLuaRateLimit(t *testing.T) {
	t.Parallel()
	env, srv := emulatorEnv(t)
	base := wecom.WithBaseURL(srv.BaseURL())
	agent := wecom.WithAgentID(emulator.DemoOpsAgentID)
	env.Clients["default"] = wecom.New(emulator.DemoCorpID, emulator.DemoOpsSecret, base, agent, wecom.WithRateLimit(2))
	env.Clients["patient"] = wecom.New(emulator.DemoCorpID, emulator.DemoOpsSecret, base, agent, wecom.WithRateLimitWait(200*time.Millisecond))
	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
	t.Cleanup(cancel)
	runLuaTests(t, "testdata/ratelimit_test.lua", func(L *lua.LState) {
		L.SetContext(ctx)
		Preload(L, env)
		em := L.NewTable()
		em.RawSetString("set_rate_limit", L.NewFunction(func(L *lua.LState) int {
			srv.SetRateLimit(L.CheckString(1), L.CheckInt(2))
			return 0
		}))
		em.RawSetString("set_daily_quota", L.NewFunction(func(L *lua.LState) int {
			srv.SetDailyQuota(L.CheckString(1), L.CheckInt(2))
			return 0
		}))
		L.SetGlobal("emulator", em)
	})
}
