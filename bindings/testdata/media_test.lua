-- Tests of wecom.media against the emulator, files inside the run's allowed
-- directory.
local wecom = require("wecom")
local fs = require("fs")

function TestUploadAndDownload(t)
  fs.write("会议纪要.txt", "第一项：发版")
  local up = wecom.media.upload("file", "会议纪要.txt")
  assert_eq(up.type, "file")

  local got = wecom.media.download(up.media_id)
  assert_eq(got.content, "第一项：发版")
  assert_eq(got.size, #"第一项：发版")
  assert_eq(got.filename, "会议纪要.txt")

  fs.mkdir("out")
  local saved = wecom.media.download{media_id = up.media_id, path = "out/纪要.txt"}
  assert_eq(fs.read("out/纪要.txt"), "第一项：发版")
  assert_eq(saved.size, got.size)
  assert_eq(saved.content, nil)
  if not saved.path:find("out/纪要.txt", 1, true) then
    t:errorf("path %q", saved.path)
  end
end

function TestUploadBytes(t)
  local up = wecom.media.upload{media_type = "image", media_file = {filename = "logo.png", content = "\137PNG\r\n\26\n"}}
  assert_eq(wecom.media.download(up.media_id).content, "\137PNG\r\n\26\n")
  -- a lone table of bytes would read as named arguments: name it
  local img = wecom.media.upload_img{image_file = {filename = "banner.png", content = "PNG bytes"}}
  assert_eq(img.errcode, 0)
end

function TestDownloadErrors(t)
  local err = fails(wecom.media.download, "no-such-media")
  assert_eq(err.errcode, 40007)
  assert_eq(err.api, "media/get")
  assert_eq(fs.exists("out/never.txt"), false)
  err = fails(wecom.media.download, "no-such-media", "never.txt")
  assert_eq(fs.exists("never.txt"), false)
  err = fails(wecom.media.download, "x", "../outside.txt")
  contains(tostring(err), "path")
end

function TestUploadOutside(t)
  local err = fails(wecom.media.upload, "file", "/etc/passwd")
  contains(tostring(err), "media_file")
end

function TestURLs(t)
  local url = wecom.media.get_url("a b/c")
  if not url:find("/cgi-bin/media/get?access_token=", 1, true) or not url:find("media_id=a+b%2Fc", 1, true) then
    t:errorf("url %q", url)
  end
  url = wecom.media.get_jssdk_url("v1")
  if not url:find("/cgi-bin/media/get/jssdk?access_token=", 1, true) then
    t:errorf("jssdk url %q", url)
  end
end

function TestUploadByURL(t)
  local job = wecom.media.upload_by_url("video", "欢迎.mp4", "https://cdn.example.com/welcome.mp4",
    "0cc175b9c0f1b6a831c399e269772661")
  assert_eq(type(job), "string")
  -- the emulator's job is processing at the first poll and done at the next
  local r = wecom.media.get_upload_by_url_result(job)
  assert_eq(r.status, 1)
  r = wecom.media.get_upload_by_url_result{jobid = job}
  assert_eq(r.status, 2)
  assert_eq(r.detail.errcode, 0)
  assert_eq(#r.detail.media_id > 0, true)
  assert_eq(wecom.message.send_video{user_ids = "zhangsan", media_id = r.detail.media_id}.errcode, 0)
  local ok, err = pcall(wecom.media.upload_by_url, {media_type = "image", filename = "a.png",
    url = "https://cdn.example.com/a.png", md5 = "x"})
  assert_eq(ok, false)
  assert_eq(err.errcode, 40004)
  err = fails(wecom.media.upload_by_url, {media_type = "file", filename = "a.pdf"})
  contains(tostring(err), "url")
end
