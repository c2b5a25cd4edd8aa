package bindings

// Editor support: LuaLS definition files ("---@meta") for every module a
// script can require, generated from the same registry as the modules
// themselves, so that an editor completes wecom.user.get and shows what its
// parameters mean.

import (
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	lua "github.com/yuin/gopher-lua"
)

// stubLibrary is the folder, inside the directory given to WriteStubs, that
// holds the definition files.
const stubLibrary = "library"

// WriteStubs writes LuaLS definition files for every module into
// dir/library (wecom/init.lua, wecom/<group>.lua, json.lua, ...) and a
// dir/.luarc.json that sets Lua 5.1, the sandbox's standard libraries and
// that library. Run it in the folder the editor opens (the scripts' folder);
// existing files of the same names are replaced.
func WriteStubs(dir string) error {
	for name, content := range stubFiles() {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			return err
		}
	}
	return nil
}

// stubFiles returns the files WriteStubs writes, by slash-separated path
// relative to its directory.
func stubFiles() map[string]string {
	files := map[string]string{
		".luarc.json":                   luarc(),
		stubLibrary + "/os.lua":         osStub,
		stubLibrary + "/wecom/init.lua": rootStub(),
	}
	for name, g := range groups {
		files[stubLibrary+"/wecom/"+name+".lua"] = groupStub(name, g)
	}
	for name, newModule := range helpers {
		files[stubLibrary+"/"+name+".lua"] = helperStub(name, slices.Sorted(maps.Keys(newModule(&Env{}).exports())))
	}
	return files
}

// luarc is the LuaLS configuration: Lua 5.1 (gopher-lua's dialect), the
// sandbox's libraries only, and the stubs.
func luarc() string {
	cfg := map[string]any{
		"$schema": "https://raw.githubusercontent.com/LuaLS/vscode-lua/master/setting/schema.json",
		"runtime": map[string]any{
			"version": "Lua 5.1",
			// Scripts have no io and no debug library, and only a safe part
			// of os, which library/os.lua describes.
			"builtin": map[string]string{"io": "disable", "debug": "disable", "os": "disable"},
		},
		"workspace": map[string]any{
			"library":         []string{stubLibrary},
			"checkThirdParty": false,
		},
	}
	b, err := json.MarshalIndent(cfg, "", "  ")
	if err != nil {
		panic(err) // a literal of strings and maps always encodes
	}
	return string(b) + "\n"
}

// osStub describes the part of Lua's os library that scripts have.
const osStub = `---@meta

---The part of Lua's os library that scripts have: time, date and clock.
---There is no os.execute, os.exit, os.getenv (use require("env")) or file access.
os = {}

---The current time as seconds since the epoch, or the time a date table names.
---@param date? table {year=, month=, day=, hour=, min=, sec=}
---@return integer
function os.time(date) end

---Formats a time as strftime does; "*t" returns a table and a leading "!" uses UTC.
---@param format? string default "%c"
---@param time? integer seconds since the epoch, default now
---@return string|table
function os.date(format, time) end

---The CPU time used by the process, in seconds.
---@return number
function os.clock() end
`

// rootStub describes require("wecom"): the default client, wecom.client and
// fanout.
func rootStub() string {
	var w stubWriter
	w.line("---@meta wecom")
	w.line("")
	w.doc("A WeCom client: a field per API group, and fanout. require(\"wecom\") is the default client;\n" +
		"wecom.client(name) gives another client of the configuration. Every API function is called\n" +
		"positionally, with wechatpy's parameters in wechatpy's order, or with ONE table of named\n" +
		"arguments; an API failure raises {errcode = ..., errmsg = ..., api = ...}.")
	w.line("---@class wecom.Client")
	for _, name := range slices.Sorted(maps.Keys(groups)) {
		w.line("---@field %s wecom.%s %s", name, name, groupTitle(name))
	}
	w.line("local Client = {}")
	w.line("")
	w.doc("Runs one method for many independent items concurrently, within the client's rate limit,\n" +
		"and returns each item's outcome in order. Every item is checked before the first call.\n\n" +
		"```lua\n" +
		"local results, failed = wecom.fanout(\"message.send_text\", {\n" +
		"  {user_ids = \"zhangsan\", content = \"早上好，张三\"},\n" +
		"  {user_ids = \"lisi\", content = \"早上好，李四\"},\n" +
		"}, {concurrency = 16})\n" +
		"```")
	w.line("---@param method string the method, \"group.method\", e.g. \"message.send_text\"")
	w.line("---@param items table[] each item is the method's arguments: a table of named arguments, or an array of positional ones")
	w.line("---@param opts? {concurrency?: integer} concurrency: the calls in flight (default %d, at most %d)", defaultConcurrency, maxConcurrency)
	w.line("---@return {ok: boolean, result?: any, error?: any}[] results results[i] is {ok = true, result = ...} or {ok = false, error = e}, e as a direct call raises it")
	w.line("---@return integer failed the number of items that failed")
	w.line("function Client.fanout(method, items, opts) end")
	w.line("")
	w.line("---@class wecom: wecom.Client")
	w.line("wecom = {}") // a global as well as require("wecom")
	w.line("")
	w.doc("Returns the client name of the configuration (another application's secret), with the same\n" +
		"API groups and fanout. Raises if the configuration has no such client.")
	w.line("---@param name string the client's name in the configuration")
	w.line("---@return wecom.Client")
	w.line("function wecom.client(name) end")
	w.line("")
	w.line("return wecom")
	return w.String()
}

// groupStub describes require("wecom.<name>").
func groupStub(name string, g group) string {
	var w stubWriter
	w.line("---@meta wecom.%s", name)
	w.line("")
	title := groupTitle(name)
	if legacy[name] {
		title += ". WeCom no longer develops this group: a run that uses it logs a warning"
	}
	w.doc("wecom." + name + ": " + title + ".")
	w.line("---@class wecom.%s", name)
	w.line("local %s = {}", name)
	for _, mname := range slices.Sorted(maps.Keys(g)) {
		w.line("")
		w.method(name, mname, g[mname])
	}
	w.line("")
	w.line("return %s", name)
	return w.String()
}

// groupTitle is the title of the group name in the stubs.
func groupTitle(name string) string {
	if legacy[name] {
		return groupTitles[name] + " (legacy 企业号 API)"
	}
	return groupTitles[name]
}

// method describes one API function, with the types, defaults and meanings
// of its parameters.
func (w *stubWriter) method(group, name string, m *method) {
	doc := m.doc
	if len(m.params) > 0 {
		example := make([]string, len(m.params))
		for i, p := range m.params {
			example[i] = p.name + " = ..."
		}
		doc += fmt.Sprintf("\n\nPositional, or one table of named arguments: `wecom.%s.%s{%s}`.", group, name, strings.Join(example, ", "))
	}
	if m.kwargs != "" {
		doc += "\nOther named arguments go into the request body: " + m.kwargs + "."
	}
	if m.http != "" {
		doc += "\nWeCom API: `" + strings.ReplaceAll(m.http, ", ", "`, `") + "`."
	}
	w.doc(doc)
	if legacy[group] {
		w.line("---@deprecated")
	}
	fields := make([]string, 0, len(m.params)+1)
	for _, p := range m.params {
		opt, desc := "", p.doc
		switch {
		case p.agent:
			opt = "?"
			desc = joinDoc(desc, "default: the client's agent_id")
		case p.opt && p.def != nil:
			opt = "?"
			desc = joinDoc(desc, "default "+luaLiteral(p.def))
		case p.opt:
			opt = "?"
			desc = joinDoc(desc, "optional")
		}
		w.line("---@param %s%s %s %s", p.name, opt, p.typ, desc)
		fields = append(fields, p.name+opt+": "+p.typ)
	}
	result := m.result
	if result == "" {
		result = "table"
	}
	if strings.HasPrefix(result, "fun(") {
		w.line("---@return %s iterator for a generic for: each call returns the next element, nil after the last; an API error raises {errcode, errmsg, api}", result)
	} else {
		w.line("---@return %s result as wechatpy returns it; an API error raises {errcode, errmsg, api}", result)
	}
	if len(m.params) > 0 || m.kwargs != "" {
		if m.kwargs != "" {
			fields = append(fields, "[string]: any")
		}
		w.line("---@overload fun(args: {%s}): %s", strings.Join(fields, ", "), result)
	}
	w.line("function %s.%s(%s) end", group, name, strings.Join(m.names(), ", "))
}

// luaLiteral is v as Lua source.
func luaLiteral(v lua.LValue) string {
	if s, ok := v.(lua.LString); ok {
		return strconv.Quote(string(s))
	}
	return v.String()
}

func joinDoc(doc, note string) string {
	if doc == "" {
		return "(" + note + ")"
	}
	return doc + " (" + note + ")"
}

// luaParam is a parameter, a result or a field of a helper function.
type luaParam struct {
	name string // "opts?" when it may be left out; "" for an unnamed result
	typ  string // a LuaLS type: "string", "table?", "{indent?: boolean}"
	doc  string
}

// luaFunc documents one helper function.
type luaFunc struct {
	doc     string
	params  []luaParam
	returns []luaParam
}

// helperStub describes require(name) for a helper module with the functions
// funcs.
func helperStub(name string, funcs []string) string {
	var w stubWriter
	w.line("---@meta %s", name)
	w.line("")
	w.doc(helperTitles[name])
	w.line("---@class %s", name)
	for _, f := range helperFields[name] {
		w.line("---@field %s %s %s", f.name, f.typ, f.doc)
	}
	w.line("%s = {}", name) // a global as well as require(name)
	for _, fn := range funcs {
		w.line("")
		d, ok := helperFuncs[name+"."+fn]
		if !ok {
			w.line("---@param ... any")
			w.line("---@return any")
			w.line("function %s.%s(...) end", name, fn)
			continue
		}
		w.doc(d.doc)
		var params []string
		for _, p := range d.params {
			w.line("---@param %s %s %s", p.name, p.typ, p.doc)
			params = append(params, strings.TrimSuffix(p.name, "?"))
		}
		for _, r := range d.returns {
			w.line("---@return %s %s %s", r.typ, r.name, r.doc)
		}
		w.line("function %s.%s(%s) end", name, fn, strings.Join(params, ", "))
	}
	w.line("")
	w.line("return %s", name)
	return w.String()
}

// helperTitles say what each helper module is for.
var helperTitles = map[string]string{
	"args":    "The job's arguments (jobs.yaml args, --arg key=value), read-only: args.NAME is the argument NAME.\nArguments given on the command line are strings; args.number and args.bool convert them.",
	"csv":     "Reads and writes CSV files and strings (UTF-8 with or without BOM, or GBK on request), and builds\nWeCom's batch import files.",
	"env":     "Reads the environment variables the configuration allows.",
	"fs":      "Reads and writes files inside the run's allowed directories. A relative path is relative to the\nfirst allowed directory.",
	"history": "Reads the outcome of jobs' past runs, for reports.",
	"http":    "Reads other systems (an HR system's export) over HTTP. A status ≥ 400 is a response, not an error. Loopback, private and link-local addresses are reachable only when http_allow in jobs.yaml lists them.",
	"json":    "Converts between JSON text and Lua values. An integer beyond ±2^53 (a 64-bit id) decodes as a\nstring of its digits; an empty table encodes as [] unless it was decoded from {} or tagged with\njson.object.",
	"kv":      "Keeps small values between runs of a job (yesterday's headcount, a sync cursor), stored as JSON.",
	"log":     "Writes to the run's structured log.",
	"time":    "Reads the clock, formats and parses times, and sleeps. t is seconds since the epoch (nil: now);\ntz is a zone name such as \"Asia/Shanghai\" (the default), \"UTC\", or an offset such as \"+08:00\";\nlayout is strftime-like, \"%Y-%m-%d %H:%M:%S\" by default.",
}

// helperFields are the helper modules' values that are not functions.
var helperFields = map[string][]luaParam{
	"args": {{"[string]", "any", "the argument of that name, or nil"}},
	"json": {{"null", "userdata", "the value of JSON null; test a decoded value with v == json.null"}},
}

var (
	csvReadOpts  = luaParam{"opts?", "{header?: boolean, sep?: string, encoding?: string, string?: string}", `header (default true: rows keyed by the first record's names; false: arrays), sep (default ","), encoding ("utf-8" or "gbk")`}
	csvWriteOpts = luaParam{"opts?", "{header?: string[], sep?: string, bom?: boolean, crlf?: boolean, raw?: boolean}", "header: the column names, written first; bom: start with a UTF-8 byte order mark (for Excel); crlf: end lines with \\r\\n; raw: keep cells starting with = + - @ as they are (else they get a ' so that spreadsheets do not run them)"}
	csvRows      = luaParam{"rows", "table[]", "tables keyed by column name, or arrays of cells"}
	httpOpts     = "{headers?: table<string, string>, query?: table<string, any>, timeout?: number}"
	httpResponse = luaParam{"response", "{status: integer, headers: table<string, string>, body: string, json: any}", "header names are lower case; json is set when the body is JSON"}
	logFields    = luaParam{"fields?", "table<string, any>", "attributes of the record"}
	timeZone     = luaParam{"tz?", "string", `a zone name ("Asia/Shanghai", the default) or an offset ("+08:00")`}
)

// helperFuncs document the helper functions, by "module.function".
var helperFuncs = map[string]luaFunc{
	"args.all":    {doc: "A copy of every argument, to iterate.", returns: []luaParam{{"", "table<string, any>", ""}}},
	"args.bool":   {doc: `The argument name as a boolean; accepts booleans, 1/0 and "true"/"false"/"1"/"0".`, params: []luaParam{{"name", "string", ""}, {"default?", "boolean", ""}}, returns: []luaParam{{"", "boolean?", ""}}},
	"args.get":    {doc: "The argument name, or default when it is not given.", params: []luaParam{{"name", "string", ""}, {"default?", "any", ""}}, returns: []luaParam{{"", "any", ""}}},
	"args.number": {doc: "The argument name as a number; accepts numbers and numeric strings.", params: []luaParam{{"name", "string", ""}, {"default?", "number", ""}}, returns: []luaParam{{"", "number?", ""}}},

	"csv.department_file": {doc: "The batch/replaceparty CSV (部门名称,部门ID,父部门ID,排序) of departments {name, id, parentid, order}; every row is validated.", params: []luaParam{{"departments", "table[]", ""}}, returns: []luaParam{{"", "string", ""}}},
	"csv.format":          {doc: "Formats rows as CSV text.", params: []luaParam{csvRows, csvWriteOpts}, returns: []luaParam{{"", "string", ""}}},
	"csv.each":            {doc: "An iterator over the rows of a CSV file inside the allowed directories, one at a time, as csv.read reads them: for a large file whose rows need not all be held at once.", params: []luaParam{{"path", "string", ""}, csvReadOpts}, returns: []luaParam{{"", "fun(): table?", ""}}},
	"csv.member_file":     {doc: "The batch/syncuser and batch/replaceuser CSV of members with WeCom's field names (userid, name, department, mobile, ...); every row is validated. members is a table, or a function returning the next member (nil after the last), so that a large file is built without holding every member.", params: []luaParam{{"members", "table[]|fun(): table?", ""}}, returns: []luaParam{{"", "string", ""}}},
	"csv.parse":           {doc: "Parses CSV text.", params: []luaParam{{"s", "string", ""}, csvReadOpts}, returns: []luaParam{{"rows", "table[]", ""}}},
	"csv.read":            {doc: "Reads a CSV file inside the allowed directories (or, with path nil, opts.string).", params: []luaParam{{"path", "string?", ""}, csvReadOpts}, returns: []luaParam{{"rows", "table[]", ""}}},
	"csv.write":           {doc: "Writes rows to a CSV file inside the allowed directories.", params: []luaParam{{"path", "string", ""}, csvRows, csvWriteOpts}},

	"env.get": {doc: "The variable name, or nil when it is unset or empty. A variable outside the allow-list raises an error.", params: []luaParam{{"name", "string", ""}}, returns: []luaParam{{"", "string?", ""}}},

	"fs.exists": {doc: "Whether the file or directory exists.", params: []luaParam{{"path", "string", ""}}, returns: []luaParam{{"", "boolean", ""}}},
	"fs.list":   {doc: "The sorted names of the directory's entries.", params: []luaParam{{"dir", "string", ""}}, returns: []luaParam{{"", "string[]", ""}}},
	"fs.mkdir":  {doc: "Creates the directory and its parents.", params: []luaParam{{"path", "string", ""}}},
	"fs.read":   {doc: "The file's contents.", params: []luaParam{{"path", "string", ""}}, returns: []luaParam{{"", "string", ""}}},
	"fs.write":  {doc: "Creates or truncates the file and writes s.", params: []luaParam{{"path", "string", ""}, {"s", "string", ""}}},

	"history.last": {doc: "The last run of job, or nil when it never ran: result is ok, failed, timed_out, skipped or interrupted;\nstarted and finished are Unix times in seconds, duration is in seconds.", params: []luaParam{{"job", "string", "the job's name in jobs.yaml"}}, returns: []luaParam{{"", "{id: string, result: string, error?: string, started: number, finished?: number, duration?: number}?", ""}}},

	"http.get":  {doc: "Sends a GET request; it ends when the run is cancelled.", params: []luaParam{{"url", "string", ""}, {"opts?", httpOpts, "timeout in seconds (default 30)"}}, returns: []luaParam{httpResponse}},
	"http.post": {doc: "Sends a POST request: opts.json is encoded like json.encode, opts.body is sent as it is.", params: []luaParam{{"url", "string", ""}, {"opts?", "{json?: any, body?: string, headers?: table<string, string>, query?: table<string, any>, timeout?: number}", "timeout in seconds (default 30)"}}, returns: []luaParam{httpResponse}},

	"json.array":  {doc: "Tags t (or a new table) to encode as a JSON array.", params: []luaParam{{"t?", "table", ""}}, returns: []luaParam{{"", "table", ""}}},
	"json.decode": {doc: "Decodes JSON text; null becomes json.null.", params: []luaParam{{"s", "string", ""}}, returns: []luaParam{{"", "any", ""}}},
	"json.encode": {doc: "Encodes v as JSON; object keys are sorted.", params: []luaParam{{"v", "any", ""}, {"opts?", "{indent?: boolean}", "indent = true pretty-prints"}}, returns: []luaParam{{"", "string", ""}}},
	"json.object": {doc: "Tags t (or a new table) to encode as a JSON object.", params: []luaParam{{"t?", "table", ""}}, returns: []luaParam{{"", "table", ""}}},

	"kv.delete": {doc: "Forgets key.", params: []luaParam{{"key", "string", ""}}},
	"kv.get":    {doc: "The value kept under key, or default when there is none.", params: []luaParam{{"key", "string", ""}, {"default?", "any", ""}}, returns: []luaParam{{"", "any", ""}}},
	"kv.set":    {doc: "Keeps value (anything json.encode accepts) under key.", params: []luaParam{{"key", "string", ""}, {"value", "any", ""}}},

	"log.debug": {doc: "Logs msg at level DEBUG.", params: []luaParam{{"msg", "string", ""}, logFields}},
	"log.error": {doc: "Logs msg at level ERROR.", params: []luaParam{{"msg", "string", ""}, logFields}},
	"log.info":  {doc: "Logs msg at level INFO.", params: []luaParam{{"msg", "string", ""}, logFields}},
	"log.warn":  {doc: "Logs msg at level WARN.", params: []luaParam{{"msg", "string", ""}, logFields}},

	"time.date":   {doc: "The calendar fields of t; wday counts from Sunday = 1.", params: []luaParam{{"t?", "number", ""}, timeZone}, returns: []luaParam{{"", "{year: integer, month: integer, day: integer, hour: integer, min: integer, sec: integer, wday: integer, yday: integer}", ""}}},
	"time.format": {doc: "Formats t with layout.", params: []luaParam{{"t?", "number", ""}, {"layout?", "string", ""}, timeZone}, returns: []luaParam{{"", "string", ""}}},
	"time.now":    {doc: "Seconds since the Unix epoch, with a fraction.", returns: []luaParam{{"", "number", ""}}},
	"time.parse":  {doc: "Parses s with layout into seconds since the epoch; an offset in the text (%z) takes precedence over tz.", params: []luaParam{{"s", "string", ""}, {"layout?", "string", ""}, timeZone}, returns: []luaParam{{"", "number", ""}}},
	"time.sleep":  {doc: `Sleeps; raises "cancelled" when the run is cancelled.`, params: []luaParam{{"seconds", "number", ""}}},
	"time.unix":   {doc: "Whole seconds since the Unix epoch.", returns: []luaParam{{"", "integer", ""}}},
}

// stubWriter builds one definition file.
type stubWriter struct{ strings.Builder }

func (w *stubWriter) line(format string, v ...any) {
	if len(v) > 0 {
		format = fmt.Sprintf(format, v...)
	}
	w.WriteString(strings.TrimRight(format, " "))
	w.WriteByte('\n')
}

// doc writes text as a LuaLS description, line by line.
func (w *stubWriter) doc(text string) {
	if text == "" {
		return
	}
	for l := range strings.SplitSeq(text, "\n") {
		w.WriteString(strings.TrimRight("---"+l, " "))
		w.WriteByte('\n')
	}
}
