package emulator

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Server is an emulated WeCom server. It is an http.Handler serving the API
// under /cgi-bin/ and the read-only inspection endpoint under /_emulator/.
// All its methods are safe for concurrent use.
type Server struct {
	opts    options
	st      *state
	auth    *authStore
	out     *outbox
	push    *pusher
	media   *mediaStore
	jobs    *jobStore
	exports *exportStore
	faults  *faultSet
	log     *requestLog
	robots  *robots
	rules   *ruleState
	routes  map[string]route

	contactsSecret        string
	externalContactSecret string
	provider              *Provider
	robotList             []Robot
	tokenCalls            atomic.Int64

	mu      sync.Mutex // guards srv and baseURL
	srv     *http.Server
	baseURL string
}

// Option configures a Server.
type Option func(*options)

type options struct {
	tokenLifetime time.Duration
	expiredCode   int
	latency       time.Duration
	jitter        time.Duration
	clock         func() time.Time
	batchDuration time.Duration
	transferDelay time.Duration
	logSize       int

	callbackTimeout time.Duration
	callbackRetry   time.Duration

	rules      Rules
	syncIPs    []string
	trustedIPs []string
}

// WithTokenLifetime sets how long access tokens, JS-SDK tickets and
// provider tokens live (default 7200 s, WeCom's).
func WithTokenLifetime(d time.Duration) Option {
	return func(o *options) { o.tokenLifetime = d }
}

// WithExpiredTokenErrcode sets the errcode answered for an expired token:
// 42001 (default) or 40014, which WeCom has been seen to answer instead.
func WithExpiredTokenErrcode(code int) Option {
	return func(o *options) { o.expiredCode = code }
}

// WithLatency delays every answer by fixed plus a random duration up to
// jitter. SetLatency changes it later.
func WithLatency(fixed, jitter time.Duration) Option {
	return func(o *options) { o.latency, o.jitter = fixed, jitter }
}

// WithClock sets the clock used for token and ticket expiry, media expiry,
// batch job progress, frequency windows and timestamps, so that tests can
// move time.
func WithClock(now func() time.Time) Option {
	return func(o *options) { o.clock = now }
}

// WithBatchDuration sets how long a batch job (batch/syncuser, replaceuser,
// replaceparty) takes from submission to completion, by the server's clock
// (default 200 ms). Each batch/getresult poll also advances a job by half
// of it, so jobs finish under a frozen clock too.
func WithBatchDuration(d time.Duration) Option {
	return func(o *options) { o.batchDuration = d }
}

// WithTransferDelay sets how long a customer transfer (transfer_customer,
// resigned/transfer_customer) waits, by the server's clock, before the
// member taking over gets the customer (default 24 hours, WeCom's).
// transfer_result answers "waiting" until then.
func WithTransferDelay(d time.Duration) Option {
	return func(o *options) { o.transferDelay = d }
}

// WithRequestLogSize sets how many recent requests the request log keeps
// (default 10000).
func WithRequestLogSize(n int) Option {
	return func(o *options) { o.logSize = n }
}

// New returns a server for org, or for DemoOrg if org is nil. The org is
// copied. New panics if org fails Validate; LoadOrg validates org files.
func New(org *Org, opts ...Option) *Server {
	if org == nil {
		org = DemoOrg()
	}
	if err := org.Validate(); err != nil {
		panic("emulator: invalid org: " + err.Error())
	}
	o := options{
		tokenLifetime: 7200 * time.Second,
		expiredCode:   42001,
		clock:         time.Now,
		batchDuration: 200 * time.Millisecond,
		transferDelay: 24 * time.Hour,
		logSize:       10000,

		callbackTimeout: 5 * time.Second,
		callbackRetry:   time.Second,
	}
	for _, opt := range opts {
		opt(&o)
	}
	s := &Server{
		opts:                  o,
		st:                    newState(org),
		auth:                  newAuthStore(),
		out:                   &outbox{},
		push:                  newPusher(org.Callback),
		media:                 newMediaStore(),
		jobs:                  &jobStore{},
		exports:               newExportStore(),
		faults:                newFaultSet(o.latency, o.jitter),
		log:                   newRequestLog(o.logSize),
		robots:                newRobots(org.Robots),
		rules:                 newRuleState(o),
		robotList:             slices.Clone(org.Robots),
		contactsSecret:        org.ContactsSecret,
		externalContactSecret: org.ExternalContactSecret,
	}
	s.st.customers = newCustomerState(org, o.clock, o.transferDelay)
	s.st.oa = newOAState(org, o.clock)
	s.st.allFields = o.rules == RulesLegacy
	s.seedApprovals()
	if org.Provider != nil {
		p := *org.Provider
		s.provider = &p
	}
	s.routes = s.routeTable()
	return s
}

// Start returns a server for org (DemoOrg if nil) listening on an
// ephemeral port of 127.0.0.1. Close stops it.
func Start(org *Org, opts ...Option) (*Server, error) {
	if org == nil {
		org = DemoOrg()
	}
	if err := org.Validate(); err != nil {
		return nil, err
	}
	s := New(org, opts...)
	if _, err := s.Listen("127.0.0.1:0"); err != nil {
		return nil, err
	}
	return s, nil
}

// Listen serves on addr (e.g. "127.0.0.1:0") in the background and returns
// the base URL clients use, e.g. "http://127.0.0.1:41234/cgi-bin/".
func (s *Server) Listen(addr string) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.srv != nil {
		return "", errors.New("emulator: already listening")
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return "", err
	}
	s.srv = &http.Server{Handler: s, ReadHeaderTimeout: 10 * time.Second}
	s.baseURL = "http://" + ln.Addr().String() + "/cgi-bin/"
	go s.srv.Serve(ln)
	return s.baseURL, nil
}

// BaseURL returns the API base URL, ending in /cgi-bin/, once Listen has
// been called; "" before.
func (s *Server) BaseURL() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.baseURL
}

// Close stops the listener started by Listen and closes its connections,
// and stops pushing events.
func (s *Server) Close() error {
	s.push.close()
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.srv == nil {
		return nil
	}
	return s.srv.Close()
}

// Credentials are what clients need to call the emulator.
type Credentials struct {
	CorpID         string
	ContactsSecret string
	Apps           []AppCredentials
	// Provider is the service provider, or nil if the org has none.
	Provider *Provider
	// ExternalContactSecret is the secret of the system application 客户联系,
	// or "" if the org has none.
	ExternalContactSecret string
	// Robots are the group robots with their keys, in the org's order.
	Robots []Robot
	// Callback is the contacts sync's callback (its URL may be empty), or
	// nil if the org has none.
	Callback *Callback
}

// AppCredentials identify one app.
type AppCredentials struct {
	AgentID int
	Name    string
	Secret  string
	// ExternalContact says the app may call the customer contact API
	// (客户联系 → 可调用应用).
	ExternalContact bool
	// OA says the app may call the approval and leave API (审批 → 可调用
	// 接口的应用) and the attendance API (打卡 → 可调用接口的应用).
	OA bool
}

// Credentials returns the corp id, the contacts-sync secret and each app's
// agent id and secret, apps in increasing agent id order.
func (s *Server) Credentials() Credentials {
	s.st.mu.RLock()
	defer s.st.mu.RUnlock()
	c := Credentials{CorpID: s.st.corpID, ContactsSecret: s.contactsSecret, ExternalContactSecret: s.externalContactSecret}
	for _, id := range sortedKeys(s.st.apps) {
		a := s.st.apps[id]
		c.Apps = append(c.Apps, AppCredentials{AgentID: a.AgentID, Name: a.Name, Secret: a.Secret, ExternalContact: a.ExternalContact, OA: a.Approval && a.Checkin})
	}
	if s.provider != nil {
		p := *s.provider
		p.Suites = append([]Suite(nil), p.Suites...)
		c.Provider = &p
	}
	c.Robots = slices.Clone(s.robotList)
	s.push.mu.Lock()
	if cb := s.push.cb; cb.Token != "" {
		c.Callback = &cb
	}
	s.push.mu.Unlock()
	return c
}

func (s *Server) now() time.Time { return s.opts.clock() }

// authKind says how a route authenticates.
type authKind int

const (
	authToken    authKind = iota // access_token of an app or the contacts secret
	authNone                     // no token (gettoken, provider secrets in the body)
	authProvider                 // provider_access_token as access_token
)

// handler serves one API call: it returns the answer, or the error to
// answer.
type handler func(*call) (any, *apiError)

// body adapts h, which serves a JSON body of type T, to a handler: the body
// is decoded into a T (47001, 40035 or 40058 when it cannot be) that h
// receives. An empty body decodes as the zero T.
func body[T any](h func(*call, T) (any, *apiError)) handler {
	return func(c *call) (any, *apiError) {
		var req T
		if e := c.decode(&req); e != nil {
			return nil, e
		}
		return h(c, req)
	}
}

// route is one API endpoint.
type route struct {
	h            handler
	post         bool // a POST endpoint (GET answers 40058)
	getToo       bool // a POST endpoint that also accepts GET
	multipart    bool // the body is multipart: the handler reads it
	auth         authKind
	legacy       bool // a retired API (chat, material, shakearound)
	appOnly      bool // apps only: the contacts-sync secret gets 48002
	contactsOnly bool // the contacts-sync secret only: apps get 48002
}

// serve answers c: it refuses a caller the route does not take, else runs
// the route's handler.
func (rt route) serve(c *call) (any, *apiError) {
	switch {
	case rt.appOnly:
		if e := c.requireApp(); e != nil {
			return nil, e
		}
	case rt.contactsOnly:
		if e := c.requireContacts(); e != nil {
			return nil, e
		}
	}
	return rt.h(c)
}

// routeTable is the single table of every API the emulator serves, by path
// under /cgi-bin/. A handler of a JSON body declares its request type and
// is wrapped in body; appOnly and contactsOnly say which secret's tokens an
// API refuses, before its handler runs.
func (s *Server) routeTable() map[string]route {
	get := func(h handler) route { return route{h: h} }
	post := func(h handler) route { return route{h: h, post: true} }
	upload := func(h handler) route { return route{h: h, post: true, multipart: true} }
	legacy := func(r route) route { r.legacy = true; return r }
	appOnly := func(r route) route { r.appOnly = true; return r }
	contactsOnly := func(r route) route { r.contactsOnly = true; return r }
	return map[string]route{
		// auth
		"gettoken":     {h: s.getToken, auth: authNone},
		"webhook/send": {h: body(s.webhookSend), post: true, auth: authNone},

		// agent and menu
		"agent/get":   get(s.agentGet),
		"agent/list":  appOnly(get(s.agentList)),
		"agent/set":   post(body(s.agentSet)),
		"menu/create": post(s.menuCreate),
		"menu/get":    get(s.menuGet),
		"menu/delete": get(s.menuDelete),

		// appchat
		"appchat/create": appOnly(post(body(s.appchatCreate))),
		"appchat/get":    appOnly(get(s.appchatGet)),
		"appchat/update": appOnly(post(body(s.appchatUpdate))),
		"appchat/send":   appOnly(post(body(s.appchatSend))),

		// batch
		"batch/syncuser":     contactsOnly(post(body(s.batchSyncUser))),
		"batch/replaceuser":  contactsOnly(post(body(s.batchReplaceUser))),
		"batch/replaceparty": contactsOnly(post(body(s.batchReplaceParty))),
		"batch/getresult":    get(s.batchGetResult),
		"batch/invite":       post(body(s.batchInvite)),
		"batch/inviteuser":   legacy(post(body(s.batchInviteUser))),

		// department
		"department/create":     contactsOnly(post(body(s.departmentCreate))),
		"department/update":     contactsOnly(post(body(s.departmentUpdate))),
		"department/delete":     contactsOnly(get(s.departmentDelete)),
		"department/list":       get(s.departmentList),
		"department/simplelist": get(s.departmentSimpleList),
		"department/get":        get(s.departmentGet),

		// jsapi
		"get_jsapi_ticket": get(s.jsapiTicket),
		"ticket/get":       get(s.agentTicket),

		// export
		"export/simple_user": post(body(s.exportMembers(false))),
		"export/user":        post(body(s.exportMembers(true))),
		"export/department":  post(body(s.exportDepartments)),
		"export/taguser":     post(body(s.exportTagUsers)),
		"export/get_result":  get(s.exportResult),

		// media
		"media/upload":                   upload(s.mediaUpload),
		"media/upload_by_url":            appOnly(post(body(s.uploadByURL))),
		"media/get_upload_by_url_result": appOnly(post(body(s.uploadByURLResult))),
		"media/uploadimg":                upload(s.mediaUploadImg),
		"media/get":                      get(s.mediaGet),
		"media/get/jssdk":                get(s.mediaGet),
		"material/add_material":          legacy(upload(s.materialAdd)),
		"material/add_mpnews":            legacy(post(body(s.materialAddMPNews))),
		"material/get":                   legacy(get(s.materialGet)),
		"material/del":                   legacy(get(s.materialDelete)),
		"material/update_news":           legacy(post(body(s.materialUpdateNews))),
		"material/update_mpnews":         legacy(post(body(s.materialUpdateNews))),
		"material/get_count":             legacy(get(s.materialCount)),
		"material/batchget":              legacy(post(body(s.materialBatchGet))),

		// message
		"message/send":                 appOnly(post(body(s.messageSend))),
		"message/recall":               appOnly(post(body(s.messageRecall))),
		"message/update_template_card": appOnly(post(body(s.updateTemplateCard))),

		// legacy chat
		"chat/create":      appOnly(legacy(post(body(s.chatCreate)))),
		"chat/get":         legacy(get(s.chatGet)),
		"chat/update":      legacy(post(body(s.chatUpdate))),
		"chat/quit":        legacy(post(body(s.chatQuit))),
		"chat/clearnotify": legacy(post(body(s.chatClearNotify))),
		"chat/setmute":     legacy(post(body(s.chatSetMute))),
		"chat/send":        legacy(post(body(s.chatSend))),

		// misc and oauth
		"getcallbackip":     get(s.callbackIP),
		"get_api_domain_ip": get(s.apiDomainIP),
		"user/getuserinfo":  appOnly(get(s.oauthUserInfo)),
		"auth/getuserinfo":  appOnly(get(s.oauthUserInfo)),

		// service (provider)
		"service/get_provider_token": {h: body(s.providerToken), post: true, auth: authNone},
		"service/get_suite_token":    {h: body(s.suiteToken), post: true, auth: authNone},
		"service/get_login_info":     {h: body(s.loginInfo), post: true, auth: authProvider},
		"service/get_login_url":      {h: body(s.loginURL), post: true, auth: authProvider},

		// shakearound
		"shakearound/getshakeinfo": legacy(post(body(s.shakeInfo))),

		// tag
		"tag/create":      post(body(s.tagCreate)),
		"tag/update":      post(body(s.tagUpdate)),
		"tag/delete":      get(s.tagDelete),
		"tag/get":         get(s.tagGet),
		"tag/addtagusers": post(body(s.tagAddUsers)),
		"tag/deltagusers": post(body(s.tagDeleteUsers)),
		"tag/list":        get(s.tagList),

		// user
		"user/create":              contactsOnly(post(body(s.userCreate))),
		"user/update":              contactsOnly(post(body(s.userUpdate))),
		"user/delete":              contactsOnly(get(s.userDelete)),
		"user/batchdelete":         contactsOnly(post(body(s.userBatchDelete))),
		"user/get":                 get(s.userGet),
		"user/list":                get(s.userList),
		"user/simplelist":          get(s.userSimpleList),
		"user/list_id":             {h: body(s.userListID), post: true, getToo: true},
		"user/convert_to_openid":   post(body(s.userToOpenID)),
		"user/convert_to_userid":   post(body(s.userToUserID)),
		"user/authsucc":            get(s.userAuthSucc),
		"user/getuserid":           post(body(s.userByMobile)),
		"user/get_userid_by_email": post(body(s.userByEmail)),

		// customer contact
		"externalcontact/get_follow_user_list":       get(s.ecFollowUsers),
		"externalcontact/list":                       get(s.ecList),
		"externalcontact/get":                        get(s.ecGet),
		"externalcontact/batch/get_by_user":          post(body(s.ecBatchGetByUser)),
		"externalcontact/get_unassigned_list":        post(body(s.ecUnassigned)),
		"externalcontact/transfer_customer":          post(body(s.ecTransfer(false))),
		"externalcontact/transfer_result":            post(body(s.ecTransferResult(false))),
		"externalcontact/resigned/transfer_customer": post(body(s.ecTransfer(true))),
		"externalcontact/resigned/transfer_result":   post(body(s.ecTransferResult(true))),
		"externalcontact/get_corp_tag_list":          post(body(s.ecTagList)),
		"externalcontact/add_corp_tag":               post(body(s.ecTagAdd)),
		"externalcontact/edit_corp_tag":              post(body(s.ecTagEdit)),
		"externalcontact/del_corp_tag":               post(body(s.ecTagDelete)),
		"externalcontact/mark_tag":                   post(body(s.ecMarkTag)),
		"externalcontact/groupchat/list":             post(body(s.gcList)),
		"externalcontact/groupchat/get":              post(body(s.gcGet)),
		"externalcontact/groupchat/transfer":         post(body(s.gcTransfer(true))),
		"externalcontact/groupchat/onjob_transfer":   post(body(s.gcTransfer(false))),

		// approvals, leave and attendance
		"oa/gettemplatedetail":             post(body(s.oaTemplateDetail)),
		"oa/applyevent":                    post(body(s.oaApplyEvent)),
		"oa/getapprovalinfo":               post(body(s.oaApprovalInfo)),
		"oa/getapprovaldetail":             post(body(s.oaApprovalDetail)),
		"oa/vacation/getcorpconf":          get(s.oaVacationConf),
		"oa/vacation/getuservacationquota": post(body(s.oaUserQuota)),
		"checkin/getcheckindata":           post(s.checkinCall(maxRecordsSpan, s.ciData)),
		"checkin/getcheckin_daydata":       post(s.checkinCall(maxCheckinPeriod, s.ciDayData)),
		"checkin/getcheckin_monthdata":     post(s.checkinCall(maxCheckinPeriod, s.ciMonthData)),
		"checkin/getcorpcheckinoption":     post(s.ciCorpOption),
		"checkin/getcheckinschedulist":     post(s.checkinCall(maxCheckinPeriod, s.ciScheduleList)),
	}
}

// call is one API request being served.
type call struct {
	s       *Server
	w       http.ResponseWriter
	r       *http.Request
	api     string
	query   url.Values
	body    []byte
	agentID int  // the token's app; 0 for the contacts secret, externalContactAgent for the 客户联系 secret
	written bool // the handler wrote the response itself
}

// contacts reports whether the call uses the contacts-sync secret's token.
func (c *call) contacts() bool { return c.agentID == 0 }

// param returns a query parameter.
func (c *call) param(name string) string { return c.query.Get(name) }

// decode decodes the JSON body into v.
func (c *call) decode(v any) *apiError { return decodeBody(c.body, v) }

// app returns the calling app's state, or nil for the contacts secret. The
// caller must hold st.mu.
func (c *call) app() *appState {
	if c.agentID == 0 {
		return nil
	}
	return c.s.st.apps[c.agentID]
}

// readState read-locks the state and returns it; the caller defers
// st.mu.RUnlock().
func (s *Server) readState() *state {
	s.st.mu.RLock()
	return s.st
}

// writeState locks the state for writing and returns it; the caller defers
// st.mu.Unlock().
func (s *Server) writeState() *state {
	s.st.lock()
	return s.st
}

// requireContacts fails unless the call uses the contacts-sync secret:
// apps cannot write contacts (48002).
func (c *call) requireContacts() *apiError {
	if !c.contacts() {
		return errorf(48002, "this api needs the contacts-sync secret's access_token")
	}
	return nil
}

// requireApp fails for the contacts-sync secret, which can read and write
// contacts but not send messages or act as an app (48002).
func (c *call) requireApp() *apiError {
	if c.contacts() {
		return errorf(48002, "the contacts-sync secret cannot call this api")
	}
	return nil
}

// checkAgent checks an agentid parameter against the calling app: 41011 if
// missing, 40056 if no such app, 301002 if another app's.
func (c *call) checkAgent(id int) *apiError {
	if e := c.requireApp(); e != nil {
		return e
	}
	if id == 0 {
		return newError(41011)
	}
	c.s.st.mu.RLock()
	_, ok := c.s.st.apps[id]
	c.s.st.mu.RUnlock()
	if !ok {
		return errorf(40056, "agentid %d", id)
	}
	if id != c.agentID {
		return newError(301002)
	}
	return nil
}

// agentParam reads and checks the agentid query parameter.
func (c *call) agentParam() (int, *apiError) {
	v := c.param("agentid")
	if v == "" {
		if e := c.requireApp(); e != nil {
			return 0, e
		}
		return 0, newError(41011)
	}
	id, err := strconv.Atoi(v)
	if err != nil {
		return 0, errorf(40056, "agentid %q", v)
	}
	return id, c.checkAgent(id)
}

// status is the envelope every answer starts with.
type status struct {
	ErrCode int    `json:"errcode"`
	ErrMsg  string `json:"errmsg"`
}

var (
	okStatus      = status{ErrMsg: "ok"}
	createdStatus = status{ErrMsg: "created"}
	updatedStatus = status{ErrMsg: "updated"}
	deletedStatus = status{ErrMsg: "deleted"}
)

const (
	inspectPrefix = "/_emulator/"
	apiPrefix     = "/cgi-bin/"
	maxBody       = 64 << 20
)

// ServeHTTP serves the WeCom API under /cgi-bin/ and the inspection
// endpoint under /_emulator/.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	path := r.URL.Path
	if strings.HasPrefix(path, inspectPrefix) {
		s.serveInspect(w, r)
		return
	}
	if strings.HasPrefix(path, exportPrefix) {
		s.serveExportFile(w, r)
		return
	}
	if !strings.HasPrefix(path, apiPrefix) {
		http.NotFound(w, r)
		return
	}
	api := path[len(apiPrefix):]
	start := s.now()
	entry := Request{Time: start, Method: r.Method, API: api, Query: redactQuery(r.URL.RawQuery)}
	rt, known := s.routes[api]
	entry.Legacy = rt.legacy
	s.jobs.tick(s)

	f := s.faults.take(api, start)
	if f.delay > 0 {
		t := time.NewTimer(f.delay)
		select {
		case <-t.C:
		case <-r.Context().Done():
			t.Stop()
		}
	}
	switch {
	case f.drop:
		entry.Dropped = true
		s.log.add(entry)
		if hj, ok := w.(http.Hijacker); ok {
			if conn, _, err := hj.Hijack(); err == nil {
				conn.Close()
				return
			}
		}
		panic(http.ErrAbortHandler)
	case f.httpStatus != 0:
		entry.Status = f.httpStatus
		s.log.add(entry)
		http.Error(w, http.StatusText(f.httpStatus), f.httpStatus)
		return
	case f.err != nil:
		s.finish(w, r, &entry, nil, f.err)
		return
	}

	if !known {
		entry.Status = http.StatusNotFound
		e := errorf(48001, "unknown api %s", api)
		entry.ErrCode = e.code
		s.log.add(entry)
		s.writeJSON(w, http.StatusNotFound, status{e.code, e.errmsg(clientIP(r))})
		return
	}
	c := &call{s: s, w: w, r: r, api: api, query: r.URL.Query()}
	if rt.legacy {
		w.Header().Set("Deprecation", "true")
	}
	if rt.post && r.Method == http.MethodGet && !rt.getToo {
		s.finish(w, r, &entry, nil, errorf(40058, "%s must be called with POST", api))
		return
	}
	switch rt.auth {
	case authToken:
		id, e := s.auth.check(c.param("access_token"), start, s.opts.expiredCode)
		if e != nil {
			s.finish(w, r, &entry, nil, e)
			return
		}
		c.agentID = id
		entry.AgentID = id
		if e := c.permit(); e != nil {
			s.finish(w, r, &entry, nil, e)
			return
		}
	case authProvider:
		if e := s.auth.checkProvider(c.param("access_token"), start, s.opts.expiredCode); e != nil {
			s.finish(w, r, &entry, nil, e)
			return
		}
	}
	if !rt.multipart && r.Body != nil {
		body, err := io.ReadAll(io.LimitReader(r.Body, maxBody))
		if err != nil {
			s.finish(w, r, &entry, nil, errorf(47001, "reading body: %v", err))
			return
		}
		c.body = body
	}
	if e := s.checkQuota(api, start); e != nil {
		s.finish(w, r, &entry, nil, e)
		return
	}
	v, e := rt.serve(c)
	if e == nil {
		s.countQuota(api, 0, start)
	} else {
		s.countQuota(api, e.code, start)
	}
	if c.written {
		entry.Status = http.StatusOK
		s.log.add(entry)
		return
	}
	s.finish(w, r, &entry, v, e)
}

// finish writes the answer (v, or the error e) and logs the request.
func (s *Server) finish(w http.ResponseWriter, r *http.Request, entry *Request, v any, e *apiError) {
	entry.Status = http.StatusOK
	if e != nil {
		entry.ErrCode = e.code
		v = status{e.code, e.errmsg(clientIP(r))}
	}
	s.log.add(*entry)
	s.writeJSON(w, http.StatusOK, v)
}

var bufPool = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// okObject is a success answer whose fields are already encoded as a JSON
// object; it is answered as {"errcode":0,"errmsg":"ok", <its fields>}.
type okObject []byte

// okList is a success answer with one member, an array of already encoded
// elements: {"errcode":0,"errmsg":"ok","<name>":[<elements>]}. It is
// written piece by piece, without copying a large list into one buffer.
type okList struct {
	name  string
	elems [][]byte
}

// write writes l with its Content-Length.
func (l okList) write(w http.ResponseWriter) {
	head := `{"errcode":0,"errmsg":"ok",` + strconv.Quote(l.name) + `:[`
	n := len(head) + len("]}\n") + max(len(l.elems)-1, 0)
	for _, e := range l.elems {
		n += len(e)
	}
	h := w.Header()
	h["Content-Type"] = jsonContentType
	h["Content-Length"] = []string{strconv.Itoa(n)}
	w.WriteHeader(http.StatusOK)
	io.WriteString(w, head)
	comma := []byte{','}
	for i, e := range l.elems {
		if i > 0 {
			w.Write(comma)
		}
		w.Write(e)
	}
	io.WriteString(w, "]}\n")
}

// maxPooled is the largest buffer kept for reuse: a large answer's buffer
// is left to the collector rather than held for good.
const maxPooled = 1 << 20

// marshalJSON encodes v without escaping HTML characters and without the
// trailing newline.
func marshalJSON(v any) []byte {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		panic("emulator: encoding an answer: " + err.Error())
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
}

// writeJSON writes v as a JSON answer without escaping HTML characters.
func (s *Server) writeJSON(w http.ResponseWriter, code int, v any) {
	if l, ok := v.(okList); ok {
		l.write(w)
		return
	}
	buf := bufPool.Get().(*bytes.Buffer)
	buf.Reset()
	defer func() {
		if buf.Cap() <= maxPooled {
			bufPool.Put(buf)
		}
	}()
	if o, ok := v.(okObject); ok && len(o) > 2 {
		buf.WriteString(`{"errcode":0,"errmsg":"ok",`)
		buf.Write(o[1:])
		buf.WriteByte('\n')
	} else if err := jsonEncode(buf, v); err != nil {
		buf.Reset()
		buf.WriteString(`{"errcode":-1,"errmsg":"system error"}`)
		code = http.StatusInternalServerError
	}
	h := w.Header()
	h["Content-Type"] = jsonContentType
	h["Content-Length"] = []string{strconv.Itoa(buf.Len())}
	w.WriteHeader(code)
	w.Write(buf.Bytes())
}

func jsonEncode(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}

var jsonContentType = []string{"application/json; charset=UTF-8"}

// clientIP returns the caller's IP for errmsg's "from ip".
func clientIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// redactQuery removes secrets (access_token, corpsecret) from a raw query.
func redactQuery(raw string) string {
	if !strings.Contains(raw, "access_token") && !strings.Contains(raw, "secret") && !strings.Contains(raw, "key") {
		return raw
	}
	parts := strings.Split(raw, "&")
	out := parts[:0]
	for _, p := range parts {
		k, _, _ := strings.Cut(p, "=")
		if k == "access_token" || k == "key" || strings.Contains(k, "secret") {
			continue
		}
		out = append(out, p)
	}
	return strings.Join(out, "&")
}

// randomID returns a random URL-safe identifier of n characters.
func randomID(n int) string {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
	b := make([]byte, n)
	for i := range b {
		b[i] = alphabet[rand.IntN(len(alphabet))]
	}
	return string(b)
}

// randomAlnum returns a random identifier of n letters and digits.
func randomAlnum(n int) string {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
	b := make([]byte, n)
	for i := range b {
		b[i] = alphabet[rand.IntN(len(alphabet))]
	}
	return string(b)
}
