package emulator

import (
	"math"
	"sync"
	"time"
)

// authStore holds the tokens and tickets the emulator has issued.
type authStore struct {
	mu       sync.RWMutex
	tokens   map[string]*grant // access_token → grant
	current  map[int]*grant    // agent id (0: contacts secret) → its valid token
	provider map[string]*grant // provider_access_token → grant
	curProv  *grant
	tickets  map[ticketKey]*grant // JS-SDK tickets
	codes    map[string]*code     // OAuth codes, login auth codes, shake tickets
}

// grant is an issued token or ticket.
type grant struct {
	value   string
	agentID int
	expires time.Time
}

type ticketKey struct {
	agentID int
	kind    string // "jsapi" or "agent_config"
}

// code is a single-use code minted through the Go API.
type code struct {
	kind    string // "oauth", "login" or "shake"
	userID  string
	expires time.Time
	used    bool
}

func newAuthStore() *authStore {
	return &authStore{
		tokens:   map[string]*grant{},
		current:  map[int]*grant{},
		provider: map[string]*grant{},
		tickets:  map[ticketKey]*grant{},
		codes:    map[string]*code{},
	}
}

// remaining returns the whole seconds left before expires, at least 1.
func remaining(expires, now time.Time) int {
	return max(1, int(math.Ceil(expires.Sub(now).Seconds())))
}

// issue returns the agent's valid token, or a new one. While a token is
// valid every fetch returns it, with its remaining lifetime.
func (a *authStore) issue(agentID int, now time.Time, lifetime time.Duration) *grant {
	a.mu.Lock()
	defer a.mu.Unlock()
	if g := a.current[agentID]; g != nil && now.Before(g.expires) {
		return g
	}
	g := &grant{value: randomID(86), agentID: agentID, expires: now.Add(lifetime)}
	a.tokens[g.value] = g
	a.current[agentID] = g
	return g
}

// issueProvider returns the valid provider_access_token, or a new one.
func (a *authStore) issueProvider(now time.Time, lifetime time.Duration) *grant {
	a.mu.Lock()
	defer a.mu.Unlock()
	if g := a.curProv; g != nil && now.Before(g.expires) {
		return g
	}
	g := &grant{value: randomID(86), expires: now.Add(lifetime)}
	a.provider[g.value] = g
	a.curProv = g
	return g
}

// check validates an access_token: 41001 if missing, 40014 if unknown,
// expiredCode if expired. It returns the token's agent id.
func (a *authStore) check(token string, now time.Time, expiredCode int) (int, *apiError) {
	if token == "" {
		return 0, newError(41001)
	}
	a.mu.RLock()
	g := a.tokens[token]
	a.mu.RUnlock()
	if g == nil {
		return 0, newError(40014)
	}
	if !now.Before(g.expires) {
		return 0, newError(expiredCode)
	}
	return g.agentID, nil
}

// checkProvider validates a provider_access_token passed as access_token.
func (a *authStore) checkProvider(token string, now time.Time, expiredCode int) *apiError {
	if token == "" {
		return newError(41001)
	}
	a.mu.RLock()
	g := a.provider[token]
	a.mu.RUnlock()
	if g == nil {
		return newError(40014)
	}
	if !now.Before(g.expires) {
		return newError(expiredCode)
	}
	return nil
}

// expireAll makes every token and ticket expire at now.
func (a *authStore) expireAll(now time.Time) {
	a.mu.Lock()
	defer a.mu.Unlock()
	for _, g := range a.tokens {
		g.expires = now
	}
	for _, g := range a.provider {
		g.expires = now
	}
	for _, g := range a.tickets {
		g.expires = now
	}
	clear(a.current)
	a.curProv = nil
}

// ticket returns the agent's valid ticket of this kind, or a new one.
func (a *authStore) ticket(k ticketKey, now time.Time, lifetime time.Duration) *grant {
	a.mu.Lock()
	defer a.mu.Unlock()
	if g := a.tickets[k]; g != nil && now.Before(g.expires) {
		return g
	}
	g := &grant{value: randomID(86), agentID: k.agentID, expires: now.Add(lifetime)}
	a.tickets[k] = g
	return g
}

// mint stores a new single-use code.
func (a *authStore) mint(kind, userID string, expires time.Time) string {
	v := randomAlnum(32)
	a.mu.Lock()
	a.codes[v] = &code{kind: kind, userID: userID, expires: expires}
	a.mu.Unlock()
	return v
}

// redeem consumes a code of this kind: 40029 if unknown, 42003 if expired,
// 42022 if already used.
func (a *authStore) redeem(kind, v string, now time.Time) (string, *apiError) {
	a.mu.Lock()
	defer a.mu.Unlock()
	c := a.codes[v]
	switch {
	case c == nil || c.kind != kind:
		return "", newError(40029)
	case c.used:
		return "", newError(42022)
	case !now.Before(c.expires):
		return "", newError(42003)
	}
	c.used = true
	return c.userID, nil
}

// gettoken answers GET gettoken?corpid=ID&corpsecret=SECRET.
type tokenAnswer struct {
	status
	AccessToken string `json:"access_token"`
	ExpiresIn   int    `json:"expires_in"`
}

func (s *Server) getToken(c *call) (any, *apiError) {
	s.tokenCalls.Add(1)
	corpID, secret := c.param("corpid"), c.param("corpsecret")
	switch {
	case corpID == "":
		return nil, newError(41002)
	case secret == "":
		return nil, newError(41004)
	case corpID != s.st.corpID:
		return nil, newError(40013)
	}
	agentID := -1
	switch secret {
	case s.contactsSecret:
		agentID = 0
	case s.externalContactSecret:
		agentID = externalContactAgent
	default:
		s.st.mu.RLock()
		for id, a := range s.st.apps {
			if a.Secret == secret {
				agentID = id
			}
		}
		s.st.mu.RUnlock()
	}
	if agentID == -1 {
		return nil, newError(40001)
	}
	if e := s.checkTrustedIP(c.r); e != nil {
		return nil, e
	}
	now := s.now()
	g := s.auth.issue(agentID, now, s.opts.tokenLifetime)
	return tokenAnswer{okStatus, g.value, remaining(g.expires, now)}, nil
}

// ExpireTokens makes every access token, provider token and JS-SDK ticket
// issued so far expire now, as WeCom may do at any time. Calls with them
// answer the expired-token errcode; gettoken issues new ones.
func (s *Server) ExpireTokens() { s.auth.expireAll(s.now()) }

// NewOAuthCode mints a single-use OAuth code (valid 5 minutes) for the
// member, which user/getuserinfo and auth/getuserinfo exchange for the
// userid, as if the member had opened an app page.
func (s *Server) NewOAuthCode(userID string) (string, error) {
	return s.mintFor("oauth", userID, 5*time.Minute)
}

// NewLoginAuthCode mints a single-use auth_code (valid 10 minutes) for the
// member, which service/get_login_info exchanges for login information, as
// if the member had scanned the provider's login QR code.
func (s *Server) NewLoginAuthCode(userID string) (string, error) {
	return s.mintFor("login", userID, 10*time.Minute)
}

// NewShakeTicket mints a single-use ticket (valid 10 minutes) for the
// member, which shakearound/getshakeinfo answers with the shake's details.
func (s *Server) NewShakeTicket(userID string) (string, error) {
	return s.mintFor("shake", userID, 10*time.Minute)
}

func (s *Server) mintFor(kind, userID string, ttl time.Duration) (string, error) {
	s.st.mu.RLock()
	m := s.st.user(userID)
	s.st.mu.RUnlock()
	if m == nil {
		return "", errUnknownUser(userID)
	}
	return s.auth.mint(kind, m.UserID, s.now().Add(ttl)), nil
}
