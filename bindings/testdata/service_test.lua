-- Tests of wecom.service against the emulator's service provider, through
-- wecom.client("provider"), a client of the provider's corp.
local wecom = require("wecom")
local provider = wecom.client("provider")
local p = emulator.provider

function TestProviderAndSuiteTokens(t)
  local r = provider.service.get_provider_token(p.secret)
  assert_eq(type(r.provider_access_token), "string")
  assert_eq(r.expires_in, 7200)
  local ok, err = pcall(provider.service.get_provider_token, "wrong-secret")
  assert_eq({ok, err.errcode, err.api}, {false, 40001, "service/get_provider_token"})

  local s = provider.service.get_suite_token(p.suite_id, p.suite_secret, p.suite_ticket)
  assert_eq(type(s.suite_access_token), "string")
  ok, err = pcall(provider.service.get_suite_token, {suite_id = p.suite_id, suite_secret = p.suite_secret, suite_ticket = "stale"})
  assert_eq({ok, err.errcode}, {false, 40085})
end

function TestLogin(t)
  local token = provider.service.get_provider_token{provider_secret = p.secret}.provider_access_token
  local info = provider.service.get_login_info(emulator.login_code("zhangwei"), token)
  assert_eq(info.usertype, 1, "zhangwei created the corp")
  assert_eq(info.user_info.userid, "zhangwei")
  assert_eq(info.corp_info.corpid, "ww7d0a5c1e2f3b4a69")
  assert_eq(#info.agent, 4)

  local ticket = info.redirect_login_info.login_ticket
  local args = {login_ticket = ticket, target = "agent_setting", agentid = 1000002, provider_access_token = token}
  local r = provider.service.get_login_url(args)
  if not r.login_url:find("agentid=1000002", 1, true) then
    t:errorf("login_url %q does not name the agent", r.login_url)
  end
  local ok, err = pcall(provider.service.get_login_url, args)
  assert_eq({ok, err.errcode, err.api}, {false, 42022, "service/get_login_url"}, "a login ticket is used once")

  ok, err = pcall(provider.service.get_login_info, emulator.login_code("lisi"), "not-a-provider-token")
  assert_eq({ok, err.errcode}, {false, 40014})
end
