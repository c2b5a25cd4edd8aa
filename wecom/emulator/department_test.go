package emulator

import "testing"

func TestDepartmentRoundTrip(t *testing.T) {
	t.Parallel()
	s := startServer(t)
	c := contacts(t, s)

	r := c.post("department/create", map[string]any{"name": "广州研发中心", "name_en": "RDGZ", "parentid": 2, "order": 1})
	wantCode(t, r, 0)
	if r.str("errmsg") != "created" {
		t.Errorf("errmsg = %q, want created", r.str("errmsg"))
	}
	id := r.num("id")
	if id < 14 {
		t.Fatalf("new department id = %d", id)
	}
	// An id given as a string is accepted.
	wantCode(t, c.post("department/create", map[string]any{"name": "邮箱产品部", "parentid": "2", "id": "40"}), 0)

	got := c.get("department/get", "id", itoa(id)).obj("department")
	if got.str("name") != "广州研发中心" || got.num("parentid") != 2 || got.str("name_en") != "RDGZ" {
		t.Errorf("department/get = %v", got)
	}
	wantCode(t, c.post("department/update", map[string]any{"id": id, "name": "广州研发中心（天河）", "parentid": 1}), 0)
	got = c.get("department/get", "id", itoa(id)).obj("department")
	if got.str("name") != "广州研发中心（天河）" || got.num("parentid") != 1 {
		t.Errorf("after update: %v", got)
	}

	list := c.get("department/list", "id", "2")
	wantCode(t, list, 0)
	ids := map[int]bool{}
	for _, d := range list.list("department") {
		ids[int(d.(map[string]any)["id"].(float64))] = true
	}
	if !ids[2] || !ids[3] || !ids[40] || ids[id] || ids[7] {
		t.Errorf("department/list?id=2 = %v", ids)
	}
	if n := len(c.get("department/simplelist").list("department_id")); n != 15 {
		t.Errorf("simplelist has %d departments, want 15", n)
	}
	if leaders := c.get("department/get", "id", "3").obj("department").list("department_leader"); len(leaders) != 1 || leaders[0] != "liuyang" {
		t.Errorf("department 3 leaders = %v", leaders)
	}

	wantCode(t, c.get("department/delete", "id", itoa(id)), 0)
	wantCode(t, c.get("department/get", "id", itoa(id)), 60003)
}

func TestDepartmentErrors(t *testing.T) {
	t.Parallel()
	s := startServer(t)
	c := contacts(t, s)
	tests := []struct {
		name string
		api  string
		body any
		kv   []string
		want int
	}{
		{"unknown parent", "department/create", map[string]any{"name": "X", "parentid": 999}, nil, 60004},
		{"duplicate sibling name", "department/create", map[string]any{"name": "测试部", "parentid": 2}, nil, 60008},
		{"taken id", "department/create", map[string]any{"name": "新部门", "parentid": 1, "id": 3}, nil, 60008},
		{"empty name", "department/create", map[string]any{"name": "", "parentid": 1}, nil, 60001},
		{"bad characters", "department/create", map[string]any{"name": "a*b", "parentid": 1}, nil, 60009},
		{"cycle", "department/update", map[string]any{"id": 2, "parentid": 3}, nil, 60010},
		{"update unknown", "department/update", map[string]any{"id": 999, "name": "X"}, nil, 60003},
		{"rename onto a sibling", "department/update", map[string]any{"id": 4, "name": "后端开发部"}, nil, 60008},
		{"delete root", "department/delete", nil, []string{"id", "1"}, 60007},
		{"delete with members", "department/delete", nil, []string{"id", "3"}, 60005},
		{"parent", "department/create", map[string]any{"name": "空部门", "parentid": 1, "id": 50}, nil, 0},
		{"child", "department/create", map[string]any{"name": "子部门", "parentid": 50, "id": 51}, nil, 0},
		{"delete with children", "department/delete", nil, []string{"id", "50"}, 60006},
		{"delete unknown", "department/delete", nil, []string{"id", "999"}, 60003},
		{"get unknown", "department/get", nil, []string{"id", "999"}, 60003},
		{"list unknown", "department/list", nil, []string{"id", "999"}, 60003},
	}
	for _, tt := range tests {
		var r result
		if tt.body != nil {
			r = c.post(tt.api, tt.body)
		} else {
			r = c.get(tt.api, tt.kv...)
		}
		if r.code() != tt.want {
			t.Errorf("%s: errcode %d, want %d (%v)", tt.name, r.code(), tt.want, r)
		}
	}
	// Apps cannot write departments.
	wantCode(t, opsApp(t, s).post("department/create", map[string]any{"name": "X", "parentid": 1}), 48002)
}

func TestDepartmentDeleteEmptied(t *testing.T) {
	t.Parallel()
	s := startServer(t)
	c := contacts(t, s)
	for _, id := range []string{"caixin", "weiwei"} {
		wantCode(t, c.get("user/delete", "userid", id), 0)
	}
	wantCode(t, c.get("department/delete", "id", "13"), 0)
	for _, d := range s.Snapshot().Departments {
		if d.ID == 13 {
			t.Errorf("department 13 still in the snapshot")
		}
	}
}
