package bindings

// Module csv reads and writes CSV files and strings, and builds WeCom's
// batch import files:
//
//	csv.read(path [, opts]) -> rows             path inside the allowed directories
//	csv.each(path [, opts]) -> iterator         the rows of csv.read, one at a time
//	csv.read(nil, {string=s, ...}) -> rows      same as csv.parse(s, opts)
//	csv.parse(s [, opts]) -> rows
//	csv.write(path, rows [, opts])
//	csv.format(rows [, opts]) -> string
//	csv.member_file(members) -> string          batch/syncuser and batch/replaceuser CSV; members is a table or an iterator
//	csv.department_file(departments) -> string  batch/replaceparty CSV
//
// Reading options: header (default true: the first record names the
// columns and each row is a table keyed by them; false: each row is an
// array), sep (default ","; one character, "\t" for tab-separated files),
// encoding ("utf-8", the default, or "gbk", which reads GBK and GB18030).
// Cells are strings. A UTF-8 byte order mark is skipped. Text that is not
// UTF-8 is an error naming the file and line (and suggesting
// {encoding="gbk"} when it decodes as GBK); it is never silently garbled.
//
// Writing options: header (the column names, written first; rows that are
// tables keyed by name are written in that order), sep, bom (true: start
// with a UTF-8 byte order mark, which Excel needs to recognise UTF-8), crlf
// (true: end lines with \r\n). Without header, rows keyed by name are
// written under the sorted union of their keys; rows that are arrays are
// written as they are. Cells may be strings, numbers (integral ones without
// a decimal point), booleans or nil (empty). What is written reads back as
// the same rows: a row of one empty cell is written "" rather than as a
// blank line, and a first cell that starts with U+FEFF gets a byte order
// mark before it.
//
// Written files are opened in spreadsheets, which run a cell that starts
// with =, +, -, @, a tab or a carriage return as a formula (CSV injection:
// a member named =HYPERLINK(...) in an export). Such cells, header included,
// are written with a ' before them, as OWASP recommends; a cell that is
// only a number (-5, +1.5e3) is left as it is. The option raw = true
// writes every cell unchanged, for files read by programs. A NUL byte in a
// cell is an error naming the row and column, whatever raw says.
// member_file and department_file never prefix: WeCom's importer reads
// them, and their cells are checked field by field (a mobile such as
// +86 13800000000 must stay as it is).
//
// member_file takes member tables with WeCom's field names (userid, name,
// department, mobile, email, position, gender, is_leader_in_dept, order,
// alias, address, telephone, enable, extattr) and writes the columns of
// WeCom's template (姓名,帐号,手机号,邮箱,所在部门,职位,性别,是否部门内领导,排序,
// 别名,地址,座机,禁用), keeping only the columns some member sets, since
// batch/syncuser leaves a column absent from the file untouched. Lists
// (department, order, is_leader_in_dept) are joined with ";"; gender 1/2 is
// written 男/女; enable 0 is written 禁用 1. Text attributes of extattr
// become extra columns named after the attribute. Fields WeCom returns but
// the file has no column for (avatar, status, main_department, ...) are
// ignored; any other field is an error. department_file takes departments
// (name, id, parentid or parent_id, order) and writes 部门名称,部门ID,父部门ID,排序.
// Both validate every row (required fields, formats, duplicate userids,
// mobiles, emails or department ids, unknown parents) and raise an error
// naming each bad row (the first 50, and how many more) and its field.

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	lua "github.com/yuin/gopher-lua"
	"golang.org/x/text/encoding/simplifiedchinese"

	"github.com/wecomrunner/runner/bindings/luajson"
	"github.com/wecomrunner/runner/wecom/batchfile"
)

type csvModule struct {
	area *area
}

func newCSVModule(env *Env) module {
	return &csvModule{area: newArea(env)}
}

func (m *csvModule) exports() map[string]lua.LGFunction {
	return map[string]lua.LGFunction{
		"department_file": m.departmentFile,
		"each":            m.each,
		"format":          m.format,
		"member_file":     m.memberFile,
		"parse":           m.parse,
		"read":            m.read,
		"write":           m.write,
	}
}

// readOptions are the options of csv.read and csv.parse.
type readOptions struct {
	header   bool
	sep      rune
	encoding string // "utf-8" or "gbk"
	text     *string
}

// eachOption calls f with each option of the optional options table at
// argument n; an option f does not know (it returns false) is an argument
// error.
func eachOption(L *lua.LState, n int, f func(name string, v lua.LValue) bool) {
	t := L.OptTable(n, nil)
	if t == nil {
		return
	}
	t.ForEach(func(k, v lua.LValue) {
		if !f(k.String(), v) {
			L.ArgError(n, fmt.Sprintf("unknown option %q", k.String()))
		}
	})
}

// checkReadOptions reads the options table at argument n; the option string
// is csv.read's only.
func checkReadOptions(L *lua.LState, n int, withString bool) readOptions {
	o := readOptions{header: true, sep: ',', encoding: "utf-8"}
	eachOption(L, n, func(name string, v lua.LValue) bool {
		switch name {
		case "header":
			b, ok := v.(lua.LBool)
			if !ok {
				L.ArgError(n, "header must be true or false")
			}
			o.header = bool(b)
		case "sep":
			o.sep = checkSep(L, n, v)
		case "encoding":
			switch strings.ToLower(v.String()) {
			case "utf-8", "utf8":
				o.encoding = "utf-8"
			case "gbk", "gb18030", "gb2312":
				o.encoding = "gbk"
			default:
				L.ArgError(n, fmt.Sprintf("unknown encoding %q (want \"utf-8\" or \"gbk\")", v.String()))
			}
		case "string":
			s, ok := v.(lua.LString)
			if !withString || !ok {
				L.ArgError(n, "string must be a string, and only read takes it")
			}
			text := string(s)
			o.text = &text
		default:
			return false
		}
		return true
	})
	return o
}

func checkSep(L *lua.LState, n int, v lua.LValue) rune {
	s, ok := v.(lua.LString)
	r, size := utf8.DecodeRuneInString(string(s))
	if !ok || size != len(s) || r == utf8.RuneError || r == '"' || r == '\r' || r == '\n' {
		L.ArgError(n, "sep must be one character")
	}
	return r
}

func (m *csvModule) read(L *lua.LState) int {
	var path string
	if L.Get(1) != lua.LNil {
		path = L.CheckString(1)
	}
	opts := checkReadOptions(L, 2, true)
	var (
		name = "string"
		data []byte
	)
	switch {
	case path != "" && opts.text != nil:
		L.ArgError(1, "want a path or {string=...}, not both")
	case path != "":
		t, err := m.area.locate(path, false)
		if err != nil {
			L.ArgError(1, err.Error())
		}
		if data, err = readCSVFile(t); err != nil {
			L.RaiseError("csv.read: %v", err)
		}
		name = path
	case opts.text != nil:
		data = []byte(*opts.text)
	default:
		L.ArgError(1, "want a path, or nil and {string=...}")
	}
	rows, err := parseCSV(L, name, data, opts)
	if err != nil {
		L.RaiseError("csv.read: %v", err)
	}
	L.Push(rows)
	return 1
}

// each is csv.each(path [, opts]): an iterator over the rows of the file,
// one at a time, as csv.read reads them, for a loop over a large file that
// need not hold every row: for row in csv.each("hr_members.csv") do ... end.
func (m *csvModule) each(L *lua.LState) int {
	path := L.CheckString(1)
	opts := checkReadOptions(L, 2, false)
	t, err := m.area.locate(path, false)
	if err != nil {
		L.ArgError(1, err.Error())
	}
	data, err := readCSVFile(t)
	if err != nil {
		L.RaiseError("csv.each: %v", err)
	}
	rr, err := newRowReader(L, path, data, opts, true)
	if err != nil {
		L.RaiseError("csv.each: %v", err)
	}
	L.Push(L.NewFunction(func(L *lua.LState) int {
		row, err := rr.next()
		if err != nil {
			L.RaiseError("csv.each: %v", err)
		}
		if row == nil {
			L.Push(lua.LNil)
			return 1
		}
		L.Push(row)
		return 1
	}))
	return 1
}

func (m *csvModule) parse(L *lua.LState) int {
	s := L.CheckString(1)
	opts := checkReadOptions(L, 2, false)
	rows, err := parseCSV(L, "string", []byte(s), opts)
	if err != nil {
		L.RaiseError("csv.parse: %v", err)
	}
	L.Push(rows)
	return 1
}

// parseCSV parses data (named name in errors) into a table of rows.
func parseCSV(L *lua.LState, name string, data []byte, opts readOptions) (*lua.LTable, error) {
	rr, err := newRowReader(L, name, data, opts, false)
	if err != nil {
		return nil, err
	}
	var rows []lua.LValue
	for {
		row, err := rr.next()
		if err != nil {
			return nil, err
		}
		if row == nil {
			break
		}
		rows = append(rows, row)
	}
	if len(rows) == 0 {
		return luajson.NewArray(L, 0), nil
	}
	return rr.d.Array(rows), nil
}

// rowReader reads the rows of a CSV text one at a time, as Lua tables
// built by the JSON decoder's machinery (the rows share their keys and are
// carved from blocks).
type rowReader struct {
	r      *csv.Reader
	name   string
	header []lua.LValue // the column names, nil when rows are arrays
	d      *luajson.Decoder
	vals   []lua.LValue
}

// newRowReader starts reading data, named name in errors, and reads its
// header. apart gives each row memory of its own (csv.each), so that a row
// a script keeps keeps only itself.
func newRowReader(L *lua.LState, name string, data []byte, opts readOptions, apart bool) (*rowReader, error) {
	text, err := decodeText(data, opts.encoding)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	rr := &rowReader{r: csv.NewReader(strings.NewReader(text)), name: name, d: luajson.NewDecoder(L, nil)}
	if apart {
		rr.d.KeepApart()
	}
	rr.r.Comma = opts.sep
	rr.r.FieldsPerRecord = -1
	if !opts.header {
		return rr, nil
	}
	header, err := rr.r.Read()
	if err == io.EOF {
		return rr, nil
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if err := checkHeader(header); err != nil {
		return nil, fmt.Errorf("%s: header: %w", name, err)
	}
	rr.r.FieldsPerRecord = len(header)
	rr.header = make([]lua.LValue, len(header))
	for i, h := range header {
		rr.header[i] = lua.LString(h)
	}
	return rr, nil
}

// next returns the next row, or nil after the last.
func (rr *rowReader) next() (*lua.LTable, error) {
	rec, err := rr.r.Read()
	if err == io.EOF {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %w", rr.name, err)
	}
	rr.d.Cut()
	rr.vals = rr.vals[:0]
	for _, cell := range rec {
		rr.vals = append(rr.vals, rr.d.Box(cell))
	}
	if rr.header == nil {
		return rr.d.Array(rr.vals), nil
	}
	return rr.d.Object(rr.header, rr.vals), nil
}

// Bounds of a file csv.read reads: its size, and the length of a line, so
// that a file of one endless line fails at once instead of filling the
// memory.
const (
	maxCSVFile = MaxString
	maxCSVLine = 1 << 20
)

// readCSVFile reads the file t, failing with the file, line and limit when
// the file or one of its lines is longer than the bounds.
func readCSVFile(t *target) ([]byte, error) {
	return t.readBounded(maxCSVFile, "a CSV file", func(f io.Reader, size int64) ([]byte, error) {
		data := make([]byte, 0, size)
		r := bufio.NewReader(f)
		for line, n := 1, 0; ; {
			chunk, err := r.ReadSlice('\n')
			data = append(data, chunk...)
			if n += len(chunk); n > maxCSVLine {
				return nil, fmt.Errorf("%s:%d: a line longer than %d bytes, the limit of a CSV line", t.name, line, maxCSVLine)
			}
			switch {
			case err == bufio.ErrBufferFull:
				continue
			case err == io.EOF:
				return data, nil
			case err != nil:
				return nil, err
			}
			line, n = line+1, 0
		}
	})
}

// checkHeader trims the column names of header and refuses empty and
// repeated ones.
func checkHeader(header []string) error {
	seen := make(map[string]int, len(header))
	for i, h := range header {
		h = strings.TrimSpace(h)
		header[i] = h
		if h == "" {
			return fmt.Errorf("column %d has no name", i+1)
		}
		if j, dup := seen[h]; dup {
			return fmt.Errorf("columns %d and %d are both named %q", j+1, i+1, h)
		}
		seen[h] = i
	}
	return nil
}

// decodeText returns data as UTF-8 text without a byte order mark. With
// encoding "utf-8", text that is not UTF-8 is an error naming its first bad
// line; with "gbk", data is decoded from GB18030 (a superset of GBK and
// GB2312), and bytes that are not GB18030 are an error.
func decodeText(data []byte, encoding string) (string, error) {
	data = bytes.TrimPrefix(data, []byte("\xEF\xBB\xBF"))
	if encoding == "gbk" {
		if utf8.Valid(data) && !isASCII(data) {
			return "", errors.New(`text is UTF-8, not GBK; drop {encoding="gbk"}`)
		}
		out, err := simplifiedchinese.GB18030.NewDecoder().Bytes(data)
		if err != nil {
			return "", fmt.Errorf("not GBK: %w", err)
		}
		if i := bytes.IndexRune(out, utf8.RuneError); i >= 0 {
			return "", fmt.Errorf("line %d: not GBK (invalid byte sequence)", 1+bytes.Count(out[:i], []byte("\n")))
		}
		return string(out), nil
	}
	if utf8.Valid(data) {
		return string(data), nil
	}
	line := 1 + bytes.Count(data[:invalidUTF8(data)], []byte("\n"))
	if out, err := simplifiedchinese.GB18030.NewDecoder().Bytes(data); err == nil && !bytes.ContainsRune(out, utf8.RuneError) {
		return "", fmt.Errorf(`line %d: not UTF-8 (looks like GBK); pass {encoding="gbk"}`, line)
	}
	return "", fmt.Errorf("line %d: not UTF-8", line)
}

// invalidUTF8 returns the offset of the first byte of data that is not
// part of valid UTF-8.
func invalidUTF8(data []byte) int {
	for i := 0; i < len(data); {
		r, size := utf8.DecodeRune(data[i:])
		if r == utf8.RuneError && size == 1 {
			return i
		}
		i += size
	}
	return len(data)
}

func isASCII(data []byte) bool {
	for _, c := range data {
		if c >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// writeOptions are the options of csv.write and csv.format.
type writeOptions struct {
	header []string
	sep    rune
	bom    bool
	crlf   bool
	raw    bool // cells that a spreadsheet runs as formulas are written unchanged
}

func checkWriteOptions(L *lua.LState, n int) writeOptions {
	o := writeOptions{sep: ','}
	eachOption(L, n, func(name string, v lua.LValue) bool {
		switch name {
		case "header":
			list, ok := v.(*lua.LTable)
			if !ok {
				L.ArgError(n, "header must be a list of column names")
			}
			for i := 1; i <= list.Len(); i++ {
				s, ok := list.RawGetInt(i).(lua.LString)
				if !ok {
					L.ArgError(n, fmt.Sprintf("header[%d] must be a string", i))
				}
				o.header = append(o.header, string(s))
			}
		case "sep":
			o.sep = checkSep(L, n, v)
		case "bom":
			o.bom = lua.LVAsBool(v)
		case "crlf":
			o.crlf = lua.LVAsBool(v)
		case "raw":
			o.raw = lua.LVAsBool(v)
		default:
			return false
		}
		return true
	})
	return o
}

func (m *csvModule) write(L *lua.LState) int {
	path := L.CheckString(1)
	rows := L.CheckTable(2)
	opts := checkWriteOptions(L, 3)
	t, err := m.area.locate(path, true)
	if err != nil {
		L.ArgError(1, err.Error())
	}
	data, err := formatCSV(rows, opts)
	if err != nil {
		L.RaiseError("csv.write: %v", err)
	}
	if err := t.writeFile(data); err != nil {
		L.RaiseError("csv.write: %v", err)
	}
	return 0
}

func (m *csvModule) format(L *lua.LState) int {
	rows := L.CheckTable(1)
	opts := checkWriteOptions(L, 2)
	data, err := formatCSV(rows, opts)
	if err != nil {
		L.RaiseError("csv.format: %v", err)
	}
	L.Push(lua.LString(data))
	return 1
}

// formatCSV writes rows as CSV.
func formatCSV(rows *lua.LTable, opts writeOptions) ([]byte, error) {
	var list []*lua.LTable
	bad := &badRows{what: "rows"}
	for i := 1; i <= rows.Len(); i++ {
		row, ok := rows.RawGetInt(i).(*lua.LTable)
		if !ok {
			bad.add("rows[%d] is a %s, not a table", i, rows.RawGetInt(i).Type())
		}
		list = append(list, row)
	}
	if err := bad.err(rows.Len()); err != nil {
		return nil, err
	}
	header := opts.header
	if header == nil {
		header = keysOf(list)
	}
	var buf bytes.Buffer
	if opts.bom {
		buf.WriteString("\xEF\xBB\xBF")
	}
	w := csv.NewWriter(&buf)
	w.Comma = opts.sep
	w.UseCRLF = opts.crlf
	write := func(rec []string) error {
		if !opts.raw {
			for i, cell := range rec {
				rec[i] = neutralize(cell)
			}
		}
		if len(rec) != 1 || rec[0] != "" {
			return w.Write(rec)
		}
		// csv.Writer writes a lone empty cell as an empty line, which
		// readers skip: the row would be lost.
		w.Flush()
		buf.WriteString(`""`)
		if opts.crlf {
			buf.WriteByte('\r')
		}
		buf.WriteByte('\n')
		return w.Error()
	}
	if header != nil {
		for i, name := range header {
			if strings.IndexByte(name, 0) >= 0 {
				return nil, fmt.Errorf("header[%d]: %w", i+1, errNUL)
			}
		}
		if err := write(slices.Clone(header)); err != nil {
			return nil, err
		}
	}
	for i, row := range list {
		rec, err := record(row, header)
		if err != nil {
			bad.add("rows[%d]: %v", i+1, err)
			continue
		}
		if err := write(rec); err != nil {
			return nil, err
		}
	}
	if err := bad.err(len(list)); err != nil {
		return nil, err
	}
	w.Flush()
	out := buf.Bytes()
	if !opts.bom && bytes.HasPrefix(out, []byte(utf8BOM)) {
		// The first cell starts with U+FEFF: readers drop a leading byte
		// order mark, so it gets one of its own.
		out = append([]byte(utf8BOM), out...)
	}
	return out, w.Error()
}

// neutralize returns cell with a ' before it when a spreadsheet would run
// it as a formula: it starts with =, +, -, @, a tab or a carriage return and
// is not just a number.
func neutralize(cell string) string {
	if cell == "" || !strings.ContainsRune("=+-@\t\r", rune(cell[0])) || plainNumber.MatchString(cell) {
		return cell
	}
	return "'" + cell
}

// plainNumber is a decimal number, which a spreadsheet reads as a number.
var plainNumber = regexp.MustCompile(`^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$`)

// errNUL is the error of a cell that holds a NUL byte: CSV cannot carry one
// (readers stop at it or drop it).
var errNUL = errors.New("a NUL byte cannot be written in a CSV cell")

// maxBadRows bounds the problems an error lists; it counts the others.
const maxBadRows = 50

// badRows collects the problems of the rows of a file, one per row, so that
// a file is refused with every row to fix instead of the first.
type badRows struct {
	what  string   // "members": what the rows are
	list  []string // the first maxBadRows problems
	count int
}

func (b *badRows) add(format string, args ...any) {
	if b.count++; len(b.list) < maxBadRows {
		b.list = append(b.list, fmt.Sprintf(format, args...))
	}
}

// err is nil without problems; the problem itself when there is one; else
// the count and a list, one problem a line.
func (b *badRows) err(total int) error {
	switch b.count {
	case 0:
		return nil
	case 1:
		return errors.New(b.list[0])
	}
	msg := fmt.Sprintf("%d of the %d %s are wrong:\n\t%s", b.count, total, b.what, strings.Join(b.list, "\n\t"))
	if more := b.count - len(b.list); more > 0 {
		msg += fmt.Sprintf("\n\t... and %d more", more)
	}
	return errors.New(msg)
}

// utf8BOM is the UTF-8 byte order mark.
const utf8BOM = "\xEF\xBB\xBF"

// keysOf returns the sorted union of the string keys of rows, or nil when
// the rows are arrays.
func keysOf(rows []*lua.LTable) []string {
	seen := map[string]bool{}
	var keys []string
	for _, row := range rows {
		row.ForEach(func(k, _ lua.LValue) {
			if s, ok := k.(lua.LString); ok && !seen[string(s)] {
				seen[string(s)] = true
				keys = append(keys, string(s))
			}
		})
	}
	slices.Sort(keys)
	return keys
}

// record returns the cells of row: its array elements, or its values under
// the header's names.
func record(row *lua.LTable, header []string) ([]string, error) {
	var rec []string
	if n := row.Len(); n > 0 {
		if header != nil && n != len(header) {
			return nil, fmt.Errorf("%d cells for %d columns", n, len(header))
		}
		for i := 1; i <= n; i++ {
			s, err := cellString(row.RawGetInt(i))
			if err != nil {
				return nil, fmt.Errorf("cell %d: %w", i, err)
			}
			rec = append(rec, s)
		}
		return rec, nil
	}
	var unknown lua.LValue
	row.ForEach(func(k, _ lua.LValue) {
		if s, ok := k.(lua.LString); (!ok || !slices.Contains(header, string(s))) && unknown == nil {
			unknown = k
		}
	})
	if unknown != nil {
		return nil, fmt.Errorf("%s is not a column of the header", unknown)
	}
	for _, name := range header {
		s, err := cellString(row.RawGetString(name))
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		rec = append(rec, s)
	}
	return rec, nil
}

// cellString is the text of a cell: strings as they are, integral numbers
// without a decimal point, booleans as true/false, nil and json.null empty.
func cellString(v lua.LValue) (string, error) {
	switch v := v.(type) {
	case *lua.LNilType:
		return "", nil
	case lua.LString:
		if strings.IndexByte(string(v), 0) >= 0 {
			return "", errNUL
		}
		return string(v), nil
	case lua.LNumber:
		b, err := luajson.AppendNumber(nil, float64(v))
		return string(b), err
	case lua.LBool:
		return strconv.FormatBool(bool(v)), nil
	}
	if luajson.IsNull(v) {
		return "", nil
	}
	return "", fmt.Errorf("a %s cannot be a cell", v.Type())
}

func (m *csvModule) memberFile(L *lua.LState) int {
	members := L.Get(1)
	if members.Type() != lua.LTTable && members.Type() != lua.LTFunction {
		L.ArgError(1, "table or function expected, got "+members.Type().String())
	}
	data, err := memberCSV(L, members)
	if err != nil {
		L.RaiseError("csv.member_file: %v", err)
	}
	L.Push(lua.LString(data))
	return 1
}

func (m *csvModule) departmentFile(L *lua.LState) int {
	departments := L.CheckTable(1)
	data, err := departmentCSV(departments)
	if err != nil {
		L.RaiseError("csv.department_file: %v", err)
	}
	L.Push(lua.LString(data))
	return 1
}

// ignoredMemberFields are fields of WeCom's member object that the batch
// file has no column for; member_file accepts and drops them, and the
// fields whose column WeCom's template lacks (batchfile's Extra columns),
// so that members read from user.list can be written back.
var ignoredMemberFields = []string{
	"avatar", "avatar_mediaid", "english_name",
	"external_profile", "hide_mobile", "isleader",
	"main_department", "nickname", "open_userid", "qr_code", "status",
	"thumb_avatar", "to_invite", "weixinid",
}

// memberCSV validates members and writes them as WeCom's batch member CSV.
// members is a table of them, or a function that returns the next one and
// nil after the last: a file of 100,000 members is then built without the
// script holding them all. A member's cells are kept as a slice aligned
// with the columns seen so far, not as a map.
func memberCSV(L *lua.LState, members lua.LValue) ([]byte, error) {
	next := memberSource(L, members)
	var (
		file    = batchfile.NewMembers()
		userids = map[string]int{}
		mobiles = map[string]int{}
		emails  = map[string]int{}
	)
	bad := &badRows{what: "members"}
	n := 0
	for v, ok := next(); ok; v, ok = next() {
		n++
		i := n
		t, ok := v.(*lua.LTable)
		if !ok {
			bad.add("members[%d] is a %s, not a table", i, v.Type())
			continue
		}
		cells, attrs, err := memberCells(t)
		where := fmt.Sprintf("members[%d]", i)
		if id, ok := t.RawGetString("userid").(lua.LString); ok {
			where += fmt.Sprintf(" (userid %q)", string(id))
		}
		if err != nil {
			bad.add("%s: %v", where, err)
			continue
		}
		repeats := false
		for _, u := range []struct {
			field string
			seen  map[string]int
		}{{"userid", userids}, {"mobile", mobiles}, {"email", emails}} {
			cell := cells[columnOf(u.field)]
			v := strings.ToLower(cell) // WeCom compares userids without case
			if v == "" {
				continue
			}
			if j, dup := u.seen[v]; dup && !repeats {
				bad.add("%s: %s %q repeats members[%d]", where, u.field, cell, j)
				repeats = true
			} else if !dup {
				u.seen[v] = i
			}
		}
		if repeats {
			continue
		}
		if err := file.Add(cells, attrs); err != nil {
			bad.add("%s: %v", where, err)
		}
	}
	if n == 0 {
		return nil, errors.New("no members (the file would be empty)")
	}
	if err := bad.err(n); err != nil {
		return nil, err
	}
	return file.Bytes()
}

// memberSource returns the function that gives the members of
// csv.member_file one at a time, with false after the last: the elements of
// a table, or the values of an iterator function until it returns nil.
func memberSource(L *lua.LState, members lua.LValue) func() (lua.LValue, bool) {
	if t, ok := members.(*lua.LTable); ok {
		i, n := 0, t.Len()
		return func() (lua.LValue, bool) {
			if i >= n {
				return lua.LNil, false
			}
			i++
			return t.RawGetInt(i), true
		}
	}
	fn := members.(*lua.LFunction)
	return func() (lua.LValue, bool) {
		L.Push(fn)
		L.Call(0, 1)
		v := L.Get(-1)
		L.Pop(1)
		return v, v != lua.LNil
	}
}

// memberCells validates one member and returns its cells by column header,
// and the names of its extattr columns in order.
func memberCells(t *lua.LTable) (cells map[string]string, attrs []string, err error) {
	cells = map[string]string{}
	t.ForEach(func(k, v lua.LValue) {
		if err != nil {
			return
		}
		key, ok := k.(lua.LString)
		if !ok {
			err = fmt.Errorf("key %s is not a field name", k)
			return
		}
		field := string(key)
		if slices.Contains(ignoredMemberFields, field) {
			return
		}
		if field == "extattr" {
			attrs, err = extattrCells(v, cells)
			return
		}
		c, ok := batchfile.ByField(batchfile.MemberColumns, field)
		if !ok {
			err = fmt.Errorf("unknown field %q", field)
			return
		}
		if c.Extra {
			return // a column WeCom reads but its template lacks
		}
		var s string
		if s, err = memberCell(field, v); err != nil {
			err = fmt.Errorf("%s: %w", field, err)
			return
		}
		cells[c.Header] = s
	})
	if err != nil {
		return nil, nil, err
	}
	for _, field := range []string{"userid", "name", "department"} {
		if cells[columnOf(field)] == "" {
			return nil, nil, fmt.Errorf("%s is required", field)
		}
	}
	if cells[columnOf("mobile")] == "" && cells[columnOf("email")] == "" {
		return nil, nil, errors.New("mobile or email is required")
	}
	departments := strings.Count(cells[columnOf("department")], batchfile.Sep) + 1
	for _, field := range []string{"order", "is_leader_in_dept"} {
		if c := cells[columnOf(field)]; c != "" && strings.Count(c, batchfile.Sep)+1 != departments {
			return nil, nil, fmt.Errorf("%s has %d values for %d departments", field, strings.Count(c, batchfile.Sep)+1, departments)
		}
	}
	return cells, attrs, nil
}

// columnOf is the header of the member file's column for field.
func columnOf(field string) string {
	c, _ := batchfile.ByField(batchfile.MemberColumns, field)
	return c.Header
}

// memberCell validates the value of one member field and returns its cell.
func memberCell(field string, v lua.LValue) (string, error) {
	switch field {
	case "department":
		ids, err := idList(v)
		if err != nil {
			return "", err
		}
		if len(ids) > 100 {
			return "", fmt.Errorf("%d departments (at most 100)", len(ids))
		}
		return batchfile.JoinInts(ids), nil
	case "order", "is_leader_in_dept":
		vals, err := intList(v)
		if err != nil {
			return "", err
		}
		for _, x := range vals {
			if field == "is_leader_in_dept" && x != 0 && x != 1 || x < 0 || x >= 1<<32 {
				return "", fmt.Errorf("%d is out of range", x)
			}
		}
		return batchfile.JoinInts(vals), nil
	case "gender":
		s, err := cellString(v)
		if err != nil {
			return "", err
		}
		if cell, ok := batchfile.FormatGender(s); ok {
			return cell, nil
		}
		return "", fmt.Errorf("%q is not 1 (male), 2 (female) or 0", s)
	case "enable":
		switch v {
		case lua.LNumber(1), lua.LTrue, lua.LString("1"):
			return batchfile.FormatDisabled(true), nil
		case lua.LNumber(0), lua.LFalse, lua.LString("0"):
			return batchfile.FormatDisabled(false), nil
		}
		return "", fmt.Errorf("%s is not 1 (enabled) or 0 (disabled)", v)
	}
	s, err := cellString(v)
	if err != nil {
		return "", err
	}
	if i := strings.IndexFunc(s, func(r rune) bool { return r < 0x20 || r == 0x7f }); i >= 0 {
		return "", fmt.Errorf("%q contains a control character", s)
	}
	chars := utf8.RuneCountInString(s)
	switch field {
	case "userid":
		return s, checkUserID(s)
	case "name":
		if chars < 1 || chars > 64 {
			return "", fmt.Errorf("%q must have 1 to 64 characters", s)
		}
	case "alias":
		if chars > 64 {
			return "", fmt.Errorf("%q has more than 64 characters", s)
		}
	case "position", "address":
		if chars > 128 {
			return "", fmt.Errorf("%q has more than 128 characters", s)
		}
	case "email":
		if s != "" && !strings.Contains(s, "@") {
			return "", fmt.Errorf("%q is not an email address", s)
		}
	case "telephone":
		if len(s) > 32 || strings.Trim(s, "0123456789-+,") != "" {
			return "", fmt.Errorf("%q is not a phone number (digits, -, + and , up to 32)", s)
		}
	case "mobile":
		if strings.Trim(s, "0123456789+- ") != "" {
			return "", fmt.Errorf("%q is not a mobile number", s)
		}
	}
	return s, nil
}

// checkUserID checks WeCom's rules for a userid: 1 to 64 bytes of letters,
// digits and _-@., starting with a letter or digit.
func checkUserID(s string) error {
	if s == "" || len(s) > 64 {
		return fmt.Errorf("%q must have 1 to 64 characters", s)
	}
	for i, c := range s {
		alnum := c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
		if i == 0 && !alnum || !alnum && !strings.ContainsRune("_-@.", c) {
			return fmt.Errorf("%q: a userid has letters, digits and _-@., and starts with a letter or digit", s)
		}
	}
	return nil
}

// extattrCells adds the cells of the text attributes of extattr
// ({attrs={{type=0, name=, text={value=}}}}) to cells and returns their
// names.
func extattrCells(v lua.LValue, cells map[string]string) ([]string, error) {
	t, ok := v.(*lua.LTable)
	if !ok {
		return nil, fmt.Errorf("extattr is a %s, not a table", v.Type())
	}
	attrs, ok := t.RawGetString("attrs").(*lua.LTable)
	if !ok {
		return nil, errors.New("extattr has no attrs list")
	}
	var names []string
	for i := 1; i <= attrs.Len(); i++ {
		a, ok := attrs.RawGetInt(i).(*lua.LTable)
		if !ok {
			return nil, fmt.Errorf("extattr.attrs[%d] is not a table", i)
		}
		name, _ := a.RawGetString("name").(lua.LString)
		if name == "" {
			return nil, fmt.Errorf("extattr.attrs[%d] has no name", i)
		}
		if typ := a.RawGetString("type"); typ != lua.LNil && typ != lua.LNumber(0) {
			return nil, fmt.Errorf("extattr %q: only text attributes (type 0) can be imported from a file", string(name))
		}
		value := a.RawGetString("value")
		if text, ok := a.RawGetString("text").(*lua.LTable); ok {
			value = text.RawGetString("value")
		}
		s, err := cellString(value)
		if err != nil {
			return nil, fmt.Errorf("extattr %q: %w", string(name), err)
		}
		h := string(name)
		if c, ok := batchfile.ByHeader(batchfile.MemberColumns, h); ok && !c.Extra || slices.Contains(names, h) {
			return nil, fmt.Errorf("extattr %q repeats a column", h)
		}
		cells[h] = s
		names = append(names, h)
	}
	return names, nil
}

// idList reads department ids: a list of numbers or numeric strings, one
// number, or a string of ids separated by ";" or "|".
func idList(v lua.LValue) ([]int64, error) {
	ids, err := intList(v)
	if err != nil {
		return nil, err
	}
	if len(ids) == 0 {
		return nil, errors.New("no department")
	}
	for i, id := range ids {
		if id < 1 || id >= 1<<32 {
			return nil, fmt.Errorf("%d is not a department id", id)
		}
		if slices.Contains(ids[:i], id) {
			return nil, fmt.Errorf("department %d appears twice", id)
		}
	}
	return ids, nil
}

// intList reads integers: a list of numbers or numeric strings, one number,
// or a string of them separated by ";" or "|".
func intList(v lua.LValue) ([]int64, error) {
	var items []lua.LValue
	switch v := v.(type) {
	case *lua.LTable:
		for i := 1; i <= v.Len(); i++ {
			items = append(items, v.RawGetInt(i))
		}
	case lua.LString:
		for _, s := range strings.FieldsFunc(string(v), func(r rune) bool { return r == ';' || r == '|' }) {
			items = append(items, lua.LString(strings.TrimSpace(s)))
		}
	default:
		items = []lua.LValue{v}
	}
	var out []int64
	for _, item := range items {
		n, err := toInt(item)
		if err != nil {
			return nil, err
		}
		out = append(out, n)
	}
	return out, nil
}

// toInt reads an integer from a number or a numeric string.
func toInt(v lua.LValue) (int64, error) {
	switch v := v.(type) {
	case lua.LNumber:
		f := float64(v)
		if f == math.Trunc(f) && math.Abs(f) < luajson.MaxSafeInt {
			return int64(f), nil
		}
	case lua.LString:
		if n, err := strconv.ParseInt(strings.TrimSpace(string(v)), 10, 64); err == nil {
			return n, nil
		}
	}
	return 0, fmt.Errorf("%s is not an integer", lua.LVAsString(v))
}

// department is one validated row of a department file.
type department struct {
	name              string
	id, parent, order int64
	hasOrder          bool
	row               int // in the list given, from 1
}

// departmentCSV validates departments and writes them as WeCom's batch
// department CSV.
func departmentCSV(departments *lua.LTable) ([]byte, error) {
	n := departments.Len()
	if n == 0 {
		return nil, errors.New("no departments (the file would be empty)")
	}
	var list []department
	byID := map[int64]int{} // index in list
	bad := &badRows{what: "departments"}
	for i := 1; i <= n; i++ {
		t, ok := departments.RawGetInt(i).(*lua.LTable)
		if !ok {
			bad.add("departments[%d] is a %s, not a table", i, departments.RawGetInt(i).Type())
			continue
		}
		d, err := departmentRow(t)
		if err != nil {
			bad.add("departments[%d]: %v", i, err)
			continue
		}
		d.row = i
		if j, dup := byID[d.id]; dup {
			bad.add("departments[%d] (id %d): id %d repeats departments[%d]", i, d.id, d.id, list[j].row)
			continue
		}
		byID[d.id] = len(list)
		list = append(list, d)
	}
	// A row that is wrong may be the parent others name: their parents are
	// checked once every row is right.
	checkParents := bad.count == 0
	siblings := map[[2]string]int{}
	for _, d := range list {
		where := fmt.Sprintf("departments[%d] (id %d)", d.row, d.id)
		if _, ok := byID[d.parent]; checkParents && !ok && d.parent != 1 && d.id != 1 {
			bad.add("%s: parentid %d is neither in the file nor the root (1)", where, d.parent)
			continue
		}
		key := [2]string{strconv.FormatInt(d.parent, 10), d.name}
		if j, dup := siblings[key]; dup {
			bad.add("%s: name %q repeats departments[%d] under the same parent", where, d.name, j)
			continue
		}
		siblings[key] = d.row
		// Walk up the parents: a walk longer than the list is a cycle.
		p := d.parent
		for steps := 0; ; steps++ {
			j, ok := byID[p]
			if !ok || p == 1 {
				break
			}
			if steps > len(list) {
				bad.add("%s: its parents form a cycle", where)
				break
			}
			p = list[j].parent
		}
	}
	if err := bad.err(n); err != nil {
		return nil, err
	}
	rows := make([]map[string]string, len(list))
	for i, d := range list {
		rows[i] = map[string]string{
			"部门名称":  d.name,
			"部门ID":  strconv.FormatInt(d.id, 10),
			"父部门ID": strconv.FormatInt(d.parent, 10),
		}
		if d.hasOrder {
			rows[i]["排序"] = strconv.FormatInt(d.order, 10)
		}
	}
	header := batchfile.Template(batchfile.DepartmentColumns)
	return batchfile.Write(header, len(rows), func(r, i int) string { return rows[r][header[i]] })
}

// ignoredDepartmentFields are fields of WeCom's department object that the
// batch file has no column for.
var ignoredDepartmentFields = []string{"department_leader", "name_en"}

// departmentRow validates one department.
func departmentRow(t *lua.LTable) (department, error) {
	var (
		d                         department
		err                       error
		hasName, hasID, hasParent bool
	)
	t.ForEach(func(k, v lua.LValue) {
		if err != nil {
			return
		}
		field := k.String()
		switch field {
		case "name":
			hasName = true
			d.name, err = departmentName(v)
		case "id":
			hasID = true
			if d.id, err = toInt(v); err == nil && (d.id < 1 || d.id >= 1<<32) {
				err = fmt.Errorf("%d is not a department id", d.id)
			}
		case "parentid", "parent_id":
			var p int64
			if p, err = toInt(v); err == nil && (p < 0 || p >= 1<<32) {
				err = fmt.Errorf("%d is not a department id", p)
			}
			if err == nil && hasParent && p != d.parent {
				err = errors.New("parentid and parent_id differ")
			}
			d.parent, hasParent = p, true
		case "order":
			d.hasOrder = true
			if d.order, err = toInt(v); err == nil && (d.order < 0 || d.order >= 1<<32) {
				err = fmt.Errorf("%d is out of range", d.order)
			}
		default:
			if !slices.Contains(ignoredDepartmentFields, field) {
				err = errors.New("unknown field")
			}
		}
		if err != nil {
			err = fmt.Errorf("%s: %w", field, err)
		}
	})
	switch {
	case err != nil:
		return d, err
	case !hasName:
		return d, errors.New("name is required")
	case !hasID:
		return d, errors.New("id is required")
	case !hasParent:
		return d, errors.New("parentid is required")
	case d.parent == d.id:
		return d, fmt.Errorf("parentid: department %d cannot be its own parent", d.id)
	case d.parent == 0 && d.id != 1:
		return d, errors.New("parentid: only the root (id 1) has parent 0")
	}
	return d, nil
}

// departmentName checks WeCom's rules for a department name: 1 to 32
// characters, none of \:*?"<>| (nor the full-width ｜) or control
// characters.
func departmentName(v lua.LValue) (string, error) {
	s, err := cellString(v)
	if err != nil {
		return "", err
	}
	if n := utf8.RuneCountInString(s); n < 1 || n > 32 {
		return "", fmt.Errorf("%q must have 1 to 32 characters", s)
	}
	if i := strings.IndexFunc(s, func(r rune) bool { return r < 0x20 || r == 0x7f || strings.ContainsRune(`\:*?"<>|｜`, r) }); i >= 0 {
		r, _ := utf8.DecodeRuneInString(s[i:])
		return "", fmt.Errorf("%q contains the forbidden character %q", s, r)
	}
	return s, nil
}
