package wecom

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
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

// CreateRequest is the request of Create.
func (s *TagService) CreateRequest(name string) *Request {
	return &Request{Method: http.MethodPost, API: "tag/create", Body: map[string]any{"tagname": name}}
}

// Create creates a tag and returns its id (创建标签).
//
// WeCom API docs: https://developer.work.weixin.qq.com/document/path/90210
func (s *TagService) Create(ctx context.Context, name string) (int, error) {
	var ans struct {
		TagID flexInt `json:"tagid"`
	}
	err := s.client.Do(ctx, s.CreateRequest(name), &ans)
	return int(ans.TagID), err
}

// UpdateRequest is the request of Update.
func (s *TagService) UpdateRequest(tagID int, name string) *Request {
	return &Request{Method: http.MethodPost, API: "tag/update", Body: map[string]any{"tagid": tagID, "tagname": name}}
}

// Update renames a tag (更新标签名字).
//
// WeCom API docs: https://developer.work.weixin.qq.com/document/path/90211
func (s *TagService) Update(ctx context.Context, tagID int, name string) error {
	return s.client.Do(ctx, s.UpdateRequest(tagID, name), nil)
}

// DeleteRequest is the request of Delete.
func (s *TagService) DeleteRequest(tagID int) *Request {
	return &Request{Method: http.MethodGet, API: "tag/delete", Query: url.Values{"tagid": {strconv.Itoa(tagID)}}}
}

// Delete deletes a tag (删除标签).
//
// WeCom API docs: https://developer.work.weixin.qq.com/document/path/90212
func (s *TagService) Delete(ctx context.Context, tagID int) error {
	return s.client.Do(ctx, s.DeleteRequest(tagID), nil)
}

// GetUsersRequest is the request of GetUsers.
func (s *TagService) GetUsersRequest(tagID int) *Request {
	return &Request{Method: http.MethodGet, API: "tag/get", Query: url.Values{"tagid": {strconv.Itoa(tagID)}}, Read: true}
}

// GetUsers reads a tag's members and departments (获取标签成员).
//
// WeCom API docs: https://developer.work.weixin.qq.com/document/path/90213
func (s *TagService) GetUsers(ctx context.Context, tagID int) (*TagMembers, error) {
	var m TagMembers
	if err := s.client.Do(ctx, s.GetUsersRequest(tagID), &m); err != nil {
		return nil, err
	}
	return &m, nil
}

// AddUsersRequest is the request of AddUsers.
func (s *TagService) AddUsersRequest(tagID int, userIDs []string) *Request {
	return &Request{Method: http.MethodPost, API: "tag/addtagusers", Body: map[string]any{"tagid": tagID, "userlist": userIDs}}
}

// AddUsers adds members to a tag (增加标签成员). Members WeCom refused are
// in the answer; the others were added.
//
// WeCom API docs: https://developer.work.weixin.qq.com/document/path/90214
func (s *TagService) AddUsers(ctx context.Context, tagID int, userIDs []string) (*TagChange, error) {
	var c TagChange
	if err := s.client.Do(ctx, s.AddUsersRequest(tagID, userIDs), &c); err != nil {
		return nil, err
	}
	return &c, nil
}

// DeleteUsersRequest is the request of DeleteUsers.
func (s *TagService) DeleteUsersRequest(tagID int, userIDs []string) *Request {
	return &Request{Method: http.MethodPost, API: "tag/deltagusers", Body: map[string]any{"tagid": tagID, "userlist": userIDs}}
}

// DeleteUsers removes members from a tag (删除标签成员).
//
// WeCom API docs: https://developer.work.weixin.qq.com/document/path/90215
func (s *TagService) DeleteUsers(ctx context.Context, tagID int, userIDs []string) (*TagChange, error) {
	var c TagChange
	if err := s.client.Do(ctx, s.DeleteUsersRequest(tagID, userIDs), &c); err != nil {
		return nil, err
	}
	return &c, nil
}

// ListRequest is the request of List.
func (s *TagService) ListRequest() *Request {
	return &Request{Method: http.MethodGet, API: "tag/list", Result: "taglist", Read: true}
}

// List returns every tag the application may see (获取标签列表).
//
// WeCom API docs: https://developer.work.weixin.qq.com/document/path/90216
func (s *TagService) List(ctx context.Context) ([]Tag, error) {
	var tags []Tag
	err := s.client.Do(ctx, s.ListRequest(), &tags)
	return tags, err
}
