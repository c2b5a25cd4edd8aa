package batchfile

import (
	"reflect"
	"slices"
	"strings"
	"testing"
)

func TestTemplates(t *testing.T) {
	// The headers of WeCom's batch_user_sample.csv and batch_party_sample.csv.
	if got, want := strings.Join(Template(MemberColumns), ","), "姓名,帐号,手机号,邮箱,所在部门,职位,性别,是否部门内领导,排序,别名,地址,座机,禁用"; got != want {
		t.Errorf("member template %s, want %s", got, want)
	}
	if got, want := strings.Join(Template(DepartmentColumns), ","), "部门名称,部门ID,父部门ID,排序"; got != want {
		t.Errorf("department template %s, want %s", got, want)
	}
	for _, columns := range [][]Column{MemberColumns, DepartmentColumns} {
		names := map[string]bool{}
		fields := map[string]bool{}
		for _, c := range columns {
			for _, n := range append([]string{c.Header}, c.Aliases...) {
				if names[n] {
					t.Errorf("header %s names two columns", n)
				}
				names[n] = true
			}
			if fields[c.Field] {
				t.Errorf("field %s has two columns", c.Field)
			}
			fields[c.Field] = true
		}
	}
}

// TestMembersReadBack writes members and reads the file back: every cell
// written is read under its field, and only the columns some member fills
// (and the required ones) are written.
func TestMembersReadBack(t *testing.T) {
	m := NewMembers()
	members := []map[string]string{
		{"姓名": "张三", "帐号": "zhangsan", "手机号": "+86 13800000000", "所在部门": "2;3", "排序": "1;2", "性别": Male, "禁用": FormatDisabled(true), "工号": "007"},
		{"姓名": "李四", "帐号": "LiSi", "邮箱": "lisi@example.com", "所在部门": "1", "职位": "产品经理, \"高级\""},
	}
	if err := m.Add(members[0], []string{"工号"}); err != nil {
		t.Fatal(err)
	}
	if err := m.Add(members[1], nil); err != nil {
		t.Fatal(err)
	}
	if err := m.Add(map[string]string{"姓名": "王五", "籍贯": "x"}, nil); err == nil {
		t.Error("Add took a cell of an unknown column")
	}
	data, err := m.Bytes()
	if err != nil {
		t.Fatal(err)
	}
	header, _, _ := strings.Cut(string(data), "\n")
	if want := "姓名,帐号,手机号,邮箱,所在部门,职位,性别,排序,禁用,工号"; header != want {
		t.Errorf("header %s, want %s", header, want)
	}
	f, err := ReadMembers(data)
	if err != nil {
		t.Fatalf("ReadMembers: %v\n%s", err, data)
	}
	if len(f.Rows) != len(members) {
		t.Fatalf("%d rows, want %d", len(f.Rows), len(members))
	}
	for i, want := range members {
		row := f.Rows[i]
		if row.Line != i+2 {
			t.Errorf("row %d on line %d, want %d", i, row.Line, i+2)
		}
		for h, cell := range want {
			c, ok := ByHeader(MemberColumns, h)
			if !ok {
				continue // an attribute: WeCom reads it as extattr
			}
			if got := row.Cells[c.Field]; got != strings.TrimSpace(cell) {
				t.Errorf("row %d: %s = %q, want %q", i, c.Field, got, cell)
			}
		}
	}
	if got := ParseGender(f.Rows[0].Cells["gender"]); got != "1" {
		t.Errorf("gender %s, want 1", got)
	}
	if IsYes(f.Rows[0].Cells["enable"]) {
		t.Error("an enabled member reads back disabled")
	}
}

func TestReadFindsColumnsByName(t *testing.T) {
	data := "\ufeff成员导入模板,,,,\n" + // a note above the header
		" 账号 ,姓名,部门,手机,禁用项说明：(0-启用;1-禁用),是否禁用\n" +
		"zhangsan, 张三 ,2；3,13800000000,x,是\n" +
		",,,,,\n" +
		"lisi,李四,1,13900000000,,\n"
	f, err := ReadMembers([]byte(data))
	if err != nil {
		t.Fatal(err)
	}
	want := []Row{
		{Line: 3, Cells: map[string]string{"userid": "zhangsan", "name": "张三", "department": "2；3", "mobile": "13800000000", "enable": "是"}},
		{Line: 5, Cells: map[string]string{"userid": "lisi", "name": "李四", "department": "1", "mobile": "13900000000", "enable": ""}},
	}
	if !reflect.DeepEqual(f.Rows, want) {
		t.Errorf("rows %v, want %v", f.Rows, want)
	}
	if got := SplitCell(f.Rows[0].Cells["department"]); !slices.Equal(got, []string{"2", "3"}) {
		t.Errorf("departments %q, want 2 and 3", got)
	}
	if !IsYes(f.Rows[0].Cells["enable"]) {
		t.Error("是 in 是否禁用 is not read as disabled")
	}
}

func TestReadRefuses(t *testing.T) {
	const header = "姓名,帐号,手机号,邮箱,所在部门\n"
	for _, c := range []struct{ name, data, want string }{
		{"empty", "\ufeff \n", "the file is empty"},
		{"not UTF-8", header + "\xd5\xc5\xc8\xfd,zhangsan,1,,2\n", "the file is not UTF-8"},
		{"no header", "name,userid\nzhangsan,张三\n", "no header row with the columns name, userid, department"},
		{"no data", header + ",,,,\n", "the file has no data rows"},
		{"no mobile or email column", "姓名,帐号,所在部门\n张三,zhangsan,2\n", "the file needs a 手机号 or 邮箱 column"},
		{"missing name", header + ",zhangsan,1,,2\n", "line 2: 姓名, 帐号 and 所在部门 are required"},
		{"missing mobile and email", header + "张三,zhangsan,,,2\n", "line 2: 手机号 or 邮箱 is required"},
		{"repeated userid", header + "张三,zhangsan,1,,2\n张三,ZhangSan,2,,2\n", "line 3: userid ZhangSan appears twice"},
	} {
		_, err := ReadMembers([]byte(c.data))
		if err == nil || err.Error() != c.want {
			t.Errorf("%s: error %v, want %s", c.name, err, c.want)
		}
	}
}

func TestDepartmentsReadBack(t *testing.T) {
	want := []Department{
		{Line: 2, Name: "研发部", ID: 2, ParentID: 1, Order: 100},
		{Line: 3, Name: "后端, 组", ID: 3, ParentID: 2},
	}
	header := Template(DepartmentColumns)
	cells := [][]string{{"研发部", "2", "1", "100"}, {"后端, 组", "3", "2", ""}}
	data, err := Write(header, len(cells), func(r, c int) string { return cells[r][c] })
	if err != nil {
		t.Fatal(err)
	}
	got, err := ReadDepartments(data)
	if err != nil {
		t.Fatalf("ReadDepartments: %v\n%s", err, data)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("departments %v, want %v", got, want)
	}
	for _, c := range []struct{ data, want string }{
		{"部门名称,部门ID,父部门ID\n研发部,x,1\n", "line 2: 部门名称, 部门ID and 父部门ID are required, ids numeric"},
		{"部门名称,部门id,上级部门ID\n研发部,2,1\n测试部,2,1\n", "line 3: department 2 appears twice"},
		{"部门名称,部门ID,父部门ID,排序\n研发部,2,1,first\n", "line 2: 排序 must be a number"},
	} {
		if _, err := ReadDepartments([]byte(c.data)); err == nil || err.Error() != c.want {
			t.Errorf("%q: error %v, want %s", c.data, err, c.want)
		}
	}
}

func TestCells(t *testing.T) {
	if got := JoinInts([]int64{1, 20, 300}); got != "1;20;300" {
		t.Errorf("JoinInts = %q", got)
	}
	for _, g := range []string{"1", "2", "0", ""} {
		cell, ok := FormatGender(g)
		if want := map[string]string{"": "0"}[g]; !ok || ParseGender(cell) != max(g, want) {
			t.Errorf("gender %q is written %q (%v), which reads back %q", g, cell, ok, ParseGender(cell))
		}
	}
	if _, ok := FormatGender("3"); ok {
		t.Error("FormatGender took 3")
	}
	for _, enabled := range []bool{true, false} {
		if IsYes(FormatDisabled(enabled)) == enabled {
			t.Errorf("enabled %v is written %q, which reads back otherwise", enabled, FormatDisabled(enabled))
		}
	}
}
