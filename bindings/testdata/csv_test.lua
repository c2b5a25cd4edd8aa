local csv = require("csv")
local fs = require("fs")

function TestParseWithHeader(t)
  local rows = csv.parse("姓名,帐号,部门\n张三,zhangsan,1;2\n\"李, 四\",lisi,\"3\"\n")
  assert_eq(rows, {
    {["姓名"] = "张三", ["帐号"] = "zhangsan", ["部门"] = "1;2"},
    {["姓名"] = "李, 四", ["帐号"] = "lisi", ["部门"] = "3"},
  })
end

function TestParseWithoutHeader(t)
  local rows = csv.parse("a;b\r\nc;d;e\r\n", {header = false, sep = ";"})
  assert_eq(rows, {{"a", "b"}, {"c", "d", "e"}})
end

function TestParseEmpty(t)
  assert_eq(#csv.parse(""), 0)
  assert_eq(#csv.parse("a,b\n"), 0)
end

function TestParseErrors(t)
  contains(fails(csv.parse, "a,b\n1,2,3\n"), "csv.parse: string: record on line 2: wrong number of fields")
  contains(fails(csv.parse, "a,a\n1,2\n"), 'header: columns 1 and 2 are both named "a"')
  contains(fails(csv.parse, "a,,c\n1,2,3\n"), "header: column 2 has no name")
  contains(fails(csv.parse, "a\n\"x\n"), "extraneous or missing")
  contains(fails(function() csv.parse("a", {sep = ",,"}) end), "bad argument #2 to parse (sep must be one character)")
  contains(fails(function() csv.parse("a", {encoding = "latin1"}) end), 'unknown encoding "latin1"')
  contains(fails(function() csv.parse("a", {heder = true}) end), 'unknown option "heder"')
end

function TestReadBOM(t)
  local rows = csv.read("bom.csv")
  assert_eq(rows, {{["姓名"] = "张三", ["帐号"] = "zhangsan"}})
end

function TestReadGBKNeedsEncoding(t)
  local err = fails(csv.read, "gbk.csv")
  contains(err, 'csv.read: gbk.csv: line 2: not UTF-8 (looks like GBK); pass {encoding="gbk"}')
  local rows = csv.read("gbk.csv", {encoding = "gbk"})
  assert_eq(rows, {{["name"] = "张三", ["dept"] = "研发部"}})
end

function TestReadUTF8AsGBKRefused(t)
  contains(fails(csv.read, "bom.csv", {encoding = "gbk"}), 'text is UTF-8, not GBK; drop {encoding="gbk"}')
end

function TestReadInvalidBytes(t)
  contains(fails(csv.read, "binary.csv"), "binary.csv: line 3: not UTF-8")
end

function TestReadString(t)
  assert_eq(csv.read(nil, {string = "x\n1\n"}), {{x = "1"}})
  contains(fails(function() csv.read(nil) end), "bad argument #1 to read (want a path, or nil and {string=...})")
  contains(fails(function() csv.read("bom.csv", {string = "x"}) end), "bad argument #1 to read (want a path or {string=...}, not both)")
  contains(fails(function() csv.parse("x", {string = "x"}) end), "bad argument #2 to parse (string must be a string, and only read takes it)")
end

function TestReadOutsideDirs(t)
  contains(fails(function() csv.read("../outside.csv") end), 'path "../outside.csv" is outside the allowed directories')
end

function TestFormat(t)
  assert_eq(csv.format({{"a", "b,c"}, {1, 2.5}, {true, nil}}), 'a,"b,c"\n1,2.5\ntrue\n')
  assert_eq(csv.format({{name = "张三", id = 1}, {name = "李四"}}), "id,name\n1,张三\n,李四\n")
  assert_eq(csv.format({{name = "张三", id = 1}}, {header = {"name", "id"}, crlf = true, bom = true}), "\239\187\191name,id\r\n张三,1\r\n")
  assert_eq(csv.format({{"x", "y"}}, {sep = "\t"}), "x\ty\n")
  contains(fails(csv.format, {{name = "a", nmae = "b"}}, {header = {"name"}}), "rows[1]: nmae is not a column of the header")
  contains(fails(csv.format, {{{}}}), "rows[1]: cell 1: a table cannot be a cell")
end

function TestFormatNeutralizesFormulas(t)
  -- A spreadsheet runs these cells; each gets a ' before it. Numbers do not.
  assert_eq(csv.format({
    {"=HYPERLINK(A1)", "+1+1", "-2+3", "@SUM(A1)", "\tx", "\rx"},
    {"-5", "+1.5e3", -7, ".5", "a=b", "-"},
  }), "'=HYPERLINK(A1),'+1+1,'-2+3,'@SUM(A1),'\tx,\"'\rx\"\n" ..
    "-5,+1.5e3,-7,.5,a=b,'-\n")
  assert_eq(csv.format({{["=cmd"] = "=1"}}), "'=cmd\n'=1\n", "the header too")
  -- raw writes them as they are, and they read back unchanged.
  local rows = {{"=1+1", "@x", "-", "+86 13800000000"}}
  local s = csv.format(rows, {raw = true})
  assert_eq(s, "=1+1,@x,-,+86 13800000000\n")
  assert_eq(csv.parse(s, {header = false}), rows)
  csv.write("out/formulas.csv", {{name = "=cmd|' /C calc'!A0"}}, {header = {"name"}})
  assert_eq(csv.read("out/formulas.csv"), {{name = "'=cmd|' /C calc'!A0"}})
end

function TestFormatRefusesNUL(t)
  contains(fails(csv.format, {{"a", "b"}, {"ok", "x\0y"}}), "rows[2]: cell 2: a NUL byte cannot be written in a CSV cell")
  contains(fails(csv.format, {{name = "a"}, {name = "b\0"}}, {header = {"name"}}), "rows[2]: name: a NUL byte cannot be written in a CSV cell")
  contains(fails(csv.format, {{"a"}}, {raw = true, header = {"x\0"}}), "header[1]: a NUL byte cannot be written in a CSV cell")
  contains(fails(csv.write, "out/nul.csv", {{"\0"}}, {raw = true}), "csv.write: rows[1]: cell 1: a NUL byte")
  assert_eq(fs.exists("out/nul.csv"), false)
end

function TestBatchFilesKeepTheirCells(t)
  -- WeCom reads these files, not a spreadsheet: nothing is prefixed.
  local s = csv.member_file({{userid = "a1", name = "甲", department = 1, mobile = "+86 13800000001", position = "-", alias = "-"}})
  assert_eq(s, "姓名,帐号,手机号,所在部门,职位,别名\n甲,a1,+86 13800000001,1,-,-\n")
  contains(fails(csv.member_file, {{userid = "a1", name = "甲\0", department = 1, mobile = "13800000001"}}), "members[1] (userid \"a1\"): name: a NUL byte cannot be written in a CSV cell")
end

function TestEach(t)
  local rows = {}
  for i = 1, 300 do
    rows[i] = {userid = "u" .. i, name = "成员" .. i, department = tostring(i % 7 + 1)}
  end
  csv.write("out/many.csv", rows, {header = {"userid", "name", "department"}})
  local n = 0
  for row in csv.each("out/many.csv") do
    n = n + 1
    assert_eq(row, rows[n], "row " .. n)
  end
  assert_eq(n, 300)
  assert_eq(csv.read("out/many.csv"), rows, "csv.read reads the same rows")

  local arrays = {}
  for row in csv.each("out/many.csv", {header = false}) do arrays[#arrays + 1] = row end
  assert_eq(arrays[1], {"userid", "name", "department"})
  assert_eq(#arrays, 301)

  contains(fails(csv.each, "gbk.csv"), 'csv.each: gbk.csv: line 2: not UTF-8 (looks like GBK); pass {encoding="gbk"}')
  local gbk = {}
  for row in csv.each("gbk.csv", {encoding = "gbk"}) do gbk[#gbk + 1] = row end
  assert_eq(gbk, {{["name"] = "张三", ["dept"] = "研发部"}})
  contains(fails(function() csv.each("../outside.csv") end), 'path "../outside.csv" is outside the allowed directories')
  csv.write("out/ragged.csv", {{"a", "b"}, {"1", "2"}, {"3"}})
  contains(fails(function() for _ in csv.each("out/ragged.csv") do end end), "csv.each: out/ragged.csv: record on line 3: wrong number of fields")
end

function TestMemberFileFromAnIterator(t)
  local members = {
    {userid = "zhangsan", name = "张三", department = {1, 2}, mobile = "13800000000"},
    {userid = "lisi", name = "李四", department = "3", email = "lisi@example.com",
     extattr = {attrs = {{type = 0, name = "工号", text = {value = "E002"}}}}},
  }
  local i = 0
  local s = csv.member_file(function()
    i = i + 1
    return members[i]
  end)
  assert_eq(s, csv.member_file(members), "the same file as from the table")
  assert_eq(i, 3, "called until it returned nil")
  contains(fails(csv.member_file, function() return nil end), "no members (the file would be empty)")
  contains(fails(csv.member_file, function() error("hr_members.csv:7: bad department") end), "hr_members.csv:7: bad department")
  contains(fails(function() csv.member_file("x") end), "bad argument #1 to member_file (table or function expected, got string)")
end

function TestWriteThenRead(t)
  csv.write("out/people.csv", {{userid = "zhangsan", name = "张三"}}, {header = {"userid", "name"}})
  assert_eq(csv.read("out/people.csv"), {{userid = "zhangsan", name = "张三"}})
end

function TestMemberFile(t)
  local s = csv.member_file({
    {userid = "zhangsan", name = "张三", department = {1, 2}, mobile = "13800000000", position = "工程师",
     gender = "1", order = {10, 20}, is_leader_in_dept = {1, 0}, enable = 1,
     extattr = {attrs = {{type = 0, name = "工号", text = {value = "E001"}}}},
     status = 1, avatar = "http://example.com/a.png"},
    {userid = "lisi", name = "李四", department = "3", email = "lisi@example.com", gender = 2, enable = 0},
  })
  assert_eq(s, "姓名,帐号,手机号,邮箱,所在部门,职位,性别,是否部门内领导,排序,禁用,工号\n" ..
    "张三,zhangsan,13800000000,,1;2,工程师,男,1;0,10;20,0,E001\n" ..
    "李四,lisi,,lisi@example.com,3,,女,,,1,\n")
end

function TestMemberFileMinimal(t)
  assert_eq(csv.member_file({{userid = "a1", name = "甲", department = 1, mobile = 13800000001}}),
    "姓名,帐号,手机号,所在部门\n甲,a1,13800000001,1\n")
end

function TestMemberFileErrors(t)
  local function member(fields)
    local m = {userid = "zhangsan", name = "张三", department = {1}, mobile = "13800000000"}
    for k, v in pairs(fields) do
      if v == false then m[k] = nil else m[k] = v end
    end
    return m
  end
  local cases = {
    {{userid = false}, 'members[1]: userid is required'},
    {{name = false}, 'members[1] (userid "zhangsan"): name is required'},
    {{department = false}, "department is required"},
    {{mobile = false}, "mobile or email is required"},
    {{userid = "张三"}, "a userid has letters, digits and _-@."},
    {{userid = "-abc"}, "starts with a letter or digit"},
    {{department = {1, "x"}}, "department: x is not an integer"},
    {{department = {0}}, "department: 0 is not a department id"},
    {{department = {2, 2}}, "department: department 2 appears twice"},
    {{departmnet = {1}}, 'members[1] (userid "zhangsan"): unknown field "departmnet"'},
    {{order = {1, 2}}, "order has 2 values for 1 departments"},
    {{is_leader_in_dept = {2}}, "is_leader_in_dept: 2 is out of range"},
    {{gender = "x"}, 'gender: "x" is not 1 (male), 2 (female) or 0'},
    {{enable = 5}, "enable: 5 is not 1 (enabled) or 0 (disabled)"},
    {{name = "a\nb"}, "name: \"a\\nb\" contains a control character"},
    {{email = "nobody"}, 'email: "nobody" is not an email address'},
    {{position = {}}, "position: a table cannot be a cell"},
  }
  for _, c in ipairs(cases) do
    local err = fails(csv.member_file, {member(c[1])})
    contains(err, c[2])
  end
  contains(fails(csv.member_file, {member({}), member({userid = "ZhangSan", mobile = "1"})}),
    'members[2] (userid "ZhangSan"): userid "ZhangSan" repeats members[1]')
  contains(fails(csv.member_file, {member({}), member({userid = "lisi"})}),
    'members[2] (userid "lisi"): mobile "13800000000" repeats members[1]')
  contains(fails(csv.member_file, {}), "no members")
  contains(fails(csv.member_file, {"x"}), "members[1] is a string, not a table")
end

function TestDepartmentFile(t)
  local s = csv.department_file({
    {name = "总公司", id = 1, parentid = 0},
    {name = "研发部", id = 2, parentid = 1, order = 100},
    {name = "后台组", id = 3, parent_id = 2, name_en = "backend"},
    {name = "广州研发中心", id = 4, parentid = 1},
  })
  assert_eq(s, "部门名称,部门ID,父部门ID,排序\n总公司,1,0,\n研发部,2,1,100\n后台组,3,2,\n广州研发中心,4,1,\n")
end

function TestDepartmentFileErrors(t)
  local cases = {
    {{{id = 2, parentid = 1}}, "departments[1]: name is required"},
    {{{name = "a", parentid = 1}}, "id is required"},
    {{{name = "a", id = 2}}, "parentid is required"},
    {{{name = "a", id = "x", parentid = 1}}, "id: x is not an integer"},
    {{{name = "a", id = 2, parentid = 9}}, "departments[1] (id 2): parentid 9 is neither in the file nor the root (1)"},
    {{{name = "a:b", id = 2, parentid = 1}}, "name: \"a:b\" contains the forbidden character ':'"},
    {{{name = "a｜b", id = 2, parentid = 1}}, "forbidden character '｜'"},
    {{{name = string.rep("部", 33), id = 2, parentid = 1}}, "must have 1 to 32 characters"},
    {{{name = "a", id = 2, parentid = 1}, {name = "b", id = 2, parentid = 1}}, "departments[2] (id 2): id 2 repeats departments[1]"},
    {{{name = "a", id = 2, parentid = 1}, {name = "a", id = 3, parentid = 1}}, 'name "a" repeats departments[1] under the same parent'},
    {{{name = "a", id = 2, parentid = 3}, {name = "b", id = 3, parentid = 2}}, "its parents form a cycle"},
    {{{name = "a", id = 2, parentid = 2}}, "cannot be its own parent"},
    {{{name = "a", id = 2, parentid = 1, parent_id = 3}}, "parentid and parent_id differ"},
    {{{name = "a", id = 2, parentid = 1, leader = "x"}}, "leader: unknown field"},
    {{{name = "a", id = 2, parentid = 0}}, "only the root (id 1) has parent 0"},
  }
  for _, c in ipairs(cases) do
    contains(fails(csv.department_file, c[1]), c[2])
  end
end

function TestMemberFileReportsEveryBadRow(t)
  local members = {
    {userid = "a1", name = "甲", department = {1}, mobile = "13800000001"},
    {userid = "a2", department = {1}, mobile = "13800000002"},
    {userid = "a3", name = "丙", department = {1}, mobile = "13800000003"},
    {userid = "A1", name = "丁", department = {1}, mobile = "13800000004"},
    {userid = "a5", name = "戊", department = {0}, mobile = "13800000005"},
  }
  local err = fails(csv.member_file, members)
  contains(err, "3 of the 5 members are wrong:\n" ..
    '\tmembers[2] (userid "a2"): name is required\n' ..
    '\tmembers[4] (userid "A1"): userid "A1" repeats members[1]\n' ..
    '\tmembers[5] (userid "a5"): department: 0 is not a department id')
  assert_eq(err:find("members[3]", 1, true), nil, "a good row is not listed")

  -- Many bad rows: the first 50 are listed, the others counted.
  local many = {}
  for i = 1, 120 do many[i] = {userid = "u" .. i, department = {1}, mobile = "138" .. i} end
  err = fails(csv.member_file, many)
  contains(err, "120 of the 120 members are wrong:\n")
  contains(err, 'members[50] (userid "u50"): name is required\n\t... and 70 more')
  assert_eq(err:find("members[51]", 1, true), nil, "row 51 is counted, not listed")
end

function TestDepartmentFileReportsEveryBadRow(t)
  local err = fails(csv.department_file, {
    {name = "研发部", id = 2, parentid = 1},
    {name = "a:b", id = 3, parentid = 2},
    {name = "测试部", id = 2, parentid = 1},
    {name = "后台组", id = "x", parentid = 2},
  })
  contains(err, "3 of the 4 departments are wrong:\n" ..
    '\tdepartments[2]: name: "a:b" contains the forbidden character \':\'\n' ..
    "\tdepartments[3] (id 2): id 2 repeats departments[1]\n" ..
    "\tdepartments[4]: id: x is not an integer")
  -- Once every row is right, parents and cycles are checked, for every row.
  err = fails(csv.department_file, {
    {name = "a", id = 2, parentid = 9},
    {name = "b", id = 3, parentid = 8},
    {name = "c", id = 4, parentid = 1},
  })
  contains(err, "2 of the 3 departments are wrong:\n" ..
    "\tdepartments[1] (id 2): parentid 9 is neither in the file nor the root (1)\n" ..
    "\tdepartments[2] (id 3): parentid 8 is neither in the file nor the root (1)")
end

function TestFormatReportsEveryBadRow(t)
  local err = fails(csv.format, {{"a", "b"}, {"c"}, {"d", {}}}, {header = {"x", "y"}})
  contains(err, "2 of the 3 rows are wrong:\n\trows[2]: 1 cells for 2 columns\n\trows[3]: cell 2: a table cannot be a cell")
end
