local log = require("log")

function TestLevels(t)
  log.debug("debug line")
  log.info("同步完成", {created = 3, department = "研发部", ids = {1, 2}, ratio = 0.5, dry = false})
  log.warn("warn line", {})
  log.error("error line", {code = 60111})
end

function TestBadFields(t)
  local ok, err = pcall(function() log.info("x", {[1] = "a"}) end)
  assert_eq(string.find(err, "bad argument #2 to info (field names must be strings", 1, true) ~= nil, true, err)
  ok, err = pcall(function() log.info() end)
  assert_eq(string.find(err, "bad argument #1 to info (string expected, got nil)", 1, true) ~= nil, true, err)
end
