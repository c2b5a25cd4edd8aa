package state

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"go.etcd.io/bbolt"
)

// pendingRecord is a pending event as a store keeps it: with the session of
// the store that holds it, so that a later process of the same name knows it
// is not its own.
type pendingRecord struct {
	PendingEvent
	Owner string `json:"owner"`
}

// pendingCountKey is the meta key of how many pending events the file
// holds (big-endian).
var pendingCountKey = []byte("pending")

func pendingCount(tx *bbolt.Tx) int {
	if v := tx.Bucket(bucketMeta).Get(pendingCountKey); len(v) == 8 {
		return int(binary.BigEndian.Uint64(v))
	}
	return 0
}

func setPendingCount(tx *bbolt.Tx, n int) error {
	return tx.Bucket(bucketMeta).Put(pendingCountKey, binary.BigEndian.AppendUint64(nil, uint64(max(n, 0))))
}

// AcceptEvent records key as seen and the events as pending, in one
// transaction, synced to disk before it returns (concurrent writes share a
// transaction: see batch). The limit counts the pending events of the file:
// one process has it at a time.
func (s *BoltStore) AcceptEvent(ctx context.Context, key string, ttl time.Duration, evs []PendingEvent, limit int) (bool, error) {
	first, exp, err := s.markSeen(key, ttl)
	if err != nil || !first {
		return false, err
	}
	values := make([][]byte, len(evs))
	for i, ev := range evs {
		ev.Instance = s.instance
		if values[i], err = json.Marshal(pendingRecord{PendingEvent: ev, Owner: s.session}); err != nil {
			s.unsee(key, exp)
			return false, err
		}
	}
	err = s.batch(func(tx *bbolt.Tx) error {
		n := pendingCount(tx)
		if n+len(evs) > limit {
			return fmt.Errorf("%d events are pending, events.queue is %d: %w", n, limit, ErrFull)
		}
		if err := putSeen(tx, key, exp); err != nil {
			return err
		}
		pending, runs := tx.Bucket(bucketPending), tx.Bucket(bucketPendRun)
		for i, ev := range evs {
			seq, err := pending.NextSequence()
			if err != nil {
				return err
			}
			k := binary.BigEndian.AppendUint64(nil, seq)
			if err := pending.Put(k, values[i]); err != nil {
				return err
			}
			if err := runs.Put(joinKey(ev.Job, ev.ID), k); err != nil {
				return err
			}
		}
		return setPendingCount(tx, n+len(evs))
	})
	if err != nil {
		s.unsee(key, exp)
		if !errors.Is(err, ErrFull) {
			s.health.note(err)
		}
		return false, err
	}
	s.seen.wrote(map[string]int64{key: exp})
	s.seen.wake() // drops expired keys from the file now and then
	return true, nil
}

// TakePending takes the pending events that an earlier process left in the
// file. Once it has taken them all, it reads the file no more.
func (s *BoltStore) TakePending(ctx context.Context, limit int) ([]PendingEvent, error) {
	s.mu.Lock()
	orphans := s.orphans
	s.mu.Unlock()
	if !orphans {
		return nil, nil
	}
	var (
		out  []PendingEvent
		left bool
	)
	err := s.db.Update(func(tx *bbolt.Tx) error {
		out, left = nil, false
		pending := tx.Bucket(bucketPending)
		own := 0
		var keys [][]byte
		var theirs []pendingRecord
		err := pending.ForEach(func(k, v []byte) error {
			var r pendingRecord
			if err := json.Unmarshal(v, &r); err != nil {
				return fmt.Errorf("pending event %x: %w", k, err)
			}
			if r.Owner == s.session {
				own++
			} else {
				keys, theirs = append(keys, bytes.Clone(k)), append(theirs, r)
			}
			return nil
		})
		if err != nil {
			return err
		}
		for i, r := range theirs {
			if own+i >= limit {
				left = true
				break
			}
			r.Owner = s.session
			v, err := json.Marshal(r)
			if err != nil {
				return err
			}
			if err := pending.Put(keys[i], v); err != nil {
				return err
			}
			out = append(out, r.PendingEvent)
		}
		return nil
	})
	if err != nil {
		return nil, s.health.note(err)
	}
	if !left {
		s.mu.Lock()
		s.orphans = false
		s.mu.Unlock()
	}
	return out, nil
}

// DropPending deletes the pending event of a run.
func (s *BoltStore) DropPending(ctx context.Context, job, id string) error {
	return s.health.note(s.db.Update(func(tx *bbolt.Tx) error { return dropPending(tx, job, id) }))
}

// dropPending deletes the pending event of a run, if there is one.
func dropPending(tx *bbolt.Tx, job, id string) error {
	runs := tx.Bucket(bucketPendRun)
	if runs == nil { // a file of a version without pending events, opened read-only
		return nil
	}
	rk := joinKey(job, id)
	k := bytes.Clone(runs.Get(rk))
	if k == nil {
		return nil
	}
	if err := tx.Bucket(bucketPending).Delete(k); err != nil {
		return err
	}
	if err := runs.Delete(rk); err != nil {
		return err
	}
	return setPendingCount(tx, pendingCount(tx)-1)
}
