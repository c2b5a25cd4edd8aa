package bindings

// wecom.agent: 应用管理. agent.set sends only the settings given: a rename
// leaves the reporting flags as they are.

import "github.com/wecomrunner/runner/wecom"

// agentSet is agent.set.
func agentSet(a *args) call {
	s := &wecom.AgentSettings{
		AgentID:        a.int("agent_id"),
		Name:           a.str("name"),
		Description:    a.str("description"),
		RedirectDomain: a.str("redirect_domain"),
		LogoMediaID:    a.str("logo_media_id"),
	}
	if a.has("report_location_flag") {
		s.ReportLocationFlag = new(a.int("report_location_flag"))
	}
	if a.has("is_report_user") {
		s.IsReportUser = new(reportFlag(a.bool("is_report_user")))
	}
	if a.has("is_report_enter") {
		s.IsReportEnter = new(reportFlag(a.bool("is_report_enter")))
	}
	return send(a, a.client.Agent.SetRequest(s))
}

// reportFlag is WeCom's 0/1 form of a boolean.
func reportFlag(b bool) int {
	if b {
		return 1
	}
	return 0
}
