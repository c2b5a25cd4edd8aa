-- Tests of wecom.tag against the emulator's demo organisation. Tags made
-- with the contacts-sync secret belong to the administrator; the tag 值班
-- (3) belongs to the app 运维助手, the default client.
local wecom = require("wecom")
local contacts = wecom.client("contacts")

-- find returns the tag of the list with this id.
local function find(tags, id)
  for _, tag in ipairs(tags) do
    if tag.tagid == id then
      return tag
    end
  end
end

function TestRoundTrip(t)
  local id = contacts.tag.create("周末值班").tagid
  assert_eq(type(id), "number")
  assert_eq(find(contacts.tag.list(), id), {tagid = id, tagname = "周末值班"})
  contacts.tag.update{tag_id = id, name = "节假日值班"}

  local r = contacts.tag.add_users(id, {"lisi", "wangwu", "nobody"})
  assert_eq(r.errcode, 0)
  assert_eq(r.invalidlist, "nobody")
  local got = contacts.tag.get_users(id)
  assert_eq(got.tagname, "节假日值班")
  assert_eq(got.userlist, {{userid = "lisi", name = "李四"}, {userid = "wangwu", name = "王五"}})
  assert_eq(got.partylist, {})

  -- one userid is a list of one
  contacts.tag.delete_users{tag_id = id, user_ids = "lisi"}
  assert_eq(contacts.tag.get_users{tag_id = id}.userlist, {{userid = "wangwu", name = "王五"}})

  assert_eq(contacts.tag.delete(id).errcode, 0)
  local err = fails(contacts.tag.get_users, id)
  assert_eq(err.errcode, 40068)
  assert_eq(err.api, "tag/get")
  assert_eq(find(contacts.tag.list(), id), nil)
end

function TestListIsTheArray(t)
  local tags = wecom.tag.list()
  assert_eq(tags.errcode, nil)
  assert_eq(tags[1], {tagid = 1, tagname = "技术委员会"})
  assert_eq(find(tags, 3).tagname, "值班")
end

function TestOwner(t)
  -- only the app that made a tag changes it
  local err = fails(contacts.tag.update, 3, "值班（新）")
  assert_eq(err.errcode, 81011)
  assert_eq(wecom.tag.update(3, "值班（新）").errcode, 0)
  assert_eq(find(wecom.tag.list(), 3).tagname, "值班（新）")
  wecom.tag.update(3, "值班")
  local members = wecom.tag.get_users(3)
  assert_eq(members.userlist, {{userid = "hutao", name = "胡涛"}})
  assert_eq(members.partylist, {6})
end

function TestErrors(t)
  local id = contacts.tag.create{name = "临时标签"}.tagid
  local cases = {
    {"all members invalid", contacts.tag.add_users, {tag_id = id, user_ids = {"nobody"}}, 40070, "tag/addtagusers"},
    {"unknown tag", contacts.tag.update, {tag_id = 999, name = "x"}, 40068, "tag/update"},
    {"duplicate name", contacts.tag.create, {name = "技术委员会"}, 40071, "tag/create"},
  }
  expect_errors(t, cases)
  contacts.tag.delete(id)
end
