package wecom

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/url"
	"sync"
	"time"
)

// tokenSource caches one credential (the access token or a JSAPI ticket)
// until shortly before it expires. Concurrent callers that find it stale
// share one fetch; a proactive refresh that fails keeps the old value while
// it is still valid.
type tokenSource struct {
	key   string // cache key: a digest of base URL, corp id and secret
	fetch func(ctx context.Context) (Token, error)
	cache TokenCache // optional second level, shared between processes

	mu     sync.Mutex
	cur    Token
	stale  string // a value WeCom rejected: never used again
	flight *flight
}

// flight is one fetch in progress.
type flight struct {
	done chan struct{}
	tok  Token
	err  error
}

// fetchTimeout bounds one fetch, which runs detached from the caller that
// started it so that its cancellation does not fail the others waiting.
const fetchTimeout = time.Minute

func newAccessToken(c *Client, secret string) *tokenSource {
	s := &tokenSource{}
	s.fetch = func(ctx context.Context) (Token, error) {
		var ans struct {
			AccessToken string `json:"access_token"`
			ExpiresIn   int    `json:"expires_in"`
		}
		req := &Request{
			Method:  http.MethodGet,
			API:     "gettoken",
			Query:   url.Values{"corpid": {c.corpID}, "corpsecret": {secret}},
			Read:    true,
			NoToken: true,
		}
		if err := c.Do(ctx, req, &ans); err != nil {
			return Token{}, err
		}
		if ans.AccessToken == "" {
			return Token{}, fmt.Errorf("wecom gettoken: the answer has no access_token")
		}
		return Token{Value: ans.AccessToken, ExpiresAt: time.Now().Add(time.Duration(ans.ExpiresIn) * time.Second)}, nil
	}
	return s
}

func newTicket(c *Client, api string, query url.Values) *tokenSource {
	s := &tokenSource{}
	s.fetch = func(ctx context.Context) (Token, error) {
		var ans struct {
			Ticket    string `json:"ticket"`
			ExpiresIn int    `json:"expires_in"`
		}
		if err := c.Do(ctx, &Request{Method: http.MethodGet, API: api, Query: query}, &ans); err != nil {
			return Token{}, err
		}
		return Token{Value: ans.Ticket, ExpiresAt: time.Now().Add(time.Duration(ans.ExpiresIn) * time.Second)}, nil
	}
	return s
}

// cacheKey names a credential in a TokenCache without revealing the secret.
func cacheKey(kind, baseURL, corpID, secret string) string {
	sum := sha256.Sum256([]byte(baseURL + "\x00" + corpID + "\x00" + secret))
	return "wecom:" + kind + ":" + corpID + ":" + hex.EncodeToString(sum[:12])
}

// refreshWindow is how long before its expiry a credential is refreshed: five
// minutes, or a quarter of a short lifetime.
func refreshWindow(lifetime time.Duration) time.Duration {
	return min(5*time.Minute, lifetime/4)
}

// fresh reports whether t can be used without a refresh.
func fresh(t Token, now time.Time) bool {
	if t.Value == "" {
		return false
	}
	return now.Before(t.ExpiresAt.Add(-refreshWindow(t.ExpiresAt.Sub(now))))
}

// get returns a valid credential, fetching one if needed.
func (s *tokenSource) get(ctx context.Context) (string, error) {
	s.mu.Lock()
	if fresh(s.cur, time.Now()) {
		v := s.cur.Value
		s.mu.Unlock()
		return v, nil
	}
	f := s.flight
	if f == nil {
		f = &flight{done: make(chan struct{})}
		s.flight = f
		go s.refresh(context.WithoutCancel(ctx), f)
	}
	s.mu.Unlock()
	select {
	case <-f.done:
		if f.err != nil {
			return "", f.err
		}
		return f.tok.Value, nil
	case <-ctx.Done():
		return "", ctx.Err()
	}
}

// refresh fetches a credential for the flight f.
func (s *tokenSource) refresh(ctx context.Context, f *flight) {
	ctx, cancel := context.WithTimeout(ctx, fetchTimeout)
	defer cancel()
	tok, err := s.load(ctx)

	s.mu.Lock()
	switch {
	case err == nil:
		s.cur = tok
	case s.cur.Value != "" && time.Now().Before(s.cur.ExpiresAt):
		tok, err = s.cur, nil // keep the old one while it is valid
	}
	s.flight = nil
	s.mu.Unlock()
	f.tok, f.err = tok, err
	close(f.done)
}

// load takes the credential from the shared cache or fetches it, holding the
// cache's lock around the fetch when it has one.
func (s *tokenSource) load(ctx context.Context) (Token, error) {
	if s.cache == nil {
		return s.fetch(ctx)
	}
	if t, ok := s.cached(ctx); ok {
		return t, nil
	}
	if l, ok := s.cache.(TokenLocker); ok {
		if unlock, err := l.LockToken(ctx, s.key); err == nil {
			defer unlock()
			if t, ok := s.cached(ctx); ok { // another process fetched it meanwhile
				return t, nil
			}
		}
	}
	t, err := s.fetch(ctx)
	if err != nil {
		return Token{}, err
	}
	// A cache that fails costs a fetch later, not this call.
	_ = s.cache.StoreToken(ctx, s.key, t)
	return t, nil
}

func (s *tokenSource) cached(ctx context.Context) (Token, bool) {
	t, ok, err := s.cache.LoadToken(ctx, s.key)
	if err != nil || !ok || !fresh(t, time.Now()) {
		return Token{}, false
	}
	s.mu.Lock()
	rejected := t.Value == s.stale
	s.mu.Unlock()
	return t, !rejected
}

// invalidate forgets the credential v after WeCom rejected it. A credential
// fetched since then is kept.
func (s *tokenSource) invalidate(v string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.stale = v
	if s.cur.Value == v {
		s.cur = Token{}
	}
}
