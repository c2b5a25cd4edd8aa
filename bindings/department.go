package bindings

// wecom.department: 部门管理.
//
//	department.create(name, parent_id?, order?, id?) -> {errcode, errmsg, id}
//	department.update(id, name?, parent_id?, order?) -> {errcode, errmsg}
//	department.delete(id) -> {errcode, errmsg}
//	department.get(id?) -> {{id, name, parentid, order, ...}, ...}: department id and its descendants, or all
//	department.simplelist(id?) -> {{id, parentid, order}, ...}
//	department.get_detail(id) -> {id, name, name_en, department_leader, parentid, order}
//	department.get_users(id, status?, fetch_child?, simple?) -> {{userid, name, ...}, ...}
//	department.get_map_users(id?, key?, status?, fetch_child?) -> {[member[key]] = userid, ...}
//
// department.get is wechatpy's name for department/list; department/get,
// one department, is department.get_detail.

import (
	"context"

	"github.com/wecomrunner/runner/wecom"
)

var departmentGroup = group{
	"create": {params: []string{"name", "parent_id", "order", "id"}, doc: "Creates a department (创建部门).", prepare: func(a *args) call {
		d := &wecom.DepartmentInput{Name: a.str("name"), ParentID: a.optInt("parent_id", 1), ID: a.optInt("id", 0), Order: optOrder(a)}
		return send(a, a.client.Department.CreateRequest(d))
	}},
	"update": {params: []string{"id", "name", "parent_id", "order"}, doc: "Changes the given fields of a department (更新部门).", prepare: func(a *args) call {
		d := &wecom.DepartmentInput{ID: a.int("id"), Name: a.optStr("name", ""), ParentID: a.optInt("parent_id", 0), Order: optOrder(a)}
		return send(a, a.client.Department.UpdateRequest(d))
	}},
	"delete": {params: []string{"id"}, doc: "Deletes a department (删除部门).", prepare: func(a *args) call {
		return send(a, a.client.Department.DeleteRequest(a.int("id")))
	}},
	"get": {params: []string{"id"}, doc: "Lists a department and its descendants, or all departments (获取部门列表).", prepare: func(a *args) call {
		return send(a, a.client.Department.ListRequest(a.optInt("id", 0)))
	}},
	"simplelist": {params: []string{"id"}, doc: "Lists department ids, parents and orders (获取子部门ID列表).", prepare: func(a *args) call {
		return send(a, a.client.Department.SimpleListRequest(a.optInt("id", 0)))
	}},
	"get_detail": {params: []string{"id"}, doc: "Reads one department (获取单个部门详情).", prepare: func(a *args) call {
		return send(a, a.client.Department.GetRequest(a.int("id")))
	}},
	"get_users": {params: []string{"id", "status", "fetch_child", "simple"}, doc: "Lists a department's members, briefly unless simple is false (获取部门成员).", prepare: func(a *args) call {
		return memberList(a, "id", true)
	}},
	"get_map_users": {params: []string{"id", "key", "status", "fetch_child"}, doc: "Maps a field of members, the name by default, to their userids.", prepare: func(a *args) call {
		c, id, key := a.client, a.optInt("id", 0), a.optStr("key", "name")
		opt := &wecom.UserListOptions{FetchChild: a.optBool("fetch_child", false), Status: a.optInt("status", 0)}
		return func(ctx context.Context) (any, error) {
			return c.Department.GetMapUsers(ctx, id, key, opt)
		}
	}},
}

// optOrder is the optional order argument: 0 is an order, absent is none.
func optOrder(a *args) *int {
	if !a.has("order") {
		return nil
	}
	return new(a.int("order"))
}
