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

-- limitedTwice calls the client patient's group.method twice after set
-- (emulator.set_rate_limit or set_daily_quota) has allowed api one call, and
-- returns the error of the second call, WeCom's 45009.
local function limitedTwice(set, api, group, method)
  set(api, 1)
  local f = wecom.client("patient")[group][method]
  f()
  local err = fails(f)
  assert_eq({err.errcode, err.api}, {45009, api})
  return err
end

function TestFrequencyLimitWaitIsBounded(t)
  local err = limitedTwice(emulator.set_rate_limit, "tag/list", "tag", "list")
  contains(tostring(err), "the most a call waits for WeCom's frequency limit")
end

function TestDailyQuotaIsNotWaited(t)
  local err = limitedTwice(emulator.set_daily_quota, "department/simplelist", "department", "simplelist")
  contains(err.errmsg, "daily quota")
  contains(tostring(err), "daily quota of department/simplelist is used up")
end
