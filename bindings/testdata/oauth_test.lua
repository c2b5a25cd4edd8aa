-- Tests of wecom.oauth against the emulator, which mints the codes WeCom
-- would append to the redirect.
local wecom = require("wecom")

function TestAuthorizeURL(t)
  assert_eq(wecom.oauth.authorize_url("https://ops.example.com/cb?from=menu", "s1"),
    "https://open.weixin.qq.com/connect/oauth2/authorize?appid=ww7d0a5c1e2f3b4a69" ..
    "&redirect_uri=https%3A%2F%2Fops.example.com%2Fcb%3Ffrom%3Dmenu&response_type=code&scope=snsapi_base&state=s1#wechat_redirect")
  local u = wecom.oauth.authorize_url{redirect_uri = "https://ops.example.com/cb"}
  assert_eq(u:find("state=", 1, true), nil, "no state when none is given")
end

function TestGetUserInfo(t)
  local code = emulator.oauth_code("zhangsan")
  local who = wecom.oauth.get_user_info(code)
  assert_eq(who.UserId, "zhangsan")
  assert_eq(type(who.DeviceId), "string")
  local ok, err = pcall(wecom.oauth.get_user_info, code)
  assert_eq({ok, err.errcode, err.api}, {false, 42022, "user/getuserinfo"}, "a code is used once")
  assert_eq(wecom.oauth.get_user_info{code = emulator.oauth_code("lisi")}.UserId, "lisi")
end

function TestOutsideTheVisibleRange(t)
  local ok, err = pcall(wecom.client("report").oauth.get_user_info, emulator.oauth_code("hutao"))
  assert_eq({ok, err.errcode}, {false, 60011})
end
