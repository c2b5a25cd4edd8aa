local http = require("http")

local function listed(entry)
  for _, a in ipairs(ALLOW) do
    if a == entry then return true end
  end
  return false
end

-- 127.0.0.1 is reachable when its address, a network holding it, or (for
-- URLs that name it) localhost is listed.
function TestLoopbackByAddress(t)
  local url = "http://127.0.0.1:" .. PORT .. "/ok"
  if listed("127.0.0.1") or listed("127.0.0.0/8") then
    assert_eq(http.get(url).body, "ok")
  else
    contains(fails(http.get, url), "http.get " .. url .. ": 127.0.0.1 is a loopback address, which http reaches only when http_allow in jobs.yaml lists it")
  end
end

-- A name is checked on the address it resolves to: localhost is refused
-- unless its name or its address is listed.
function TestLoopbackByName(t)
  local url = "http://localhost:" .. PORT .. "/ok"
  if #ALLOW > 0 then
    assert_eq(http.get(url).body, "ok")
  else
    contains(fails(http.get, url), "localhost (127.0.0.1) is a loopback address")
  end
end

function TestNeverListed(t)
  -- The cloud's metadata service and private networks: refused before any
  -- packet is sent, so the error comes at once.
  contains(fails(http.get, "http://169.254.169.254/latest/meta-data/?token=SECRET"), "169.254.169.254 is a link-local address")
  contains(fails(http.get, "http://10.255.255.1/"), "10.255.255.1 is a private address")
  contains(fails(http.get, "http://[fd00::1]/"), "fd00::1 is a private address")
  contains(fails(http.get, "http://0.0.0.0:" .. PORT .. "/"), "0.0.0.0 is an unspecified address")
  contains(fails(http.get, "http://[::ffff:169.254.169.254]/"), "is a link-local address")
  contains(fails(http.post, "http://100.100.100.200/latest/meta-data/"), "100.100.100.200 is a reserved address")
  local err = fails(http.get, "http://169.254.169.254/latest/meta-data/?token=SECRET")
  assert_eq(string.find(err, "SECRET", 1, true), nil, "the query stays out of errors")
end

-- Every redirect is checked: an allowed server cannot send http to an
-- address that is not.
function TestRedirects(t)
  if not (listed("127.0.0.1") or listed("localhost")) then return end
  local base = listed("127.0.0.1") and "http://127.0.0.1:" .. PORT or "http://localhost:" .. PORT
  assert_eq(http.get(base .. "/redirect", {query = {to = "/ok"}}).body, "ok")
  contains(fails(http.get, base .. "/redirect", {query = {to = "http://169.254.169.254/latest/meta-data/"}}),
    "redirected to http://169.254.169.254/latest/meta-data/: 169.254.169.254 is a link-local address")
  contains(fails(http.get, base .. "/redirect", {query = {to = "http://127.0.0.2:" .. PORT .. "/ok"}}),
    "redirected to http://127.0.0.2:" .. PORT .. "/ok: 127.0.0.2 is a loopback address")
  contains(fails(http.get, base .. "/redirect", {query = {to = "ftp://example.com/x"}}), "redirected to a ftp: URL")
end
