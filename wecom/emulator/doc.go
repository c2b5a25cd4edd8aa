// Package emulator is a local, stateful WeCom (企业微信) server API for
// tests, demos and dry runs on machines with no WeCom account.
//
// A Server keeps an organisation in memory (apps with their secrets,
// visible ranges and menus, the contacts-sync secret, departments, members,
// tags, app chats, uploaded media, batch jobs, every message sent, JS-SDK
// tickets) and answers the /cgi-bin/ API as WeCom does: the same tokens and
// expiry, the same validation and errcodes, the same JSON shapes. Retired
// APIs (chat/*, material/*, shakearound/*, batch/inviteuser) are served
// from the same state and marked with a "Deprecation: true" header and in
// the request log.
//
// Start one on a loopback port and point a client at it:
//
//	srv, err := emulator.Start(nil) // the demo organisation
//	if err != nil { ... }
//	defer srv.Close()
//	creds := srv.Credentials()
//	client := wecom.New(creds.CorpID, creds.ContactsSecret, wecom.WithBaseURL(srv.BaseURL()))
//
// Tests inject faults (FailNext, FailNextHTTP, DropNext, SetLatency,
// SetRateLimit, ExpireTokens, FailNextExports), move time (WithClock) and inspect what
// happened (Messages, ChatMessages, Snapshot, Requests, BatchJobs). The
// same inspection is served read-only as JSON under /_emulator/ (see
// Server.ServeHTTP).
//
// # Behaviour
//
// Auth: gettoken checks the corp id (40013) and the secret (40001); each
// app and the contacts-sync secret get their own token, the same one while
// it is valid, with the remaining lifetime as expires_in. A missing token
// answers 41001, an unknown one 40014, an expired one 42001 (or the code
// set by WithExpiredTokenErrcode). The contacts-sync token writes contacts
// but cannot send messages (48002); app tokens read contacts only within
// the app's visible range (60011), cannot write them (48002), and cannot act
// for another app (301002).
//
// Rules: a server applies WeCom's rules of today by default, those a corp
// created now meets on its first call (WithRules, rules.go, each rule with
// its source): apps created since 2022-06-20 no longer read members'
// mobile, email, biz_mail, gender, avatar, address and QR code (an app
// reads them only if its sensitive_fields flag says it was created
// before; the demo's apps are new); the contacts-sync secret may not call
// user/get, user/list, user/simplelist and department/list from a new IP
// (48009; every IP is new but those of WithContactsSyncIPs) and reads with
// user/list_id, department/simplelist and department/get; an app's
// messages reach one member at most 30 times a minute and 1,000 an hour,
// and group chat messages 200 times a minute and 10,000 a day, the rest
// dropped silently (Message.Dropped, ChatMessage.Dropped); an application's
// messages reach at most 200 recipients (人次) a day per seat of the corp
// (corp_user_max), then message/send answers 45009 until the next day; daily quotas (appchat/create,
// media/uploadimg, mobiles not found by user/getuserid) answer 45009 for
// the rest of the day, and media/uploadimg's monthly quota (3,000 images)
// for 30 days; Quotas, /_emulator/quotas and /_emulator/stats show what
// each has counted. RulesLegacy turns these off, for an older corp. The
// trusted-IP rule (60020) applies once trusted IPs are set (SetTrustedIPs,
// or POST /_emulator/console/trusted_ips), and enable_duplicate_check on
// message/send is honoured, under both, as is the seat limit: with every
// seat (corp_user_max) taken, user/create, the console's member creation
// and a batch import's new rows fail with 45024. user/update ignores the mobile of
// a member who has activated WeCom (status 1), as WeCom does.
//
// Batch jobs (batch/syncuser, replaceuser, replaceparty) read the CSV file
// of an uploaded media id in WeCom's import format: a header row naming
// the columns (姓名,帐号,手机号,邮箱,所在部门,职位,性别,是否部门内领导,排序,别名,地址,座机,禁用
// for members, 部门名称,部门ID,父部门ID,排序 for departments; other columns
// are ignored, absent columns leave fields unchanged), UTF-8 with or
// without BOM, several departments separated by ';'. Jobs run in
// submission order and complete after WithBatchDuration; batch/getresult
// answers status 1, 2, then 3 with per-row results. replaceuser refuses,
// with errcode 45026 from getresult and no change, to delete more than 20%
// of the members when that is over 50 of them, or more than 80% otherwise.
// replaceparty keeps departments absent from the file while they have
// members or sub-departments, and deletes them once a later member import
// empties them.
//
// # Org files
//
// LoadOrg reads an organisation from YAML (or JSON if the name ends in
// .json); unknown fields are errors. Field names are WeCom's. A complete
// example is testdata/org.yaml; in short:
//
//	corp_id: ww7d0a5c1e2f3b4a69
//	corp_name: 腾飞科技
//	corp_user_max: 500             # optional: seats (人数上限); default 500, or the members if more
//	contacts_secret: CONTACTS-SYNC-SECRET
//	provider:                      # optional, for service/*
//	  corp_id: ww3a9f1c0b7d2e5a18
//	  secret: PROVIDER-SECRET
//	  suites: [{suite_id: ww1f2e3d4c5b6a7980, secret: SUITE-SECRET, ticket: SUITE-TICKET}]
//	apps:
//	  - agentid: 1000002
//	    name: 运维助手
//	    secret: APP-SECRET
//	    allow_parties: [1]         # visible range: departments (with sub-departments),
//	    allow_users: [wangwu]      # members
//	    allow_tags: [1]            # and tags
//	    sensitive_fields: true     # created before 2022-06-20: may read mobile, email, ...
//	    description, square_logo_url, home_url, redirect_domain,
//	    report_location_flag, isreportenter, close: optional
//	departments:                   # department 1 is the root (parentid 0)
//	  - {id: 1, name: 腾飞科技, parentid: 0, order: 100000000}
//	  - {id: 2, name: 研发中心, name_en: R&D, parentid: 1}
//	users:
//	  - userid: zhangsan           # required: userid, name, department
//	    name: 张三
//	    department: [2]
//	    order: [0]                 # optional, one per department
//	    is_leader_in_dept: [1]     # optional, one per department
//	    main_department: 2
//	    position: 研发总监
//	    mobile: "13800138001"
//	    email: zhangsan@example.com
//	    gender: "1"                # "1" male, "2" female
//	    status: 1                  # 1 active (default), 2 disabled, 4 not activated
//	    creator: true              # the corp's creator cannot be deleted
//	    alias, biz_mail, telephone, address, direct_leader, avatar,
//	    external_position, extattr, external_profile: optional
//	tags:
//	  - {tagid: 1, tagname: 技术委员会, userlist: [zhangsan], partylist: [2], owner: 0}
//	appchats:
//	  - {chatid: OPSONCALL2024, name: 运维值班群, owner: zhangsan, userlist: [zhangsan, lisi], agentid: 1000002}
//	robots:
//	  - {key: 5b0e7c1a-3f9d-4e62-8a17-c24d9f6e0b38, name: 运维告警}   # webhook/send?key=...
//
//	external_contact_secret: ...   # the system app 客户联系's, for a corp created before 2023-12-01
//	external_contact:              # customer contact (客户联系); apps need external_contact: true
//	  follow_users: [zhangsan]     # members configured for customer contact
//	  tag_groups:
//	    - {group_id: etGROUP, group_name: 客户等级, tag: [{id: etTAG, name: 重点客户, order: 1}]}
//	  customers:
//	    - external_userid: wmCUSTOMER  # required: external_userid, name, type (1 WeChat, 2 WeCom)
//	      name: 王建国
//	      type: 1
//	      follow_user: [{userid: zhangsan, remark: 王总, createtime: 1767225600, tag_id: [etTAG], add_way: 1}]
//	      gender, avatar, position, corp_name, corp_full_name, unionid: optional
//	  group_chats:
//	    - chat_id: wrCHAT
//	      name: 对接群
//	      owner: zhangsan            # a follow user
//	      member_list: [{userid: zhangsan, type: 1}, {userid: wmCUSTOMER, type: 2, join_scene: 3}]
//	      admin_list: [zhangsan]
//
// A tag's owner is the agent id of the app that created it (0: the
// administrator); only its owner may change it (81011). An app chat's
// agentid is the app that created it, the only one that may use it.
//
// # Customer contact
//
// The customer contact API (externalcontact/) answers the apps configured
// in 客户联系 → 可调用应用 (App.ExternalContact), within their visible range,
// and the 客户联系 secret of an older corp; others get 48002 (see permit in
// permissions.go, the one place that says which secret calls what).
// Customers are followed by the members who added them; corp tags mark
// follows. A member deleted keeps their follows: the customers are listed
// by get_unassigned_list, the groups they owned have status 1 and are
// listed only with an owner filter. A customer transfer (in post or
// resigned) starts at once and completes when the server's clock passes
// the takeover time, 24 hours later (WithTransferDelay); until then
// transfer_result answers 2 (waiting) and the customer stays with the
// member handing over. A customer moves at most twice in 90 days between
// members in post (40128). A group transfer is immediate.
//
// # Exports
//
// The asynchronous exports (export/simple_user, user, department, taguser)
// take a snapshot of what the caller sees when submitted, in files of
// block_size rows encrypted with the request's encoding_aeskey (AES-256-CBC,
// PKCS#7 to 32 bytes, with the callbacks' code: wecom/internal/cbc).
// export/get_result answers a job processing at its first poll and done from
// the next, with the URLs of the files, which the server serves itself under
// /_export/ for two hours by its clock; a job is read by the secret that
// submitted it. A job asked to fail (FailNextExports, or POST
// /_emulator/console/fail_exports {"n": 1}) is answered status 3 (异常失败)
// without files from its second poll. See export.go.
//
// # Approvals
//
// Approvals submitted with oa/applyevent, and those of the org file, wait
// for their approvers, who decide in the WeCom app, not through the API:
// the admin console stands in for them (POST
// /_emulator/console/approval/approve or reject, {"sp_no", "userid",
// "speech"}). A step of attr 1 (或签) is decided by any one approver, one of
// attr 2 (会签) approved by all; the last step approved approves the
// approval (sp_status 2), a rejection rejects it (3). Each decision is in
// getapprovaldetail's sp_record and is pushed as sys_approval_change, with
// the agent id of the first application in 审批 → 可调用接口的应用, to the
// server's callback, which stands in for that application's. The applicant
// withdraws (撤销) an approval still pending (POST
// /_emulator/console/approval/withdraw, {"sp_no", "userid"}: sp_status 4,
// StatuChangeEvent 6), and the applicant, an approver or one notified adds
// a comment (添加备注) at any time (POST /_emulator/console/approval/comment,
// {"sp_no", "userid", "content"}: getapprovaldetail's comments and the
// event's Comments, StatuChangeEvent 10). GET /_emulator/approvals lists who
// may decide each pending approval. See oa_decide.go and oa_comment.go.
package emulator
