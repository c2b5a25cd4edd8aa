package callback

import (
	"errors"
	"reflect"
	"strings"
	"testing"
)

// createUser is a change_contact create_user event as WeCom documents it
// (path/90970), with an ExtAttr of two items.
const createUser = `<xml>
<ToUserName><![CDATA[toUser]]></ToUserName>
<FromUserName><![CDATA[sys]]></FromUserName>
<CreateTime>1403610513</CreateTime>
<MsgType><![CDATA[event]]></MsgType>
<Event><![CDATA[change_contact]]></Event>
<ChangeType>create_user</ChangeType>
<UserID><![CDATA[zhangsan]]></UserID>
<Department><![CDATA[1,2,3]]></Department>
<MainDepartment>1</MainDepartment>
<IsLeaderInDept><![CDATA[1,0,0]]></IsLeaderInDept>
<DirectLeader><![CDATA[lisi,wangwu]]></DirectLeader>
<Position><![CDATA[产品经理]]></Position>
<ExtAttr>
  <Item><Name><![CDATA[爱好]]></Name><Type>0</Type><Text><Value><![CDATA[旅游]]></Value></Text></Item>
  <Item><Name><![CDATA[卡号]]></Name><Type>1</Type><Web><Title><![CDATA[企业微信]]></Title><Url><![CDATA[https://work.weixin.qq.com]]></Url></Web></Item>
</ExtAttr>
<Alias><![CDATA[jackzhang]]></Alias>
</xml>`

func TestParseEvent(t *testing.T) {
	t.Parallel()
	ev, err := ParseEvent([]byte(createUser))
	if err != nil {
		t.Fatal(err)
	}
	if ev.Type() != "change_contact" || ev.Get("ChangeType") != "create_user" || ev.Get("UserID") != "zhangsan" {
		t.Errorf("event = %v", ev)
	}
	if got := ev.Get("Department"); got != "1,2,3" {
		t.Errorf("Department = %q, want WeCom's text", got)
	}
	items, ok := ev["ExtAttr"].(map[string]any)["Item"].([]any)
	if !ok || len(items) != 2 {
		t.Fatalf("ExtAttr.Item = %#v, want a list of 2", ev["ExtAttr"])
	}
	first := items[0].(map[string]any)
	if first["Name"] != "爱好" || first["Text"].(map[string]any)["Value"] != "旅游" {
		t.Errorf("first item = %v", first)
	}
	lists := ev.Lists()
	want := map[string]any{
		"Department":     []any{1, 2, 3},
		"IsLeaderInDept": []any{1, 0, 0},
		"DirectLeader":   []any{"lisi", "wangwu"},
	}
	if !reflect.DeepEqual(lists, want) {
		t.Errorf("Lists = %#v, want %#v", lists, want)
	}
	if got := ev.IDs("Department"); !reflect.DeepEqual(got, []int{1, 2, 3}) {
		t.Errorf("IDs(Department) = %v", got)
	}
}

func TestParseEventShapes(t *testing.T) {
	t.Parallel()
	tests := []struct {
		xml  string
		want Event
	}{
		{`<xml></xml>`, Event{}},
		{`<?xml version="1.0"?><xml><A>1</A><!-- note --></xml>`, Event{"A": "1"}},
		{`<xml><A> </A><B/></xml>`, Event{"A": "", "B": ""}},
		{`<xml><A>1</A><A>2</A><A>3</A></xml>`, Event{"A": []any{"1", "2", "3"}}},
		{`<xml><Item>x</Item></xml>`, Event{"Item": []any{"x"}}},
		{`<xml><B><C>1</C></B></xml>`, Event{"B": map[string]any{"C": "1"}}},
		{`<xml><A>a &amp; b &#20225;</A></xml>`, Event{"A": "a & b 企"}},
		{`<xml><A x="1">t</A></xml>`, Event{"A": "t"}},
	}
	for _, tt := range tests {
		got, err := ParseEvent([]byte(tt.xml))
		if err != nil || !reflect.DeepEqual(got, tt.want) {
			t.Errorf("ParseEvent(%s) = %#v, %v; want %#v", tt.xml, got, err, tt.want)
		}
	}
}

func TestParseEventRefuses(t *testing.T) {
	t.Parallel()
	bomb := `<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]><xml><A>&lol2;</A></xml>`
	tests := []struct {
		name, xml string
		err       error
	}{
		{"entity bomb", bomb, ErrEvent},
		{"undefined entity", `<xml><A>&lol;</A></xml>`, ErrEvent},
		{"external entity", `<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><xml><A>&e;</A></xml>`, ErrEvent},
		{"deep", "<xml>" + strings.Repeat("<a>", MaxDepth) + strings.Repeat("</a>", MaxDepth) + "</xml>", ErrEvent},
		{"wide", "<xml>" + strings.Repeat("<a/>", MaxElements) + "</xml>", ErrEvent},
		{"large", "<xml><A>" + strings.Repeat("a", MaxBody) + "</A></xml>", ErrTooLarge},
		{"other root", `<html></html>`, ErrEvent},
		{"empty", ``, ErrEvent},
		{"unclosed", `<xml><A>1</A>`, ErrEvent},
		{"mismatched", `<xml><A>1</B></xml>`, ErrEvent},
		{"two roots", `<xml></xml><xml></xml>`, ErrEvent},
		{"trailing text", `<xml></xml>junk`, ErrEvent},
	}
	for _, tt := range tests {
		if _, err := ParseEvent([]byte(tt.xml)); !errors.Is(err, tt.err) {
			t.Errorf("%s: error %v, want %v", tt.name, err, tt.err)
		}
	}
	// Just inside the limits is fine.
	deep := "<xml>" + strings.Repeat("<a>", MaxDepth-1) + strings.Repeat("</a>", MaxDepth-1) + "</xml>"
	if _, err := ParseEvent([]byte(deep)); err != nil {
		t.Errorf("depth %d: %v", MaxDepth, err)
	}
}

func TestKey(t *testing.T) {
	t.Parallel()
	parse := func(s string) Event {
		t.Helper()
		ev, err := ParseEvent([]byte(s))
		if err != nil {
			t.Fatal(err)
		}
		return ev
	}
	a := parse(createUser)
	same := parse(strings.ReplaceAll(createUser, "\n", ""))
	if a.Key() != same.Key() {
		t.Error("the same event formatted differently has another key")
	}
	for _, change := range []string{
		strings.Replace(createUser, "1403610513", "1403610514", 1),                 // CreateTime
		strings.Replace(createUser, "zhangsan", "zhangsan2", 1),                    // UserID
		strings.Replace(createUser, "create_user", "update_user", 1),               // ChangeType
		strings.Replace(createUser, "旅游", "读书", 1),                                 // a nested field
		strings.Replace(createUser, "<Alias><![CDATA[jackzhang]]></Alias>", "", 1), // a field less
	} {
		if parse(change).Key() == a.Key() {
			t.Errorf("a different event has the same key:\n%s", change)
		}
	}
	// Field boundaries are part of the digest.
	if parse(`<xml><A>bc</A></xml>`).Key() == parse(`<xml><Ab>c</Ab></xml>`).Key() {
		t.Error("keys collide across field boundaries")
	}
	if got := parse(`<xml><MsgId>42</MsgId><Content>x</Content></xml>`).Key(); got != "msg:42" {
		t.Errorf("message key = %q", got)
	}
}
