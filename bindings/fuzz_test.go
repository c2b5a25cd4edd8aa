package bindings

// Fuzz targets of the CSV reader and writers, the batch file builders and
// the calling convention. Their seed corpora are in testdata/fuzz/<Name>/;
// make reliability runs each for a few seconds.

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	lua "github.com/yuin/gopher-lua"

	"github.com/wecomrunner/runner/bindings/luajson"
	"github.com/wecomrunner/runner/wecom"
	"github.com/wecomrunner/runner/wecom/batchfile"
)

// fuzzSeps are the separators FuzzCSVParse reads with; NUL is not a valid
// one and must be an error.
var fuzzSeps = []rune{',', ';', '\t', '|', ' ', '，', 0}

// FuzzCSVParse reads arbitrary bytes with csv.parse's options. Reading never
// panics and its errors name the input; what it reads, written with
// csv.format {raw = true} and read again, is the same rows (or, when a cell
// holds a NUL byte, an error saying so).
func FuzzCSVParse(f *testing.F) {
	f.Fuzz(func(t *testing.T, data []byte, header bool, sep uint8, gbk bool) {
		L := lua.NewState(lua.Options{SkipOpenLibs: true})
		defer L.Close()
		opts := readOptions{header: header, sep: fuzzSeps[int(sep)%len(fuzzSeps)], encoding: "utf-8"}
		if gbk {
			opts.encoding = "gbk"
		}
		rows, err := parseCSV(L, "in.csv", data, opts)
		if err != nil {
			if !strings.HasPrefix(err.Error(), "in.csv: ") {
				t.Errorf("error %q does not name the input", err)
			}
			return
		}
		out, err := formatCSV(rows, writeOptions{sep: opts.sep, raw: true})
		if err != nil && bytes.IndexByte(data, 0) >= 0 && strings.Contains(err.Error(), errNUL.Error()) {
			return
		}
		if err != nil {
			t.Fatalf("format(parse(%q)): %v", data, err)
		}
		again, err := parseCSV(L, "out.csv", out, readOptions{header: header, sep: opts.sep, encoding: "utf-8"})
		if err != nil {
			t.Fatalf("parse(%q) = %s; formatted %q, which does not parse: %v", data, dump(rows), out, err)
		}
		if !luaEqual(rows, again) {
			t.Fatalf("parse(%q) = %s; formatted %q, which parses as %s", data, dump(rows), out, dump(again))
		}
	})
}

// FuzzMemberFile gives csv.member_file and csv.department_file arbitrary
// JSON values as their lists. They never panic; a file they accept is CSV
// with WeCom's header and one row per member or department, in order.
func FuzzMemberFile(f *testing.F) {
	f.Fuzz(func(t *testing.T, data []byte) {
		L := lua.NewState(lua.Options{SkipOpenLibs: true})
		defer L.Close()
		v, err := luajson.Decode(L, data)
		if err != nil {
			return
		}
		list, ok := v.(*lua.LTable)
		if !ok {
			return
		}
		if out, err := memberCSV(L, list); err == nil {
			records := readFuzzCSV(t, out, list.Len())
			col := slices.Index(records[0], "帐号")
			for i, rec := range records[1:] {
				member := list.RawGetInt(i + 1).(*lua.LTable)
				if want, _ := cellString(member.RawGetString("userid")); col < 0 || rec[col] != want {
					t.Fatalf("row %d: 帐号 is not members[%d]'s userid %q:\n%s", i+1, i+1, want, out)
				}
			}
		} else if !namesEveryRow(err.Error(), "members") && !strings.HasPrefix(err.Error(), "no members") {
			t.Errorf("member_file error %q does not name each member", err)
		}
		if out, err := departmentCSV(list); err == nil {
			records := readFuzzCSV(t, out, list.Len())
			if want := batchfile.Template(batchfile.DepartmentColumns); !slices.Equal(records[0], want) {
				t.Fatalf("header %q, want %q", records[0], want)
			}
			for i, rec := range records[1:] {
				d := list.RawGetInt(i + 1).(*lua.LTable)
				if id, _ := toInt(d.RawGetString("id")); rec[1] != fmt.Sprint(id) {
					t.Fatalf("row %d: 部门ID %q, want %d:\n%s", i+1, rec[1], id, out)
				}
			}
		} else if !namesEveryRow(err.Error(), "departments") && !strings.HasPrefix(err.Error(), "no departments") {
			t.Errorf("department_file error %q does not name each department", err)
		}
	})
}

// namesEveryRow reports whether each problem of a batch file's error names
// its row: "what[3]: ...", alone or listed under a count.
func namesEveryRow(msg, what string) bool {
	problems := strings.Split(msg, "\n\t")
	if len(problems) > 1 {
		problems = problems[1:]
		if last := problems[len(problems)-1]; strings.HasPrefix(last, "... and ") {
			problems = problems[:len(problems)-1]
		}
	}
	for _, p := range problems {
		if !strings.HasPrefix(p, what+"[") {
			return false
		}
	}
	return true
}

// readFuzzCSV parses a batch file and checks that it has a header and n
// rows of the header's width.
func readFuzzCSV(t *testing.T, data []byte, n int) [][]string {
	t.Helper()
	records, err := csv.NewReader(bytes.NewReader(data)).ReadAll()
	if err != nil {
		t.Fatalf("the file does not parse: %v\n%s", err, data)
	}
	if len(records) != n+1 {
		t.Fatalf("%d records for %d rows and a header:\n%s", len(records), n, data)
	}
	return records
}

// fuzzMethods lists every "group.method" of the wecom module, sorted, then
// "fanout".
var fuzzMethods = sync.OnceValue(func() []string {
	var names []string
	for g, grp := range groups {
		for m := range grp {
			names = append(names, g+"."+m)
		}
	}
	slices.Sort(names)
	return append(names, "fanout")
})

// fuzzKeys are the table keys FuzzCallArgs builds arguments with: every
// parameter name, WeCom field names and oddities.
var fuzzKeys = sync.OnceValue(func() []string {
	keys := []string{"userid", "name", "department", "touser", "toparty", "agentid", "content", "media_id",
		"text", "articles", "button", "attrs", "extattr", "type", "value", "title", "url", "", "__index", "1"}
	for _, grp := range groups {
		for _, m := range grp {
			for _, p := range m.names() {
				if !slices.Contains(keys, p) {
					keys = append(keys, p)
				}
			}
		}
	}
	slices.Sort(keys)
	return keys
})

// fuzzWords are the strings FuzzCallArgs builds arguments with.
var fuzzWords = []string{"zhangsan", "lisi|wangwu", "1", "2;3", "-1", "1e400", "", "研发部", "members.csv",
	"../outside.csv", "/etc/passwd", "file", "image", "text", "markdown", "@all", "\x00", strings.Repeat("x", 300)}

// fuzzNumbers are the numbers FuzzCallArgs builds arguments with.
var fuzzNumbers = []float64{0, 1, -1, 0.5, 1000002, 1 << 31, 1 << 53, 1<<53 + 2, -1 << 63, 1e300, math.Inf(1), math.Inf(-1), math.NaN(), math.Copysign(0, -1)}

// fuzzArgs builds Lua values from program, one instruction a byte (some
// take the next byte as their operand), on a stack whose values are the
// arguments.
func fuzzArgs(L *lua.LState, program []byte) []lua.LValue {
	var stack []lua.LValue
	top := func() *lua.LTable {
		if len(stack) == 0 {
			return nil
		}
		t, _ := stack[len(stack)-1].(*lua.LTable)
		return t
	}
	pop := func() lua.LValue {
		v := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		return v
	}
	keys := fuzzKeys()
	for i := 0; i < len(program) && len(stack) < 64; i++ {
		op, arg := program[i], byte(0)
		if i+1 < len(program) {
			arg = program[i+1]
		}
		switch op % 12 {
		case 0:
			stack = append(stack, lua.LNil)
		case 1:
			stack = append(stack, lua.LBool(arg&1 == 1))
			i++
		case 2:
			stack = append(stack, lua.LNumber(int8(arg)))
			i++
		case 3:
			stack = append(stack, lua.LNumber(fuzzNumbers[int(arg)%len(fuzzNumbers)]))
			i++
		case 4: // a string of the next arg%32 bytes
			start := min(i+2, len(program))
			end := min(start+int(arg%32), len(program))
			stack = append(stack, lua.LString(program[start:end]))
			i = end - 1
		case 5:
			stack = append(stack, lua.LString(fuzzWords[int(arg)%len(fuzzWords)]))
			i++
		case 6:
			stack = append(stack, L.NewTable())
		case 7: // append the value to the table under it
			if len(stack) >= 2 {
				if t, ok := stack[len(stack)-2].(*lua.LTable); ok {
					t.Append(pop())
				}
			}
		case 8: // set the value as a field of the table under it
			if len(stack) >= 2 {
				if t, ok := stack[len(stack)-2].(*lua.LTable); ok {
					t.RawSetString(keys[int(arg)%len(keys)], pop())
				}
			}
			i++
		case 9: // a table that contains itself
			if t := top(); t != nil {
				t.RawSetString(keys[int(arg)%len(keys)], t)
			}
			i++
		case 10: // set the value at an integer key: sparse, negative, zero
			if len(stack) >= 2 {
				if t, ok := stack[len(stack)-2].(*lua.LTable); ok {
					t.RawSetInt(int(int8(arg)), pop())
				}
			}
			i++
		case 11:
			switch arg % 3 {
			case 0:
				stack = append(stack, L.GetField(L.GetGlobal("json"), "null"))
			case 1:
				stack = append(stack, L.NewFunction(func(L *lua.LState) int { return 0 }))
			case 2:
				stack = append(stack, L.NewUserData())
			}
			i++
		}
	}
	return stack
}

// FuzzCallArgs calls a method of the wecom module, picked by method, with
// the values program builds as positional arguments, or their first table
// as named arguments, against a server that answers every call with
// success. A call never panics: it succeeds or raises a Lua error. A call
// refused for a bad argument sends nothing.
func FuzzCallArgs(f *testing.F) {
	var (
		mu   sync.Mutex
		sent = map[string]int{} // requests by base path, gettoken excepted
		next atomic.Int64
	)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		base, api, _ := strings.Cut(strings.TrimPrefix(r.URL.Path, "/"), "/cgi-bin/")
		w.Header().Set("Content-Type", "application/json")
		if api == "gettoken" {
			fmt.Fprint(w, `{"errcode":0,"errmsg":"ok","access_token":"TOKEN","expires_in":7200}`)
			return
		}
		mu.Lock()
		sent[base]++
		mu.Unlock()
		fmt.Fprint(w, `{"errcode":0,"errmsg":"ok"}`)
	}))
	f.Cleanup(srv.Close)
	dir := f.TempDir()

	f.Fuzz(func(t *testing.T, method uint16, named bool, program []byte) {
		base := fmt.Sprint("call", next.Add(1))
		client := wecom.New("corp", "secret", wecom.WithBaseURL(srv.URL+"/"+base+"/cgi-bin/"),
			wecom.WithAgentID(1000002), wecom.WithRetries(1), wecom.WithTimeout(2*time.Second))
		L := lua.NewState()
		defer L.Close()
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		L.SetContext(ctx)
		Preload(L, &Env{Clients: map[string]*wecom.Client{"default": client}, Default: "default", Dirs: []string{dir}, Stdout: io.Discard})
		if err := L.DoString(`json, wecom = require("json"), require("wecom")`); err != nil {
			t.Fatal(err)
		}
		names := fuzzMethods()
		name := names[int(method)%len(names)]
		args := fuzzArgs(L, program)
		if named {
			for _, v := range args {
				if _, ok := v.(*lua.LTable); ok {
					args = []lua.LValue{v}
					break
				}
			}
		}
		wecomTable := L.GetGlobal("wecom")
		var fn lua.LValue
		if name == "fanout" {
			fn = L.GetField(wecomTable, "fanout")
			args = append([]lua.LValue{lua.LString(names[int(method/7)%(len(names)-1)])}, args...)
		} else {
			group, m, _ := strings.Cut(name, ".")
			fn = L.GetField(L.GetField(wecomTable, group), m)
		}
		L.Push(fn)
		for _, v := range args {
			L.Push(v)
		}
		err := L.PCall(len(args), lua.MultRet, nil)
		if err == nil {
			return
		}
		apiErr, ok := err.(*lua.ApiError)
		if !ok || apiErr.Type == lua.ApiErrorPanic {
			t.Fatalf("%s(%s) panicked: %v", name, dumpArgs(args), err)
		}
		mu.Lock()
		n := sent[base]
		mu.Unlock()
		if strings.Contains(err.Error(), "bad argument") && n > 0 {
			t.Fatalf("%s(%s) was refused (%v) after sending %d requests", name, dumpArgs(args), err, n)
		}
	})
}

func dumpArgs(args []lua.LValue) string {
	s := make([]string, len(args))
	for i, v := range args {
		s[i] = dump(v)
	}
	return strings.Join(s, ", ")
}
