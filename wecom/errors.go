package wecom

import (
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"time"
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
// that the call did not wait out: the limit outlasted the most a call waits
// (WithRateLimitWait) or the caller's deadline, or WeCom said a daily or a
// monthly quota is used up, which is never waited for. errors.As finds the APIError inside
// it too.
type RateLimitError struct {
	Err    *APIError
	Waited time.Duration // the time the call spent waiting for the limit to pass
	Daily  bool          // WeCom's daily quota of the API is used up
	// Monthly is set when WeCom's monthly quota of the API is used up.
	Monthly bool
	why     string // why the call stopped waiting
}

func (e *RateLimitError) Error() string {
	if e.why == "" {
		return "rate limited: " + e.Err.Error()
	}
	return e.Err.Error() + ": " + e.why
}

func (e *RateLimitError) Unwrap() error { return e.Err }

// quotaError is the error of a call whose API's daily or monthly quota is
// used up (quotaUsedUp says which).
func quotaError(apiErr *APIError) *RateLimitError {
	if quotaUsedUp(apiErr.Msg) == "monthly" {
		return &RateLimitError{Err: apiErr, Monthly: true,
			why: "WeCom's monthly quota of " + apiErr.API + " is used up, blocked for 30 days: not retried"}
	}
	return &RateLimitError{Err: apiErr, Daily: true,
		why: "WeCom's daily quota of " + apiErr.API + " is used up until the end of the day: not retried"}
}

// waitedError is the error of a call still limited after waiting waited:
// the most a call waits (limit) when pastLimit, the caller's deadline
// otherwise.
func waitedError(apiErr *APIError, waited, limit time.Duration, pastLimit bool) *RateLimitError {
	why := fmt.Sprintf("still limited after waiting %s, the most a call waits for WeCom's frequency limit", roundWait(waited))
	switch {
	case limit <= 0:
		why = "WeCom's frequency limit, and the client waits for none"
	case !pastLimit:
		why = fmt.Sprintf("WeCom's frequency limit: the deadline would pass before it ends (waited %s)", roundWait(waited))
	}
	return &RateLimitError{Err: apiErr, Waited: waited, why: why}
}

// roundWait rounds a wait for a message: to the second from a second on.
func roundWait(d time.Duration) time.Duration {
	if d >= time.Second {
		return d.Round(time.Second)
	}
	return d.Round(time.Millisecond)
}

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
	CodeSeatLimitExceeded    = 45024 // 账号数量超过上限: every seat of the corp is taken
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

// secretPattern finds the values of the query and body parameters that
// never leave the client in an error or a log, written as a query
// (corpsecret=...) or as JSON ("corpsecret":"...").
var secretPattern = regexp.MustCompile(`(?i)((?:access_token|corpsecret|secret|provider_secret|suite_secret|suite_access_token|provider_access_token|ticket|suite_ticket|permanent_code|encoding_aeskey|encodingaeskey|encoding_aes_key)(?:=|"\s*:\s*"))[^&\s"]*`)

// minSecret is the length from which a known secret value is replaced
// wherever it appears: shorter values would replace ordinary text.
const minSecret = 6

// redact removes secrets from s, a URL or a message that may quote one: the
// values of secret parameters, and each of the known secret values (the
// client's secret, the access token sent) wherever they appear, as a
// gateway that echoes the request puts them.
func redact(s string, known ...string) string {
	s = secretPattern.ReplaceAllString(s, "${1}REDACTED")
	for _, k := range known {
		if len(k) >= minSecret {
			s = strings.ReplaceAll(s, k, "REDACTED")
		}
	}
	return s
}

// redactError returns err with every URL in it redacted, and the known
// secret values removed from its text. *url.Error quotes the whole request
// URL, access token included.
func redactError(err error, known ...string) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return &url.Error{Op: ue.Op, URL: redact(ue.URL, known...), Err: redactedErr{ue.Err, known}}
	}
	return redactedErr{err, known}
}

// redactedErr prints its error with secrets removed and still unwraps to it.
type redactedErr struct {
	err   error
	known []string
}

func (e redactedErr) Error() string { return redact(e.err.Error(), e.known...) }
func (e redactedErr) Unwrap() error { return e.err }

// secretsOf returns the secret values a request carries besides the
// client's: its explicit token and the values of secret parameters in its
// query and body, which an answer must not echo.
func (c *Client) secretsOf(req *Request, token string) []string {
	known := []string{c.secret, token}
	isSecret := func(name string) bool { return secretPattern.MatchString(name + "=") }
	for name, values := range req.Query {
		if isSecret(name) {
			known = append(known, values...)
		}
	}
	if body, ok := req.Body.(map[string]any); ok {
		for name, v := range body {
			if s, ok := v.(string); ok && isSecret(name) {
				known = append(known, s)
			}
		}
	}
	return known
}
