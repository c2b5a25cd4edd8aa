package state

import (
	"bytes"
	"encoding/binary"

	"go.etcd.io/bbolt"
)

// bucketSeenBy orders the deduplication keys of bucketSeen by expiry: its
// keys are the expiry (Unix ns, big-endian) then the key, with no value.
// Pruning walks it from the start over the expired keys only, so its cost
// follows what expires, not how many keys are live.
var bucketSeenBy = []byte("seenby")

// seenIndexedKey is the meta key present once every key of bucketSeen has
// its entry in bucketSeenBy (files written before there was an index have
// none, until a writable open indexes them).
var seenIndexedKey = []byte("seenindexed")

// seenPruneChunk is the most expired keys one pruning transaction drops, so
// that none holds the file's single writer long.
const seenPruneChunk = 2000

// putSeen records key until exp (Unix ns) in both buckets, dropping the
// index entry of the expiry it held before.
func putSeen(tx *bbolt.Tx, key string, exp int64) error {
	seen, by := tx.Bucket(bucketSeen), tx.Bucket(bucketSeenBy)
	if old := seen.Get([]byte(key)); len(old) == 8 {
		if err := by.Delete(append(bytes.Clone(old), key...)); err != nil {
			return err
		}
	}
	v := binary.BigEndian.AppendUint64(nil, uint64(exp))
	if err := seen.Put([]byte(key), v); err != nil {
		return err
	}
	return by.Put(append(v, key...), nil)
}

// pruneSeen drops at most limit keys that expired by now (Unix ns) from both
// buckets, oldest first, and returns how many it dropped.
func pruneSeen(tx *bbolt.Tx, now int64, limit int) (int, error) {
	seen, by := tx.Bucket(bucketSeen), tx.Bucket(bucketSeenBy)
	var expired [][]byte
	c := by.Cursor()
	for k, _ := c.First(); k != nil && len(expired) < limit; k, _ = c.Next() {
		if len(k) >= 8 && int64(binary.BigEndian.Uint64(k)) > now {
			break
		}
		expired = append(expired, bytes.Clone(k))
	}
	for _, k := range expired {
		if len(k) >= 8 {
			key := k[8:]
			// The key holds this expiry, or none: putSeen dropped the entry
			// of any other.
			if v := seen.Get(key); len(v) != 8 || int64(binary.BigEndian.Uint64(v)) <= now {
				if err := seen.Delete(key); err != nil {
					return 0, err
				}
			}
		}
		if err := by.Delete(k); err != nil {
			return 0, err
		}
	}
	return len(expired), nil
}

// indexSeen gives the keys of a file written before bucketSeenBy existed
// their index entries, and drops those expired, once: a writable open
// calls it, before the store takes events.
func indexSeen(tx *bbolt.Tx, now int64) error {
	meta := tx.Bucket(bucketMeta)
	if meta.Get(seenIndexedKey) != nil {
		return nil
	}
	seen, by := tx.Bucket(bucketSeen), tx.Bucket(bucketSeenBy)
	var expired [][]byte
	err := seen.ForEach(func(k, v []byte) error {
		if len(v) != 8 || int64(binary.BigEndian.Uint64(v)) <= now {
			expired = append(expired, bytes.Clone(k))
			return nil
		}
		return by.Put(append(bytes.Clone(v), k...), nil)
	})
	if err != nil {
		return err
	}
	for _, k := range expired {
		if err := seen.Delete(k); err != nil {
			return err
		}
	}
	return meta.Put(seenIndexedKey, []byte{1})
}
