package state

import (
	"encoding/binary"
	"fmt"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"go.etcd.io/bbolt"
)

// seenFile returns the keys of bucketSeen with their expiry, after checking
// that bucketSeenBy holds exactly one entry for each, with that expiry.
func seenFile(t testing.TB, db *bbolt.DB) map[string]int64 {
	t.Helper()
	keys := map[string]int64{}
	err := db.View(func(tx *bbolt.Tx) error {
		tx.Bucket(bucketSeen).ForEach(func(k, v []byte) error {
			keys[string(k)] = int64(binary.BigEndian.Uint64(v))
			return nil
		})
		n := 0
		err := tx.Bucket(bucketSeenBy).ForEach(func(k, _ []byte) error {
			n++
			if exp, ok := keys[string(k[8:])]; !ok || exp != int64(binary.BigEndian.Uint64(k[:8])) {
				return fmt.Errorf("index entry %q (expiry %d): the key holds %d, %v", k[8:], binary.BigEndian.Uint64(k[:8]), exp, ok)
			}
			return nil
		})
		if err == nil && n != len(keys) {
			err = fmt.Errorf("%d index entries for %d keys", n, len(keys))
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return keys
}

// putSeenKeys records n keys named prefix0.. until exp, in order, 10,000
// a transaction.
func putSeenKeys(t testing.TB, db *bbolt.DB, prefix string, n int, exp int64) {
	t.Helper()
	for from := 0; from < n; from += 10000 {
		err := db.Update(func(tx *bbolt.Tx) error {
			for i := from; i < min(from+10000, n); i++ {
				if err := putSeen(tx, fmt.Sprintf("%s%d", prefix, i), exp); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
}

// TestBoltSeenPrune: pruning drops the expired keys (more than a chunk of
// them) from both buckets and keeps the live ones, including a key seen
// again after it expired.
func TestBoltSeenPrune(t *testing.T) {
	s := openTestStore(t, BoltOptions{})
	now := time.Now().UnixNano()
	putSeenKeys(t, s.db, "old", seenPruneChunk+500, now-int64(time.Minute))
	putSeenKeys(t, s.db, "live", 300, now+int64(time.Hour))
	putSeenKeys(t, s.db, "old", 1, now+int64(time.Hour)) // old0, seen again
	if got := len(seenFile(t, s.db)); got != seenPruneChunk+800 {
		t.Fatalf("%d keys before pruning, want %d", got, seenPruneChunk+800)
	}
	s.pruneSeenFile(now)
	keys := seenFile(t, s.db)
	if len(keys) != 301 {
		t.Errorf("%d keys after pruning, want 301", len(keys))
	}
	for _, key := range []string{"old0", "live0", "live299"} {
		if keys[key] != now+int64(time.Hour) {
			t.Errorf("live key %s: expiry %d, want %d", key, keys[key], now+int64(time.Hour))
		}
	}
	if _, ok := keys["old1"]; ok {
		t.Error("expired key old1 kept")
	}
	s.pruneSeenFile(now + int64(2*time.Hour))
	if keys := seenFile(t, s.db); len(keys) != 0 {
		t.Errorf("%d keys left after all expired", len(keys))
	}
}

// TestBoltSeenIndexesOldFile: a file whose seen keys have no index (written
// by an earlier version) gets one at its first writable open, which drops
// the expired keys; its live keys still deduplicate, and are pruned once
// they expire.
func TestBoltSeenIndexesOldFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.db")
	db, err := bbolt.Open(path, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now().UnixNano()
	err = db.Update(func(tx *bbolt.Tx) error {
		b, err := tx.CreateBucket(bucketSeen)
		if err != nil {
			return err
		}
		for key, exp := range map[string]int64{"live": now + int64(time.Hour), "old": now - 1, "bad": -1} {
			if err := b.Put([]byte(key), binary.BigEndian.AppendUint64(nil, uint64(exp))); err != nil {
				return err
			}
		}
		return b.Put([]byte("short"), []byte{1})
	})
	db.Close()
	if err != nil {
		t.Fatal(err)
	}
	s, err := OpenBolt(path, BoltOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	keys := seenFile(t, s.db)
	if len(keys) != 1 || keys["live"] != now+int64(time.Hour) {
		t.Errorf("after the first open, the file holds %v, want live only", keys)
	}
	if first, err := s.FirstSeen(t.Context(), "live", time.Hour); first || err != nil {
		t.Errorf("FirstSeen(live) = %v, %v, want false", first, err)
	}
	s.pruneSeenFile(now + int64(2*time.Hour))
	if keys := seenFile(t, s.db); len(keys) != 0 {
		t.Errorf("after live expired, the file holds %v", keys)
	}
}

// TestBoltSeenFirstSeenIndexed: the keys FirstSeen and AcceptEvent write
// have their index entries.
func TestBoltSeenFirstSeenIndexed(t *testing.T) {
	s := openTestStore(t, BoltOptions{})
	if first, err := s.FirstSeen(t.Context(), "a", time.Hour); !first || err != nil {
		t.Fatalf("FirstSeen = %v, %v", first, err)
	}
	if first, err := s.AcceptEvent(t.Context(), "b", time.Hour, pendingEvents("b", "welcome"), 10); !first || err != nil {
		t.Fatalf("AcceptEvent = %v, %v", first, err)
	}
	s.closeSeen() // writes FirstSeen's key
	if keys := seenFile(t, s.db); len(keys) != 2 {
		t.Errorf("the file holds %v, want a and b", keys)
	}
}

// TestBoltSeenMemory: memory holds the keys not yet written only; the
// written ones are still seen, from the file.
func TestBoltSeenMemory(t *testing.T) {
	s := openTestStore(t, BoltOptions{})
	ctx := t.Context()
	for i := range 100 {
		if first, err := s.FirstSeen(ctx, fmt.Sprint("f", i), time.Hour); !first || err != nil {
			t.Fatalf("FirstSeen = %v, %v", first, err)
		}
		if first, err := s.AcceptEvent(ctx, fmt.Sprint("a", i), time.Hour, pendingEvents(fmt.Sprint("a", i), "welcome"), 1000); !first || err != nil {
			t.Fatalf("AcceptEvent = %v, %v", first, err)
		}
	}
	s.closeSeen() // the writer's last flush: a flush of the test's own could return while the writer's is under way
	s.seen.mu.Lock()
	held := len(s.seen.mem)
	s.seen.mu.Unlock()
	if held != 0 {
		t.Errorf("memory holds %d keys once all are written", held)
	}
	if keys := seenFile(t, s.db); len(keys) != 200 {
		t.Errorf("the file holds %d keys, want 200", len(keys))
	}
	for _, key := range []string{"f0", "f99", "a0", "a99"} {
		if first, err := s.FirstSeen(ctx, key, time.Hour); first || err != nil {
			t.Errorf("FirstSeen(%s) = %v, %v, want false", key, first, err)
		}
		if first, err := s.AcceptEvent(ctx, key, time.Hour, pendingEvents(key, "welcome"), 1000); first || err != nil {
			t.Errorf("AcceptEvent(%s) = %v, %v, want false", key, first, err)
		}
	}
}

// TestBoltSeenConcurrent: of the goroutines that record the same keys at
// once, by FirstSeen and AcceptEvent, while the keys move from memory to
// the file, one only finds each key first.
func TestBoltSeenConcurrent(t *testing.T) {
	s := openTestStore(t, BoltOptions{})
	const keys, workers = 200, 6
	var firsts [keys]atomic.Int32
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for i := range keys {
				key := fmt.Sprint("k", i)
				var first bool
				var err error
				if (i+w)%2 == 0 {
					first, err = s.FirstSeen(t.Context(), key, time.Hour)
				} else {
					first, err = s.AcceptEvent(t.Context(), key, time.Hour, pendingEvents(key, "welcome"), 100000)
				}
				if err != nil {
					t.Error(err)
					return
				}
				if first {
					firsts[i].Add(1)
				}
			}
		})
	}
	wg.Wait()
	for i := range keys {
		if n := firsts[i].Load(); n != 1 {
			t.Errorf("key k%d found first %d times", i, n)
		}
	}
}

// BenchmarkBoltSeenPrune drops 1,000 expired deduplication keys from a file
// that holds 200,000 (or 2,000,000) live ones, as the minutely pruning of a
// busy serve does: its cost follows the expired keys, not the live ones
// (about 2 ms/op for either on a loaded 2-core machine, where a scan of the
// whole bucket took 3.4 and 30 ms/op).
func BenchmarkBoltSeenPrune(b *testing.B) {
	for _, live := range []int{200000, 2000000} {
		b.Run(fmt.Sprintf("live=%d", live), func(b *testing.B) {
			s, err := OpenBolt(filepath.Join(b.TempDir(), "state.db"), BoltOptions{})
			if err != nil {
				b.Fatal(err)
			}
			defer s.Close()
			s.db.NoSync = true // the cost of the transaction, not of the disk
			now := time.Now().UnixNano()
			putSeenKeys(b, s.db, "live", live, now+int64(time.Hour))
			for b.Loop() {
				b.StopTimer()
				putSeenKeys(b, s.db, "old", 1000, now-int64(time.Minute))
				b.StartTimer()
				s.pruneSeenFile(now)
			}
			if keys := seenFile(b, s.db); len(keys) != live {
				b.Fatalf("%d keys left, want %d", len(keys), live)
			}
		})
	}
}
