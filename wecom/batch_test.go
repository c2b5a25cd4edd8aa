package wecom

import (
	"context"
	"fmt"
	"net/url"
	"testing"
)

const testJobID = "IoZW03y44Zcwuz-2K6T6rHTcf1uwyVbcYu2aRALKw-U"

var testCallback = &BatchCallback{URL: "https://oa.example.com/wecom/callback", Token: "RkQ2Ym9oZgXq", EncodingAESKey: "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C"}

const testCallbackJSON = `{"url":"https://oa.example.com/wecom/callback","token":"RkQ2Ym9oZgXq","encodingaeskey":"jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C"}`

func TestBatchService_SyncUser(t *testing.T) {
	tests := []struct {
		name     string
		toInvite bool
		cb       *BatchCallback
		body     string
	}{
		{"with a callback", true, testCallback, `{"media_id":"m1","to_invite":true,"callback":` + testCallbackJSON + `}`},
		{"without a callback", false, nil, `{"media_id":"m1","to_invite":false}`},
		{"with an empty callback", true, &BatchCallback{}, `{"media_id":"m1","to_invite":true}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, ts := setup(t)
			ts.post(t, "batch/syncuser", tt.body, fmt.Sprintf(`{"errcode":"0","errmsg":"ok","jobid":%q}`, testJobID))
			id, err := c.Batch.SyncUser(t.Context(), "m1", tt.toInvite, tt.cb)
			testResult(t, id, err, testJobID)
		})
	}
}

// TestBatchService_Replace: the full-replace imports send their file and
// callback and answer the job id.
func TestBatchService_Replace(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, api, body string
		call            func(*Client, context.Context) (string, error)
	}{
		{"ReplaceUser", "batch/replaceuser", `{"media_id":"m1","to_invite":true,"callback":` + testCallbackJSON + `}`,
			func(c *Client, ctx context.Context) (string, error) {
				return c.Batch.ReplaceUser(ctx, "m1", true, testCallback)
			}},
		{"ReplaceParty", "batch/replaceparty", `{"media_id":"m1"}`,
			func(c *Client, ctx context.Context) (string, error) { return c.Batch.ReplaceParty(ctx, "m1", nil) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, ts := setup(t)
			ts.post(t, tt.api, tt.body, fmt.Sprintf(`{"errcode":0,"errmsg":"ok","jobid":%q}`, testJobID))
			id, err := tt.call(c, t.Context())
			testResult(t, id, err, testJobID)
		})
	}
}

func TestBatchService_GetResult(t *testing.T) {
	t.Parallel()
	c, ts := setup(t)
	ts.get(t, "batch/getresult", url.Values{"jobid": {testJobID}}, `{"errcode":0,"errmsg":"ok","status":3,"type":"replace_party","total":2,"percentage":100,
			"result":[{"action":1,"partyid":2,"errcode":0,"errmsg":"ok"},{"action":6,"partyid":3,"errcode":60004,"errmsg":"parent not found"}]}`)
	got, err := c.Batch.GetResult(t.Context(), testJobID)
	want := &BatchResult{Status: BatchFinished, Type: "replace_party", Total: 2, Percentage: 100, Result: []BatchResultItem{
		{PartyID: 2, Action: 1, ErrMsg: "ok"},
		{PartyID: 3, Action: 6, ErrCode: 60004, ErrMsg: "parent not found"},
	}}
	testResult(t, got, err, want)
}

func TestBatchService_Invite(t *testing.T) {
	tests := []struct {
		name    string
		users   []string
		parties []int
		tags    []int
		body    string
	}{
		{"all", []string{"zhangsan", "lisi"}, []int{2, 3}, []int{1}, `{"user":["zhangsan","lisi"],"party":[2,3],"tag":[1]}`},
		{"departments only", nil, []int{5}, nil, `{"party":[5]}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, ts := setup(t)
			ts.post(t, "batch/invite", tt.body, `{"errcode":0,"errmsg":"ok","invaliduser":["lisi"],"invalidparty":[],"invalidtag":[]}`)
			got, err := c.Batch.Invite(t.Context(), tt.users, tt.parties, tt.tags)
			testResult(t, got, err, &BatchInviteResult{InvalidUser: []string{"lisi"}, InvalidParty: []int{}, InvalidTag: []int{}})
		})
	}
}

func TestBatchService_InviteUser(t *testing.T) {
	tests := []struct {
		name string
		inv  *UserInvitation
		body string
	}{
		{"full", &UserInvitation{Callback: testCallback, ToUser: "zhangsan|lisi", ToParty: "2|3", ToTag: "1", InviteTips: "欢迎"},
			`{"callback":` + testCallbackJSON + `,"touser":"zhangsan|lisi","toparty":"2|3","totag":"1","invite_tips":"欢迎"}`},
		{"empty callback", &UserInvitation{Callback: &BatchCallback{}, ToUser: "zhangsan"}, `{"touser":"zhangsan"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, ts := setup(t)
			ts.post(t, "batch/inviteuser", tt.body, fmt.Sprintf(`{"errcode":"0","errmsg":"ok","jobid":%q}`, testJobID))
			id, err := c.Batch.InviteUser(t.Context(), tt.inv)
			testResult(t, id, err, testJobID)
		})
	}
}
