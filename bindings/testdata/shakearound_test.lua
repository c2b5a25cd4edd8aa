-- Tests of the legacy wecom.shakearound against the emulator, which mints
-- the tickets of shaken pages.
local wecom = require("wecom")

function TestGetShakeInfo(t)
  local ticket = emulator.shake_ticket("zhaoliu")
  local info = wecom.shakearound.get_shake_info(ticket)
  assert_eq(info.userid, "zhaoliu")
  assert_eq(info.errcode, nil, "the result is the data member")
  assert_eq(type(info.page_id), "number")
  assert_eq(type(info.beacon_info.major), "number")
  assert_eq(type(info.beacon_info.uuid), "string")
  local ok, err = pcall(wecom.shakearound.get_shake_info, {ticket = ticket})
  assert_eq({ok, err.errcode, err.api}, {false, 42022, "shakearound/getshakeinfo"}, "a ticket is used once")
  ok, err = pcall(wecom.shakearound.get_shake_info, "nosuchticket")
  assert_eq({ok, err.errcode}, {false, 40029})
end

function TestWarnsOncePerRun(t)
  local function warnings()
    local n = 0
    for _, line in ipairs(run_log()) do
      if line:find("wecom.shakearound is a legacy API group", 1, true) then
        n = n + 1
      end
    end
    return n
  end
  local before = warnings()
  local _ = wecom.shakearound.get_shake_info
  local _ = require("wecom.shakearound").get_shake_info
  local _ = wecom.client("report").shakearound
  assert_eq(warnings(), before + 1)
end
