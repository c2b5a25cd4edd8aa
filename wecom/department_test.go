package wecom

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

func TestDepartmentService_Create(t *testing.T) {
	t.Parallel()
	c, ts := setup(t)
	ts.post(t, "department/create", `{"name":"广州研发中心","name_en":"RDGZ","parentid":1,"order":0}`, `{"errcode":0,"errmsg":"created","id":2}`)
	id, err := c.Department.Create(t.Context(), &DepartmentInput{Name: "广州研发中心", NameEN: "RDGZ", ParentID: 1, Order: new(0)})
	testResult(t, id, err, 2)
}

func TestDepartmentService_Writes(t *testing.T) {
	t.Parallel()
	testWrites(t, []writeCase{
		{api: "department/update", body: `{"id":2,"name":"广州研发中心（天河）"}`, call: func(ctx context.Context, c *Client) error {
			return c.Department.Update(ctx, &DepartmentInput{ID: 2, Name: "广州研发中心（天河）"})
		}},
	})
}

func TestDepartmentService_Delete(t *testing.T) {
	t.Parallel()
	c, ts := setup(t)
	ts.get(t, "department/delete", url.Values{"id": {"5"}}, `{"errcode":60005,"errmsg":"department contains user"}`)
	err := c.Department.Delete(t.Context(), 5)
	if !IsCode(err, CodeDepartmentHasMembers) {
		t.Errorf("err = %v, want errcode 60005", err)
	}
}

func TestDepartmentService_List(t *testing.T) {
	tests := []struct {
		id    int
		query url.Values
	}{
		{0, nil},
		{2, url.Values{"id": {"2"}}},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprint(tt.id), func(t *testing.T) {
			t.Parallel()
			c, ts := setup(t)
			ts.get(t, "department/list", tt.query, `{"errcode":0,"errmsg":"ok","department":[{"id":2,"name":"广州研发中心","name_en":"RDGZ","parentid":1,"order":10}]}`)
			got, err := c.Department.List(t.Context(), tt.id)
			testResult(t, got, err, []Department{{ID: 2, Name: "广州研发中心", NameEN: "RDGZ", ParentID: 1, Order: 10}})
		})
	}
}

func TestDepartmentService_SimpleList(t *testing.T) {
	t.Parallel()
	c, ts := setup(t)
	ts.get(t, "department/simplelist", url.Values{"id": {"2"}}, `{"errcode":0,"errmsg":"ok","department_id":[{"id":2,"parentid":1,"order":10},{"id":3,"parentid":2,"order":40}]}`)
	got, err := c.Department.SimpleList(t.Context(), 2)
	testResult(t, got, err, []DepartmentRef{{2, 1, 10}, {3, 2, 40}})
}

func TestDepartmentService_Get(t *testing.T) {
	t.Parallel()
	c, ts := setup(t)
	ts.get(t, "department/get", url.Values{"id": {"2"}}, `{"errcode":0,"errmsg":"ok","department":{"id":2,"name":"广州研发中心","name_en":"RDGZ","department_leader":["zhangsan","lisi"],"parentid":1,"order":10}}`)
	got, err := c.Department.Get(t.Context(), 2)
	want := &Department{ID: 2, Name: "广州研发中心", NameEN: "RDGZ", DepartmentLeader: []string{"zhangsan", "lisi"}, ParentID: 1, Order: 10}
	testResult(t, got, err, want)
}

func TestDepartmentService_GetMapUsers(t *testing.T) {
	t.Parallel()
	c, ts := setup(t)
	var calls syncList[string]
	record := calls.add
	sent := func() string { return strings.Join(calls.take(), " ") }
	ts.handle(t, "department/list", func(w http.ResponseWriter, r *http.Request) {
		record("department/list?" + r.URL.Query().Get("id"))
		fmt.Fprint(w, `{"errcode":0,"errmsg":"ok","department":[{"id":1,"parentid":0},{"id":2,"parentid":1}]}`)
	})
	users := map[string]string{
		"1": `[{"userid":"zhangsan","name":"张三","mobile":"13800000000","status":1}]`,
		"2": `[{"userid":"lisi","name":"李四","mobile":"13800138000","status":1},{"userid":"wangwu","name":"王五","mobile":"13800138002","status":4}]`,
	}
	ts.handle(t, "user/list", func(w http.ResponseWriter, r *http.Request) {
		testMethod(t, r, http.MethodGet)
		q := r.URL.Query()
		if q.Get("fetch_child") != "1" || q.Get("status") != "0" {
			t.Errorf("query = %v, want fetch_child=1 and status=0", q)
		}
		record("user/list?" + q.Get("department_id"))
		fmt.Fprintf(w, `{"errcode":0,"errmsg":"ok","userlist":%s}`, users[q.Get("department_id")])
	})

	got, err := c.Department.GetMapUsers(t.Context(), 0, "mobile", &UserListOptions{FetchChild: true})
	want := map[string]string{"13800000000": "zhangsan", "13800138000": "lisi", "13800138002": "wangwu"}
	testResult(t, got, err, want)
	if got, want := sent(), "department/list? user/list?1 user/list?2"; got != want {
		t.Errorf("calls %q, want %q in that order", got, want)
	}

	got, err = c.Department.GetMapUsers(t.Context(), 2, "status", &UserListOptions{FetchChild: true})
	testResult(t, got, err, map[string]string{"1": "lisi", "4": "wangwu"})
	if got, want := sent(), "user/list?2"; got != want {
		t.Errorf("calls %q, want %q", got, want)
	}

	_, err = c.Department.GetMapUsers(t.Context(), 2, "alias", &UserListOptions{FetchChild: true})
	if err == nil || !strings.Contains(err.Error(), `member lisi: field "alias": missing`) {
		t.Errorf("missing field: err = %v", err)
	}
}
