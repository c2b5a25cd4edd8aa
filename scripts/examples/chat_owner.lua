-- Who owns an app chat once its owner has left: the rule that the welcome
-- (welcome_on_join.lua) and the offboarding (offboarding.lua) jobs share, so
-- that whichever acts first hands the chat to the same member.
--
-- WeCom takes a departed member out of their chats, but an app chat whose
-- owner left cannot be changed (errcode 86216) until it has a new owner. A
-- join and a departure in the same team come as two events that run two
-- jobs at once: the newcomer's welcome must not wait for the departure's
-- job, nor fail while the chat has no owner.
--
--   local chat_owner = require("chat_owner")
--   if chat_owner.left(chat) then ... chat_owner.heir(chat, leaver) ... end

local M = {}

-- left reports whether the chat's owner is no longer one of its members.
function M.left(chat)
  for _, u in ipairs(chat.userlist) do
    if u == chat.owner then return false end
  end
  return true
end

-- heir is who takes the chat over from its owner: the first member, in the
-- chat's own order, who is neither its owner nor leaving (optional), or nil
-- when there is none.
function M.heir(chat, leaving)
  for _, u in ipairs(chat.userlist) do
    if u ~= chat.owner and u ~= leaving then return u end
  end
  return nil
end

return M
