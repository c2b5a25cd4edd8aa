-- Tests of wecom.menu against the emulator, as the app 运维助手, whose
-- agent id is the default of every call.
local wecom = require("wecom")


local oncall = {button = {
  {type = "click", name = "今日值班", key = "ONCALL"},
  {name = "工单", sub_button = {
    {type = "view", name = "新建工单", url = "https://ops.example.com/tickets/new"},
    {type = "scancode_push", name = "扫码报修", key = "SCAN"},
  }},
}}

local checkin = {button = {{type = "click", name = "签到", key = "CHECKIN"}}}

function TestCreateGetDelete(t)
  -- positional with the agent id left to the client
  assert_eq(wecom.menu.create(nil, oncall).errcode, 0)
  assert_eq(wecom.menu.get().button, oncall.button)
  assert_eq(wecom.menu.get(1000002).button, oncall.button)
  assert_eq(wecom.menu.delete().errcode, 0)
  local ok, err = pcall(wecom.menu.get)
  assert_eq({ok, err.errcode, err.api}, {false, 46003, "menu/get"})
end

function TestUpdate(t)
  wecom.menu.create{menu_data = oncall}
  assert_eq(wecom.menu.update{menu_data = checkin}.errcode, 0)
  assert_eq(wecom.menu.get{agent_id = 1000002}.button, checkin.button)
  -- with no menu to delete first
  wecom.menu.delete()
  wecom.menu.update(1000002, oncall)
  assert_eq(wecom.menu.get().button, oncall.button)
end

function TestErrors(t)
  local ok, err = pcall(wecom.menu.update, 1000003, checkin)
  assert_eq({ok, err.errcode, err.api}, {false, 301002, "menu/delete"})
  ok, err = pcall(wecom.menu.create, {menu_data = {button = {checkin.button[1], checkin.button[1], checkin.button[1], checkin.button[1]}}})
  assert_eq({ok, err.errcode}, {false, 40016})
  ok, err = pcall(wecom.menu.create, {menu_data = {button = {{type = "click", name = "签到"}}}})
  assert_eq({ok, err.errcode}, {false, 40019})
  err = fails(wecom.menu.create)
  contains(tostring(err), "menu_data")
  err = fails(wecom.client("contacts").menu.get)
  contains(tostring(err), "agent_id")
end
