local args = require("args")

function TestFields(t)
  assert_eq(args.source, "data/hr.csv")
  assert_eq(args.n, 3)
  assert_eq(args.list, {"a", "b"})
  assert_eq(args.missing, nil)
  assert_eq(type(args.get), "function", "functions win over arguments")
end

function TestGet(t)
  assert_eq(args.get("source"), "data/hr.csv")
  assert_eq(args.get("get"), "shadowed")
  assert_eq(args.get("missing"), nil)
  assert_eq(args.get("missing", "default"), "default")
end

function TestNumber(t)
  assert_eq(args.number("limit"), 50)
  assert_eq(args.number("n"), 3)
  assert_eq(args.number("ratio"), 0.2)
  assert_eq(args.number("missing", 7), 7)
  assert_eq(args.number("missing"), nil)
  contains(fails(args.number, "source"), 'args.number: argument "source" is "data/hr.csv", not a number')
  contains(fails(function() args.number("n", "x") end), "bad argument #2 to number")
end

function TestBool(t)
  assert_eq(args.bool("dry"), true)
  assert_eq(args.bool("off"), false)
  assert_eq(args.bool("one"), true)
  assert_eq(args.bool("flag"), true)
  assert_eq(args.bool("missing", false), false)
  contains(fails(args.bool, "bad"), 'args.bool: argument "bad" is "maybe", not true/false/1/0')
  contains(fails(args.bool, "list"), 'argument "list" is a table, not a boolean')
end

function TestReadOnly(t)
  contains(fails(function() args.source = "x" end), 'args is read-only (cannot set "source")')
  contains(fails(function() args.new = 1 end), "read-only")
  assert_eq(getmetatable(args), false)
end

function TestAll(t)
  local all = args.all()
  assert_eq(all.source, "data/hr.csv")
  all.source = "changed"
  assert_eq(args.source, "data/hr.csv", "all returns a copy")
  local n = 0
  for _ in pairs(all) do n = n + 1 end
  assert_eq(n, 11)
end
