package bindings

// wecom.external_contact (客户联系) and wecom.external_contact_group_chat
// (客户群管理): the functions written by hand.
//
//	external_contact.gen_all_by_user(userid, limit?) -> table[]   every {external_contact, follow_info}
//	external_contact.get_group_chat_list(limit, status_filter?, owner_filter?, cursor?) -> table
//	external_contact.get_group_chat_info(chat_id) -> table
//	external_contact_group_chat.list(status_filter?, owner_userid_list?, cursor?, limit?) -> table
//	external_contact_group_chat.list_all(status_filter?, owner_userid_list?, limit?) -> table[]   every {chat_id, status}
//
// The others are generated from the method table. Every function returns
// WeCom's whole answer, as wechatpy does, except the list_all and gen_all
// functions, which return the items of every page.

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/wecomrunner/runner/wecom"
)

// externalContactGenAllByUser is external_contact.gen_all_by_user: every
// page of batch/get_by_user.
func externalContactGenAllByUser(a *args) call {
	c, ids, limit := a.client, a.list("userid"), a.int("limit")
	return allPages(c, "external_contact_list", func(cursor string) *wecom.Request {
		return c.ExternalContact.BatchGetByUserRequest(ids, cursor, limit)
	})
}

// externalContactGetGroupChatList is external_contact.get_group_chat_list,
// wechatpy's older form of external_contact_group_chat.list.
func externalContactGetGroupChatList(a *args) call {
	q := &wecom.GroupChatQuery{StatusFilter: a.int("status_filter"), Cursor: a.str("cursor"), Limit: a.int("limit")}
	if a.has("owner_filter") {
		q.OwnerFilter = &wecom.OwnerFilter{}
		a.decode("owner_filter", q.OwnerFilter)
	}
	return send(a, a.client.ExternalContactGroupChat.ListRequest(q))
}

// externalContactGetGroupChatInfo is external_contact.get_group_chat_info,
// wechatpy's older form of external_contact_group_chat.get.
func externalContactGetGroupChatInfo(a *args) call {
	return send(a, a.client.ExternalContactGroupChat.GetRequest(a.str("chat_id"), 0))
}

// externalContactGroupChatList is external_contact_group_chat.list.
func externalContactGroupChatList(a *args) call {
	q := groupChatQuery(a)
	q.Cursor = a.str("cursor")
	return send(a, a.client.ExternalContactGroupChat.ListRequest(q))
}

// externalContactGroupChatListAll is external_contact_group_chat.list_all:
// every page of groupchat/list.
func externalContactGroupChatListAll(a *args) call {
	c, q := a.client, groupChatQuery(a)
	return allPages(c, "group_chat_list", func(cursor string) *wecom.Request {
		page := *q
		page.Cursor = cursor
		return c.ExternalContactGroupChat.ListRequest(&page)
	})
}

// allPages reads every page of a list paged by next_cursor, each page's
// request made by req from the cursor, and returns the items of the member
// list of every page, as WeCom sent them.
func allPages(c *wecom.Client, list string, req func(cursor string) *wecom.Request) call {
	return func(ctx context.Context) (any, error) {
		rows := []any{}
		pages := wecom.CursorPages(ctx, req("").API, func(ctx context.Context, cursor string) ([]json.RawMessage, string, error) {
			var page map[string]json.RawMessage
			if err := c.Do(ctx, req(cursor), &page); err != nil {
				return nil, "", err
			}
			var items []json.RawMessage
			var next string
			if raw, ok := page[list]; ok {
				if err := json.Unmarshal(raw, &items); err != nil {
					return nil, "", fmt.Errorf("wecom %s: %s: %w", req(cursor).API, list, err)
				}
			}
			if raw, ok := page["next_cursor"]; ok {
				if err := json.Unmarshal(raw, &next); err != nil {
					return nil, "", fmt.Errorf("wecom %s: next_cursor: %w", req(cursor).API, err)
				}
			}
			return items, next, nil
		})
		for item, err := range pages {
			if err != nil {
				return nil, err
			}
			rows = append(rows, item)
		}
		return rows, nil
	}
}

// groupChatQuery is the query of external_contact_group_chat.list and
// list_all: owner_userid_list becomes WeCom's owner_filter.
func groupChatQuery(a *args) *wecom.GroupChatQuery {
	q := &wecom.GroupChatQuery{StatusFilter: a.int("status_filter"), Limit: a.int("limit")}
	if owners := a.list("owner_userid_list"); owners != nil {
		q.OwnerFilter = &wecom.OwnerFilter{UserIDList: owners}
	}
	return q
}
