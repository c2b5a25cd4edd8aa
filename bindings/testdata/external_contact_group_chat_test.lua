-- Tests of wecom.external_contact_group_chat against the emulator's demo
-- organisation, with the app 客户助手 (client "customers"). 林峰 (linfeng)
-- owns two customer groups, 高远 (gaoyuan) one. The tests share one
-- emulator and run in order: the last one deletes linfeng.
local wecom = require("wecom")
local gc = wecom.client("customers").external_contact_group_chat
local contacts = wecom.client("contacts")

local HONGDA = "wrTFchatHongda000000000000000AA"
local EAST = "wrTFchatEastChannel0000000000AA"
local SOUTH = "wrTFchatSouthKey00000000000000A"

function TestList(t)
  local r = gc.list()
  assert_eq(r.errcode, 0)
  assert_eq(#r.group_chat_list, 3)
  local first = gc.list{owner_userid_list = {"linfeng"}, limit = 1}
  assert_eq(first.group_chat_list, {{chat_id = HONGDA, status = 0}})
  local second = gc.list(0, {"linfeng"}, first.next_cursor, 1)
  assert_eq(second.group_chat_list, {{chat_id = EAST, status = 0}})
  assert_eq(#gc.list{status_filter = 1}.group_chat_list, 0)
end

function TestListAll(t)
  local chats = gc.list_all(0, {"linfeng", "gaoyuan"}, 1)
  assert_eq(chats, {{chat_id = HONGDA, status = 0}, {chat_id = EAST, status = 0}, {chat_id = SOUTH, status = 0}})
  assert_eq(#gc.list_all{owner_userid_list = "gaoyuan"}, 1)
end

function TestGet(t)
  local chat = gc.get(SOUTH, 1).group_chat
  assert_eq(chat.name, "华南大客户群")
  assert_eq(chat.member_list[3].name, "孙伟")
  assert_eq(gc.get{chat_id = SOUTH}.group_chat.member_list[3].name, nil)
  expect_errors(t, {
    {"unknown group", gc.get, "wrNope", 90501, "externalcontact/groupchat/get"},
  })
end

function TestOnJobTransfer(t)
  assert_eq(gc.onjob_transfer({SOUTH}, "luojun").failed_chat_list, {})
  assert_eq(gc.get(SOUTH).group_chat.owner, "luojun")
  local r = gc.onjob_transfer{chat_id_list = {SOUTH}, new_owner = "luojun"}
  assert_eq(r.failed_chat_list[1].errcode, 90504)
end

function TestTransfer(t)
  contacts.user.delete("linfeng")
  assert_eq(#gc.list().group_chat_list, 1) -- a leaver's groups need an owner filter
  local left = gc.list_all(1, {"linfeng"})
  assert_eq(#left, 2)
  local r = gc.transfer({HONGDA, EAST, SOUTH}, "guoqiang")
  assert_eq(r.failed_chat_list, {{chat_id = SOUTH, errcode = 90500, errmsg = "the owner of chat has not resigned"}})
  assert_eq(gc.get(HONGDA).group_chat.owner, "guoqiang")
  assert_eq(#gc.list_all{status_filter = 3, owner_userid_list = {"guoqiang"}}, 2)
  local err = fails(gc.transfer, {chat_id_list = {HONGDA}})
  contains(err, "new_owner")
end
