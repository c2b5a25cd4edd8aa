package bindings

// Module event is the WeCom event that triggered the run (a job's on:, or
// runner exec --event file.xml). require("event") returns it, and it is also
// the global event; the global is nil in a run that no event triggered,
// where require("event") raises.
//
//	event.MsgType, event.Event, event.ChangeType, event.UserID, ...
//	                           every element of the message under WeCom's name,
//	                           as text ("1409659813"); an element of elements
//	                           is a table (event.BatchJob.JobId), a repeated
//	                           one a list (event.ExtAttr.Item[1].Name); an
//	                           approval's steps, approvers and notified are
//	                           lists even when there is one
//	                           (event.ApprovalInfo.SpRecord[1].Details[1].Approver.UserId)
//	event.lists.Department     comma-separated fields as lists: Department,
//	                           IsLeaderInDept, AddPartyItems and DelPartyItems
//	                           of numbers; DirectLeader, AddUserItems and
//	                           DelUserItems of userids
//
// The table is the run's own copy: a script may change it.

import (
	lua "github.com/yuin/gopher-lua"

	"github.com/wecomrunner/runner/bindings/luajson"
	"github.com/wecomrunner/runner/wecom/callback"
)

type eventModule struct {
	ev callback.Event
}

func newEventModule(env *Env) module { return &eventModule{ev: env.Event} }

func (m *eventModule) exports() map[string]lua.LGFunction { return nil }

// finish returns the event's table instead of a table of functions.
func (m *eventModule) finish(L *lua.LState, _ *lua.LTable) lua.LValue {
	if m.ev == nil {
		L.RaiseError("this run has no event: require(\"event\") is for jobs with on: (runner exec --event FILE.xml gives one to a script)")
	}
	t := luajson.ToLua(L, map[string]any(m.ev)).(*lua.LTable)
	t.RawSetString("lists", luajson.ToLua(L, m.ev.Lists()))
	return t
}

// setEventGlobal sets the global event to require("event") when the run has
// an event, so that both are the same table.
func setEventGlobal(L *lua.LState, env *Env) {
	if env.Event == nil {
		return
	}
	L.Push(L.GetGlobal("require"))
	L.Push(lua.LString("event"))
	L.Call(1, 1)
	L.SetGlobal("event", L.Get(-1))
	L.Pop(1)
}
