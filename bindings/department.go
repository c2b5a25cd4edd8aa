package bindings

// wecom.department: 部门管理.
//
// department.get is wechatpy's name for department/list; department/get,
// one department, is department.get_detail.

import (
	"context"

	"github.com/wecomrunner/runner/wecom"
)

// departmentCreate is department.create.
func departmentCreate(a *args) call {
	d := &wecom.DepartmentInput{Name: a.str("name"), ParentID: a.int("parent_id"), ID: a.int("id"), Order: optOrder(a)}
	return send(a, a.client.Department.CreateRequest(d))
}

// departmentUpdate is department.update.
func departmentUpdate(a *args) call {
	d := &wecom.DepartmentInput{ID: a.int("id"), Name: a.str("name"), ParentID: a.int("parent_id"), Order: optOrder(a)}
	return send(a, a.client.Department.UpdateRequest(d))
}

// departmentGetUsers is department.get_users.
func departmentGetUsers(a *args) call { return memberList(a, "id") }

// departmentGetMapUsers is department.get_map_users.
func departmentGetMapUsers(a *args) call {
	c, id, key := a.client, a.int("id"), a.str("key")
	opt := &wecom.UserListOptions{FetchChild: a.bool("fetch_child"), Status: a.int("status")}
	return func(ctx context.Context) (any, error) {
		return c.Department.GetMapUsers(ctx, id, key, opt)
	}
}

// optOrder is the optional order argument: 0 is an order, absent is none.
func optOrder(a *args) *int {
	if !a.has("order") {
		return nil
	}
	return new(a.int("order"))
}
