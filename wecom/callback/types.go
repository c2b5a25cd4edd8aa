package callback

// Types are the event types (Event.Type) WeCom sends to the callback of a
// self-built application or of the contacts sync, with what each is. A
// message's type is its MsgType; an event's is its Event.
var Types = map[string]string{
	// messages a member sends to the application
	"text":     "a text message",
	"image":    "an image message",
	"voice":    "a voice message",
	"video":    "a video message",
	"location": "a location message",
	"link":     "a link message",

	// contacts and batch jobs
	"change_contact":   "a member, department or tag changed (ChangeType says how)",
	"batch_job_result": "a batch job (batch.sync_user, replace_user, replace_party, invite) finished",

	// members and the application
	"subscribe":             "a member started following the application",
	"unsubscribe":           "a member stopped following the application",
	"enter_agent":           "a member entered the application",
	"LOCATION":              "a member's reported location",
	"click":                 "a click on a menu button (EventKey)",
	"view":                  "a click on a menu link",
	"scancode_push":         "a menu scan of a code",
	"scancode_waitmsg":      "a menu scan of a code, waiting for a message",
	"pic_sysphoto":          "a menu photo",
	"pic_photo_or_album":    "a menu photo or album picture",
	"pic_weixin":            "a menu WeChat album picture",
	"location_select":       "a menu location pick",
	"view_miniprogram":      "a menu link to a mini program",
	"share_agent_change":    "the application's sharing changed",
	"share_chain_change":    "the application's chain sharing changed",
	"close_inactive_agent":  "the application was closed for inactivity",
	"reopen_inactive_agent": "the application was reopened",
	"change_app_admin":      "the application's administrators changed",

	// cards, approvals and the rest
	"template_card_event":      "a click on a template card button",
	"template_card_menu_event": "a click on a template card menu",
	"open_approval_change":     "an approval of the application changed",
	"sys_approval_change":      "an approval of the approval app changed (ApprovalInfo: SpNo, SpStatus, TemplateId, Applyer, SpRecord, StatuChangeEvent)",
	"change_external_contact":  "an external contact changed",
	"change_external_chat":     "a customer group changed",
	"change_external_tag":      "a customer tag changed",
	"kf_msg_or_event":          "a customer service message or event",
	"living_status_change":     "a live stream's status changed",
	"msgaudit_notify":          "new archived messages",
}

// ChangeTypes are the ChangeType values of change_contact events.
var ChangeTypes = map[string]string{
	"create_user":  "a member was added (UserID, Department)",
	"update_user":  "a member changed (UserID, NewUserID when renamed)",
	"delete_user":  "a member was removed (UserID)",
	"create_party": "a department was created (Id, ParentId)",
	"update_party": "a department changed (Id)",
	"delete_party": "a department was deleted (Id)",
	"update_tag":   "a tag's members changed (TagId, AddUserItems, DelUserItems, AddPartyItems, DelPartyItems)",
}
