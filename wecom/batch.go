package wecom

import (
	"context"
	"net/http"
)

// BatchService is the asynchronous batch API group (异步批量接口): imports
// of members and departments from a CSV file uploaded with media/upload, and
// invitations.
//
// WeCom API docs: https://developer.work.weixin.qq.com/document/path/90979
type BatchService service

// BatchCallback is where WeCom pushes the batch_job_result event when a job
// ends: the application's callback URL and the keys of its encryption.
// Members left empty are left out.
type BatchCallback struct {
	URL            string `json:"url,omitempty"`
	Token          string `json:"token,omitempty"`          // for the signature
	EncodingAESKey string `json:"encodingaeskey,omitempty"` // the AES key, in Base64
}

// The status of a batch job (BatchResult.Status).
const (
	BatchStarted  = 1 // 任务开始
	BatchRunning  = 2 // 进行中
	BatchFinished = 3 // 已完成
)

// BatchResult is the progress of a batch job, and its outcome per member or
// department once it has finished.
type BatchResult struct {
	Status     int               `json:"status"` // BatchStarted, BatchRunning or BatchFinished
	Type       string            `json:"type"`   // sync_user, replace_user, replace_party, invite_user
	Total      int               `json:"total"`
	Percentage int               `json:"percentage"`
	RemainTime int               `json:"remaintime"` // estimated seconds left, in older answers
	Result     []BatchResultItem `json:"result"`     // set when Status is BatchFinished
}

// BatchResultItem is the outcome of one row of a batch job: a member
// (UserID) or a department (PartyID and Action).
type BatchResultItem struct {
	UserID  string `json:"userid"`
	PartyID int    `json:"partyid"`
	// Action is what replace_party did, bits added up: 1 created, 2 renamed,
	// 4 moved, 8 reordered.
	Action  int    `json:"action"`
	ErrCode int    `json:"errcode"`
	ErrMsg  string `json:"errmsg"`
}

// BatchInviteResult lists the recipients of an invitation that WeCom
// refused; the others were invited.
type BatchInviteResult struct {
	InvalidUser  []string `json:"invaliduser"`
	InvalidParty []int    `json:"invalidparty"`
	InvalidTag   []int    `json:"invalidtag"`
}

// UserInvitation is the request of InviteUser: recipients as '|'-joined ids.
type UserInvitation struct {
	Callback   *BatchCallback `json:"callback,omitempty"`
	ToUser     string         `json:"touser,omitempty"`      // userids, "a|b"
	ToParty    string         `json:"toparty,omitempty"`     // department ids, "2|3"
	ToTag      string         `json:"totag,omitempty"`       // tag ids, "1|2"
	InviteTips string         `json:"invite_tips,omitempty"` // the text of the invitation
}

// batchImportBody is the body of the CSV imports. The callback is left out when
// it is nil or empty.
func batchImportBody(mediaID string, toInvite *bool, cb *BatchCallback) map[string]any {
	body := map[string]any{"media_id": mediaID}
	if toInvite != nil {
		body["to_invite"] = *toInvite
	}
	if cb != nil && *cb != (BatchCallback{}) {
		body["callback"] = cb
	}
	return body
}

// SyncUserRequest is the request of SyncUser.
func (s *BatchService) SyncUserRequest(mediaID string, toInvite bool, cb *BatchCallback) *Request {
	return &Request{Method: http.MethodPost, API: "batch/syncuser", Body: batchImportBody(mediaID, &toInvite, cb)}
}

// SyncUser starts a job that creates and updates the members of a CSV file
// (增量更新成员) and returns its job id. Members not in the file are kept.
// toInvite invites the new members; cb may be nil.
//
// WeCom API docs: https://developer.work.weixin.qq.com/document/path/90980
func (s *BatchService) SyncUser(ctx context.Context, mediaID string, toInvite bool, cb *BatchCallback) (string, error) {
	return s.job(ctx, s.SyncUserRequest(mediaID, toInvite, cb))
}

// ReplaceUserRequest is the request of ReplaceUser.
func (s *BatchService) ReplaceUserRequest(mediaID string, toInvite bool, cb *BatchCallback) *Request {
	return &Request{Method: http.MethodPost, API: "batch/replaceuser", Body: batchImportBody(mediaID, &toInvite, cb)}
}

// ReplaceUser starts a job that makes the corp's members those of a CSV file
// (全量覆盖成员) and returns its job id: members not in the file are
// deleted. toInvite invites the new members; cb may be nil.
//
// WeCom API docs: https://developer.work.weixin.qq.com/document/path/90981
func (s *BatchService) ReplaceUser(ctx context.Context, mediaID string, toInvite bool, cb *BatchCallback) (string, error) {
	return s.job(ctx, s.ReplaceUserRequest(mediaID, toInvite, cb))
}

// ReplacePartyRequest is the request of ReplaceParty.
func (s *BatchService) ReplacePartyRequest(mediaID string, cb *BatchCallback) *Request {
	return &Request{Method: http.MethodPost, API: "batch/replaceparty", Body: batchImportBody(mediaID, nil, cb)}
}

// ReplaceParty starts a job that makes the corp's departments those of a CSV
// file (全量覆盖部门) and returns its job id. cb may be nil.
//
// WeCom API docs: https://developer.work.weixin.qq.com/document/path/90982
func (s *BatchService) ReplaceParty(ctx context.Context, mediaID string, cb *BatchCallback) (string, error) {
	return s.job(ctx, s.ReplacePartyRequest(mediaID, cb))
}

// job sends a request that starts a batch job and returns the job id.
func (s *BatchService) job(ctx context.Context, req *Request) (string, error) {
	return memberOf[string](ctx, s.client, req, "jobid")
}

// InviteUserRequest is the request of InviteUser. An empty callback is left
// out.
func (s *BatchService) InviteUserRequest(inv *UserInvitation) *Request {
	body := *inv
	if body.Callback != nil && *body.Callback == (BatchCallback{}) {
		body.Callback = nil
	}
	return &Request{Method: http.MethodPost, API: "batch/inviteuser", Body: &body}
}

// InviteUser starts a job that invites members to follow the corp
// (邀请成员关注), an API of WeCom's predecessor 企业号, and returns its job id.
//
// WeCom API docs: https://qydev.weixin.qq.com/wiki/index.php?title=异步任务接口
func (s *BatchService) InviteUser(ctx context.Context, inv *UserInvitation) (string, error) {
	return s.job(ctx, s.InviteUserRequest(inv))
}
