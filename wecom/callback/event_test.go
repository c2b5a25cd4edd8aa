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

// approvalChange is a sys_approval_change in the shape of WeCom's example
// (审批申请状态变化回调通知): one step of two approvers (会签), one notified.
const approvalChange = `<xml>
<ToUserName><![CDATA[ww7d0a5c1e2f3b4a69]]></ToUserName>
<FromUserName><![CDATA[sys]]></FromUserName>
<CreateTime>1765000000</CreateTime>
<MsgType><![CDATA[event]]></MsgType>
<Event><![CDATA[sys_approval_change]]></Event>
<AgentID>1000005</AgentID>
<ApprovalInfo>
  <SpNoStr><![CDATA[202612070001]]></SpNoStr>
  <SpNo>202612070001</SpNo>
  <SpName><![CDATA[请假]]></SpName>
  <SpStatus>2</SpStatus>
  <TemplateId><![CDATA[C4UE1fTqkHhtYmCcL2u2BTGa1N8jXp6VmVf5wBz1A]]></TemplateId>
  <ApplyTime>1764990000</ApplyTime>
  <Applyer><UserId><![CDATA[zhaoliu]]></UserId><Party><![CDATA[6]]></Party></Applyer>
  <SpRecord>
    <SpStatus>2</SpStatus>
    <ApproverAttr>2</ApproverAttr>
    <Details><Approver><UserId><![CDATA[lisi]]></UserId></Approver><Speech><![CDATA[同意]]></Speech><SpStatus>2</SpStatus><SpTime>1764999000</SpTime></Details>
    <Details><Approver><UserId><![CDATA[wangwu]]></UserId></Approver><Speech><![CDATA[]]></Speech><SpStatus>2</SpStatus><SpTime>1765000000</SpTime></Details>
  </SpRecord>
  <Notifyer><UserId><![CDATA[chenjing]]></UserId></Notifyer>
  <StatuChangeEvent>2</StatuChangeEvent>
</ApprovalInfo>
</xml>`

// TestParseApprovalChange: ApprovalInfo is a table; SpRecord, Details and
// Notifyer are lists even when WeCom sends one, so that a handler iterates
// them whatever their number.
func TestParseApprovalChange(t *testing.T) {
	t.Parallel()
	ev, err := ParseEvent([]byte(approvalChange))
	if err != nil {
		t.Fatal(err)
	}
	if ev.Type() != "sys_approval_change" || ev.Get("AgentID") != "1000005" {
		t.Errorf("event = %v", ev)
	}
	info, ok := ev["ApprovalInfo"].(map[string]any)
	if !ok {
		t.Fatalf("ApprovalInfo = %#v", ev["ApprovalInfo"])
	}
	for k, v := range map[string]string{"SpNo": "202612070001", "SpName": "请假", "SpStatus": "2", "TemplateId": "C4UE1fTqkHhtYmCcL2u2BTGa1N8jXp6VmVf5wBz1A", "StatuChangeEvent": "2"} {
		if info[k] != v {
			t.Errorf("ApprovalInfo.%s = %#v, want %q", k, info[k], v)
		}
	}
	if info["Applyer"].(map[string]any)["UserId"] != "zhaoliu" {
		t.Errorf("Applyer = %v", info["Applyer"])
	}
	steps, ok := info["SpRecord"].([]any)
	if !ok || len(steps) != 1 {
		t.Fatalf("SpRecord = %#v, want a list of the one step", info["SpRecord"])
	}
	details, ok := steps[0].(map[string]any)["Details"].([]any)
	if !ok || len(details) != 2 || details[0].(map[string]any)["Speech"] != "同意" || details[1].(map[string]any)["Speech"] != "" {
		t.Errorf("Details = %#v", steps[0])
	}
	if n, ok := info["Notifyer"].([]any); !ok || len(n) != 1 || n[0].(map[string]any)["UserId"] != "chenjing" {
		t.Errorf("Notifyer = %#v, want a list of one", info["Notifyer"])
	}
	// Two decisions of the same approval differ in their keys.
	other := strings.Replace(approvalChange, "<SpTime>1765000000</SpTime>", "<SpTime>0</SpTime>", 1)
	ev2, _ := ParseEvent([]byte(other))
	if ev.Key() == ev2.Key() {
		t.Error("two states of an approval have the same key")
	}
}
