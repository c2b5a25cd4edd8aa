package wecom

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"testing"
)

func TestExternalContactGroupChatService_List(t *testing.T) {
	t.Parallel()
	c, ts := setup(t)
	serveExample(t, ts, http.MethodPost, "groupchat/list", nil)
	got, err := c.ExternalContactGroupChat.List(t.Context(), &GroupChatQuery{
		OwnerFilter: &OwnerFilter{UserIDList: []string{"abel"}}, Cursor: "r9FqSqsI8fgNbHLHE5QoCP50UIg2cFQbfma3l2QsmwI", Limit: 10})
	want := &GroupChatPage{GroupChatList: []GroupChatStatus{{"wrOgQhDgAAMYQiS5ol9G7gK9JVAAAA", 0}, {"wrOgQhDgAAcwMTB7YmDkbeBsAAAA", 0}},
		NextCursor: "tJzlB9tdqfh-g7i_J-ehOz_TWcd7dSKa39_AqCIeMFw"}
	testResult(t, got, err, want)
	testRequestBody(t, c.ExternalContactGroupChat.ListRequest(&GroupChatQuery{StatusFilter: GroupChatOwnerLeft, Limit: 100}), `{"status_filter":1,"limit":100}`)
}

func TestExternalContactGroupChatService_ListAll(t *testing.T) {
	t.Parallel()
	c, ts := setup(t)
	ts.handle(t, "externalcontact/groupchat/list", func(w http.ResponseWriter, r *http.Request) {
		var q GroupChatQuery
		json.NewDecoder(r.Body).Decode(&q)
		if q.StatusFilter != 1 || q.OwnerFilter == nil || !slices.Equal(q.OwnerFilter.UserIDList, []string{"lisi"}) {
			t.Errorf("query = %+v", q)
		}
		if q.Cursor == "" {
			fmt.Fprint(w, `{"errcode":0,"errmsg":"ok","group_chat_list":[{"chat_id":"wr1","status":1}],"next_cursor":"N"}`)
			return
		}
		fmt.Fprint(w, `{"errcode":0,"errmsg":"ok","group_chat_list":[{"chat_id":"wr2","status":1}]}`)
	})
	var ids []string
	for chat, err := range c.ExternalContactGroupChat.ListAll(t.Context(), GroupChatQuery{StatusFilter: 1, OwnerFilter: &OwnerFilter{[]string{"lisi"}}, Limit: 1}) {
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, chat.ChatID)
	}
	if !slices.Equal(ids, []string{"wr1", "wr2"}) {
		t.Errorf("ids = %v", ids)
	}
}

func TestExternalContactGroupChatService_Get(t *testing.T) {
	t.Parallel()
	c, ts := setup(t)
	serveExample(t, ts, http.MethodPost, "groupchat/get", nil)
	got, err := c.ExternalContactGroupChat.Get(t.Context(), "wrOgQhDgAAMYQiS5ol9G7gK9JVAAAA", 1)
	if err != nil {
		t.Fatal(err)
	}
	if got.Name != "销售客服群" || got.Owner != "ZhuShengBen" || len(got.MemberList) != 2 || got.MemberList[0].Invitor.UserID != "jack" ||
		got.MemberList[1].UnionID != "ozynqsulJFCZ2z1aYeS8h-nuasdAAA" || got.MemberList[1].Name != "王语嫣" || len(got.AdminList) != 2 ||
		got.MemberVersion != "71217227bbd112ecfe3a49c482195cb4" {
		t.Errorf("got %+v", got)
	}
	testRequestBody(t, c.ExternalContactGroupChat.GetRequest("wr1", 0), `{"chat_id":"wr1"}`)
}

func TestExternalContactGroupChatService_Transfers(t *testing.T) {
	t.Parallel()
	c, ts := setup(t)
	serveExample(t, ts, http.MethodPost, "groupchat/transfer", nil)
	serveExample(t, ts, http.MethodPost, "groupchat/onjob_transfer", nil)
	ids := []string{"wrOgQhDgAAcwMTB7YmDkbeBsgT_AAAA", "wrOgQhDgAAMYQiS5ol9G7gK9JVQUAAAA"}
	failed, err := c.ExternalContactGroupChat.Transfer(t.Context(), ids, "zhangsan")
	if err != nil || len(failed) != 1 || failed[0].ErrCode != 90500 || failed[0].ChatID != ids[0] {
		t.Errorf("Transfer = %+v, %v", failed, err)
	}
	failed, err = c.ExternalContactGroupChat.OnJobTransfer(t.Context(), ids, "zhangsan")
	if err != nil || len(failed) != 1 || failed[0].ErrCode != 90501 || failed[0].ErrMsg != "chat is not external group chat" {
		t.Errorf("OnJobTransfer = %+v, %v", failed, err)
	}
}
