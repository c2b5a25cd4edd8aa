package wecom

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"reflect"
	"slices"
	"testing"
)

// officialExamples are the request and response examples of the official
// pages of the customer contact API, shared with the emulator's tests.
var officialExamples = readExamples("emulator/testdata/externalcontact_examples.json")

// readExamples reads a file of official examples, by API.
func readExamples(name string) map[string]struct{ Request, Response json.RawMessage } {
	data, err := os.ReadFile(name)
	if err != nil {
		panic(err)
	}
	var m map[string]struct{ Request, Response json.RawMessage }
	if err := json.Unmarshal(data, &m); err != nil {
		panic(err)
	}
	return m
}

// serveExample registers externalcontact/api on ts with its official
// example (see serveFrom).
func serveExample(t *testing.T, ts *testServer, method, api string, query url.Values) {
	t.Helper()
	serveFrom(t, ts, officialExamples, method, "externalcontact/"+api, query)
}

// serveFrom registers api on ts: it checks the method and query and, for a
// POST, that the body is the official request example of examples, then
// answers the official response example.
func serveFrom(t *testing.T, ts *testServer, examples map[string]struct{ Request, Response json.RawMessage }, method, api string, query url.Values) {
	t.Helper()
	ex, ok := examples[api]
	if !ok {
		t.Fatalf("no official example of %s", api)
	}
	ts.handle(t, api, func(w http.ResponseWriter, r *http.Request) {
		testMethod(t, r, method)
		testQuery(t, r, query)
		if method == http.MethodPost {
			testJSONBody(t, r, string(ex.Request))
		}
		w.Write(ex.Response)
	})
}

// TestExternalContactService_Lists: the methods answering a list of ids,
// against the reference's examples.
func TestExternalContactService_Lists(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, example string
		query         url.Values
		call          func(*Client, context.Context) ([]string, error)
		want          []string
	}{
		{"GetFollowUserList", "get_follow_user_list", nil,
			func(c *Client, ctx context.Context) ([]string, error) {
				return c.ExternalContact.GetFollowUserList(ctx)
			},
			[]string{"zhangsan", "lissi"}},
		{"List", "list", url.Values{"userid": {"zhangsan"}},
			func(c *Client, ctx context.Context) ([]string, error) { return c.ExternalContact.List(ctx, "zhangsan") },
			[]string{"woAJ2GCAAAXtWyujaWJHDDGi0mACAAA", "wmqfasd1e1927831291723123109rAAA"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, ts := setup(t)
			serveExample(t, ts, http.MethodGet, tt.example, tt.query)
			got, err := tt.call(c, t.Context())
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
}

func TestExternalContactService_Get(t *testing.T) {
	t.Parallel()
	c, ts := setup(t)
	serveExample(t, ts, http.MethodGet, "get", url.Values{"external_userid": {"woAJ2GCAAAXtWyujaWJHDDGi0mACHAAA"}})
	got, err := c.ExternalContact.Get(t.Context(), "woAJ2GCAAAXtWyujaWJHDDGi0mACHAAA", "")
	if err != nil {
		t.Fatal(err)
	}
	ec := got.ExternalContact
	if ec.Name != "李四" || ec.Type != 2 || ec.CorpFullName != "腾讯科技有限公司" || len(ec.ExternalProfile.ExternalAttr) != 3 ||
		ec.ExternalProfile.ExternalAttr[1].Web.URL != "http://www.test.com" {
		t.Errorf("external_contact = %+v", ec)
	}
	if len(got.FollowUser) != 2 || got.NextCursor != "NEXT_CURSOR" {
		t.Fatalf("got %+v", got)
	}
	f := got.FollowUser[0]
	want := FollowUserTag{GroupName: "标签分组名称", TagName: "标签名称", TagID: "etAJ2GCAAAXtWyujaWJHDDGi0mACHAAA", Type: 1}
	if f.UserID != "rocky" || f.CreateTime != 1525779812 || len(f.Tags) != 3 || f.Tags[0] != want ||
		!slices.Equal(f.RemarkMobiles, []string{"13800000001", "13000000002"}) || f.AddWay != 1 {
		t.Errorf("follow_user[0] = %+v", f)
	}
	if s := got.FollowUser[1]; s.State != "外联二维码1" || s.OperUserID != "woAJ2GCAAAd1asdasdjO4wKmE8Aabj9AAA" || s.AddWay != 3 {
		t.Errorf("follow_user[1] = %+v", s)
	}
	// The cursor is sent when given.
	if q := c.ExternalContact.GetRequest("wmX", "NEXT").Query; q.Get("cursor") != "NEXT" || q.Get("external_userid") != "wmX" {
		t.Errorf("query = %v", q)
	}
}

func TestExternalContactService_BatchGetByUser(t *testing.T) {
	t.Parallel()
	c, ts := setup(t)
	// The official example sends cursor ""; the client leaves it out.
	ex := officialExamples["externalcontact/batch/get_by_user"]
	ts.post(t, "externalcontact/batch/get_by_user", `{"userid_list":["zhangsan","lisi"],"limit":100}`, string(ex.Response))
	got, err := c.ExternalContact.BatchGetByUser(t.Context(), []string{"zhangsan", "lisi"}, "", 100)
	if err != nil {
		t.Fatal(err)
	}
	if len(got.ExternalContactList) != 2 || got.NextCursor != "r9FqSqsI8fgNbHLHE5QoCP50UIg2cFQbfma3l2QsmwI" {
		t.Fatalf("got %+v", got)
	}
	second := got.ExternalContactList[1]
	if second.ExternalContact.Name != "王五" || second.FollowInfo.UserID != "lisi" ||
		!slices.Equal(second.FollowInfo.TagID, []string{"etAJ2GCAAAXtWyujaWJHDDGi0mACHAAA", "stJHDDGi0mAGi0mACHBBByujaW"}) {
		t.Errorf("second = %+v", second)
	}
}

func TestExternalContactService_AllByUser(t *testing.T) {
	t.Parallel()
	c, ts := setup(t)
	var cursors []string
	ts.handle(t, "externalcontact/batch/get_by_user", func(w http.ResponseWriter, r *http.Request) {
		var req struct {
			UserIDList []string `json:"userid_list"`
			Cursor     string   `json:"cursor"`
			Limit      int      `json:"limit"`
		}
		json.NewDecoder(r.Body).Decode(&req)
		cursors = append(cursors, req.Cursor)
		if req.Limit != 2 || !slices.Equal(req.UserIDList, []string{"zhangsan"}) {
			t.Errorf("request = %+v", req)
		}
		switch req.Cursor {
		case "":
			fmt.Fprint(w, `{"errcode":0,"errmsg":"ok","external_contact_list":[{"external_contact":{"external_userid":"wm1"}},{"external_contact":{"external_userid":"wm2"}}],"next_cursor":"P2"}`)
		case "P2":
			fmt.Fprint(w, `{"errcode":0,"errmsg":"ok","external_contact_list":[{"external_contact":{"external_userid":"wm3"}}],"next_cursor":""}`)
		case "STUCK":
			fmt.Fprint(w, `{"errcode":0,"errmsg":"ok","external_contact_list":[],"next_cursor":"STUCK"}`)
		}
	})
	var ids []string
	for info, err := range c.ExternalContact.AllByUser(t.Context(), []string{"zhangsan"}, 2) {
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, info.ExternalContact.ExternalUserID)
	}
	if !slices.Equal(ids, []string{"wm1", "wm2", "wm3"}) || !slices.Equal(cursors, []string{"", "P2"}) {
		t.Errorf("ids %v, cursors %v", ids, cursors)
	}
}

func TestCursorPages_StuckCursor(t *testing.T) {
	t.Parallel()
	pages := CursorPages(t.Context(), "x/list", func(_ context.Context, cursor string) ([]int, string, error) {
		return []int{1}, "same", nil
	})
	var n int
	var err error
	for _, e := range pages {
		if err = e; err != nil {
			break
		}
		n++
	}
	var stuck *StuckCursorError
	if n != 2 || !errors.As(err, &stuck) || stuck.API != "x/list" {
		t.Errorf("items %d, err %v; want 2 items then a stuck cursor", n, err)
	}
}

func TestExternalContactService_GetUnassignedList(t *testing.T) {
	t.Parallel()
	c, ts := setup(t)
	ex := officialExamples["externalcontact/get_unassigned_list"]
	ts.post(t, "externalcontact/get_unassigned_list", `{"page_size":100,"cursor":"C1"}`, string(ex.Response))
	got, err := c.ExternalContact.GetUnassignedList(t.Context(), 0, 100, "C1")
	if err != nil {
		t.Fatal(err)
	}
	want := UnassignedCustomer{HandoverUserID: "zhangsan", ExternalUserID: "woAJ2GCAAAd4uL12hdfsdasassdDmAAAAA", DimissionTime: 1550838571}
	if len(got.Info) != 2 || got.Info[0] != want || got.IsLast || got.NextCursor != "aSfwejksvhToiMMfFeIGZZ" {
		t.Errorf("got %+v", got)
	}
	testRequestBody(t, c.ExternalContact.GetUnassignedListRequest(2, 1000, ""), `{"page_id":2,"page_size":1000}`)
}

func TestExternalContactService_TransferCustomer(t *testing.T) {
	t.Parallel()
	c, ts := setup(t)
	serveExample(t, ts, http.MethodPost, "transfer_customer", nil)
	got, err := c.ExternalContact.TransferCustomer(t.Context(), "zhangsan", "lisi",
		[]string{"woAJ2GCAAAXtWyujaWJHDDGi0mACAAAA", "woAJ2GCAAAXtWyujaWJHDDGi0mACBBBB"},
		"您好，您的服务已升级，后续将由我的同事李四@腾讯接替我的工作，继续为您服务。")
	want := []CustomerTransfer{{"woAJ2GCAAAXtWyujaWJHDDGi0mACAAAA", 40096}, {"woAJ2GCAAAXtWyujaWJHDDGi0mACBBBB", 0}}
	testResult(t, got, err, want)
}

func TestExternalContactService_ResignedTransferCustomer(t *testing.T) {
	t.Parallel()
	c, ts := setup(t)
	serveExample(t, ts, http.MethodPost, "resigned/transfer_customer", nil)
	got, err := c.ExternalContact.ResignedTransferCustomer(t.Context(), "zhangsan", "lisi",
		[]string{"woAJ2GCAAAXtWyujaWJHDDGi0mACBBBB", "woAJ2GCAAAXtWyujaWJHDDGi0mACAAAA"})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].ErrCode != 0 || got[1].ErrCode != 40096 {
		t.Errorf("got %+v", got)
	}
}

func TestExternalContactService_TransferResults(t *testing.T) {
	t.Parallel()
	c, ts := setup(t)
	serveExample(t, ts, http.MethodPost, "transfer_result", nil)
	serveExample(t, ts, http.MethodPost, "resigned/transfer_result", nil)
	want := &TransferResultPage{Customer: []TransferStatus{
		{"woAJ2GCAAAXtWyujaWJHDDGi0mACCCC", TransferDone, 1588262400},
		{"woAJ2GCAAAXtWyujaWJHDDGi0mACBBBB", TransferWaiting, 1588482400},
		{"woAJ2GCAAAXtWyujaWJHDDGi0mACAAAA", TransferRefused, 0},
	}, NextCursor: "NEXT_CURSOR"}
	got, err := c.ExternalContact.TransferResult(t.Context(), "zhangsan", "lisi", "CURSOR")
	if err != nil || !reflect.DeepEqual(got, want) {
		t.Errorf("TransferResult = %+v, %v; want %+v", got, err, want)
	}
	got, err = c.ExternalContact.ResignedTransferResult(t.Context(), "zhangsan", "lisi", "CURSOR")
	if err != nil || !reflect.DeepEqual(got, want) {
		t.Errorf("ResignedTransferResult = %+v, %v; want %+v", got, err, want)
	}
}

func TestExternalContactService_CorpTags(t *testing.T) {
	t.Parallel()
	c, ts := setup(t)
	for _, api := range []string{"get_corp_tag_list", "add_corp_tag", "edit_corp_tag", "del_corp_tag", "mark_tag"} {
		serveExample(t, ts, http.MethodPost, api, nil)
	}
	ctx := t.Context()
	groups, err := c.ExternalContact.GetCorpTagList(ctx, []string{"etXXXXXXXXXX", "etYYYYYYYYYY"}, []string{"etZZZZZZZZZZZZZ", "etYYYYYYYYYYYYY"})
	if err != nil {
		t.Fatal(err)
	}
	if len(groups) != 1 || groups[0].GroupID != "TAG_GROUPID1" || len(groups[0].Tag) != 2 || !groups[0].Tag[1].Deleted || groups[0].Tag[0].CreateTime != 1557838797 {
		t.Errorf("GetCorpTagList = %+v", groups)
	}
	g, err := c.ExternalContact.AddCorpTag(ctx, &CorpTagGroup{GroupID: "GROUP_ID", GroupName: "GROUP_NAME", Order: 1,
		Tag: []CorpTag{{Name: "TAG_NAME_1", Order: 1}, {Name: "TAG_NAME_2", Order: 2}}})
	if err != nil {
		t.Fatal(err)
	}
	if g.GroupID != "TAG_GROUPID1" || len(g.Tag) != 2 || g.Tag[1].ID != "TAG_ID2" {
		t.Errorf("AddCorpTag = %+v", g)
	}
	if err := c.ExternalContact.EditCorpTag(ctx, "TAG_ID", "NEW_TAG_NAME", 1); err != nil {
		t.Error(err)
	}
	if err := c.ExternalContact.DeleteCorpTag(ctx, []string{"TAG_ID_1", "TAG_ID_2"}, []string{"GROUP_ID_1", "GROUP_ID_2"}); err != nil {
		t.Error(err)
	}
	if err := c.ExternalContact.MarkTag(ctx, "zhangsan", "woAJ2GCAAAd1NPGHKSD4wKmE8Aabj9AAA", []string{"TAGID1", "TAGID2"}, []string{"TAGID3", "TAGID4"}); err != nil {
		t.Error(err)
	}
	// Left-out arguments are left out of the request.
	testRequestBody(t, c.ExternalContact.GetCorpTagListRequest(nil, nil), `{}`)
	testRequestBody(t, c.ExternalContact.EditCorpTagRequest("T", "", 0), `{"id":"T"}`)
	testRequestBody(t, c.ExternalContact.DeleteCorpTagRequest(nil, []string{"G"}), `{"group_id":["G"]}`)
}

func TestExternalContactService_Errcode(t *testing.T) {
	t.Parallel()
	c, ts := setup(t)
	ts.answer(t, "externalcontact/list", `{"errcode":84061,"errmsg":"not external contact","external_userid":[]}`)
	_, err := c.ExternalContact.List(t.Context(), "zhangsan")
	var apiErr *APIError
	if !errors.As(err, &apiErr) || apiErr.Code != 84061 || apiErr.API != "externalcontact/list" {
		t.Errorf("err = %v, want errcode 84061", err)
	}
}

func TestExternalContactService_DryRun(t *testing.T) {
	t.Parallel()
	var held []DryRun
	c, _ := setup(t, WithDryRun(func(d DryRun) { held = append(held, d) }))
	got, err := c.ExternalContact.ResignedTransferCustomer(t.Context(), "zhangsan", "lisi", []string{"wm1"})
	if err != nil || len(got) != 0 {
		t.Errorf("dry run = %v, %v; want no customer listed and no error", got, err)
	}
	failed, err := c.ExternalContactGroupChat.Transfer(t.Context(), []string{"wr1"}, "lisi")
	if err != nil || len(failed) != 0 {
		t.Errorf("dry run of a group transfer = %v, %v", failed, err)
	}
	if len(held) != 2 || held[0].API != "externalcontact/resigned/transfer_customer" || held[1].API != "externalcontact/groupchat/transfer" {
		t.Errorf("held back %+v", held)
	}
}
