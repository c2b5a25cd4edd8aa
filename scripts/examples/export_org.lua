-- Export the organisation to two CSV files: departments and members, e.g.
-- for an auditor or a spreadsheet.
--
-- Secret: the contacts-sync secret (通讯录同步, the client contacts). It
-- reads with WeCom's asynchronous exports (export.each_department and
-- export.each_user: export/department, export/user and export/get_result),
-- which WeCom allows it from a new IP since 2022-08-15 where department/list
-- and user/list are not, and which carry the members' mobile and email. The
-- files are decrypted in memory, one at a time, and each row is kept only
-- for the fields exported.
--
-- args: dir (default "export").

local wecom = require("wecom")
local csv = require("csv")
local fs = require("fs")
local args = require("args")

local dir = args.get("dir", "export")
fs.mkdir(dir)

local departments = {}
for d in wecom.export.each_department() do
  departments[#departments + 1] = {id = d.id, name = d.name, parentid = d.parentid, order = d.order}
end
table.sort(departments, function(a, b) return a.id < b.id end)
csv.write(dir .. "/departments.csv", departments, {header = {"id", "name", "parentid", "order"}, bom = true})

local rows = {}
for u in wecom.export.each_user() do
  rows[#rows + 1] = {
    userid = u.userid, name = u.name, position = u.position, mobile = u.mobile, email = u.email,
    department = table.concat(u.department or {}, ";"), status = u.status,
  }
end
table.sort(rows, function(a, b) return a.userid < b.userid end)
csv.write(dir .. "/members.csv", rows, {header = {"userid", "name", "department", "position", "mobile", "email", "status"}, bom = true})
print(string.format("exported %d departments and %d members to %s", #departments, #rows, dir))
