package bindings

// wecom.user: 成员管理.
//
// create and update send every argument given, under its WeCom name
// (weixin_id as weixinid), with its Lua type, and any other named argument
// as a field of the body: user.create{user_id = "lisi", name = "李四",
// mobile = "13800138000", to_invite = false}.

import (
	"context"
	"errors"

	lua "github.com/yuin/gopher-lua"

	"github.com/wecomrunner/runner/wecom"
)

// userCreate is user.create.
func userCreate(a *args) call {
	a.str("name") // required, unlike in update
	return send(a, a.client.User.CreateRequest(memberBody(a)))
}

// userUpdate is user.update.
func userUpdate(a *args) call {
	return send(a, a.client.User.UpdateRequest(memberBody(a)))
}

// userList is user.list.
func userList(a *args) call { return memberList(a, "department_id") }

// userAllIDs is user.all_ids: every page of user/list_id.
func userAllIDs(a *args) call {
	c := a.client
	return func(ctx context.Context) (any, error) {
		rows := []any{}
		for ref, err := range c.User.AllIDs(ctx) {
			if err != nil {
				return nil, err
			}
			rows = append(rows, map[string]any{"userid": ref.UserID, "department": ref.Department})
		}
		return rows, nil
	}
}

// memberFields are the parameters of user.create and user.update whose
// WeCom field has another name.
var memberFields = map[string]string{"user_id": "userid", "weixin_id": "weixinid"}

// memberBody is the body of user.create and user.update: user_id (their
// first parameter), the other parameters given, then the other named
// arguments (wechatpy's **kwargs), each with its Lua type.
func memberBody(a *args) map[string]any {
	body := map[string]any{"userid": a.str("user_id")}
	for _, p := range a.m.params[1:] {
		if !a.has(p.name) {
			continue
		}
		field, ok := memberFields[p.name]
		if !ok {
			field = p.name
		}
		body[field] = a.any(p.name)
	}
	for name, v := range a.rest() {
		if !memberKwargs[name] {
			a.failArg(name, "not a member field of WeCom; a mistyped field would be ignored by WeCom, so it is refused here")
		}
		body[name] = v
	}
	return body
}

// memberKwargs are the member fields WeCom takes besides the parameters of
// user.create and user.update: the only other named arguments they accept.
var memberKwargs = map[string]bool{
	"address": true, "alias": true, "avatar_mediaid": true, "biz_mail": true, "biz_mail_alias": true,
	"direct_leader": true, "enable": true, "english_name": true, "external_position": true,
	"external_profile": true, "is_leader_in_dept": true, "main_department": true, "name": true,
	"new_userid": true, "nickname": true, "order": true, "telephone": true, "to_invite": true,
}

// memberList is user.list and department.get_users: the members of the
// department in parameter dep, from user/simplelist when simple (whose
// default differs between the two) and user/list otherwise.
func memberList(a *args, dep string) call {
	id := a.int(dep)
	opt := &wecom.UserListOptions{FetchChild: a.bool("fetch_child"), Status: a.int("status")}
	if a.bool("simple") {
		return streamed(a, a.client.User.SimpleListRequest(id, opt))
	}
	return streamed(a, a.client.User.ListRequest(id, opt))
}

// userEach is user.each: the members of user.list's answer, one at a time.
func userEach(a *args) call {
	id := a.int("department_id")
	opt := &wecom.UserListOptions{FetchChild: a.bool("fetch_child"), Status: a.int("status")}
	if a.bool("simple") {
		return iterate(a, a.client.User.SimpleListRequest(id, opt), "userlist", nil)
	}
	return iterate(a, a.client.User.ListRequest(id, opt), "userlist", nil)
}

// userEachID is user.each_id: the (userid, department) pairs of every page
// of user/list_id, one at a time.
func userEachID(a *args) call {
	users := a.client.User
	cursor := ""
	return iterate(a, users.ListIDRequest(cursor, wecom.MaxListIDLimit), "dept_user", func(fields *lua.LTable) (*wecom.Request, error) {
		next, _ := fields.RawGetString("next_cursor").(lua.LString)
		switch string(next) {
		case "":
			return nil, nil
		case cursor:
			return nil, errors.New("wecom user/list_id: the next cursor is the one sent")
		}
		cursor = string(next)
		return users.ListIDRequest(cursor, wecom.MaxListIDLimit), nil
	})
}
