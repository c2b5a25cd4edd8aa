package wecom

import (
	"net/http"
	"net/url"
	"strings"
	"time"
)

// DefaultBaseURL is the public WeCom server API.
const DefaultBaseURL = "https://qyapi.weixin.qq.com/cgi-bin/"

// Client talks to the WeCom server API as one application of one corp: a
// (corp id, secret) pair. It is safe for concurrent use; create one per
// secret and share it.
type Client struct {
	baseURL  string
	corpID   string
	secret   string // never printed: errors are redacted of it
	agentID  int
	http     *http.Client
	timeout  time.Duration
	tries    int
	backoff  time.Duration
	maxDelay time.Duration
	hook     func(Call)
	dryRun   func(DryRun)
	limits   *limits

	rateLimitWait time.Duration

	token       *tokenSource
	jsapiTicket *tokenSource
	agentTicket *tokenSource

	common service // shared by the services below

	Agent      *AgentService
	AppChat    *AppChatService
	Batch      *BatchService
	Chat       *ChatService
	Department *DepartmentService
	JSAPI      *JSAPIService

	ExternalContact          *ExternalContactService
	ExternalContactGroupChat *ExternalContactGroupChatService
	Export                   *ExportService
	OA                       *OAService

	Material    *MaterialService
	Media       *MediaService
	Menu        *MenuService
	Message     *MessageService
	Misc        *MiscService
	OAuth       *OAuthService
	Service     *ServiceService
	ShakeAround *ShakeAroundService
	Tag         *TagService
	User        *UserService
}

// service is what every API group shares: the client.
type service struct{ client *Client }

// Option configures a Client.
type Option func(*Client)

// WithBaseURL points the client at another server: a private deployment or
// the emulator. Every call uses it, gettoken and media downloads included.
func WithBaseURL(u string) Option {
	return func(c *Client) {
		if !strings.HasSuffix(u, "/") {
			u += "/"
		}
		c.baseURL = u
	}
}

// WithHTTPClient sets the HTTP client; its Timeout, if any, also applies.
func WithHTTPClient(h *http.Client) Option { return func(c *Client) { c.http = h } }

// WithAgentID sets the application's agent id, the default of every call
// that takes one.
func WithAgentID(id int) Option { return func(c *Client) { c.agentID = id } }

// WithTimeout bounds each HTTP exchange (default 30s). The caller's context
// bounds the whole call, retries included.
func WithTimeout(d time.Duration) Option { return func(c *Client) { c.timeout = d } }

// WithRetries sets how many times a call is tried when WeCom is busy (errcode
// -1), answers 5xx or cannot be reached (default 3 tries in all).
func WithRetries(tries int) Option {
	return func(c *Client) { c.tries = max(tries, 1) }
}

// WithBackoff sets the first retry delay and the largest one (defaults 200ms
// and 5s). Each delay doubles, with full jitter.
func WithBackoff(first, largest time.Duration) Option {
	return func(c *Client) { c.backoff, c.maxDelay = first, largest }
}

// WithRateLimit sets the client-side limit, in calls per minute, applied to
// each API separately, message/send included. By default it is 9,000, under
// WeCom's 10,000 per corp and API, and 60,000 for message/send, which WeCom
// limits per recipient instead. A limit of 0 or less removes the client-side
// limit (a private deployment without WeCom's limits, a benchmark).
func WithRateLimit(perMinute int) Option {
	return func(c *Client) {
		c.limits.perMinute = perMinute
		c.limits.override = nil
	}
}

// WithRateLimitWait bounds the time a call waits, in all, for WeCom's
// frequency limit (45009, 45033) to pass before it fails with a
// *RateLimitError (default DefaultRateLimitWait); 0 or less waits for none.
// The caller's deadline bounds it too. A daily quota used up is never waited
// for.
func WithRateLimitWait(d time.Duration) Option {
	return func(c *Client) { c.rateLimitWait = max(d, 0) }
}

// WithTokenCache keeps access tokens and tickets in cache as well as in
// memory, so that a restarted process or another process reuses them.
func WithTokenCache(tc TokenCache) Option {
	return func(c *Client) {
		for _, ts := range []*tokenSource{c.token, c.jsapiTicket, c.agentTicket} {
			ts.cache = tc
		}
	}
}

// WithHook calls fn after every HTTP exchange with WeCom, gettoken included.
// It is how a program logs calls or counts them; the client itself never logs.
func WithHook(fn func(Call)) Option { return func(c *Client) { c.hook = fn } }

// WithDryRun makes every call that changes WeCom (a create, update, delete,
// send, upload or batch job) call fn instead of being sent, and answer with a
// plausible success. Reads are sent as usual.
func WithDryRun(fn func(DryRun)) Option { return func(c *Client) { c.dryRun = fn } }

// Call describes one HTTP exchange with WeCom, for WithHook. It never holds
// a token or a secret.
type Call struct {
	API      string        // "user/get", "gettoken"
	Attempt  int           // 1 for the first try
	Duration time.Duration // time of the exchange
	Status   int           // HTTP status; 0 when no answer arrived
	Errcode  int           // WeCom's errcode; 0 on success
	Err      error         // transport or API error, if any
}

// DryRun is a write that a dry-run client did not send.
type DryRun struct {
	Method string
	API    string
	Query  string // the query string, without the access token
	Body   []byte // the JSON body; for an upload, a description of the file
}

// New returns a client for the application whose secret is given, in the
// corp corpID.
func New(corpID, secret string, opts ...Option) *Client {
	c := &Client{
		baseURL:  DefaultBaseURL,
		corpID:   corpID,
		secret:   secret,
		http:     &http.Client{},
		timeout:  30 * time.Second,
		tries:    3,
		backoff:  200 * time.Millisecond,
		maxDelay: 5 * time.Second,
		limits:   newLimits(),

		rateLimitWait: DefaultRateLimitWait,
	}
	c.token = newAccessToken(c, secret)
	c.jsapiTicket = newTicket(c, "get_jsapi_ticket", nil)
	c.agentTicket = newTicket(c, "ticket/get", url.Values{"type": {"agent_config"}})
	for _, opt := range opts {
		opt(c)
	}
	// Cache keys depend on the base URL, known once the options are applied.
	c.token.key = cacheKey("token", c.baseURL, corpID, secret)
	c.jsapiTicket.key = cacheKey("jsapi_ticket", c.baseURL, corpID, secret)
	c.agentTicket.key = cacheKey("agent_ticket", c.baseURL, corpID, secret)
	c.common.client = c
	c.Agent = (*AgentService)(&c.common)
	c.AppChat = (*AppChatService)(&c.common)
	c.Batch = (*BatchService)(&c.common)
	c.Chat = (*ChatService)(&c.common)
	c.Department = (*DepartmentService)(&c.common)
	c.ExternalContact = (*ExternalContactService)(&c.common)
	c.ExternalContactGroupChat = (*ExternalContactGroupChatService)(&c.common)
	c.Export = (*ExportService)(&c.common)
	c.OA = (*OAService)(&c.common)
	c.JSAPI = (*JSAPIService)(&c.common)
	c.Material = (*MaterialService)(&c.common)
	c.Media = (*MediaService)(&c.common)
	c.Menu = (*MenuService)(&c.common)
	c.Message = (*MessageService)(&c.common)
	c.Misc = (*MiscService)(&c.common)
	c.OAuth = (*OAuthService)(&c.common)
	c.Service = (*ServiceService)(&c.common)
	c.ShakeAround = (*ShakeAroundService)(&c.common)
	c.Tag = (*TagService)(&c.common)
	c.User = (*UserService)(&c.common)
	return c
}

// CorpID is the corp the client acts for.
func (c *Client) CorpID() string { return c.corpID }

// AgentID is the application's agent id given with WithAgentID, or 0.
func (c *Client) AgentID() int { return c.agentID }

// BaseURL is the server the client calls, ending in "/".
func (c *Client) BaseURL() string { return c.baseURL }

// IsDryRun reports whether the client holds back its writes (WithDryRun).
func (c *Client) IsDryRun() bool { return c.dryRun != nil }
