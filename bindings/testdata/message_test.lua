-- Tests of wecom.message against the emulator's demo organisation, as the
-- app 运维助手 (agent 1000002, visible to everyone).
local wecom = require("wecom")

function TestSendTextDefaultsAgentID(t)
  local r = wecom.message.send_text{user_ids = {"zhangsan", "lisi"}, content = "日报已生成"}
  assert_eq(r.errcode, 0)
  assert_eq(r.invaliduser, "")
  if r.msgid == nil or r.msgid == "" then
    t:errorf("no msgid in %s", require("json").encode(r))
  end
end

function TestSendPositional(t)
  local r = wecom.message.send_markdown(1000002, "zhangsan|nobody", "**值班**提醒")
  assert_eq(r.invaliduser, "nobody")
end

function TestPartyAndTagIDs(t)
  -- numbers, numeric strings and wechatpy's '|'-joined strings all work
  local forms = {{2, 3}, {"2", "3"}, "2|3", " 2 | 3 "}
  for _, parties in ipairs(forms) do
    local r = wecom.message.send_text{party_ids = parties, tag_ids = 1, content = "研发中心周五停电检修"}
    assert_eq(r.invalidparty, "")
    assert_eq(r.invalidtag, "")
  end
end

function TestBadPartyID(t)
  local err = fails(wecom.message.send_text, {party_ids = "2,3", content = "x"})
  contains(tostring(err), "party_ids")
end

function TestSendWithMsg(t)
  local r = wecom.message.send{user_ids = "zhangsan", msg = {msgtype = "text", text = {content = "hi"}, safe = 1}}
  assert_eq(r.errcode, 0)
end

function TestEveryShortcut(t)
  local m = wecom.message
  local to = "zhangsan"
  local video = wecom.media.upload("video", {filename = "培训.mp4", content = "MP4 bytes"}).media_id
  local image = wecom.media.upload("image", {filename = "cover.png", content = "PNG bytes"}).media_id
  m.send_text_card(nil, to, "领奖通知", "<div class=\"gray\">2024年9月26日</div>", "https://oa.example.com/lottery")
  m.send_video{user_ids = to, media_id = video, title = "培训"}
  m.send_image(nil, to, image)
  m.send_articles(nil, to, {{title = "中秋", description = "礼品", url = "https://oa.example.com", image = "https://img.example.com/a.png"}})
  m.send_mp_articles(nil, to, {{title = "地球一小时", thumb_media_id = image, content = "<p>关灯</p>", author = "行政部",
    content_source_url = "https://work.weixin.qq.com", digest = "关灯一小时", show_cover_pic = 0}})
  local voice = wecom.media.upload("voice", {filename = "提醒.amr", content = "AMR bytes"}).media_id
  local file = wecom.media.upload("file", {filename = "制度.pdf", content = "PDF bytes"}).media_id
  local r = m.send_voice(nil, to, voice)
  assert_eq(r.errcode, 0)
  assert_eq(r.invaliduser, "")
  r = m.send_file{user_ids = to, media_id = file, safe = 1}
  assert_eq(r.errcode, 0)
  assert_eq(#r.msgid > 0, true)
  local err = fails(m.send_file, nil, to, "no-such-media")
  assert_eq(err.errcode, 40007)
end

function TestMistypedArticleField(t)
  local err = fails(wecom.message.send_articles, nil, "zhangsan", {{titel = "x", url = "https://a.example"}})
  contains(tostring(err), 'unknown field "titel"')
end

function TestRecall(t)
  local r = wecom.message.send_text{user_ids = "zhangsan", content = "发错了"}
  assert_eq(wecom.message.recall(r.msgid).errcode, 0)
  local err = fails(wecom.message.recall, "no-such-message")
  assert_eq(err.errcode, 40058)
  assert_eq(err.api, "message/recall")
end

function TestAllRecipientsInvalid(t)
  local err = fails(wecom.message.send_text, {user_ids = {"nobody"}, content = "x"})
  assert_eq(err.errcode, 81013)
end

function TestFanout(t)
  local items = {}
  for i, u in ipairs({"zhangsan", "lisi", "wangwu"}) do
    items[i] = {user_ids = u, content = "早上好，" .. u}
  end
  local results, failed = wecom.fanout("message.send_text", items)
  assert_eq(failed, 0)
  assert_eq(#results, 3)
  assert_eq(results[2].result.errcode, 0)
end

function TestArticleFieldType(t)
  local ok, err = pcall(wecom.message.send_mp_articles, nil, "zhangsan",
    {{title = "t", thumb_media_id = "x", content = "c", show_cover_pic = "yes"}})
  assert_eq(ok, false)
  contains(tostring(err), "show_cover_pic: integer expected, got string")
end

-- last_message is the last app message the emulator received.
local function last_message()
  local all = emulator.messages()
  return all[#all]
end

function TestDuplicateCheckOnEverySend(t)
  local r = wecom.message.send_text{user_ids = "zhangsan", content = "值班提醒", enable_duplicate_check = true,
    duplicate_check_interval = 600}
  assert_eq(r.errcode, 0)
  local p = last_message().payload
  assert_eq(p.enable_duplicate_check, 1)
  assert_eq(p.duplicate_check_interval, 600)
  -- positional, after wechatpy's arguments; the interval defaults to 1800 s
  wecom.message.send_markdown(nil, "zhangsan", "**值班**", nil, nil, true)
  p = last_message().payload
  assert_eq(p.enable_duplicate_check, 1)
  assert_eq(p.duplicate_check_interval, 1800)
  -- off by default: neither field is sent
  wecom.message.send_text(nil, "zhangsan", "hi")
  p = last_message().payload
  assert_eq(p.enable_duplicate_check, nil)
  assert_eq(p.duplicate_check_interval, nil)
end

function TestTemplateCard(t)
  local r = wecom.message.send_template_card{user_ids = {"zhangsan", "lisi"}, template_card = {
    card_type = "button_interaction", task_id = "leave-42", main_title = {title = "请假申请"},
    button_list = {{text = "批准", key = "approve"}, {text = "驳回", key = "reject"}},
  }, enable_duplicate_check = 1}
  assert_eq(r.errcode, 0)
  assert_eq(#r.response_code > 0, true)
  local m = last_message()
  assert_eq(m.msgtype, "template_card")
  assert_eq(m.payload.template_card.task_id, "leave-42")
  assert_eq(m.payload.enable_duplicate_check, 1)
  local u = wecom.message.update_template_card{response_code = r.response_code, user_ids = {"zhangsan", "nobody"},
    button = {replace_name = "已批准"}}
  assert_eq(u.errcode, 0)
  assert_eq(u.invaliduser, {"nobody"})
  assert_eq(last_message().card_updates[1].button.replace_name, "已批准")
  -- a code updates its card once
  local err = fails(wecom.message.update_template_card, {response_code = r.response_code, button = {replace_name = "x"}})
  assert_eq(err.errcode, 40058)
  assert_eq(err.api, "message/update_template_card")
  -- a card needs its card_type, checked before the call
  err = fails(wecom.message.send_template_card, nil, "zhangsan", {main_title = {title = "x"}})
  contains(tostring(err), "card_type")
  -- a text_notice card answers no response_code
  r = wecom.message.send_template_card(nil, "zhangsan", {card_type = "text_notice", main_title = {title = "通知"},
    card_action = {type = 1, url = "https://oa.example.com"}})
  assert_eq(r.response_code, nil)
end

-- WeCom's rules of today, which the emulator applies: a message sent with
-- enable_duplicate_check again within its interval is answered ok but
-- reaches no one, and a member gets at most 30 messages a minute from an
-- application, the rest answered ok and dropped. (Members no other test of
-- this file writes to.)
function TestDuplicateNotDeliveredAgain(t)
  local function send()
    return wecom.message.send_text{user_ids = "songjia", content = "磁盘已满", enable_duplicate_check = true,
      duplicate_check_interval = 600}
  end
  assert_eq(send().errcode, 0)
  local first = last_message()
  assert_eq({first.duplicate, first.recipients}, {nil, {"songjia"}})
  local again = send()
  assert_eq(again.errcode, 0)
  assert_eq(type(again.msgid), "string")
  local m = last_message()
  assert_eq({m.duplicate, #m.recipients, m.dropped}, {true, 0, {"songjia"}})
end

function TestMemberMessageLimit(t)
  for i = 1, 30 do
    assert_eq(wecom.message.send_text{user_ids = "xieting", content = "提醒 " .. i}.errcode, 0)
    assert_eq(last_message().recipients, {"xieting"}, "message " .. i)
  end
  local r = wecom.message.send_text{user_ids = "xieting|hanmei", content = "第 31 条"}
  assert_eq({r.errcode, r.invaliduser}, {0, ""})
  local m = last_message()
  assert_eq({m.recipients, m.dropped}, {{"hanmei"}, {"xieting"}})
end
