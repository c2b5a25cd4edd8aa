package state

import (
	"errors"
	"fmt"
	"sync"

	"go.etcd.io/bbolt"
)

// maxGroup is the most writes one shared transaction takes.
const maxGroup = 1000

// groupCommit shares transactions among concurrent writes (group commit):
// a write that comes while no transaction is being written starts one at
// once; the writes that come while one is written wait for the next, which
// takes them all. Unlike bbolt's Batch, no write waits for a timer, and
// the size of a group follows how long the disk takes to sync.
type groupCommit struct {
	mu      sync.Mutex
	calls   []groupCall
	running bool // a goroutine writes the groups
}

type groupCall struct {
	fn   func(*bbolt.Tx) error
	done chan error
}

// errSolo tells a write that failed in a group to run in a transaction of
// its own, so that its error is its own and the others' writes are kept.
var errSolo = errors.New("state: write again alone")

// batch runs fn in a read-write transaction shared with the concurrent
// writes, synced to disk before it returns. fn may be called more than
// once (when another write of its group fails), so it must give the same
// writes each time it is called. An error of fn fails only its own write.
func (s *BoltStore) batch(fn func(*bbolt.Tx) error) error {
	g := &s.group
	done := make(chan error, 1)
	g.mu.Lock()
	g.calls = append(g.calls, groupCall{fn: fn, done: done})
	if !g.running {
		g.running = true
		go s.writeGroups()
	}
	g.mu.Unlock()
	err := <-done
	if err == errSolo {
		err = s.db.Update(fn)
	}
	return err
}

// writeGroups commits the waiting writes, a group at a time, until none is
// left.
func (s *BoltStore) writeGroups() {
	g := &s.group
	for {
		g.mu.Lock()
		n := min(len(g.calls), maxGroup)
		if n == 0 {
			g.running = false
			g.mu.Unlock()
			return
		}
		calls := g.calls[:n:n]
		g.calls = g.calls[n:]
		if len(g.calls) == 0 {
			g.calls = nil
		}
		g.mu.Unlock()
		s.commitGroup(calls)
	}
}

// commitGroup writes calls in one transaction. A call that fails (or
// panics) is taken out, and told to write alone; the others are written
// again without it.
func (s *BoltStore) commitGroup(calls []groupCall) {
	for len(calls) > 0 {
		failed := -1
		err := s.db.Update(func(tx *bbolt.Tx) error {
			for i, c := range calls {
				if err := callSafely(c.fn, tx); err != nil {
					failed = i
					return err
				}
			}
			return nil
		})
		if failed >= 0 {
			calls[failed].done <- errSolo
			calls = append(calls[:failed:failed], calls[failed+1:]...)
			continue
		}
		for _, c := range calls {
			c.done <- err
		}
		return
	}
}

// callSafely calls fn, turning a panic into an error: the write runs again
// alone, in its caller's goroutine, where it panics.
func callSafely(fn func(*bbolt.Tx) error, tx *bbolt.Tx) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("state: write panicked: %v", p)
		}
	}()
	return fn(tx)
}
