package vm

import (
	"context"
	"io"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/wecomrunner/runner/bindings"
)

// luaFragments are the pieces FuzzLuaScript assembles scripts from: the
// builtins with unbounded work or output, the value stack, metatables,
// coroutines and load, with a number N the fuzzer chooses.
var luaFragments = []string{
	`local s = ("x"):rep(N) `,
	`local s = ("ab"):rep(N):gsub("a", ("y"):rep(N)) `,
	`local s = ("a"):rep(N) s:find(("a*"):rep(N % 30) .. "b") `,
	`local s = ("x"):rep(N) s = s .. s .. s `,
	`local s = "x" for i = 1, N % 64 do s = s .. s end `,
	`local t = {} for i = 1, N do t[i] = i end print(select("#", unpack(t))) `,
	`local t = {} for i = 1, N do t[i] = "v" end print(#table.concat(t, ",")) `,
	`print(string.byte(("z"):rep(N), 1, -1)) `,
	`print(string.format("%5d %s %q", N, ("f"):rep(N % 100), "x")) `,
	`for w in ("a b c "):rep(N % 1000):gmatch("%a+") do end `,
	`print(("k=v;"):rep(N % 1000):gsub("(%w)=(%w)", "%2=%1")) `,
	`print(pcall(string.rep)) `,
	`print(pcall(string.find, "x", "[")) `,
	`print(pcall(string.gsub, "x", "(", "")) `,
	`print(("x"):find("", N)) `,
	`print(("abc"):sub(N, -N)) `,
	`local co = coroutine.wrap(function() for i = 1, N do coroutine.yield(i) end end) co() `,
	`setmetatable({}, {__index = function(t, k) return k end})[N] = 1 `,
	`local f = loadstring("return " .. N) print(f and f()) `,
	`print(pcall(load, function() return nil end)) `,
	`print(tostring(N):rep(N % 50)) `,
	`print(math.floor(N / 7), N % 3, -N) `,
	`local t = setmetatable({}, {__concat = function(a, b) return "c" end}) print(t .. "x", "x" .. t) `,
	`print(pcall(function() return {} .. "x" end)) `,
	`table.sort({N, 3, 1, 2}) `,
	`print(#tostring({}) > 0, type(nil), select(-1, 1, 2)) `,
	`while N > 0 do N = N - 1 end `,
	`print(pcall(error, {code = N})) `,
	`print(string.char(N % 256):byte()) `,
	`print(next({}), rawlen and 1, rawequal(1, 1)) `,
}

// assemble builds a script from data: each byte picks a fragment, the next
// one its N.
func assemble(data string) string {
	var b strings.Builder
	for i := 0; i+1 < len(data); i += 2 {
		n := int(data[i+1])
		n = n * n * n % 3000000
		frag := luaFragments[int(data[i])%len(luaFragments)]
		b.WriteString("do local N = " + strconv.Itoa(n) + " " + frag + "end\n")
	}
	return b.String()
}

// FuzzLuaScript runs random scripts (the fuzzer's bytes as Lua source, and
// a script assembled from fragments by them) under a 200 ms timeout and a
// 128 MiB memory limit, and fails on a Go panic inside the run or a run that
// overruns its timeout. Run returns within half a second of the deadline
// (abandoning a builtin that does not check the context, such as unpack of a
// million values); the fuzzer allows a few seconds more, for a loaded
// machine where the process gets little CPU.
func FuzzLuaScript(f *testing.F) {
	for _, s := range []string{
		`print("hello")`,
		`local s = "x" while true do s = s .. s end`,
		`local p = {} for i = 1, 3000 do p[i] = "a" end print(#table.concat(p, ","))`,
		`local s = ("x"):rep(1e5):gsub(".", ("a"):rep(1e6))`,
		`string.find(("a"):rep(40), ("a*"):rep(20) .. "b")`,
		"\x00\x10\x02\x20\x03\x30\x04\x40\x05\x50",
		"\x07\xff\x06\xfe\x08\x80",
	} {
		f.Add(s)
	}
	SetMemoryLimit(128 << 20)
	const timeout = 200 * time.Millisecond
	f.Fuzz(func(t *testing.T, data string) {
		dir := t.TempDir()
		for _, src := range []string{data, assemble(data)} {
			proto, err := CompileReader(strings.NewReader(src), "fuzz.lua")
			if err != nil {
				continue
			}
			ctx, cancel := context.WithTimeout(context.Background(), timeout)
			start := time.Now()
			err = Run(ctx, &Script{Proto: proto, Path: dir + "/fuzz.lua", Env: &bindings.Env{Stdout: io.Discard, Dirs: []string{dir}}})
			cancel()
			if d := time.Since(start); d > timeout+5*time.Second {
				t.Fatalf("the run took %v with a timeout of %v:\n%s", d, timeout, src)
			}
			if err == nil {
				continue
			}
			for _, sign := range []string{"the Lua VM failed", "runtime error:"} {
				if strings.Contains(err.Error(), sign) {
					t.Fatalf("%v\n%s", err, src)
				}
			}
		}
	})
}
