local http = require("http")

function TestGetJSON(t)
  local r = http.get(BASE .. "/employees", {query = {dept = 2, tag = {"a", "b"}}, headers = {Authorization = "Bearer x"}})
  assert_eq(r.status, 200)
  assert_eq(r.headers["content-type"], "application/json; charset=utf-8")
  assert_eq(r.json.employees[1].name, "张三")
  assert_eq(r.json.query, "dept=2&tag=a&tag=b")
  assert_eq(r.json.auth, "Bearer x")
  assert_eq(string.sub(r.body, 1, 1), "{")
end

function TestPostJSON(t)
  local r = http.post(BASE .. "/echo", {json = {name = "研发部", ids = {1, 2}}})
  assert_eq(r.status, 200)
  assert_eq(r.json.method, "POST")
  assert_eq(r.json.content_type, "application/json")
  assert_eq(r.json.body, '{"ids":[1,2],"name":"研发部"}')
end

function TestPostBody(t)
  local r = http.post(BASE .. "/echo", {body = "a=1", headers = {["Content-Type"] = "application/x-www-form-urlencoded"}})
  assert_eq(r.json.body, "a=1")
  assert_eq(r.json.content_type, "application/x-www-form-urlencoded")
end

function TestStatusIsNotAnError(t)
  local r = http.get(BASE .. "/fail")
  assert_eq(r.status, 503)
  assert_eq(r.body, "maintenance")
  assert_eq(r.json, nil)
end

function TestErrors(t)
  contains(fails(http.get, BASE .. "/slow?token=SECRET", {timeout = 0.05}), "http.get " .. BASE .. "/slow: ")
  contains(fails(http.get, BASE .. "/slow?token=SECRET", {timeout = 0.05}), "deadline exceeded")
  local err = fails(http.get, BASE .. "/slow?token=SECRET", {timeout = 0.05})
  assert_eq(string.find(err, "SECRET", 1, true), nil, "the query stays out of errors")
  contains(fails(http.get, BASE .. "/badjson"), "status 200, Content-Type application/json: invalid JSON at line 1")
  contains(fails(http.get, BASE .. "/big"), "the response body has 1025 bytes, more than the limit of 1024 bytes")
end

function TestArgumentErrors(t)
  contains(fails(function() http.get("ftp://example.com") end), "bad argument #1 to get (want an http or https URL)")
  contains(fails(function() http.get(BASE, {body = "x"}) end), 'bad argument #2 to get (unknown option "body" (want headers, query, timeout))')
  contains(fails(function() http.post(BASE, {body = "x", json = {}}) end), "give body or json, not both")
  contains(fails(function() http.post(BASE, {json = {f = print}}) end), "json: cannot encode a function at $.f")
  contains(fails(function() http.get(BASE, {timeout = -1}) end), "timeout must be a number of seconds > 0")
  contains(fails(function() http.get(BASE, {headers = {X = {}}}) end), "names and values must be strings")
  contains(fails(function() http.post(BASE, {body = string.rep("x", 1025)}) end), "bad argument #2 to post (the body is larger than the limit of 1024 bytes)")
end
