-- Tests of wecom.jsapi against the emulator, as the app 运维助手.
local wecom = require("wecom")

function TestTickets(t)
  local corp = wecom.jsapi.get_ticket()
  assert_eq(type(corp.ticket), "string")
  assert_eq(corp.expires_in > 0 and corp.expires_in <= 7200, true)
  -- the cached ticket is the one still valid
  assert_eq(wecom.jsapi.get_jsapi_ticket(), corp.ticket)
  assert_eq(wecom.jsapi.get_jsapi_ticket(), corp.ticket)

  local agent = wecom.jsapi.get_agent_ticket()
  assert_eq(agent.ticket ~= corp.ticket, true, "the app's ticket is not the corp's")
  assert_eq(wecom.jsapi.get_agent_jsapi_ticket(), agent.ticket)
end

function TestSignature(t)
  -- the example of WeCom's JS-SDK documentation
  local ticket = "sM4AOVdWfPE4DxkXGEs8VMCPGGVi4C3VM0P37wVUCFvkVAy_90u5h9nbSlYy3-Sl-HhTdfl2fzFy1AOcHKP7qg"
  local want = "0f9de62fce790f9a083d5c99e95740ceb90c27ed"
  assert_eq(wecom.jsapi.get_jsapi_signature("Wm3WZYTPz0wzccnW", ticket, 1414587457, "http://mp.weixin.qq.com?params=value"), want)
  assert_eq(wecom.jsapi.get_jsapi_signature{noncestr = "Wm3WZYTPz0wzccnW", ticket = ticket, timestamp = "1414587457",
    url = "http://mp.weixin.qq.com?params=value"}, want)
end

function TestContactsSecret(t)
  local ok, err = pcall(wecom.client("contacts").jsapi.get_ticket)
  assert_eq({ok, err.errcode, err.api}, {false, 48002, "get_jsapi_ticket"})
end
