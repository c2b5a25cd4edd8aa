-- Act on approvals once they are approved: WeCom pushes sys_approval_change
-- (审批状态通知事件) to the callback of the applications in 审批 → 可调用接口的
-- 应用 at each step of an approval (同意, 驳回, 转审, 撤销, ...), and jobs.yaml
-- runs this script with the event.
--
-- Only an approval approved at its last step is acted on: the event's
-- ApprovalInfo.SpStatus is 2 (approved) and its StatuChangeEvent 2 (同意).
-- A withdrawal (StatuChangeEvent 6 撤销, SpStatus 4) and a comment
-- (StatuChangeEvent 10 添加备注, even on an approved approval) are not.
-- The event has the approval's number, template and applicant; the values of
-- its controls (the kind of leave, its dates, an amount) are read with
-- oa.get_approval_detail.
--
--   - a leave (args.leave_template, 请假): the leaders of the applicant's
--     department and the team chat of that department (args.teams) are told
--     who is away and when;
--   - an expense claim (args.expense_template, 报销): finance
--     (args.finance, userids) is told to pay it.
--
-- Each approval is acted on once: its number is kept (kv) when done, so a
-- delivery WeCom makes again, or a replay, sends nothing twice.
--
-- Secrets: the job's client (oa) is the application configured in 审批 →
-- 可调用接口的应用, which reads the approval; the application of
-- args.app_client (notify), visible to the whole organisation, reads the
-- applicant and their department and sends the messages.
--
-- args: leave_template, expense_template, teams ({department = id, chat =
-- chat id} ...), finance (userids), app_client.

local wecom = require("wecom")
local args = require("args")
local log = require("log")
local kv = require("kv")
local time = require("time")
local event = require("event")

local info = event.ApprovalInfo or {}
local sp_no = info.SpNo
if event.Event ~= "sys_approval_change" or not sp_no then
  error("this job takes sys_approval_change events, not " .. tostring(event.Event), 0)
end
if info.SpStatus ~= "2" or info.StatuChangeEvent ~= "2" then
  log.info("not an approval approved", {sp_no = sp_no, sp_status = info.SpStatus, change = info.StatuChangeEvent})
  return
end
local kind
if info.TemplateId == args.get("leave_template") then
  kind = "leave"
elseif info.TemplateId == args.get("expense_template") then
  kind = "expense"
else
  log.info("an approval of another template", {sp_no = sp_no, template = info.TemplateId, name = info.SpName})
  return
end
local done_key = "done:" .. sp_no
if kv.get(done_key) then
  log.info("already acted on", {sp_no = sp_no})
  return
end

local app = wecom.client(args.get("app_client", "notify"))
local detail = wecom.oa.get_approval_detail(sp_no).info
local applicant = app.user.get(detail.applyer.userid)

-- value returns the value of the approval's first control of the given
-- kind (Vacation, Money, Textarea, ...), or nil.
local function value(control)
  for _, c in ipairs(detail.apply_data.contents) do
    if c.control == control then return c.value end
  end
end

local function day(t)
  return time.format(t, "%Y-%m-%d %H:%M", "Asia/Shanghai")
end

if kind == "leave" then
  local vacation = (value("Vacation") or {}).vacation or {}
  local option = ((vacation.selector or {}).options or {})[1]
  local leave_type = option and option.value[1].text or "请假"
  local range = (vacation.attendance or {}).date_range
  local when = range and string.format("%s 至 %s", day(range.new_begin), day(range.new_end)) or "（未填日期）"
  local text = string.format("%s（%s）的%s已通过审批：%s。审批单 %s", applicant.name, applicant.userid, leave_type, when, sp_no)

  local dept = tonumber(detail.applyer.partyid) or applicant.main_department
  local leaders = {}
  for _, id in ipairs(app.department.get_detail(dept).department_leader or {}) do
    if id ~= applicant.userid then leaders[#leaders + 1] = id end
  end
  if #leaders > 0 then
    app.message.send_text{user_ids = leaders, content = text}
  end
  for _, team in ipairs(args.get("teams", {})) do
    if team.department == dept then
      app.appchat.send_text(team.chat, text)
    end
  end
  log.info("leave announced", {sp_no = sp_no, userid = applicant.userid, leaders = leaders})
else
  local finance = args.get("finance", {})
  if #finance == 0 then error("args.finance is required: who pays an approved expense claim?", 0) end
  local amount = (value("Money") or {}).new_money or "?"
  local reason = (value("Textarea") or {}).text or ""
  app.message.send_text{user_ids = finance, content = string.format("请付款：%s（%s）的报销 %s 元已通过审批%s。审批单 %s",
    applicant.name, applicant.userid, amount, reason ~= "" and ("，" .. reason) or "", sp_no)}
  log.info("expense handed to finance", {sp_no = sp_no, amount = amount})
end
kv.set(done_key, time.unix())
