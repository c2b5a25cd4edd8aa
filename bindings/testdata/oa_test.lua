-- Tests of wecom.oa (approvals, leave and attendance) against the emulator's
-- demo organisation. The client "oa" is the app 行政助手, configured in 审批
-- and 打卡 → 可调用接口的应用 and visible to the whole company; "oa_dry" is the
-- same in a dry run; the default client, 运维助手, is not configured. The
-- emulator runs on the wall clock: members under a check-in rule have records
-- for the 60 days before now. The tests share one emulator and run in order.
local wecom = require("wecom")
local time = require("time")
local oa = wecom.client("oa").oa

local LEAVE = "C4UE1fTqkHhtYmCcL2u2BTGa1N8jXp6VmVf5wBz1A"
local DAY = 86400

local function leave_data(reason)
  return {contents = {
    {control = "Vacation", id = "vacation-1563793073898", value = {vacation = {
      selector = {type = "single", options = {{key = "1", value = {{text = "年假", lang = "zh_CN"}}}}},
      attendance = {date_range = {type = "halfday", new_begin = 1765209600, new_end = 1765296000, new_duration = 86400}, type = 1},
    }}},
    {control = "Textarea", id = "item-1497581399901", value = {text = reason}},
  }}
end

local function summary(text)
  return {{summary_info = {{text = text, lang = "zh_CN"}}}}
end

-- midnight is the start of the day of t in UTC+8.
local function midnight(t)
  return t - (t + 8 * 3600) % DAY
end

function TestTemplateDetail(t)
  local r = oa.get_template_detail(LEAVE)
  assert_eq(r.errcode, 0) -- the whole answer, as wechatpy returns it
  assert_eq(r.template_names[1].text, "请假")
  assert_eq(#r.template_content.controls, 3)
  assert_eq(r.template_content.controls[2].property.require, 1)
  assert_eq(oa.get_template_detail{template_id = LEAVE}.template_names[1].text, "请假")
  expect_errors(t, {
    {"unknown template", oa.get_template_detail, "nope", 301025, "oa/gettemplatedetail"},
    {"not configured", wecom.oa.get_template_detail, LEAVE, 48002, "oa/gettemplatedetail"},
  })
end

function TestApplyEvent(t)
  local r = oa.apply_event("lisi", LEAVE, 1, {}, leave_data("回老家"), summary("年假1天"))
  assert_eq(r.errcode, 0)
  assert_eq(#r.sp_no, 12)
  assert_eq(r.sp_no:sub(1, 8), time.format(time.unix(), "%Y%m%d", "Asia/Shanghai"))
  local applied = r.sp_no
  local named = oa.apply_event{
    creator_userid = "linfeng", template_id = LEAVE, use_template_approver = 0,
    approver = {{attr = 1, userid = {"guoqiang"}}}, apply_data = leave_data("看病"),
    summary_list = summary("病假"), notifyer = {"chenjing"}, notify_type = 1,
  }
  assert_eq(tonumber(named.sp_no), tonumber(applied) + 1)
  expect_errors(t, {
    {"required control empty", function() return oa.apply_event("lisi", LEAVE, 1, {}, {contents = {}}, summary("x")) end, nil, 301025, "oa/applyevent"},
    {"no approvers", function() return oa.apply_event("lisi", LEAVE, 0, {}, leave_data("x"), summary("x")) end, nil, 301025, "oa/applyevent"},
  })
end

function TestApplyEventDryRun(t)
  local r = wecom.client("oa_dry").oa.apply_event("lisi", LEAVE, 1, {}, leave_data("试试"), summary("试试"))
  assert_eq(r.sp_no, "dry-run")
  assert_eq(r.errmsg, "ok (dry run)")
  -- Nothing was submitted: the period still holds the two approvals of TestApplyEvent.
  local now = time.unix()
  assert_eq(#oa.get_approval_info(now - 3600, now + 60, "").sp_no_list, 2)
end

function TestApprovalInfoAndDetail(t)
  local now = time.unix()
  local first = oa.get_approval_info(now - 3600, now + 60, "", 1)
  assert_eq(#first.sp_no_list, 1)
  local applied = first.sp_no_list[1] -- lisi's leave of TestApplyEvent
  local rest = oa.get_approval_info{start_time = now - 3600, end_time = now + 60, cursor = first.new_next_cursor, size = 1}
  assert_eq(#rest.sp_no_list, 1)
  local mine = oa.get_approval_info(now - 3600, now + 60, "", 100, {{key = "creator", value = "lisi"}})
  assert_eq(mine.sp_no_list, {applied})
  local d = oa.get_approval_detail(applied)
  assert_eq(d.info.sp_name, "请假")
  assert_eq(d.info.applyer, {userid = "lisi", partyid = "3"})
  assert_eq(d.info.sp_record[1].details[1].approver.userid, "liuyang") -- lisi's team leader
  assert_eq(oa.get_approval_detail{sp_no = applied}.info.sp_status, 1)
  expect_errors(t, {
    {"unknown sp_no", oa.get_approval_detail, "209901010001", 301025, "oa/getapprovaldetail"},
  })
end

function TestApprovalInfoLimits(t)
  local now = time.unix()
  -- Checked before the call: a period longer than 31 days, an end before the start.
  contains(fails(oa.get_approval_info, now - 32 * DAY, now, ""),
    'bad argument #2 (end_time) to oa.get_approval_info: the range from start_time to end_time is 32 days, more than the 31 days WeCom allows')
  contains(fails(oa.get_approval_info, {start_time = now, end_time = now - 1, cursor = ""}), 'bad argument "end_time"')
end

function TestVacation(t)
  local conf = oa.vacation_getcorpconf()
  assert_eq(#conf.lists, 4)
  assert_eq(conf.lists[1].name, "年假")
  local q = oa.vacation_getuservacationquota("lisi")
  assert_eq(#q.lists, 4)
  assert_eq(q.lists[1].leftduration, q.lists[1].assignduration - q.lists[1].usedduration)
  assert_eq(q.lists[1].assignduration >= 5 * DAY, true)
  assert_eq(oa.vacation_getuservacationquota{userid = "lisi"}, q)
  expect_errors(t, {
    {"unknown member", oa.vacation_getuservacationquota, "nobody", 301063, "oa/vacation/getuservacationquota"},
  })
end

function TestCheckinDataAndReports(t)
  local today = midnight(time.unix())
  local from, to = today - 7 * DAY, today - 1
  local users = {"lisi", "xuming", "nobody"}
  local recs = oa.get_checkin_data(3, from, to, users).checkindata
  local lisi = 0
  for _, r in ipairs(recs) do
    assert_eq(r.checkin_time >= from and r.checkin_time <= to, true)
    if r.userid == "lisi" then
      lisi = lisi + 1
    end
  end
  assert_eq(lisi, 10) -- five weekdays, on and off duty (made or missed)
  local again = oa.get_checkin_data{data_type = 3, start_time = from, end_time = to, userid_list = users}
  assert_eq(#again.checkindata, #recs)

  local days = oa.get_checkin_daydata(from, to, users).datas
  assert_eq(#days, 14) -- 7 days of lisi and xuming; nobody is left out
  local month = oa.get_checkin_monthdata(from, to, users).datas
  assert_eq(#month, 2)
  for _, m in ipairs(month) do
    local regular, rest = 0, 0
    for _, d in ipairs(days) do
      if d.base_info.acctid == m.base_info.acctid then
        regular = regular + d.summary_info.regular_work_sec
        if d.base_info.day_type == 1 then
          rest = rest + 1
        end
      end
    end
    assert_eq(m.summary_info.regular_work_sec, regular, m.base_info.acctid)
    assert_eq(m.summary_info.rest_days, rest, m.base_info.acctid)
  end
end

function TestCheckinLimits(t)
  local now = time.unix()
  local many = {}
  for i = 1, 101 do
    many[i] = "user" .. i
  end
  contains(fails(oa.get_checkin_daydata, now - DAY, now, many),
    "bad argument #3 (userid_list) to oa.get_checkin_daydata: at most 100 items in one call, got 101")
  contains(fails(oa.get_checkin_monthdata, now - DAY, now, {}), "(userid_list) to oa.get_checkin_monthdata: at least one item expected")
  contains(fails(oa.get_checkin_data, 3, now - 31 * DAY, now, {"lisi"}), "more than the 30 days WeCom allows")
  contains(fails(oa.get_checkin_schedu_list, {start_time = now - 40 * DAY, end_time = now, userid_list = {"xuming"}}), 'bad argument "end_time"')
end

function TestRulesAndSchedules(t)
  local opt = oa.get_corp_checkin_option()
  assert_eq(#opt.group, 2)
  assert_eq(opt.group[1].groupname, "总部考勤")
  assert_eq(opt.group[2].schedulelist[1].schedule_name, "早班")
  local today = midnight(time.unix())
  local sch = oa.get_checkin_schedu_list(today - 6 * DAY, today, {"xuming", "lisi"}).schedule_list
  assert_eq(sch[1].userid, "xuming") -- lisi keeps fixed hours, without shifts
  assert_eq(sch[1].groupname, "运维排班")
  expect_errors(t, {
    {"not configured", function() return wecom.oa.get_corp_checkin_option() end, nil, 48002, "checkin/getcorpcheckinoption"},
  })
end

function TestSeededApprovals(t)
  -- The demo organisation's approvals of the last week, by the templates' process.
  local now = time.unix()
  local week = oa.get_approval_info(now - 7 * DAY, now - 3600, "").sp_no_list
  assert_eq(#week, 4)
  local approved = oa.get_approval_info(now - 7 * DAY, now - 3600, "", 100, {{key = "sp_status", value = "2"}}).sp_no_list
  assert_eq(#approved, 2)
  local d = oa.get_approval_detail(week[2]).info -- linfeng's travel expenses
  assert_eq(d.sp_name, "报销")
  assert_eq(d.applyer.userid, "linfeng")
  assert_eq(d.sp_record[1].details[1].approver.userid, "guoqiang") -- the leader of 华东销售部
  assert_eq(d.sp_record[2].details[1].approver.userid, "zhenghui") -- then 财务
  local values = {}
  for _, c in ipairs(d.apply_data.contents) do
    values[c.control] = c.value
  end
  assert_eq(values.Selector.selector.options[1].value[1].text, "差旅费")
  assert_eq(values.Money.new_money, "1280.00")
  assert_eq(values.Textarea.text, "拜访宏达制造的差旅费")
  -- Every required control of the template has its value.
  for _, c in ipairs(oa.get_template_detail(d.template_id).template_content.controls) do
    if c.property.require == 1 then
      assert_eq(values[c.property.control] ~= nil, true, c.property.id)
    end
  end
end
