-- Tests of wecom.appchat against the emulator's demo organisation, as the
-- app 运维助手, which owns the chat OPSONCALL2024.
local wecom = require("wecom")

function TestCreateGetUpdate(t)
  local r = wecom.appchat.create{name = "发版群", owner = "zhangsan", user_list = {"zhangsan", "lisi", "wangwu"}}
  assert_eq(r.errcode, 0)
  local chat = wecom.appchat.get(r.chatid)
  assert_eq(chat.name, "发版群")
  assert_eq(chat.owner, "zhangsan")
  wecom.appchat.update{chat_id = r.chatid, name = "发版群（已归档）", del_user_list = {"wangwu"}}
  chat = wecom.appchat.get(r.chatid)
  assert_eq(chat.name, "发版群（已归档）")
  assert_eq(#chat.userlist, 2)
end

function TestSendEveryType(t)
  local chat = "OPSONCALL2024"
  local image = wecom.media.upload("image", {filename = "a.png", content = "PNG bytes"}).media_id
  local sends = {
    {msg_type = "text", content = "今晚八点发版"},
    {msg_type = "markdown", content = "**发版**"},
    {msg_type = "image", media_id = image, safe = 1},
    {msg_type = "textcard", title = "发版", description = "v2.3", url = "https://ops.example.com"},
    {msg_type = "news", articles = {{title = "发版说明", url = "https://ops.example.com", picurl = "https://img.example.com/a.png"}}},
    {msg_type = "mpnews", articles = {{title = "发版说明", thumb_media_id = image, content = "<p>v2.3</p>"}}},
  }
  for _, s in ipairs(sends) do
    s.chat_id = chat
    assert_eq(wecom.appchat.send(s).errcode, 0)
  end
  assert_eq(wecom.appchat.send_text(chat, "大家好").errcode, 0)
  assert_eq(wecom.appchat.send_msg{chat_id = chat, msg_type = "text", content = "旧名字"}.errcode, 0)
end

function TestSendChecksFields(t)
  local err = fails(wecom.appchat.send, {chat_id = "OPSONCALL2024", msg_type = "text", contnet = "x"})
  contains(tostring(err), 'not "contnet"')
  err = fails(wecom.appchat.send, {chat_id = "OPSONCALL2024", msg_type = "sticker"})
  contains(tostring(err), 'unknown message type "sticker"')
  err = fails(wecom.appchat.send, "OPSONCALL2024", "text", "x")
end

function TestUnknownChat(t)
  local err = fails(wecom.appchat.get, "NOSUCHCHAT")
  assert_eq(err.errcode, 86003)
end
