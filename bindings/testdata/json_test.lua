local json = require("json")

function TestDecodeObject(t)
  local v = json.decode('{"userid":"zhangsan","name":"张三","department":[1,2],"enable":true,"order":[0,100000000]}')
  assert_eq(v.userid, "zhangsan")
  assert_eq(v.name, "张三")
  assert_eq(v.department, {1, 2})
  assert_eq(#v.department, 2)
  assert_eq(v.enable, true)
  assert_eq(v.order[2], 100000000)
end

function TestDecodeNull(t)
  local v = json.decode('{"a":null,"list":[1,null,3]}')
  assert_eq(v.a, json.null)
  assert_eq(#v.list, 3)
  assert_eq(v.list[2], json.null)
  assert_eq(tostring(json.null), "json.null")
  assert_eq(json.encode(v), '{"a":null,"list":[1,null,3]}')
end

function TestBigIntegersStayExact(t)
  local v = json.decode('{"id":1234567890123456789,"small":9007199254740992,"neg":-9007199254740993}')
  assert_eq(v.id, "1234567890123456789", "beyond 2^53: a string")
  assert_eq(v.small, 9007199254740992, "2^53 itself: a number")
  assert_eq(v.neg, "-9007199254740993")
end

function TestEmptyTablesKeepTheirKind(t)
  local v = json.decode('{"obj":{},"arr":[],"nested":{"attrs":[]}}')
  assert_eq(json.encode(v), '{"arr":[],"nested":{"attrs":[]},"obj":{}}')
  assert_eq(json.encode({}), "[]", "a new empty table is an array")
  assert_eq(json.encode(json.object()), "{}")
  assert_eq(json.encode(json.object({})), "{}")
  assert_eq(json.encode(json.array()), "[]")
end

function TestEncodeArraysAndObjects(t)
  assert_eq(json.encode({1, 2, 3}), "[1,2,3]")
  assert_eq(json.encode({b = 1, a = {x = "y"}}), '{"a":{"x":"y"},"b":1}', "keys sorted")
  assert_eq(json.encode({"a", {n = 1}}), '["a",{"n":1}]')
  assert_eq(json.encode("x"), '"x"')
  assert_eq(json.encode(nil), "null")
  assert_eq(json.encode(true), "true")
end

function TestEncodeNumbers(t)
  assert_eq(json.encode(1000002), "1000002")
  assert_eq(json.encode(-5), "-5")
  assert_eq(json.encode(1.5), "1.5")
  assert_eq(json.encode(1e21), "1e+21")
  assert_eq(json.encode(0.1), "0.1")
  assert_eq(json.encode(1e-7), "1e-7")
end

function TestEncodeStrings(t)
  assert_eq(json.encode("研发部"), '"研发部"', "Chinese stays UTF-8")
  assert_eq(json.encode('a"b\\c\n\t'), '"a\\"b\\\\c\\n\\t"')
  assert_eq(json.encode("\1"), '"\\u0001"')
  assert_eq(json.encode("<&>"), '"<&>"', "no HTML escaping")
  assert_eq(json.encode("a\255\254b"), '"a\239\191\189b"', "bytes that are not UTF-8 become U+FFFD")
end

function TestEncodeIndent(t)
  assert_eq(json.encode({a = {1, 2}, b = {}}, {indent = true}), '{\n  "a": [\n    1,\n    2\n  ],\n  "b": []\n}')
end

function TestArrayForcesSparse(t)
  local a = json.array({1, nil, 3})
  assert_eq(json.encode(a), "[1,null,3]")
  local err = fails(json.encode, {1, nil, 3})
  contains(err, "hole at index 2")
end

function TestObjectForcesNumericKeys(t)
  assert_eq(json.encode(json.object({[1] = "a", [20] = "b"})), '{"1":"a","20":"b"}')
end

local function encodeError(v)
  local ok, err = pcall(json.encode, v)
  if ok then
    error("encode succeeded", 2)
  end
  return err
end

function TestEncodeErrors(t)
  contains(encodeError({userlist = {{department = {1, 2, x = 3}}}}), 'table mixes array elements with the key "x" at $.userlist[1].department')
  contains(encodeError({f = print}), "cannot encode a function at $.f")
  contains(encodeError({n = 0/0}), "cannot encode the number NaN at $.n")
  contains(encodeError({n = 1/0}), "cannot encode the number +Inf at $.n")
  contains(encodeError({[true] = 1}), "key of type boolean")
  contains(encodeError({[1.5] = 1}), "key 1.5 is neither")
  local cyclic = {}
  cyclic.self = cyclic
  contains(encodeError(cyclic), "table contains itself at $.self")
  contains(encodeError(json.array({x = 1})), 'array (json.array) has the key "x"')
  contains(encodeError({["a b"] = {print}}), 'at $["a b"][1]')
end

function TestDecodeErrors(t)
  local err = fails(json.decode, '{"a":1,}')
  contains(err, "json.decode: invalid JSON at line 1 (offset 7)")
  err = fails(json.decode, '{"a":\n tru}')
  contains(err, "line 2")
  err = fails(json.decode, '[1] 2')
  contains(err, "after the JSON value")
  err = fails(json.decode, '"\255"')
  contains(err, "not valid UTF-8")
end

function TestRoundTrip(t)
  local s = '{"errcode":0,"errmsg":"ok","userlist":[{"userid":"lisi","name":"李四","department":[3],"extattr":{"attrs":[]},"direct_leader":[],"status":1}]}'
  local v = json.decode(s)
  assert_eq(json.decode(json.encode(v)), v)
  assert_eq(json.encode(v), '{"errcode":0,"errmsg":"ok","userlist":[{"department":[3],"direct_leader":[],"extattr":{"attrs":[]},"name":"李四","status":1,"userid":"lisi"}]}')
end

function TestDecodedTablesAreOrdinary(t)
  local v = json.decode('{"list":[1,2],"m":{"a":1,"b":2}}')
  table.insert(v.list, 3)
  assert_eq(v.list, {1, 2, 3})
  v.m.c = 3
  v.m.a = nil
  local keys = {}
  for k in pairs(v.m) do
    keys[#keys + 1] = k
  end
  table.sort(keys)
  assert_eq(keys, {"b", "c"})
  local n = 0
  for _, x in ipairs(v.list) do
    n = n + x
  end
  assert_eq(n, 6)
end

function TestArrayOfNonTableIsArgError(t)
  local err = fails(function() json.array(5) end)
  contains(err, "bad argument #1 to array (table expected, got number)")
  err = fails(json.array, setmetatable({}, {}))
  contains(err, "table has a metatable")
end

-- keys lists the keys pairs() gives for t, sorted.
local function keys(t)
  local ks = {}
  for k in pairs(t) do ks[#ks + 1] = tostring(k) end
  table.sort(ks)
  return table.concat(ks, ",")
end

-- Objects decoded with the same keys share their key index: a key added to
-- one, in any way, is listed by pairs for that one, and for each of the
-- others once it gets it too.
function TestObjectsOfSameKeysStaySeparate(t)
  local list = json.decode('[{"a":1,"b":2},{"a":3,"b":4},{"a":5,"b":6},{"a":7,"b":8},{"a":9,"b":10},{"a":11,"b":12},{"a":13,"b":14}]')
  list[2].c = "x"
  assert_eq(keys(list[2]), "a,b,c")
  assert_eq(keys(list[3]), "a,b", "a key added to another object is not this one's")
  list[3].c = "y"
  assert_eq(keys(list[3]), "a,b,c", "the same key added to a second object")
  rawset(list[4], "c", 1)
  rawset(list[5], "c", 2)
  assert_eq(keys(list[4]), "a,b,c", "rawset")
  assert_eq(keys(list[5]), "a,b,c", "rawset on a second object")
  local mt = {__index = function() return "default" end}
  for i = 6, 7 do
    setmetatable(list[i], mt)
    list[i].c = i
    assert_eq(keys(list[i]), "a,b,c", "after setmetatable, object " .. i)
    assert_eq(list[i].z, "default")
  end
  assert_eq(keys(list[1]), "a,b", "the first object keeps its keys")
  list[1].b = nil
  list[1].b = 5
  assert_eq(keys(list[1]), "a,b", "a key removed and set again")
  for i = 2, 5 do
    list[i].a = nil
    assert_eq(keys(list[i]), "b,c", "a key removed from object " .. i)
  end
  assert_eq(json.encode(list[5]), '{"b":10,"c":2}')
end

function TestDecodedObjectsShowNoMetatable(t)
  local list = json.decode('[{"a":1},{"a":2},{"a":3}]')
  for i = 1, 3 do
    assert_eq(getmetatable(list[i]), nil, "object " .. i)
  end
  for i = 2, 3 do
    assert_eq(json.object(list[i]), list[i])
    list[i].b = i
    assert_eq(keys(list[i]), "a,b", "json.object gives object " .. i .. " keys of its own")
  end
  assert_eq(json.encode(list), '[{"a":1},{"a":2,"b":2},{"a":3,"b":3}]')
end
