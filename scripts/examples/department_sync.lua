-- Nightly department sync: make WeCom's department tree match the HR
-- system's export.
--
-- The export is a UTF-8 CSV (with or without BOM) with a header row:
--
--   id,name,parent_id,order
--   1,腾飞科技,0,100000000
--   14,数据平台部,2,99994500
--
-- id is the WeCom department id HR keeps for the department, parent_id its
-- parent's id (0 for the root, id 1), order WeCom's sort order (larger comes
-- first; optional).
--
-- The script prints a plan (create, rename, move, reorder, and the
-- departments WeCom has that HR does not), then applies it, parents before
-- children. It deletes nothing unless args.allow_delete is true, and then
-- only departments without members or sub-departments, at most
-- args.max_delete of them (default 3). A second run plans nothing.
--
-- args: source (the CSV), allow_delete, max_delete, reader.
--
-- Secrets: the contacts-sync secret (通讯录同步, the job's client contacts),
-- the only one that writes departments. It makes only the calls WeCom allows
-- it from a new IP since 2022-08-15: department.simplelist (ids, parents,
-- orders), department.get_detail (names) and user.each_id (user/list_id, for
-- the members of a department to delete), never department/list or
-- user/list. Reading each name takes a call per department (5,000
-- departments take half a minute within WeCom's 10,000 calls a minute), so
-- with args.reader, the name of a client of an application whose visible
-- range is the whole organisation (jobs.yaml: notify), the tree is read
-- with one department.get (department/list) by that application instead;
-- the script checks that it sees every department the contacts sync has.

local wecom = require("wecom")
local csv = require("csv")
local args = require("args")
local log = require("log")

local source = args.get("source", "hr_departments.csv")
local allow_delete = args.bool("allow_delete", false)
local max_delete = args.number("max_delete", 3)

-- HR's tree, checked before anything is sent.
local hr, order = {}, {}
for i, row in ipairs(csv.read(source)) do
  local line = i + 1
  local id, parent = tonumber(row.id), tonumber(row.parent_id)
  if not id or not parent or not row.name or row.name == "" then
    error(string.format("%s:%d: id, name and parent_id are required", source, line))
  end
  if hr[id] then
    error(string.format("%s:%d: department id %d appears twice", source, line, id))
  end
  hr[id] = {id = id, name = row.name, parentid = parent, order = tonumber(row.order), line = line}
  order[#order + 1] = id
end
for _, id in ipairs(order) do
  local d = hr[id]
  if d.parentid ~= 0 and not hr[d.parentid] then
    error(string.format("%s:%d: parent %d of %s is not in the file", source, d.line, d.parentid, d.name))
  end
end

-- depth of a department in HR's tree, so parents are handled first.
local function depth(id)
  local n = 0
  while hr[id] and hr[id].parentid ~= 0 do
    id = hr[id].parentid
    n = n + 1
    if n > 15 then error("the HR tree has a cycle through department " .. id) end
  end
  return n
end
table.sort(order, function(a, b)
  local da, db = depth(a), depth(b)
  if da ~= db then return da < db end
  return a < b
end)

-- WeCom's tree: the ids, parents and orders the contacts sync sees, and the
-- names, read by the reader application in one call, or one department at a
-- time (several at once).
local current, refs = {}, wecom.department.simplelist()
local reader = args.get("reader")
if reader then
  for _, d in ipairs(wecom.client(reader).department.get()) do
    current[d.id] = d
  end
  for _, ref in ipairs(refs) do
    if not current[ref.id] then
      error(string.format("the reader %s does not see department %d: its application's visible range must be the whole organisation", reader, ref.id))
    end
  end
else
  local items = {}
  for i, ref in ipairs(refs) do items[i] = {ref.id} end
  for i, r in ipairs(wecom.fanout("department.get_detail", items)) do
    if not r.ok then error(r.error, 0) end
    current[refs[i].id] = r.result
  end
end

-- The plan.
local plan = {}
local function add(action, d, detail)
  plan[#plan + 1] = {action = action, dept = d, detail = detail}
end
for _, id in ipairs(order) do
  local want, have = hr[id], current[id]
  if not have then
    add("create", want, string.format("%s (id %d) under %d", want.name, id, want.parentid))
  elseif id ~= 1 then
    if have.name ~= want.name then
      add("rename", want, string.format("%s -> %s", have.name, want.name))
    end
    if have.parentid ~= want.parentid then
      add("move", want, string.format("%s: parent %d -> %d", want.name, have.parentid, want.parentid))
    end
    if want.order and have.order ~= want.order then
      add("reorder", want, string.format("%s: order %d -> %d", want.name, have.order, want.order))
    end
  end
end
local extra = {}
for id, d in pairs(current) do
  if not hr[id] and id ~= 1 then
    extra[#extra + 1] = d
  end
end
table.sort(extra, function(a, b) return a.id > b.id end) -- children (larger ids) first

print(string.format("department sync plan (%s):", source))
for _, step in ipairs(plan) do
  print(string.format("  %-8s %s", step.action, step.detail))
end
for _, d in ipairs(extra) do
  print(string.format("  %-8s %s (id %d) is in WeCom but not in HR%s", allow_delete and "delete?" or "keep",
    d.name, d.id, allow_delete and "" or " (allow_delete is off)"))
end
if #plan == 0 and #extra == 0 then
  print("  nothing to do: WeCom matches HR")
end

-- Apply: one call per department, parents first.
local applied = {}
for _, step in ipairs(plan) do
  local d = step.dept
  if step.action == "create" then
    wecom.department.create{name = d.name, parent_id = d.parentid, order = d.order, id = d.id}
  elseif not applied[d.id] then
    local have = current[d.id]
    wecom.department.update{
      id = d.id,
      name = have.name ~= d.name and d.name or nil,
      parent_id = have.parentid ~= d.parentid and d.parentid or nil,
      order = (d.order and have.order ~= d.order) and d.order or nil,
    }
  end
  applied[d.id] = true
end

-- Deletions: only when allowed, only empty departments, within the guard.
local deleted = 0
if allow_delete and #extra > 0 then
  if #extra > max_delete then
    error(string.format("refusing to delete %d departments (max_delete is %d)", #extra, max_delete))
  end
  -- The members of each department: one (userid, department) pair at a time.
  local members = {}
  for row in wecom.user.each_id() do
    members[row.department] = (members[row.department] or 0) + 1
  end
  for _, d in ipairs(extra) do
    local n = members[d.id] or 0
    local children = 0
    for _, other in pairs(current) do
      if other.parentid == d.id then children = children + 1 end
    end
    if n == 0 and children == 0 then
      wecom.department.delete(d.id)
      deleted = deleted + 1
      print(string.format("  deleted %s (id %d)", d.name, d.id))
    else
      log.warn("department not deleted: not empty", {id = d.id, name = d.name, members = n, children = children})
    end
  end
end

log.info("department sync done", {planned = #plan, applied = #plan, extra = #extra, deleted = deleted})
