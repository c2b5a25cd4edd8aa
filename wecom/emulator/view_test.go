package emulator

import (
	"bytes"
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
)

// referenceView is a member as user/get and user/list answer it, encoded
// by encoding/json: the reference of appendView.
type referenceView struct {
	UserID           string   `json:"userid"`
	Name             string   `json:"name"`
	Department       []int    `json:"department"`
	Order            []int    `json:"order"`
	Position         string   `json:"position"`
	Mobile           string   `json:"mobile,omitempty"`
	Gender           string   `json:"gender"`
	Email            string   `json:"email,omitempty"`
	BizMail          string   `json:"biz_mail,omitempty"`
	IsLeaderInDept   []int    `json:"is_leader_in_dept"`
	DirectLeader     []string `json:"direct_leader"`
	Avatar           string   `json:"avatar,omitempty"`
	ThumbAvatar      string   `json:"thumb_avatar,omitempty"`
	Telephone        string   `json:"telephone"`
	Alias            string   `json:"alias"`
	Address          string   `json:"address,omitempty"`
	MainDepartment   int      `json:"main_department"`
	ExtAttr          any      `json:"extattr"`
	Status           int      `json:"status"`
	QRCode           string   `json:"qr_code,omitempty"`
	ExternalPosition string   `json:"external_position,omitempty"`
	ExternalProfile  any      `json:"external_profile,omitempty"`
}

func referenceJSON(st *state, a *appState, m *member) []byte {
	v := referenceView{
		UserID: m.UserID, Name: m.Name, Department: m.Department, Order: m.Order, Position: m.Position,
		Gender: "0", IsLeaderInDept: m.IsLeaderInDept, DirectLeader: m.DirectLeader, Telephone: m.Telephone,
		Alias: m.Alias, MainDepartment: m.MainDepartment, ExtAttr: m.ExtAttr, Status: m.Status,
		ExternalPosition: m.ExternalPosition, ExternalProfile: m.ExternalProfile,
	}
	if v.DirectLeader == nil {
		v.DirectLeader = []string{}
	}
	if v.ExtAttr == nil {
		v.ExtAttr = map[string]any{"attrs": []any{}}
	}
	if a == nil || a.SensitiveFields {
		v.Mobile, v.Gender, v.Email, v.BizMail, v.Avatar = m.Mobile, m.Gender, m.Email, m.BizMail, m.Avatar
		v.ThumbAvatar = strings.TrimSuffix(m.Avatar, "/0") + "/100"
		v.Address = m.Address
		v.QRCode = "https://open.work.weixin.qq.com/wwopen/userQRCode?vcode=" + digest(st.corpID, "qr", m.UserID)[:16]
	}
	return marshalJSON(v)
}

// TestAppendViewMatchesEncodingJSON checks the hand-written encoding of
// members against encoding/json's, for every member of the demo and of a
// generated organisation, as the contacts secret and as apps with and
// without sensitive fields, and for values that need escaping.
func TestAppendViewMatchesEncodingJSON(t *testing.T) {
	t.Parallel()
	org := LargeOrg(40, 2000)
	org.Users = append(org.Users, User{
		UserID: "escapes", Name: "引号\"反斜杠\\换行\n\u2028", Department: []int{1}, Mobile: "13900000001",
		Position: "<b>&</b>", Address: "bad utf-8 \xff", Gender: "2",
		ExtAttr:         map[string]any{"attrs": []any{map[string]any{"type": 0.0, "name": "x", "value": -1.5e-7, "n": nil, "b": true, "big": 1e21}}},
		ExternalProfile: map[string]any{"external_attr": []any{}},
	})
	st := newState(org)
	apps := []*appState{nil, st.apps[DemoOpsAgentID], st.apps[DemoReportAgentID]}
	for _, m := range st.allMembers() {
		for _, a := range apps {
			got, want := st.appendView(nil, a, m), referenceJSON(st, a, m)
			if !bytes.Equal(got, want) {
				t.Fatalf("member %s, app %v:\ngot  %s\nwant %s", m.UserID, a != nil, got, want)
			}
		}
	}
}

// TestUserListAnswersWritesAndConcurrentReads lists the organisation while
// it changes, and checks that every list answered after a write shows it:
// the member's own change, and the change of its leader's userid.
func TestUserListAnswersWritesAndConcurrentReads(t *testing.T) {
	t.Parallel()
	s := startServer(t)
	c := contacts(t, s)
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			for range 20 {
				wantCode(t, c.get("user/list", "department_id", "1", "fetch_child", "1"), 0)
			}
		})
	}
	for i := range 20 {
		pos := "职位" + string(rune('A'+i))
		wantCode(t, c.post("user/update", map[string]any{"userid": "lisi", "position": pos}), 0)
		list := c.get("user/list", "department_id", "1", "fetch_child", "1")
		found := slices.ContainsFunc(list.list("userlist"), func(u any) bool {
			m := u.(map[string]any)
			return m["userid"] == "lisi" && m["position"] == pos
		})
		if !found {
			t.Fatalf("after update %d, user/list does not show position %s", i, pos)
		}
	}
	wg.Wait()

	// Members whose leader is renamed or deleted show it in the next list.
	leaders := func(id string) []any {
		for _, u := range c.get("user/list", "department_id", "1", "fetch_child", "1").list("userlist") {
			if m := u.(map[string]any); m["userid"] == id {
				return m["direct_leader"].([]any)
			}
		}
		t.Fatalf("%s not listed", id)
		return nil
	}
	wantCode(t, c.post("user/update", map[string]any{"userid": "zhangwei", "new_userid": "zhangwei2"}), 0)
	if got := leaders("zhangsan"); len(got) != 1 || got[0] != "zhangwei2" {
		t.Errorf("after renaming zhangwei, zhangsan's direct_leader = %v", got)
	}
	wantCode(t, c.get("user/delete", "userid", "liuyang"), 0)
	if got := leaders("lisi"); len(got) != 0 {
		t.Errorf("after deleting liuyang, lisi's direct_leader = %v", got)
	}
	resp := send(t, s, http.MethodGet, "user/list", c.withToken([]string{"department_id", "1"}), nil)
	var v map[string]json.RawMessage
	if err := json.NewDecoder(resp.Body).Decode(&v); err != nil || resp.ContentLength <= 0 {
		t.Fatalf("answer %v, Content-Length %d", err, resp.ContentLength)
	}
}
