local time = require("time")

function TestNow(t)
  local now, unix = time.now(), time.unix()
  assert_eq(math.abs(now - os.time()) < 2, true, "now")
  assert_eq(unix, math.floor(unix), "unix is whole")
  assert_eq(math.abs(unix - now) < 2, true, "unix")
end

function TestFormat(t)
  assert_eq(time.format(0, "%Y-%m-%d %H:%M:%S", "UTC"), "1970-01-01 00:00:00")
  assert_eq(time.format(0), "1970-01-01 08:00:00", "Asia/Shanghai and the default layout")
  assert_eq(time.format(1714527000.25, "%F %T.%f %z %Z"), "2024-05-01 09:30:00.250000 +0800 CST")
  assert_eq(time.format(0, "%a %A %b %B %p %I %j %e %y %s %%", "UTC"), "Thu Thursday Jan January AM 12 001  1 70 0 %")
  assert_eq(time.format(0, "%Y年%m月%d日", "+09:00"), "1970年01月01日")
  assert_eq(time.format(1714527000, "%H:%M", "America/New_York"), "21:30")
  local s = time.format(nil, "%Y")
  assert_eq(#s, 4, "nil is now")
end

function TestParse(t)
  assert_eq(time.parse("2024-05-01 09:30:00"), 1714527000)
  assert_eq(time.parse("2024-05-01 01:30:00", nil, "UTC"), 1714527000)
  assert_eq(time.parse("2024-05-01T09:30:00+0900", "%Y-%m-%dT%H:%M:%S%z"), 1714523400)
  assert_eq(time.parse("2024-05-01T00:30:00Z", "%Y-%m-%dT%H:%M:%S%z", "Asia/Tokyo"), 1714523400)
  assert_eq(time.parse("2024/5/1", "%Y/%m/%d"), 1714492800)
  assert_eq(time.parse("May 1 2024 9:30 PM", "%b %d %Y %I:%M %p", "UTC"), 1714599000)
  assert_eq(time.parse("1714527000", "%s"), 1714527000)
  assert_eq(time.parse("2024-05-01 09:30:00.5", "%F %T.%f"), 1714527000.5)
  assert_eq(time.parse("24-122", "%y-%j", "UTC"), 1714521600)
  assert_eq(time.parse("2024年05月01日", "%Y年%m月%d日"), 1714492800)
end

function TestParseErrors(t)
  contains(fails(time.parse, "2024-02-30", "%Y-%m-%d"), 'time.parse: "2024-02-30": day 30 out of range for February 2024')
  contains(fails(time.parse, "2024-13-01", "%Y-%m-%d"), "month 13 out of range")
  contains(fails(time.parse, "2024-05-01 25:00:00"), "time of day 25:00:00 out of range")
  contains(fails(time.parse, "2024-05-01", "%Y/%m/%d"), "at offset 4: want '/'")
  contains(fails(time.parse, "2024-05-01 extra", "%Y-%m-%d"), 'unexpected " extra"')
  contains(fails(time.parse, "x", "%Q"), "unknown directive %Q")
  contains(fails(time.parse, "CST", "%Z"), "%Z cannot be parsed")
end

function TestDate(t)
  assert_eq(time.date(0, "UTC"), {year = 1970, month = 1, day = 1, hour = 0, min = 0, sec = 0, wday = 5, yday = 1})
  assert_eq(time.date(1714527000), {year = 2024, month = 5, day = 1, hour = 9, min = 30, sec = 0, wday = 4, yday = 122})
end

function TestArgumentErrors(t)
  contains(fails(function() time.format(0, "%Y", "Mars/Olympus") end), 'bad argument #3 to format (unknown time zone "Mars/Olympus")')
  contains(fails(function() time.format(0, "%Q") end), "bad argument #2 to format (unknown directive %Q")
  contains(fails(function() time.format("x") end), "bad argument #1 to format (number expected, got string)")
  contains(fails(function() time.sleep(-1) end), "bad argument #1 to sleep (seconds must be a number ≥ 0)")
  contains(fails(function() time.date(1/0) end), "bad argument #1 to date (time must be a finite number of seconds)")
end

function TestSleep(t)
  local start = time.now()
  time.sleep(0.02)
  assert_eq(time.now() - start >= 0.015, true, "slept")
end
