-- CSV batch replace_user: make WeCom's members exactly the HR system's.
--
-- The HR export is a UTF-8 CSV with a header row and WeCom's field names:
--
--   userid,name,department,mobile,email,position,gender
--   zhangsan,张三,2,13800138002,zhangsan@tengfei.example.com,研发总监,1
--
-- department lists department ids separated by ";"; gender is 1 (male) or 2
-- (female). The script builds WeCom's member CSV from it (csv.member_file
-- checks every row first), compares it with the current members, and
-- refuses when the replacement would remove more than args.max_remove_share
-- of them (default 0.1) unless args.allow_mass_remove is true, and when a
-- member is in a department WeCom does not have. Then it
-- uploads the file, starts batch/replaceuser, polls batch/getresult with
-- backoff until the job finishes (the run's timeout bounds the wait), logs
-- the counts, and fails when WeCom reports more failed rows than
-- args.max_row_errors (default 0).
--
-- batch/replaceuser removes every member absent from the file: the guard
-- above is what stands between a truncated export and an empty company.
--
-- Secret: the contacts-sync secret (通讯录同步, the client contacts), the
-- only one that uploads and replaces members. It makes only the calls WeCom
-- allows it from a new IP since 2022-08-15: the current members are read
-- with user.each_id (user/list_id) and the departments with
-- department.simplelist, never with user/list or department/list.

local wecom = require("wecom")
local csv = require("csv")
local args = require("args")
local log = require("log")
local time = require("time")

local source = args.get("source", "hr_members.csv")
local max_share = args.number("max_remove_share", 0.1)
local allow_mass_remove = args.bool("allow_mass_remove", false)
local max_row_errors = args.number("max_row_errors", 0)

-- Read and check the export one row at a time: member_file builds WeCom's
-- file from the rows as they come (raising on a bad row), so that an export
-- of 100,000 members is never held whole. The script keeps the userids (for
-- the guard below) and where each department is first used.
local keep, count, first_use = {}, 0, {}
local rows, line = csv.each(source), 1
local file = csv.member_file(function()
  local row = rows()
  if not row then return nil end
  line = line + 1
  local departments = {}
  for id in string.gmatch(row.department or "", "[^;]+") do
    local n = tonumber(id)
    if not n then
      error(string.format("%s:%d: department %q is not a number", source, line, id))
    end
    departments[#departments + 1] = n
    first_use[n] = first_use[n] or string.format("%s:%d: %s", source, line, tostring(row.userid))
  end
  count = count + 1
  if row.userid then keep[row.userid] = true end
  return {
    userid = row.userid, name = row.name, department = departments,
    mobile = row.mobile, email = row.email, position = row.position,
    gender = tonumber(row.gender),
  }
end)

-- Who would be removed? user/list_id gives a member once per department.
local current, removed, seen = 0, {}, {}
for row in wecom.user.each_id() do
  if not seen[row.userid] then
    seen[row.userid] = true
    current = current + 1
    if not keep[row.userid] then removed[#removed + 1] = row.userid end
  end
end
seen = nil
table.sort(removed)
keep = nil -- what follows needs only the counts
local share = current > 0 and #removed / current or 0
print(string.format("replace_user: %d members in %s, %d in WeCom, %d to remove (%.1f%%)",
  count, source, current, #removed, share * 100))
if #removed > 0 then
  print("  to remove: " .. table.concat(removed, ", "))
end
if share > max_share and not allow_mass_remove then
  error(string.format("refusing: the file would remove %d of %d members (%.0f%%), more than max_remove_share %.0f%%; set allow_mass_remove to proceed",
    #removed, current, share * 100, max_share * 100))
end

-- Every department of the file must exist: WeCom would fail the rows of the
-- others only after the upload. In a dry run the department sync's writes
-- were held back, so missing departments are only reported.
local known = {}
for _, d in ipairs(wecom.department.simplelist()) do known[d.id] = true end
local missing = {}
for id, where in pairs(first_use) do
  if not known[id] then
    missing[#missing + 1] = string.format("%s is in department %d", where, id)
  end
end
table.sort(missing)
if #missing > 0 then
  local msg = string.format("%d departments of the file are not in WeCom (run the department sync first):\n  %s",
    #missing, table.concat(missing, "\n  ", 1, math.min(#missing, 10)))
  if not wecom.dry_run then
    error("refusing: " .. msg)
  end
  log.warn(msg)
end

-- Upload and replace.
local media = wecom.media.upload("file", {filename = "members.csv", content = file})
file = nil -- uploaded: the answer of a large job is read next
local job = wecom.batch.replace_user{media_id = media.media_id, to_invite = false}
log.info("batch replaceuser started", {jobid = job.jobid})

-- Poll with backoff until WeCom finishes (status 3).
local result
local delay = 0.2
repeat
  time.sleep(delay)
  delay = math.min(delay * 2, 10)
  result = wecom.batch.get_result(job.jobid)
  log.info("batch job progress", {jobid = job.jobid, status = result.status, percentage = result.percentage})
until result.status == 3

local failed = 0
for _, row in ipairs(result.result or {}) do
  if row.errcode ~= 0 then
    failed = failed + 1
    log.warn("row failed", {userid = row.userid, errcode = row.errcode, errmsg = row.errmsg})
  end
end
print(string.format("replace_user: job %s finished: %d rows, %d failed", job.jobid, result.total or count, failed))
if failed > max_row_errors then
  error(string.format("%d rows failed (max_row_errors is %d)", failed, max_row_errors))
end
