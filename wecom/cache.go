package wecom

import (
	"context"
	"time"
)

// Token is a cached credential (an access token or a JSAPI ticket) and the
// instant it stops being valid.
type Token struct {
	Value     string    `json:"value"`
	ExpiresAt time.Time `json:"expires_at"`
}

// TokenCache keeps tokens so that a restarted process, or another process,
// reuses them instead of fetching new ones. Keys are opaque and never contain
// a secret. The client's in-memory cache is always used first; a TokenCache
// sits behind it.
type TokenCache interface {
	LoadToken(ctx context.Context, key string) (t Token, ok bool, err error)
	StoreToken(ctx context.Context, key string, t Token) error
}

// TokenLocker is implemented by a TokenCache shared between processes that
// can hold a short lock around a refresh, so that processes finding a token
// stale at the same moment wait for one fetch instead of all fetching.
type TokenLocker interface {
	LockToken(ctx context.Context, key string) (unlock func(), err error)
}
