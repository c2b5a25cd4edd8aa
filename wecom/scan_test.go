package wecom

import (
	"testing"
)

func TestEnvelope(t *testing.T) {
	for _, tt := range []struct {
		body string
		code int
		msg  string
		err  bool
	}{
		{`{"errcode":0,"errmsg":"ok","userid":"zhangsan"}`, 0, "ok", false},
		{`{"userid":"zhangsan"}`, 0, "", false},
		{` { "errcode" : "60111" , "errmsg" : "userid not found" } `, 60111, "userid not found", false},
		{`{"errmsg":"接口调用超过限制","errcode":45009}`, 45009, "接口调用超过限制", false},
		{`{"errcode":40014,"errmsg":"invalid \"access_token\"\n, hint: [x]"}`, 40014, "invalid \"access_token\"\n, hint: [x]", false},
		{`{"errcode":1,"errmsg":"\u4e2d\u6587"}`, 1, "中文", false},
		{`{"errcode":1,"errmsg":42}`, 1, "42", false},
		{`{"errcode":1,"errmsg":null}`, 1, "", false},
		{"{\"errcode\":1,\"errmsg\":\"bad \xff byte\"}", 1, "bad \uFFFD byte", false},
		{`{"err\u0063ode":60003,"list":[{"errcode":5,"x":"}"}]}`, 60003, "", false},
		{`{"errcode":1,"errcode":2}`, 2, "", false},
		{`{"errcode":"x"}`, 0, "", true},
		{`[1]`, 0, "", true},
		{`{"errcode":0,`, 0, "", true},
	} {
		code, msg, err := envelope([]byte(tt.body))
		if (err != nil) != tt.err || code != tt.code || msg != tt.msg {
			t.Errorf("envelope(%s) = %d, %q, %v; want %d, %q, error %v", tt.body, code, msg, err, tt.code, tt.msg, tt.err)
		}
	}
}

func TestMember(t *testing.T) {
	body := []byte(`{"errcode":0,"errmsg":"ok","user\u006cist":[{"userid":"a"}],"next":"c"}`)
	for _, tt := range []struct{ key, want string }{
		{"userlist", `[{"userid":"a"}]`},
		{"next", `"c"`},
		{"missing", `null`},
	} {
		got, err := member(body, tt.key)
		if err != nil || string(got) != tt.want {
			t.Errorf("member(%q) = %s, %v; want %s", tt.key, got, err, tt.want)
		}
	}
}
