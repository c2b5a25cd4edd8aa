package emulator_test

// Tests that drive the emulator through the typed wecom client, one API group
// at a time, so that each checks the other: the client's requests must be
// ones the emulator accepts, and the emulator's answers ones the client
// decodes.

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/wecomrunner/runner/wecom"
	"github.com/wecomrunner/runner/wecom/emulator"
)

// oldSyncIP makes the demo organisation's contacts sync one that called
// from this machine before 2022-08-15, so that it may still read members
// with user/get and user/list (see emulator.WithContactsSyncIPs): the
// tests of the client read members with the contacts secret. The rules
// themselves are tested in rules_test.go.
var oldSyncIP = emulator.WithContactsSyncIPs("127.0.0.1")

// newServer starts an emulator with the demo organisation for one test,
// its contacts sync calling from an old IP (oldSyncIP).
func newServer(t *testing.T, opts ...emulator.Option) *emulator.Server {
	t.Helper()
	srv, err := emulator.Start(nil, append([]emulator.Option{oldSyncIP}, opts...)...)
	if err != nil {
		t.Fatalf("emulator.Start: %v", err)
	}
	t.Cleanup(func() { srv.Close() })
	return srv
}

// newClient returns a client of srv for secret whose retries wait
// milliseconds, not the default hundreds.
func newClient(srv *emulator.Server, secret string, opts ...wecom.Option) *wecom.Client {
	base := []wecom.Option{wecom.WithBaseURL(srv.BaseURL()), wecom.WithBackoff(2*time.Millisecond, 20*time.Millisecond)}
	return wecom.New(srv.Credentials().CorpID, secret, append(base, opts...)...)
}

// contactsClient is a client with the contacts-sync secret.
func contactsClient(srv *emulator.Server, opts ...wecom.Option) *wecom.Client {
	return newClient(srv, emulator.DemoContactsSecret, opts...)
}

// appClient is a client of srv's app agentID, with the app's secret. The
// demo apps are 运维助手 (emulator.DemoOpsAgentID), visible to everyone; 日报
// (DemoReportAgentID), visible to 研发中心, 王五 and the tag 技术委员会;
// 客户助手 (DemoCustomerAgentID), configured to call the customer contact
// API and visible to 市场部; and 行政助手 (DemoOAAgentID), configured in 审批
// and 打卡 → 可调用接口的应用 and visible to the whole company.
func appClient(srv *emulator.Server, agentID int, opts ...wecom.Option) *wecom.Client {
	var secret string
	for _, a := range srv.Credentials().Apps {
		if a.AgentID == agentID {
			secret = a.Secret
		}
	}
	return newClient(srv, secret, append([]wecom.Option{wecom.WithAgentID(agentID)}, opts...)...)
}

// opsClient is a client of the demo app 运维助手.
func opsClient(srv *emulator.Server, opts ...wecom.Option) *wecom.Client {
	return appClient(srv, emulator.DemoOpsAgentID, opts...)
}

// reportClient is a client of the demo app 日报.
func reportClient(srv *emulator.Server, opts ...wecom.Option) *wecom.Client {
	return appClient(srv, emulator.DemoReportAgentID, opts...)
}

// wantAPIError fails t unless err is an *wecom.APIError answered by api with
// errcode code.
func wantAPIError(t *testing.T, err error, api string, code int) {
	t.Helper()
	var e *wecom.APIError
	if !errors.As(err, &e) {
		t.Fatalf("error = %v, want an *wecom.APIError %d from %s", err, code, api)
	}
	if got, want := fmt.Sprintf("%s %d", e.API, e.Code), fmt.Sprintf("%s %d", api, code); got != want {
		t.Errorf("APIError = %s (%s), want %s", got, e.Msg, want)
	}
	if !wecom.IsCode(err, code) {
		t.Errorf("wecom.IsCode(%v, %d) = false, want true", err, code)
	}
}

// failingCall is a call that must fail with errcode code from api.
type failingCall struct {
	name string
	call func(ctx context.Context) error
	api  string
	code int
}

// wantFailures runs each call as a subtest, checks that it fails as
// listed, and then that the part of srv's organisation named what is as it
// was before the calls.
func wantFailures[T any](t *testing.T, srv *emulator.Server, what string, part func(*emulator.Org) T, calls []failingCall) {
	t.Helper()
	before := part(srv.Snapshot())
	for _, tt := range calls {
		t.Run(tt.name, func(t *testing.T) {
			wantAPIError(t, tt.call(t.Context()), tt.api, tt.code)
		})
	}
	if after := part(srv.Snapshot()); !reflect.DeepEqual(after, before) {
		t.Errorf("failed calls changed the %s:\n%+v\nwant\n%+v", what, after, before)
	}
}

// noError fails t now if err is not nil.
func noError(t *testing.T, err error, what string) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

// findUser returns the member id of org.
func findUser(org *emulator.Org, id string) (emulator.User, bool) {
	i := slices.IndexFunc(org.Users, func(u emulator.User) bool { return u.UserID == id })
	if i < 0 {
		return emulator.User{}, false
	}
	return org.Users[i], true
}

// findDept returns the department id of org.
func findDept(org *emulator.Org, id int) (emulator.Department, bool) {
	i := slices.IndexFunc(org.Departments, func(d emulator.Department) bool { return d.ID == id })
	if i < 0 {
		return emulator.Department{}, false
	}
	return org.Departments[i], true
}

// requestsOf returns the logged calls of api, oldest first.
func requestsOf(srv *emulator.Server, api string) []emulator.Request {
	var out []emulator.Request
	for _, r := range srv.Requests() {
		if r.API == api {
			out = append(out, r)
		}
	}
	return out
}

// errcodes lists the errcodes answered to the logged calls of api.
func errcodes(srv *emulator.Server, api string) []int {
	out := []int{}
	for _, r := range requestsOf(srv, api) {
		out = append(out, r.ErrCode)
	}
	return out
}

// clockedServer starts the demo organisation on a stopped clock at start,
// with tokens that last 100 days so the test can move the clock far.
func clockedServer(t *testing.T, start time.Time) (*fakeClock, *emulator.Server) {
	t.Helper()
	clock := emulator.NewFakeClock(start)
	return clock, newServer(t, emulator.WithClock(clock.Now), emulator.WithTokenLifetime(100*24*time.Hour))
}

// fakeClock is a clock for emulator.WithClock that a test moves by hand.
type fakeClock = emulator.FakeClock

// newFakeClock returns a stopped clock that starts at the real time, so the
// client's own clock agrees with the emulator's until a test advances it.
func newFakeClock() *fakeClock { return emulator.NewFakeClock(time.Now()) }

// upload is a file for the client, from bytes that can be sent again.
func upload(name string, data []byte) *wecom.Upload {
	return &wecom.Upload{Filename: name, Content: bytes.NewReader(data), Size: int64(len(data))}
}

// randomBytes returns n reproducible pseudo-random bytes.
func randomBytes(n int) []byte {
	r := rand.New(rand.NewPCG(uint64(n), 7))
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	return b
}

// readFile reads and closes a downloaded file.
func readFile(t *testing.T, f *wecom.File) []byte {
	t.Helper()
	defer f.Body.Close()
	b, err := io.ReadAll(f.Body)
	noError(t, err, "reading the download")
	return b
}

// userFields are the fields of a member that a round trip must keep.
type userFields struct {
	Name, Alias, Mobile, Position, Gender, Email, Telephone string
	Department, Order, IsLeaderInDept                       []int
	DirectLeader                                            []string
	MainDepartment, Status                                  int
}

func fieldsOf(u *wecom.User) userFields {
	return userFields{
		Name: u.Name, Alias: u.Alias, Mobile: u.Mobile, Position: u.Position, Gender: u.Gender, Email: u.Email,
		Telephone: u.Telephone, Department: u.Department, Order: u.Order, IsLeaderInDept: u.IsLeaderInDept,
		DirectLeader: u.DirectLeader, MainDepartment: u.MainDepartment, Status: u.Status,
	}
}

func TestClientUserRoundTrip(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	c := contactsClient(srv)
	ctx := t.Context()

	err := c.User.Create(ctx, &wecom.UserInput{
		UserID: "qianlei", Name: "钱磊", Alias: "Leo", Mobile: "13912345678", Department: []int{3, 4},
		Order: []int{10, 20}, Position: "后端工程师", Gender: "1", Email: "qianlei@tengfei.example.com",
		IsLeaderInDept: []int{0, 1}, DirectLeader: []string{"liuyang"}, MainDepartment: 4, Telephone: "021-60881234",
		ToInvite: new(false),
	})
	noError(t, err, "Create")
	u, err := c.User.Get(ctx, "qianlei")
	noError(t, err, "Get")
	want := userFields{
		Name: "钱磊", Alias: "Leo", Mobile: "13912345678", Position: "后端工程师", Gender: "1",
		Email: "qianlei@tengfei.example.com", Telephone: "021-60881234", Department: []int{3, 4}, Order: []int{10, 20},
		IsLeaderInDept: []int{0, 1}, DirectLeader: []string{"liuyang"}, MainDepartment: 4, Status: 4,
	}
	if got := fieldsOf(u); !reflect.DeepEqual(got, want) {
		t.Errorf("Get after Create = %+v, want %+v", got, want)
	}

	// A new department list resets the per-department values and the main
	// department; fields not sent are kept.
	err = c.User.Update(ctx, &wecom.UserInput{UserID: "qianlei", Position: "高级后端工程师", Department: []int{3}, Enable: new(0)})
	noError(t, err, "Update")
	u, err = c.User.Get(ctx, "qianlei")
	noError(t, err, "Get after Update")
	want.Position, want.Department, want.Order, want.IsLeaderInDept, want.MainDepartment, want.Status = "高级后端工程师", []int{3}, []int{0}, []int{0}, 3, 2
	if got := fieldsOf(u); !reflect.DeepEqual(got, want) {
		t.Errorf("Get after Update = %+v, want %+v", got, want)
	}
	if m, ok := findUser(srv.Snapshot(), "qianlei"); !ok || m.Position != "高级后端工程师" || m.Status != 2 {
		t.Errorf("snapshot member = %+v, %v; want position 高级后端工程师, status 2", m, ok)
	}

	list, err := c.User.List(ctx, 3, nil)
	noError(t, err, "List")
	i := slices.IndexFunc(list, func(u wecom.User) bool { return u.UserID == "qianlei" })
	if i < 0 {
		t.Fatalf("List(3) has no qianlei: %v", list)
	}
	if got := fieldsOf(&list[i]); !reflect.DeepEqual(got, want) {
		t.Errorf("List(3) member = %+v, want %+v", got, want)
	}
	brief, err := c.User.SimpleList(ctx, 2, &wecom.UserListOptions{FetchChild: true})
	noError(t, err, "SimpleList")
	if !slices.ContainsFunc(brief, func(b wecom.UserBrief) bool {
		return b.UserID == "qianlei" && b.Name == "钱磊" && slices.Equal(b.Department, []int{3})
	}) {
		t.Errorf("SimpleList(2, fetch_child) has no {qianlei 钱磊 [3]}: %v", brief)
	}
	direct, err := c.User.SimpleList(ctx, 2, nil)
	noError(t, err, "SimpleList without children")
	if slices.ContainsFunc(direct, func(b wecom.UserBrief) bool { return b.UserID == "qianlei" }) {
		t.Errorf("SimpleList(2) without fetch_child lists qianlei of department 3")
	}

	openID, err := c.User.ConvertToOpenID(ctx, "qianlei")
	noError(t, err, "ConvertToOpenID")
	back, err := c.User.ConvertToUserID(ctx, openID)
	noError(t, err, "ConvertToUserID")
	if openID == "" || back != "qianlei" {
		t.Errorf("openid %q converts back to %q, want a non-empty openid and qianlei", openID, back)
	}
	noError(t, c.User.Verify(ctx, "qianlei"), "Verify")

	noError(t, c.User.Delete(ctx, "qianlei"), "Delete")
	_, err = c.User.Get(ctx, "qianlei")
	wantAPIError(t, err, "user/get", wecom.CodeUserNotFound)
	if _, ok := findUser(srv.Snapshot(), "qianlei"); ok {
		t.Error("qianlei is still in the snapshot after Delete")
	}
}

func TestClientUserMapBodyAndBatchDelete(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	c := contactsClient(srv)
	ctx := t.Context()

	// The request builders take any body: fields UserInput lacks go in a map.
	attrs := []wecom.UserAttr{
		{Type: 0, Name: "工号", Text: &wecom.AttrText{Value: "TF-0042"}},
		{Type: 1, Name: "主页", Web: &wecom.AttrWeb{URL: "https://tengfei.example.com/~sun", Title: "个人主页"}},
	}
	body := map[string]any{
		"userid": "sunli", "name": "孙丽", "email": "sunli@tengfei.example.com", "department": []int{5},
		"extattr": map[string]any{"attrs": attrs}, "unknown_field": "WeCom ignores it",
	}
	noError(t, c.Do(ctx, c.User.CreateRequest(body), nil), "Do(CreateRequest)")
	u, err := c.User.Get(ctx, "sunli")
	noError(t, err, "Get")
	if !reflect.DeepEqual(u.ExtAttr.Attrs, attrs) {
		t.Errorf("extattr = %+v, want %+v", u.ExtAttr.Attrs, attrs)
	}
	if got, want := u.Mobile, ""; got != want {
		t.Errorf("mobile = %q, want %q", got, want)
	}

	for _, id := range []string{"tmp1", "tmp2"} {
		noError(t, c.User.Create(ctx, &wecom.UserInput{UserID: id, Name: "临时", Email: id + "@example.com"}), "Create "+id)
	}
	noError(t, c.User.BatchDelete(ctx, []string{"tmp1", "TMP2"}), "BatchDelete")
	org := srv.Snapshot()
	for _, id := range []string{"tmp1", "tmp2"} {
		if _, ok := findUser(org, id); ok {
			t.Errorf("%s is still in the snapshot after BatchDelete", id)
		}
	}
}

// TestClientUserSeatLimit: a member created when every seat of the corp is
// taken fails with wecom.CodeSeatLimitExceeded and is not added.
func TestClientUserSeatLimit(t *testing.T) {
	t.Parallel()
	org := emulator.DemoOrg()
	org.CorpUserMax = len(org.Users)
	srv, err := emulator.Start(org, oldSyncIP)
	if err != nil {
		t.Fatalf("emulator.Start: %v", err)
	}
	t.Cleanup(func() { srv.Close() })
	c := contactsClient(srv)
	wantFailures(t, srv, "members", func(o *emulator.Org) []emulator.User { return o.Users }, []failingCall{
		{"create past the seat limit", func(ctx context.Context) error {
			return c.User.Create(ctx, &wecom.UserInput{UserID: "newbie", Name: "新人", Mobile: "13999990000"})
		}, "user/create", wecom.CodeSeatLimitExceeded},
	})
}

func TestClientUserErrors(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	c := contactsClient(srv)
	lisi, _ := findUser(srv.Snapshot(), "lisi")
	wantFailures(t, srv, "members", func(o *emulator.Org) []emulator.User { return o.Users }, []failingCall{
		{"duplicate userid", func(ctx context.Context) error {
			return c.User.Create(ctx, &wecom.UserInput{UserID: "ZhangSan", Name: "张三二", Mobile: "13999990000"})
		}, "user/create", wecom.CodeUserIDExists},
		{"unknown department", func(ctx context.Context) error {
			return c.User.Create(ctx, &wecom.UserInput{UserID: "newbie", Name: "新人", Mobile: "13999990001", Department: []int{999}})
		}, "user/create", wecom.CodeInvalidDepartment},
		{"duplicate mobile", func(ctx context.Context) error {
			return c.User.Create(ctx, &wecom.UserInput{UserID: "newbie", Name: "新人", Mobile: lisi.Mobile})
		}, "user/create", wecom.CodeMobileExists},
		{"duplicate email", func(ctx context.Context) error {
			return c.User.Create(ctx, &wecom.UserInput{UserID: "newbie", Name: "新人", Email: lisi.Email})
		}, "user/create", wecom.CodeEmailExists},
		{"invalid userid", func(ctx context.Context) error {
			return c.User.Create(ctx, &wecom.UserInput{UserID: "新人", Name: "新人", Mobile: "13999990002"})
		}, "user/create", wecom.CodeInvalidUserID},
		{"update of an unknown user", func(ctx context.Context) error {
			return c.User.Update(ctx, &wecom.UserInput{UserID: "nobody", Position: "x"})
		}, "user/update", wecom.CodeUserNotFound},
		{"update into an unknown department", func(ctx context.Context) error {
			return c.User.Update(ctx, &wecom.UserInput{UserID: "lisi", Department: []int{999}})
		}, "user/update", wecom.CodeInvalidDepartment},
		{"get of an unknown user", func(ctx context.Context) error {
			_, err := c.User.Get(ctx, "nobody")
			return err
		}, "user/get", wecom.CodeUserNotFound},
		{"delete of an unknown user", func(ctx context.Context) error {
			return c.User.Delete(ctx, "nobody")
		}, "user/delete", wecom.CodeUserNotFound},
		{"batch delete with an unknown userid deletes none", func(ctx context.Context) error {
			return c.User.BatchDelete(ctx, []string{"lisi", "nobody"})
		}, "user/batchdelete", wecom.CodeUserNotFound},
		{"delete of the creator", func(ctx context.Context) error {
			return c.User.Delete(ctx, "zhangwei")
		}, "user/delete", 301005},
		{"list of an unknown department", func(ctx context.Context) error {
			_, err := c.User.List(ctx, 999, nil)
			return err
		}, "user/list", wecom.CodeDepartmentNotFound},
		{"simple list of an unknown department", func(ctx context.Context) error {
			_, err := c.User.SimpleList(ctx, 999, nil)
			return err
		}, "user/simplelist", wecom.CodeDepartmentNotFound},
		{"an app writing contacts", func(ctx context.Context) error {
			return opsClient(srv).User.Create(ctx, &wecom.UserInput{UserID: "newbie", Name: "新人", Mobile: "13999990003"})
		}, "user/create", wecom.CodeAPIForbidden},
	})
}

func TestClientVisibleRange(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	report := reportClient(srv)
	ctx := t.Context()

	// 日报 sees 研发中心 and its sub-departments, 王五 and the tag 技术委员会.
	for _, id := range []string{"zhangsan", "lisi", "wangwu"} {
		if _, err := report.User.Get(ctx, id); err != nil {
			t.Errorf("Get(%s) by 日报: %v", id, err)
		}
	}
	_, err := report.User.Get(ctx, "hutao")
	wantAPIError(t, err, "user/get", wecom.CodeNoPrivilege)
	_, err = report.User.List(ctx, 8, nil)
	wantAPIError(t, err, "user/list", wecom.CodeNoPrivilege)
	_, err = report.Department.Get(ctx, 8)
	wantAPIError(t, err, "department/get", wecom.CodeNoPrivilege)

	deps, err := report.Department.List(ctx, 0)
	noError(t, err, "Department.List by 日报")
	var ids []int
	for _, d := range deps {
		ids = append(ids, d.ID)
	}
	slices.Sort(ids)
	if want := []int{2, 3, 4, 5, 6}; !slices.Equal(ids, want) {
		t.Errorf("departments 日报 sees = %v, want %v", ids, want)
	}

	// An app created after 2022-06-20 does not read sensitive fields.
	u, err := report.User.Get(ctx, "zhangsan")
	noError(t, err, "Get(zhangsan) by 日报")
	full, err := contactsClient(srv).User.Get(ctx, "zhangsan")
	noError(t, err, "Get(zhangsan) with the contacts secret")
	if u.Mobile != "" || u.Email != "" || full.Mobile == "" || full.Email == "" {
		t.Errorf("mobile, email = %q, %q for 日报 and %q, %q for the contacts secret; want them only for the latter",
			u.Mobile, u.Email, full.Mobile, full.Email)
	}
}

func TestClientUserIDs(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	c := contactsClient(srv)
	ctx := t.Context()

	want := map[wecom.UserRef]bool{}
	for _, u := range srv.Snapshot().Users {
		for _, d := range u.Department {
			want[wecom.UserRef{UserID: u.UserID, Department: d}] = true
		}
	}

	// Pages of 7 follow the cursor to the end.
	got := map[wecom.UserRef]bool{}
	cursor, pages := "", 0
	for {
		refs, next, err := c.User.ListID(ctx, cursor, 7)
		noError(t, err, "ListID")
		pages++
		if len(refs) > 7 {
			t.Fatalf("page %d has %d rows, want at most 7", pages, len(refs))
		}
		for _, r := range refs {
			if got[r] {
				t.Errorf("%+v is on two pages", r)
			}
			got[r] = true
		}
		if next == "" {
			break
		}
		if pages > len(want) {
			t.Fatalf("ListID did not end after %d pages", pages)
		}
		cursor = next
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("ListID pages hold %d (member, department) pairs, want %d", len(got), len(want))
	}
	if wantPages := (len(want) + 6) / 7; pages != wantPages {
		t.Errorf("ListID took %d pages, want %d", pages, wantPages)
	}

	all := map[wecom.UserRef]bool{}
	for r, err := range c.User.AllIDs(ctx) {
		noError(t, err, "AllIDs")
		all[r] = true
	}
	if !reflect.DeepEqual(all, want) {
		t.Errorf("AllIDs holds %d pairs, want %d", len(all), len(want))
	}
	if !all[wecom.UserRef{UserID: "jiangtao", Department: 2}] || !all[wecom.UserRef{UserID: "jiangtao", Department: 3}] {
		t.Error("AllIDs lacks a row of jiangtao, who is in departments 2 and 3")
	}
}

func TestClientDepartmentRoundTrip(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	c := contactsClient(srv)
	ctx := t.Context()

	id, err := c.Department.Create(ctx, &wecom.DepartmentInput{Name: "法务部", NameEN: "Legal", ParentID: 1, Order: new(0)})
	noError(t, err, "Create")
	d, err := c.Department.Get(ctx, id)
	noError(t, err, "Get")
	want := wecom.Department{ID: id, Name: "法务部", NameEN: "Legal", DepartmentLeader: []string{}, ParentID: 1, Order: 0}
	if !reflect.DeepEqual(*d, want) {
		t.Errorf("Get = %+v, want %+v", *d, want)
	}
	child, err := c.Department.Create(ctx, &wecom.DepartmentInput{ID: 100, Name: "合规组", ParentID: id, Order: new(7)})
	noError(t, err, "Create with an id")
	if child != 100 {
		t.Errorf("Create with id 100 = %d, want 100", child)
	}

	noError(t, c.Department.Update(ctx, &wecom.DepartmentInput{ID: id, Name: "法务合规部", ParentID: 7, Order: new(5)}), "Update")
	d, err = c.Department.Get(ctx, id)
	noError(t, err, "Get after Update")
	want.Name, want.ParentID, want.Order = "法务合规部", 7, 5
	if !reflect.DeepEqual(*d, want) {
		t.Errorf("Get after Update = %+v, want %+v", *d, want)
	}
	if got, ok := findDept(srv.Snapshot(), id); !ok || got.Name != "法务合规部" || got.ParentID != 7 {
		t.Errorf("snapshot department = %+v, %v; want 法务合规部 under 7", got, ok)
	}

	sub, err := c.Department.List(ctx, id)
	noError(t, err, "List")
	if len(sub) != 2 || sub[0].ID != id || sub[1].ID != 100 || sub[1].ParentID != id || sub[1].Order != 7 {
		t.Errorf("List(%d) = %+v, want the department and 合规组 under it", id, sub)
	}
	refs, err := c.Department.SimpleList(ctx, 0)
	noError(t, err, "SimpleList")
	if got, want := len(refs), len(srv.Snapshot().Departments); got != want {
		t.Errorf("SimpleList(0) has %d departments, want %d", got, want)
	}
	if !slices.Contains(refs, wecom.DepartmentRef{ID: 100, ParentID: id, Order: 7}) {
		t.Errorf("SimpleList(0) lacks {100 %d 7}: %v", id, refs)
	}

	// A department is deleted once it has no sub-departments and no members.
	noError(t, c.User.Create(ctx, &wecom.UserInput{UserID: "fawu", Name: "法务", Email: "fawu@example.com", Department: []int{100}}), "Create member")
	err = c.Department.Delete(ctx, id)
	wantAPIError(t, err, "department/delete", wecom.CodeDepartmentHasChild)
	err = c.Department.Delete(ctx, 100)
	wantAPIError(t, err, "department/delete", wecom.CodeDepartmentHasMembers)
	noError(t, c.User.Delete(ctx, "fawu"), "Delete member")
	noError(t, c.Department.Delete(ctx, 100), "Delete child")
	noError(t, c.Department.Delete(ctx, id), "Delete")
	_, err = c.Department.Get(ctx, id)
	wantAPIError(t, err, "department/get", wecom.CodeDepartmentNotFound)
	org := srv.Snapshot()
	for _, gone := range []int{id, 100} {
		if _, ok := findDept(org, gone); ok {
			t.Errorf("department %d is still in the snapshot", gone)
		}
	}
}

func TestClientDepartmentErrors(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	c := contactsClient(srv)
	wantFailures(t, srv, "departments", func(o *emulator.Org) []emulator.Department { return o.Departments }, []failingCall{
		{"duplicate name under one parent", func(ctx context.Context) error {
			_, err := c.Department.Create(ctx, &wecom.DepartmentInput{Name: "研发中心", ParentID: 1})
			return err
		}, "department/create", wecom.CodeDepartmentExists},
		{"duplicate id", func(ctx context.Context) error {
			_, err := c.Department.Create(ctx, &wecom.DepartmentInput{ID: 3, Name: "新部门", ParentID: 1})
			return err
		}, "department/create", wecom.CodeDepartmentExists},
		{"rename to a sibling's name", func(ctx context.Context) error {
			return c.Department.Update(ctx, &wecom.DepartmentInput{ID: 8, Name: "产品部"})
		}, "department/update", wecom.CodeDepartmentExists},
		{"unknown parent", func(ctx context.Context) error {
			_, err := c.Department.Create(ctx, &wecom.DepartmentInput{Name: "新部门", ParentID: 999})
			return err
		}, "department/create", wecom.CodeParentNotFound},
		{"update of an unknown department", func(ctx context.Context) error {
			return c.Department.Update(ctx, &wecom.DepartmentInput{ID: 999, Name: "x"})
		}, "department/update", wecom.CodeDepartmentNotFound},
		{"move under its own sub-department", func(ctx context.Context) error {
			return c.Department.Update(ctx, &wecom.DepartmentInput{ID: 2, ParentID: 3})
		}, "department/update", 60010},
		{"get of an unknown department", func(ctx context.Context) error {
			_, err := c.Department.Get(ctx, 999)
			return err
		}, "department/get", wecom.CodeDepartmentNotFound},
		{"list of an unknown department", func(ctx context.Context) error {
			_, err := c.Department.List(ctx, 999)
			return err
		}, "department/list", wecom.CodeDepartmentNotFound},
		{"delete of an unknown department", func(ctx context.Context) error {
			return c.Department.Delete(ctx, 999)
		}, "department/delete", wecom.CodeDepartmentNotFound},
		{"delete of a department with members", func(ctx context.Context) error {
			return c.Department.Delete(ctx, 13)
		}, "department/delete", wecom.CodeDepartmentHasMembers},
		{"delete of the root", func(ctx context.Context) error {
			return c.Department.Delete(ctx, 1)
		}, "department/delete", 60007},
		{"an app writing departments", func(ctx context.Context) error {
			_, err := opsClient(srv).Department.Create(ctx, &wecom.DepartmentInput{Name: "新部门", ParentID: 1})
			return err
		}, "department/create", wecom.CodeAPIForbidden},
	})
}

func TestClientDepartmentMembers(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	c := contactsClient(srv)
	ctx := t.Context()
	org := srv.Snapshot()

	wantNames := map[string]string{}
	wantMobiles := map[string]string{}
	var wantLeaders []string
	for _, u := range org.Users {
		if slices.Contains(u.Department, 3) {
			wantNames[u.Name] = u.UserID
		}
		wantMobiles[u.Mobile] = u.UserID
		if i := slices.Index(u.Department, 2); i >= 0 && u.IsLeaderInDept[i] == 1 {
			wantLeaders = append(wantLeaders, u.UserID)
		}
	}

	names, err := c.Department.GetMapUsers(ctx, 3, "name", nil)
	noError(t, err, "GetMapUsers(3, name)")
	if !reflect.DeepEqual(names, wantNames) {
		t.Errorf("GetMapUsers(3, name) = %v, want %v", names, wantNames)
	}
	mobiles, err := c.Department.GetMapUsers(ctx, 0, "mobile", nil)
	noError(t, err, "GetMapUsers(0, mobile)")
	if !reflect.DeepEqual(mobiles, wantMobiles) {
		t.Errorf("GetMapUsers(0, mobile) has %d entries, want %d", len(mobiles), len(wantMobiles))
	}
	_, err = c.Department.GetMapUsers(ctx, 3, "no_such_field", nil)
	if err == nil || !strings.Contains(err.Error(), "no_such_field") {
		t.Errorf("GetMapUsers with an unknown key: error %v, want one naming the key", err)
	}

	d, err := c.Department.Get(ctx, 2)
	noError(t, err, "Get(2)")
	if !slices.Equal(d.DepartmentLeader, wantLeaders) {
		t.Errorf("leaders of 研发中心 = %v, want %v", d.DepartmentLeader, wantLeaders)
	}
}

func TestClientTag(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	c := contactsClient(srv)
	ctx := t.Context()

	id, err := c.Tag.Create(ctx, "周末值班")
	noError(t, err, "Create")
	tags, err := c.Tag.List(ctx)
	noError(t, err, "List")
	if !slices.Contains(tags, wecom.Tag{TagID: id, TagName: "周末值班"}) {
		t.Errorf("List = %v, want it to hold {%d 周末值班}", tags, id)
	}
	noError(t, c.Tag.Update(ctx, id, "节假日值班"), "Update")

	change, err := c.Tag.AddUsers(ctx, id, []string{"lisi", "Wangwu", "nobody"})
	noError(t, err, "AddUsers")
	if got, want := change.InvalidList, "nobody"; got != want {
		t.Errorf("AddUsers invalidlist = %q, want %q", got, want)
	}
	m, err := c.Tag.GetUsers(ctx, id)
	noError(t, err, "GetUsers")
	want := &wecom.TagMembers{TagName: "节假日值班", UserList: []wecom.TagMember{{UserID: "lisi", Name: "李四"}, {UserID: "wangwu", Name: "王五"}}, PartyList: []int{}}
	if !reflect.DeepEqual(m, want) {
		t.Errorf("GetUsers = %+v, want %+v", m, want)
	}
	_, err = c.Tag.AddUsers(ctx, id, []string{"nobody"})
	wantAPIError(t, err, "tag/addtagusers", wecom.CodeTagNodesAllInvalid)

	_, err = c.Tag.DeleteUsers(ctx, id, []string{"lisi"})
	noError(t, err, "DeleteUsers")
	m, err = c.Tag.GetUsers(ctx, id)
	noError(t, err, "GetUsers after DeleteUsers")
	if got := m.UserList; len(got) != 1 || got[0].UserID != "wangwu" {
		t.Errorf("members after DeleteUsers = %v, want wangwu only", got)
	}

	noError(t, c.Tag.Delete(ctx, id), "Delete")
	_, err = c.Tag.GetUsers(ctx, id)
	wantAPIError(t, err, "tag/get", wecom.CodeInvalidTagID)
	err = c.Tag.Update(ctx, id, "x")
	wantAPIError(t, err, "tag/update", wecom.CodeInvalidTagID)
	err = c.Tag.Delete(ctx, id)
	wantAPIError(t, err, "tag/delete", wecom.CodeInvalidTagID)
	_, err = c.Tag.Create(ctx, "技术委员会")
	wantAPIError(t, err, "tag/create", 40071)

	// 值班 belongs to 运维助手: only that app changes it.
	err = c.Tag.Update(ctx, 3, "值班（新）")
	wantAPIError(t, err, "tag/update", 81011)
	noError(t, opsClient(srv).Tag.Update(ctx, 3, "值班（新）"), "Update by the owning app")
	m, err = c.Tag.GetUsers(ctx, 3)
	noError(t, err, "GetUsers(3)")
	if m.TagName != "值班（新）" || !slices.Equal(m.PartyList, []int{6}) || len(m.UserList) != 1 || m.UserList[0].UserID != "hutao" {
		t.Errorf("GetUsers(3) = %+v, want 值班（新） with hutao and department 6", m)
	}
}

func TestClientMessage(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	c := opsClient(srv)
	ctx := t.Context()
	lastMessage := func(t *testing.T) emulator.Message {
		t.Helper()
		msgs := srv.Messages()
		if len(msgs) == 0 {
			t.Fatal("the emulator recorded no message")
		}
		return msgs[len(msgs)-1]
	}

	t.Run("to members", func(t *testing.T) {
		r, err := c.Message.Send(ctx, &wecom.Message{AgentID: emulator.DemoOpsAgentID, ToUser: []string{"zhangsan", "lisi"},
			Content: wecom.TextContent{Content: "今晚八点发版"}, Safe: 1})
		noError(t, err, "Send")
		if r.InvalidUser != "" || r.MsgID == "" {
			t.Errorf("Send = %+v, want no invalid user and a msgid", r)
		}
		m := lastMessage(t)
		if m.MsgID != r.MsgID || m.MsgType != "text" || m.ToUser != "zhangsan|lisi" || !slices.Equal(m.Recipients, []string{"zhangsan", "lisi"}) {
			t.Errorf("recorded message = %+v, want text to zhangsan|lisi with msgid %s", m, r.MsgID)
		}
		var body struct {
			Text struct{ Content string }
			Safe int
		}
		noError(t, json.Unmarshal(m.Payload, &body), "decoding the payload")
		if body.Text.Content != "今晚八点发版" || body.Safe != 1 {
			t.Errorf("payload = %s, want the text and safe 1", m.Payload)
		}
	})

	t.Run("partly invalid recipients", func(t *testing.T) {
		r, err := c.Message.Send(ctx, &wecom.Message{AgentID: emulator.DemoOpsAgentID, ToUser: []string{"zhangsan", "nobody"},
			ToParty: []int{6, 999}, ToTag: []int{1, 99}, Content: wecom.MarkdownContent{Content: "**值班**提醒"}})
		noError(t, err, "Send")
		got := [3]string{r.InvalidUser, r.InvalidParty, r.InvalidTag}
		if want := [3]string{"nobody", "999", "99"}; got != want {
			t.Errorf("invalid user, party, tag = %q, want %q", got, want)
		}
		m := lastMessage(t)
		for _, id := range []string{"zhangsan", "xuming", "sunhao", "liuyang"} {
			if !slices.Contains(m.Recipients, id) {
				t.Errorf("recipients %v lack %s", m.Recipients, id)
			}
		}
	})

	t.Run("everyone", func(t *testing.T) {
		_, err := c.Message.Send(ctx, &wecom.Message{AgentID: emulator.DemoOpsAgentID, ToUser: []string{"@all"},
			Content: wecom.TextCardContent{Title: "停电通知", Description: "周五晚十点机房停电", URL: "https://ops.example.com/notice"}})
		noError(t, err, "Send to @all")
		if got, want := len(lastMessage(t).Recipients), len(srv.Snapshot().Users); got != want {
			t.Errorf("@all reached %d members, want %d", got, want)
		}
	})

	t.Run("errors", func(t *testing.T) {
		before := len(srv.Messages())
		_, err := c.Message.Send(ctx, &wecom.Message{AgentID: emulator.DemoOpsAgentID, ToUser: []string{"nobody", "ghost"}, Content: wecom.TextContent{Content: "x"}})
		wantAPIError(t, err, "message/send", wecom.CodeAllRecipientsInvalid)
		_, err = c.Message.Send(ctx, &wecom.Message{AgentID: emulator.DemoOpsAgentID, Content: wecom.TextContent{Content: "x"}})
		wantAPIError(t, err, "message/send", wecom.CodeNoRecipients)
		_, err = c.Message.Send(ctx, &wecom.Message{AgentID: emulator.DemoReportAgentID, ToUser: []string{"zhangsan"}, Content: wecom.TextContent{Content: "x"}})
		wantAPIError(t, err, "message/send", wecom.CodeAgentMismatch)
		_, err = contactsClient(srv).Message.Send(ctx, &wecom.Message{AgentID: emulator.DemoOpsAgentID, ToUser: []string{"zhangsan"}, Content: wecom.TextContent{Content: "x"}})
		wantAPIError(t, err, "message/send", wecom.CodeAPIForbidden)
		_, err = c.Message.Send(ctx, &wecom.Message{AgentID: emulator.DemoOpsAgentID, ToUser: []string{"zhangsan"}, Content: wecom.TextContent{Content: strings.Repeat("长", 683)}})
		wantAPIError(t, err, "message/send", 45002)
		if after := len(srv.Messages()); after != before {
			t.Errorf("failed sends recorded %d messages, want none", after-before)
		}
	})

	t.Run("outside the visible range", func(t *testing.T) {
		report := reportClient(srv)
		r, err := report.Message.Send(ctx, &wecom.Message{AgentID: emulator.DemoReportAgentID, ToUser: []string{"zhangsan", "hutao"}, Content: wecom.TextContent{Content: "日报提醒"}})
		noError(t, err, "Send by 日报")
		if r.InvalidUser != "hutao" {
			t.Errorf("invaliduser = %q, want hutao (outside 日报's range)", r.InvalidUser)
		}
		_, err = report.Message.Send(ctx, &wecom.Message{AgentID: emulator.DemoReportAgentID, ToUser: []string{"hutao"}, Content: wecom.TextContent{Content: "日报提醒"}})
		wantAPIError(t, err, "message/send", wecom.CodeAllRecipientsInvalid)
	})

	t.Run("recall", func(t *testing.T) {
		r, err := c.Message.Send(ctx, &wecom.Message{AgentID: emulator.DemoOpsAgentID, ToUser: []string{"lisi"}, Content: wecom.TextContent{Content: "发错了"}})
		noError(t, err, "Send")
		err = reportClient(srv).Message.Recall(ctx, r.MsgID)
		wantAPIError(t, err, "message/recall", wecom.CodeInvalidParameter)
		noError(t, c.Message.Recall(ctx, r.MsgID), "Recall")
		if m := lastMessage(t); m.MsgID != r.MsgID || !m.Recalled {
			t.Errorf("recorded message = %+v, want %s recalled", m, r.MsgID)
		}
	})
}

func TestClientAppChat(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	c := opsClient(srv)
	ctx := t.Context()

	id, err := c.AppChat.Create(ctx, &wecom.AppChat{Name: "发版群", Owner: "zhangsan", UserList: []string{"zhangsan", "lisi", "wangwu"}})
	noError(t, err, "Create")
	chat, err := c.AppChat.Get(ctx, id)
	noError(t, err, "Get")
	want := &wecom.AppChat{ChatID: id, Name: "发版群", Owner: "zhangsan", UserList: []string{"zhangsan", "lisi", "wangwu"}}
	if !reflect.DeepEqual(chat, want) {
		t.Errorf("Get = %+v, want %+v", chat, want)
	}

	err = c.AppChat.Update(ctx, &wecom.AppChatUpdate{ChatID: id, Name: "发版群（二期）", Owner: "lisi", AddUserList: []string{"zhaoliu"}, DelUserList: []string{"wangwu"}})
	noError(t, err, "Update")
	chat, err = c.AppChat.Get(ctx, id)
	noError(t, err, "Get after Update")
	want = &wecom.AppChat{ChatID: id, Name: "发版群（二期）", Owner: "lisi", UserList: []string{"zhangsan", "lisi", "zhaoliu"}}
	if !reflect.DeepEqual(chat, want) {
		t.Errorf("Get after Update = %+v, want %+v", chat, want)
	}

	noError(t, c.AppChat.Send(ctx, id, wecom.TextContent{Content: "今晚八点发版"}, 1), "Send")
	msgs := srv.ChatMessages()
	if len(msgs) != 1 {
		t.Fatalf("the emulator recorded %d chat messages, want 1", len(msgs))
	}
	if m := msgs[0]; m.ChatID != id || m.MsgType != "text" || m.AgentID != emulator.DemoOpsAgentID || !slices.Equal(m.Recipients, want.UserList) {
		t.Errorf("recorded chat message = %+v, want text to %s from %d reaching %v", m, id, emulator.DemoOpsAgentID, want.UserList)
	}

	named, err := c.AppChat.Create(ctx, &wecom.AppChat{ChatID: "RELEASE2024", Name: "发布", UserList: []string{"lisi", "wangwu"}})
	noError(t, err, "Create with a chat id")
	if named != "RELEASE2024" {
		t.Errorf("Create with chat id RELEASE2024 = %q", named)
	}
	_, err = c.AppChat.Create(ctx, &wecom.AppChat{ChatID: "RELEASE2024", UserList: []string{"lisi", "wangwu"}})
	wantAPIError(t, err, "appchat/create", 86215)
	_, err = c.AppChat.Create(ctx, &wecom.AppChat{UserList: []string{"lisi", "nobody"}})
	wantAPIError(t, err, "appchat/create", 86216)
	_, err = c.AppChat.Get(ctx, "NOSUCHCHAT")
	wantAPIError(t, err, "appchat/get", wecom.CodeChatNotFound)
	_, err = reportClient(srv).AppChat.Get(ctx, "OPSONCALL2024")
	wantAPIError(t, err, "appchat/get", wecom.CodeNoPrivilege)
	_, err = reportClient(srv).AppChat.Create(ctx, &wecom.AppChat{UserList: []string{"zhangsan", "lisi"}})
	wantAPIError(t, err, "appchat/create", wecom.CodeAPIForbidden)
	err = contactsClient(srv).AppChat.Send(ctx, id, wecom.TextContent{Content: "x"}, 0)
	wantAPIError(t, err, "appchat/send", wecom.CodeAPIForbidden)
}

func TestClientChat(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	c := opsClient(srv)
	ctx := t.Context()

	noError(t, c.Chat.Create(ctx, &wecom.Chat{ChatID: "project2024", Name: "项目组", Owner: "zhangsan", UserList: []string{"zhangsan", "lisi", "wangwu"}}), "Create")
	noError(t, c.Chat.Update(ctx, &wecom.ChatUpdate{ChatID: "project2024", OpUser: "zhangsan", Name: "项目组二期", AddUserList: []string{"zhaoliu"}}), "Update")
	noError(t, c.Chat.Quit(ctx, "project2024", "lisi"), "Quit")
	chat, err := c.Chat.Get(ctx, "project2024")
	noError(t, err, "Get")
	want := &wecom.Chat{ChatID: "project2024", Name: "项目组二期", Owner: "zhangsan", UserList: []string{"zhangsan", "wangwu", "zhaoliu"}}
	if !reflect.DeepEqual(chat, want) {
		t.Errorf("Get = %+v, want %+v", chat, want)
	}

	noError(t, c.Chat.Send(ctx, "zhangsan", wecom.GroupChat("project2024"), wecom.TextContent{Content: "开会"}), "Send to the group")
	noError(t, c.Chat.Send(ctx, "zhangsan", wecom.SingleChat("lisi"), wecom.TextContent{Content: "在吗"}), "Send to a member")
	msgs := srv.ChatMessages()
	if len(msgs) != 2 {
		t.Fatalf("the emulator recorded %d chat messages, want 2", len(msgs))
	}
	if m := msgs[0]; !m.Legacy || m.Sender != "zhangsan" || m.ChatID != "project2024" || !slices.Equal(m.Recipients, want.UserList) {
		t.Errorf("group message = %+v, want a legacy message from zhangsan to project2024", m)
	}
	if m := msgs[1]; !m.Legacy || m.ChatID != "" || !slices.Equal(m.Recipients, []string{"lisi"}) {
		t.Errorf("single message = %+v, want a legacy message to lisi", m)
	}

	noError(t, c.Chat.ClearNotify(ctx, "zhangsan", wecom.GroupChat("project2024")), "ClearNotify")
	invalid, err := c.Chat.SetMute(ctx, []wecom.ChatMute{{UserID: "zhangsan", Status: 1}, {UserID: "nobody", Status: 0}})
	noError(t, err, "SetMute")
	if !slices.Equal(invalid, []string{"nobody"}) {
		t.Errorf("SetMute invalid users = %v, want [nobody]", invalid)
	}

	err = c.Chat.Quit(ctx, "project2024", "zhangsan")
	wantAPIError(t, err, "chat/quit", 86220)
	_, err = c.Chat.Get(ctx, "nosuchchat")
	wantAPIError(t, err, "chat/get", wecom.CodeChatNotFound)
	for _, r := range srv.Requests() {
		if strings.HasPrefix(r.API, "chat/") && !r.Legacy {
			t.Errorf("request %s is not marked legacy", r.API)
		}
	}
}

// memberCSV writes members as WeCom's batch member file.
func memberCSV(t *testing.T, users []emulator.User) []byte {
	t.Helper()
	var buf bytes.Buffer
	buf.WriteString("\ufeff") // Excel's UTF-8 byte order mark
	w := csv.NewWriter(&buf)
	w.Write([]string{"姓名", "帐号", "手机号", "邮箱", "所在部门", "职位"})
	for _, u := range users {
		deps := make([]string, len(u.Department))
		for i, d := range u.Department {
			deps[i] = strconv.Itoa(d)
		}
		w.Write([]string{u.Name, u.UserID, u.Mobile, u.Email, strings.Join(deps, ";"), u.Position})
	}
	w.Flush()
	noError(t, w.Error(), "writing the CSV")
	return buf.Bytes()
}

// waitJob polls a batch job until it has finished and returns its result.
func waitJob(t *testing.T, c *wecom.Client, jobID string) *wecom.BatchResult {
	t.Helper()
	last := 0
	for deadline := time.Now().Add(time.Minute); time.Now().Before(deadline); {
		r, err := c.Batch.GetResult(t.Context(), jobID)
		noError(t, err, "GetResult")
		if r.Status < last || r.Status < wecom.BatchStarted || r.Status > wecom.BatchFinished {
			t.Fatalf("job status went from %d to %d", last, r.Status)
		}
		last = r.Status
		if r.Status == wecom.BatchFinished {
			if r.Percentage != 100 {
				t.Errorf("finished job at %d%%, want 100%%", r.Percentage)
			}
			return r
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("job %s did not finish", jobID)
	return nil
}

func TestClientBatchReplaceUser(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	c := contactsClient(srv)
	ctx := t.Context()

	before := srv.Snapshot()
	removed := map[string]bool{"hanmei": true, "tianye": true}
	var file []emulator.User
	for _, u := range before.Users {
		if removed[u.UserID] {
			continue
		}
		if u.UserID == "lisi" {
			u.Position = "资深后端工程师"
		}
		file = append(file, u)
	}
	file = append(file, emulator.User{UserID: "qianlei", Name: "钱磊", Mobile: "13912345678", Email: "qianlei@tengfei.example.com", Department: []int{3, 4}, Position: "后端工程师"})

	m, err := c.Media.Upload(ctx, "file", upload("成员.csv", memberCSV(t, file)))
	noError(t, err, "Upload")
	jobID, err := c.Batch.ReplaceUser(ctx, m.MediaID, false, nil)
	noError(t, err, "ReplaceUser")
	r := waitJob(t, c, jobID)
	if r.Type != "replace_user" || r.Total != len(file) || len(r.Result) != len(file) {
		t.Errorf("result: type %q, total %d, %d rows; want replace_user, %d, %d", r.Type, r.Total, len(r.Result), len(file), len(file))
	}
	for _, row := range r.Result {
		if row.ErrCode != 0 {
			t.Errorf("row %s: errcode %d %s", row.UserID, row.ErrCode, row.ErrMsg)
		}
	}

	after := srv.Snapshot()
	if got, want := len(after.Users), len(before.Users)-len(removed)+1; got != want {
		t.Errorf("%d members after the job, want %d", got, want)
	}
	for id := range removed {
		if _, ok := findUser(after, id); ok {
			t.Errorf("%s, absent from the file, is still a member", id)
		}
	}
	if u, ok := findUser(after, "qianlei"); !ok || !slices.Equal(u.Department, []int{3, 4}) || u.Mobile != "13912345678" {
		t.Errorf("new member = %+v, %v; want qianlei in [3 4]", u, ok)
	}
	if u, _ := findUser(after, "lisi"); u.Position != "资深后端工程师" {
		t.Errorf("lisi's position = %q, want 资深后端工程师", u.Position)
	}
	got, err := c.User.Get(ctx, "qianlei")
	noError(t, err, "Get(qianlei)")
	if got.Name != "钱磊" {
		t.Errorf("Get(qianlei).Name = %q, want 钱磊", got.Name)
	}
}

func TestClientBatchJobs(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	c := contactsClient(srv)
	ctx := t.Context()
	before := srv.Snapshot()

	t.Run("sync user keeps the others", func(t *testing.T) {
		file := []emulator.User{
			{UserID: "zhouxin", Name: "周鑫", Mobile: "13912340000", Department: []int{5}, Position: "测试工程师"},
			{UserID: "bad user", Name: "坏账号", Mobile: "13912340001", Department: []int{5}},
		}
		m, err := c.Media.Upload(ctx, "file", upload("sync.csv", memberCSV(t, file)))
		noError(t, err, "Upload")
		jobID, err := c.Batch.SyncUser(ctx, m.MediaID, true, &wecom.BatchCallback{})
		noError(t, err, "SyncUser")
		r := waitJob(t, c, jobID)
		codes := map[string]int{}
		for _, row := range r.Result {
			codes[row.UserID] = row.ErrCode
		}
		if want := map[string]int{"zhouxin": 0, "bad user": wecom.CodeInvalidUserID}; !reflect.DeepEqual(codes, want) {
			t.Errorf("row errcodes = %v, want %v", codes, want)
		}
		if got, want := len(srv.Snapshot().Users), len(before.Users)+1; got != want {
			t.Errorf("%d members after sync_user, want %d", got, want)
		}
	})

	t.Run("replace user refuses to delete most members", func(t *testing.T) {
		org := srv.Snapshot()
		m, err := c.Media.Upload(ctx, "file", upload("two.csv", memberCSV(t, org.Users[:2])))
		noError(t, err, "Upload")
		jobID, err := c.Batch.ReplaceUser(ctx, m.MediaID, false, nil)
		noError(t, err, "ReplaceUser")
		for deadline := time.Now().Add(time.Minute); time.Now().Before(deadline); {
			if _, err = c.Batch.GetResult(ctx, jobID); err != nil {
				break
			}
			time.Sleep(20 * time.Millisecond)
		}
		wantAPIError(t, err, "batch/getresult", wecom.CodeDeleteProtection)
		if after := srv.Snapshot(); !reflect.DeepEqual(after.Users, org.Users) {
			t.Errorf("the refused job changed the members: %d before, %d after", len(org.Users), len(after.Users))
		}
	})

	t.Run("replace party", func(t *testing.T) {
		var buf bytes.Buffer
		w := csv.NewWriter(&buf)
		w.Write([]string{"部门名称", "部门ID", "父部门ID", "排序"})
		for _, d := range srv.Snapshot().Departments {
			w.Write([]string{d.Name, strconv.Itoa(d.ID), strconv.Itoa(d.ParentID), strconv.Itoa(d.Order)})
		}
		w.Write([]string{"法务部", "20", "1", "10"})
		w.Flush()
		m, err := c.Media.Upload(ctx, "file", upload("部门.csv", buf.Bytes()))
		noError(t, err, "Upload")
		jobID, err := c.Batch.ReplaceParty(ctx, m.MediaID, nil)
		noError(t, err, "ReplaceParty")
		r := waitJob(t, c, jobID)
		i := slices.IndexFunc(r.Result, func(it wecom.BatchResultItem) bool { return it.PartyID == 20 })
		if i < 0 || r.Result[i].Action&1 == 0 || r.Result[i].ErrCode != 0 {
			t.Errorf("result rows %+v, want department 20 created (action bit 1)", r.Result)
		}
		if d, ok := findDept(srv.Snapshot(), 20); !ok || d.Name != "法务部" || d.ParentID != 1 {
			t.Errorf("department 20 = %+v, %v; want 法务部 under 1", d, ok)
		}
	})

	t.Run("invite", func(t *testing.T) {
		r, err := c.Batch.Invite(ctx, []string{"panyue", "zhangsan", "nobody"}, []int{999}, nil)
		noError(t, err, "Invite")
		if !slices.Equal(r.InvalidUser, []string{"nobody"}) || !slices.Equal(r.InvalidParty, []int{999}) {
			t.Errorf("Invite = %+v, want nobody and 999 invalid", r)
		}
		inv := srv.Invitations()
		if len(inv) != 1 || !slices.Equal(inv[0].Users, []string{"panyue"}) {
			t.Errorf("invitations = %+v, want one to panyue, the only member not yet activated", inv)
		}
	})

	t.Run("errors", func(t *testing.T) {
		_, err := c.Batch.GetResult(ctx, "nosuchjob")
		wantAPIError(t, err, "batch/getresult", wecom.CodeJobNotFound)
		_, err = c.Batch.ReplaceUser(ctx, "nosuchmedia", false, nil)
		wantAPIError(t, err, "batch/replaceuser", wecom.CodeInvalidMediaID)
		m, err := c.Media.Upload(ctx, "file", upload("notes.csv", []byte("a,b,c\n1,2,3\n")))
		noError(t, err, "Upload")
		_, err = c.Batch.SyncUser(ctx, m.MediaID, false, nil)
		wantAPIError(t, err, "batch/syncuser", wecom.CodeInvalidImportFile)
		_, err = opsClient(srv).Batch.ReplaceUser(ctx, m.MediaID, false, nil)
		wantAPIError(t, err, "batch/replaceuser", wecom.CodeAPIForbidden)
	})
}

func TestClientMedia(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	c := opsClient(srv)
	ctx := t.Context()

	data := randomBytes(256 << 10)
	m, err := c.Media.Upload(ctx, "file", upload("年报 2024.pdf", data))
	noError(t, err, "Upload")
	if m.Type != "file" || m.MediaID == "" || time.Since(m.CreatedAt) > time.Minute {
		t.Errorf("Upload = %+v, want a file with a media id created now", m)
	}

	f, err := c.Media.Download(ctx, m.MediaID)
	noError(t, err, "Download")
	if got := readFile(t, f); !bytes.Equal(got, data) {
		t.Errorf("downloaded %d bytes, want the %d uploaded", len(got), len(data))
	}
	if f.Filename != "年报 2024.pdf" || f.ContentType != "application/pdf" || f.Size != int64(len(data)) {
		t.Errorf("download: filename %q, type %q, size %d; want 年报 2024.pdf, application/pdf, %d", f.Filename, f.ContentType, f.Size, len(data))
	}
	f, err = c.Media.DownloadJSSDK(ctx, m.MediaID)
	noError(t, err, "DownloadJSSDK")
	if got := readFile(t, f); !bytes.Equal(got, data) {
		t.Errorf("DownloadJSSDK gave %d bytes, want the %d uploaded", len(got), len(data))
	}

	// The address works without the client.
	u, err := c.Media.GetURL(ctx, m.MediaID)
	noError(t, err, "GetURL")
	res, err := http.Get(u)
	noError(t, err, "GET "+u)
	got, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusOK || !bytes.Equal(got, data) {
		t.Errorf("GET media URL: HTTP %d, %d bytes; want 200 and the %d uploaded", res.StatusCode, len(got), len(data))
	}

	png := append([]byte("\x89PNG\r\n\x1a\n"), randomBytes(100)...)
	img, err := c.Media.UploadImg(ctx, upload("banner.png", png))
	noError(t, err, "UploadImg")
	res, err = http.Get(img)
	noError(t, err, "GET "+img)
	got, _ = io.ReadAll(res.Body)
	res.Body.Close()
	if !bytes.Equal(got, png) {
		t.Errorf("GET image URL gave %d bytes, want the %d uploaded", len(got), len(png))
	}

	// A text file that looks like WeCom's JSON answer is still a file.
	conf := []byte(`{"env": "prod", "replicas": 3}`)
	m, err = c.Media.Upload(ctx, "file", upload("config.json", conf))
	noError(t, err, "Upload JSON file")
	f, err = c.Media.Download(ctx, m.MediaID)
	noError(t, err, "Download JSON file")
	if got := readFile(t, f); !bytes.Equal(got, conf) {
		t.Errorf("downloaded %q, want %q", got, conf)
	}

	_, err = c.Media.Download(ctx, "nosuchmedia")
	wantAPIError(t, err, "media/get", wecom.CodeInvalidMediaID)
	_, err = c.Media.Upload(ctx, "image", upload("notes.txt", []byte("not an image")))
	wantAPIError(t, err, "media/upload", 40004)
	_, err = c.Media.Upload(ctx, "file", upload("tiny.txt", []byte("abc")))
	wantAPIError(t, err, "media/upload", 40006)
}

func TestClientMaterial(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	c := opsClient(srv)
	ctx := t.Context()
	agent := emulator.DemoOpsAgentID

	png := append([]byte("\x89PNG\r\n\x1a\n"), randomBytes(64)...)
	thumb, err := c.Material.Add(ctx, agent, "image", upload("cover.png", png))
	noError(t, err, "Add image")
	manual := randomBytes(4096)
	fileID, err := c.Material.Add(ctx, agent, "file", upload("运维手册.pdf", manual))
	noError(t, err, "Add file")
	f, err := c.Material.Get(ctx, agent, fileID)
	noError(t, err, "Get")
	if got := readFile(t, f); !bytes.Equal(got, manual) || f.Filename != "运维手册.pdf" {
		t.Errorf("Get: %d bytes named %q, want the %d uploaded named 运维手册.pdf", len(got), f.Filename, len(manual))
	}

	articles := []wecom.MaterialArticle{{ThumbMediaID: thumb, Title: "发版说明", Content: "<p>v2.3</p>", Author: "运维部",
		ContentSourceURL: "https://ops.example.com/v2.3", Digest: "新功能一览", ShowCoverPic: 1}}
	news, err := c.Material.AddArticles(ctx, agent, articles)
	noError(t, err, "AddArticles")
	gotArticles, err := c.Material.GetArticles(ctx, agent, news)
	noError(t, err, "GetArticles")
	if !reflect.DeepEqual(gotArticles, articles) {
		t.Errorf("GetArticles = %+v, want %+v", gotArticles, articles)
	}
	articles[0].Title, articles[0].ShowCoverPic = "发版说明（更正）", 0
	noError(t, c.Material.UpdateArticles(ctx, agent, news, articles), "UpdateArticles")
	gotArticles, err = c.Material.GetArticles(ctx, agent, news)
	noError(t, err, "GetArticles after UpdateArticles")
	if !reflect.DeepEqual(gotArticles, articles) {
		t.Errorf("GetArticles after UpdateArticles = %+v, want %+v", gotArticles, articles)
	}

	count, err := c.Material.GetCount(ctx, agent)
	noError(t, err, "GetCount")
	if want := (wecom.MaterialCount{TotalCount: 3, ImageCount: 1, FileCount: 1, MPNewsCount: 1}); *count != want {
		t.Errorf("GetCount = %+v, want %+v", *count, want)
	}
	page, err := c.Material.BatchGet(ctx, &wecom.MaterialQuery{AgentID: agent, Type: "mpnews", Count: 10})
	noError(t, err, "BatchGet")
	if page.TotalCount != 1 || page.ItemCount != 1 || len(page.ItemList) != 1 || page.ItemList[0].MediaID != news ||
		!reflect.DeepEqual(page.ItemList[0].Articles, articles) || page.ItemList[0].UpdateTime.IsZero() {
		t.Errorf("BatchGet = %+v, want the one mpnews with its articles and update time", page)
	}

	noError(t, c.Material.Delete(ctx, agent, fileID), "Delete")
	_, err = c.Material.Get(ctx, agent, fileID)
	wantAPIError(t, err, "material/get", wecom.CodeInvalidMediaID)
	_, err = reportClient(srv).Material.GetCount(ctx, agent)
	wantAPIError(t, err, "material/get_count", wecom.CodeAgentMismatch)
	for _, r := range srv.Requests() {
		if strings.HasPrefix(r.API, "material/") && !r.Legacy {
			t.Errorf("request %s is not marked legacy", r.API)
		}
	}
}

func TestClientMenu(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	c := opsClient(srv)
	ctx := t.Context()
	agent := emulator.DemoOpsAgentID

	_, err := c.Menu.Get(ctx, agent)
	wantAPIError(t, err, "menu/get", 46003)
	menu := &wecom.Menu{Button: []wecom.MenuButton{
		{Type: "click", Name: "今日值班", Key: "ONCALL"},
		{Name: "工单", SubButton: []wecom.MenuButton{
			{Type: "view", Name: "新建工单", URL: "https://ops.example.com/tickets/new"},
			{Type: "scancode_push", Name: "扫码报修", Key: "SCAN"},
		}},
	}}
	noError(t, c.Menu.Create(ctx, agent, menu), "Create")
	got, err := c.Menu.Get(ctx, agent)
	noError(t, err, "Get")
	if !reflect.DeepEqual(got, menu) {
		t.Errorf("Get = %+v, want %+v", got, menu)
	}

	menu = &wecom.Menu{Button: []wecom.MenuButton{{Type: "view_miniprogram", Name: "小程序", AppID: "wx1234567890abcdef", PagePath: "pages/index"}}}
	noError(t, c.Menu.Update(ctx, agent, menu), "Update")
	got, err = c.Menu.Get(ctx, agent)
	noError(t, err, "Get after Update")
	if !reflect.DeepEqual(got, menu) {
		t.Errorf("Get after Update = %+v, want %+v", got, menu)
	}

	noError(t, c.Menu.Delete(ctx, agent), "Delete")
	_, err = c.Menu.Get(ctx, agent)
	wantAPIError(t, err, "menu/get", 46003)

	four := &wecom.Menu{Button: slices.Repeat([]wecom.MenuButton{{Type: "click", Name: "签到", Key: "CHECKIN"}}, 4)}
	err = c.Menu.Create(ctx, agent, four)
	wantAPIError(t, err, "menu/create", 40016)
	err = c.Menu.Create(ctx, agent, &wecom.Menu{Button: []wecom.MenuButton{{Type: "click", Name: "签到"}}})
	wantAPIError(t, err, "menu/create", 40019)
	err = c.Menu.Create(ctx, emulator.DemoReportAgentID, &wecom.Menu{Button: []wecom.MenuButton{{Type: "click", Name: "签到", Key: "CHECKIN"}}})
	wantAPIError(t, err, "menu/create", wecom.CodeAgentMismatch)
	err = c.Menu.Update(ctx, emulator.DemoReportAgentID, menu)
	wantAPIError(t, err, "menu/delete", wecom.CodeAgentMismatch)
	_, err = contactsClient(srv).Menu.Get(ctx, agent)
	wantAPIError(t, err, "menu/get", wecom.CodeAPIForbidden)
}

func TestClientAgent(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	c := opsClient(srv)
	ctx := t.Context()

	a, err := c.Agent.Get(ctx, emulator.DemoOpsAgentID)
	noError(t, err, "Get")
	if a.AgentID != emulator.DemoOpsAgentID || a.Name != "运维助手" || !slices.Equal(a.AllowPartys.PartyID, []int{1}) || a.HomeURL == "" {
		t.Errorf("Get = %+v, want 运维助手 visible to department 1", a)
	}
	r, err := reportClient(srv).Agent.Get(ctx, emulator.DemoReportAgentID)
	noError(t, err, "Get 日报")
	users := []string{}
	for _, u := range r.AllowUserInfos.User {
		users = append(users, u.UserID)
	}
	if !slices.Equal(users, []string{"wangwu"}) || !slices.Equal(r.AllowPartys.PartyID, []int{2}) || !slices.Equal(r.AllowTags.TagID, []int{1}) {
		t.Errorf("日报's range: users %v, parties %v, tags %v; want [wangwu], [2], [1]", users, r.AllowPartys.PartyID, r.AllowTags.TagID)
	}

	list, err := c.Agent.List(ctx)
	noError(t, err, "List")
	if len(list) != 1 || list[0].AgentID != emulator.DemoOpsAgentID || list[0].Name != "运维助手" {
		t.Errorf("List = %+v, want 运维助手 alone", list)
	}

	err = c.Agent.Set(ctx, &wecom.AgentSettings{AgentID: emulator.DemoOpsAgentID, Name: "运维机器人", Description: "告警、值班与工单",
		ReportLocationFlag: new(1), IsReportEnter: new(1), HomeURL: "https://ops2.example.com"})
	noError(t, err, "Set")
	noError(t, c.Agent.Set(ctx, &wecom.AgentSettings{AgentID: emulator.DemoOpsAgentID, Description: "告警与值班"}), "Set description")
	a, err = c.Agent.Get(ctx, emulator.DemoOpsAgentID)
	noError(t, err, "Get after Set")
	got := [5]string{a.Name, a.Description, a.HomeURL, strconv.Itoa(a.ReportLocationFlag), strconv.Itoa(a.IsReportEnter)}
	if want := [5]string{"运维机器人", "告警与值班", "https://ops2.example.com", "1", "1"}; got != want {
		t.Errorf("after Set: %q, want %q", got, want)
	}
	if i := slices.IndexFunc(srv.Snapshot().Apps, func(a emulator.App) bool { return a.AgentID == emulator.DemoOpsAgentID }); i < 0 || srv.Snapshot().Apps[i].Name != "运维机器人" {
		t.Error("the snapshot does not hold the new name of the app")
	}

	_, err = c.Agent.Get(ctx, emulator.DemoReportAgentID)
	wantAPIError(t, err, "agent/get", wecom.CodeAgentMismatch)
	err = c.Agent.Set(ctx, &wecom.AgentSettings{AgentID: emulator.DemoReportAgentID, Name: "x"})
	wantAPIError(t, err, "agent/set", wecom.CodeAgentMismatch)
	_, err = contactsClient(srv).Agent.List(ctx)
	wantAPIError(t, err, "agent/list", wecom.CodeAPIForbidden)
}

func TestClientJSAPI(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	c := opsClient(srv)
	ctx := t.Context()

	tk, err := c.JSAPI.GetTicket(ctx)
	noError(t, err, "GetTicket")
	if tk.Ticket == "" || tk.ExpiresIn <= 0 || tk.ExpiresIn > 7200 {
		t.Errorf("GetTicket = %+v, want a ticket living up to 7200 s", tk)
	}
	cached, err := c.JSAPI.CachedTicket(ctx)
	noError(t, err, "CachedTicket")
	again, err := c.JSAPI.CachedTicket(ctx)
	noError(t, err, "CachedTicket again")
	if cached != tk.Ticket || again != tk.Ticket {
		t.Errorf("cached tickets %q, %q; want the valid ticket %q", cached, again, tk.Ticket)
	}
	if n := len(requestsOf(srv, "get_jsapi_ticket")); n != 2 {
		t.Errorf("get_jsapi_ticket called %d times, want 2 (the second ticket from the cache)", n)
	}

	agentTk, err := c.JSAPI.GetAgentTicket(ctx)
	noError(t, err, "GetAgentTicket")
	cachedAgent, err := c.JSAPI.CachedAgentTicket(ctx)
	noError(t, err, "CachedAgentTicket")
	if agentTk.Ticket == "" || agentTk.Ticket == tk.Ticket || cachedAgent != agentTk.Ticket {
		t.Errorf("agent ticket %q, cached %q; want one of its own, not the corp ticket %q", agentTk.Ticket, cachedAgent, tk.Ticket)
	}
	sig := c.JSAPI.Signature("Wm3WZYTPz0wzccnW", tk.Ticket, 1414587457, "https://ops.example.com/page?x=1")
	if len(sig) != 40 || sig == c.JSAPI.Signature("Wm3WZYTPz0wzccnW", agentTk.Ticket, 1414587457, "https://ops.example.com/page?x=1") {
		t.Errorf("signature %q: want 40 hex digits that depend on the ticket", sig)
	}

	_, err = contactsClient(srv).JSAPI.GetTicket(ctx)
	wantAPIError(t, err, "get_jsapi_ticket", wecom.CodeAPIForbidden)
}

func TestClientMisc(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	ips, err := opsClient(srv).Misc.GetWechatIPs(t.Context())
	noError(t, err, "GetWechatIPs")
	if len(ips) == 0 {
		t.Fatal("GetWechatIPs returned no address")
	}
	for _, ip := range ips {
		if net.ParseIP(ip) == nil {
			if _, _, err := net.ParseCIDR(ip); err != nil {
				t.Errorf("%q is neither an IP address nor a range", ip)
			}
		}
	}
}

func TestClientOAuth(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	c := opsClient(srv)
	ctx := t.Context()

	got := c.OAuth.AuthorizeURL("https://ops.example.com/cb?from=menu", "s1")
	want := wecom.AuthorizeBaseURL + "?appid=" + emulator.DemoCorpID +
		"&redirect_uri=https%3A%2F%2Fops.example.com%2Fcb%3Ffrom%3Dmenu&response_type=code&scope=snsapi_base&state=s1#wechat_redirect"
	if got != want {
		t.Errorf("AuthorizeURL = %q, want %q", got, want)
	}

	code, err := srv.NewOAuthCode("zhangsan")
	noError(t, err, "NewOAuthCode")
	u, err := c.OAuth.GetUserInfo(ctx, code)
	noError(t, err, "GetUserInfo")
	if u.UserID != "zhangsan" || u.DeviceID == "" || u.OpenID != "" {
		t.Errorf("GetUserInfo = %+v, want zhangsan with a device id", u)
	}
	_, err = c.OAuth.GetUserInfo(ctx, code)
	wantAPIError(t, err, "user/getuserinfo", 42022)
	_, err = c.OAuth.GetUserInfo(ctx, "nosuchcode")
	wantAPIError(t, err, "user/getuserinfo", 40029)

	code, err = srv.NewOAuthCode("lisi")
	noError(t, err, "NewOAuthCode")
	id, err := c.User.GetInfo(ctx, emulator.DemoOpsAgentID, code)
	noError(t, err, "User.GetInfo")
	if id.UserID != "lisi" {
		t.Errorf("User.GetInfo = %+v, want lisi", id)
	}
	code, err = srv.NewOAuthCode("lisi")
	noError(t, err, "NewOAuthCode")
	_, err = c.User.GetInfo(ctx, emulator.DemoReportAgentID, code)
	wantAPIError(t, err, "user/getuserinfo", wecom.CodeAgentMismatch)

	code, err = srv.NewOAuthCode("hutao")
	noError(t, err, "NewOAuthCode")
	_, err = reportClient(srv).OAuth.GetUserInfo(ctx, code)
	wantAPIError(t, err, "user/getuserinfo", wecom.CodeNoPrivilege)
}

func TestClientService(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	p := srv.Credentials().Provider
	if p == nil || len(p.Suites) == 0 {
		t.Fatal("the demo organisation has no service provider with a suite")
	}
	c := wecom.New(p.CorpID, "", wecom.WithBaseURL(srv.BaseURL()))
	ctx := t.Context()

	pt, err := c.Service.GetProviderToken(ctx, p.Secret)
	noError(t, err, "GetProviderToken")
	if pt.ProviderAccessToken == "" || pt.ExpiresIn != 7200 {
		t.Errorf("GetProviderToken = %+v, want a token for 7200 s", pt)
	}
	_, err = c.Service.GetProviderToken(ctx, "wrong-secret")
	wantAPIError(t, err, "service/get_provider_token", wecom.CodeInvalidSecret)

	s := p.Suites[0]
	st, err := c.Service.GetSuiteToken(ctx, s.SuiteID, s.Secret, s.Ticket)
	noError(t, err, "GetSuiteToken")
	if st.SuiteAccessToken == "" || st.ExpiresIn <= 0 {
		t.Errorf("GetSuiteToken = %+v, want a token", st)
	}
	_, err = c.Service.GetSuiteToken(ctx, s.SuiteID, s.Secret, "stale-ticket")
	wantAPIError(t, err, "service/get_suite_token", 40085)

	authCode, err := srv.NewLoginAuthCode("zhangwei")
	noError(t, err, "NewLoginAuthCode")
	info, err := c.Service.GetLoginInfo(ctx, authCode, pt.ProviderAccessToken)
	noError(t, err, "GetLoginInfo")
	if info.UserType != 1 || info.UserInfo.UserID != "zhangwei" || info.CorpInfo.CorpID != emulator.DemoCorpID ||
		len(info.Agent) != 4 || info.RedirectLoginInfo.LoginTicket == "" {
		t.Errorf("GetLoginInfo = %+v, want the creator zhangwei of %s with four apps and a login ticket", info, emulator.DemoCorpID)
	}
	_, err = c.Service.GetLoginInfo(ctx, authCode, pt.ProviderAccessToken)
	wantAPIError(t, err, "service/get_login_info", 42022)

	params := wecom.LoginURLParams{LoginTicket: info.RedirectLoginInfo.LoginTicket, Target: "agent_setting",
		AgentID: new(emulator.DemoOpsAgentID), ProviderAccessToken: pt.ProviderAccessToken}
	lu, err := c.Service.GetLoginURL(ctx, params)
	noError(t, err, "GetLoginURL")
	if !strings.Contains(lu.LoginURL, "agentid=1000002") || lu.ExpiresIn <= 0 {
		t.Errorf("GetLoginURL = %+v, want an address for agent 1000002", lu)
	}
	_, err = c.Service.GetLoginURL(ctx, params)
	wantAPIError(t, err, "service/get_login_url", 42022)

	_, err = c.Service.GetLoginInfo(ctx, "any", "not-a-provider-token")
	wantAPIError(t, err, "service/get_login_info", wecom.CodeInvalidAccessToken)
	if n := srv.TokenRequests(); n != 0 {
		t.Errorf("the provider's calls made %d gettoken calls, want 0", n)
	}
}

func TestClientShakeAround(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	c := opsClient(srv)
	ctx := t.Context()

	ticket, err := srv.NewShakeTicket("zhaoliu")
	noError(t, err, "NewShakeTicket")
	info, err := c.ShakeAround.GetShakeInfo(ctx, ticket)
	noError(t, err, "GetShakeInfo")
	if info.UserID != "zhaoliu" || info.PageID == 0 || info.BeaconInfo.UUID == "" || info.BeaconInfo.Distance <= 0 {
		t.Errorf("GetShakeInfo = %+v, want zhaoliu's shake with a page and a beacon", info)
	}
	_, err = c.ShakeAround.GetShakeInfo(ctx, ticket)
	wantAPIError(t, err, "shakearound/getshakeinfo", 42022)
	_, err = c.ShakeAround.GetShakeInfo(ctx, "nosuchticket")
	wantAPIError(t, err, "shakearound/getshakeinfo", 40029)
	if rs := requestsOf(srv, "shakearound/getshakeinfo"); len(rs) != 3 || !rs[0].Legacy {
		t.Errorf("logged shakearound calls = %+v, want 3 marked legacy", rs)
	}
}

func TestClientTokenExpiry(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		opts   func(clk *fakeClock) []emulator.Option
		expire func(srv *emulator.Server, clk *fakeClock)
		code   int // the errcode answered to the stale token
	}{
		{"ExpireTokens", nil, func(srv *emulator.Server, _ *fakeClock) { srv.ExpireTokens() }, wecom.CodeAccessTokenExpired},
		{"answered as 40014", func(*fakeClock) []emulator.Option {
			return []emulator.Option{emulator.WithExpiredTokenErrcode(wecom.CodeInvalidAccessToken)}
		}, func(srv *emulator.Server, _ *fakeClock) { srv.ExpireTokens() }, wecom.CodeInvalidAccessToken},
		{"lifetime over on the server's clock", func(clk *fakeClock) []emulator.Option {
			return []emulator.Option{emulator.WithClock(clk.Now)}
		}, func(_ *emulator.Server, clk *fakeClock) { clk.Add(2*time.Hour + time.Second) }, wecom.CodeAccessTokenExpired},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			clk := newFakeClock()
			var opts []emulator.Option
			if tt.opts != nil {
				opts = tt.opts(clk)
			}
			srv := newServer(t, opts...)
			c := contactsClient(srv)
			_, err := c.User.Get(t.Context(), "lisi")
			noError(t, err, "first Get")
			tt.expire(srv, clk)
			_, err = c.User.Get(t.Context(), "lisi")
			noError(t, err, "Get with an expired token")
			if n := srv.TokenRequests(); n != 2 {
				t.Errorf("gettoken called %d times, want 2", n)
			}
			if got, want := errcodes(srv, "user/get"), []int{0, tt.code, 0}; !slices.Equal(got, want) {
				t.Errorf("user/get errcodes = %v, want %v", got, want)
			}
		})
	}

	t.Run("concurrent calls share one refresh", func(t *testing.T) {
		t.Parallel()
		srv := newServer(t)
		c := contactsClient(srv)
		_, err := c.User.Get(t.Context(), "lisi")
		noError(t, err, "first Get")
		srv.ExpireTokens()
		var wg sync.WaitGroup
		errs := make([]error, 8)
		for i := range errs {
			wg.Go(func() { _, errs[i] = c.User.Get(t.Context(), "lisi") })
		}
		wg.Wait()
		noError(t, errors.Join(errs...), "concurrent Get")
		if n := srv.TokenRequests(); n != 2 {
			t.Errorf("gettoken called %d times, want 2", n)
		}
	})

	t.Run("a second stale answer is final", func(t *testing.T) {
		t.Parallel()
		srv := newServer(t)
		c := contactsClient(srv)
		srv.FailNext("user/get", 2, wecom.CodeAccessTokenExpired)
		_, err := c.User.Get(t.Context(), "lisi")
		wantAPIError(t, err, "user/get", wecom.CodeAccessTokenExpired)
		if n := srv.TokenRequests(); n != 2 {
			t.Errorf("gettoken called %d times, want 2", n)
		}
	})

	t.Run("a wrong secret", func(t *testing.T) {
		t.Parallel()
		srv := newServer(t)
		_, err := newClient(srv, "wrong-secret").User.Get(t.Context(), "lisi")
		wantAPIError(t, err, "gettoken", wecom.CodeInvalidSecret)
		if strings.Contains(err.Error(), "wrong-secret") {
			t.Errorf("error %q shows the secret", err)
		}
	})
}

func TestClientFaults(t *testing.T) {
	t.Parallel()

	t.Run("system busy is retried", func(t *testing.T) {
		t.Parallel()
		srv := newServer(t)
		srv.FailNext("user/get", 1, wecom.CodeSystemBusy)
		u, err := contactsClient(srv).User.Get(t.Context(), "lisi")
		noError(t, err, "Get")
		if u.UserID != "lisi" {
			t.Errorf("Get = %q, want lisi", u.UserID)
		}
		if got, want := errcodes(srv, "user/get"), []int{-1, 0}; !slices.Equal(got, want) {
			t.Errorf("user/get errcodes = %v, want %v", got, want)
		}
	})

	t.Run("system busy past the retries", func(t *testing.T) {
		t.Parallel()
		srv := newServer(t)
		srv.FailNext("user/get", 5, wecom.CodeSystemBusy)
		_, err := contactsClient(srv, wecom.WithRetries(3)).User.Get(t.Context(), "lisi")
		wantAPIError(t, err, "user/get", wecom.CodeSystemBusy)
		if n := len(requestsOf(srv, "user/get")); n != 3 {
			t.Errorf("user/get tried %d times, want 3", n)
		}
	})

	t.Run("HTTP 502 is retried", func(t *testing.T) {
		t.Parallel()
		srv := newServer(t)
		srv.FailNextHTTP("user/create", 1, http.StatusBadGateway)
		err := contactsClient(srv).User.Create(t.Context(), &wecom.UserInput{UserID: "qianlei", Name: "钱磊", Email: "qianlei@example.com"})
		noError(t, err, "Create")
		var statuses []int
		for _, r := range requestsOf(srv, "user/create") {
			statuses = append(statuses, r.Status)
		}
		if want := []int{502, 200}; !slices.Equal(statuses, want) {
			t.Errorf("user/create statuses = %v, want %v", statuses, want)
		}
		if _, ok := findUser(srv.Snapshot(), "qianlei"); !ok {
			t.Error("qianlei was not created")
		}
	})

	t.Run("HTTP 502 on an upload sends the file again", func(t *testing.T) {
		t.Parallel()
		srv := newServer(t)
		c := contactsClient(srv)
		data := randomBytes(10 << 10)
		srv.FailNextHTTP("media/upload", 1, http.StatusBadGateway)
		m, err := c.Media.Upload(t.Context(), "file", upload("a.bin", data))
		noError(t, err, "Upload")
		if got, _, ok := srv.MediaBytes(m.MediaID); !ok || !bytes.Equal(got, data) {
			t.Errorf("stored %d bytes, want the %d sent", len(got), len(data))
		}
		srv.FailNextHTTP("media/upload", 1, http.StatusBadGateway)
		once := &wecom.Upload{Filename: "b.bin", Content: io.MultiReader(bytes.NewReader(data)), Size: int64(len(data))}
		if _, err := c.Media.Upload(t.Context(), "file", once); err == nil || !strings.Contains(err.Error(), "cannot be sent again") {
			t.Errorf("retrying an upload that cannot seek: error %v, want one saying it cannot be sent again", err)
		}
		if n := len(srv.Media()); n != 1 {
			t.Errorf("the emulator holds %d files, want 1", n)
		}
	})

	t.Run("a dropped write has an unknown outcome", func(t *testing.T) {
		t.Parallel()
		srv := newServer(t)
		c := contactsClient(srv)
		ctx := t.Context()
		in := &wecom.UserInput{UserID: "qianlei", Name: "钱磊", Email: "qianlei@example.com"}
		srv.DropNext("user/create", 1)
		err := c.User.Create(ctx, in)
		if !errors.Is(err, wecom.ErrOutcomeUnknown) {
			t.Fatalf("Create on a dropped connection: error %v, want wecom.ErrOutcomeUnknown", err)
		}
		var apiErr *wecom.APIError
		if errors.As(err, &apiErr) {
			t.Errorf("error %v is an APIError, want none", err)
		}
		if n := len(requestsOf(srv, "user/create")); n != 1 {
			t.Errorf("user/create sent %d times, want 1 (a write of unknown outcome is not replayed)", n)
		}
		// The caller checks the state before trying again.
		_, err = c.User.Get(ctx, "qianlei")
		wantAPIError(t, err, "user/get", wecom.CodeUserNotFound)
		noError(t, c.User.Create(ctx, in), "Create again")
		n := 0
		for _, u := range srv.Snapshot().Users {
			if u.UserID == "qianlei" {
				n++
			}
		}
		if n != 1 {
			t.Errorf("qianlei is %d times in the snapshot, want once", n)
		}
	})

	t.Run("a dropped write sent with GET is not replayed", func(t *testing.T) {
		t.Parallel()
		srv := newServer(t)
		c := contactsClient(srv)
		ctx := t.Context()
		// A first call leaves a connection to reuse, which the transport
		// would replay a GET on.
		_, err := c.User.Get(ctx, "lisi")
		noError(t, err, "Get")
		srv.DropNext("user/delete", 1)
		err = c.User.Delete(ctx, "lisi")
		if !errors.Is(err, wecom.ErrOutcomeUnknown) {
			t.Errorf("Delete on a dropped connection: error %v, want wecom.ErrOutcomeUnknown", err)
		}
		if n := len(requestsOf(srv, "user/delete")); n != 1 {
			t.Errorf("user/delete sent %d times, want 1", n)
		}
		if _, ok := findUser(srv.Snapshot(), "lisi"); !ok {
			t.Error("lisi was deleted by a call whose connection was dropped")
		}
		noError(t, c.User.Delete(ctx, "lisi"), "Delete again")
		if _, ok := findUser(srv.Snapshot(), "lisi"); ok {
			t.Error("lisi is still a member after Delete")
		}
	})

	t.Run("a dropped send is not sent twice", func(t *testing.T) {
		t.Parallel()
		srv := newServer(t)
		srv.DropNext("message/send", 1)
		_, err := opsClient(srv).Message.Send(t.Context(), &wecom.Message{AgentID: emulator.DemoOpsAgentID, ToUser: []string{"lisi"}, Content: wecom.TextContent{Content: "告警"}})
		if !errors.Is(err, wecom.ErrOutcomeUnknown) {
			t.Fatalf("Send on a dropped connection: error %v, want wecom.ErrOutcomeUnknown", err)
		}
		if n := len(srv.Messages()); n > 1 {
			t.Errorf("the message was delivered %d times, want at most once", n)
		}
	})

	t.Run("a dropped read is retried", func(t *testing.T) {
		t.Parallel()
		srv := newServer(t)
		srv.DropNext("user/get", 1)
		_, err := contactsClient(srv).User.Get(t.Context(), "lisi")
		noError(t, err, "Get")
		rs := requestsOf(srv, "user/get")
		if len(rs) != 2 || !rs[0].Dropped || rs[1].Dropped {
			t.Errorf("user/get log = %+v, want a dropped call then an answered one", rs)
		}
	})

	t.Run("latency", func(t *testing.T) {
		t.Parallel()
		srv := newServer(t)
		c := contactsClient(srv)
		_, err := c.User.Get(t.Context(), "lisi")
		noError(t, err, "Get")
		srv.SetLatency(50*time.Millisecond, 10*time.Millisecond)
		start := time.Now()
		_, err = c.User.Get(t.Context(), "lisi")
		noError(t, err, "Get with latency")
		if d := time.Since(start); d < 50*time.Millisecond {
			t.Errorf("Get took %v, want at least the 50ms of latency", d)
		}
	})

	t.Run("latency past the timeout", func(t *testing.T) {
		t.Parallel()
		srv := newServer(t)
		// The timeout leaves a busy machine time for the first call; the
		// latency outlasts it by far (the emulator stops waiting when the
		// client gives up).
		c := contactsClient(srv, wecom.WithTimeout(time.Second), wecom.WithRetries(2))
		_, err := c.User.Get(t.Context(), "lisi")
		noError(t, err, "Get")
		srv.SetLatency(time.Hour, 0)
		_, err = c.User.Get(t.Context(), "lisi")
		if !errors.Is(err, context.DeadlineExceeded) || errors.Is(err, wecom.ErrOutcomeUnknown) {
			t.Errorf("a read past its timeout: error %v, want context.DeadlineExceeded, with no unknown outcome", err)
		}
		err = c.User.Update(t.Context(), &wecom.UserInput{UserID: "lisi", Position: "架构师"})
		if !errors.Is(err, wecom.ErrOutcomeUnknown) || !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("a write past its timeout: error %v, want wecom.ErrOutcomeUnknown and context.DeadlineExceeded", err)
		}
	})

	t.Run("frequency limit until the window ends", func(t *testing.T) {
		t.Parallel()
		clk := newFakeClock()
		srv := newServer(t, emulator.WithClock(clk.Now))
		srv.SetRateLimit("user/get", 2)
		// The window ends as soon as the client has been told to wait.
		c := contactsClient(srv, wecom.WithHook(func(call wecom.Call) {
			if call.Errcode == wecom.CodeFrequencyLimited {
				clk.Add(time.Minute)
			}
		}))
		ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
		defer cancel()
		for i := range 3 {
			_, err := c.User.Get(ctx, "lisi")
			noError(t, err, fmt.Sprintf("Get %d", i+1))
		}
		if got, want := errcodes(srv, "user/get"), []int{0, 0, wecom.CodeFrequencyLimited, 0}; !slices.Equal(got, want) {
			t.Errorf("user/get errcodes = %v, want %v", got, want)
		}
	})

	t.Run("frequency limit past the deadline", func(t *testing.T) {
		t.Parallel()
		srv := newServer(t)
		srv.SetRateLimit("user/get", 1)
		c := contactsClient(srv)
		_, err := c.User.Get(t.Context(), "lisi")
		noError(t, err, "first Get")
		ctx, cancel := context.WithTimeout(t.Context(), 3*time.Second)
		defer cancel()
		start := time.Now()
		_, err = c.User.Get(ctx, "lisi")
		var rl *wecom.RateLimitError
		if !errors.As(err, &rl) {
			t.Fatalf("error %v, want a *wecom.RateLimitError", err)
		}
		wantAPIError(t, err, "user/get", wecom.CodeFrequencyLimited)
		if d := time.Since(start); d > 30*time.Second { // WeCom's window is a minute
			t.Errorf("gave up after %v, want about the 3s deadline", d)
		}
		if n := len(requestsOf(srv, "user/get")); n < 3 {
			t.Errorf("user/get tried %d times, want the client to keep trying until the deadline", n)
		}
	})

	t.Run("frequency limit past rate_limit_wait", func(t *testing.T) {
		t.Parallel()
		srv := newServer(t)
		srv.SetRateLimit("user/get", 1)
		c := contactsClient(srv, wecom.WithRateLimitWait(time.Second))
		_, err := c.User.Get(t.Context(), "lisi")
		noError(t, err, "first Get")
		// WeCom's window lasts a minute, the deadline an hour: the client
		// gives up after the second it may wait.
		ctx, cancel := context.WithTimeout(t.Context(), time.Hour)
		defer cancel()
		_, err = c.User.Get(ctx, "lisi")
		var rl *wecom.RateLimitError
		if !errors.As(err, &rl) || rl.Daily || rl.Waited < time.Second {
			t.Fatalf("error %v, want a *wecom.RateLimitError after waiting a second", err)
		}
		wantAPIError(t, err, "user/get", wecom.CodeFrequencyLimited)
	})

	t.Run("daily quota used up", func(t *testing.T) {
		t.Parallel()
		srv := newServer(t)
		srv.SetDailyQuota("user/get", 1)
		c := contactsClient(srv)
		_, err := c.User.Get(t.Context(), "lisi")
		noError(t, err, "first Get")
		_, err = c.User.Get(t.Context(), "lisi")
		var rl *wecom.RateLimitError
		if !errors.As(err, &rl) || !rl.Daily {
			t.Fatalf("error %v, want a *wecom.RateLimitError for a daily quota", err)
		}
		wantAPIError(t, err, "user/get", wecom.CodeFrequencyLimited)
		if n := len(requestsOf(srv, "user/get")); n != 2 {
			t.Errorf("user/get sent %d times, want 2: a daily quota is not waited for", n)
		}
	})
}

// TestClientDailyQuotaNotWaited: once the day's quota of mobiles not found
// is used up, user/getuserid answers WeCom's daily-quota 45009, which the
// client reports at once as a daily RateLimitError instead of waiting.
func TestClientDailyQuotaNotWaited(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	c := opsClient(srv, wecom.WithRateLimitWait(time.Hour))
	for i := range 8 { // a fifth of the demo's 40 members
		_, err := c.User.GetUserID(t.Context(), fmt.Sprint("1390000000", i))
		if !wecom.IsCode(err, 46004) {
			t.Fatalf("mobile %d: %v, want 46004", i, err)
		}
	}
	// A deadline short of the hour's wait: a 45009 the client took for a
	// frequency limit would fail at once too, but not as a daily one.
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	_, err := c.User.GetUserID(ctx, "13800138002")
	var rl *wecom.RateLimitError
	if !errors.As(err, &rl) || !rl.Daily || !wecom.IsCode(err, 45009) {
		t.Fatalf("after the quota: %v, want a daily RateLimitError", err)
	}
}

// TestClientMessageQuotaNotWaited: once an application's messages of the
// day reach the corp's seats × 200 recipients, message/send answers 45009
// as a daily quota, which the client reports at once, without waiting.
func TestClientMessageQuotaNotWaited(t *testing.T) {
	t.Parallel()
	org := emulator.DemoOrg()
	org.CorpUserMax = len(org.Users) // 40 seats: 8,000 recipients a day
	srv, err := emulator.Start(org)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	c := opsClient(srv, wecom.WithRateLimitWait(time.Hour))
	all := &wecom.Message{AgentID: emulator.DemoOpsAgentID, ToUser: []string{"@all"}, Content: wecom.TextContent{Content: "值班提醒"}}
	_, err = c.Message.Send(t.Context(), all)
	noError(t, err, "the first message")
	n := len(srv.Messages()[0].Recipients) + len(srv.Messages()[0].Dropped)
	for sent := n; sent+n <= 8000; sent += n {
		_, err := c.Message.Send(t.Context(), all)
		noError(t, err, fmt.Sprint("after ", sent, " recipients"))
	}
	// A deadline short of the hour's wait: a 45009 the client took for a
	// frequency limit would fail at once too, but not as a daily one.
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	_, err = c.Message.Send(ctx, all)
	var rl *wecom.RateLimitError
	if !errors.As(err, &rl) || !rl.Daily || !wecom.IsCode(err, 45009) || !strings.Contains(err.Error(), "daily quota of message/send is used up") {
		t.Fatalf("past the quota: %v, want a daily RateLimitError", err)
	}
}
