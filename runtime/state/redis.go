package state

import (
	"context"
	"crypto/rand"
	"crypto/tls"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/redis/go-redis/v9/logging"

	"github.com/wecomrunner/runner/bindings"
	"github.com/wecomrunner/runner/wecom"
)

// RedisOptions configure OpenRedis.
type RedisOptions struct {
	// History is how many runs are kept per job; DefaultHistory when 0.
	History int
	// Prefix starts every key; "runner:" when empty. Instances share state
	// only when they use the same prefix.
	Prefix string
	// Instance names this process in claims, locks and run records;
	// "host:pid" when empty. Instances sharing a Redis must have different
	// names.
	Instance string
	// Logger receives the problems of running locks (a renewal or a release
	// that failed, a lock that was lost) and of the heartbeat, and the runs
	// marked interrupted; nil discards.
	Logger *slog.Logger

	// Heartbeat is the lifetime of the instance key; instanceTTL when 0.
	Heartbeat time.Duration
	// Sweep is the interval of the sweeps; sweepEvery when 0.
	Sweep time.Duration
}

// RedisStore is the Store shared by several instances through one Redis
// database. A firing is claimed with SET NX under a key made of the job and
// the scheduled instant, so exactly one instance runs it; the running lock of
// a job is a key that its holder renews while the run lives. It also
// implements wecom.TokenLocker, so that instances finding a token stale at
// the same moment wait for one fetch.
//
// The keys, under the prefix:
//
//	token:<cache key>       JSON wecom.Token, expiring after the token
//	tokenlock:<cache key>   the lock held around a token fetch
//	runs:<job>              sorted set of run ids (all scored 0: ordered by id)
//	run:<job>               hash of run id to JSON RunRecord
//	log:<job>:<run id>      list of log lines
//	last:<job>              last scheduled instant, in Unix microseconds
//	kv:<job>                hash of the job's kv
//	claim:<job>:<unix>      the instance that claimed the firing at <unix> (UTC seconds)
//	lock:<job>              the instance holding the job's running lock
//	running                 hash of "<job>\x00<run id>" to the instance, for the runs in progress
//	instance:<instance>     the heartbeat of a live instance
//	service:<instance>      JSON ServiceInfo of the instance's control API, as long as its heartbeat
//	paused                  hash of job to JSON Pause
//	cancel:<job>:<run id>   who asked to cancel a run, for a day
//	probe:<instance>        the last write of Health
//	pending, pendingof, pendingq:<holder>, pendingholders, pendingseq
//	                        the pending events (redis_pending.go)
//
// Claims, locks and heartbeats hold "<instance>/<random token>", so that a
// holder recognizes its own key.
//
// Each store keeps the heartbeat key of its instance while it is open,
// renewing it every third of its lifetime and deleting it on Close. A run
// still "running" whose instance has no heartbeat was left by a process that
// died (kill -9, power loss): it is marked interrupted when a store opens,
// and by the sweep each open store makes of the running runs every third of
// the heartbeat's lifetime; OnInterrupted hears of those the sweep marks. A
// running lock whose holder has no heartbeat is taken over at once, without
// waiting for its lease to run out.
type RedisStore struct {
	rdb      *redis.Client
	prefix   string
	history  int
	instance string
	log      *slog.Logger

	heartbeat  time.Duration // lifetime of the instance key
	sweepEvery time.Duration // interval of the sweeps
	beat       string        // value of the instance key

	mu            sync.Mutex
	service       []byte          // JSON ServiceInfo kept with the heartbeat (Advertise); nil when none
	onInterrupted func(RunRecord) // told of the runs the sweeps mark interrupted; nil when none

	health writeHealth

	closed    chan struct{} // closed by Close: stops the lock renewals and the heartbeat
	closeOnce sync.Once
	renewals  sync.WaitGroup // the lock renewals and the heartbeat
}

var (
	_ Store             = (*RedisStore)(nil)
	_ wecom.TokenLocker = (*RedisStore)(nil)
)

const (
	// redisOpenTimeout bounds the PING of OpenRedis.
	redisOpenTimeout = 5 * time.Second
	// releaseTimeout bounds the release of a lock.
	releaseTimeout = 5 * time.Second
	// tokenLockTTL is how long the lock around a token fetch lasts when its
	// holder does not release it; a waiter gives up after as long.
	tokenLockTTL = 10 * time.Second
	// tokenLockPoll is how often a waiter tries the token lock again.
	tokenLockPoll = 50 * time.Millisecond
	// tokenKeep is how long a cached token's key outlives the token.
	tokenKeep = 10 * time.Minute
	// instanceTTL is how long the heartbeat key of an instance lasts after
	// its last renewal; it is renewed every third of that.
	instanceTTL = 15 * time.Second
	// sweepEvery is how often an open store looks for the runs of instances
	// that died: a third of the heartbeat's lifetime, so that a run is
	// marked soon after its instance's heartbeat expired.
	sweepEvery = instanceTTL / 3
)

// OpenRedis connects to the Redis database named by url,
// redis://[[user]:password@]host[:port][/db] (rediss:// for TLS), and checks
// that it answers. The user and password are taken as written, not
// percent-decoded, so a password expanded from ${VAR} may hold any
// character. Errors never show the password.
//
// Once open, the store survives Redis going away: its calls fail until Redis
// answers again, and then work without reopening.
func OpenRedis(url string, opts RedisOptions) (*RedisStore, error) {
	rdb, o, err := redisClient(url)
	if err != nil {
		return nil, err
	}
	if opts.History <= 0 {
		opts.History = DefaultHistory
	}
	if opts.Prefix == "" {
		opts.Prefix = "runner:"
	}
	if opts.Instance == "" {
		opts.Instance = instanceName()
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.Heartbeat <= 0 {
		opts.Heartbeat = instanceTTL
	}
	if opts.Sweep <= 0 {
		opts.Sweep = sweepEvery
	}
	s := &RedisStore{
		rdb:        rdb,
		prefix:     opts.Prefix,
		history:    opts.History,
		instance:   opts.Instance,
		log:        opts.Logger,
		heartbeat:  opts.Heartbeat,
		sweepEvery: opts.Sweep,
		beat:       opts.Instance + "/" + randomHex(8),
		closed:     make(chan struct{}),
	}
	ctx, cancel := context.WithTimeout(context.Background(), redisOpenTimeout)
	defer cancel()
	if err := s.rdb.Ping(ctx).Err(); err != nil {
		s.rdb.Close()
		return nil, fmt.Errorf("state redis %s db %d: %w", o.Addr, o.DB, err)
	}
	if err := s.beatOnce(ctx); err != nil {
		s.rdb.Close()
		return nil, fmt.Errorf("state redis %s db %d: %w", o.Addr, o.DB, err)
	}
	// No run of this instance is going on yet: those recorded under its
	// name, and the locks it holds, were left by an earlier process of the
	// same name.
	if err := s.sweepAll(ctx); err != nil {
		s.log.Warn("cannot mark the runs of stopped instances interrupted", "error", err)
	}
	s.renewals.Add(1)
	go func() {
		defer s.renewals.Done()
		s.beatLoop()
	}()
	return s, nil
}

// redisClient returns a client of the Redis database named by url.
func redisClient(url string) (*redis.Client, *redis.Options, error) {
	o, err := ParseRedisURL(url)
	if err != nil {
		return nil, nil, err
	}
	o.ContextTimeoutEnabled = true
	// One dial per attempt (go-redis still retries a failed command a few
	// times): with Redis down, a call fails within a fraction of a second,
	// so a firing is skipped close to its time.
	o.DialerRetries = 1
	// go-redis logs to stderr by itself (a setting of the whole process);
	// every failure it logs is also returned to, and handled by, the
	// store's callers.
	redis.SetLogger(&logging.VoidLogger{})
	return redis.NewClient(o), o, nil
}

// ParseRedisURL reads the connection options of a redis:// or rediss:// URL.
func ParseRedisURL(raw string) (*redis.Options, error) {
	scheme, rest, _ := strings.Cut(raw, "://")
	if scheme != "redis" && scheme != "rediss" {
		return nil, errors.New("state: not a redis:// URL")
	}
	o := &redis.Options{}
	// The user info ends at the last '@': the host and database have none.
	if i := strings.LastIndexByte(rest, '@'); i >= 0 {
		o.Username, o.Password, _ = strings.Cut(rest[:i], ":")
		rest = rest[i+1:]
	}
	addr, db, _ := strings.Cut(rest, "/")
	host, port, err := net.SplitHostPort(addr)
	if err != nil { // no port
		host, port = strings.Trim(addr, "[]"), "6379"
	}
	if host == "" {
		return nil, errors.New("state: the redis URL has no host")
	}
	if n, err := strconv.Atoi(port); err != nil || n <= 0 || n > 65535 {
		return nil, errors.New("state: the port of the redis URL is not a number")
	}
	o.Addr = net.JoinHostPort(host, port)
	if db != "" {
		if o.DB, err = strconv.Atoi(db); err != nil || o.DB < 0 {
			return nil, errors.New("state: the database of the redis URL is not a number (redis://host:port/0)")
		}
	}
	if scheme == "rediss" {
		o.TLSConfig = &tls.Config{ServerName: host, MinVersion: tls.VersionTLS12}
	}
	return o, nil
}

// Instance names this process.
func (s *RedisStore) Instance() string { return s.instance }

// Close stops renewing the running locks still held, which then expire,
// deletes the instance's heartbeat and closes the connections. Closing again
// does nothing.
func (s *RedisStore) Close() error {
	var err error
	s.closeOnce.Do(func() {
		close(s.closed)
		s.renewals.Wait()
		if !s.release(context.Background(), s.key("instance", s.instance), s.beat) {
			s.log.Warn("the instance heartbeat was not deleted; it expires by itself", "within", s.heartbeat)
		}
		if s.advertised() != nil {
			ctx, cancel := context.WithTimeout(context.Background(), releaseTimeout)
			s.rdb.Del(ctx, s.key("service", s.instance))
			cancel()
		}
		err = s.rdb.Close()
	})
	return err
}

// beatOnce sets the instance's heartbeat key, and its service key when it
// has one, for their lifetime.
func (s *RedisStore) beatOnce(ctx context.Context) error {
	if err := s.rdb.Set(ctx, s.key("instance", s.instance), s.beat, s.heartbeat).Err(); err != nil {
		return err
	}
	if svc := s.advertised(); svc != nil {
		return s.rdb.Set(ctx, s.key("service", s.instance), svc, s.heartbeat).Err()
	}
	return nil
}

func (s *RedisStore) advertised() []byte {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.service
}

// Advertise records the instance's control API under service:<instance>,
// renewed with the heartbeat and deleted by Close.
func (s *RedisStore) Advertise(ctx context.Context, svc ServiceInfo) error {
	b, err := json.Marshal(svc)
	if err != nil {
		return err
	}
	s.mu.Lock()
	s.service = b
	s.mu.Unlock()
	return s.beatOnce(ctx)
}

// redisServices reads the control APIs that live instances advertise.
func redisServices(ctx context.Context, url string) ([]ServiceInfo, error) {
	rdb, o, err := redisClient(url)
	if err != nil {
		return nil, err
	}
	defer rdb.Close()
	prefix := "runner:service:"
	var out []ServiceInfo
	iter := rdb.Scan(ctx, 0, escapeGlob(prefix)+"*", 100).Iterator()
	for iter.Next(ctx) {
		b, err := rdb.Get(ctx, iter.Val()).Bytes()
		if errors.Is(err, redis.Nil) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("state redis %s db %d: %w", o.Addr, o.DB, err)
		}
		var svc ServiceInfo
		if json.Unmarshal(b, &svc) == nil && svc.URL != "" {
			out = append(out, svc)
		}
	}
	if err := iter.Err(); err != nil {
		return nil, fmt.Errorf("state redis %s db %d: %w", o.Addr, o.DB, err)
	}
	return out, nil
}

// SetPause pauses or resumes a job.
func (s *RedisStore) SetPause(ctx context.Context, job string, p *Pause) error {
	if p == nil {
		return s.rdb.HDel(ctx, s.key("paused"), job).Err()
	}
	b, err := json.Marshal(p)
	if err != nil {
		return err
	}
	return s.rdb.HSet(ctx, s.key("paused"), job, b).Err()
}

// Pauses returns the paused jobs.
func (s *RedisStore) Pauses(ctx context.Context) (map[string]Pause, error) {
	all, err := s.rdb.HGetAll(ctx, s.key("paused")).Result()
	if err != nil {
		return nil, err
	}
	out := make(map[string]Pause, len(all))
	for job, v := range all {
		var p Pause
		if err := json.Unmarshal([]byte(v), &p); err != nil {
			return nil, fmt.Errorf("pause of job %s: %w", job, err)
		}
		out[job] = p
	}
	return out, nil
}

// cancelKeep is how long a request to cancel a run is kept.
const cancelKeep = 24 * time.Hour

// RequestCancel records that a run should stop, for the instance running it.
func (s *RedisStore) RequestCancel(ctx context.Context, job, id, by string) error {
	return s.rdb.Set(ctx, s.key("cancel", job, id), by, cancelKeep).Err()
}

// CancelRequested returns who asked to cancel a run.
func (s *RedisStore) CancelRequested(ctx context.Context, job, id string) (string, bool, error) {
	by, err := s.rdb.Get(ctx, s.key("cancel", job, id)).Result()
	if errors.Is(err, redis.Nil) {
		return "", false, nil
	}
	return by, err == nil, err
}

// beatLoop renews the heartbeat every third of its lifetime, and sweeps the
// runs of stopped instances every s.sweepEvery, until the store closes. A
// failure is logged and tried again at the next tick; a heartbeat that
// expired meanwhile is set again.
func (s *RedisStore) beatLoop() {
	every := max(s.heartbeat/3, time.Millisecond)
	beat := time.NewTicker(every)
	defer beat.Stop()
	sweep := time.NewTicker(s.sweepEvery)
	defer sweep.Stop()
	for {
		select {
		case <-s.closed:
			return
		case <-beat.C:
			ctx, cancel := context.WithTimeout(context.Background(), every)
			if err := s.beatOnce(ctx); err != nil {
				s.log.Warn("cannot renew the instance heartbeat", "error", err)
			}
			cancel()
		case <-sweep.C:
			ctx, cancel := context.WithTimeout(context.Background(), max(s.sweepEvery/2, redisOpenTimeout))
			if err := s.sweep(ctx); err != nil {
				s.log.Warn("cannot mark the runs of stopped instances interrupted", "error", err)
			}
			cancel()
		}
	}
}

// interruptScript replaces a run record that still holds a given value, when
// the heartbeat of its instance is gone (or not checked), and drops the run
// from the running runs.
//
// KEYS: run records, the instance's heartbeat, the running runs. ARGV: run
// id, JSON record read, JSON record to write, "1" to check the heartbeat,
// the run's field in the running runs.
var interruptScript = redis.NewScript(`
if ARGV[4] == '1' and redis.call('EXISTS', KEYS[2]) == 1 then
	return 0
end
if redis.call('HGET', KEYS[1], ARGV[1]) ~= ARGV[2] then
	return 0
end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[3])
redis.call('HDEL', KEYS[3], ARGV[5])
return 1
`)

// OnInterrupted sets fn to be told of each run that a sweep of this store
// marks interrupted because its instance died; nil stops it. fn is called
// from the store's own goroutine and must not block.
func (s *RedisStore) OnInterrupted(fn func(RunRecord)) {
	s.mu.Lock()
	s.onInterrupted = fn
	s.mu.Unlock()
}

// runningField names a run in the running runs.
func runningField(job, id string) string { return job + "\x00" + id }

// sweep marks interrupted the runs in progress of instances without a
// heartbeat, found in the running runs, and tells OnInterrupted of them.
func (s *RedisStore) sweep(ctx context.Context) error {
	entries, err := s.rdb.HGetAll(ctx, s.key("running")).Result()
	if err != nil {
		return err
	}
	alive := map[string]bool{s.instance: true}
	for field, instance := range entries {
		if _, seen := alive[instance]; !seen {
			n, err := s.rdb.Exists(ctx, s.key("instance", instance)).Result()
			if err != nil {
				return err
			}
			alive[instance] = n == 1
		}
		if alive[instance] {
			continue
		}
		job, id, _ := strings.Cut(field, "\x00")
		text, err := s.rdb.HGet(ctx, s.key("run", job), id).Result()
		if errors.Is(err, redis.Nil) { // dropped from the history
			s.rdb.HDel(ctx, s.key("running"), field)
			continue
		}
		if err != nil {
			return err
		}
		r, marked, err := s.interrupt(ctx, job, id, text, true)
		if err != nil {
			return err
		}
		s.mu.Lock()
		fn := s.onInterrupted
		s.mu.Unlock()
		if marked && fn != nil {
			fn(r)
		}
	}
	return nil
}

// interrupt marks the run of job whose record reads text interrupted, if it
// is still running and, when check is set, its instance has no heartbeat.
// It reports whether it marked the run.
func (s *RedisStore) interrupt(ctx context.Context, job, id, text string, check bool) (RunRecord, bool, error) {
	var r RunRecord
	if json.Unmarshal([]byte(text), &r) != nil || r.Result != ResultRunning {
		return r, false, s.rdb.HDel(ctx, s.key("running"), runningField(job, id)).Err()
	}
	r.Result = ResultInterrupted
	r.Error = fmt.Sprintf("the instance %s stopped during the run", r.Instance)
	v, err := json.Marshal(r)
	if err != nil {
		return r, false, err
	}
	checkArg := ""
	if check {
		checkArg = "1"
	}
	keys := []string{s.key("run", job), s.key("instance", r.Instance), s.key("running")}
	n, err := interruptScript.Run(ctx, s.rdb, keys, id, text, v, checkArg, runningField(job, id)).Int()
	if err != nil || n != 1 {
		return r, false, err
	}
	s.log.Warn("run marked interrupted", "job", job, "run", id, "instance", r.Instance)
	return r, true, nil
}

// sweepAll is the sweep of a store that opens: it reads every run record
// (the running runs may miss those an older version recorded), marks
// interrupted the running ones of instances without a heartbeat and those
// of this instance's name, and deletes the running locks held under this
// instance's name. Nobody is told of the runs it marks: the scheduler of
// this process has not started, and catches up missed firings when it
// does.
func (s *RedisStore) sweepAll(ctx context.Context) error {
	runsPrefix := s.key("runs", "")
	iter := s.rdb.Scan(ctx, 0, escapeGlob(runsPrefix)+"*", 100).Iterator()
	for iter.Next(ctx) {
		job := strings.TrimPrefix(iter.Val(), runsPrefix)
		records, err := s.rdb.HGetAll(ctx, s.key("run", job)).Result()
		if err != nil {
			return err
		}
		for id, text := range records {
			if !strings.Contains(text, `"result":"running"`) {
				continue
			}
			var r RunRecord
			if json.Unmarshal([]byte(text), &r) != nil || r.Result != ResultRunning {
				continue
			}
			if _, _, err := s.interrupt(ctx, job, id, text, r.Instance != s.instance); err != nil {
				return err
			}
		}
	}
	if err := iter.Err(); err != nil {
		return err
	}
	locksPrefix := s.key("lock", "")
	locks := s.rdb.Scan(ctx, 0, escapeGlob(locksPrefix)+"*", 100).Iterator()
	for locks.Next(ctx) {
		value, err := s.rdb.Get(ctx, locks.Val()).Result()
		if err == nil && holderOf(value) == s.instance {
			s.release(ctx, locks.Val(), value)
		}
	}
	return locks.Err()
}

// escapeGlob escapes the characters of s that a Redis MATCH pattern treats
// specially.
func escapeGlob(s string) string {
	var b strings.Builder
	for _, c := range s {
		if strings.ContainsRune(`*?[]\`, c) {
			b.WriteByte('\\')
		}
		b.WriteRune(c)
	}
	return b.String()
}

// key returns the key made of the prefix and parts joined by ':'.
func (s *RedisStore) key(parts ...string) string {
	return s.prefix + strings.Join(parts, ":")
}

// LoadToken returns a cached token.
func (s *RedisStore) LoadToken(ctx context.Context, key string) (wecom.Token, bool, error) {
	b, err := s.rdb.Get(ctx, s.key("token", key)).Bytes()
	if errors.Is(err, redis.Nil) {
		return wecom.Token{}, false, nil
	}
	if err != nil {
		return wecom.Token{}, false, err
	}
	var t wecom.Token
	if err := json.Unmarshal(b, &t); err != nil {
		return wecom.Token{}, false, fmt.Errorf("cached token %s: %w", key, err)
	}
	return t, true, nil
}

// StoreToken caches a token; Redis drops it some time after it expires.
func (s *RedisStore) StoreToken(ctx context.Context, key string, t wecom.Token) error {
	b, err := json.Marshal(t)
	if err != nil {
		return err
	}
	return s.health.note(s.rdb.Set(ctx, s.key("token", key), b, max(time.Until(t.ExpiresAt), 0)+tokenKeep).Err())
}

// LockToken takes the lock around the fetch of the token named key. When
// another instance holds it, LockToken waits until it is released or
// expires, so that the caller then finds the token that instance fetched in
// the cache. It fails when Redis does not answer, or when the lock was not
// free within its lifetime; the caller then fetches without the lock.
func (s *RedisStore) LockToken(ctx context.Context, key string) (func(), error) {
	k := s.key("tokenlock", key)
	wait, cancel := context.WithTimeout(ctx, tokenLockTTL)
	defer cancel()
	for {
		value, cur, err := s.take(wait, k, tokenLockTTL)
		if err != nil {
			return nil, err
		}
		if value != "" {
			release := context.WithoutCancel(ctx)
			return func() { s.release(release, k, value) }, nil
		}
		select {
		case <-wait.Done():
			return nil, fmt.Errorf("the token lock is held by %s: %w", holderOf(cur), context.Cause(wait))
		case <-time.After(tokenLockPoll):
		}
	}
}

// putRunScript records a run, keeps the running runs up to date, deletes
// the run's pending event and, when the run is new, drops the job's oldest
// runs beyond the history limit with their logs.
//
// KEYS: runs index, run records, running runs, pending events, their
// holders. ARGV: run id, JSON record, history limit, prefix of the log keys,
// "1" when the run is running, the prefix of the job's fields in the running
// runs (and the pending events), the instance, the prefix of the holders'
// pendingq.
var putRunScript = redis.NewScript(`
local new = redis.call('HSET', KEYS[2], ARGV[1], ARGV[2]) == 1
local field = ARGV[6] .. ARGV[1]
if ARGV[5] == '1' then
	redis.call('HSET', KEYS[3], field, ARGV[7])
else
	redis.call('HDEL', KEYS[3], field)
end
local holder = redis.call('HGET', KEYS[5], field)
if holder then
	redis.call('HDEL', KEYS[4], field)
	redis.call('HDEL', KEYS[5], field)
	redis.call('ZREM', ARGV[8] .. holder, field)
end
if not new then
	return 0
end
redis.call('ZADD', KEYS[1], 0, ARGV[1])
local extra = redis.call('ZCARD', KEYS[1]) - tonumber(ARGV[3])
if extra > 0 then
	for _, id in ipairs(redis.call('ZRANGE', KEYS[1], 0, extra - 1)) do
		redis.call('ZREM', KEYS[1], id)
		redis.call('HDEL', KEYS[2], id)
		redis.call('DEL', ARGV[4] .. id)
		redis.call('HDEL', KEYS[3], ARGV[6] .. id)
	end
end
return 1
`)

// PutRun records a run, dropping the job's oldest runs beyond the history
// limit, and deletes the run's pending event.
func (s *RedisStore) PutRun(ctx context.Context, r RunRecord) error {
	v, err := json.Marshal(r)
	if err != nil {
		return err
	}
	running := ""
	if r.Result == ResultRunning {
		running = "1"
	}
	keys := []string{s.key("runs", r.Job), s.key("run", r.Job), s.key("running"), s.key("pending"), s.key("pendingof")}
	return s.health.note(putRunScript.Run(ctx, s.rdb, keys, r.ID, v, s.history, s.key("log", r.Job, ""),
		running, runningField(r.Job, ""), r.Instance, s.key("pendingq", "")).Err())
}

// Runs returns a job's runs, newest first.
func (s *RedisStore) Runs(ctx context.Context, job string, limit int) ([]RunRecord, error) {
	stop := int64(limit) - 1
	if limit <= 0 {
		stop = -1
	}
	ids, err := s.rdb.ZRevRange(ctx, s.key("runs", job), 0, stop).Result()
	if err != nil || len(ids) == 0 {
		return nil, err
	}
	values, err := s.rdb.HMGet(ctx, s.key("run", job), ids...).Result()
	if err != nil {
		return nil, err
	}
	out := make([]RunRecord, 0, len(values))
	for i, v := range values {
		text, ok := v.(string)
		if !ok { // dropped since the ids were read
			continue
		}
		var r RunRecord
		if err := json.Unmarshal([]byte(text), &r); err != nil {
			return nil, fmt.Errorf("run %s of job %s: %w", ids[i], job, err)
		}
		out = append(out, r)
	}
	return out, nil
}

// Run returns one run of a job.
func (s *RedisStore) Run(ctx context.Context, job, id string) (RunRecord, error) {
	var r RunRecord
	text, err := s.rdb.HGet(ctx, s.key("run", job), id).Result()
	if errors.Is(err, redis.Nil) {
		return r, fmt.Errorf("run %s of job %s: %w", id, job, ErrNotFound)
	}
	if err != nil {
		return r, err
	}
	if err := json.Unmarshal([]byte(text), &r); err != nil {
		return r, fmt.Errorf("run %s of job %s: %w", id, job, err)
	}
	return r, nil
}

// AppendLog adds lines to a run's log.
func (s *RedisStore) AppendLog(ctx context.Context, job, id string, lines []string) error {
	if len(lines) == 0 {
		return nil
	}
	values := make([]any, len(lines))
	for i, l := range lines {
		values[i] = l
	}
	return s.health.note(s.rdb.RPush(ctx, s.key("log", job, id), values...).Err())
}

// Log returns lines of a run's log, with one LLEN and one LRANGE in a
// transaction.
func (s *RedisStore) Log(ctx context.Context, job, id string, from, n int) ([]string, int, error) {
	key := s.key("log", job, id)
	from = max(from, 0)
	stop := int64(from + n - 1)
	if n <= 0 {
		stop = -1
	}
	var total *redis.IntCmd
	var lines *redis.StringSliceCmd
	_, err := s.rdb.TxPipelined(ctx, func(p redis.Pipeliner) error {
		total = p.LLen(ctx, key)
		lines = p.LRange(ctx, key, int64(from), stop)
		return nil
	})
	if err != nil {
		return nil, 0, err
	}
	return lines.Val(), int(total.Val()), nil
}

// Health sets the instance's probe key, which expires after a minute.
func (s *RedisStore) Health(ctx context.Context) error {
	return s.health.check(s.rdb.Set(ctx, s.key("probe", s.instance), time.Now().UTC().Format(time.RFC3339), time.Minute).Err())
}

// LastScheduled returns the job's latest recorded firing, to the
// microsecond.
func (s *RedisStore) LastScheduled(ctx context.Context, job string) (time.Time, error) {
	us, err := s.rdb.Get(ctx, s.key("last", job)).Int64()
	if errors.Is(err, redis.Nil) {
		return time.Time{}, nil
	}
	if err != nil {
		return time.Time{}, err
	}
	return time.UnixMicro(us).UTC(), nil
}

// setLaterScript sets a key to a number unless it holds a larger one.
var setLaterScript = redis.NewScript(`
local cur = tonumber(redis.call('GET', KEYS[1]))
if cur == nil or tonumber(ARGV[1]) > cur then
	redis.call('SET', KEYS[1], ARGV[1])
	return 1
end
return 0
`)

// SetLastScheduled records a firing, keeping the later of t and the recorded
// time.
func (s *RedisStore) SetLastScheduled(ctx context.Context, job string, t time.Time) error {
	return s.health.note(setLaterScript.Run(ctx, s.rdb, []string{s.key("last", job)}, t.UnixMicro()).Err())
}

// KV returns the job's key-value state.
func (s *RedisStore) KV(job string) bindings.KV {
	return redisKV{rdb: s.rdb, key: s.key("kv", job), health: &s.health}
}

// Claim takes the firing of job at the scheduled instant (to the second) for
// this instance, for ttl.
func (s *RedisStore) Claim(ctx context.Context, job string, scheduled time.Time, ttl time.Duration) (bool, string, error) {
	key := s.key("claim", job, strconv.FormatInt(scheduled.Unix(), 10))
	value, cur, err := s.take(ctx, key, ttl)
	if err != nil {
		return false, "", err
	}
	if value != "" {
		return true, s.instance, nil
	}
	return false, holderOf(cur), nil
}

// FirstSeen sets the key for ttl unless it is set: SET NX PX.
func (s *RedisStore) FirstSeen(ctx context.Context, key string, ttl time.Duration) (bool, error) {
	return s.rdb.SetNX(ctx, s.key("seen", key), s.instance, max(ttl, time.Millisecond)).Result()
}

// Remember sets the key to value for ttl unless it is set, and returns the
// value it holds: SET NX PX, else GET, in one script.
func (s *RedisStore) Remember(ctx context.Context, key, value string, ttl time.Duration) (string, error) {
	held, err := acquireScript.Run(ctx, s.rdb, []string{s.key("kept", key)}, value, max(ttl.Milliseconds(), 1)).Text()
	if errors.Is(err, redis.Nil) {
		return value, nil
	}
	return held, s.health.note(err)
}

// Forget deletes the key if it holds value.
func (s *RedisStore) Forget(ctx context.Context, key, value string) error {
	return s.health.note(releaseScript.Run(ctx, s.rdb, []string{s.key("kept", key)}, value).Err())
}

// replaceScript sets a key that holds a value to another, for a time.
//
// KEYS: the key. ARGV: the value it must hold, the new value, milliseconds.
var replaceScript = redis.NewScript(`
if redis.call('GET', KEYS[1]) == ARGV[1] then
	redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
	return 1
end
return 0
`)

// Replace sets the key to value for ttl if it holds old.
func (s *RedisStore) Replace(ctx context.Context, key, old, value string, ttl time.Duration) (bool, error) {
	n, err := replaceScript.Run(ctx, s.rdb, []string{s.key("kept", key)}, old, value, max(ttl.Milliseconds(), 1)).Int()
	return n == 1, s.health.note(err)
}

// Session is the value of this store's heartbeat: "<instance>/<token>".
func (s *RedisStore) Session() string { return s.beat }

// SessionAlive reports whether the heartbeat of the session's instance
// holds the session: a process restarted under the same name beats with
// another token.
func (s *RedisStore) SessionAlive(ctx context.Context, session string) (bool, error) {
	if session == s.beat {
		return true, nil
	}
	beat, err := s.rdb.Get(ctx, s.key("instance", holderOf(session))).Result()
	if errors.Is(err, redis.Nil) {
		return false, nil
	}
	return err == nil && beat == session, err
}

// LockJob takes the job's running lock. While it is held, the lock is renewed
// every ttl/3, so that it expires at most ttl after its holder died; a lock
// whose holder's heartbeat is gone is taken over at once.
func (s *RedisStore) LockJob(ctx context.Context, job string, ttl time.Duration) (func(), string, error) {
	key := s.key("lock", job)
	value, cur, err := s.take(ctx, key, ttl)
	holder := holderOf(cur)
	if err == nil && value == "" && holder != s.instance {
		value, err = s.takeOver(ctx, key, cur, ttl)
		if value != "" {
			s.log.Warn("running lock taken over: its holder's heartbeat expired", "job", job, "holder", holder)
		}
	}
	if err != nil || value == "" {
		return nil, holder, err
	}
	ctx = context.WithoutCancel(ctx)
	stop := make(chan struct{})
	s.renewals.Add(1)
	go func() {
		defer s.renewals.Done()
		s.renew(ctx, job, key, value, ttl, stop)
	}()
	var once sync.Once
	unlock := func() {
		once.Do(func() {
			close(stop)
			if !s.release(ctx, key, value) {
				s.log.Warn("the running lock was not released; it expires by itself", "job", job, "within", ttl)
			}
		})
	}
	return unlock, s.instance, nil
}

// takeoverScript replaces the value of a key whose holder has no heartbeat.
//
// KEYS: the key, the holder's heartbeat. ARGV: the value read, the new
// value, the lifetime in milliseconds.
var takeoverScript = redis.NewScript(`
if redis.call('EXISTS', KEYS[2]) == 1 or redis.call('GET', KEYS[1]) ~= ARGV[1] then
	return 0
end
redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
return 1
`)

// takeOver sets key, which holds cur, to a new value naming this instance
// when the holder named in cur has no heartbeat. It returns the value set,
// or "".
func (s *RedisStore) takeOver(ctx context.Context, key, cur string, ttl time.Duration) (string, error) {
	value := s.instance + "/" + randomHex(8)
	keys := []string{key, s.key("instance", holderOf(cur))}
	n, err := takeoverScript.Run(ctx, s.rdb, keys, cur, value, max(ttl.Milliseconds(), 1)).Int()
	if err != nil || n != 1 {
		return "", err
	}
	return value, nil
}

// acquireScript sets a key that does not exist yet, or returns its value.
//
// KEYS: the key. ARGV: the value, the lifetime in milliseconds.
var acquireScript = redis.NewScript(`
if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then
	return false
end
return redis.call('GET', KEYS[1])
`)

// take sets key to a new value naming this instance, for ttl, unless the key
// is held. It returns the value set, or "" and the value that holds the key.
func (s *RedisStore) take(ctx context.Context, key string, ttl time.Duration) (value, cur string, err error) {
	value = s.instance + "/" + randomHex(8)
	cur, err = acquireScript.Run(ctx, s.rdb, []string{key}, value, max(ttl.Milliseconds(), 1)).Text()
	switch {
	case errors.Is(err, redis.Nil), err == nil && cur == value: // set now, or by an attempt that was retried
		return value, "", nil
	case err != nil:
		return "", "", err
	}
	return "", cur, nil
}

// holderOf is the instance named by the value of a claim, lock or heartbeat
// ("<instance>/<token>").
func holderOf(value string) string {
	if i := strings.LastIndexByte(value, '/'); i >= 0 {
		return value[:i]
	}
	return value
}

// renewScript extends the lifetime of a key that holds a value.
//
// KEYS: the key. ARGV: the value, the lifetime in milliseconds.
var renewScript = redis.NewScript(`
if redis.call('GET', KEYS[1]) == ARGV[1] then
	return redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
return 0
`)

// renew extends the running lock of job (key holding value) every ttl/3
// until stop is closed or the store closes. It gives up when the lock was
// lost; a failed renewal is tried again at the next tick.
func (s *RedisStore) renew(ctx context.Context, job, key, value string, ttl time.Duration, stop <-chan struct{}) {
	every := max(ttl/3, time.Millisecond)
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-stop:
			return
		case <-s.closed:
			return
		case <-t.C:
		}
		ctx, cancel := context.WithTimeout(ctx, every)
		n, err := renewScript.Run(ctx, s.rdb, []string{key}, value, max(ttl.Milliseconds(), 1)).Int()
		cancel()
		switch {
		case err != nil:
			s.log.Warn("cannot renew the running lock", "job", job, "error", err)
		case n == 0:
			s.log.Error("the running lock expired while the run goes on: another instance may start the job", "job", job)
			return
		}
	}
}

// releaseScript deletes a key that holds a value.
//
// KEYS: the key. ARGV: the value.
var releaseScript = redis.NewScript(`
if redis.call('GET', KEYS[1]) == ARGV[1] then
	return redis.call('DEL', KEYS[1])
end
return 0
`)

// release deletes key if it still holds value, and reports whether Redis
// answered.
func (s *RedisStore) release(ctx context.Context, key, value string) bool {
	ctx, cancel := context.WithTimeout(ctx, releaseTimeout)
	defer cancel()
	return releaseScript.Run(ctx, s.rdb, []string{key}, value).Err() == nil
}

// randomHex returns n random bytes in hex.
func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// redisKV is one job's kv hash.
type redisKV struct {
	rdb    *redis.Client
	key    string
	health *writeHealth
}

func (kv redisKV) Get(ctx context.Context, key string) (string, bool, error) {
	v, err := kv.rdb.HGet(ctx, kv.key, key).Result()
	if errors.Is(err, redis.Nil) {
		return "", false, nil
	}
	return v, err == nil, err
}

func (kv redisKV) Set(ctx context.Context, key, value string) error {
	if key == "" {
		return errors.New("kv: empty key")
	}
	return kv.health.note(kv.rdb.HSet(ctx, kv.key, key, value).Err())
}

func (kv redisKV) Delete(ctx context.Context, key string) error {
	if key == "" {
		return nil
	}
	return kv.health.note(kv.rdb.HDel(ctx, kv.key, key).Err())
}

// Crash stops the store as a killed process would (kill -9, power loss): its
// heartbeat and lock renewals stop, and its keys are left to expire, so that
// the other instances see it die. Tests of instances dying use it; a process
// that stops calls Close.
func (s *RedisStore) Crash() {
	s.closeOnce.Do(func() {
		close(s.closed)
		s.renewals.Wait()
		s.rdb.Close()
	})
}
