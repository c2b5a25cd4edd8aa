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

func TestLocate(t *testing.T) {
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
		var got string
		tg, err := newArea(env).locate(tt.in, true)
		if err == nil {
			got = tg.path()
		}
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("locate(%q) = %q, %v; want error %q", tt.in, got, err, tt.err)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("locate(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
	if _, err := newArea(&Env{}).locate("x", false); err == nil || !strings.Contains(err.Error(), "no directories are allowed") {
		t.Errorf("no dirs: error %v", err)
	}
}

// TestAreaProtected: the configuration, the scripts and the state are out of
// reach of writes (and the state of reads) even inside an allowed directory,
// through a symbolic link too; a data directory nested in the scripts'
// directory stays writable, except for Lua modules.
func TestAreaProtected(t *testing.T) {
	root, err := filepath.EvalSymlinks(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	write := func(name, content string) {
		t.Helper()
		p := filepath.Join(root, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("jobs.yaml", "jobs: []\n")
	write("job.lua", "print(1)\n")
	write("lib/util.lua", "return {}\n")
	write(".runner/state.db", "state")
	write("token", "control-token")
	if err := os.Symlink("jobs.yaml", filepath.Join(root, "conf-link")); err != nil {
		t.Fatal(err)
	}
	env := &Env{
		Dirs:     []string{root, filepath.Join(root, "data")},
		ReadOnly: []string{filepath.Join(root, "jobs.yaml"), root, filepath.Join(root, "lib")},
		Private:  []string{filepath.Join(root, ".runner"), filepath.Join(root, "token")},
	}
	a := newArea(env)
	for _, tt := range []struct {
		path  string
		write bool
		err   string
	}{
		{"jobs.yaml", false, ""},
		{"jobs.yaml", true, "which scripts may read but not change"},
		{"conf-link", true, "which scripts may read but not change"},
		{"job.lua", true, "may read but not change"},
		{"new.txt", true, "may read but not change"},
		{"lib/util.lua", true, "may read but not change"},
		{".runner/state.db", false, "the runner's state"},
		{".runner", false, "the runner's state"},
		{"token", false, "the runner's state"},
		{"data/out.csv", true, ""},
		{"data/sub/out.csv", true, ""},
		{"data/evil.lua", true, "may read but not change"},
		{"data/../jobs.yaml", true, "may read but not change"},
	} {
		_, err := a.locate(tt.path, tt.write)
		switch {
		case tt.err == "" && err != nil:
			t.Errorf("locate(%q, write=%v): %v", tt.path, tt.write, err)
		case tt.err != "" && (err == nil || !strings.Contains(err.Error(), tt.err)):
			t.Errorf("locate(%q, write=%v) = %v, want an error with %q", tt.path, tt.write, err, tt.err)
		}
	}
	// The data directory does not exist yet: a write creates it.
	tg, err := a.locate("data/out.csv", true)
	if err != nil {
		t.Fatal(err)
	}
	if err := tg.writeFile([]byte("a\n")); err != nil {
		t.Fatal(err)
	}
	if b, err := os.ReadFile(filepath.Join(root, "data", "out.csv")); err != nil || string(b) != "a\n" {
		t.Errorf("data/out.csv = %q, %v", b, err)
	}
}

// TestAreaSymlinkSwapped: a path located while it was a plain directory,
// then swapped for a symbolic link to a protected file or to outside, is not
// opened there: the open goes through the allowed directory's os.Root and
// the opened file is compared with the protected ones.
func TestAreaSymlinkSwapped(t *testing.T) {
	root, err := filepath.EvalSymlinks(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	data, outside := filepath.Join(root, "data"), filepath.Join(root, "outside")
	for _, d := range []string{filepath.Join(data, "sub"), outside} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	conf := filepath.Join(data, "jobs.yaml")
	if err := os.WriteFile(conf, []byte("jobs: []\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	a := newArea(&Env{Dirs: []string{data}, ReadOnly: []string{conf}})

	tg, err := a.locate("sub/x.txt", true)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(filepath.Join(data, "sub")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(outside, filepath.Join(data, "sub")); err != nil {
		t.Fatal(err)
	}
	if err := tg.writeFile([]byte("x")); err == nil {
		t.Error("wrote through a symbolic link to outside swapped in after the check")
	}
	if _, err := os.Stat(filepath.Join(outside, "x.txt")); err == nil {
		t.Error("the file was created outside the allowed directory")
	}

	tg, err = a.locate("plain.txt", true)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("jobs.yaml", filepath.Join(data, "plain.txt")); err != nil {
		t.Fatal(err)
	}
	if err := tg.writeFile([]byte("dirs: [/]\n")); err == nil || !strings.Contains(err.Error(), "may not use") {
		t.Errorf("write through a link to the configuration swapped in: %v", err)
	}
	if b, _ := os.ReadFile(conf); string(b) != "jobs: []\n" {
		t.Errorf("the configuration was changed: %q", b)
	}
}
