package bindings

// wecom.user: 成员管理.
//
//	user.create(user_id, name, department?, position?, mobile?, gender?, tel?, email?, weixin_id?, extattr?, ...) -> {errcode, errmsg}
//	user.get(user_id) -> {errcode, errmsg, userid, name, department, ...}
//	user.update(user_id, name?, department?, position?, mobile?, gender?, tel?, email?, weixin_id?, enable?, extattr?, ...) -> {errcode, errmsg}
//	user.delete(user_id) -> {errcode, errmsg}
//	user.batch_delete(user_ids) -> {errcode, errmsg}
//	user.list(department_id, fetch_child?, status?, simple?) -> {{userid, name, ...}, ...}
//	user.list_id(cursor?, limit?) -> {errcode, errmsg, next_cursor, dept_user = {{userid, department}, ...}}
//	user.all_ids() -> {{userid, department}, ...}, every page of user.list_id
//	user.convert_to_openid(user_id, agent_id?) -> {errcode, errmsg, openid}
//	user.convert_to_user_id(openid) -> userid
//	user.verify(user_id) -> {errcode, errmsg}
//	user.get_info(agent_id, code) -> {errcode, errmsg, UserId, DeviceId, ...}
//
// create and update send every argument given, under its WeCom name
// (weixin_id as weixinid), with its Lua type, and any other named argument
// as a field of the body: user.create{user_id = "lisi", name = "李四",
// mobile = "13800138000", to_invite = false}.

import (
	"context"

	"github.com/wecomrunner/runner/wecom"
)

var userGroup = group{
	"create": {params: []string{"user_id", "name", "department", "position", "mobile", "gender", "tel", "email", "weixin_id", "extattr"}, kwargs: true,
		doc: "Creates a member (创建成员).", prepare: func(a *args) call {
			a.str("name") // required, unlike in update
			return send(a, a.client.User.CreateRequest(memberBody(a)))
		}},
	"get": {params: []string{"user_id"}, doc: "Reads a member (读取成员).", prepare: func(a *args) call {
		return send(a, a.client.User.GetRequest(a.str("user_id")))
	}},
	"update": {params: []string{"user_id", "name", "department", "position", "mobile", "gender", "tel", "email", "weixin_id", "enable", "extattr"}, kwargs: true,
		doc: "Changes the given fields of a member (更新成员).", prepare: func(a *args) call {
			return send(a, a.client.User.UpdateRequest(memberBody(a)))
		}},
	"delete": {params: []string{"user_id"}, doc: "Deletes a member (删除成员).", prepare: func(a *args) call {
		return send(a, a.client.User.DeleteRequest(a.str("user_id")))
	}},
	"batch_delete": {params: []string{"user_ids"}, doc: "Deletes up to 200 members (批量删除成员).", prepare: func(a *args) call {
		return send(a, a.client.User.BatchDeleteRequest(a.list("user_ids")))
	}},
	"list": {params: []string{"department_id", "fetch_child", "status", "simple"}, doc: "Lists a department's members, in detail unless simple (获取部门成员详情).", prepare: func(a *args) call {
		return memberList(a, "department_id", false)
	}},
	"list_id": {params: []string{"cursor", "limit"}, doc: "Reads one page of the corp's (userid, department) pairs (获取成员ID列表).", prepare: func(a *args) call {
		return send(a, a.client.User.ListIDRequest(a.optStr("cursor", ""), a.optInt("limit", wecom.MaxListIDLimit)))
	}},
	"all_ids": {doc: "Reads every (userid, department) pair of the corp, page after page (获取成员ID列表).", prepare: func(a *args) call {
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
	}},
	"convert_to_openid": {params: []string{"user_id", "agent_id"}, doc: "Converts a userid to an openid (userid转openid).", prepare: func(a *args) call {
		return send(a, a.client.User.ConvertToOpenIDRequest(a.str("user_id"), a.optInt("agent_id", 0)))
	}},
	"convert_to_user_id": {params: []string{"openid"}, doc: "Converts an openid to a userid (openid转userid).", prepare: func(a *args) call {
		return send(a, a.client.User.ConvertToUserIDRequest(a.str("openid")))
	}},
	"verify": {params: []string{"user_id"}, doc: "Reports a member's passed second verification (二次验证).", prepare: func(a *args) call {
		return send(a, a.client.User.VerifyRequest(a.str("user_id")))
	}},
	"get_info": {params: []string{"agent_id", "code"}, doc: "Reads who an OAuth code belongs to (根据code获取成员信息).", prepare: func(a *args) call {
		return send(a, a.client.User.GetInfoRequest(a.agentID("agent_id"), a.str("code")))
	}},
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
		if !a.has(p) {
			continue
		}
		field, ok := memberFields[p]
		if !ok {
			field = p
		}
		body[field] = a.any(p)
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
func memberList(a *args, dep string, simple bool) call {
	id := a.int(dep)
	opt := &wecom.UserListOptions{FetchChild: a.optBool("fetch_child", false), Status: a.optInt("status", 0)}
	if a.optBool("simple", simple) {
		return send(a, a.client.User.SimpleListRequest(id, opt))
	}
	return send(a, a.client.User.ListRequest(id, opt))
}
