package wecom

import (
	"context"
)

// TagService is the tag API group (标签管理).
//
// WeCom API docs: https://developer.work.weixin.qq.com/document/path/90209
type TagService service

// Tag is one tag of the corp.
type Tag struct {
	TagID   int    `json:"tagid"`
	TagName string `json:"tagname"`
}

// TagMembers is a tag's members and departments (tag/get).
type TagMembers struct {
	TagName   string      `json:"tagname"`
	UserList  []TagMember `json:"userlist"`
	PartyList []int       `json:"partylist"`
}

// TagMember is a member of a tag.
type TagMember struct {
	UserID string `json:"userid"`
	Name   string `json:"name"`
}

// TagChange reports the members and departments that tag/addtagusers or
// tag/deltagusers refused; WeCom applies the rest.
type TagChange struct {
	InvalidList  string `json:"invalidlist"`  // refused userids, "a|b"
	InvalidParty []int  `json:"invalidparty"` // refused department ids
}

// Create creates a tag and returns its id (创建标签).
//
// WeCom API docs: https://developer.work.weixin.qq.com/document/path/90210
func (s *TagService) Create(ctx context.Context, name string) (int, error) {
	id, err := memberOf[flexInt](ctx, s.client, s.CreateRequest(name), "tagid")
	return int(id), err
}
