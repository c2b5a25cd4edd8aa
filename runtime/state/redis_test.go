package state

import (
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/wecomrunner/runner/internal/redistest"
	"github.com/wecomrunner/runner/wecom"
	"github.com/wecomrunner/runner/wecom/emulator"
)

// The Redis store tests run against a real redis-server that each test starts
// on a free loopback port and kills at its end (internal/redistest).

// redisServer is a redis-server started by a test.
type redisServer struct{ *redistest.Server }

// startRedis starts a redis-server without persistence on a free port of
// 127.0.0.1; it is killed when the test ends.
func startRedis(t *testing.T, args ...string) *redisServer {
	t.Helper()
	return &redisServer{redistest.Start(t, args...)}
}

// open opens a store on the server's database 0, closed when the test ends.
func (r *redisServer) open(t *testing.T, opts RedisOptions) *RedisStore {
	t.Helper()
	if opts.Logger == nil {
		opts.Logger = testLogger(t)
	}
	s, err := OpenRedis(r.URL(), opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func TestRedisStore(t *testing.T) {
	r := startRedis(t)
	testStore(t, func(t *testing.T, history int) Store {
		return r.open(t, RedisOptions{History: history, Prefix: t.Name() + ":"})
	})
}

func TestParseRedisURL(t *testing.T) {
	tests := []struct {
		url                  string
		addr, user, password string
		db                   int
		tls                  bool
	}{
		{url: "redis://127.0.0.1:6379/0", addr: "127.0.0.1:6379"},
		{url: "redis://cache.internal/2", addr: "cache.internal:6379", db: 2},
		{url: "redis://cache.internal:6380", addr: "cache.internal:6380"},
		{url: "redis://:s3cret@host:6379/1", addr: "host:6379", password: "s3cret", db: 1},
		{url: "redis://runner:pw@host:6379/0", addr: "host:6379", user: "runner", password: "pw"},
		// A password from ${VAR} is taken as written, whatever it holds.
		{url: "redis://:a/b+c=@d:e#f?g%zz@host:6379/0", addr: "host:6379", password: "a/b+c=@d:e#f?g%zz"},
		{url: "redis://[::1]:7000/3", addr: "[::1]:7000", db: 3},
		{url: "rediss://:pw@host:6380/0", addr: "host:6380", password: "pw", tls: true},
	}
	for _, tt := range tests {
		o, err := ParseRedisURL(tt.url)
		if err != nil {
			t.Errorf("parseRedisURL(%q): %v", tt.url, err)
			continue
		}
		if o.Addr != tt.addr || o.Username != tt.user || o.Password != tt.password || o.DB != tt.db || (o.TLSConfig != nil) != tt.tls {
			t.Errorf("parseRedisURL(%q) = addr %q user %q password %q db %d tls %v, want %q %q %q %d %v",
				tt.url, o.Addr, o.Username, o.Password, o.DB, o.TLSConfig != nil, tt.addr, tt.user, tt.password, tt.db, tt.tls)
		}
	}

	for _, bad := range []string{
		"http://host:6379/0",
		"redis://:topsecret@/0",
		"redis://:topsecret@host:port/0",
		"redis://:topsecret@host:6379/zero",
		"redis://:topsecret@host:6379/0?timeout=1s",
	} {
		_, err := ParseRedisURL(bad)
		switch {
		case err == nil:
			t.Errorf("parseRedisURL(%q) succeeded", bad)
		case strings.Contains(err.Error(), "topsecret"):
			t.Errorf("parseRedisURL(%q): the error shows the password: %v", bad, err)
		}
	}
}

// TestRedisOpen opens the store through Open on a server with a password
// full of URL delimiters, and fails without showing a wrong one.
func TestRedisOpen(t *testing.T) {
	const password = "p@ss/w:rd#?%"
	r := startRedis(t, "--requirepass", password)
	ctx := t.Context()

	store, err := Open("redis://:"+password+"@"+r.Addr()+"/2", 5, testLogger(t))
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	if _, ok := store.(*RedisStore); !ok {
		t.Fatalf("Open returned a %T", store)
	}
	if err := store.KV("sync").Set(ctx, "cursor", "1"); err != nil {
		t.Fatal(err)
	}

	_, err = OpenRedis("redis://:wrong-secret@"+r.Addr()+"/2", RedisOptions{})
	if err == nil || strings.Contains(err.Error(), "wrong-secret") {
		t.Errorf("OpenRedis with a wrong password: err = %v, want an error without the password", err)
	}
	free := startRedis(t)
	free.Stop()
	if _, err := OpenRedis(free.URL(), RedisOptions{}); err == nil {
		t.Error("OpenRedis succeeded with no server")
	}
}

// TestRedisHealth: Health fails while Redis refuses writes (its memory is
// full) though it still answers reads, and says why without the password.
func TestRedisHealth(t *testing.T) {
	const password = "health-secret-pw"
	r := startRedis(t, "--requirepass", password)
	ctx := t.Context()
	s, err := OpenRedis("redis://:"+password+"@"+r.Addr()+"/0", RedisOptions{Logger: testLogger(t)})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := s.Health(ctx); err != nil {
		t.Fatalf("Health = %v", err)
	}
	if err := s.rdb.ConfigSet(ctx, "maxmemory", "1").Err(); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Runs(ctx, "sync", 0); err != nil {
		t.Errorf("reads fail too: %v", err)
	}
	err = s.Health(ctx)
	if err == nil || !strings.Contains(err.Error(), "the state cannot be written: OOM") || strings.Contains(err.Error(), password) {
		t.Errorf("Health with the memory of Redis full = %v, want an OOM error", err)
	}
	if err := s.rdb.ConfigSet(ctx, "maxmemory", "0").Err(); err != nil {
		t.Fatal(err)
	}
	if err := s.Health(ctx); err != nil {
		t.Errorf("Health once Redis takes writes again = %v", err)
	}
}

// TestRedisClaimsAndLocks checks claims and running locks between two
// instances.
func TestRedisClaimsAndLocks(t *testing.T) {
	r := startRedis(t)
	ctx := t.Context()
	a := r.open(t, RedisOptions{Instance: "a"})
	b := r.open(t, RedisOptions{Instance: "b"})
	at := time.Date(2025, 1, 1, 2, 0, 0, 0, time.UTC)

	if ok, holder, err := a.Claim(ctx, "sync", at, time.Minute); !ok || holder != "a" || err != nil {
		t.Fatalf("a.Claim = %v, %q, %v", ok, holder, err)
	}
	shanghai, _ := time.LoadLocation("Asia/Shanghai")
	if ok, holder, err := b.Claim(ctx, "sync", at.In(shanghai), time.Minute); ok || holder != "a" || err != nil {
		t.Errorf("b.Claim of the same instant in another zone = %v, %q, %v, want false, \"a\"", ok, holder, err)
	}
	other := r.open(t, RedisOptions{Instance: "c", Prefix: "other:"})
	if ok, _, _ := other.Claim(ctx, "sync", at, time.Minute); !ok {
		t.Error("a store with another prefix shares the claims")
	}
	if ok, _, _ := a.Claim(ctx, "brief", at, 100*time.Millisecond); !ok {
		t.Fatal("a.Claim of another job failed")
	}
	time.Sleep(300 * time.Millisecond)
	if ok, _, _ := b.Claim(ctx, "brief", at, time.Minute); !ok {
		t.Error("a claim does not expire after its ttl")
	}

	// A held lock is renewed beyond its ttl: its lifetime goes up again
	// at each renewal, every third of the ttl. The ttl leaves a busy machine
	// seconds to renew.
	const lease = 3 * time.Second
	unlock, _, err := a.LockJob(ctx, "sync", lease)
	if unlock == nil || err != nil {
		t.Fatalf("a.LockJob: unlock is nil, err = %v", err)
	}
	waitRenewals(t, a, a.key("lock", "sync"), 3)
	if again, holder, err := b.LockJob(ctx, "sync", time.Minute); again != nil || holder != "a" || err != nil {
		t.Errorf("b.LockJob of a lock renewed 3 times = %v, %q, %v, want nil, \"a\"", again != nil, holder, err)
	}
	unlock()
	unlock()
	unlockB, _, err := b.LockJob(ctx, "sync", time.Minute)
	if unlockB == nil || err != nil {
		t.Fatalf("b.LockJob after a's unlock: unlock is nil, err = %v", err)
	}
	unlock() // a's late unlock leaves b's lock alone
	if again, holder, _ := a.LockJob(ctx, "sync", time.Minute); again != nil || holder != "b" {
		t.Errorf("a.LockJob after a second unlock took b's lock (holder %q)", holder)
	}
	unlockB()

	// The lock of an instance that stopped is taken over at once: Close
	// deleted its heartbeat.
	d := r.open(t, RedisOptions{Instance: "d"})
	if unlock, _, _ := d.LockJob(ctx, "sync", lockLease); unlock == nil {
		t.Fatal("d.LockJob failed")
	}
	d.Close()
	unlockB, holder, err := b.LockJob(ctx, "sync", time.Minute)
	if unlockB == nil || holder != "b" || err != nil {
		t.Fatalf("b.LockJob right after d stopped = %v, %q, %v, want the lock", unlockB != nil, holder, err)
	}
	unlockB()

	// The lock of an instance that died is held while its heartbeat lives,
	// and taken over as soon as the heartbeat expired, long before the
	// lock's lease would.
	e := r.open(t, RedisOptions{Instance: "e", Heartbeat: 500 * time.Millisecond})
	if unlock, _, _ := e.LockJob(ctx, "sync", lockLease); unlock == nil {
		t.Fatal("e.LockJob failed")
	}
	e.Crash()
	if again, holder, _ := b.LockJob(ctx, "sync", time.Minute); again != nil || holder != "e" {
		t.Fatalf("b.LockJob right after e died = %v, %q, want the lock held by e", again != nil, holder)
	}
	waitFor(t, 30*time.Second, "the heartbeat of e to expire", func() bool {
		return b.rdb.Exists(ctx, b.key("instance", "e")).Val() == 0
	})
	left := b.rdb.PTTL(ctx, b.key("lock", "sync")).Val()
	unlockB, holder, err = b.LockJob(ctx, "sync", time.Minute)
	if unlockB == nil || holder != "b" || err != nil || left <= 0 {
		t.Fatalf("b.LockJob once e's heartbeat expired (lease left %v) = %v, %q, %v, want the lock", left, unlockB != nil, holder, err)
	}
	if v := b.rdb.Get(ctx, b.key("lock", "sync")).Val(); holderOf(v) != "b" {
		t.Errorf("the lock holds %q after the takeover", v)
	}
	unlockB()
}

// waitRenewals waits until the lifetime of key has gone up n times, each
// time a renewal by its holder; the key expiring meanwhile fails the test.
func waitRenewals(t *testing.T, s *RedisStore, key string, n int) {
	t.Helper()
	renewals := 0
	last := s.rdb.PTTL(t.Context(), key).Val()
	waitFor(t, 30*time.Second, fmt.Sprintf("%d renewals of %s", n, key), func() bool {
		left := s.rdb.PTTL(t.Context(), key).Val()
		if left <= 0 {
			t.Fatalf("%s expired while its holder lives (%v left)", key, left)
		}
		if left > last {
			renewals++
		}
		last = left
		return renewals >= n
	})
}

// TestRedisInterruptedAfterCrash leaves runs "running" in the history of an
// instance that crashed: a store that opens once its heartbeat expired marks
// them interrupted, and leaves alone the runs of a live instance and those
// that ended. A process restarting under the crashed one's name marks its
// runs at once.
func TestRedisInterruptedAfterCrash(t *testing.T) {
	r := startRedis(t)
	ctx := t.Context()
	// The heartbeats of the instances that must look alive last long
	// enough for a busy machine to renew them.
	const ttl = 3 * time.Second
	started := time.Date(2025, 1, 1, 2, 0, 0, 0, time.UTC)
	running := func(s *RedisStore, job string) RunRecord {
		t.Helper()
		rec := RunRecord{ID: NewRunID(started), Job: job, Trigger: TriggerSchedule, Scheduled: started,
			Started: started, Result: ResultRunning, Attempts: 1, Instance: s.Instance()}
		if err := s.PutRun(ctx, rec); err != nil {
			t.Fatal(err)
		}
		return rec
	}

	live := r.open(t, RedisOptions{Instance: "live", Heartbeat: ttl})
	dead := r.open(t, RedisOptions{Instance: "dead", Heartbeat: ttl})
	liveRun := running(live, "sync")
	deadRun := running(dead, "sync")
	otherJob := running(dead, "report [daily]")
	ended := running(dead, "sync")
	ended.Result, ended.Finished = ResultOK, started.Add(time.Second)
	if err := dead.PutRun(ctx, ended); err != nil {
		t.Fatal(err)
	}

	dead.Crash()
	// Right after the crash the heartbeat is still there: the runs are
	// left alone.
	early := r.open(t, RedisOptions{Instance: "early", Heartbeat: ttl})
	if got, _ := early.Run(ctx, "sync", deadRun.ID); got.Result != ResultRunning {
		t.Fatalf("a run of a crashed instance whose heartbeat has not expired = %s, want running", got.Result)
	}
	early.Close()
	if n, _ := live.rdb.Exists(ctx, live.key("instance", "early")).Result(); n != 0 {
		t.Error("Close leaves the instance heartbeat")
	}

	waitFor(t, 10*ttl, "the heartbeat of the crashed instance to expire", func() bool {
		n, err := live.rdb.Exists(ctx, live.key("instance", "dead")).Result()
		return err == nil && n == 0
	})
	if n, _ := live.rdb.Exists(ctx, live.key("instance", "live")).Result(); n != 1 {
		t.Fatal("the heartbeat of a live instance expired")
	}
	next := r.open(t, RedisOptions{Instance: "next", Heartbeat: ttl})
	for _, want := range []RunRecord{deadRun, otherJob} {
		got, err := next.Run(ctx, want.Job, want.ID)
		if err != nil {
			t.Fatal(err)
		}
		want.Result = ResultInterrupted
		want.Error = "the instance dead stopped during the run"
		if got != want {
			t.Errorf("run left running by a crashed instance = %+v, want %+v", got, want)
		}
	}
	if got, _ := next.Run(ctx, "sync", liveRun.ID); got != liveRun {
		t.Errorf("run of a live instance = %+v, want it left running", got)
	}
	if got, _ := next.Run(ctx, "sync", ended.ID); got != ended {
		t.Errorf("run that ended = %+v, want it unchanged", got)
	}
	runs, err := next.Runs(ctx, "sync", 0)
	if err != nil || len(runs) != 3 {
		t.Errorf("Runs = %d runs, %v, want 3", len(runs), err)
	}

	// The live instance ends its run as usual.
	liveRun.Result, liveRun.Finished = ResultOK, started.Add(time.Second)
	if err := live.PutRun(ctx, liveRun); err != nil {
		t.Fatal(err)
	}
	if got, _ := next.Run(ctx, "sync", liveRun.ID); got.Result != ResultOK {
		t.Errorf("run of the live instance after it ended = %s, want ok", got.Result)
	}

	// An open store sweeps the runs of instances that crash later.
	sweeper := r.open(t, RedisOptions{Instance: "sweeper", Heartbeat: ttl, Sweep: 100 * time.Millisecond})
	late := r.open(t, RedisOptions{Instance: "late", Heartbeat: 300 * time.Millisecond})
	lateRun := running(late, "sync")
	late.Crash()
	waitFor(t, 30*time.Second, "the sweep to mark the run of a crashed instance", func() bool {
		got, _ := sweeper.Run(ctx, "sync", lateRun.ID)
		return got.Result == ResultInterrupted
	})

	// A process restarting under the name of the crashed one marks the runs
	// of its predecessor at once, heartbeat or not.
	again := r.open(t, RedisOptions{Instance: "again", Heartbeat: time.Minute})
	againRun := running(again, "sync")
	again.Crash()
	restarted := r.open(t, RedisOptions{Instance: "again", Heartbeat: time.Minute})
	if got, _ := restarted.Run(ctx, "sync", againRun.ID); got.Result != ResultInterrupted {
		t.Errorf("run of the previous process of the same name = %s, want interrupted", got.Result)
	}
}

// TestRedisTokenOnce runs clients of three instances that all need a token at
// the same moment: one gettoken in all. With Redis gone, a client still
// gets a token and keeps the one it has.
func TestRedisTokenOnce(t *testing.T) {
	r := startRedis(t)
	srv := startEmulator(t, emulator.DemoOrg())
	creds := srv.Credentials()
	client := func(s *RedisStore) *wecom.Client {
		return wecom.New(creds.CorpID, creds.ContactsSecret, wecom.WithBaseURL(srv.BaseURL()), wecom.WithTokenCache(s))
	}
	var clients []*wecom.Client
	for _, name := range []string{"a", "b", "c"} {
		clients = append(clients, client(r.open(t, RedisOptions{Instance: name})))
	}

	var wg sync.WaitGroup
	for _, c := range clients {
		for range 4 {
			wg.Go(func() {
				if _, err := c.Department.SimpleList(t.Context(), 0); err != nil {
					t.Error(err)
				}
			})
		}
	}
	wg.Wait()
	if n := srv.TokenRequests(); n != 1 {
		t.Errorf("gettoken called %d times by three instances, want 1", n)
	}

	late := client(r.open(t, RedisOptions{Instance: "d"}))
	if _, err := late.Department.SimpleList(t.Context(), 0); err != nil {
		t.Fatal(err)
	}
	if n := srv.TokenRequests(); n != 1 {
		t.Errorf("gettoken called %d times after a fourth instance started, want 1 (the cached token)", n)
	}

	alone := client(r.open(t, RedisOptions{Instance: "e"}))
	r.Stop()
	if _, err := clients[0].Department.SimpleList(t.Context(), 0); err != nil {
		t.Errorf("with Redis down, a client with a token: %v", err)
	}
	if _, err := alone.Department.SimpleList(t.Context(), 0); err != nil {
		t.Errorf("with Redis down, a client without a token: %v", err)
	}
	if n := srv.TokenRequests(); n != 2 {
		t.Errorf("gettoken called %d times, want 2 (the client without a token, Redis down)", n)
	}
}

// lockLease is the lease a scheduler takes on a running job's lock.
const lockLease = 30 * time.Second

// TestRedisSessionAlive: another instance's session is alive while its
// heartbeat lasts: until Close, or until the heartbeat of a crashed one
// expires; a process restarted under the same name is another session.
func TestRedisSessionAlive(t *testing.T) {
	r := startRedis(t)
	ctx := t.Context()
	const ttl = 3 * time.Second // long enough for a busy machine to renew
	watcher := r.open(t, RedisOptions{Instance: "watcher", Heartbeat: ttl})
	alive := func(session string) bool {
		t.Helper()
		ok, err := watcher.SessionAlive(ctx, session)
		if err != nil {
			t.Fatal(err)
		}
		return ok
	}

	closed := r.open(t, RedisOptions{Instance: "closed", Heartbeat: ttl})
	if !alive(closed.Session()) {
		t.Error("the session of an open store is not alive")
	}
	closed.Close()
	if alive(closed.Session()) {
		t.Error("the session of a closed store is alive")
	}

	crashed := r.open(t, RedisOptions{Instance: "crashed", Heartbeat: ttl})
	crashed.Crash()
	waitFor(t, 10*ttl, "the session of a crashed store to end with its heartbeat", func() bool { return !alive(crashed.Session()) })

	first := r.open(t, RedisOptions{Instance: "again", Heartbeat: time.Minute})
	first.Crash()
	restarted := r.open(t, RedisOptions{Instance: "again", Heartbeat: time.Minute})
	if alive(first.Session()) || !alive(restarted.Session()) {
		t.Errorf("after a restart under the same name: the old session alive %v, the new one %v; want false, true",
			alive(first.Session()), alive(restarted.Session()))
	}
}
