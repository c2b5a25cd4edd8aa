package state

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"time"

	"go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"

	"github.com/wecomrunner/runner/bindings"
	"github.com/wecomrunner/runner/wecom"
)

// BoltOptions configure OpenBolt.
type BoltOptions struct {
	// History is how many runs are kept per job; DefaultHistory when 0.
	History int
	// Timeout is how long to wait for another process to release the file;
	// 1s when 0.
	Timeout time.Duration
	// ReadOnly opens an existing file for reading only, as listings do;
	// several read-only opens may share the file.
	ReadOnly bool
	// Logger receives the runs marked interrupted at open; nil discards.
	Logger *slog.Logger
}

// BoltStore is the embedded Store: one bbolt file, used by one process at a
// time (the file is locked while open). Claims and running locks are held in
// memory, since no other process can use the file meanwhile.
type BoltStore struct {
	db       *bbolt.DB
	path     string
	history  int
	instance string
	session  string // instance/token of this opening
	readOnly bool

	mu     sync.Mutex
	claims map[string]claim  // "job\x00scheduled" to its claim
	locks  map[string]bool   // jobs whose running lock is held
	pruned time.Time         // when expired claims were last dropped
	cancel map[string]string // "job\x00id" of runs asked to stop, to who asked
	served bool              // Advertise wrote the service file

	orphans bool // pending events of an earlier process may be in the file

	seen   seenKeys    // FirstSeen's keys
	group  groupCommit // the writes that share transactions
	health writeHealth
}

type claim struct {
	holder  string
	expires time.Time
}

// The buckets of the file.
var (
	bucketMeta    = []byte("meta")    // "owner": the process that has the file open; "probe": the last Health; "pending": how many pending events
	bucketTokens  = []byte("tokens")  // token key: JSON wecom.Token
	bucketRuns    = []byte("runs")    // job / run id: JSON RunRecord
	bucketLogs    = []byte("logs")    // job / run id / sequence: log line
	bucketRunning = []byte("running") // "job\x00id" of runs not finished
	bucketLast    = []byte("last")    // job: last scheduled instant (RFC 3339, UTC)
	bucketKV      = []byte("kv")      // job / key: value
	bucketSeen    = []byte("seen")    // deduplication key: expiry (Unix ns, big-endian); ordered by expiry in bucketSeenBy
	bucketPaused  = []byte("paused")  // job: JSON Pause
	bucketKept    = []byte("kept")    // key of Remember: expiry (Unix ns, big-endian), then the value
	bucketPending = []byte("pending") // sequence (big-endian): JSON pendingRecord, oldest first
	bucketPendRun = []byte("pendrun") // "job\x00id" of a pending event: its sequence
)

// owner is the process that has the file open, recorded at open.
type owner struct {
	Instance string    `json:"instance"`
	PID      int       `json:"pid"`
	Started  time.Time `json:"started"`
}

// OpenBolt opens (or creates, mode 0600 in a 0700 directory) the state file
// at path. Runs that a previous process left running are marked interrupted:
// that process is gone, or it would still hold the file. A file held by
// another process fails with an error saying so after opts.Timeout.
//
// Each job keeps its last opts.History runs: a new run drops the oldest
// beyond them, and a writable open drops those beyond a history lowered
// since the file was last open. bbolt reuses the pages of what is dropped,
// so the file stays near the size of what it holds; but it never shrinks by
// itself, so a writable open whose file is mostly free pages (after a
// lowered history, or jobs with long logs that are gone) compacts it.
func OpenBolt(path string, opts BoltOptions) (*BoltStore, error) {
	if opts.History <= 0 {
		opts.History = DefaultHistory
	}
	if opts.Timeout <= 0 {
		opts.Timeout = time.Second
	}
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if !opts.ReadOnly {
		if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
			return nil, fmt.Errorf("state: %w", err)
		}
	}
	db, err := openBoltFile(path, opts)
	if err != nil {
		return nil, err
	}
	instance := instanceName()
	s := &BoltStore{
		db:       db,
		path:     path,
		history:  opts.History,
		instance: instance,
		session:  instance + "/" + randomHex(4),
		readOnly: opts.ReadOnly,
		claims:   make(map[string]claim),
		locks:    make(map[string]bool),
		cancel:   make(map[string]string),
	}
	if opts.ReadOnly {
		return s, nil
	}
	if err := db.Update(func(tx *bbolt.Tx) error { return s.init(tx, log) }); err != nil {
		db.Close()
		return nil, fmt.Errorf("state file %s: %w", path, err)
	}
	if err := s.compact(opts, log); err != nil {
		return nil, fmt.Errorf("state file %s: compacting: %w", path, err)
	}
	return s, nil
}

// openBoltFile opens the bbolt file at path.
func openBoltFile(path string, opts BoltOptions) (*bbolt.DB, error) {
	db, err := bbolt.Open(path, 0o600, &bbolt.Options{Timeout: opts.Timeout, ReadOnly: opts.ReadOnly})
	if errors.Is(err, berrors.ErrTimeout) {
		return nil, fmt.Errorf("state file %s is locked by another runner (is runner serve running?): %w", path, ErrLocked)
	}
	if err != nil {
		return nil, fmt.Errorf("state file %s: %w", path, err)
	}
	return db, nil
}

// compactMinSize is the smallest state file compact rewrites.
const compactMinSize = 4 << 20

// compact rewrites the open file when more than half of it, and at least
// compactMinSize, is free pages: into a new file beside it, which then
// replaces it and is opened in its place.
func (s *BoltStore) compact(opts BoltOptions, log *slog.Logger) error {
	st, err := os.Stat(s.path)
	if err != nil {
		return err
	}
	stats := s.db.Stats()
	free := int64(stats.FreePageN+stats.PendingPageN) * int64(s.db.Info().PageSize)
	if free < compactMinSize || 2*free < st.Size() {
		return nil
	}
	tmp := s.path + ".compact"
	os.Remove(tmp) // left by a compaction that was cut short
	dst, err := bbolt.Open(tmp, 0o600, &bbolt.Options{Timeout: opts.Timeout})
	if err != nil {
		return err
	}
	if err := bbolt.Compact(dst, s.db, 64<<20); err != nil {
		dst.Close()
		os.Remove(tmp)
		return err
	}
	if err := dst.Close(); err != nil {
		os.Remove(tmp)
		return err
	}
	// The compacted file takes the place of the old one, which this process
	// keeps locked until it has locked the new one. (A process that began
	// waiting for the old one's lock meanwhile gets the old, unlinked file,
	// as a second runner started at the same instant would have waited and
	// failed anyway.)
	if err := os.Rename(tmp, s.path); err != nil {
		os.Remove(tmp)
		return err
	}
	db, err := openBoltFile(s.path, opts)
	s.db.Close()
	s.db = db
	if err != nil {
		return err
	}
	after, err := os.Stat(s.path)
	if err == nil {
		log.Info("state file compacted", "path", s.path, "before", st.Size(), "after", after.Size())
	}
	return nil
}

// init creates the buckets, records this process as the owner, marks the
// runs a previous owner left running as interrupted, and drops the runs
// beyond the history.
func (s *BoltStore) init(tx *bbolt.Tx, log *slog.Logger) error {
	for _, name := range [][]byte{bucketMeta, bucketTokens, bucketRuns, bucketLogs, bucketRunning, bucketLast, bucketKV, bucketSeen, bucketSeenBy, bucketPaused, bucketKept, bucketPending, bucketPendRun} {
		if _, err := tx.CreateBucketIfNotExists(name); err != nil {
			return err
		}
	}
	if err := indexSeen(tx, time.Now().UnixNano()); err != nil {
		return err
	}
	if k, _ := tx.Bucket(bucketPending).Cursor().First(); k != nil {
		s.orphans = true // left by an earlier process: no other has the file
	}
	me, _ := json.Marshal(owner{Instance: s.instance, PID: os.Getpid(), Started: time.Now().UTC()})
	if err := tx.Bucket(bucketMeta).Put([]byte("owner"), me); err != nil {
		return err
	}

	running := tx.Bucket(bucketRunning)
	var keys [][]byte
	running.ForEach(func(k, _ []byte) error {
		keys = append(keys, bytes.Clone(k))
		return nil
	})
	for _, k := range keys {
		job, id, _ := splitKey(k)
		if err := running.Delete(k); err != nil {
			return err
		}
		runs := tx.Bucket(bucketRuns).Bucket([]byte(job))
		if runs == nil {
			continue
		}
		v := runs.Get([]byte(id))
		var r RunRecord
		if v == nil || json.Unmarshal(v, &r) != nil || r.Result != ResultRunning {
			continue
		}
		interrupted(&r)
		b, _ := json.Marshal(r)
		if err := runs.Put([]byte(id), b); err != nil {
			return err
		}
		log.Warn("run marked interrupted", "job", r.Job, "run", r.ID, "instance", r.Instance)
	}
	// A history lowered since the last open: drop each job's runs beyond it.
	var jobs [][]byte
	tx.Bucket(bucketRuns).ForEachBucket(func(k []byte) error {
		jobs = append(jobs, bytes.Clone(k))
		return nil
	})
	for _, job := range jobs {
		if err := s.trim(tx, tx.Bucket(bucketRuns).Bucket(job), job); err != nil {
			return err
		}
	}
	return nil
}

// interrupted marks a run that its process left running.
func interrupted(r *RunRecord) {
	r.Result = ResultInterrupted
	r.Error = fmt.Sprintf("the runner (%s) stopped during the run", r.Instance)
}

// Instance names this process: "host:pid".
func (s *BoltStore) Instance() string { return s.instance }

// Close closes the file, and removes the service file that Advertise wrote.
func (s *BoltStore) Close() error {
	s.mu.Lock()
	served := s.served
	s.served = false
	s.mu.Unlock()
	if served {
		os.Remove(ServiceFile(s.path))
	}
	s.closeSeen()
	return s.db.Close()
}

// LoadToken returns a cached token.
func (s *BoltStore) LoadToken(ctx context.Context, key string) (t wecom.Token, ok bool, err error) {
	err = s.db.View(func(tx *bbolt.Tx) error {
		v := boltGet(tx, []byte(key), bucketTokens)
		if v == nil {
			return nil
		}
		ok = true
		return json.Unmarshal(v, &t)
	})
	return t, ok && err == nil, err
}

// StoreToken caches a token.
func (s *BoltStore) StoreToken(ctx context.Context, key string, t wecom.Token) error {
	v, err := json.Marshal(t)
	if err != nil {
		return err
	}
	return s.health.note(s.db.Update(func(tx *bbolt.Tx) error {
		return tx.Bucket(bucketTokens).Put([]byte(key), v)
	}))
}

// PutRun records a run, dropping the job's oldest runs beyond the history
// limit, and deletes the run's pending event.
func (s *BoltStore) PutRun(ctx context.Context, r RunRecord) error {
	v, err := json.Marshal(r)
	if err != nil {
		return err
	}
	job, id := []byte(r.Job), []byte(r.ID)
	return s.health.note(s.batch(func(tx *bbolt.Tx) error {
		runs, err := tx.Bucket(bucketRuns).CreateBucketIfNotExists(job)
		if err != nil {
			return err
		}
		isNew := runs.Get(id) == nil
		if err := runs.Put(id, v); err != nil {
			return err
		}
		running := tx.Bucket(bucketRunning)
		if r.Result == ResultRunning {
			err = running.Put(joinKey(r.Job, r.ID), nil)
		} else {
			err = running.Delete(joinKey(r.Job, r.ID))
		}
		if err != nil {
			return err
		}
		if err := dropPending(tx, r.Job, r.ID); err != nil || !isNew {
			return err
		}
		return s.trim(tx, runs, job)
	}))
}

// trim drops the oldest runs of a job beyond the history limit, with their
// logs.
func (s *BoltStore) trim(tx *bbolt.Tx, runs *bbolt.Bucket, job []byte) error {
	var ids [][]byte // oldest first
	c := runs.Cursor()
	for k, _ := c.First(); k != nil; k, _ = c.Next() {
		ids = append(ids, k)
	}
	if len(ids) <= s.history {
		return nil
	}
	old := ids[:len(ids)-s.history]
	logs := tx.Bucket(bucketLogs).Bucket(job)
	for _, id := range old {
		if err := runs.Delete(id); err != nil {
			return err
		}
		if err := tx.Bucket(bucketRunning).Delete(joinKey(string(job), string(id))); err != nil {
			return err
		}
		if logs != nil && logs.Bucket(id) != nil {
			if err := logs.DeleteBucket(id); err != nil {
				return err
			}
		}
	}
	return nil
}

// Runs returns a job's runs, newest first.
func (s *BoltStore) Runs(ctx context.Context, job string, limit int) ([]RunRecord, error) {
	var out []RunRecord
	err := s.db.View(func(tx *bbolt.Tx) error {
		runs := boltBucket(tx, bucketRuns, []byte(job))
		if runs == nil {
			return nil
		}
		c := runs.Cursor()
		for k, v := c.Last(); k != nil && (limit <= 0 || len(out) < limit); k, v = c.Prev() {
			var r RunRecord
			if err := json.Unmarshal(v, &r); err != nil {
				return fmt.Errorf("run %s of job %s: %w", k, job, err)
			}
			out = append(out, s.current(r))
		}
		return nil
	})
	return out, err
}

// current returns r as the next writable open will record it: a read-only
// open holds the file's shared lock, so no runner has it open for writing and
// a run still marked running was left by a process that died.
func (s *BoltStore) current(r RunRecord) RunRecord {
	if s.readOnly && r.Result == ResultRunning {
		interrupted(&r)
	}
	return r
}

// Run returns one run of a job.
func (s *BoltStore) Run(ctx context.Context, job, id string) (RunRecord, error) {
	var r RunRecord
	err := s.db.View(func(tx *bbolt.Tx) error {
		v := boltGet(tx, []byte(id), bucketRuns, []byte(job))
		if v == nil {
			return fmt.Errorf("run %s of job %s: %w", id, job, ErrNotFound)
		}
		return json.Unmarshal(v, &r)
	})
	return s.current(r), err
}

// AppendLog adds lines to a run's log.
func (s *BoltStore) AppendLog(ctx context.Context, job, id string, lines []string) error {
	if len(lines) == 0 {
		return nil
	}
	return s.health.note(s.batch(func(tx *bbolt.Tx) error {
		jobs, err := tx.Bucket(bucketLogs).CreateBucketIfNotExists([]byte(job))
		if err != nil {
			return err
		}
		log, err := jobs.CreateBucketIfNotExists([]byte(id))
		if err != nil {
			return err
		}
		log.FillPercent = 1 // the keys only grow: full pages take half the space
		for _, line := range lines {
			seq, err := log.NextSequence()
			if err != nil {
				return err
			}
			if err := log.Put(binary.BigEndian.AppendUint64(nil, seq), []byte(line)); err != nil {
				return err
			}
		}
		return nil
	}))
}

// Log returns lines of a run's log. Line i is stored under the sequence
// number i+1, so a page starts with a seek.
func (s *BoltStore) Log(ctx context.Context, job, id string, from, n int) (lines []string, total int, err error) {
	err = s.db.View(func(tx *bbolt.Tx) error {
		log := boltBucket(tx, bucketLogs, []byte(job), []byte(id))
		if log == nil {
			return nil
		}
		total = int(log.Sequence())
		c := log.Cursor()
		for k, v := c.Seek(binary.BigEndian.AppendUint64(nil, uint64(max(from, 0))+1)); k != nil && (n <= 0 || len(lines) < n); k, v = c.Next() {
			lines = append(lines, string(v))
		}
		return nil
	})
	return lines, total, err
}

// Health writes the time to the meta bucket.
func (s *BoltStore) Health(ctx context.Context) error {
	now, _ := time.Now().UTC().MarshalText()
	return s.health.check(s.db.Update(func(tx *bbolt.Tx) error {
		return tx.Bucket(bucketMeta).Put([]byte("probe"), now)
	}))
}

// LastScheduled returns the job's latest recorded firing.
func (s *BoltStore) LastScheduled(ctx context.Context, job string) (time.Time, error) {
	var t time.Time
	err := s.db.View(func(tx *bbolt.Tx) error {
		if v := boltGet(tx, []byte(job), bucketLast); v != nil {
			return t.UnmarshalText(v)
		}
		return nil
	})
	return t, err
}

// SetLastScheduled records a firing, keeping the later of t and the recorded
// time.
func (s *BoltStore) SetLastScheduled(ctx context.Context, job string, t time.Time) error {
	return s.health.note(s.batch(func(tx *bbolt.Tx) error { return setLast(tx, job, t) }))
}

// SetLastScheduledAll records the firings of a tick of the schedule, the
// jobs' with their instants, in one transaction: a thousand jobs due at the
// same minute wait for one write, not for their turns among a thousand.
func (s *BoltStore) SetLastScheduledAll(ctx context.Context, firings map[string]time.Time) error {
	return s.health.note(s.db.Update(func(tx *bbolt.Tx) error {
		for job, t := range firings {
			if err := setLast(tx, job, t); err != nil {
				return err
			}
		}
		return nil
	}))
}

// setLast records a firing of job at t, keeping the later of t and the
// recorded time.
func setLast(tx *bbolt.Tx, job string, t time.Time) error {
	v, err := t.UTC().MarshalText()
	if err != nil {
		return err
	}
	b := tx.Bucket(bucketLast)
	if old := b.Get([]byte(job)); old != nil {
		var prev time.Time
		if prev.UnmarshalText(old) == nil && !t.After(prev) {
			return nil
		}
	}
	return b.Put([]byte(job), v)
}

// KV returns the job's key-value state.
func (s *BoltStore) KV(job string) bindings.KV {
	return boltKV{db: s.db, job: []byte(job), health: &s.health}
}

// Claim takes a firing for this process. The file has one user at a time, so
// the claim only guards against the same firing being started twice here.
func (s *BoltStore) Claim(ctx context.Context, job string, scheduled time.Time, ttl time.Duration) (bool, string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := time.Now()
	if now.Sub(s.pruned) > time.Minute {
		for k, c := range s.claims {
			if now.After(c.expires) {
				delete(s.claims, k)
			}
		}
		s.pruned = now
	}
	key := job + "\x00" + scheduled.UTC().Format(time.RFC3339Nano)
	if c, ok := s.claims[key]; ok && now.Before(c.expires) {
		return false, c.holder, nil
	}
	s.claims[key] = claim{holder: s.instance, expires: now.Add(ttl)}
	return true, s.instance, nil
}

// LockJob takes the job's running lock in this process.
func (s *BoltStore) LockJob(ctx context.Context, job string, ttl time.Duration) (func(), string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.locks[job] {
		return nil, s.instance, nil
	}
	s.locks[job] = true
	var once sync.Once
	return func() {
		once.Do(func() {
			s.mu.Lock()
			delete(s.locks, job)
			s.mu.Unlock()
		})
	}, s.instance, nil
}

// seenPruneEvery is how often expired deduplication keys are dropped.
const seenPruneEvery = time.Minute

// seenKeys are the deduplication keys of FirstSeen and AcceptEvent. The
// file has one user at a time: a key is looked up in the file, and the keys
// this process recorded but has not written yet are held in memory (only
// those, so memory does not grow with the window). FirstSeen's are written
// to the file in the background (write-behind), so that it never waits for
// a disk sync; AcceptEvent's are written with its pending events, in the
// transaction it waits for.
type seenKeys struct {
	mu      sync.Mutex
	mem     map[string]int64 // key to expiry (Unix ns), until written
	pending map[string]int64 // FirstSeen's, to be written
	written uint64           // counts the times keys left mem for the file
	kick    chan struct{}
	quit    chan struct{}
	done    chan struct{}
	pruned  time.Time
}

// FirstSeen records key until ttl has passed and reports whether it was not
// recorded: in this process, or in the file by an earlier one.
func (s *BoltStore) FirstSeen(ctx context.Context, key string, ttl time.Duration) (bool, error) {
	first, exp, err := s.markSeen(key, ttl)
	if err != nil || !first {
		return false, err
	}
	k := &s.seen
	k.mu.Lock()
	k.pending[key] = exp
	k.mu.Unlock()
	k.wake()
	return true, nil
}

// wake has the writer write the pending keys, and drop the expired ones from
// memory when it is time.
func (k *seenKeys) wake() {
	select {
	case k.kick <- struct{}{}:
	default:
	}
}

// markSeen decides in memory whether key was recorded, by this process or
// in the file by an earlier one, and records it in memory until ttl has
// passed when it was not. It reports whether it was not, and the expiry
// (Unix ns) it recorded; the caller writes the key to the file.
func (s *BoltStore) markSeen(key string, ttl time.Duration) (bool, int64, error) {
	now := time.Now().UnixNano()
	k := &s.seen
	k.mu.Lock()
	exp, ok := k.mem[key]
	written := k.written
	k.mu.Unlock()
	if ok && exp > now {
		return false, 0, nil
	}
	inFile, err := s.seenInFile(key)
	if err != nil {
		return false, 0, err
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.mem == nil {
		k.mem, k.pending = map[string]int64{}, map[string]int64{}
		k.kick, k.quit, k.done = make(chan struct{}, 1), make(chan struct{}), make(chan struct{})
		go s.writeSeen(k.kick, k.quit, k.done)
	}
	if k.written != written {
		// Keys left memory for the file since it was read: read it again,
		// holding the lock so that none leaves meanwhile.
		if inFile, err = s.seenInFile(key); err != nil {
			return false, 0, err
		}
	}
	if inFile > now {
		return false, 0, nil
	}
	if exp, ok := k.mem[key]; ok && exp > now {
		return false, 0, nil // recorded meanwhile
	}
	k.mem[key] = now + int64(ttl)
	return true, now + int64(ttl), nil
}

// seenInFile returns the expiry (Unix ns) that the file holds for key, or 0.
func (s *BoltStore) seenInFile(key string) (exp int64, err error) {
	err = s.db.View(func(tx *bbolt.Tx) error {
		if v := boltGet(tx, []byte(key), bucketSeen); len(v) == 8 {
			exp = int64(binary.BigEndian.Uint64(v))
		}
		return nil
	})
	return exp, err
}

// wrote forgets the keys (to their expiry) that are now in the file.
func (k *seenKeys) wrote(keys map[string]int64) {
	k.mu.Lock()
	defer k.mu.Unlock()
	for key, exp := range keys {
		if k.mem[key] == exp {
			delete(k.mem, key)
		}
	}
	k.written++
}

// unsee forgets a key that markSeen recorded with expiry exp, whose write
// failed.
func (s *BoltStore) unsee(key string, exp int64) {
	k := &s.seen
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.mem[key] == exp {
		delete(k.mem, key)
	}
}

// writeSeen writes the recorded keys to the file as they come, drops the
// expired ones now and then, and writes what is left when the store closes.
func (s *BoltStore) writeSeen(kick, quit <-chan struct{}, done chan<- struct{}) {
	defer close(done)
	for {
		select {
		case <-kick:
		case <-quit:
			s.flushSeen()
			return
		}
		s.flushSeen()
	}
}

// flushSeen writes the pending keys in one transaction, and forgets them in
// memory, and once a minute drops the expired keys from the file (in
// transactions of their own). A failed write is tried again with the next keys.
func (s *BoltStore) flushSeen() {
	k := &s.seen
	now := time.Now()
	k.mu.Lock()
	pending := k.pending
	k.pending = map[string]int64{}
	prune := now.Sub(k.pruned) > seenPruneEvery
	if prune {
		k.pruned = now
	}
	k.mu.Unlock()
	if len(pending) == 0 && !prune {
		return
	}
	var err error
	if len(pending) > 0 {
		err = s.db.Update(func(tx *bbolt.Tx) error {
			for key, exp := range pending {
				if err := putSeen(tx, key, exp); err != nil {
					return err
				}
			}
			return nil
		})
	}
	if err != nil {
		k.mu.Lock()
		for key, exp := range pending {
			if _, again := k.pending[key]; !again {
				k.pending[key] = exp
			}
		}
		k.mu.Unlock()
	} else if len(pending) > 0 {
		k.wrote(pending)
	}
	if prune {
		s.pruneSeenFile(now.UnixNano())
	}
}

// pruneSeenFile drops the keys of the file that expired by now (Unix ns), a
// chunk of seenPruneChunk per transaction, so that the other writes take
// turns with it. A failed chunk leaves the rest to the next pruning.
func (s *BoltStore) pruneSeenFile(now int64) {
	var due bool
	s.db.View(func(tx *bbolt.Tx) error {
		k, _ := tx.Bucket(bucketSeenBy).Cursor().First()
		due = k != nil && (len(k) < 8 || int64(binary.BigEndian.Uint64(k)) <= now)
		return nil
	})
	for due {
		var n int
		err := s.db.Update(func(tx *bbolt.Tx) (err error) {
			n, err = pruneSeen(tx, now, seenPruneChunk)
			return err
		})
		due = err == nil && n == seenPruneChunk
	}
}

// closeSeen writes the keys not yet written and stops the writer.
func (s *BoltStore) closeSeen() {
	k := &s.seen
	k.mu.Lock()
	quit, done := k.quit, k.done
	k.quit = nil
	k.mu.Unlock()
	if quit != nil {
		close(quit)
		<-done
	}
}

// SetPause pauses or resumes a job.
// Remember records value under key for ttl unless the key holds a value
// that has not expired, and returns the value the key holds. The expired
// keys are dropped as it goes: there are few (a key per request).
func (s *BoltStore) Remember(ctx context.Context, key, value string, ttl time.Duration) (string, error) {
	held := value
	err := s.db.Update(func(tx *bbolt.Tx) error {
		b, err := tx.CreateBucketIfNotExists(bucketKept)
		if err != nil {
			return err
		}
		now := time.Now().UnixNano()
		if v := b.Get([]byte(key)); len(v) >= 8 && int64(binary.BigEndian.Uint64(v)) > now {
			held = string(v[8:])
			return nil
		}
		var expired [][]byte
		b.ForEach(func(k, v []byte) error {
			if len(v) < 8 || int64(binary.BigEndian.Uint64(v)) <= now {
				expired = append(expired, k)
			}
			return nil
		})
		for _, k := range expired {
			if err := b.Delete(k); err != nil {
				return err
			}
		}
		v := binary.BigEndian.AppendUint64(nil, uint64(now+int64(ttl)))
		return b.Put([]byte(key), append(v, value...))
	})
	return held, s.health.note(err)
}

// Forget deletes key if it holds value.
func (s *BoltStore) Forget(ctx context.Context, key, value string) error {
	return s.health.note(s.db.Update(func(tx *bbolt.Tx) error {
		b := tx.Bucket(bucketKept)
		if v := boltGet(tx, []byte(key), bucketKept); b != nil && len(v) >= 8 && string(v[8:]) == value {
			return b.Delete([]byte(key))
		}
		return nil
	}))
}

// Replace sets key to value for ttl if it holds old, unexpired.
func (s *BoltStore) Replace(ctx context.Context, key, old, value string, ttl time.Duration) (bool, error) {
	replaced := false
	err := s.db.Update(func(tx *bbolt.Tx) error {
		b := tx.Bucket(bucketKept)
		if b == nil {
			return nil
		}
		now := time.Now().UnixNano()
		if v := b.Get([]byte(key)); len(v) < 8 || int64(binary.BigEndian.Uint64(v)) <= now || string(v[8:]) != old {
			return nil
		}
		replaced = true
		v := binary.BigEndian.AppendUint64(nil, uint64(now+int64(ttl)))
		return b.Put([]byte(key), append(v, value...))
	})
	return replaced && err == nil, s.health.note(err)
}

// Session is the instance and a token drawn when the store opened.
func (s *BoltStore) Session() string { return s.session }

// SessionAlive reports whether session is this store's: the file is locked
// by the process that has it open, so every other session has ended.
func (s *BoltStore) SessionAlive(ctx context.Context, session string) (bool, error) {
	return session == s.session, nil
}

func (s *BoltStore) SetPause(ctx context.Context, job string, p *Pause) error {
	return s.db.Update(func(tx *bbolt.Tx) error {
		b := tx.Bucket(bucketPaused)
		if p == nil {
			return b.Delete([]byte(job))
		}
		v, err := json.Marshal(p)
		if err != nil {
			return err
		}
		return b.Put([]byte(job), v)
	})
}

// Pauses returns the paused jobs.
func (s *BoltStore) Pauses(ctx context.Context) (map[string]Pause, error) {
	out := map[string]Pause{}
	err := s.db.View(func(tx *bbolt.Tx) error {
		b := tx.Bucket(bucketPaused)
		if b == nil { // a file written before pauses existed, opened read-only
			return nil
		}
		return b.ForEach(func(k, v []byte) error {
			var p Pause
			if err := json.Unmarshal(v, &p); err != nil {
				return fmt.Errorf("pause of job %s: %w", k, err)
			}
			out[string(k)] = p
			return nil
		})
	})
	return out, err
}

// RequestCancel records that a run should stop. The file has one user at a
// time, so the request is kept in memory, for the scheduler of this process.
func (s *BoltStore) RequestCancel(ctx context.Context, job, id, by string) error {
	s.mu.Lock()
	s.cancel[string(joinKey(job, id))] = by
	s.mu.Unlock()
	return nil
}

// CancelRequested returns who asked to cancel a run.
func (s *BoltStore) CancelRequested(ctx context.Context, job, id string) (string, bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	by, ok := s.cancel[string(joinKey(job, id))]
	return by, ok, nil
}

// Advertise writes the service file next to the state file (mode 0600): the
// state file itself stays locked while this process has it open.
func (s *BoltStore) Advertise(ctx context.Context, svc ServiceInfo) error {
	if err := writeServiceFile(ServiceFile(s.path), svc); err != nil {
		return err
	}
	s.mu.Lock()
	s.served = true
	s.mu.Unlock()
	return nil
}

// boltKV is one job's kv bucket.
type boltKV struct {
	db     *bbolt.DB
	job    []byte
	health *writeHealth
}

func (kv boltKV) Get(ctx context.Context, key string) (value string, ok bool, err error) {
	err = kv.db.View(func(tx *bbolt.Tx) error {
		if v := boltGet(tx, []byte(key), bucketKV, kv.job); v != nil {
			value, ok = string(v), true
		}
		return nil
	})
	return value, ok, err
}

func (kv boltKV) Set(ctx context.Context, key, value string) error {
	if key == "" {
		return errors.New("kv: empty key")
	}
	return kv.health.note(kv.db.Update(func(tx *bbolt.Tx) error {
		b, err := tx.Bucket(bucketKV).CreateBucketIfNotExists(kv.job)
		if err != nil {
			return err
		}
		return b.Put([]byte(key), []byte(value))
	}))
}

func (kv boltKV) Delete(ctx context.Context, key string) error {
	if key == "" {
		return nil
	}
	return kv.health.note(kv.db.Update(func(tx *bbolt.Tx) error {
		if b := tx.Bucket(bucketKV).Bucket(kv.job); b != nil {
			return b.Delete([]byte(key))
		}
		return nil
	}))
}

// boltBucket returns the bucket at a path of nested names, or nil.
func boltBucket(tx *bbolt.Tx, path ...[]byte) *bbolt.Bucket {
	b := tx.Bucket(path[0])
	for _, name := range path[1:] {
		if b == nil {
			return nil
		}
		b = b.Bucket(name)
	}
	return b
}

// boltGet returns the value of key in the bucket at path, or nil.
func boltGet(tx *bbolt.Tx, key []byte, path ...[]byte) []byte {
	if b := boltBucket(tx, path...); b != nil {
		return b.Get(key)
	}
	return nil
}

// joinKey and splitKey build and split "job\x00id".
func joinKey(job, id string) []byte { return []byte(job + "\x00" + id) }

func splitKey(k []byte) (job, id string, ok bool) {
	for i, c := range k {
		if c == 0 {
			return string(k[:i]), string(k[i+1:]), true
		}
	}
	return string(k), "", false
}
