-- Tests of the legacy wecom.chat against the emulator, which still serves it.
local wecom = require("wecom")

function TestConversation(t)
  local chat = wecom.chat
  assert_eq(chat.create("1001", "企业应用中心", "zhangsan", {"zhangsan", "lisi", "wangwu"}).errcode, 0)
  assert_eq(chat.get("1001").name, "企业应用中心")
  chat.update{chat_id = "1001", op_user = "zhangsan", name = "企业应用中心（二期）", add_user_list = {"zhaoliu"}}
  local info = chat.get("1001")
  assert_eq(info.name, "企业应用中心（二期）")
  assert_eq(#info.userlist, 4)
  assert_eq(chat.quit("1001", "zhaoliu").errcode, 0)
  assert_eq(chat.clear_notify("zhangsan", "group", "1001").errcode, 0)
end

function TestSend(t)
  local chat = wecom.chat
  chat.create("1002", "评审", "zhangsan", {"zhangsan", "lisi", "wangwu"})
  local image = wecom.media.upload("image", {filename = "a.png", content = "PNG bytes"}).media_id
  local file = wecom.media.upload("file", {filename = "a.txt", content = "text bytes"}).media_id
  assert_eq(chat.send_single_text("zhangsan", "lisi", "评审改到三点").errcode, 0)
  assert_eq(chat.send_group_text("zhangsan", "1002", "评审改到三点").errcode, 0)
  assert_eq(chat.send_text("zhangsan", "group", "1002", "收到").errcode, 0)
  assert_eq(chat.send_group_image("lisi", "1002", image).errcode, 0)
  assert_eq(chat.send_single_image("lisi", "zhangsan", image).errcode, 0)
  assert_eq(chat.send_image("lisi", "single", "zhangsan", image).errcode, 0)
  assert_eq(chat.send_group_file("lisi", "1002", file).errcode, 0)
  assert_eq(chat.send_single_file("lisi", "zhangsan", file).errcode, 0)
  assert_eq(chat.send_file("lisi", "group", "1002", file).errcode, 0)
end

function TestSetMute(t)
  local r = wecom.chat.set_mute{user_mute_list = {{userid = "zhangsan", status = 1}, {userid = "nobody", status = 0}}}
  assert_eq(r.errcode, 0)
  local err = fails(wecom.chat.set_mute, {{userid = "zhangsan", mute = 1}})
  contains(tostring(err), 'unknown field "mute"')
end
