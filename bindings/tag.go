package bindings

// wecom.tag: 标签管理.
//
//	tag.create(name) -> {errcode, errmsg, tagid}
//	tag.update(tag_id, name) -> {errcode, errmsg}
//	tag.delete(tag_id) -> {errcode, errmsg}
//	tag.get_users(tag_id) -> {tagname, userlist = {{userid, name}, ...}, partylist}
//	tag.add_users(tag_id, user_ids) -> {errcode, errmsg, invalidlist?, invalidparty?}
//	tag.delete_users(tag_id, user_ids) -> {errcode, errmsg, invalidlist?, invalidparty?}
//	tag.list() -> {{tagid, tagname}, ...}

var tagGroup = group{
	"create": {params: []string{"name"}, doc: "Creates a tag (创建标签).", prepare: func(a *args) call {
		return send(a, a.client.Tag.CreateRequest(a.str("name")))
	}},
	"update": {params: []string{"tag_id", "name"}, doc: "Renames a tag (更新标签名字).", prepare: func(a *args) call {
		return send(a, a.client.Tag.UpdateRequest(a.int("tag_id"), a.str("name")))
	}},
	"delete": {params: []string{"tag_id"}, doc: "Deletes a tag (删除标签).", prepare: func(a *args) call {
		return send(a, a.client.Tag.DeleteRequest(a.int("tag_id")))
	}},
	"get_users": {params: []string{"tag_id"}, doc: "Reads a tag's members and departments (获取标签成员).", prepare: func(a *args) call {
		return send(a, a.client.Tag.GetUsersRequest(a.int("tag_id")))
	}},
	"add_users": {params: []string{"tag_id", "user_ids"}, doc: "Adds members to a tag (增加标签成员).", prepare: func(a *args) call {
		return send(a, a.client.Tag.AddUsersRequest(a.int("tag_id"), a.list("user_ids")))
	}},
	"delete_users": {params: []string{"tag_id", "user_ids"}, doc: "Removes members from a tag (删除标签成员).", prepare: func(a *args) call {
		return send(a, a.client.Tag.DeleteUsersRequest(a.int("tag_id"), a.list("user_ids")))
	}},
	"list": {doc: "Lists the tags (获取标签列表).", prepare: func(a *args) call {
		return send(a, a.client.Tag.ListRequest())
	}},
}
