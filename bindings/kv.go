package bindings

// Module kv keeps small values between runs of a job (yesterday's headcount,
// a sync cursor):
//
//	kv.get(key [, default]) -> value, or default when the key is not set
//	kv.set(key, value)              value: anything json.encode accepts
//	kv.delete(key)
//
// Values are stored as JSON, so tables come back as tables. Without a store
// (a one-off run with no state configured) every call raises an error.

import (
	"context"
	"sync"

	"github.com/wecomrunner/runner/bindings/luajson"
	lua "github.com/yuin/gopher-lua"
)

type kvModule struct {
	kv KV
}

func newKVModule(env *Env) module {
	return &kvModule{kv: env.KV}
}

func (m *kvModule) exports() map[string]lua.LGFunction {
	return map[string]lua.LGFunction{
		"delete": m.delete,
		"get":    m.get,
		"set":    m.set,
	}
}

// store returns the store, raising an error when the run has none.
func (m *kvModule) store(L *lua.LState, fn string) KV {
	if m.kv == nil {
		L.RaiseError("kv.%s: no key-value store is configured for this run", fn)
	}
	return m.kv
}

func (m *kvModule) get(L *lua.LState) int {
	key := L.CheckString(1)
	def := L.Get(2)
	kv := m.store(L, "get")
	s, ok, err := kv.Get(contextOf(L), key)
	if err != nil {
		L.RaiseError("kv.get %q: %v", key, err)
	}
	if !ok {
		L.Push(def)
		return 1
	}
	v, err := luajson.DecodeString(L, s)
	if err != nil {
		L.RaiseError("kv.get %q: stored value: %v", key, err)
	}
	L.Push(v)
	return 1
}

func (m *kvModule) set(L *lua.LState) int {
	key := L.CheckString(1)
	v := L.CheckAny(2)
	if v == lua.LNil {
		L.ArgError(2, "value expected (use kv.delete to remove a key)")
	}
	kv := m.store(L, "set")
	data, err := luajson.Encode(v)
	if err != nil {
		L.ArgError(2, err.Error())
	}
	if err := kv.Set(contextOf(L), key, string(data)); err != nil {
		L.RaiseError("kv.set %q: %v", key, err)
	}
	return 0
}

func (m *kvModule) delete(L *lua.LState) int {
	key := L.CheckString(1)
	kv := m.store(L, "delete")
	if err := kv.Delete(contextOf(L), key); err != nil {
		L.RaiseError("kv.delete %q: %v", key, err)
	}
	return 0
}

// MemoryKV is a KV in memory, as long as the process lives: the state of a
// one-off run without a state store.
type MemoryKV struct {
	mu sync.Mutex
	m  map[string]string
}

// NewMemoryKV returns an empty MemoryKV.
func NewMemoryKV() *MemoryKV { return &MemoryKV{m: map[string]string{}} }

// Get implements KV.
func (k *MemoryKV) Get(_ context.Context, key string) (string, bool, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	v, ok := k.m[key]
	return v, ok, nil
}

// Set implements KV.
func (k *MemoryKV) Set(_ context.Context, key, value string) error {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.m[key] = value
	return nil
}

// Delete implements KV.
func (k *MemoryKV) Delete(_ context.Context, key string) error {
	k.mu.Lock()
	defer k.mu.Unlock()
	delete(k.m, key)
	return nil
}
