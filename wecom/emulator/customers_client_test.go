package emulator_test

import (
	"slices"
	"testing"
	"time"

	"github.com/wecomrunner/runner/wecom"
	"github.com/wecomrunner/runner/wecom/emulator"
)

// TestClientExternalContact drives the customer contact API through the
// typed client: reads, corp tags, and the offboarding of a salesperson.
func TestClientExternalContact(t *testing.T) {
	t.Parallel()
	clock, srv := clockedServer(t, time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC))
	ctx := t.Context()
	c := appClient(srv, emulator.DemoCustomerAgentID)
	ec, gc := c.ExternalContact, c.ExternalContactGroupChat

	follow, err := ec.GetFollowUserList(ctx)
	noError(t, err, "GetFollowUserList")
	if !slices.Contains(follow, "linfeng") || slices.Contains(follow, "wangwu") {
		t.Errorf("follow users = %v", follow)
	}
	ids, err := ec.List(ctx, "linfeng")
	noError(t, err, "List")
	if len(ids) != 4 {
		t.Fatalf("linfeng's customers = %v", ids)
	}
	cu, err := ec.Get(ctx, ids[1], "")
	noError(t, err, "Get")
	if cu.ExternalContact.Name != "李明" || cu.ExternalContact.CorpName != "宏达制造" || len(cu.FollowUser) != 1 ||
		cu.FollowUser[0].Tags[0].TagName != "重点客户" {
		t.Errorf("Get = %+v", cu)
	}
	_, err = ec.Get(ctx, "wmNobody", "")
	wantAPIError(t, err, "externalcontact/get", 40096)
	page, err := ec.BatchGetByUser(ctx, []string{"linfeng"}, "", 3)
	noError(t, err, "BatchGetByUser")
	if len(page.ExternalContactList) != 3 || page.NextCursor == "" {
		t.Errorf("first page of 3 = %+v", page)
	}
	var all []string
	for info, err := range ec.AllByUser(ctx, []string{"linfeng", "heyan"}, 1) {
		noError(t, err, "AllByUser")
		all = append(all, info.FollowInfo.UserID+":"+info.ExternalContact.Name)
	}
	if len(all) != 6 || all[0] != "linfeng:王建国" || all[5] != "heyan:刘芳" {
		t.Errorf("AllByUser = %v", all)
	}

	// Corp tags.
	g, err := ec.AddCorpTag(ctx, &wecom.CorpTagGroup{GroupName: "跟进阶段", Tag: []wecom.CorpTag{{Name: "初次接触"}, {Name: "已签约", Order: 9}}})
	noError(t, err, "AddCorpTag")
	if len(g.Tag) != 2 || g.Tag[0].Name != "已签约" {
		t.Fatalf("AddCorpTag = %+v, want two tags, larger order first", g)
	}
	signed := g.Tag[0].ID
	noError(t, ec.EditCorpTag(ctx, signed, "已成交", 0), "EditCorpTag")
	noError(t, ec.MarkTag(ctx, "heyan", ids[0], []string{signed}, nil), "MarkTag")
	groups, err := ec.GetCorpTagList(ctx, []string{signed}, nil)
	noError(t, err, "GetCorpTagList")
	if len(groups) != 1 || groups[0].GroupName != "跟进阶段" || len(groups[0].Tag) != 1 || groups[0].Tag[0].Name != "已成交" {
		t.Errorf("GetCorpTagList(%s) = %+v", signed, groups)
	}
	noError(t, ec.DeleteCorpTag(ctx, nil, []string{g.GroupID}), "DeleteCorpTag")
	err = ec.MarkTag(ctx, "heyan", ids[0], []string{signed}, nil)
	wantAPIError(t, err, "externalcontact/mark_tag", 40068)

	// An in-post transfer waits a day.
	moved, err := ec.TransferCustomer(ctx, "heyan", "dongxue", []string{"wmTFcustLiuFang000000000000000A"}, "")
	noError(t, err, "TransferCustomer")
	if len(moved) != 1 || moved[0].ErrCode != 0 {
		t.Errorf("TransferCustomer = %+v", moved)
	}
	res, err := ec.TransferResult(ctx, "heyan", "dongxue", "")
	noError(t, err, "TransferResult")
	if len(res.Customer) != 1 || res.Customer[0].Status != wecom.TransferWaiting || res.Customer[0].TakeoverTime != clock.Now().Add(24*time.Hour).Unix() {
		t.Errorf("TransferResult = %+v", res)
	}

	// linfeng leaves; his manager guoqiang takes over his customers and groups.
	noError(t, contactsClient(srv).User.Delete(ctx, "linfeng"), "User.Delete")
	un, err := ec.GetUnassignedList(ctx, 0, 1000, "")
	noError(t, err, "GetUnassignedList")
	if len(un.Info) != 4 || !un.IsLast || un.Info[0].HandoverUserID != "linfeng" || un.Info[0].DimissionTime != clock.Now().Unix() {
		t.Fatalf("GetUnassignedList = %+v", un)
	}
	var leftIDs []string
	for _, u := range un.Info {
		leftIDs = append(leftIDs, u.ExternalUserID)
	}
	moved, err = ec.ResignedTransferCustomer(ctx, "linfeng", "guoqiang", leftIDs)
	noError(t, err, "ResignedTransferCustomer")
	if len(moved) != 4 || slices.ContainsFunc(moved, func(m wecom.CustomerTransfer) bool { return m.ErrCode != 0 }) {
		t.Errorf("ResignedTransferCustomer = %+v", moved)
	}
	var chats []string
	for chat, err := range gc.ListAll(ctx, wecom.GroupChatQuery{StatusFilter: wecom.GroupChatOwnerLeft, OwnerFilter: &wecom.OwnerFilter{UserIDList: []string{"linfeng"}}, Limit: 1}) {
		noError(t, err, "ListAll")
		chats = append(chats, chat.ChatID)
	}
	if len(chats) != 2 {
		t.Fatalf("linfeng's groups = %v", chats)
	}
	failed, err := gc.Transfer(ctx, chats, "guoqiang")
	noError(t, err, "Transfer")
	if len(failed) != 0 {
		t.Errorf("Transfer failed for %+v", failed)
	}
	chat, err := gc.Get(ctx, chats[0], 1)
	noError(t, err, "Get")
	names := map[string]string{}
	for _, m := range chat.MemberList {
		names[m.UserID] = m.Name
	}
	if _, left := names["linfeng"]; chat.Owner != "guoqiang" || names["guoqiang"] != "郭强" || names["heyan"] != "何燕" || left {
		t.Errorf("group after the transfer = %+v", chat)
	}
	p, err := gc.List(ctx, &wecom.GroupChatQuery{StatusFilter: wecom.GroupChatInheritDone, OwnerFilter: &wecom.OwnerFilter{UserIDList: []string{"guoqiang"}}, Limit: 10})
	noError(t, err, "List")
	if len(p.GroupChatList) != 2 {
		t.Errorf("inherited groups = %+v", p)
	}
	failed, err = gc.OnJobTransfer(ctx, []string{chats[0]}, "guoqiang")
	noError(t, err, "OnJobTransfer")
	if len(failed) != 1 || failed[0].ErrCode != 90504 {
		t.Errorf("OnJobTransfer to the owner = %+v, want 90504", failed)
	}

	clock.Add(24 * time.Hour)
	res, err = ec.ResignedTransferResult(ctx, "linfeng", "guoqiang", "")
	noError(t, err, "ResignedTransferResult")
	if len(res.Customer) != 4 || slices.ContainsFunc(res.Customer, func(s wecom.TransferStatus) bool { return s.Status != wecom.TransferDone }) {
		t.Errorf("ResignedTransferResult a day later = %+v", res)
	}
	mine, err := ec.List(ctx, "guoqiang")
	noError(t, err, "List")
	if len(mine) != 4 {
		t.Errorf("guoqiang's customers = %v, want linfeng's four (陈强 already his)", mine)
	}
}
