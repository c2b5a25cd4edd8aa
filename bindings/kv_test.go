package bindings

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"

	lua "github.com/yuin/gopher-lua"
)

// memKV is a KV in memory. The key "failing" fails.
type memKV struct {
	mu sync.Mutex
	m  map[string]string
}

var errStore = errors.New("store unavailable")

func (s *memKV) Get(_ context.Context, key string) (string, bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if key == "failing" {
		return "", false, errStore
	}
	v, ok := s.m[key]
	return v, ok, nil
}

func (s *memKV) Set(_ context.Context, key, value string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.m[key] = value
	return nil
}

func (s *memKV) Delete(_ context.Context, key string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.m, key)
	return nil
}

func TestKVModule(t *testing.T) {
	store := &memKV{m: map[string]string{"broken": "{not json"}}
	runLuaTests(t, "testdata/kv_test.lua", func(L *lua.LState) {
		preloadHelpers(&Env{KV: store})(L)
		L.SetGlobal("STORE_VALUE", L.NewFunction(func(L *lua.LState) int {
			v, _, _ := store.Get(t.Context(), L.CheckString(1))
			L.Push(lua.LString(v))
			return 1
		}))
	})
}

func TestKVWithoutStore(t *testing.T) {
	L := lua.NewState()
	defer L.Close()
	preloadHelpers(&Env{})(L)
	for _, script := range []string{`require("kv").get("a")`, `require("kv").set("a", 1)`, `require("kv").delete("a")`} {
		err := L.DoString(script)
		if err == nil || !strings.Contains(err.Error(), "no key-value store is configured for this run") {
			t.Errorf("%s: error %v", script, err)
		}
	}
}
