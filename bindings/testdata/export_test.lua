-- Tests of wecom.export against the emulator's demo organisation. An export
-- job is processing at its first get_result and done at the next; its files
-- are served by the emulator, encrypted with the job's key.
local wecom = require("wecom")
local export = wecom.export
local contacts = wecom.client("contacts")
local report = wecom.client("report")

-- KEY is the EncodingAESKey of the official examples (document/path/94849).
local KEY = "IJUiXNpvGbODwKEBSEsAeOAPAhkqHqNCF6g19t9wfg2"

function TestSubmitAndGetResult(t)
  local job = export.export_simple_user(KEY)
  assert_eq(type(job), "string")
  local r = export.get_result(job)
  assert_eq({r.errcode, r.status, r.data_list}, {0, 1, nil})
  r = export.get_result{jobid = job}
  assert_eq(r.status, 2)
  assert_eq(#r.data_list, 1)
  assert_eq(r.data_list[1].size > 0 and r.data_list[1].size % 32, 0)
  assert_eq(#r.data_list[1].md5, 32)
  for _, submit in ipairs({
    function() return export.export_user{encoding_aeskey = KEY, block_size = 10000} end,
    function() return export.export_department(KEY) end,
    function() return export.export_taguser(1, KEY) end,
  }) do
    local id = submit()
    assert_eq(export.get_result(id).status, 1)
  end
  expect_errors(t, {
    {"short key", export.export_user, {encoding_aeskey = "short"}, 40058, "export/user"},
    {"small block", export.export_department, {encoding_aeskey = KEY, block_size = 10}, 40058, "export/department"},
    {"unknown tag", export.export_taguser, {tagid = 999, encoding_aeskey = KEY}, 40068, "export/taguser"},
    {"unknown job", export.get_result, "jobid_nope", 40058, "export/get_result"},
  })
end

-- ids are the userids of user.list's members from the root.
local function listed(client)
  local ids = {}
  for _, u in ipairs(client.user.list(1, true)) do ids[u.userid] = u end
  return ids
end

function TestEachUser(t)
  local want = listed(contacts)
  local n = 0
  for u in contacts.export.each_user() do
    n = n + 1
    local w = want[u.userid]
    assert_eq(w ~= nil, true, u.userid)
    assert_eq({u.name, u.position, u.department}, {w.name, w.position, w.department}, u.userid)
  end
  local total = 0
  for _ in pairs(want) do total = total + 1 end
  assert_eq(n, total)
end

function TestEachSimpleUser(t)
  -- The app 日报 sees 研发中心, 王五 and a tag: the export holds its range.
  local n, names = 0, {}
  for u in report.export.each_simple_user{encoding_aeskey = KEY} do
    n = n + 1
    names[u.userid] = u.name
    assert_eq(type(u.department), "table")
  end
  assert_eq(names.wangwu, report.user.get("wangwu").name)
  local ok = pcall(report.user.get, "zhangsan")
  assert_eq(names.zhangsan ~= nil, ok)
  assert_eq(n < #contacts.user.list(1, true), true)
end

function TestEachDepartment(t)
  local want = contacts.department.get()
  local got = {}
  for d in contacts.export.each_department(1000000) do
    got[#got + 1] = d
  end
  assert_eq(#got, #want)
  assert_eq({got[2].id, got[2].name, got[2].parentid}, {want[2].id, want[2].name, want[2].parentid})
end

function TestAllTaguser(t)
  local want = contacts.tag.get_users(1)
  local got = contacts.export.all_taguser(1)
  assert_eq(got.tagname, want.tagname)
  assert_eq(got.userlist, want.userlist)
  assert_eq(got.partylist, want.partylist)
  assert_eq(contacts.export.all_taguser{tagid = 1, encoding_aeskey = KEY}.tagname, want.tagname)
end

function TestHelperArguments(t)
  -- Checked before the first call; the key is never shown.
  contains(fails(export.each_user, 10), "block_size")
  contains(fails(export.each_user, {block_size = 2000000}), "outside [10000, 1000000]")
  local err = fails(export.each_department, {encoding_aeskey = "NotAKeyNotAKeyNotAKeyNotAKey"})
  contains(err, "encoding_aeskey")
  assert_eq(string.find(err, "NotAKey", 1, true), nil)
  err = fails(export.all_taguser, 999)
  assert_eq(err.errcode, 40068)
  -- A loop left early, and a second loop, each with their own job.
  for u in export.each_simple_user() do break end
  local n = 0
  for u in export.each_simple_user() do n = n + 1 end
  assert_eq(n > 0, true)
end

function TestKeyNotLogged(t)
  for _ in export.each_user{encoding_aeskey = KEY} do end
  for _, line in ipairs(run_log()) do
    assert_eq(string.find(line, KEY, 1, true), nil, line)
  end
end

function TestDryRunSendsExports(t)
  -- An export changes nothing in WeCom: a dry run sends it and reads the files.
  local dry = wecom.client("contacts_dry")
  local n = 0
  for _ in dry.export.each_simple_user() do n = n + 1 end
  assert_eq(n, #contacts.user.list(1, true))
  assert_eq(dry.export.all_taguser(1).tagname, contacts.tag.get_users(1).tagname)
end

function TestFailedJob(t)
  -- A job WeCom reports failed (status 3) raises an error naming the export
  -- and the job, from the iterators and from all_taguser alike.
  emulator.fail_next_exports(1)
  local err = fails(contacts.export.each_user)
  contains(err, "export/user: wecom export/get_result: job jobid_")
  contains(err, "the export job failed (status 3, 异常失败); submit the export again")
  emulator.fail_next_exports(1)
  contains(fails(contacts.export.all_taguser, 1), "export/taguser: wecom export/get_result: job jobid_")
  -- The next export is done.
  local n = 0
  for _ in contacts.export.each_department() do n = n + 1 end
  assert_eq(n, #contacts.department.get())
  -- The generated get_result answers the status as WeCom does.
  emulator.fail_next_exports(1)
  local job = export.export_simple_user(KEY)
  assert_eq(export.get_result(job).status, 1)
  local r = export.get_result(job)
  assert_eq({r.errcode, r.status, r.data_list}, {0, 3, nil})
end
