local fs = require("fs")

function TestWriteReadExists(t)
  assert_eq(fs.exists("note.txt"), false)
  fs.write("note.txt", "日报\n")
  assert_eq(fs.exists("note.txt"), true)
  assert_eq(fs.read("note.txt"), "日报\n")
end

function TestMkdirList(t)
  fs.mkdir("reports/2024/05")
  fs.write("reports/b.txt", "")
  fs.write("reports/a.txt", "")
  assert_eq(fs.list("reports"), {"2024", "a.txt", "b.txt"})
  assert_eq(fs.list("reports/2024/05"), {})
end

function TestAbsolutePathInside(t)
  fs.write(ROOT .. "/abs.txt", "x")
  assert_eq(fs.read("abs.txt"), "x")
end

function TestEscapesRefused(t)
  contains(fails(function() fs.read("../secret.txt") end), 'bad argument #1 to read (path "../secret.txt" is outside the allowed directories')
  contains(fails(function() fs.write("/etc/passwd", "x") end), 'path "/etc/passwd" is outside')
  contains(fails(function() fs.read("link/secret.txt") end), 'path "link/secret.txt" is outside')
  contains(fails(function() fs.write("link/new.txt", "x") end), 'path "link/new.txt" is outside')
  contains(fails(function() fs.exists("a/../../x") end), "is outside")
  contains(fails(function() fs.list("") end), 'invalid path ""')
end

function TestErrors(t)
  contains(fails(fs.read, "missing.txt"), "fs.read: open ")
  contains(fails(fs.read, "missing.txt"), "no such file or directory")
  contains(fails(function() fs.write("x.txt") end), "bad argument #2 to write (string expected, got nil)")
end
