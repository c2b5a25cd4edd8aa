package wecom

import (
	"net/url"
	"reflect"
	"testing"
)

func TestAgentService_Get(t *testing.T) {
	t.Parallel()
	c, ts := setup(t)
	ts.get(t, "agent/get", url.Values{"agentid": {"1000005"}}, `{"errcode":0,"errmsg":"ok","agentid":1000005,"name":"HR助手","square_logo_url":"https://p.qlogo.cn/x/0",
			"description":"HR服务与员工自助平台","allow_userinfos":{"user":[{"userid":"zhangshan"},{"userid":"lisi"}]},
			"allow_partys":{"partyid":[1]},"allow_tags":{"tagid":[1,2,3]},"close":0,"redirect_domain":"open.work.weixin.qq.com",
			"report_location_flag":0,"isreportenter":0,"home_url":"https://open.work.weixin.qq.com"}`)
	got, err := c.Agent.Get(t.Context(), 1000005)
	if err != nil {
		t.Fatal(err)
	}
	if got.AgentID != 1000005 || got.Name != "HR助手" || got.HomeURL != "https://open.work.weixin.qq.com" || got.RedirectDomain != "open.work.weixin.qq.com" {
		t.Errorf("got %+v", got)
	}
	if len(got.AllowUserInfos.User) != 2 || got.AllowUserInfos.User[1].UserID != "lisi" {
		t.Errorf("allow_userinfos = %+v", got.AllowUserInfos)
	}
	if !reflect.DeepEqual(got.AllowPartys.PartyID, []int{1}) || !reflect.DeepEqual(got.AllowTags.TagID, []int{1, 2, 3}) {
		t.Errorf("allow_partys = %+v, allow_tags = %+v", got.AllowPartys, got.AllowTags)
	}
}

func TestAgentService_List(t *testing.T) {
	t.Parallel()
	c, ts := setup(t)
	ts.get(t, "agent/list", nil, `{"errcode":0,"errmsg":"ok","agentlist":[{"agentid":1000005,"name":"HR助手","square_logo_url":"https://p.qlogo.cn/x/0"}]}`)
	got, err := c.Agent.List(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0].AgentID != 1000005 || got[0].Name != "HR助手" || got[0].SquareLogoURL != "https://p.qlogo.cn/x/0" {
		t.Errorf("got %+v", got)
	}
}

func TestAgentService_Set(t *testing.T) {
	tests := []struct {
		name     string
		settings *AgentSettings
		body     string
	}{
		{"a rename keeps the flags", &AgentSettings{AgentID: 1000005, Name: "财经助手"}, `{"agentid":1000005,"name":"财经助手"}`},
		{"flags given are sent, 0 included", &AgentSettings{AgentID: 1000005, ReportLocationFlag: new(0), IsReportEnter: new(1), IsReportUser: new(0), HomeURL: "https://oa.example.com"},
			`{"agentid":1000005,"report_location_flag":0,"isreportenter":1,"isreportuser":0,"home_url":"https://oa.example.com"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, ts := setup(t)
			ts.post(t, "agent/set", tt.body, `{"errcode":0,"errmsg":"ok"}`)
			if err := c.Agent.Set(t.Context(), tt.settings); err != nil {
				t.Fatal(err)
			}
		})
	}
}
