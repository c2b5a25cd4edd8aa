-- Tests of wecom.agent against the emulator's demo organisation. The
-- default client is the app 运维助手 (agent 1000002); wecom.client("report")
-- is the app 日报 (agent 1000003).
local wecom = require("wecom")


function TestGetDefaultsAgentID(t)
  local a = wecom.agent.get()
  assert_eq(a.agentid, 1000002)
  assert_eq(a.name, "运维助手")
  assert_eq(a.allow_partys.partyid, {1})
  assert_eq(wecom.agent.get(1000002).name, "运维助手")
  assert_eq(wecom.agent.get{agent_id = 1000002}.name, "运维助手")

  -- each client defaults to its own agent id
  local report = wecom.client("report").agent.get()
  assert_eq(report.agentid, 1000003)
  assert_eq(report.allow_userinfos.user, {{userid = "wangwu"}})
  assert_eq(report.allow_partys.partyid, {2})
  assert_eq(report.allow_tags.tagid, {1})
end

function TestListIsTheArray(t)
  local apps = wecom.agent.list()
  assert_eq(#apps, 1)
  assert_eq(apps[1].agentid, 1000002)
  assert_eq(apps[1].name, "运维助手")
  assert_eq(apps.errcode, nil)
end

function TestSet(t)
  assert_eq(wecom.agent.set{name = "运维机器人", description = "告警与值班", report_location_flag = 1, is_report_enter = true}.errcode, 0)
  local a = wecom.agent.get()
  assert_eq({a.name, a.description, a.report_location_flag, a.isreportenter}, {"运维机器人", "告警与值班", 1, 1})
  -- positional, the agent id first; settings not given are kept
  wecom.agent.set(1000002, "运维助手")
  a = wecom.agent.get()
  assert_eq({a.name, a.description}, {"运维助手", "告警与值班"})
end

function TestOtherApps(t)
  local ok, err = pcall(wecom.agent.get, 1000003)
  assert_eq({ok, err.errcode, err.api}, {false, 301002, "agent/get"})
  ok, err = pcall(wecom.agent.set, {agent_id = 1000003, name = "x"})
  assert_eq({ok, err.errcode}, {false, 301002})
  -- the contacts-sync secret has no agent id to default to
  err = fails(wecom.client("contacts").agent.get)
  contains(tostring(err), "agent_id")
  ok, err = pcall(wecom.client("contacts").agent.list)
  assert_eq({ok, err.errcode}, {false, 48002})
end
