package state

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"
)

// The pending events, under the prefix:
//
//	pending              hash of "<job>\x00<run id>" to JSON PendingEvent
//	pendingof            hash of "<job>\x00<run id>" to the heartbeat value of the store holding it
//	pendingq:<holder>    sorted set of the events a store holds, scored in the order they were accepted
//	pendingholders       set of the heartbeat values of the stores that hold (or held) events
//	pendingseq           the counter of the scores
//
// A store holds its events under its heartbeat value ("<instance>/<random>"),
// which is new at each open: events held under a value that is not the
// heartbeat of its instance were left by a process that is gone.

// acceptScript records a seen key and the pending events of an accepted
// event, unless the key is set or the store would hold more than the limit.
//
// KEYS: the seen key, pending, pendingof, the store's pendingq,
// pendingholders, pendingseq. ARGV: the instance, the seen key's lifetime in
// milliseconds, the limit, the store's heartbeat value, then the field and
// JSON of each event.
var acceptScript = redis.NewScript(`
if redis.call('EXISTS', KEYS[1]) == 1 then
	return 0
end
local n = (#ARGV - 4) / 2
local held = redis.call('ZCARD', KEYS[4])
if held + n > tonumber(ARGV[3]) then
	return -1 - held
end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
redis.call('SADD', KEYS[5], ARGV[4])
for i = 5, #ARGV, 2 do
	redis.call('HSET', KEYS[2], ARGV[i], ARGV[i + 1])
	redis.call('HSET', KEYS[3], ARGV[i], ARGV[4])
	redis.call('ZADD', KEYS[4], redis.call('INCR', KEYS[6]), ARGV[i])
end
return 1
`)

// AcceptEvent sets the seen key and records the pending events in one
// script.
func (s *RedisStore) AcceptEvent(ctx context.Context, key string, ttl time.Duration, evs []PendingEvent, limit int) (bool, error) {
	args := []any{s.instance, max(ttl.Milliseconds(), 1), limit, s.beat}
	for _, ev := range evs {
		ev.Instance = s.instance
		v, err := json.Marshal(ev)
		if err != nil {
			return false, err
		}
		args = append(args, runningField(ev.Job, ev.ID), v)
	}
	keys := []string{s.key("seen", key), s.key("pending"), s.key("pendingof"), s.key("pendingq", s.beat),
		s.key("pendingholders"), s.key("pendingseq")}
	n, err := acceptScript.Run(ctx, s.rdb, keys, args...).Int()
	switch {
	case err != nil:
		return false, s.health.note(err)
	case n < 0:
		return false, fmt.Errorf("%d events are pending on this instance, events.queue is %d: %w", -1-n, limit, ErrFull)
	}
	return n == 1, nil
}

// takeScript moves to a store the events held by stores that are gone, in
// the order they were accepted, up to the limit of the store's events, and
// returns their JSON.
//
// KEYS: pending, pendingof, pendingholders, the store's pendingq. ARGV: the
// prefix, the store's heartbeat value, the limit.
var takeScript = redis.NewScript(`
local room = tonumber(ARGV[3]) - redis.call('ZCARD', KEYS[4])
local found = {}
for _, holder in ipairs(redis.call('SMEMBERS', KEYS[3])) do
	local instance = string.match(holder, '^(.*)/[^/]*$') or holder
	if holder ~= ARGV[2] and redis.call('GET', ARGV[1] .. 'instance:' .. instance) ~= holder then
		local q = ARGV[1] .. 'pendingq:' .. holder
		local m = redis.call('ZRANGE', q, 0, -1, 'WITHSCORES')
		if #m == 0 then
			redis.call('SREM', KEYS[3], holder)
		end
		for i = 1, #m, 2 do
			found[#found + 1] = {m[i], tonumber(m[i + 1]), q}
		end
	end
end
table.sort(found, function(a, b) return a[2] < b[2] end)
local out = {}
for i = 1, math.min(room, #found) do
	local e = found[i]
	redis.call('ZREM', e[3], e[1])
	local v = redis.call('HGET', KEYS[1], e[1])
	if v then
		redis.call('ZADD', KEYS[4], e[2], e[1])
		redis.call('HSET', KEYS[2], e[1], ARGV[2])
		out[#out + 1] = v
	end
end
if #out > 0 then
	redis.call('SADD', KEYS[3], ARGV[2])
end
return out
`)

// TakePending moves the events of stores that are gone to this store.
func (s *RedisStore) TakePending(ctx context.Context, limit int) ([]PendingEvent, error) {
	keys := []string{s.key("pending"), s.key("pendingof"), s.key("pendingholders"), s.key("pendingq", s.beat)}
	values, err := takeScript.Run(ctx, s.rdb, keys, s.prefix, s.beat, limit).StringSlice()
	if errors.Is(err, redis.Nil) {
		return nil, nil
	}
	if err != nil {
		return nil, s.health.note(err)
	}
	out := make([]PendingEvent, 0, len(values))
	for _, v := range values {
		var ev PendingEvent
		if err := json.Unmarshal([]byte(v), &ev); err != nil {
			return out, fmt.Errorf("pending event: %w", err)
		}
		out = append(out, ev)
	}
	return out, nil
}

// dropPendingScript deletes a pending event.
//
// KEYS: pending, pendingof. ARGV: the event's field, the prefix of the
// stores' pendingq.
var dropPendingScript = redis.NewScript(`
local holder = redis.call('HGET', KEYS[2], ARGV[1])
if holder then
	redis.call('HDEL', KEYS[1], ARGV[1])
	redis.call('HDEL', KEYS[2], ARGV[1])
	redis.call('ZREM', ARGV[2] .. holder, ARGV[1])
end
return 0
`)

// DropPending deletes the pending event of a run.
func (s *RedisStore) DropPending(ctx context.Context, job, id string) error {
	keys := []string{s.key("pending"), s.key("pendingof")}
	return s.health.note(dropPendingScript.Run(ctx, s.rdb, keys, runningField(job, id), s.key("pendingq", "")).Err())
}
