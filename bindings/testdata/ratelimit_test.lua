-- Frequency limits as a script sees them (run by TestLuaRateLimit).
local wecom = require("wecom")

function TestOwnLimitNearTheDeadline(t)
  -- 2 calls a minute: the first passes, the next would wait 30 s; the run's
  -- deadline is nearer, so the call fails at once in the run's words.
  wecom.user.get("zhangsan")
  local err = fails(wecom.user.get, "zhangsan")
  assert_eq(type(err), "string")
  contains(err, "user.get: rate limit of 2 calls/min for user/get: " ..
    "the run's deadline would pass before the next call may be sent")
  if string.find(err, "rate: Wait", 1, true) then
    t:errorf("Go's words in %q", err)
  end
end

function TestFrequencyLimitWaitIsBounded(t)
  emulator.set_rate_limit("tag/list", 1)
  local patient = wecom.client("patient")
  patient.tag.list()
  local err = fails(patient.tag.list)
  assert_eq(err.errcode, 45009)
  assert_eq(err.api, "tag/list")
  contains(tostring(err), "the most a call waits for WeCom's frequency limit")
end

function TestDailyQuotaIsNotWaited(t)
  emulator.set_daily_quota("department/simplelist", 1)
  local patient = wecom.client("patient")
  patient.department.simplelist()
  local err = fails(patient.department.simplelist)
  assert_eq(err.errcode, 45009)
  contains(err.errmsg, "daily quota")
  contains(tostring(err), "daily quota of department/simplelist is used up")
end
