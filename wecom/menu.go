package wecom

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
)

// MenuService is the application menu API group (自定义菜单).
//
// WeCom API docs: https://developer.work.weixin.qq.com/document/path/90230
type MenuService service

// Menu is an application's menu: at most 3 buttons, each with at most 5
// sub-buttons.
type Menu struct {
	Button []MenuButton `json:"button"`
}

// MenuButton is a button of a menu: an action (Type and its fields), or a
// sub-menu (Name and SubButton).
type MenuButton struct {
	// Type is click, view, scancode_push, scancode_waitmsg, pic_sysphoto,
	// pic_photo_or_album, pic_weixin, location_select or view_miniprogram.
	Type      string       `json:"type,omitempty"`
	Name      string       `json:"name"`
	Key       string       `json:"key,omitempty"`      // the event key of click and the scan, photo and location types
	URL       string       `json:"url,omitempty"`      // the page of view
	AppID     string       `json:"appid,omitempty"`    // the mini program of view_miniprogram
	PagePath  string       `json:"pagepath,omitempty"` // its page
	SubButton []MenuButton `json:"sub_button,omitempty"`
}

// menuQuery is the query of the menu calls.
func menuQuery(agentID int) url.Values {
	return url.Values{"agentid": {strconv.Itoa(agentID)}}
}

// CreateRequest is the request of Create. menu is the body: a *Menu, or any
// value that encodes as one.
func (s *MenuService) CreateRequest(agentID int, menu any) *Request {
	return &Request{Method: http.MethodPost, API: "menu/create", Query: menuQuery(agentID), Body: menu}
}

// Create sets an application's menu (创建菜单).
//
// WeCom API docs: https://developer.work.weixin.qq.com/document/path/90231
func (s *MenuService) Create(ctx context.Context, agentID int, menu *Menu) error {
	return s.client.Do(ctx, s.CreateRequest(agentID, menu), nil)
}

// Get reads an application's menu (获取菜单).
//
// WeCom API docs: https://developer.work.weixin.qq.com/document/path/90232
func (s *MenuService) Get(ctx context.Context, agentID int) (*Menu, error) {
	// WeCom documents the buttons at the top of the answer; some answers
	// wrap them in "menu", as the WeChat official account API does.
	var ans struct {
		Menu
		Wrapped *Menu `json:"menu"`
	}
	if err := s.client.Do(ctx, s.GetRequest(agentID), &ans); err != nil {
		return nil, err
	}
	if ans.Wrapped != nil {
		return ans.Wrapped, nil
	}
	return &ans.Menu, nil
}

// Update replaces an application's menu: Delete, then Create.
func (s *MenuService) Update(ctx context.Context, agentID int, menu *Menu) error {
	if err := s.Delete(ctx, agentID); err != nil {
		return err
	}
	return s.Create(ctx, agentID, menu)
}
