package bindings

// wecom.batch: 异步批量接口.
//
// url, token and encoding_aes_key are the callback that WeCom notifies when
// the job ends; pass nil for all three to go without one.

import "github.com/wecomrunner/runner/wecom"

// batchSyncUser is batch.sync_user.
func batchSyncUser(a *args) call {
	return send(a, a.client.Batch.SyncUserRequest(a.str("media_id"), a.bool("to_invite"), batchCallback(a)))
}

// batchReplaceUser is batch.replace_user.
func batchReplaceUser(a *args) call {
	return send(a, a.client.Batch.ReplaceUserRequest(a.str("media_id"), a.bool("to_invite"), batchCallback(a)))
}

// batchReplaceParty is batch.replace_party.
func batchReplaceParty(a *args) call {
	return send(a, a.client.Batch.ReplacePartyRequest(a.str("media_id"), batchCallback(a)))
}

// batchInviteUser is batch.invite_user.
func batchInviteUser(a *args) call {
	return send(a, a.client.Batch.InviteUserRequest(&wecom.UserInvitation{
		Callback:   batchCallback(a),
		ToUser:     a.joined("user_ids"),
		ToParty:    a.joined("party_ids"),
		ToTag:      a.joined("tag_ids"),
		InviteTips: a.str("invite_tips"),
	}))
}

// batchCallback is the callback of a batch job from the arguments url,
// token and encoding_aes_key; the request leaves it out when all are nil.
func batchCallback(a *args) *wecom.BatchCallback {
	return &wecom.BatchCallback{
		URL:            a.str("url"),
		Token:          a.str("token"),
		EncodingAESKey: a.str("encoding_aes_key"),
	}
}
