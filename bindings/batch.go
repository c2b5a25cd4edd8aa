package bindings

// wecom.batch: 异步批量接口.
//
//	batch.sync_user(url, token, encoding_aes_key, media_id, to_invite?) -> {errcode, errmsg, jobid}
//	batch.replace_user(url, token, encoding_aes_key, media_id, to_invite?) -> {errcode, errmsg, jobid}
//	batch.replace_party(url, token, encoding_aes_key, media_id) -> {errcode, errmsg, jobid}
//	batch.get_result(job_id) -> {errcode, errmsg, status, type, total, percentage, result}
//	batch.invite(user?, party?, tag?) -> {errcode, errmsg, invaliduser?, invalidparty?, invalidtag?}
//	batch.invite_user(url, token, encoding_aes_key, user_ids?, party_ids?, tag_ids?, invite_tips?) -> {errcode, errmsg, jobid}
//
// url, token and encoding_aes_key are the callback that WeCom notifies when
// the job ends; pass nil for all three to go without one.

import "github.com/wecomrunner/runner/wecom"

var batchGroup = group{
	"sync_user": {params: []string{"url", "token", "encoding_aes_key", "media_id", "to_invite"}, doc: "Starts an incremental import of members (增量更新成员).", prepare: func(a *args) call {
		return send(a, a.client.Batch.SyncUserRequest(a.str("media_id"), a.optBool("to_invite", true), batchCallback(a)))
	}},
	"replace_user": {params: []string{"url", "token", "encoding_aes_key", "media_id", "to_invite"}, doc: "Starts a full replacement of the members (全量覆盖成员).", prepare: func(a *args) call {
		return send(a, a.client.Batch.ReplaceUserRequest(a.str("media_id"), a.optBool("to_invite", true), batchCallback(a)))
	}},
	"replace_party": {params: []string{"url", "token", "encoding_aes_key", "media_id"}, doc: "Starts a full replacement of the departments (全量覆盖部门).", prepare: func(a *args) call {
		return send(a, a.client.Batch.ReplacePartyRequest(a.str("media_id"), batchCallback(a)))
	}},
	"get_result": {params: []string{"job_id"}, doc: "Reads the progress and outcome of a batch job (获取异步任务结果).", prepare: func(a *args) call {
		return send(a, a.client.Batch.GetResultRequest(a.str("job_id")))
	}},
	"invite": {params: []string{"user", "party", "tag"}, doc: "Invites members, departments and tags to use WeCom (邀请成员).", prepare: func(a *args) call {
		return send(a, a.client.Batch.InviteRequest(a.list("user"), a.ints("party"), a.ints("tag")))
	}},
	"invite_user": {params: []string{"url", "token", "encoding_aes_key", "user_ids", "party_ids", "tag_ids", "invite_tips"}, doc: "Starts a job inviting members to follow the corp (邀请成员关注, 企业号).", prepare: func(a *args) call {
		return send(a, a.client.Batch.InviteUserRequest(&wecom.UserInvitation{
			Callback:   batchCallback(a),
			ToUser:     a.joined("user_ids"),
			ToParty:    a.joined("party_ids"),
			ToTag:      a.joined("tag_ids"),
			InviteTips: a.optStr("invite_tips", ""),
		}))
	}},
}

// batchCallback is the callback of a batch job from the arguments url,
// token and encoding_aes_key; the request leaves it out when all are nil.
func batchCallback(a *args) *wecom.BatchCallback {
	return &wecom.BatchCallback{
		URL:            a.optStr("url", ""),
		Token:          a.optStr("token", ""),
		EncodingAESKey: a.optStr("encoding_aes_key", ""),
	}
}
