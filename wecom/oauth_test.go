package wecom

import (
	"net/url"
	"testing"
)

func TestOAuthService_AuthorizeURL(t *testing.T) {
	t.Parallel()
	c := New("wwa1b2c3d4e5f60718", testSecret)
	tests := []struct {
		redirect, state, want string
	}{
		{
			"https://oa.example.com/auth/callback?next=/首页&x=1", "",
			"https://open.weixin.qq.com/connect/oauth2/authorize?appid=wwa1b2c3d4e5f60718&redirect_uri=https%3A%2F%2Foa.example.com%2Fauth%2Fcallback%3Fnext%3D%2F%E9%A6%96%E9%A1%B5%26x%3D1&response_type=code&scope=snsapi_base#wechat_redirect",
		},
		{
			"https://oa.example.com/a b~c_d.e-f+g", "STATE_2024",
			"https://open.weixin.qq.com/connect/oauth2/authorize?appid=wwa1b2c3d4e5f60718&redirect_uri=https%3A%2F%2Foa.example.com%2Fa%20b~c_d.e-f%2Bg&response_type=code&scope=snsapi_base&state=STATE_2024#wechat_redirect",
		},
	}
	for _, tt := range tests {
		if got := c.OAuth.AuthorizeURL(tt.redirect, tt.state); got != tt.want {
			t.Errorf("AuthorizeURL(%q, %q)\n got %s\nwant %s", tt.redirect, tt.state, got, tt.want)
		}
	}
}

func TestOAuthService_GetUserInfo(t *testing.T) {
	t.Parallel()
	c, ts := setup(t)
	ts.get(t, "user/getuserinfo", url.Values{"code": {"a1b2c3"}}, `{"errcode":0,"errmsg":"ok","UserId":"zhangsan","DeviceId":"10000556333395GEBGXSB3","user_ticket":"TICKET","expires_in":1800}`)
	got, err := c.OAuth.GetUserInfo(t.Context(), "a1b2c3")
	if err != nil {
		t.Fatal(err)
	}
	want := OAuthUser{UserID: "zhangsan", DeviceID: "10000556333395GEBGXSB3", UserTicket: "TICKET", ExpiresIn: 1800}
	if *got != want {
		t.Errorf("got %+v, want %+v", *got, want)
	}
}
