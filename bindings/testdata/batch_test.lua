-- Tests of wecom.batch against the emulator's demo organisation: CSV files
-- built with the csv module, uploaded with media.upload, imported with the
-- contacts-sync secret, and polled until done.
local wecom = require("wecom")
local csv = require("csv")
local time = require("time")
local contacts = wecom.client("contacts")


-- wait polls a batch job until it has finished and returns its result.
local function wait(jobid)
  local last = 0
  local deadline = time.now() + 60 -- a job takes 200 ms; a busy machine, longer
  while time.now() < deadline do
    local r = contacts.batch.get_result(jobid)
    if r.status < last then
      error(string.format("job status went from %d to %d", last, r.status))
    end
    last = r.status
    if r.status == 3 then
      return r
    end
    time.sleep(0.02)
  end
  error("job " .. jobid .. " did not finish")
end

-- upload uploads a CSV file's text and returns its media id.
local function upload(name, text)
  return contacts.media.upload("file", {filename = name, content = text}).media_id
end

function TestReplaceUser(t)
  -- Members read with user.list, changed and written back: two leave, one
  -- is promoted, one joins.
  local members = contacts.user.list(1, true)
  local file = {}
  for _, m in ipairs(members) do
    if m.userid ~= "hanmei" and m.userid ~= "tianye" then
      if m.userid == "lisi" then
        m.position = "资深后端工程师"
      end
      file[#file + 1] = m
    end
  end
  file[#file + 1] = {userid = "qianlei", name = "钱磊", mobile = "13912345678", department = {3, 4}, position = "后端工程师", gender = "1"}

  local job = contacts.batch.replace_user{media_id = upload("成员.csv", csv.member_file(file)), to_invite = false}
  assert_eq(type(job.jobid), "string")
  local r = wait(job.jobid)
  assert_eq(r.type, "replace_user")
  assert_eq(r.total, #file)
  assert_eq(#r.result, #file)
  for _, row in ipairs(r.result) do
    if row.errcode ~= 0 then
      t:errorf("row %s: errcode %d %s", row.userid, row.errcode, row.errmsg)
    end
  end

  assert_eq(emulator.member("hanmei"), nil)
  assert_eq(emulator.member("tianye"), nil)
  local new = emulator.member("qianlei")
  assert_eq({new.name, new.department, new.gender}, {"钱磊", {3, 4}, "1"})
  assert_eq(emulator.member("lisi").position, "资深后端工程师")
  assert_eq(#contacts.user.list(1, true), #members - 1)
  -- the members written back are unchanged
  local zhangsan = emulator.member("zhangsan")
  assert_eq({zhangsan.alias, zhangsan.address, zhangsan.is_leader_in_dept}, {"jackzhang", "上海市浦东新区张江路88号", {1}})
end

function TestSyncUserPositional(t)
  local file = csv.member_file{{userid = "zhouxin", name = "周鑫", email = "zhouxin@example.com", department = {5}, enable = 0}}
  -- url, token, encoding_aes_key, media_id, to_invite
  local job = contacts.batch.sync_user(nil, nil, nil, upload("sync.csv", file), false)
  local r = wait(job.jobid)
  assert_eq(r.type, "sync_user")
  assert_eq(r.result, {{userid = "zhouxin", errcode = 0, errmsg = "ok"}})
  local m = emulator.member("zhouxin")
  assert_eq({m.department, m.status}, {{5}, 2}, "禁用 disables the member")
  assert_eq(emulator.member("lisi") ~= nil, true, "sync_user keeps the members absent from the file")
end

function TestReplaceUserRefusesMassDeletion(t)
  local members = contacts.user.list(1, true)
  local job = contacts.batch.replace_user{media_id = upload("two.csv", csv.member_file{members[1], members[2]})}
  local err
  local deadline = time.now() + 60
  while time.now() < deadline do
    local ok, e = pcall(contacts.batch.get_result, job.jobid)
    if not ok then
      err = e
      break
    end
    time.sleep(0.02)
  end
  assert_eq(type(err), "table", "the refused job raises an error table")
  assert_eq({err.errcode, err.api}, {45026, "batch/getresult"})
  assert_eq(#contacts.user.list(1, true), #members)
end

function TestReplaceParty(t)
  local departments = contacts.department.get()
  departments[#departments + 1] = {name = "法务部", id = 20, parent_id = 1, order = 10}
  local job = contacts.batch.replace_party(nil, nil, nil, upload("部门.csv", csv.department_file(departments)))
  local r = wait(job.jobid)
  assert_eq(r.type, "replace_party")
  local created
  for _, row in ipairs(r.result) do
    if row.partyid == 20 then
      created = row
    end
  end
  assert_eq(created ~= nil and created.errcode == 0 and created.action % 2 == 1, true, "department 20 created")
  assert_eq(emulator.department(20), {id = 20, name = "法务部", parentid = 1, order = 10})
end

function TestInvite(t)
  local r = contacts.batch.invite{user = {"panyue", "nobody"}, party = {999}}
  assert_eq(r.invaliduser, {"nobody"})
  assert_eq(r.invalidparty, {999})
  local job = contacts.batch.invite_user{user_ids = "panyue"}
  assert_eq(wait(job.jobid).type, "invite_user")
end

function TestErrors(t)
  local ok, err = pcall(contacts.batch.get_result, "nosuchjob")
  assert_eq({ok, err.errcode}, {false, 40088})
  ok, err = pcall(contacts.batch.replace_user, {media_id = "nosuchmedia"})
  assert_eq({ok, err.errcode}, {false, 40007})
  local notes = upload("notes.csv", "a,b,c\n1,2,3\n")
  ok, err = pcall(contacts.batch.sync_user, {media_id = notes})
  assert_eq({ok, err.errcode}, {false, 40092})
  ok, err = pcall(wecom.batch.replace_user, {media_id = notes})
  assert_eq({ok, err.errcode}, {false, 48002})
  err = fails(contacts.batch.replace_user, {})
  contains(tostring(err), "media_id")
end
