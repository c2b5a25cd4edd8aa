-- Welcome a member the moment they join: WeCom announces it to the contacts
-- callback (change_contact, create_user) and jobs.yaml runs this script with
-- the event.
--
-- Since 2022 the event carries the member's UserID and departments, not their
-- name or mobile, so the member is read again with user.get. Tag and member
-- events come in no guaranteed order: nothing here relies on another event.
--
-- Secrets: the contacts-sync secret (the job's client, contacts) adds the
-- newcomer tag; the application's (args.app_client, notify), whose visible
-- range must be the whole organisation, reads the member (the contacts sync
-- may not call user/get from a new IP since 2022-08-15), adds them to the
-- app chats and sends the card. The application reads the name, position
-- and departments, never the mobile or email.
--
--   1. the newcomer tag (args.newcomer_tag), with the contacts sync's client;
--   2. the app chats of the member's departments (args.teams), and the
--      welcome card, with the application's client (args.app_client).
--
-- A team chat whose owner has just left (a departure in the same team, whose
-- offboarding job runs at the same time) cannot take a member until it has a
-- new owner: the welcome names the owner the offboarding job would name
-- (chat_owner.lua), in the same call that adds the newcomer, rather than
-- fail and wait for a retry. The offboarding job's report still tells the
-- admins who owns the chat now.
--
-- args: newcomer_tag, teams ({department = id, chat = chat id} ...),
-- app_client, handbook_url.

local wecom = require("wecom")
local args = require("args")
local log = require("log")
local event = require("event")

local chat_owner = require("chat_owner")

local app = wecom.client(args.get("app_client", "notify"))
local userid = event.UserID

-- The event may be old news: a member removed since (a delivery late or
-- replayed) is not welcomed.
local ok, user = pcall(app.user.get, userid)
if not ok then
  if type(user) == "table" and user.errcode == 60111 then
    log.warn("the new member is gone already", {userid = userid})
    return
  end
  error(user, 0)
end

local tag = args.number("newcomer_tag")
if tag then
  wecom.tag.add_users(tag, {userid})
end

local chats = {}
for _, team in ipairs(args.get("teams", {})) do
  for _, d in ipairs(user.department) do
    if d == team.department and not chats[team.chat] then
      chats[team.chat] = true
      local change = {chat_id = team.chat, add_user_list = {userid}}
      local chat = app.appchat.get(team.chat)
      if chat_owner.left(chat) then
        change.owner = chat_owner.heir(chat) or userid
        log.info("the chat's owner has left: handed over", {chat = team.chat, left = chat.owner, owner = change.owner})
      end
      app.appchat.update(change)
      app.appchat.send_text(team.chat, string.format("欢迎新同事 %s（%s）加入！", user.name, user.position ~= "" and user.position or "新成员"))
    end
  end
end

app.message.send_text_card{
  user_ids = userid,
  title = "欢迎加入",
  description = string.format("%s，你好！入职第一天的安排、IT 账号与常用系统都在员工手册里。", user.name),
  url = args.get("handbook_url", "https://handbook.example.com"),
}

local joined = {}
for chat in pairs(chats) do joined[#joined + 1] = chat end
table.sort(joined)
log.info("newcomer welcomed", {userid = userid, chats = #joined})
print(string.format("welcomed %s (%s): tag %s, chats %s", user.name, userid, tostring(tag), table.concat(joined, ",")))
