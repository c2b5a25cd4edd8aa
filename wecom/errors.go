package wecom

import (
	"errors"
	"fmt"
	"net/url"
	"regexp"
)

// APIError is an answer of WeCom with a non-zero errcode.
type APIError struct {
	Code int    // WeCom's errcode, e.g. 60111
	Msg  string // WeCom's errmsg
	API  string // the API that answered, e.g. "user/get"
}

func (e *APIError) Error() string {
	return fmt.Sprintf("wecom %s: errcode %d: %s", e.API, e.Code, e.Msg)
}

// RateLimitError is an APIError for WeCom's frequency limits (45009, 45033)
// that persisted until the caller's deadline. errors.As finds the APIError
// inside it too.
type RateLimitError struct{ Err *APIError }

func (e *RateLimitError) Error() string { return "rate limited: " + e.Err.Error() }
func (e *RateLimitError) Unwrap() error { return e.Err }

// ErrOutcomeUnknown is wrapped by the error of a write whose request reached
// the network but whose answer never came: WeCom may or may not have applied
// it, so it is not replayed. Check WeCom's state before trying again.
var ErrOutcomeUnknown = errors.New("outcome unknown: the request was sent but no answer came")

// IsCode reports whether err is, or wraps, an APIError with one of codes.
func IsCode(err error, codes ...int) bool {
	var e *APIError
	if !errors.As(err, &e) {
		return false
	}
	for _, c := range codes {
		if e.Code == c {
			return true
		}
	}
	return false
}

// Error codes of the WeCom server API (全局错误码) that callers commonly test.
const (
	CodeSystemBusy           = -1
	CodeOK                   = 0
	CodeInvalidSecret        = 40001
	CodeInvalidUserID        = 40003
	CodeInvalidMediaID       = 40007
	CodeInvalidCorpID        = 40013
	CodeInvalidAccessToken   = 40014
	CodeInvalidUserList      = 40031
	CodeInvalidParameter     = 40058
	CodeInvalidTagID         = 40068
	CodeTagNodesAllInvalid   = 40070
	CodeJobNotFound          = 40088
	CodeInvalidImportFile    = 40092
	CodeMissingAccessToken   = 41001
	CodeAccessTokenExpired   = 42001
	CodeFrequencyLimited     = 45009
	CodeDeleteProtection     = 45026
	CodeConcurrencyLimited   = 45033
	CodeAPIForbidden         = 48002
	CodeDepartmentNotFound   = 60003
	CodeParentNotFound       = 60004
	CodeDepartmentHasMembers = 60005
	CodeDepartmentHasChild   = 60006
	CodeDepartmentExists     = 60008
	CodeNoPrivilege          = 60011
	CodeUntrustedIP          = 60020
	CodeUserIDExists         = 60102
	CodeMobileExists         = 60104
	CodeEmailExists          = 60106
	CodeUserNotFound         = 60111
	CodeInvalidDepartment    = 60123
	CodeAllRecipientsInvalid = 81013
	CodeNoRecipients         = 82001
	CodeChatNotFound         = 86003
	CodeAgentMismatch        = 301002
)

// staleToken reports whether code says the access token must be fetched again.
func staleToken(code int) bool {
	return code == CodeInvalidSecret || code == CodeInvalidAccessToken || code == CodeAccessTokenExpired
}

// rateLimited reports whether code is one of WeCom's frequency limits.
func rateLimited(code int) bool {
	return code == CodeFrequencyLimited || code == CodeConcurrencyLimited
}

// secretParams are the query and body parameters that never leave the
// client in an error or a log.
var secretPattern = regexp.MustCompile(`(?i)((?:access_token|corpsecret|secret|provider_secret|suite_secret|ticket)=)[^&\s"]*`)

// redact removes secrets from s, a URL or a message that may quote one.
func redact(s string) string {
	return secretPattern.ReplaceAllString(s, "${1}REDACTED")
}

// redactError returns err with every URL in it redacted. *url.Error quotes
// the whole request URL, access token included.
func redactError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return &url.Error{Op: ue.Op, URL: redact(ue.URL), Err: redactedErr{ue.Err}}
	}
	return redactedErr{err}
}

// redactedErr prints its error with secrets removed and still unwraps to it.
type redactedErr struct{ err error }

func (e redactedErr) Error() string { return redact(e.err.Error()) }
func (e redactedErr) Unwrap() error { return e.err }
