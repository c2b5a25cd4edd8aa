-- Tests of wecom.misc against the emulator.
local wecom = require("wecom")

function TestGetWechatIPs(t)
  local ips = wecom.misc.get_wechat_ips()
  assert_eq(ips.errcode, nil, "get_wechat_ips returns the address array")
  assert_eq(#ips > 0, true)
  for _, ip in ipairs(ips) do
    assert_eq(type(ip), "string")
  end
end

function TestErrorAfterRetries(t)
  -- system busy once is retried; another errcode is raised at once
  emulator.fail_next("getcallbackip", 1, -1)
  assert_eq(#wecom.misc.get_wechat_ips() > 0, true)
  emulator.fail_next("getcallbackip", 1, 48002)
  local ok, err = pcall(wecom.misc.get_wechat_ips)
  assert_eq({ok, err.errcode, err.api}, {false, 48002, "getcallbackip"})
  contains(tostring(err), "wecom getcallbackip: errcode 48002")
end
