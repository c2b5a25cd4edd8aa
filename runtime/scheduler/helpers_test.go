package scheduler

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/wecomrunner/runner/internal/redistest"
	"github.com/wecomrunner/runner/runtime/state"
)

// env is a getenv over a map.
func env(vars map[string]string) func(string) string {
	return func(name string) string { return vars[name] }
}

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// golden compares got with testdata/name, or rewrites it with -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs (go test -update rewrites it)\n--- got\n%s\n--- want\n%s", path, got, want)
	}
}

// writeJobs writes n jobs, each with its own script of some 40 lines, and
// returns the jobs file's path.
func writeJobs(tb testing.TB, dir string, n int, schedule string) string {
	tb.Helper()
	var b strings.Builder
	b.WriteString("timezone: Asia/Shanghai\nclients:\n  contacts: {corp_id: ww1, secret: s}\njobs:\n")
	for i := range n {
		script := fmt.Sprintf("scripts/job%04d.lua", i)
		fmt.Fprintf(&b, "  - name: job-%04d\n    schedule: %q\n    script: %s\n    timeout: 10m\n    args: {n: %d}\n", i, schedule, script, i)
		src := fmt.Sprintf(sampleScript, i)
		writeFile(tb, filepath.Join(dir, script), src)
	}
	path := filepath.Join(dir, "jobs.yaml")
	writeFile(tb, path, b.String())
	return path
}

func writeFile(tb testing.TB, path, content string) {
	tb.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		tb.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		tb.Fatal(err)
	}
}

const sampleScript = `-- job %d: compare the HR export with WeCom's departments.
local wecom = require("wecom")
local csv = require("csv")
local log = require("log")

local rows = csv.read(args.source or "data/hr.csv")
local wanted = {}
for _, row in ipairs(rows) do
  wanted[row.id] = {name = row.name, parent = tonumber(row.parent) or 1}
end

local current = {}
for _, d in ipairs(wecom.department.list()) do
  current[d.id] = d
end

local plan = {create = {}, rename = {}}
for id, w in pairs(wanted) do
  local d = current[tonumber(id)]
  if d == nil then
    table.insert(plan.create, {id = tonumber(id), name = w.name, parentid = w.parent})
  elseif d.name ~= w.name then
    table.insert(plan.rename, {id = d.id, name = w.name})
  end
end

for _, c in ipairs(plan.create) do
  wecom.department.create(c)
  log.info("created", {id = c.id, name = c.name})
end
for _, r in ipairs(plan.rename) do
  wecom.department.update(r)
  log.info("renamed", {id = r.id, name = r.name})
end

return #plan.create + #plan.rename
`

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

// waitFor polls cond until it holds, failing the test after timeout.
func waitFor(t *testing.T, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(timeout); !cond(); {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// syncBuffer is a bytes.Buffer safe for concurrent use.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
