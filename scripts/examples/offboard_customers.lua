-- Offboarding of customers (离职继承): hands the customers and customer groups
-- of members who left to their manager, and reports the result.
--
-- Secret: an application configured in 客户联系 → 可调用应用 (the customer
-- contact API), whose visible range holds the members and their managers:
-- the client "customers" of jobs.yaml (WECOM_CUSTOMER_SECRET; in the demo
-- organisation the app 客户助手, 1000004, visible to 市场部). Since
-- 2023-12-01 the secret of the system application 客户联系 works only for
-- corps created before that date.
--
-- WeCom forgets whom a member reported to once the member is deleted, so each
-- run remembers (in kv) the manager of every member configured for customer
-- contact: their direct_leader, else the leader (is_leader_in_dept) of their
-- main department, else of the department above. A member who left before
-- the job first ran has no manager remembered: name one in args.takeover
-- ({leaver = manager}) or args.default_takeover, else the leaver is reported
-- and skipped.
--
-- Each run lists the customers of members who left that no transfer has
-- claimed yet (get_unassigned_list) and those members' customer groups
-- (groupchat/list, status 1: owner left), refuses before the first transfer
-- when more than args.max_transfer customers (default 500) would move,
-- assigns the customers (resigned_transfer_customer, 100 a call) and the
-- groups (groupchat/transfer), reads the state of the customers
-- (resigned_transfer_result: WeCom completes a customer's takeover 24 hours
-- later), prints one line per leaver and, unless args.notify is false,
-- sends each manager a message.
--
-- --dry-run reads as usual, holds back the transfers and the messages, and
-- keeps the remembered managers as they were.
--
-- args: max_transfer (500), takeover ({leaver = manager}, or on the command
-- line "leaver=manager,..."), default_takeover, notify (true).

local wecom = require("wecom")
local args = require("args")
local kv = require("kv")
local log = require("log")
local time = require("time")

local ec = wecom.external_contact
local gc = wecom.external_contact_group_chat
local BATCH = 100 -- customers or groups a transfer call takes

-- batches returns the items of list in slices of BATCH.
local function batches(list)
  local out = {}
  for i = 1, #list, BATCH do
    local b = {}
    for j = i, math.min(i + BATCH - 1, #list) do b[#b + 1] = list[j] end
    out[#out + 1] = b
  end
  return out
end

local max_transfer = args.number("max_transfer", 500)
local overrides = args.get("takeover", {})
local default_takeover = args.get("default_takeover")
local notify = args.bool("notify", true)
if type(overrides) == "string" then
  -- From the command line: --arg takeover=linfeng=guoqiang,lisi=zhangsan
  local t = {}
  for pair in string.gmatch(overrides, "[^,]+") do
    local leaver, manager = string.match(pair, "^%s*([^=%s]+)%s*=%s*([^=%s]+)%s*$")
    if not leaver then error(string.format("args.takeover: %q is not leaver=manager", pair)) end
    t[leaver] = manager
  end
  overrides = t
elseif type(overrides) ~= "table" then
  error("args.takeover must be a table {leaver = manager} or \"leaver=manager,...\", got " .. type(overrides))
end

-- Who manages each member configured for customer contact, now.
local follow = {}
for _, id in ipairs(ec.get_follow_user_list().follow_user) do follow[id] = true end

local leaders = {}
local function leader_of(department, except)
  if leaders[department] == nil then
    local d = wecom.department.get_detail(department)
    leaders[department] = {list = d.department_leader or {}, parent = d.parentid}
  end
  for _, id in ipairs(leaders[department].list) do
    if id ~= except then return id end
  end
  local parent = leaders[department].parent
  if parent and parent ~= 0 then
    local ok, id = pcall(leader_of, parent, except)
    if ok then return id end -- a department outside the visible range has no leader to read
  end
end

local managers = kv.get("managers", {})
for id in pairs(follow) do
  local u = wecom.user.get(id)
  local manager = (u.direct_leader or {})[1]
  if not manager and u.main_department then manager = leader_of(u.main_department, id) end
  managers[id] = manager
end

-- The customers nobody took over yet, by leaver.
local pending, order = {}, {}
local cursor = ""
repeat
  local page = ec.get_unassigned_list{page_size = 1000, cursor = cursor}
  for _, row in ipairs(page.info) do
    local h = row.handover_userid
    if not pending[h] then
      pending[h] = {customers = {}, groups = {}}
      order[#order + 1] = h
    end
    table.insert(pending[h].customers, row.external_userid)
  end
  cursor = page.next_cursor or ""
until cursor == ""

-- The leavers we know of: those with customers, and members remembered who
-- are no longer configured (they may have customer groups only).
for id in pairs(managers) do
  if not follow[id] and not pending[id] then
    pending[id] = {customers = {}, groups = {}}
    order[#order + 1] = id
  end
end
table.sort(order)
for _, leaver in ipairs(order) do
  -- WeCom lists the groups of an owner who left only when asked by owner.
  for _, chat in ipairs(gc.list_all(1, {leaver})) do
    table.insert(pending[leaver].groups, chat.chat_id)
  end
end

-- Whom each leaver's customers go to, and how many move.
local plan, total = {}, 0
for _, leaver in ipairs(order) do
  local p = pending[leaver]
  if #p.customers > 0 or #p.groups > 0 then
    local to = overrides[leaver] or managers[leaver] or default_takeover
    if not to then
      log.warn("no manager known for a member who left: set args.takeover", {leaver = leaver, customers = #p.customers, groups = #p.groups})
      print(string.format("%s: no manager known, %d customers and %d groups left unassigned", leaver, #p.customers, #p.groups))
    elseif not follow[to] then
      log.warn("the manager is not configured for customer contact", {leaver = leaver, manager = to})
      print(string.format("%s: manager %s cannot take customers over (not configured for customer contact)", leaver, to))
    else
      plan[#plan + 1] = {leaver = leaver, to = to, customers = p.customers, groups = p.groups}
      total = total + #p.customers
    end
  end
end
if total > max_transfer then
  error(string.format("refusing to transfer %d customers in one run (max_transfer %d): check who left, then raise args.max_transfer", total, max_transfer))
end

-- The transfers.
local dry = wecom.dry_run
for _, job in ipairs(plan) do
  local started, failed = 0, {}
  for _, ids in ipairs(batches(job.customers)) do
    local r = ec.resigned_transfer_customer(job.leaver, job.to, ids)
    for _, c in ipairs(r.customer or {}) do
      if c.errcode == 0 then started = started + 1 else failed[#failed + 1] = c.external_userid .. ":" .. c.errcode end
    end
  end
  local moved, failed_groups = 0, {}
  for _, ids in ipairs(batches(job.groups)) do
    local r = gc.transfer(ids, job.to)
    local bad = {}
    for _, f in ipairs(r.failed_chat_list or {}) do
      bad[f.chat_id] = true
      failed_groups[#failed_groups + 1] = f.chat_id .. ":" .. f.errcode
    end
    for _, id in ipairs(ids) do
      if not bad[id] then moved = moved + 1 end
    end
  end

  local line
  if dry then
    line = string.format("%s → %s: would assign %d customers and %d groups (dry run)", job.leaver, job.to, #job.customers, #job.groups)
  else
    -- WeCom completes each customer's takeover 24 hours after the transfer.
    local waiting, done, due = 0, 0, nil
    local c = ""
    repeat
      local r = ec.resigned_transfer_result(job.leaver, job.to, c)
      for _, s in ipairs(r.customer) do
        if s.status == 1 then
          done = done + 1
        elseif s.status == 2 then
          waiting = waiting + 1
          if not due or s.takeover_time < due then due = s.takeover_time end
        end
      end
      c = r.next_cursor or ""
    until c == ""
    line = string.format("%s → %s: %d customers assigned (%d taken over, %d waiting%s), %d groups moved",
      job.leaver, job.to, started, done, waiting,
      due and (", takeover from " .. time.format(due, "%Y-%m-%d %H:%M", "Asia/Shanghai")) or "", moved)
    if #failed > 0 then line = line .. "; failed customers " .. table.concat(failed, ", ") end
    if #failed_groups > 0 then line = line .. "; failed groups " .. table.concat(failed_groups, ", ") end
    if notify and (started > 0 or moved > 0) then
      wecom.message.send_text{user_ids = {job.to}, content = string.format(
        "%s 已离职：%d 位客户和 %d 个客户群已分配给你，客户将在 24 小时后自动接替。", job.leaver, started, moved)}
    end
  end
  if dry then
    log.info("would offboard customers (dry run)", {leaver = job.leaver, takeover = job.to, customers = #job.customers, groups = #job.groups})
  else
    log.info("offboarded customers", {leaver = job.leaver, takeover = job.to, customers = #job.customers,
      started = started, failed = #failed, groups = #job.groups, groups_moved = moved})
  end
  print(line)
end
if #plan == 0 then print("no customers or groups of members who left to hand over") end

-- Remember the managers of members in post, and of leavers with something
-- still to hand over.
if not dry then
  local keep = {}
  for id, m in pairs(managers) do
    local p = pending[id]
    if follow[id] or (p and (#p.customers > 0 or #p.groups > 0)) then keep[id] = m end
  end
  kv.set("managers", keep)
end
