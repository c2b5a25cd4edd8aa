-- When a member leaves (change_contact, delete_user), tell the admins and
-- give the app chats they owned to someone who stays.
--
-- Since 2022 the event carries only the UserID, and the member can no longer
-- be read. The script therefore keeps a copy of the directory (name,
-- position, departments) in kv, refreshed at every run: jobs.yaml also runs
-- it every night on a schedule, when it only refreshes that copy.
--
-- WeCom takes a departed member out of their chats, but an app chat whose
-- owner left cannot be changed until it has a new owner: the first remaining
-- member of args.chats takes it over (chat_owner.lua). The welcome job may
-- have handed the chat over already, when a newcomer joined the team at the
-- same moment: the owners of args.chats are kept in kv with the directory,
-- so the report names the new owner either way.
--
-- args: admins (userids), chats (the app chats to look after), app_client.
--
-- Secrets: the event comes through the contacts sync's callback; everything
-- else uses the application's secret (args.app_client, notify), whose
-- visible range must be the whole organisation: it reads the directory with
-- user.each (name, position and departments: what WeCom gives an
-- application created since 2022-06-20), owns the app chats and sends the
-- report. The contacts sync may not read members from a new IP since
-- 2022-08-15.

local wecom = require("wecom")
local args = require("args")
local kv = require("kv")
local log = require("log")

local chat_owner = require("chat_owner")

local app = wecom.client(args.get("app_client", "notify"))
local directory = kv.get("directory") or {}
local owners = kv.get("chat_owners") or {}

local function refresh()
  local copy = {}
  for u in app.user.each(1, true) do -- one member at a time: only the copy is kept
    copy[u.userid] = {name = u.name, position = u.position, department = u.department}
  end
  kv.set("directory", copy)
  local now = {}
  for _, chat_id in ipairs(args.get("chats", {})) do
    now[chat_id] = app.appchat.get(chat_id).owner
  end
  kv.set("chat_owners", now)
  return copy
end

if not event then
  local copy = refresh()
  local n = 0
  for _ in pairs(copy) do n = n + 1 end
  print(string.format("directory copy refreshed: %d members", n))
  return
end

local userid = event.UserID
local who = directory[userid]
local lines = {"## 成员离职", ""}
if who then
  lines[#lines + 1] = string.format("- 成员：**%s**（%s）%s", who.name, userid, who.position or "")
else
  lines[#lines + 1] = string.format("- 成员：%s（不在目录副本中）", userid)
end

local handed = {}
for _, chat_id in ipairs(args.get("chats", {})) do
  local chat = app.appchat.get(chat_id)
  local still = false
  for _, u in ipairs(chat.userlist) do
    if u == userid then still = true end
  end
  if still then
    app.appchat.update{chat_id = chat_id, del_user_list = {userid}}
    lines[#lines + 1] = string.format("- 已移出群聊：%s", chat.name)
  end
  local heir
  if chat.owner == userid then
    heir = chat_owner.heir(chat, userid)
    app.appchat.update{chat_id = chat_id, owner = heir}
  elseif owners[chat_id] == userid then
    heir = chat.owner -- handed over already, by the welcome of a newcomer
  end
  if heir then
    handed[#handed + 1] = chat_id
    local name = directory[heir] and directory[heir].name or heir
    lines[#lines + 1] = string.format("- 群聊「%s」的群主转给：%s", chat.name, name)
  end
end

local admins = args.get("admins")
if admins then
  app.message.send_markdown{user_ids = admins, content = table.concat(lines, "\n")}
end
refresh()
log.info("departure handled", {userid = userid, chats_handed_over = #handed})
print(table.concat(lines, "\n"))
