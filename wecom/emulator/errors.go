package emulator

import (
	"fmt"
	"strconv"
	"sync/atomic"
)

// apiError is a WeCom business error: answered with HTTP 200 and a JSON body
// holding errcode and errmsg.
type apiError struct {
	code int
	msg  string
}

// errorText holds the short English errmsg for each errcode the emulator
// answers, in the style of the real service.
var errorText = map[int]string{
	-1:     "system busy",
	40001:  "invalid credential",
	40003:  "invalid userid",
	40004:  "invalid media type",
	40005:  "invalid file type",
	40006:  "invalid file size",
	40007:  "invalid media_id",
	40008:  "invalid message type",
	40013:  "invalid corpid",
	40014:  "invalid access_token",
	40016:  "invalid button size",
	40017:  "invalid button type",
	40018:  "invalid button name size",
	40019:  "invalid button key size",
	40020:  "invalid button url size",
	40022:  "invalid sub button level",
	40023:  "invalid sub button size",
	40029:  "invalid code",
	40031:  "all list invalid",
	40032:  "invalid userid list size",
	40035:  "invalid parameter",
	40056:  "invalid agentid",
	40058:  "invalid parameter",
	40066:  "invalid department list",
	40068:  "invalid tagid",
	40070:  "all list invalid ",
	40071:  "invalid tag name",
	40085:  "invalid suite_ticket",
	40088:  "jobid not found",
	40089:  "job result expired",
	40092:  "invalid import file content",
	40096:  "invalid external userid",
	40097:  "the member has not resigned",
	40098:  "the member is not verified or not active",
	40100:  "the customer is already being transferred",
	40128:  "customer transferred too often",
	40130:  "the handover and takeover members are the same",
	41001:  "access_token missing",
	41002:  "corpid missing",
	41004:  "corpsecret missing",
	41005:  "media data missing",
	41006:  "media_id missing",
	41008:  "auth code missing",
	41009:  "userid missing",
	41010:  "url missing",
	41011:  "agentid missing",
	41016:  "title missing",
	41017:  "tagid missing",
	41018:  "tagname missing",
	41019:  "department missing",
	41021:  "suite_id missing",
	41023:  "suite_ticket missing",
	41024:  "secret missing",
	41035:  "missing external userid",
	42001:  "access_token expired",
	42003:  "code expired",
	42022:  "code has been used",
	42052:  "msgid expired",
	44001:  "empty media data",
	44004:  "empty content",
	45001:  "media size out of limit",
	46004:  "user not exist",
	45002:  "content size out of limit",
	45009:  "api freq out of limit",
	45024:  "account number exceeded",
	45026:  "trigger delete user protection",
	46003:  "menu no exist",
	47001:  "data format error",
	48001:  "api unauthorized",
	48002:  "api forbidden",
	48005:  "api deprecated",
	48009:  "api forbidden for contact assistant",
	50100:  "invalid cursor",
	60001:  "invalid department name length",
	60003:  "department not found",
	60004:  "parent department not found",
	60005:  "department contains user",
	60006:  "department contains sub-department",
	60007:  "not allow to delete root department",
	60008:  "department existed",
	60009:  "invalid department name",
	60010:  "department cycle relationship",
	60011:  "no privilege to access/modify contact/party/agent",
	60020:  "not allow to access from your ip",
	60102:  "userid existed",
	60103:  "invalid mobile",
	60104:  "mobile existed",
	60105:  "invalid email",
	60106:  "email existed",
	60110:  "department count out of limit",
	60111:  "userid not found",
	60112:  "invalid name",
	60123:  "invalid department id",
	60124:  "invalid parent department id",
	60125:  "invalid department name",
	60127:  "department missing",
	60129:  "mobile and email are both empty",
	60132:  "is_leader_in_dept count not equal to department count",
	81011:  "no privilege to operate tag",
	81013:  "user & party & tag all invalid",
	81014:  "too many users or parties in one request",
	82001:  "All touser & toparty & totag invalid",
	82002:  "invalid party list size",
	82003:  "invalid tag list size",
	84061:  "not external contact",
	84074:  "no privilege to access external contact",
	86001:  "invalid chatid",
	86003:  "chatid not found",
	86004:  "invalid chat name",
	86215:  "chatid existed",
	86216:  "invalid chat member",
	86220:  "invalid chat parameter",
	90500:  "the owner of chat has not resigned",
	90501:  "chat is not external group chat",
	90502:  "the owner of chat has resigned",
	90504:  "the owner of chat is not changed",
	93000:  "invalid webhook url",
	301002: "not allow operate another agent with this accesstoken",
	301021: "invalid checkin parameter",
	301023: "invalid useridlist or too many userids",
	301024: "invalid checkin time range",
	301025: "get approval param error",
	301063: "vacation parameter error",
	301005: "not allow to delete creator",
	830002: "media file too large, use Range",
}

// newError returns the error for code with its standard message.
func newError(code int) *apiError {
	msg, ok := errorText[code]
	if !ok {
		msg = "error " + strconv.Itoa(code)
	}
	return &apiError{code: code, msg: msg}
}

// errorf returns the error for code with its standard message followed by a
// detail, e.g. "userid not found: zhangsan".
func errorf(code int, format string, args ...any) *apiError {
	e := newError(code)
	e.msg += ": " + fmt.Sprintf(format, args...)
	return e
}

// hintSeq makes each error's hint unique, as the real service does.
var hintSeq atomic.Uint64

// errmsg renders the full errmsg the way WeCom does:
// "<text>, hint: [<id>], from ip: <ip>, more info at <url>".
func (e *apiError) errmsg(ip string) string {
	return fmt.Sprintf("%s, hint: [%d], from ip: %s, more info at https://open.work.weixin.qq.com/devtool/query?e=%d",
		e.msg, 1700000000000000000+hintSeq.Add(1), ip, e.code)
}

// errUnknownUser is the Go error of the Go API for a userid not in the org.
func errUnknownUser(id string) error {
	return fmt.Errorf("emulator: unknown user %q", id)
}
