-- Tests of the legacy wecom.material against the emulator, which still
-- serves it; agent_id defaults to the client's (1000002).
local wecom = require("wecom")
local fs = require("fs")

local function article(title, thumb)
  return {thumb_media_id = thumb, title = title, content = "<p>" .. title .. "</p>", author = "人力资源部"}
end

function TestFiles(t)
  local m = wecom.material
  fs.write("logo.png", "PNG bytes")
  local id = m.add(nil, "image", "logo.png").media_id
  assert_eq(m.get(nil, id).content, "PNG bytes")
  local saved = m.get{media_id = id, path = "copy.png"}
  assert_eq(fs.read("copy.png"), "PNG bytes")
  assert_eq(saved.size, 9)
  local url = m.get_url(nil, id)
  if not url:find("/cgi-bin/material/get?access_token=", 1, true) or not url:find("&agentid=1000002", 1, true) then
    t:errorf("url %q", url)
  end
  local list = m.batchget(nil, "image")
  assert_eq(list.errcode, 0)
  assert_eq(m.get_count(1000002).image_count >= 1, true)
  assert_eq(m.delete(nil, id).errcode, 0)
  local err = fails(m.get, nil, id)
  assert_eq(err.errcode, 40007)
end

function TestArticles(t)
  local m = wecom.material
  local thumb = m.add(nil, "image", {filename = "thumb.png", content = "PNG bytes"}).media_id
  local id = m.add_articles({article("年度表彰", thumb)}).media_id
  local got = m.get_articles(nil, id)
  assert_eq(got.mpnews.articles[1].title, "年度表彰")
  assert_eq(m.update_articles(nil, id, {article("年度表彰（更新）", thumb)}).errcode, 0)
  got = m.get_articles(nil, id)
  assert_eq(got.mpnews.articles[1].title, "年度表彰（更新）")
end
