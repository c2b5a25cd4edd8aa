package bindings

// wecom.agent: 应用管理.
//
//	agent.get(agent_id?) -> {errcode, errmsg, agentid, name, allow_userinfos, allow_partys, allow_tags, ...}
//	agent.list() -> {{agentid, name, square_logo_url}, ...}
//	agent.set(agent_id?, name?, description?, redirect_domain?, logo_media_id?, report_location_flag?, is_report_user?, is_report_enter?) -> {errcode, errmsg}
//
// agent_id defaults to the client's agent id. agent.set sends only the
// settings given: a rename leaves the reporting flags as they are.

import "github.com/wecomrunner/runner/wecom"

var agentGroup = group{
	"get": {params: []string{"agent_id"}, doc: "Reads an application (获取指定的应用详情).", prepare: func(a *args) call {
		return send(a, a.client.Agent.GetRequest(a.agentID("agent_id")))
	}},
	"list": {doc: "Lists the applications the access token may see (获取access_token对应的应用列表).", prepare: func(a *args) call {
		return send(a, a.client.Agent.ListRequest())
	}},
	"set": {params: []string{"agent_id", "name", "description", "redirect_domain", "logo_media_id", "report_location_flag", "is_report_user", "is_report_enter"},
		doc: "Changes the given settings of an application (设置应用).", prepare: func(a *args) call {
			s := &wecom.AgentSettings{
				AgentID:        a.agentID("agent_id"),
				Name:           a.optStr("name", ""),
				Description:    a.optStr("description", ""),
				RedirectDomain: a.optStr("redirect_domain", ""),
				LogoMediaID:    a.optStr("logo_media_id", ""),
			}
			if a.has("report_location_flag") {
				s.ReportLocationFlag = new(a.int("report_location_flag"))
			}
			if a.has("is_report_user") {
				s.IsReportUser = new(reportFlag(a.optBool("is_report_user", false)))
			}
			if a.has("is_report_enter") {
				s.IsReportEnter = new(reportFlag(a.optBool("is_report_enter", false)))
			}
			return send(a, a.client.Agent.SetRequest(s))
		}},
}

// reportFlag is WeCom's 0/1 form of a boolean.
func reportFlag(b bool) int {
	if b {
		return 1
	}
	return 0
}
