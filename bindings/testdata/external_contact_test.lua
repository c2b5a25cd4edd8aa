-- Tests of wecom.external_contact against the emulator's demo organisation.
-- The client "customers" is the app 客户助手, configured to call the customer
-- contact API (客户联系 → 可调用应用) and visible to 市场部; the default client,
-- 运维助手, is not configured. 林峰 (linfeng) has four customers; his
-- manager 郭强 (guoqiang) leads 华东销售部. The tests share one emulator and
-- run in order: the last one deletes linfeng.
local wecom = require("wecom")
local ec = wecom.client("customers").external_contact
local contacts = wecom.client("contacts")

local WANG = "wmTFcustWangJianguo0000000000AA" -- linfeng's and heyan's
local LI = "wmTFcustLiMing000000000000000AA"   -- linfeng's
local LIU = "wmTFcustLiuFang000000000000000A"  -- heyan's
local TAG_KEY = "etTFlevelKey00000000000000000AA"

-- has reports whether the array list holds v.
local function has(list, v)
  for _, e in ipairs(list) do
    if e == v then
      return true
    end
  end
  return false
end

function TestFollowUsersAndList(t)
  local r = ec.get_follow_user_list()
  assert_eq(r.errcode, 0) -- the whole answer, as wechatpy returns it
  assert_eq(has(r.follow_user, "linfeng"), true)
  assert_eq(has(r.follow_user, "wangwu"), false) -- outside the app's range
  assert_eq(#ec.list("linfeng").external_userid, 4)
  assert_eq(ec.list{userid = "heyan"}.external_userid, {WANG, LIU})
end

function TestGet(t)
  local r = ec.get(WANG)
  assert_eq(r.external_contact.name, "王建国")
  assert_eq(r.follow_user[1].userid, "linfeng")
  assert_eq(r.follow_user[1].tags[1], {group_name = "客户等级", tag_name = "重点客户", tag_id = TAG_KEY, type = 1})
  assert_eq(ec.get{external_userid = LI}.external_contact.corp_full_name, "宏达制造有限公司")
  expect_errors(t, {
    {"unknown customer", ec.get, "wmNobody", 40096, "externalcontact/get"},
    {"not configured", ec.list, "tianye", 84061, "externalcontact/list"},
    {"outside the range", ec.list, "wangwu", 60011, "externalcontact/list"},
  })
end

function TestBatchGetByUser(t)
  local first = ec.batch_get_by_user("linfeng", "", 3)
  assert_eq(#first.external_contact_list, 3)
  assert_eq(first.external_contact_list[1].follow_info.tag_id, {TAG_KEY, "etTFregionEast000000000000000AA"})
  local rest = ec.batch_get_by_user{userid = "linfeng", cursor = first.next_cursor, limit = 3}
  assert_eq(#rest.external_contact_list, 1)
  assert_eq(rest.next_cursor, "")
  assert_eq(#ec.batch_get_by_user({"linfeng", "heyan"}).external_contact_list, 6)
end

function TestGenAllByUser(t)
  local rows = ec.gen_all_by_user({"linfeng", "heyan"}, 1)
  assert_eq(#rows, 6)
  assert_eq(rows[6].follow_info.userid, "heyan")
  assert_eq(rows[6].external_contact.name, "刘芳")
  assert_eq(#ec.gen_all_by_user{userid = "heyan"}, 2)
end

function TestCorpTags(t)
  local groups = ec.get_corp_tag_list().tag_group
  assert_eq(#groups, 2)
  assert_eq(groups[1].group_name, "客户等级")
  assert_eq(#ec.get_corp_tag_list{group_ids = {groups[2].group_id}}.tag_group[1].tag, 2)

  -- wechatpy's positional order: group_id, group_name, order, tags
  local added = ec.add_corp_tag(nil, "客户来源", 3, {{name = "展会"}, {name = "转介绍", order = 2}}).tag_group
  assert_eq(added.group_name, "客户来源")
  assert_eq(#added.tag, 2)
  local more = ec.add_corp_tag{group_id = added.group_id, tags = {{name = "广告"}}}.tag_group
  assert_eq(more.tag[1].name, "广告")
  local ad = more.tag[1].id
  assert_eq(ec.edit_corp_tag(ad, "线上广告").errcode, 0)
  assert_eq(ec.mark_tag("heyan", LIU, {ad}).errcode, 0)
  local follow = ec.get(LIU).follow_user[1]
  assert_eq(follow.tags[#follow.tags].tag_name, "线上广告")
  assert_eq(ec.mark_tag{userid = "heyan", external_userid = LIU, remove_tag = {ad}}.errcode, 0)
  assert_eq(ec.del_corp_tag{group_id = {added.group_id}}.errcode, 0)
  assert_eq(#ec.get_corp_tag_list().tag_group, 2)
  expect_errors(t, {
    {"edit an unknown tag", ec.edit_corp_tag, {id = "etNope", name = "x"}, 40068, "externalcontact/edit_corp_tag"},
    {"mark a stranger", ec.mark_tag, {userid = "heyan", external_userid = LI, add_tag = {TAG_KEY}}, 84061, "externalcontact/mark_tag"},
  })
  local err = fails(ec.add_corp_tag, {group_name = "x"})
  contains(err, "bad argument")
  contains(err, "tags")
end

function TestTransferCustomer(t)
  local r = ec.transfer_customer("heyan", "dongxue", {LIU, "wmNobody"}, "您好，后续由董雪为您服务")
  assert_eq(r.customer, {{external_userid = LIU, errcode = 0}, {external_userid = "wmNobody", errcode = 40096}})
  local result = ec.transfer_result("heyan", "dongxue")
  assert_eq(result.customer[1].external_userid, LIU)
  assert_eq(result.customer[1].status, 2) -- waiting: the takeover is 24 hours later
  assert_eq(ec.transfer_result{handover_userid = "heyan", takeover_userid = "dongxue", cursor = ""}.customer[1].status, 2)
  expect_errors(t, {
    {"same member", ec.transfer_customer, {handover_userid = "heyan", takeover_userid = "heyan", external_userid = {LIU}}, 40130, "externalcontact/transfer_customer"},
    {"not configured", ec.transfer_customer, {handover_userid = "heyan", takeover_userid = "tianye", external_userid = {LIU}}, 84074, "externalcontact/transfer_customer"},
  })
end

function TestGroupChatFunctionsOfWechatpy(t)
  local r = ec.get_group_chat_list(10, 0, {userid_list = {"gaoyuan"}})
  assert_eq(r.group_chat_list, {{chat_id = "wrTFchatSouthKey00000000000000A", status = 0}})
  assert_eq(ec.get_group_chat_list{limit = 1}.next_cursor ~= "", true)
  assert_eq(ec.get_group_chat_info("wrTFchatSouthKey00000000000000A").group_chat.owner, "gaoyuan")
  local err = fails(ec.get_group_chat_list, {limit = 10, owner_filter = {userids = {"x"}}})
  contains(err, "owner_filter")
end

function TestNeedsAnAppInTheList(t)
  expect_errors(t, {
    {"运维助手", function() return wecom.external_contact.get_follow_user_list() end, nil, 48002, "externalcontact/get_follow_user_list"},
    {"contacts secret", contacts.external_contact.list, "linfeng", 48002, "externalcontact/list"},
  })
end

function TestResignedTransfer(t)
  contacts.user.delete("linfeng")
  local info = ec.get_unassigned_list().info
  assert_eq(#info, 4)
  assert_eq(info[1].handover_userid, "linfeng")
  local ids = {}
  for _, row in ipairs(info) do
    ids[#ids + 1] = row.external_userid
  end
  assert_eq(#ec.get_unassigned_list{page_size = 3}.info, 3)
  assert_eq(#ec.get_unassigned_list(1, 3).info, 1)
  local r = ec.resigned_transfer_customer("linfeng", "guoqiang", ids)
  for _, c in ipairs(r.customer) do
    assert_eq(c.errcode, 0)
  end
  assert_eq(#ec.get_unassigned_list().info, 0)
  local result = ec.resigned_transfer_result("linfeng", "guoqiang")
  assert_eq(#result.customer, 4)
  assert_eq(result.customer[1].status, 2)
  assert_eq(ec.resigned_transfer_result{handover_userid = "linfeng", takeover_userid = "guoqiang"}.next_cursor, "")
  expect_errors(t, {
    {"in post", ec.resigned_transfer_customer, {handover_userid = "heyan", takeover_userid = "guoqiang", external_userid = {LIU}}, 40097, "externalcontact/resigned/transfer_customer"},
  })
end
