package state

import (
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"go.etcd.io/bbolt"
)

// The writes that come while a transaction is written share the next one;
// a write that fails fails alone, with its own error, and the others are
// written.
func TestBoltGroupCommit(t *testing.T) {
	s := openTestStore(t, BoltOptions{})
	var (
		mu  sync.Mutex
		txs = map[string]int{} // key written to the ID of the transaction that committed it
	)
	put := func(key string) func(tx *bbolt.Tx) error {
		return func(tx *bbolt.Tx) error {
			mu.Lock()
			txs[key] = tx.ID()
			mu.Unlock()
			return tx.Bucket(bucketKV).Put([]byte(key), []byte("v"))
		}
	}
	groupLen := func() (queued int, running bool) {
		s.group.mu.Lock()
		defer s.group.mu.Unlock()
		return len(s.group.calls), s.group.running
	}

	// A transaction holds the file while the writes come.
	hold, held := make(chan struct{}), make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		s.db.Update(func(*bbolt.Tx) error {
			close(held)
			<-hold
			return nil
		})
	})
	<-held
	// The first write starts a transaction, which waits for the file.
	wg.Go(func() {
		if err := s.batch(put("first")); err != nil {
			t.Error(err)
		}
	})
	waitFor(t, time.Minute, "the first write's transaction", func() bool { n, running := groupLen(); return n == 0 && running })
	// The next ones wait for the next transaction.
	const n = 20
	refused := errors.New("refused")
	errs := make([]error, n)
	for i := range n {
		wg.Go(func() {
			fn := put(fmt.Sprintf("k%02d", i))
			if i == 7 {
				fn = func(*bbolt.Tx) error { return refused }
			}
			errs[i] = s.batch(fn)
		})
	}
	waitFor(t, time.Minute, "the writes to wait", func() bool { q, _ := groupLen(); return q == n })
	close(hold)
	wg.Wait()

	for i, err := range errs {
		if want := error(nil); i == 7 {
			if !errors.Is(err, refused) {
				t.Errorf("write %d = %v, want its own error %v", i, err, refused)
			}
		} else if err != want {
			t.Errorf("write %d = %v", i, err)
		}
	}
	shared := txs["k00"]
	for i := range n {
		key := fmt.Sprintf("k%02d", i)
		var v []byte
		s.db.View(func(tx *bbolt.Tx) error { v = tx.Bucket(bucketKV).Get([]byte(key)); return nil })
		if i == 7 {
			if v != nil {
				t.Errorf("the failed write's key %s is in the file", key)
			}
			continue
		}
		if v == nil {
			t.Errorf("%s is not in the file", key)
		}
		if txs[key] != shared {
			t.Errorf("%s was written by transaction %d, k00 by %d: want one transaction", key, txs[key], shared)
		}
	}
	if txs["first"] == shared {
		t.Errorf("the first write and the next ones shared transaction %d", shared)
	}
	if q, running := groupLen(); q != 0 {
		t.Errorf("%d writes left waiting (running %v)", q, running)
	}
}
