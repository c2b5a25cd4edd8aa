package main

import (
	"bytes"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
)

// TestReferenceCopies checks that the tests' copies of the team's reference
// data are the same as the reference, when the reference is at ../shared (as
// in the team's worktrees and CI): a clone of the project alone runs every
// test on its copies.
func TestReferenceCopies(t *testing.T) {
	for _, c := range []struct{ shared, copy string }{
		{"../shared/reference/official-examples", "wecom/emulator/testdata/official-examples"},
		{"../shared/conformance", "bindings/testdata/conformance"},
	} {
		t.Run(filepath.Base(c.shared), func(t *testing.T) {
			if _, err := os.Stat(c.shared); err != nil {
				t.Skipf("no reference to compare with: %v", err)
			}
			// The copy may hold files of its own (its NOTICE, cases the
			// project adds); each file of the reference must be there, the
			// same.
			want, got := readTree(t, c.shared), readTree(t, c.copy)
			for name, data := range want {
				switch have, ok := got[name]; {
				case !ok:
					t.Errorf("%s/%s is missing: copy it from %s", c.copy, name, c.shared)
				case !bytes.Equal(have, data):
					t.Errorf("%s/%s differs from %s/%s: copy it again", c.copy, name, c.shared, name)
				}
			}
			if _, ok := got["NOTICE"]; !ok {
				t.Errorf("%s has no NOTICE naming the origin of its files", c.copy)
			}
		})
	}
}

// readTree returns the contents of the regular files under dir by their
// slash-separated path relative to dir.
func readTree(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	files := map[string][]byte{}
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || !d.Type().IsRegular() {
			return err
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, path)
		files[filepath.ToSlash(rel)] = data
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}
