package bindings

import (
	"context"
	"errors"
	"strings"
	"testing"

	lua "github.com/yuin/gopher-lua"
)

// failingKV is a MemoryKV whose key "failing" fails.
type failingKV struct{ *MemoryKV }

var errStore = errors.New("store unavailable")

func (s failingKV) Get(ctx context.Context, key string) (string, bool, error) {
	if key == "failing" {
		return "", false, errStore
	}
	return s.MemoryKV.Get(ctx, key)
}

func TestKVModule(t *testing.T) {
	store := failingKV{NewMemoryKV()}
	store.Set(t.Context(), "broken", "{not json")
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
