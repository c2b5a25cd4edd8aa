package vm

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	lua "github.com/yuin/gopher-lua"
)

// evalLua evaluates the Lua expression list expr in L and describes its
// values, or its error.
func evalLua(L *lua.LState, expr string) string {
	top := L.GetTop()
	defer L.SetTop(top)
	if err := L.DoString("return " + expr); err != nil {
		return "error"
	}
	var vals []string
	for i := top + 1; i <= L.GetTop(); i++ {
		v := L.Get(i)
		if t, ok := v.(*lua.LTable); ok {
			var items []string
			t.ForEach(func(k, v lua.LValue) { items = append(items, fmt.Sprintf("%v=%v", k, v)) })
			vals = append(vals, "{"+strings.Join(items, ",")+"}")
			continue
		}
		vals = append(vals, fmt.Sprintf("%s:%v", v.Type(), v))
	}
	// A trailing nil is the same result as none (stock match returns no
	// value when nothing matches).
	for len(vals) > 0 && vals[len(vals)-1] == "nil:nil" {
		vals = vals[:len(vals)-1]
	}
	return strings.Join(vals, " ")
}

// TestStringFunctionsMatchStock compares the bounded string functions with
// gopher-lua's on ordinary inputs: the same values for every expression.
func TestStringFunctionsMatchStock(t *testing.T) {
	stock := lua.NewState()
	defer stock.Close()
	ours := lua.NewState()
	defer ours.Close()
	strLib(ours, 1<<20)

	exprs := []string{
		// find
		`("hello world"):find("wor")`, `("hello world"):find("o", 6)`, `("hello world"):find("l+")`,
		`("hello world"):find("(h)(e)")`, `("hello"):find("x")`, `("a.b"):find(".", 1, true)`,
		`("a.b"):find("%.")`, `("abc"):find("b", -1)`, `("abc"):find("b", -2)`, `("abc"):find("^b")`,
		`("abc"):find("^a")`, `("abc"):find("c$")`, `("abc"):find("b$")`, `("a$b"):find("$b")`,
		`("key = value"):find("(%w+)%s*=%s*(%w+)")`, `("x"):find("()")`, `("abc"):find("b()")`,
		`("abc"):find("", 1)`, `("abc"):find("c", 10)`,
		`("[x]"):find("[]]")`, `("a-b"):find("[a-]", 2)`, `("a^b"):find("[%^]")`, `("x]"):find("[^%]]")`,
		`("THE (quick) fox"):find("%((%a+)%)")`, `("f(a(b)c)d"):find("%b()")`,
		`("aaa"):find("a-b")`, `("aaab"):find("a-b")`, `("aaab"):find("a*b")`, `("b"):find("a?b")`,
		`("\0x"):find("%z")`, `("tab\there"):find("%s")`, `("Ab1!"):find("%u%l%d%p")`,
		`("xyz"):find("%W")`, `("x y"):find("%S+", 2)`, `("0xFF"):find("%x+", 3)`,
		// match
		`("hello world"):match("(%w+) (%w+)")`, `("2024-05-06"):match("(%d+)-(%d+)-(%d+)")`,
		`("abc"):match(".-b")`, `("abc"):match("x")`, `("  trim  "):match("^%s*(.-)%s*$")`,
		`("abcabc"):match("(a)(b)c%1%2")`, `("hello"):match("()ll()")`, `("hello"):match("l", -2)`,
		`("hello"):match(".", 3)`, `("a,b,,c"):match("([^,]*),([^,]*)")`,
		`("张三,研发部"):match("^([^,]+),(.+)$")`, `("x=1, y=2"):match("y=(%d)")`,
		// gsub
		`("hello world"):gsub("o", "0")`, `("hello world"):gsub("o", "0", 1)`, `("hello"):gsub("", "-")`,
		`("abc"):gsub("%w*", "-")`, `("hello world"):gsub("(%w+)", "<%1>")`, `("hello"):gsub("l", "%%")`,
		`("hello world"):gsub("(%w+) (%w+)", "%2 %1")`, `("abc"):gsub(".", {a = 1, b = "x"})`,
		`("abc"):gsub("%w", function(c) return c:upper() .. "." end)`, `("abc"):gsub("b", function() end)`,
		`("$name is $age"):gsub("%$(%w+)", {name = "张三", age = 30})`, `("abc"):gsub("^a", "x")`,
		`("aaa"):gsub("^a", "x")`, `("abc"):gsub("c$", "x")`, `("a.b.c"):gsub("%.", "/")`,
		`("x"):gsub("x", "%0%0")`, `("one two"):gsub("(o)", "[%1]")`, `("abc"):gsub("", "")`,
		`("a b c"):gsub(" ", "", 0)`, `("hello"):gsub("l+", function(s) return #s end)`,
		`("a,b;c d"):gsub("[,; ]", "|")`, `("()"):gsub("%(%)", "x")`,
		// rep, format, concat
		`("ab"):rep(3)`, `("ab"):rep(0)`, `("ab"):rep(-1)`, `(""):rep(5)`,
		`string.format("%d %s %5.2f %q %x", 42, "s", 3.14159, "a\"b", 255)`, `string.format("%-5s|", "ab")`,
		`string.format("100%%")`, `string.format("%3d|%03d", 7, 7)`,
		`table.concat({1, 2, 3}, ", ")`, `table.concat({"a", "b"})`, `table.concat({}, ",")`,
		`table.concat({"a", "b", "c"}, "-", 2)`, `table.concat({"a", "b", "c"}, "-", 2, 3)`,
		`table.concat({"a", "b", "c"}, "-", 5)`, `table.concat({"a", "b", "c"}, "-", 1, 10)`,
		`table.concat({"a", "b", "c"}, "-", 3, 2)`, `table.concat({"a", {}, "c"})`,
	}
	for _, e := range exprs {
		want, got := evalLua(stock, e), evalLua(ours, e)
		if got != want {
			t.Errorf("%s\n  stock: %s\n  ours:  %s", e, want, got)
		}
	}

	// gmatch, collected.
	for _, e := range []string{
		`("one two  three"):gmatch("%a+")`, `("k1=v1, k2=v2"):gmatch("(%w+)=(%w+)")`, `("abc"):gmatch("")`,
		`("a,b,,c"):gmatch("([^,]*)")`, `("hello"):gmatch("()l")`,
	} {
		collect := `(function() local out = {} for a, b in ` + e + ` do out[#out + 1] = tostring(a) .. "/" .. tostring(b) end return table.concat(out, " ") end)()`
		want, got := evalLua(stock, collect), evalLua(ours, collect)
		if got != want {
			t.Errorf("%s\n  stock: %s\n  ours:  %s", e, want, got)
		}
	}
}

// TestStringFunctionsLua51: where gopher-lua departs from Lua 5.1 (or
// panics), the bounded functions follow Lua 5.1.
func TestStringFunctionsLua51(t *testing.T) {
	L := lua.NewState()
	defer L.Close()
	strLib(L, 1<<20)
	for expr, want := range map[string]string{
		`("THE (quick) fox"):find("%f[%a]%a+", 5)`:   "number:6 number:10",
		`("hello"):find("", 3)`:                      "number:3 number:2",
		`("abc"):find("", 4)`:                        "number:4 number:3",
		`("abc"):gsub("b", 5)`:                       "string:a5c number:1",
		`pcall(string.gsub, "abc", ".", {b = true})`: "boolean:false string:<string>:1: invalid replacement value (a boolean)",
		`("abc"):find("b", 10, true)`:                "",
		`("abc"):match("x")`:                         "",
		`select("#", ("abc"):match("x"))`:            "number:1",
		`("^a^a"):gmatch("^a")()`:                    "string:^a",
		`pcall(string.find, "a", "%")`:               "boolean:false string:malformed pattern (ends with '%')",
		`pcall(string.find, "a", "[a")`:              "boolean:false string:malformed pattern (missing ']')",
		`pcall(string.find, "a", "(a")`:              "boolean:false string:unfinished capture",
		`pcall(string.match, "a", "a)")`:             "boolean:false string:invalid pattern capture",
		`pcall(string.gsub, "a", "a", "%2")`:         "boolean:false string:invalid capture index",
		`pcall(string.format, "%100d", 1)`:           "boolean:false string:invalid format (width or precision too long)",
	} {
		if got := evalLua(L, expr); !strings.Contains(strings.ReplaceAll(got, "<string>:1: ", ""), strings.ReplaceAll(want, "<string>:1: ", "")) || want == "" && got != "" {
			t.Errorf("%s = %s, want %s", expr, got, want)
		}
	}
}

// TestStringFunctionsBounded: results over the limit are refused before
// they are built, and long matches stop when the run's context ends.
func TestStringFunctionsBounded(t *testing.T) {
	L := lua.NewState()
	defer L.Close()
	strLib(L, 1<<20)
	for _, src := range []string{
		`local s = ("x"):rep(1e5):gsub(".", ("a"):rep(1e3))`,
		`local s = ("x"):rep(1e7)`,
		`local t = {} for i = 1, 3000 do t[i] = ("x"):rep(1000) end local s = table.concat(t)`,
		`local s = string.format("%s%s", ("x"):rep(6e5), ("x"):rep(6e5))`,
	} {
		err := L.DoString(src)
		if err == nil || !strings.Contains(err.Error(), "exceeds the limit of 1048576") {
			t.Errorf("%s: %v", src, err)
		}
	}

	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	L.SetContext(ctx)
	for _, src := range []string{
		// Exponential backtracking: years without a check.
		`local s = ("a"):rep(40) string.find(s, ("a*"):rep(20) .. "b")`,
		`local s = ("x"):rep(1e5) while true do s:gsub("x", "y") end`,
	} {
		start := time.Now()
		err := L.DoString(src)
		if err == nil || time.Since(start) > time.Minute {
			t.Errorf("%s: %v after %v", src, err, time.Since(start))
		}
	}
}

// TestTableConcatMillion: table.concat and unpack of a million values work
// (gopher-lua's fixed registry overflowed at about 2,560).
func TestTableConcatMillion(t *testing.T) {
	if _, err := runLua(t, t.Context(), `
		local p = {} for i = 1, 1000000 do p[i] = "a" end
		assert(#table.concat(p, ",") == 1999999)
		assert(select("#", unpack(p)) == 1000000)
		assert(#string.char(string.byte(("x"):rep(100000), 1, -1)) == 100000)`); err != nil {
		t.Fatal(err)
	}
}

// TestConcatenationBounded: the .. operator keeps its semantics (numbers,
// metamethods, right to left) and refuses a result over the limit before
// building it, also in chunks compiled by load and loadstring.
func TestConcatenationBounded(t *testing.T) {
	if _, err := runLua(t, t.Context(), `
		assert("a" .. 1 .. "b" .. 2.5 == "a1b2.5")
		local mt = {__concat = function(a, b)
			return (type(a) == "table" and a.v or a) .. "+" .. (type(b) == "table" and b.v or b)
		end}
		local x = setmetatable({v = "x"}, mt)
		assert(x .. "s" == "x+s", x .. "s")
		assert("s" .. x == "s+x")
		assert("a" .. "b" .. x == "a+b+x" or "a" .. "b" .. x == "ab+x", "a" .. "b" .. x)
		assert(not pcall(function() return "a" .. nil end))
		assert(not pcall(function() return "a" .. {} end))
		local f = assert(loadstring("local s = ... return s .. s"))
		assert(f("ab") == "abab")
		setfenv(1, {assert = assert, pcall = pcall})
		assert("still" .. " works" == "still works")`); err != nil {
		t.Fatal(err)
	}
	for _, src := range []string{
		`local s = "x" while true do s = s .. s end`,
		`local s = ("x"):rep(1e6) loadstring("local s = ... while true do s = s .. s end")(s)`,
		`local s = ("x"):rep(1e6) local f = load((function() local d = false return function() if d then return nil end d = true return "local s = ... while true do s = s .. s end" end end)()) f(s)`,
	} {
		_, err := runLua(t, t.Context(), src)
		if err == nil || !strings.Contains(err.Error(), "concatenation (..): result of") {
			t.Errorf("%s: %v", src, err)
		}
	}
}

// TestAmplifyingBuiltinsBounded: builtins whose output is many times their
// input refuse inputs that would exceed the limits.
func TestAmplifyingBuiltinsBounded(t *testing.T) {
	for src, want := range map[string]string{
		`os.date(("%c"):rep(1e6))`: "os.date: a format of 2000000 bytes, more than 4096",
		`local s = ("x"):rep(1e7) local t = {} for i = 1, 100 do t[i] = s end require("json").encode(t)`: "the JSON text is longer than",
	} {
		_, err := runLua(t, t.Context(), src)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: %v, want %q", src, err, want)
		}
	}
	if _, err := runLua(t, t.Context(), `assert(#os.date("%Y-%m-%d") == 10)`); err != nil {
		t.Error(err)
	}
}
