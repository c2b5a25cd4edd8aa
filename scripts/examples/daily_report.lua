-- Daily report: headcount by department, joiners and leavers since the last
-- report, and the last results of the nightly jobs, sent as a markdown
-- message to the admins (args.admins) and, when args.chat_id is set, to an
-- app chat.
--
-- The member list of the previous report is kept in kv, so the first report
-- has no joiners or leavers.
--
-- args: admins (userids, array or "a|b"), chat_id, jobs (names of the jobs
-- whose last result the report shows).
--
-- Secret: an application's (the client notify) whose visible range is the
-- whole organisation: it reads the departments (department.get) and the
-- members (user.each: names and departments, all WeCom gives an application
-- created since 2022-06-20), and sends the report and the chat message as
-- that application. The contacts-sync secret could not: it sends no
-- messages, and may not call department/list or user/list from a new IP
-- since 2022-08-15.

local wecom = require("wecom")
local args = require("args")
local kv = require("kv")
local log = require("log")
local time = require("time")
local history = require("history")

local admins = args.get("admins")
if not admins then error("args.admins is required: who gets the report?") end
local jobs = args.get("jobs", {"nightly-department-sync", "replace-users"})

local departments = wecom.department.get()

-- Headcount: each member counts in each of their departments. The members
-- are read one at a time (user.each): a large organisation is never held
-- in memory at once.
local count, now, headcount = {}, {}, 0
for u in wecom.user.each(1, true) do
  headcount = headcount + 1
  now[u.userid] = u.name
  for _, d in ipairs(u.department or {}) do
    count[d] = (count[d] or 0) + 1
  end
end
table.sort(departments, function(a, b) return (count[a.id] or 0) > (count[b.id] or 0) end)

-- Joiners and leavers since the last report.
local before = kv.get("members")
local joiners, leavers = {}, {}
if before then
  for id, name in pairs(now) do
    if not before[id] then joiners[#joiners + 1] = name end
  end
  for id, name in pairs(before) do
    if not now[id] then leavers[#leavers + 1] = name end
  end
  table.sort(joiners)
  table.sort(leavers)
end

-- A markdown message holds 2048 bytes: the report names the largest
-- departments and the first joiners and leavers, and counts the rest.
local shown_departments, shown_names = 10, 10
local function some(names)
  if #names <= shown_names then return table.concat(names, "、") end
  return table.concat(names, "、", 1, shown_names) .. string.format(" 等 %d 人", #names)
end

local lines = {
  string.format("## 组织日报 %s", time.format(time.now(), "%Y-%m-%d", "Asia/Shanghai")),
  string.format("在职人数：**%d**", headcount),
  "",
  "### 各部门人数",
}
local others, other_count = 0, 0
for i, d in ipairs(departments) do
  local n = count[d.id] or 0
  if n > 0 and i <= shown_departments then
    lines[#lines + 1] = string.format("- %s：%d", d.name, n)
  elseif n > 0 then
    others, other_count = others + 1, other_count + n
  end
end
if others > 0 then
  lines[#lines + 1] = string.format("- 其他 %d 个部门：%d", others, other_count)
end
lines[#lines + 1] = ""
if before then
  lines[#lines + 1] = string.format("### 入职 %d 人，离职 %d 人", #joiners, #leavers)
  if #joiners > 0 then lines[#lines + 1] = "- 入职：" .. some(joiners) end
  if #leavers > 0 then lines[#lines + 1] = "- 离职：" .. some(leavers) end
else
  lines[#lines + 1] = "### 入职与离职：首份日报，自下一份起统计"
end
lines[#lines + 1] = ""
lines[#lines + 1] = "### 夜间任务"
for _, name in ipairs(jobs) do
  local run = history.last(name)
  if run then
    local mark = run.result == "ok" and "<font color=\"info\">成功</font>" or ("<font color=\"warning\">" .. run.result .. "</font>")
    lines[#lines + 1] = string.format("- %s：%s（%s）", name, mark, time.format(run.started, "%m-%d %H:%M", "Asia/Shanghai"))
  else
    lines[#lines + 1] = string.format("- %s：无记录", name)
  end
end
local content = table.concat(lines, "\n")

local sent = wecom.message.send_markdown{user_ids = admins, content = content}
if sent.invaliduser and sent.invaliduser ~= "" then
  log.warn("some admins did not get the report", {invaliduser = sent.invaliduser})
end
local chat_id = args.get("chat_id")
if chat_id then
  wecom.appchat.send{chat_id = chat_id, msg_type = "markdown", content = content}
end
print(content)
kv.set("members", now)
log.info("daily report sent", {members = headcount, joiners = #joiners, leavers = #leavers})
