package main

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// TestGeneratedFilesAreCurrent fails when a generated file differs from what
// the method table makes: run go generate ./wecom after changing the table.
func TestGeneratedFilesAreCurrent(t *testing.T) {
	root := testRoot(t)
	files, err := generate(root)
	if err != nil {
		t.Fatal(err)
	}
	for name, want := range files {
		got, err := os.ReadFile(filepath.Join(root, name))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s is not what the method table makes: run go generate ./wecom", name)
		}
	}
}

// testRoot is the repository's folder.
func testRoot(t *testing.T) string {
	t.Helper()
	root, err := repoRoot()
	if err != nil {
		t.Fatal(err)
	}
	return root
}
