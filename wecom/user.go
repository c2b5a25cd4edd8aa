package wecom

import (
	"context"
	"iter"
	"net/http"
	"net/url"
	"strconv"
)

// UserService is the member API group (成员管理).
//
// WeCom API docs: https://developer.work.weixin.qq.com/document/path/90194
type UserService service

// User is a member of the corp as user/get and user/list return it. Apps
// created after 2022-06-20 do not receive the sensitive fields (avatar,
// gender, mobile, email, biz_mail, qr_code, address): they come back empty.
type User struct {
	UserID           string          `json:"userid"`
	Name             string          `json:"name"`
	Department       []int           `json:"department"`        // the departments the member is in
	Order            []int           `json:"order"`             // the member's order in each department, larger first
	Position         string          `json:"position"`          // job title (职务)
	Mobile           string          `json:"mobile"`            // mobile number
	Gender           string          `json:"gender"`            // "0" unknown, "1" male, "2" female
	Email            string          `json:"email"`             // personal email
	BizMail          string          `json:"biz_mail"`          // corp email
	IsLeaderInDept   []int           `json:"is_leader_in_dept"` // 1 where the member leads the department at the same index
	DirectLeader     []string        `json:"direct_leader"`     // userids of the member's direct superiors
	Avatar           string          `json:"avatar"`            // avatar URL
	ThumbAvatar      string          `json:"thumb_avatar"`      // thumbnail avatar URL
	Telephone        string          `json:"telephone"`         // landline
	Alias            string          `json:"alias"`             // English name or alias
	Address          string          `json:"address"`           // office address
	OpenUserID       string          `json:"open_userid"`       // the member's id for third-party apps
	MainDepartment   int             `json:"main_department"`   // the main department
	ExtAttr          ExtAttr         `json:"extattr"`           // custom fields
	Status           int             `json:"status"`            // 1 active, 2 disabled, 4 not activated, 5 left the corp
	QRCode           string          `json:"qr_code"`           // the member's personal QR code URL
	ExternalPosition string          `json:"external_position"` // job title shown to external contacts
	ExternalProfile  ExternalProfile `json:"external_profile"`  // profile shown to external contacts

	// Fields of older answers.
	Enable      int    `json:"enable"`       // 1 enabled, 0 disabled
	IsLeader    int    `json:"isleader"`     // 1 when the member leads a department
	HideMobile  int    `json:"hide_mobile"`  // 1 when the mobile number is hidden
	EnglishName string `json:"english_name"` // English name, now alias
}

// ExtAttr is a member's custom fields (扩展属性).
type ExtAttr struct {
	Attrs []UserAttr `json:"attrs"`
}

// UserAttr is one custom field of a member. Type says which of Text, Web and
// MiniProgram holds the value.
type UserAttr struct {
	Type        int              `json:"type"` // 0 text, 1 web page, 2 mini program
	Name        string           `json:"name"`
	Text        *AttrText        `json:"text,omitempty"`
	Web         *AttrWeb         `json:"web,omitempty"`
	MiniProgram *AttrMiniProgram `json:"miniprogram,omitempty"`
	// Value is the field's value in the older form {name, value}.
	Value string `json:"value,omitempty"`
}

// AttrText is the value of a text custom field.
type AttrText struct {
	Value string `json:"value"`
}

// AttrWeb is the value of a web page custom field.
type AttrWeb struct {
	URL   string `json:"url"`
	Title string `json:"title"`
}

// AttrMiniProgram is the value of a mini program custom field.
type AttrMiniProgram struct {
	AppID    string `json:"appid"`
	PagePath string `json:"pagepath"`
	Title    string `json:"title"`
}

// ExternalProfile is what external contacts see of a member (对外属性).
type ExternalProfile struct {
	ExternalCorpName string         `json:"external_corp_name"`
	WechatChannels   WechatChannels `json:"wechat_channels"`
	ExternalAttr     []UserAttr     `json:"external_attr"`
}

// WechatChannels is the WeChat Channels account (视频号) on a member's
// external profile.
type WechatChannels struct {
	Nickname string `json:"nickname"`
	Status   int    `json:"status"` // 1 shown, 2 hidden
}

// UserInput is the body of Create and Update: the fields to set. Zero values
// are left out; only UserID is always sent.
type UserInput struct {
	UserID           string           `json:"userid"`
	NewUserID        string           `json:"new_userid,omitempty"` // Update only: a new userid, allowed once for generated ones
	Name             string           `json:"name,omitempty"`       // required on Create
	Alias            string           `json:"alias,omitempty"`
	Mobile           string           `json:"mobile,omitempty"` // Create needs a mobile or an email
	Department       []int            `json:"department,omitempty"`
	Order            []int            `json:"order,omitempty"`
	Position         string           `json:"position,omitempty"`
	Gender           string           `json:"gender,omitempty"` // "1" male, "2" female
	Email            string           `json:"email,omitempty"`
	BizMail          string           `json:"biz_mail,omitempty"`
	Telephone        string           `json:"telephone,omitempty"`
	IsLeaderInDept   []int            `json:"is_leader_in_dept,omitempty"`
	DirectLeader     []string         `json:"direct_leader,omitempty"`
	Enable           *int             `json:"enable,omitempty"` // 1 enabled, 0 disabled
	AvatarMediaID    string           `json:"avatar_mediaid,omitempty"`
	Address          string           `json:"address,omitempty"`
	MainDepartment   int              `json:"main_department,omitempty"`
	ExtAttr          *ExtAttr         `json:"extattr,omitempty"`
	ToInvite         *bool            `json:"to_invite,omitempty"` // Create only: invite the member (default true)
	ExternalPosition string           `json:"external_position,omitempty"`
	ExternalProfile  *ExternalProfile `json:"external_profile,omitempty"`
}

// UserBrief is a member as user/simplelist returns it.
type UserBrief struct {
	UserID     string `json:"userid"`
	Name       string `json:"name"`
	Department []int  `json:"department"`
	OpenUserID string `json:"open_userid"`
}

// UserListOptions are the options of List and SimpleList.
type UserListOptions struct {
	FetchChild bool // include the members of sub-departments
	Status     int  // an older filter: 0 all, 1 active, 2 disabled, 4 not activated; may be added up
}

// UserRef is one (member, department) pair of user/list_id: a member in
// several departments has one per department.
type UserRef struct {
	UserID     string `json:"userid"`
	Department int    `json:"department"`
}

// UserIdentity is the member (or non-member) behind an OAuth code, as
// user/getuserinfo returns it.
type UserIdentity struct {
	UserID     string `json:"UserId"`      // the member's userid; empty for a non-member
	OpenID     string `json:"OpenId"`      // a non-member's openid
	DeviceID   string `json:"DeviceId"`    // the device the code came from
	UserTicket string `json:"user_ticket"` // for reading the member's sensitive fields
	ExpiresIn  int    `json:"expires_in"`  // validity of user_ticket, in seconds
}

// CreateRequest is the request of Create. member is the body: a *UserInput,
// or any value that encodes to WeCom's member fields (a map, for fields
// UserInput lacks).
func (s *UserService) CreateRequest(member any) *Request {
	return &Request{Method: http.MethodPost, API: "user/create", Body: member}
}

// Create creates a member (创建成员).
//
// WeCom API docs: https://developer.work.weixin.qq.com/document/path/90195
func (s *UserService) Create(ctx context.Context, u *UserInput) error {
	return s.client.Do(ctx, s.CreateRequest(u), nil)
}

// UpdateRequest is the request of Update. member is the body, as for
// CreateRequest; fields left out are not changed.
func (s *UserService) UpdateRequest(member any) *Request {
	return &Request{Method: http.MethodPost, API: "user/update", Body: member}
}

// Update changes the given fields of a member (更新成员).
//
// WeCom API docs: https://developer.work.weixin.qq.com/document/path/90197
func (s *UserService) Update(ctx context.Context, u *UserInput) error {
	return s.client.Do(ctx, s.UpdateRequest(u), nil)
}

// userListQuery is the query of user/list and user/simplelist; fetch_child and
// status are always sent.
func userListQuery(departmentID int, opt *UserListOptions) url.Values {
	if opt == nil {
		opt = &UserListOptions{}
	}
	fetchChild := "0"
	if opt.FetchChild {
		fetchChild = "1"
	}
	return url.Values{
		"department_id": {strconv.Itoa(departmentID)},
		"fetch_child":   {fetchChild},
		"status":        {strconv.Itoa(opt.Status)},
	}
}

// ListRequest is the request of List.
func (s *UserService) ListRequest(departmentID int, opt *UserListOptions) *Request {
	return &Request{Method: http.MethodGet, API: "user/list", Query: userListQuery(departmentID, opt), Result: "userlist"}
}

// List returns the members of a department with their details
// (获取部门成员详情). opt may be nil.
//
// WeCom API docs: https://developer.work.weixin.qq.com/document/path/90201
func (s *UserService) List(ctx context.Context, departmentID int, opt *UserListOptions) ([]User, error) {
	return result[[]User](ctx, s.client, s.ListRequest(departmentID, opt))
}

// SimpleListRequest is the request of SimpleList.
func (s *UserService) SimpleListRequest(departmentID int, opt *UserListOptions) *Request {
	return &Request{Method: http.MethodGet, API: "user/simplelist", Query: userListQuery(departmentID, opt), Result: "userlist"}
}

// SimpleList returns the members of a department, userid and name only
// (获取部门成员). opt may be nil.
//
// WeCom API docs: https://developer.work.weixin.qq.com/document/path/90200
func (s *UserService) SimpleList(ctx context.Context, departmentID int, opt *UserListOptions) ([]UserBrief, error) {
	return result[[]UserBrief](ctx, s.client, s.SimpleListRequest(departmentID, opt))
}

// MaxListIDLimit is the largest page of ListID.
const MaxListIDLimit = 10000

// ListID returns one page of the (member, department) pairs of the corp
// (获取成员ID列表), and the cursor of the next page, empty after the last.
// limit is 1 to MaxListIDLimit.
//
// WeCom API docs: https://developer.work.weixin.qq.com/document/path/96067
func (s *UserService) ListID(ctx context.Context, cursor string, limit int) ([]UserRef, string, error) {
	var page struct {
		NextCursor string    `json:"next_cursor"`
		DeptUser   []UserRef `json:"dept_user"`
	}
	err := s.client.Do(ctx, s.ListIDRequest(cursor, limit), &page)
	return page.DeptUser, page.NextCursor, err
}

// AllIDs iterates over every (member, department) pair of the corp, reading
// user/list_id page by page. It stops at the first error, which it yields.
func (s *UserService) AllIDs(ctx context.Context) iter.Seq2[UserRef, error] {
	return CursorPages(ctx, "user/list_id", func(ctx context.Context, cursor string) ([]UserRef, string, error) {
		return s.ListID(ctx, cursor, MaxListIDLimit)
	})
}

// ConvertToOpenID returns the openid of a member, for WeChat Pay
// (userid转openid).
//
// WeCom API docs: https://developer.work.weixin.qq.com/document/path/90202
func (s *UserService) ConvertToOpenID(ctx context.Context, userID string) (string, error) {
	return memberOf[string](ctx, s.client, s.ConvertToOpenIDRequest(userID, 0), "openid")
}
