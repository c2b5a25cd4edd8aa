// Package batchfile reads and writes WeCom's batch import files: the
// member CSV of batch/syncuser and batch/replaceuser, and the department
// CSV of batch/replaceparty.
//
// The columns of each format are declared once, in MemberColumns and
// DepartmentColumns: their header in WeCom's template, the member or
// department field each holds (by its JSON name), and the other headers
// WeCom's importer accepts for it. Writing uses the template's headers;
// reading finds columns by any of their names, since real files carry
// subsets of the template, older templates' names and notes after a header
// ("禁用项说明：(0-启用;1-禁用)").
//
// Cells that hold several values (所在部门, 排序, 是否部门内领导) separate them
// with ";". 性别 is written 男 or 女; 禁用 is 1 for a disabled member.
//
// The package depends on nothing else of the module: the client's bindings
// write files with it and the emulator reads them with it.
package batchfile

import (
	"bytes"
	"encoding/binary"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
	"unsafe"
)

// Column is a column of a batch file.
type Column struct {
	Header   string   // its name in WeCom's template
	Field    string   // the member or department field it holds
	Aliases  []string // other names WeCom's importer reads it under
	Required bool     // every file has it and every row fills it
	Extra    bool     // not in WeCom's template: read, never written
}

// MemberColumns are the columns of the member file, the template's first
// and in its order (姓名,帐号,手机号,邮箱,所在部门,职位,性别,是否部门内领导,排序,别名,
// 地址,座机,禁用), then the columns WeCom also reads. A member file has 手机号
// or 邮箱 besides the required columns, and every row fills one of them.
var MemberColumns = []Column{
	{Header: "姓名", Field: "name", Required: true},
	{Header: "帐号", Field: "userid", Aliases: []string{"账号", "userid"}, Required: true},
	{Header: "手机号", Field: "mobile", Aliases: []string{"手机"}},
	{Header: "邮箱", Field: "email", Aliases: []string{"个人邮箱"}},
	{Header: "所在部门", Field: "department", Aliases: []string{"部门"}, Required: true},
	{Header: "职位", Field: "position", Aliases: []string{"职务"}},
	{Header: "性别", Field: "gender"},
	{Header: "是否部门内领导", Field: "is_leader_in_dept", Aliases: []string{"是否领导"}},
	{Header: "排序", Field: "order"},
	{Header: "别名", Field: "alias"},
	{Header: "地址", Field: "address"},
	{Header: "座机", Field: "telephone"},
	{Header: "禁用", Field: "enable", Aliases: []string{"是否禁用"}},
	{Header: "企业邮箱", Field: "biz_mail", Extra: true},
	{Header: "直属上级", Field: "direct_leader", Extra: true},
	{Header: "对外职务", Field: "external_position", Extra: true},
}

// DepartmentColumns are the columns of the department file, in the order
// of WeCom's template (部门名称,部门ID,父部门ID,排序).
var DepartmentColumns = []Column{
	{Header: "部门名称", Field: "name", Required: true},
	{Header: "部门ID", Field: "id", Aliases: []string{"部门id"}, Required: true},
	{Header: "父部门ID", Field: "parentid", Aliases: []string{"父部门id", "上级部门ID"}, Required: true},
	{Header: "排序", Field: "order"},
}

// Template returns the headers of the template's columns, in order.
func Template(columns []Column) []string {
	var out []string
	for _, c := range columns {
		if !c.Extra {
			out = append(out, c.Header)
		}
	}
	return out
}

// ByField returns the column holding field.
func ByField(columns []Column, field string) (Column, bool) {
	for _, c := range columns {
		if c.Field == field {
			return c, true
		}
	}
	return Column{}, false
}

// ByHeader returns the column named header in the template.
func ByHeader(columns []Column, header string) (Column, bool) {
	for _, c := range columns {
		if c.Header == header {
			return c, true
		}
	}
	return Column{}, false
}

// Sep separates the values of a cell that holds several.
const Sep = ";"

// JoinInts writes integers as one cell.
func JoinInts(list []int64) string {
	s := make([]string, len(list))
	for i, n := range list {
		s[i] = strconv.FormatInt(n, 10)
	}
	return strings.Join(s, Sep)
}

// SplitCell reads the values of a cell that holds several, separated by
// ";" or the full-width "；"; empty values are dropped.
func SplitCell(v string) []string {
	var out []string
	for _, p := range strings.FieldsFunc(v, func(r rune) bool { return r == ';' || r == '；' }) {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// Gender cells.
const (
	Male   = "男"
	Female = "女"
)

// FormatGender returns the 性别 cell of a gender: 1 or 男 is 男, 2 or 女 is
// 女, 0 or nothing is empty; anything else is not a gender.
func FormatGender(g string) (string, bool) {
	switch g {
	case "1", Male:
		return Male, true
	case "2", Female:
		return Female, true
	case "0", "":
		return "", true
	}
	return "", false
}

// ParseGender reads a 性别 cell as WeCom's gender: "1" male, "2" female,
// "0" otherwise.
func ParseGender(cell string) string {
	switch cell {
	case Male, "1":
		return "1"
	case Female, "2":
		return "2"
	}
	return "0"
}

// FormatDisabled returns the 禁用 cell of a member that is enabled or not.
func FormatDisabled(enabled bool) string {
	if enabled {
		return "0"
	}
	return "1"
}

// IsYes reads a yes-or-no cell (禁用, 是否部门内领导): "1" or 是 is yes.
func IsYes(cell string) bool { return cell == "1" || cell == "是" }

// Write writes a batch file: header, then rows records of the cells that
// cell gives by row and column.
func Write(header []string, rows int, cell func(row, column int) string) ([]byte, error) {
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	if err := w.Write(header); err != nil {
		return nil, err
	}
	rec := make([]string, len(header))
	for r := range rows {
		for i := range header {
			rec[i] = cell(r, i)
		}
		if err := w.Write(rec); err != nil {
			return nil, err
		}
	}
	w.Flush()
	return buf.Bytes(), w.Error()
}

// Row is a data row of a file that Read read.
type Row struct {
	Line  int               // its line in the file, from 1
	Cells map[string]string // by field, a cell (trimmed) for every known column of the file
}

// File is a batch file that Read read.
type File struct {
	Columns map[string]int // the index of the column of each field the header names
	Rows    []Row
}

// Has reports whether the file has a column for field.
func (f *File) Has(field string) bool {
	_, ok := f.Columns[field]
	return ok
}

// Read decodes a UTF-8 CSV file (with or without a byte order mark) in
// the format of columns. Its header is the first record that names every
// required column; the records before it are notes, and blank records are
// skipped. An error describes what WeCom's importer refuses (errcode
// 40092): an empty file, text that is not UTF-8, no header, no data.
func Read(data []byte, columns []Column) (*File, error) {
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, errors.New("the file is empty")
	}
	if !utf8.Valid(data) {
		return nil, errors.New("the file is not UTF-8")
	}
	names := map[string]string{}
	var required []string
	for _, c := range columns {
		names[c.Header] = c.Field
		for _, a := range c.Aliases {
			names[a] = c.Field
		}
		if c.Required {
			required = append(required, c.Field)
		}
	}
	r := csv.NewReader(bytes.NewReader(data))
	r.FieldsPerRecord = -1
	r.LazyQuotes = true
	var f *File
	for {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, err
		}
		line, _ := r.FieldPos(0)
		if f == nil {
			h := map[string]int{}
			for i, cell := range rec {
				if field, ok := names[headerName(cell)]; ok {
					if _, dup := h[field]; !dup {
						h[field] = i
					}
				}
			}
			if hasAll(h, required) {
				f = &File{Columns: h}
			}
			continue
		}
		if strings.TrimSpace(strings.Join(rec, "")) == "" {
			continue
		}
		row := Row{Line: line, Cells: make(map[string]string, len(f.Columns))}
		for field, i := range f.Columns {
			if i < len(rec) {
				row.Cells[field] = strings.TrimSpace(rec[i])
			} else {
				row.Cells[field] = ""
			}
		}
		f.Rows = append(f.Rows, row)
	}
	if f == nil {
		return nil, fmt.Errorf("no header row with the columns %s", strings.Join(required, ", "))
	}
	if len(f.Rows) == 0 {
		return nil, errors.New("the file has no data rows")
	}
	return f, nil
}

// headerName normalises a header cell: spaces and a trailing note in
// brackets or after a colon are dropped ("禁用项说明：(0-启用;1-禁用)").
func headerName(cell string) string {
	cell = strings.TrimSpace(cell)
	for _, sep := range []string{"(", "（", ":", "："} {
		if i := strings.Index(cell, sep); i > 0 {
			cell = cell[:i]
		}
	}
	return strings.TrimSpace(cell)
}

func hasAll(h map[string]int, keys []string) bool {
	for _, k := range keys {
		if _, ok := h[k]; !ok {
			return false
		}
	}
	return true
}

// ReadMembers reads a member file: besides its required columns it has 手机号
// or 邮箱, every row fills 姓名, 帐号, 所在部门 and one of 手机号 and 邮箱, and
// no userid appears twice (compared without case). An error names the line.
func ReadMembers(data []byte) (*File, error) {
	f, err := Read(data, MemberColumns)
	if err != nil {
		return nil, err
	}
	if !f.Has("mobile") && !f.Has("email") {
		return nil, errors.New("the file needs a 手机号 or 邮箱 column")
	}
	seen := map[string]bool{}
	for _, row := range f.Rows {
		c := row.Cells
		userID := strings.ToLower(c["userid"])
		switch {
		case c["name"] == "" || userID == "" || c["department"] == "":
			return nil, fmt.Errorf("line %d: 姓名, 帐号 and 所在部门 are required", row.Line)
		case c["mobile"] == "" && c["email"] == "":
			return nil, fmt.Errorf("line %d: 手机号 or 邮箱 is required", row.Line)
		case seen[userID]:
			return nil, fmt.Errorf("line %d: userid %s appears twice", row.Line, c["userid"])
		}
		seen[userID] = true
	}
	return f, nil
}

// Department is a row of a department file.
type Department struct {
	Line     int
	Name     string
	ID       int
	ParentID int
	Order    int // 0 when the cell is empty: the current order is kept
}

// ReadDepartments reads a department file: every row has a 部门名称 and
// numeric 部门ID and 父部门ID, an 排序 if any is numeric, and no id appears
// twice. An error names the line.
func ReadDepartments(data []byte) ([]Department, error) {
	f, err := Read(data, DepartmentColumns)
	if err != nil {
		return nil, err
	}
	out := make([]Department, 0, len(f.Rows))
	seen := map[int]bool{}
	for _, row := range f.Rows {
		c := row.Cells
		id, err1 := strconv.Atoi(c["id"])
		parent, err2 := strconv.Atoi(c["parentid"])
		if c["name"] == "" || err1 != nil || err2 != nil {
			return nil, fmt.Errorf("line %d: 部门名称, 部门ID and 父部门ID are required, ids numeric", row.Line)
		}
		if seen[id] {
			return nil, fmt.Errorf("line %d: department %d appears twice", row.Line, id)
		}
		seen[id] = true
		d := Department{Line: row.Line, Name: c["name"], ID: id, ParentID: parent}
		if o := c["order"]; o != "" {
			n, err := strconv.Atoi(o)
			if err != nil {
				return nil, fmt.Errorf("line %d: 排序 must be a number", row.Line)
			}
			d.Order = n
		}
		out = append(out, d)
	}
	return out, nil
}

// Members builds a member file one member at a time. The file has the
// template's columns that some member fills, and the required ones, since
// batch/syncuser leaves a field whose column the file lacks untouched;
// then the columns of extended attributes, in the order members name them.
// A member's cells are packed into one buffer (cellRows), aligned with the
// columns seen so far: a file of 100,000 members takes about the size of
// its text, and keeps no string it was given alive.
type Members struct {
	rows     cellRows       // the cells of each member, by column index
	row      []string       // a row's cells, reused
	columns  []string       // the column headers, the template's then attributes'
	template int            // how many of columns are the template's
	index    map[string]int // the index of each column
	used     map[string]bool
}

// NewMembers returns an empty member file.
func NewMembers() *Members {
	m := &Members{index: map[string]int{}, used: map[string]bool{}}
	for _, c := range MemberColumns {
		if c.Extra {
			continue
		}
		m.index[c.Header] = len(m.columns)
		m.columns = append(m.columns, c.Header)
		if c.Required {
			m.used[c.Header] = true
		}
	}
	m.template = len(m.columns)
	return m
}

// Add adds a member: its cells by column header, and attrs, the headers of
// its extended attributes' columns in order (their cells are in cells).
// The cells are written as they are: the caller has checked them. A cell
// of another column is an error, and the member is not added.
func (m *Members) Add(cells map[string]string, attrs []string) error {
	for h := range cells {
		if _, ok := m.index[h]; !ok && !slices.Contains(attrs, h) {
			return fmt.Errorf("%q is neither a column of the template nor an attribute", h)
		}
	}
	for _, h := range attrs {
		if _, ok := m.index[h]; !ok {
			m.index[h] = len(m.columns)
			m.columns = append(m.columns, h)
		}
	}
	row := slices.Grow(m.row[:0], len(m.columns))[:len(m.columns)]
	clear(row)
	for h, c := range cells {
		if c != "" {
			m.used[h] = true
		}
		row[m.index[h]] = c
	}
	m.rows.add(row)
	m.row = row
	return nil
}

// Bytes writes the file.
func (m *Members) Bytes() ([]byte, error) {
	var header []int
	for i, h := range m.columns {
		if m.used[h] || i >= m.template {
			header = append(header, i)
		}
	}
	names := make([]string, len(header))
	for i, c := range header {
		names[i] = m.columns[c]
	}
	row, last := m.row[:0], -1
	return Write(names, m.rows.len(), func(r, i int) string {
		if r != last {
			row, last = m.rows.row(r, row[:0]), r
		}
		if c := header[i]; c < len(row) {
			return row[c]
		}
		return ""
	})
}

// cellRows are rows of cells packed into one buffer: for each row its
// number of cells, then each cell's length and bytes (lengths as uvarints),
// instead of a slice and a string header per cell.
type cellRows struct {
	buf    []byte
	starts []int // where each row starts in buf
}

// add appends a row; it keeps none of the strings.
func (rs *cellRows) add(cells []string) {
	rs.starts = append(rs.starts, len(rs.buf))
	rs.buf = binary.AppendUvarint(rs.buf, uint64(len(cells)))
	for _, c := range cells {
		rs.buf = binary.AppendUvarint(rs.buf, uint64(len(c)))
		rs.buf = append(rs.buf, c...)
	}
}

func (rs *cellRows) len() int { return len(rs.starts) }

// row appends the cells of row r to cells and returns them: strings that
// share rs's memory, which add never overwrites (it only appends, and a
// grown buffer is a copy).
func (rs *cellRows) row(r int, cells []string) []string {
	b := rs.buf[rs.starts[r]:]
	n, k := binary.Uvarint(b)
	b = b[k:]
	for range n {
		l, k := binary.Uvarint(b)
		b = b[k:]
		cells = append(cells, unsafe.String(unsafe.SliceData(b), int(l)))
		b = b[l:]
	}
	return cells
}
