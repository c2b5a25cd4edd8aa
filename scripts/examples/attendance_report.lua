-- Attendance report: yesterday's lateness, early leaving, missed check-ins
-- and absences, from WeCom's day reports of 打卡, posted as markdown to an app
-- chat.
--
-- Client: an application configured in 打卡 → 可调用接口的应用 (the client "oa"
-- of jobs.yaml, WECOM_OA_SECRET). It reads the members of its visible range
-- (user.all_ids: user/list_id, which a new corp's applications may call) and
-- their day reports (oa.get_checkin_daydata, at most 100 members a call). The
-- chat message is sent by the application that created the chat
-- (args.app_client).
--
-- args: chat_id (the app chat), app_client (default "notify"), max_names (how
-- many names each line shows, default 20).

local wecom = require("wecom")
local args = require("args")
local log = require("log")
local time = require("time")

local chat_id = args.get("chat_id")
if not chat_id then error("args.chat_id is required: which app chat gets the report?") end
local app = wecom.client(args.get("app_client", "notify"))
local max_names = args.number("max_names", 20)

local DAY = 86400
local now = time.unix()
local yesterday = now - (now + 8 * 3600) % DAY - DAY -- 00:00 of yesterday, Beijing time

-- The members the application sees, each once (user/list_id lists a member
-- once per department).
local ids, seen = {}, {}
for _, row in ipairs(wecom.user.all_ids()) do
  if not seen[row.userid] then
    seen[row.userid] = true
    ids[#ids + 1] = row.userid
  end
end

-- Exceptions of the day reports: 1 迟到, 2 早退, 3 缺卡, 4 旷工.
local kinds = {
  {code = 1, title = "迟到", minutes = true},
  {code = 2, title = "早退", minutes = true},
  {code = 3, title = "缺卡"},
  {code = 4, title = "旷工"},
}
local found = {[1] = {}, [2] = {}, [3] = {}, [4] = {}}
local expected = 0

for first = 1, #ids, 100 do
  local batch = {}
  for i = first, math.min(first + 99, #ids) do
    batch[#batch + 1] = ids[i]
  end
  for _, day in ipairs(wecom.oa.get_checkin_daydata(yesterday, yesterday, batch).datas) do
    if day.base_info.day_type == 0 then
      expected = expected + 1
      for _, e in ipairs(day.exception_infos or {}) do
        if found[e.exception] then
          table.insert(found[e.exception], {name = day.base_info.name, duration = e.duration or 0})
        end
      end
    end
  end
end

local function names(list, minutes)
  table.sort(list, function(a, b) return a.duration > b.duration end)
  local shown = {}
  for i = 1, math.min(#list, max_names) do
    local p = list[i]
    shown[#shown + 1] = minutes and string.format("%s（%d分钟）", p.name, math.floor(p.duration / 60 + 0.5)) or p.name
  end
  local s = table.concat(shown, "、")
  if #list > max_names then s = s .. string.format(" 等 %d 人", #list) end
  return s
end

local lines = {string.format("## 考勤日报 %s", time.format(yesterday, "%Y-%m-%d", "Asia/Shanghai"))}
if expected == 0 then
  lines[#lines + 1] = "休息日：无人需要打卡"
else
  lines[#lines + 1] = string.format("应出勤：**%d** 人", expected)
  for _, k in ipairs(kinds) do
    local list = found[k.code]
    if #list > 0 then
      lines[#lines + 1] = string.format("- %s %d 人：%s", k.title, #list, names(list, k.minutes))
    else
      lines[#lines + 1] = string.format("- %s：无", k.title)
    end
  end
end
local content = table.concat(lines, "\n")

app.appchat.send{chat_id = chat_id, msg_type = "markdown", content = content}
print(content)
log.info("attendance report sent", {members = #ids, expected = expected, late = #found[1], early = #found[2], missing = #found[3], absent = #found[4]})
