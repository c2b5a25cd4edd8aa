-- Export the organisation to two CSV files: departments and members, e.g.
-- for an auditor or a spreadsheet.
--
-- Secret: an application's (the client notify) whose visible range is the
-- whole organisation: it reads the tree with department.get and the members
-- with user.each. An application created since 2022-06-20 receives no
-- member's mobile or email: the columns are left out then, and the script
-- says so. (The contacts sync may not call department/list or user/list
-- from a new IP since 2022-08-15.)
--
-- args: dir (default "export").

local wecom = require("wecom")
local csv = require("csv")
local fs = require("fs")
local args = require("args")

local dir = args.get("dir", "export")
fs.mkdir(dir)

local departments = {}
for _, d in ipairs(wecom.department.get()) do
  departments[#departments + 1] = {id = d.id, name = d.name, parentid = d.parentid, order = d.order}
end
table.sort(departments, function(a, b) return a.id < b.id end)
csv.write(dir .. "/departments.csv", departments, {header = {"id", "name", "parentid", "order"}, bom = true})

-- One member at a time: only the exported fields are kept.
local rows, contact = {}, false
for u in wecom.user.each(1, true) do
  rows[#rows + 1] = {
    userid = u.userid, name = u.name, position = u.position, mobile = u.mobile, email = u.email,
    department = table.concat(u.department or {}, ";"), status = u.status,
  }
  contact = contact or u.mobile ~= nil or u.email ~= nil
end
table.sort(rows, function(a, b) return a.userid < b.userid end)
local header = {"userid", "name", "department", "position", "status"}
if contact then
  header = {"userid", "name", "department", "position", "mobile", "email", "status"}
end
csv.write(dir .. "/members.csv", rows, {header = header, bom = true})
print(string.format("exported %d departments and %d members to %s", #departments, #rows, dir))
if not contact then
  print("mobile and email not exported: WeCom gives them to no application created since 2022-06-20")
end
