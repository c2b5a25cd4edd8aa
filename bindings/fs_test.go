package bindings

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	lua "github.com/yuin/gopher-lua"
)

func TestFSModule(t *testing.T) {
	root := t.TempDir()
	dir := filepath.Join(root, "data")
	outside := filepath.Join(root, "outside")
	for _, d := range []string{dir, outside} {
		if err := os.Mkdir(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(outside, "secret.txt"), []byte("secret"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(outside, filepath.Join(dir, "link")); err != nil {
		t.Fatal(err)
	}
	env := &Env{Dirs: []string{dir}}
	runLuaTests(t, "testdata/fs_test.lua", func(L *lua.LState) {
		preloadHelpers(env)(L)
		L.SetGlobal("ROOT", lua.LString(dir))
	})
}

func TestResolvePath(t *testing.T) {
	root, err := filepath.EvalSymlinks(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	a, b := filepath.Join(root, "a"), filepath.Join(root, "b")
	for _, d := range []string{a, b, filepath.Join(root, "c")} {
		if err := os.Mkdir(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	// b/up points back into a: following it stays inside the allowed dirs.
	if err := os.Symlink(a, filepath.Join(b, "up")); err != nil {
		t.Fatal(err)
	}
	env := &Env{Dirs: []string{a, b}}
	for _, tt := range []struct{ in, want, err string }{
		{"x.csv", filepath.Join(a, "x.csv"), ""},
		{"new/dir/x.csv", filepath.Join(a, "new/dir/x.csv"), ""},
		{filepath.Join(b, "y.csv"), filepath.Join(b, "y.csv"), ""},
		{filepath.Join(b, "up", "z.csv"), filepath.Join(a, "z.csv"), ""},
		{"./sub/../x.csv", filepath.Join(a, "x.csv"), ""},
		{".", a, ""},
		{"../c/x.csv", "", "is outside the allowed directories"},
		{filepath.Join(root, "c"), "", "is outside"},
		{"", "", "invalid path"},
	} {
		got, err := resolvePath(env, tt.in)
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("resolvePath(%q) = %q, %v; want error %q", tt.in, got, err, tt.err)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("resolvePath(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
	if _, err := resolvePath(&Env{}, "x"); err == nil || !strings.Contains(err.Error(), "no directories are allowed") {
		t.Errorf("no dirs: error %v", err)
	}
}
