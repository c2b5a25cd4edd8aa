package emulator

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"unicode/utf8"

	"gopkg.in/yaml.v3"
)

// Org is an organisation (企业) the emulator serves: its apps, secrets and
// contacts. It is both the org file format (YAML or JSON, see the package
// documentation) and the value Snapshot returns. Field names are WeCom's.
type Org struct {
	// CorpID is the corp id (企业ID) clients pass to gettoken.
	CorpID string `json:"corp_id" yaml:"corp_id"`
	// CorpName is the organisation's display name.
	CorpName string `json:"corp_name,omitempty" yaml:"corp_name,omitempty"`
	// CorpUserMax is the corp's member seat limit (企业的人数上限, the
	// 账号上限数 of 发送应用消息's frequency limit; corp_user_max in WeCom's
	// 企业授权信息): each application's messages may reach 200 times as many
	// members a day. 0: 500 (the documented example), or the number of
	// members if larger. It may not be below the number of members.
	CorpUserMax int `json:"corp_user_max,omitempty" yaml:"corp_user_max,omitempty"`
	// ContactsSecret is the contacts-sync secret (通讯录同步 secret).
	ContactsSecret string `json:"contacts_secret,omitempty" yaml:"contacts_secret,omitempty"`
	// Provider, if set, is a service provider (服务商) for the service/* API.
	Provider *Provider `json:"provider,omitempty" yaml:"provider,omitempty"`
	// Callback, if set, is the contacts sync's callback: where events are
	// pushed (see Server.SetCallback).
	Callback *Callback `json:"callback,omitempty" yaml:"callback,omitempty"`
	// Apps are the self-built apps (自建应用).
	Apps []App `json:"apps" yaml:"apps"`
	// Departments form a tree rooted at department 1 (parentid 0).
	Departments []Department `json:"departments" yaml:"departments"`
	// Users are the members (成员).
	Users []User `json:"users" yaml:"users"`
	// Tags are the tags (标签).
	Tags []Tag `json:"tags,omitempty" yaml:"tags,omitempty"`
	// AppChats are the app group chats (应用群聊).
	AppChats []AppChat `json:"appchats,omitempty" yaml:"appchats,omitempty"`
	// ExternalContactSecret is the secret of the system application 客户联系,
	// which WeCom accepts only from corps created before 2023-12-01: leave
	// it out for a newer corp, whose apps configured in 可调用应用
	// (App.ExternalContact) call the customer contact API.
	ExternalContactSecret string `json:"external_contact_secret,omitempty" yaml:"external_contact_secret,omitempty"`
	// ExternalContact is the customer contact data (客户联系): customers,
	// customer tags and customer groups.
	ExternalContact *ExternalContact `json:"external_contact,omitempty" yaml:"external_contact,omitempty"`
	// OA is the approval templates, kinds of leave and check-in rules.
	OA *OA `json:"oa,omitempty" yaml:"oa,omitempty"`
	// Robots are the group robots (群机器人) that post with webhook/send.
	Robots []Robot `json:"robots,omitempty" yaml:"robots,omitempty"`
}

// Provider is a service provider (服务商) with its suites (第三方应用).
type Provider struct {
	CorpID string  `json:"corp_id" yaml:"corp_id"`
	Secret string  `json:"secret,omitempty" yaml:"secret,omitempty"`
	Suites []Suite `json:"suites,omitempty" yaml:"suites,omitempty"`
}

// Suite is a provider's third-party app: service/get_suite_token accepts its
// id, secret and ticket.
type Suite struct {
	SuiteID string `json:"suite_id" yaml:"suite_id"`
	Secret  string `json:"secret,omitempty" yaml:"secret,omitempty"`
	Ticket  string `json:"ticket,omitempty" yaml:"ticket,omitempty"`
}

// App is a self-built app. Its visible range (可见范围) is the union of
// AllowUsers, the departments in AllowParties with their sub-departments, and
// the members of AllowTags.
type App struct {
	AgentID        int    `json:"agentid" yaml:"agentid"`
	Name           string `json:"name" yaml:"name"`
	Secret         string `json:"secret,omitempty" yaml:"secret,omitempty"`
	Description    string `json:"description,omitempty" yaml:"description,omitempty"`
	SquareLogoURL  string `json:"square_logo_url,omitempty" yaml:"square_logo_url,omitempty"`
	HomeURL        string `json:"home_url,omitempty" yaml:"home_url,omitempty"`
	RedirectDomain string `json:"redirect_domain,omitempty" yaml:"redirect_domain,omitempty"`
	// ReportLocationFlag and IsReportEnter are the app's reporting settings.
	ReportLocationFlag int      `json:"report_location_flag,omitempty" yaml:"report_location_flag,omitempty"`
	IsReportEnter      int      `json:"isreportenter,omitempty" yaml:"isreportenter,omitempty"`
	Close              int      `json:"close,omitempty" yaml:"close,omitempty"`
	AllowUsers         []string `json:"allow_users,omitempty" yaml:"allow_users,omitempty"`
	AllowParties       []int    `json:"allow_parties,omitempty" yaml:"allow_parties,omitempty"`
	AllowTags          []int    `json:"allow_tags,omitempty" yaml:"allow_tags,omitempty"`
	// ExternalContact puts the app in the list of applications that may call
	// the customer contact API (客户联系 → 可调用应用).
	ExternalContact bool `json:"external_contact,omitempty" yaml:"external_contact,omitempty"`
	// Approval puts the app in 审批 → 可调用接口的应用: it may call the
	// approval and leave API (oa/); Checkin in 打卡 → 可调用接口的应用: the
	// attendance API (checkin/).
	Approval bool `json:"approval,omitempty" yaml:"approval,omitempty"`
	Checkin  bool `json:"checkin,omitempty" yaml:"checkin,omitempty"`
	// SensitiveFields lets the app read members' mobile, email, gender,
	// avatar, address and QR code, as apps created before 2022-06-20 could.
	// Without it those fields are left out of user reads, as WeCom does.
	SensitiveFields bool `json:"sensitive_fields,omitempty" yaml:"sensitive_fields,omitempty"`
}

// Department is a department (部门).
type Department struct {
	ID       int    `json:"id" yaml:"id"`
	Name     string `json:"name" yaml:"name"`
	NameEn   string `json:"name_en,omitempty" yaml:"name_en,omitempty"`
	ParentID int    `json:"parentid" yaml:"parentid"`
	Order    int    `json:"order,omitempty" yaml:"order,omitempty"`
}

// User is a member (成员) with the fields WeCom keeps. Order and
// IsLeaderInDept, when given, have one element per department.
type User struct {
	UserID         string   `json:"userid" yaml:"userid"`
	Name           string   `json:"name" yaml:"name"`
	Alias          string   `json:"alias,omitempty" yaml:"alias,omitempty"`
	Department     []int    `json:"department" yaml:"department"`
	Order          []int    `json:"order,omitempty" yaml:"order,omitempty"`
	IsLeaderInDept []int    `json:"is_leader_in_dept,omitempty" yaml:"is_leader_in_dept,omitempty"`
	MainDepartment int      `json:"main_department,omitempty" yaml:"main_department,omitempty"`
	Position       string   `json:"position,omitempty" yaml:"position,omitempty"`
	Mobile         string   `json:"mobile,omitempty" yaml:"mobile,omitempty"`
	Gender         string   `json:"gender,omitempty" yaml:"gender,omitempty"`
	Email          string   `json:"email,omitempty" yaml:"email,omitempty"`
	BizMail        string   `json:"biz_mail,omitempty" yaml:"biz_mail,omitempty"`
	Telephone      string   `json:"telephone,omitempty" yaml:"telephone,omitempty"`
	Address        string   `json:"address,omitempty" yaml:"address,omitempty"`
	DirectLeader   []string `json:"direct_leader,omitempty" yaml:"direct_leader,omitempty"`
	Avatar         string   `json:"avatar,omitempty" yaml:"avatar,omitempty"`
	// Status is 1 active (已激活), 2 disabled (已禁用), 4 not yet activated
	// (未激活) or 5 left (退出企业); 0 in an org file means 1.
	Status           int    `json:"status,omitempty" yaml:"status,omitempty"`
	ExternalPosition string `json:"external_position,omitempty" yaml:"external_position,omitempty"`
	// ExtAttr and ExternalProfile are kept as given and returned unchanged.
	ExtAttr         any `json:"extattr,omitempty" yaml:"extattr,omitempty"`
	ExternalProfile any `json:"external_profile,omitempty" yaml:"external_profile,omitempty"`
	// Creator marks the corp's creator, who cannot be deleted (301005).
	Creator bool `json:"creator,omitempty" yaml:"creator,omitempty"`
}

// Tag is a tag (标签) with its members: users and whole departments.
type Tag struct {
	ID      int      `json:"tagid" yaml:"tagid"`
	Name    string   `json:"tagname" yaml:"tagname"`
	Users   []string `json:"userlist,omitempty" yaml:"userlist,omitempty"`
	Parties []int    `json:"partylist,omitempty" yaml:"partylist,omitempty"`
	// Owner is the agent id of the app that created the tag; 0 means the
	// administrator, whose tags the contacts-sync secret may edit.
	Owner int `json:"owner,omitempty" yaml:"owner,omitempty"`
}

// AppChat is an app group chat (应用群聊), also served by the legacy chat/*
// API.
type AppChat struct {
	ChatID string   `json:"chatid" yaml:"chatid"`
	Name   string   `json:"name" yaml:"name"`
	Owner  string   `json:"owner" yaml:"owner"`
	Users  []string `json:"userlist" yaml:"userlist"`
	// AgentID is the app that created the chat; only it may update it and
	// send to it.
	AgentID int `json:"agentid,omitempty" yaml:"agentid,omitempty"`
}

// LoadOrg reads an org file. A file named *.json is decoded as JSON,
// anything else as YAML. Unknown fields are errors, and the org must pass
// Validate.
func LoadOrg(path string) (*Org, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var org Org
	if strings.EqualFold(filepath.Ext(path), ".json") {
		dec := json.NewDecoder(bytes.NewReader(data))
		dec.DisallowUnknownFields()
		err = dec.Decode(&org)
	} else {
		dec := yaml.NewDecoder(bytes.NewReader(data))
		dec.KnownFields(true)
		err = dec.Decode(&org)
	}
	if err != nil {
		return nil, fmt.Errorf("org file %s: %w", path, err)
	}
	if err := org.Validate(); err != nil {
		return nil, fmt.Errorf("org file %s: %w", path, err)
	}
	return &org, nil
}

// Validate reports every inconsistency of the org: missing corp id or
// secrets, duplicate ids, a department tree not rooted at 1, references to
// unknown departments, users or tags, and values WeCom would reject.
func (o *Org) Validate() error {
	var errs []error
	bad := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	if o.CorpID == "" {
		bad("corp_id is empty")
	}
	if o.ContactsSecret == "" {
		bad("contacts_secret is empty")
	}
	if o.Callback != nil {
		if err := o.Callback.validate(); err != nil {
			bad("%v", err)
		}
	}
	secrets := map[string]bool{o.ContactsSecret: true}

	depts := make(map[int]Department, len(o.Departments))
	for _, d := range o.Departments {
		if _, dup := depts[d.ID]; dup {
			bad("department %d: duplicate id", d.ID)
		}
		depts[d.ID] = d
		if e := checkDeptName(d.Name); e != nil {
			bad("department %d: %s", d.ID, e.msg)
		}
	}
	if root, ok := depts[1]; !ok || root.ParentID != 0 {
		bad("department 1 (the root, parentid 0) is missing")
	}
	for _, d := range o.Departments {
		if d.ID == 1 {
			continue
		}
		if d.ID < 2 {
			bad("department %d: id must be greater than 1", d.ID)
			continue
		}
		// Walk up to the root, catching unknown parents and cycles.
		seen := map[int]bool{d.ID: true}
		for p := d.ParentID; p != 1; p = depts[p].ParentID {
			if _, ok := depts[p]; !ok {
				bad("department %d: unknown parent %d", d.ID, p)
				break
			}
			if seen[p] {
				bad("department %d: cycle through %d", d.ID, p)
				break
			}
			seen[p] = true
		}
	}

	if o.CorpUserMax < 0 || o.CorpUserMax > 0 && o.CorpUserMax < len(o.Users) {
		bad("corp_user_max %d is below the %d members", o.CorpUserMax, len(o.Users))
	}
	users := make(map[string]bool, len(o.Users))
	mobiles, emails := map[string]string{}, map[string]string{}
	for _, u := range o.Users {
		key := strings.ToLower(u.UserID)
		if !validUserID(u.UserID) {
			bad("user %q: invalid userid", u.UserID)
		}
		if users[key] {
			bad("user %q: duplicate userid", u.UserID)
		}
		users[key] = true
		if n := utf8.RuneCountInString(u.Name); n == 0 || n > 64 {
			bad("user %q: name must be 1 to 64 characters", u.UserID)
		}
		if len(u.Department) == 0 {
			bad("user %q: no department", u.UserID)
		}
		for _, d := range u.Department {
			if _, ok := depts[d]; !ok {
				bad("user %q: unknown department %d", u.UserID, d)
			}
		}
		if u.Order != nil && len(u.Order) != len(u.Department) {
			bad("user %q: order needs one element per department", u.UserID)
		}
		if u.IsLeaderInDept != nil && len(u.IsLeaderInDept) != len(u.Department) {
			bad("user %q: is_leader_in_dept needs one element per department", u.UserID)
		}
		if u.Mobile != "" {
			if other, dup := mobiles[u.Mobile]; dup {
				bad("user %q: mobile already used by %q", u.UserID, other)
			}
			mobiles[u.Mobile] = u.UserID
		}
		if u.Email != "" {
			if other, dup := emails[strings.ToLower(u.Email)]; dup {
				bad("user %q: email already used by %q", u.UserID, other)
			}
			emails[strings.ToLower(u.Email)] = u.UserID
		}
		switch u.Gender {
		case "", "0", "1", "2":
		default:
			bad("user %q: gender must be 0, 1 or 2", u.UserID)
		}
	}
	for _, u := range o.Users {
		for _, l := range u.DirectLeader {
			if !users[strings.ToLower(l)] {
				bad("user %q: unknown direct leader %q", u.UserID, l)
			}
		}
	}

	apps := map[int]bool{}
	for _, a := range o.Apps {
		if a.AgentID <= 0 || apps[a.AgentID] {
			bad("app %d: agentid must be positive and unique", a.AgentID)
		}
		apps[a.AgentID] = true
		if a.Name == "" {
			bad("app %d: name is empty", a.AgentID)
		}
		if a.Secret == "" || secrets[a.Secret] {
			bad("app %d: secret must be set and differ from every other secret", a.AgentID)
		}
		secrets[a.Secret] = true
		for _, uid := range a.AllowUsers {
			if !users[strings.ToLower(uid)] {
				bad("app %d: unknown user %q in allow_users", a.AgentID, uid)
			}
		}
		for _, d := range a.AllowParties {
			if _, ok := depts[d]; !ok {
				bad("app %d: unknown department %d in allow_parties", a.AgentID, d)
			}
		}
	}

	tags := map[int]bool{}
	tagNames := map[string]bool{}
	for _, t := range o.Tags {
		if t.ID <= 0 || tags[t.ID] {
			bad("tag %d: tagid must be positive and unique", t.ID)
		}
		tags[t.ID] = true
		if t.Name == "" || tagNames[t.Name] {
			bad("tag %d: tagname must be set and unique", t.ID)
		}
		tagNames[t.Name] = true
		for _, uid := range t.Users {
			if !users[strings.ToLower(uid)] {
				bad("tag %d: unknown user %q", t.ID, uid)
			}
		}
		for _, d := range t.Parties {
			if _, ok := depts[d]; !ok {
				bad("tag %d: unknown department %d", t.ID, d)
			}
		}
		if t.Owner != 0 && !apps[t.Owner] {
			bad("tag %d: unknown owner app %d", t.ID, t.Owner)
		}
	}
	for _, a := range o.Apps {
		for _, t := range a.AllowTags {
			if !tags[t] {
				bad("app %d: unknown tag %d in allow_tags", a.AgentID, t)
			}
		}
	}

	chats := map[string]bool{}
	for _, c := range o.AppChats {
		if !validChatID(c.ChatID) || chats[c.ChatID] {
			bad("appchat %q: chatid must be 1 to 32 letters or digits and unique", c.ChatID)
		}
		chats[c.ChatID] = true
		if len(c.Users) < 2 {
			bad("appchat %q: needs at least 2 members", c.ChatID)
		}
		for _, uid := range c.Users {
			if !users[strings.ToLower(uid)] {
				bad("appchat %q: unknown member %q", c.ChatID, uid)
			}
		}
		if c.Owner != "" && !users[strings.ToLower(c.Owner)] {
			bad("appchat %q: unknown owner %q", c.ChatID, c.Owner)
		}
		if c.AgentID != 0 && !apps[c.AgentID] {
			bad("appchat %q: unknown app %d", c.ChatID, c.AgentID)
		}
	}

	errs = append(errs, o.validateExternalContact()...)
	errs = append(errs, o.OA.validate(o)...)
	robotKeys := map[string]bool{}
	for _, r := range o.Robots {
		if r.Key == "" || robotKeys[r.Key] || strings.ContainsAny(r.Key, "&#?/ ") {
			bad("robot %q: key must be set, unique, and fit in a URL's query", r.Name)
		}
		robotKeys[r.Key] = true
	}

	if p := o.Provider; p != nil {
		if p.CorpID == "" || p.Secret == "" {
			bad("provider: corp_id and secret must be set")
		}
		for _, s := range p.Suites {
			if s.SuiteID == "" || s.Secret == "" || s.Ticket == "" {
				bad("provider suite %q: suite_id, secret and ticket must be set", s.SuiteID)
			}
		}
	}
	return errors.Join(errs...)
}

// validUserID reports whether id follows WeCom's userid rules: 1 to 64
// bytes of letters, digits and _-@., starting with a letter or digit.
func validUserID(id string) bool {
	if id == "" || len(id) > 64 {
		return false
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		alnum := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
		if i == 0 && !alnum {
			return false
		}
		if !alnum && c != '_' && c != '-' && c != '@' && c != '.' {
			return false
		}
	}
	return true
}

// validChatID reports whether id is 1 to 32 letters or digits.
func validChatID(id string) bool {
	if id == "" || len(id) > 32 {
		return false
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
			return false
		}
	}
	return true
}

// checkDeptName applies WeCom's department name rules: 1 to 32 characters
// (60001) without any of \:*?"<>| (60009).
func checkDeptName(name string) *apiError {
	if n := utf8.RuneCountInString(name); n == 0 || n > 32 {
		return errorf(60001, "name must be 1 to 32 characters")
	}
	if strings.ContainsAny(name, "\\:*?\"<>|｜") {
		return errorf(60009, "name contains one of \\:*?\"<>|")
	}
	return nil
}
