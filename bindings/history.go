package bindings

// Module history reads the outcome of jobs' past runs, for reports:
//
//	history.last(job) -> {id, result, error, started, finished, duration} or nil
//
// result is ok, failed, timed_out, skipped or interrupted; started and
// finished are Unix times in seconds, duration is in seconds.

import (
	lua "github.com/yuin/gopher-lua"
)

type historyModule struct{ env *Env }

func newHistoryModule(env *Env) module { return &historyModule{env: env} }

func (m *historyModule) exports() map[string]lua.LGFunction {
	return map[string]lua.LGFunction{"last": m.last}
}

func (m *historyModule) last(L *lua.LState) int {
	job := L.CheckString(1)
	if m.env.History == nil {
		L.RaiseError("history is unavailable: the run has no state store (use --config)")
	}
	r, ok, err := m.env.History.LastRun(contextOf(L), job)
	if err != nil {
		L.RaiseError("history.last(%q): %v", job, err)
	}
	if !ok {
		L.Push(lua.LNil)
		return 1
	}
	t := L.CreateTable(0, 6)
	t.RawSetString("id", lua.LString(r.ID))
	t.RawSetString("result", lua.LString(r.Result))
	if r.Error != "" {
		t.RawSetString("error", lua.LString(r.Error))
	}
	t.RawSetString("started", lua.LNumber(float64(r.Started.UnixMilli())/1000))
	if !r.Finished.IsZero() {
		t.RawSetString("finished", lua.LNumber(float64(r.Finished.UnixMilli())/1000))
		t.RawSetString("duration", lua.LNumber(r.Finished.Sub(r.Started).Seconds()))
	}
	L.Push(t)
	return 1
}
