-- Send each member who joined since the last run a personal welcome card.
-- The first run only remembers who is there; later runs greet the newcomers.
-- The messages go out concurrently with wecom.fanout.
--
-- args: handbook_url.
--
-- Secret: an application's (the client notify) whose visible range is the
-- whole organisation: it lists the members with user.each (the contacts sync
-- may not call user/list from a new IP since 2022-08-15) and sends the cards.

local wecom = require("wecom")
local args = require("args")
local kv = require("kv")
local log = require("log")

local url = args.get("handbook_url", "https://handbook.tengfei.example.com")
local known = kv.get("known_members")
local now, items = {}, {}
for u in wecom.user.each(1, true, 0, true) do
  now[u.userid] = true
  if known and not known[u.userid] then
    items[#items + 1] = {
      user_ids = u.userid,
      title = "欢迎加入腾飞科技",
      description = string.format("%s，你好！入职第一天的安排、IT 账号与常用系统都在员工手册里。", u.name),
      url = url,
    }
  end
end

if #items > 0 then
  local results, failed = wecom.fanout("message.send_text_card", items)
  log.info("welcome cards sent", {sent = #items - failed, failed = failed})
end
print(string.format("welcomed %d new members", #items))
kv.set("known_members", now)
