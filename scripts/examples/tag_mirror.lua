-- Keep a tag's members equal to a department's members (with its
-- sub-departments): e.g. the tag 技术委员会 mirrors 研发中心.
--
-- args: tag_name (created when missing), department_id, fetch_child
-- (default true).
--
-- Secret: the contacts-sync secret (通讯录同步, the client contacts), which
-- may change any tag's members. It makes only the calls WeCom allows it
-- from a new IP since 2022-08-15: the department's sub-departments come
-- from department.simplelist, its members from user.each_id (user/list_id).

local wecom = require("wecom")
local args = require("args")
local log = require("log")

local tag_name = args.get("tag_name", "研发中心全员")
local department_id = args.number("department_id", 2)
local fetch_child = args.bool("fetch_child", true)

local tag_id
for _, t in ipairs(wecom.tag.list()) do
  if t.tagname == tag_name then tag_id = t.tagid end
end
if not tag_id then
  tag_id = tonumber(wecom.tag.create(tag_name).tagid)
  log.info("tag created", {tag = tag_name, tagid = tag_id})
end

-- The department and, with fetch_child, its sub-departments.
local wanted = {[department_id] = true}
if fetch_child then
  for _, d in ipairs(wecom.department.simplelist(department_id)) do
    wanted[d.id] = true
  end
end
local want = {}
for row in wecom.user.each_id() do -- one (userid, department) pair at a time
  if wanted[row.department] then want[row.userid] = true end
end
local have = {}
for _, u in ipairs(wecom.tag.get_users(tag_id).userlist or {}) do
  have[u.userid] = true
end

local add, remove = {}, {}
for id in pairs(want) do if not have[id] then add[#add + 1] = id end end
for id in pairs(have) do if not want[id] then remove[#remove + 1] = id end end
table.sort(add)
table.sort(remove)

-- WeCom takes at most 1000 members per call.
local function chunks(list, n)
  local out = {}
  for i = 1, #list, n do out[#out + 1] = {unpack(list, i, math.min(i + n - 1, #list))} end
  return out
end
for _, part in ipairs(chunks(add, 1000)) do wecom.tag.add_users(tag_id, part) end
for _, part in ipairs(chunks(remove, 1000)) do wecom.tag.delete_users(tag_id, part) end
print(string.format("tag %s: %d added, %d removed", tag_name, #add, #remove))
