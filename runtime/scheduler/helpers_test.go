package scheduler

import (
	"path/filepath"
	"testing"

	"github.com/wecomrunner/runner/internal/redistest"
	"github.com/wecomrunner/runner/runtime/state"
)

func openTestStore(t *testing.T, opts state.BoltOptions) *state.BoltStore {
	t.Helper()
	s, err := state.OpenBolt(filepath.Join(t.TempDir(), "state.db"), opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// redisServer is a redis-server started by a test.
type redisServer struct{ *redistest.Server }

// startRedis starts a redis-server without persistence on a free port of
// 127.0.0.1; it is killed when the test ends.
func startRedis(t *testing.T, args ...string) *redisServer {
	t.Helper()
	return &redisServer{redistest.Start(t, args...)}
}

// open opens a store on the server's database 0, closed when the test ends.
func (r *redisServer) open(t *testing.T, opts state.RedisOptions) *state.RedisStore {
	t.Helper()
	if opts.Logger == nil {
		opts.Logger = testLogger(t)
	}
	s, err := state.OpenRedis(r.URL(), opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}
