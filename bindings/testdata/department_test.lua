-- Tests of wecom.department against the emulator's demo organisation:
-- reads as the app 运维助手, writes with the contacts-sync secret.
local wecom = require("wecom")
local contacts = wecom.client("contacts")


-- ids returns the ids of a list of departments, sorted.
local function ids(list)
  local out = {}
  for _, d in ipairs(list) do
    out[#out + 1] = d.id
  end
  table.sort(out)
  return out
end

function TestCreateUpdateDelete(t)
  -- positional: name, parent_id, order
  local id = contacts.department.create("法务部", 1, 0).id
  assert_eq(type(id), "number")
  local d = wecom.department.get_detail(id)
  assert_eq(d.name, "法务部")
  assert_eq(d.parentid, 1)
  assert_eq(d.order, 0)
  assert_eq(d.department_leader, {})

  -- named, with a chosen id
  assert_eq(contacts.department.create{name = "合规组", parent_id = id, id = 100, order = 5}.id, 100)
  contacts.department.update{id = id, name = "法务合规部", parent_id = 7}
  d = wecom.department.get_detail{id = id}
  assert_eq(d.name, "法务合规部")
  assert_eq(d.parentid, 7)
  assert_eq(emulator.department(id).name, "法务合规部")

  local tree = wecom.department.get(id)
  local want = {id, 100}
  table.sort(want)
  assert_eq(ids(tree), want)
  assert_eq(tree.errcode, nil, "department.get returns the department array")
  assert_eq(wecom.department.simplelist(id)[2], {id = 100, parentid = id, order = 5})

  local err = fails(contacts.department.delete, id)
  assert_eq(err.errcode, 60006, "a department with sub-departments")
  contacts.department.delete(100)
  assert_eq(contacts.department.delete{id = id}.errcode, 0)
  err = fails(wecom.department.get_detail, id)
  assert_eq(err.errcode, 60003)
  assert_eq(emulator.department(id), nil)
end

function TestListAll(t)
  local all = wecom.department.get()
  local simple = wecom.department.simplelist()
  assert_eq(#all, #simple)
  assert_eq(all[1].id, 1)
  assert_eq(all[1].parentid, 0)
  for _, d in ipairs(simple) do
    if d.name ~= nil then
      t:errorf("simplelist entry %d has a name", d.id)
    end
  end
  -- 日报 sees 研发中心 and its sub-departments only
  assert_eq(ids(wecom.client("report").department.get()), {2, 3, 4, 5, 6})
end

function TestLeaders(t)
  assert_eq(wecom.department.get_detail(2).department_leader, {"zhangsan"})
end

function TestGetUsers(t)
  local brief = wecom.department.get_users(3)
  assert_eq(#brief > 0, true)
  for _, m in ipairs(brief) do
    if m.position ~= nil then
      t:errorf("get_users is brief by default, got the position of %s", m.userid)
    end
  end
  local detailed = wecom.department.get_users{id = 2, fetch_child = true, simple = false}
  assert_eq(#detailed > #brief, true)
  local found = false
  for _, m in ipairs(detailed) do
    if m.userid == "lisi" then
      found = true
      assert_eq(m.position, "后端工程师")
    end
  end
  assert_eq(found, true, "fetch_child includes lisi of department 3")
end

function TestGetMapUsers(t)
  local byName = wecom.department.get_map_users(3)
  assert_eq(byName["李四"], "lisi")
  assert_eq(byName["蒋涛"], "jiangtao")
  local n = 0
  for _ in pairs(byName) do
    n = n + 1
  end
  assert_eq(n, #wecom.department.get_users(3))

  -- 运维助手, created after 2022-06-20, reads no mobile: the contacts sync does
  local err = fails(wecom.department.get_map_users, {key = "mobile"})
  contains(tostring(err), 'field "mobile": missing')
  local byMobile = contacts.department.get_map_users{key = "mobile"}
  assert_eq(byMobile[emulator.member("hutao").mobile], "hutao", "every department by default")
  local byID = wecom.department.get_map_users(2, "userid", nil, true)
  assert_eq(byID.lisi, "lisi")
  assert_eq(byID.hutao, nil)

  local err = fails(wecom.department.get_map_users, 3, "no_such_field")
  contains(tostring(err), "no_such_field")
end

function TestErrors(t)
  local cases = {
    {"duplicate name", contacts.department.create, {name = "研发中心", parent_id = 1}, 60008, "department/create"},
    {"unknown parent", contacts.department.create, {name = "新部门", parent_id = 999}, 60004, "department/create"},
    {"unknown department", contacts.department.update, {id = 999, name = "x"}, 60003, "department/update"},
    {"a department with members", contacts.department.delete, {id = 13}, 60005, "department/delete"},
    {"an app writing departments", wecom.department.create, {name = "新部门"}, 48002, "department/create"},
    {"outside the visible range", wecom.client("report").department.get_detail, {id = 8}, 60011, "department/get"},
  }
  expect_errors(t, cases)
  assert_eq(emulator.department(13).name, "行政部")
end
