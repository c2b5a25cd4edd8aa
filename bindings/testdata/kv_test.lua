local kv = require("kv")

function TestSetGet(t)
  kv.set("headcount", 1024)
  assert_eq(kv.get("headcount"), 1024)
  kv.set("cursor", {next = "abc", seen = {"a", "b"}, empty = {}})
  assert_eq(kv.get("cursor"), {next = "abc", seen = {"a", "b"}, empty = {}})
  assert_eq(STORE_VALUE("cursor"), '{"empty":[],"next":"abc","seen":["a","b"]}')
end

function TestDefault(t)
  assert_eq(kv.get("missing"), nil)
  assert_eq(kv.get("missing", 0), 0)
end

function TestDelete(t)
  kv.set("x", "y")
  kv.delete("x")
  assert_eq(kv.get("x", "gone"), "gone")
end

function TestErrors(t)
  local ok, err = pcall(function() kv.set("f", print) end)
  assert_eq(string.find(err, "bad argument #2 to set (cannot encode a function at $)", 1, true) ~= nil, true, err)
  ok, err = pcall(function() kv.set("n", nil) end)
  assert_eq(string.find(err, "use kv.delete", 1, true) ~= nil, true, err)
  ok, err = pcall(kv.get, "broken")
  assert_eq(string.find(err, 'kv.get "broken": stored value: invalid JSON', 1, true) ~= nil, true, err)
  ok, err = pcall(kv.get, "failing")
  assert_eq(string.find(err, 'kv.get "failing": store unavailable', 1, true) ~= nil, true, err)
end
