// Package wecom is a client for the WeCom (企业微信) server API: the calls an
// organisation's own applications make (主动调用接口), in the 16 API groups of
// wechatpy 1.8's wechatpy.enterprise, plus the newer endpoints admins need
// (user/list_id, department/simplelist, message/recall).
//
// A Client acts as one application of one corp — one (corp id, secret)
// pair — and has one service per API group:
//
//	c := wecom.New(corpID, secret, wecom.WithAgentID(1000002))
//	u, err := c.User.Get(ctx, "zhangsan")
//	if wecom.IsCode(err, wecom.CodeUserNotFound) {
//		// not a member
//	}
//	_, err = c.Message.Send(ctx, &wecom.Message{
//		AgentID: 1000002,
//		ToUser:  []string{"zhangsan", "lisi"},
//		Content: wecom.TextContent{Content: "日报已生成"},
//	})
//
// Every method takes a context first and has a builder of its request
// (c.User.GetRequest("zhangsan")), which Client.Do sends; a caller that wants
// WeCom's answer as it came passes a *json.RawMessage to Do.
//
// The transport is shared by every call:
//
//   - Access tokens are cached until shortly before they expire; concurrent
//     callers that find the token stale share one gettoken. A TokenCache
//     (WithTokenCache) lets restarted processes, or several processes, reuse
//     a token. On errcode 40001, 40014 or 42001 the client refreshes the
//     token once and retries the call once.
//   - errcode -1, HTTP 5xx and network errors are retried a bounded number of
//     times with exponential backoff and jitter (WithRetries, WithBackoff). A
//     write whose request was sent but whose answer never came is not
//     replayed: its error wraps ErrOutcomeUnknown.
//   - The frequency limits (45009, 45033) are waited out for at most two
//     minutes (WithRateLimitWait) within the caller's deadline, then reported
//     as a *RateLimitError; a 45009 that says a daily or a monthly quota is
//     used up is reported at once. ContextWithTrace lets a caller see each wait. A
//     client-side limiter per API (WithRateLimit, off with 0) keeps a client
//     under WeCom's limits in the first place; a call it would hold past the
//     caller's deadline fails at once with a *LimitError.
//   - Each HTTP exchange has a timeout (WithTimeout, 30s by default).
//   - Errors are *APIError for a non-zero errcode. No error, and nothing
//     passed to the WithHook observer, contains an access token or a secret.
//
// WithBaseURL points every call, gettoken and downloads included, at a
// private deployment or at the emulator in package
// github.com/wecomrunner/runner/wecom/emulator. WithDryRun holds back every
// write and answers it with a plausible success.
//
// The methods are declared once, in the method table of
// wecom/internal/table: go generate writes from it the request builders and
// the typed methods of the plain methods (methods_gen.go), whether each API
// reads or writes, what a dry run answers, and the Lua functions of package
// bindings. Methods with real logic (uploads, downloads, composite helpers)
// are written by hand in the file of their group.
package wecom

//go:generate go run ./internal/gen
