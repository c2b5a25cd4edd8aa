-- Tests of wecom.user against the emulator's demo organisation. Reads go
-- through the default client, the app 运维助手 (visible to everyone);
-- writes through wecom.client("contacts"), the contacts-sync secret, as
-- WeCom requires.
local wecom = require("wecom")
local contacts = wecom.client("contacts")


function TestCreateGetUpdateDelete(t)
  -- positional, in wechatpy's order: user_id, name, department, position,
  -- mobile, gender, tel, email
  local r = contacts.user.create("qianlei", "钱磊", {3, 4}, "后端工程师", "13912345678", 1, "021-60881234",
    "qianlei@tengfei.example.com")
  assert_eq(r.errcode, 0)
  local u = contacts.user.get("qianlei")
  assert_eq(u.userid, "qianlei")
  assert_eq(u.name, "钱磊")
  assert_eq(u.department, {3, 4})
  assert_eq(u.position, "后端工程师")
  assert_eq(u.mobile, "13912345678")
  assert_eq(u.gender, "1")
  assert_eq(u.telephone, "021-60881234")
  assert_eq(u.status, 4, "a new member has not activated WeCom")

  -- named, with a field wechatpy passes through **kwargs
  contacts.user.update{user_id = "qianlei", position = "高级后端工程师", enable = 0, alias = "Leo"}
  u = wecom.user.get{user_id = "qianlei"}
  assert_eq(u.position, "高级后端工程师")
  assert_eq(u.alias, "Leo")
  assert_eq(u.status, 2, "enable = 0 disables the member")
  assert_eq(emulator.member("qianlei").position, "高级后端工程师")

  assert_eq(contacts.user.delete("qianlei").errcode, 0)
  local err = fails(wecom.user.get, "qianlei")
  assert_eq(err.errcode, 60111)
  assert_eq(err.api, "user/get")
  contains(tostring(err), "wecom user/get: errcode 60111")
  assert_eq(emulator.member("qianlei"), nil)
end

function TestList(t)
  local members = wecom.user.list(1, true)
  local ids = {}
  for _, m in ipairs(members) do
    ids[m.userid] = true
  end
  local want = {}
  for _, row in ipairs(wecom.user.all_ids()) do
    want[row.userid] = true
  end
  assert_eq(ids, want, "members of user.list(1, true) and of user.all_ids()")
  assert_eq(members.errcode, nil, "user.list returns the member array")

  local direct = wecom.user.list(3)
  for _, m in ipairs(direct) do
    if m.userid == "zhangsan" then
      t:errorf("user.list(3) lists zhangsan of department 2")
    end
  end
  assert_eq(#direct > 0, true)
  assert_eq(direct[1].position ~= nil, true, "user.list is detailed")

  local brief = wecom.user.list{department_id = 2, fetch_child = true, simple = true}
  assert_eq(#brief > #wecom.user.list(2), true, "fetch_child adds the sub-departments")
  for _, m in ipairs(brief) do
    if m.position ~= nil or m.userid == nil or m.name == nil then
      t:errorf("simple member %s has the fields of user/list", require("json").encode(m))
    end
  end
end

function TestAllIDsAndPages(t)
  local rows = wecom.user.all_ids()
  local jiangtao = {}
  for _, row in ipairs(rows) do
    if row.userid == "jiangtao" then
      jiangtao[#jiangtao + 1] = row.department
    end
  end
  table.sort(jiangtao)
  assert_eq(jiangtao, {2, 3}, "one row per department of a member")

  local page = wecom.user.list_id(nil, 10)
  assert_eq(#page.dept_user, 10)
  local seen = #page.dept_user
  while page.next_cursor ~= "" do
    page = wecom.user.list_id{cursor = page.next_cursor, limit = 10}
    seen = seen + #page.dept_user
  end
  assert_eq(seen, #rows)
end

function TestEach(t)
  local listed = wecom.user.list(1, true)
  local n = 0
  for u in wecom.user.each(1, true) do
    n = n + 1
    assert_eq(u, listed[n], "member " .. n .. " of user.each as user.list returns it")
  end
  assert_eq(n, #listed)

  local count = 0
  for _ in wecom.user.each{department_id = 3} do
    count = count + 1
  end
  assert_eq(count, #wecom.user.list(3), "the named form, without sub-departments")

  local brief = wecom.user.list(2, true, 0, true)
  n = 0
  for u in wecom.user.each{department_id = 2, fetch_child = true, simple = true} do
    n = n + 1
    assert_eq(u, brief[n], "simple members as user.list gives them")
  end
  assert_eq(n, #brief)

  local first
  for u in wecom.user.each(1, true) do
    first = u.userid
    if first then
      break -- leaves the answer open until the iterator is collected
    end
  end
  assert_eq(first, listed[1].userid)
  local err = fails(wecom.user.each, 99999)
  assert_eq(err.errcode, 60003, "an unknown department raises at the call")
end

function TestEachID(t)
  local rows = wecom.user.all_ids()
  local n = 0
  for row in wecom.user.each_id() do
    n = n + 1
    assert_eq(row, rows[n])
  end
  assert_eq(n, #rows)
end

function TestConvertAndVerify(t)
  local openid = wecom.user.convert_to_openid("lisi").openid
  assert_eq(type(openid), "string")
  assert_eq(wecom.user.convert_to_user_id(openid), "lisi")
  assert_eq(wecom.user.convert_to_user_id{openid = openid}, "lisi")
  assert_eq(wecom.user.verify("lisi").errcode, 0)
end

function TestGetUserIDByMobile(t)
  assert_eq(wecom.user.getuserid("13800138002"), "zhangsan")
  contacts.user.create{user_id = "sunli", name = "孙丽", department = {2}, mobile = "13911112222"}
  assert_eq(wecom.user.getuserid{mobile = "13911112222"}, "sunli")
  contacts.user.delete("sunli")
  local err = fails(wecom.user.getuserid, "13911112222")
  assert_eq(err.errcode, 46004)
  err = fails(wecom.user.getuserid)
  contains(tostring(err), "mobile")
end

function TestGetUserIDByEmail(t)
  assert_eq(wecom.user.get_userid_by_email("lisi@tengfei.wecom.work"), "lisi") -- the corp email by default
  assert_eq(wecom.user.get_userid_by_email{email = "lisi@tengfei.example.com", email_type = 2}, "lisi")
  contacts.user.create{user_id = "sunli", name = "孙丽", department = {2}, email = "sunli@example.com"}
  assert_eq(wecom.user.get_userid_by_email("SunLi@example.com", 2), "sunli")
  contacts.user.delete("sunli")
  local err = fails(wecom.user.get_userid_by_email, "sunli@example.com", 2)
  assert_eq(err.errcode, 46004)
  err = fails(wecom.user.get_userid_by_email, {email_type = 2})
  contains(tostring(err), "bad argument")
  contains(tostring(err), "email")
end

function TestGetInfoDefaultsAgentID(t)
  local r = wecom.user.get_info{code = emulator.oauth_code("lisi")}
  assert_eq(r.UserId, "lisi")
  r = wecom.user.get_info(nil, emulator.oauth_code("wangwu"))
  assert_eq(r.UserId, "wangwu")
  local err = fails(wecom.user.get_info, 1000003, emulator.oauth_code("lisi"))
  assert_eq(err.errcode, 301002, "another app's agent id")
  err = fails(contacts.user.get_info, {code = "x"})
  contains(tostring(err), "agent_id")
end

function TestBatchDelete(t)
  contacts.user.create{user_id = "tmp1", name = "临时一", email = "tmp1@example.com"}
  contacts.user.create{user_id = "tmp2", name = "临时二", email = "tmp2@example.com", to_invite = false}
  local err = fails(contacts.user.batch_delete, {"tmp1", "nobody"})
  assert_eq(err.errcode, 60111)
  assert_eq(emulator.member("tmp1").name, "临时一", "a failed batch delete deletes none")
  assert_eq(contacts.user.batch_delete{user_ids = {"tmp1", "tmp2"}}.errcode, 0)
  assert_eq(emulator.member("tmp1"), nil)
  assert_eq(emulator.member("tmp2"), nil)
end

function TestErrors(t)
  local cases = {
    {"duplicate userid", contacts.user.create, {user_id = "zhangsan", name = "张三", mobile = "13999990000"}, 60102, "user/create"},
    {"unknown department", contacts.user.create, {user_id = "newbie", name = "新人", mobile = "13999990001", department = {999}}, 60123, "user/create"},
    {"unknown user", contacts.user.update, {user_id = "nobody", position = "x"}, 60111, "user/update"},
    {"an app writing contacts", wecom.user.create, {user_id = "newbie", name = "新人", mobile = "13999990002"}, 48002, "user/create"},
    {"outside the visible range", wecom.client("report").user.get, {user_id = "hutao"}, 60011, "user/get"},
  }
  for _, c in ipairs(cases) do
    local name, fn, args, code, api = c[1], c[2], c[3], c[4], c[5]
    local ok, err = pcall(fn, args)
    if ok then
      t:errorf("%s: no error", name)
    elseif type(err) ~= "table" then
      t:errorf("%s: error %s is not a table", name, tostring(err))
    else
      assert_eq(err.errcode, code, name)
      assert_eq(err.api, api, name)
      contains(tostring(err), "errcode " .. code)
    end
  end
  assert_eq(emulator.member("newbie"), nil)
end

function TestArgumentErrors(t)
  local err = fails(wecom.user.get)
  contains(tostring(err), "bad argument #1 (user_id) to user.get")
  err = fails(wecom.user.get, {user_id = "lisi", extra = 1})
  contains(tostring(err), 'unknown argument "extra"')
  err = fails(contacts.user.create, {user_id = "x", mobile = "13999990003"})
  contains(tostring(err), "name")
  err = fails(wecom.client, "nope")
  contains(tostring(err), "contacts")
  contains(tostring(err), "report")
end

function TestFanoutWelcome(t)
  -- Personalised messages to new members, one of whom does not exist: its
  -- failure is reported in its place and the others are sent.
  local items = {
    {user_ids = "lisi", content = "欢迎，李四"},
    {user_ids = "nobody", content = "欢迎，查无此人"},
    {user_ids = {"wangwu"}, content = "欢迎，王五"},
  }
  local before = #emulator.messages()
  local results, failed = wecom.fanout("message.send_text", items, {concurrency = 2})
  assert_eq(failed, 1)
  assert_eq(#results, 3)
  assert_eq(results[1].ok, true)
  assert_eq(results[1].result.errcode, 0)
  assert_eq(results[2].ok, false)
  assert_eq(results[2].error.errcode, 81013)
  assert_eq(results[2].error.api, "message/send")
  assert_eq(results[3].ok, true)
  local sent = {}
  for i, m in ipairs(emulator.messages()) do
    if i > before then
      sent[m.touser] = m.payload.text.content
    end
  end
  assert_eq(sent, {lisi = "欢迎，李四", wangwu = "欢迎，王五"})

  -- a bad item stops the fan-out before anything is sent
  local err = fails(wecom.fanout, "message.send_text", {{user_ids = "lisi", content = "x"}, {user_ids = "lisi", contnet = "x"}})
  contains(tostring(err), "item 2")
  assert_eq(#emulator.messages(), before + 2)

  -- each client has its fanout: reads of members with the contacts secret
  local got = contacts.fanout("user.get", {{"lisi"}, {"nobody"}})
  assert_eq(got[1].result.name, "李四")
  assert_eq(got[2].error.errcode, 60111)
end

function TestCreateRefusesUnknownField(t)
  local err = fails(wecom.client("contacts").user.create, {user_id = "typo", name = "拼写", departmnet = {1}, mobile = "13900000001"})
  contains(tostring(err), "departmnet")
end
