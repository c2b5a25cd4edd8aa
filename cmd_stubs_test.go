package main

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

func TestStubsCommand(t *testing.T) {
	dir := t.TempDir()
	var stdout, stderr bytes.Buffer
	if err := run(t.Context(), []string{"stubs", dir}, func(string) string { return "" }, &stdout, &stderr); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{".luarc.json", "library/wecom/init.lua", "library/wecom/user.lua", "library/json.lua"} {
		if _, err := os.Stat(filepath.Join(dir, name)); err != nil {
			t.Errorf("%s was not written: %v", name, err)
		}
	}
}

func TestStubsCommandUsage(t *testing.T) {
	for _, args := range [][]string{{"stubs"}, {"stubs", "a", "b"}, {"stubs", "--bogus", "a"}} {
		var stdout, stderr bytes.Buffer
		err := run(t.Context(), args, func(string) string { return "" }, &stdout, &stderr)
		if !isUsage(err) {
			t.Errorf("run(%q) = %v, want a usage error", args, err)
		}
	}
}
