package bindings

import (
	"strings"
	"testing"

	lua "github.com/yuin/gopher-lua"

	"github.com/wecomrunner/runner/wecom/callback"
)

// joinEvent is a change_contact create_user event as WeCom sends it since
// 2022: the member's id and departments, little more.
const joinEvent = `<xml>
<ToUserName><![CDATA[ww7d0a5c1e2f3b4a69]]></ToUserName>
<FromUserName><![CDATA[sys]]></FromUserName>
<CreateTime>1700000000</CreateTime>
<MsgType><![CDATA[event]]></MsgType>
<Event><![CDATA[change_contact]]></Event>
<ChangeType>create_user</ChangeType>
<UserID><![CDATA[xiaoming]]></UserID>
<Department><![CDATA[2,5]]></Department>
<MainDepartment>5</MainDepartment>
<IsLeaderInDept><![CDATA[0,1]]></IsLeaderInDept>
<ExtAttr><Item><Name><![CDATA[工号]]></Name><Type>0</Type><Text><Value><![CDATA[A1024]]></Value></Text></Item></ExtAttr>
</xml>`

func TestEventModule(t *testing.T) {
	ev, err := callback.ParseEvent([]byte(joinEvent))
	if err != nil {
		t.Fatal(err)
	}
	env := &Env{Event: ev}
	runLuaTests(t, "testdata/event_test.lua", func(L *lua.LState) { Preload(L, env) })
}

func TestEventModuleWithoutEvent(t *testing.T) {
	L := lua.NewState()
	defer L.Close()
	Preload(L, &Env{})
	if v := L.GetGlobal("event"); v != lua.LNil {
		t.Errorf("the global event of a run without event = %v, want nil", v)
	}
	err := L.DoString(`require("event")`)
	if err == nil {
		t.Fatal(`require("event") without an event succeeded`)
	}
	if want := "this run has no event"; !strings.Contains(err.Error(), want) {
		t.Errorf("error %q lacks %q", err, want)
	}
}
