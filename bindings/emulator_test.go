package bindings

import (
	"testing"

	lua "github.com/yuin/gopher-lua"

	"github.com/wecomrunner/runner/internal/emulatortest"
	"github.com/wecomrunner/runner/wecom"
	"github.com/wecomrunner/runner/wecom/emulator"
)

// emulatorEnv starts the emulator with its demo organisation and returns a
// run whose default client is the demo app 运维助手 (with its agent id) and
// whose allowed directory is a fresh temporary one. The emulator applies
// today's rules (运维助手, a new application, reads no mobile or email),
// the demo corp's contacts sync calling from this machine since before
// 2022-08-15: it may still read members with user.get and user.list.
func emulatorEnv(t *testing.T) (*Env, *emulator.Server) {
	t.Helper()
	srv := emulatortest.Start(t, nil, emulator.WithContactsSyncIPs("127.0.0.1"))
	c := wecom.New(emulator.DemoCorpID, emulator.DemoOpsSecret,
		wecom.WithBaseURL(srv.BaseURL()), wecom.WithAgentID(emulator.DemoOpsAgentID))
	env := &Env{Clients: map[string]*wecom.Client{"default": c}, Default: "default", Dirs: []string{t.TempDir()}}
	return env, srv
}

// runModuleTests runs the Lua tests of file against the emulator.
func runModuleTests(t *testing.T, file string) {
	env, _ := emulatorEnv(t)
	runLuaTests(t, file, func(L *lua.LState) { Preload(L, env) })
}
