// Package exampletree copies the repository's examples (scripts/, data/ and
// jobs.yaml, what the README's commands use) for tests that run them
// without writing into the checkout.
package exampletree

import (
	"os/exec"
	"testing"
)

// Copy copies the examples from the working directory, which must be the
// repository's root, into a new temporary directory and returns it.
func Copy(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	if out, err := exec.Command("cp", "-r", "scripts", "data", "jobs.yaml", dir).CombinedOutput(); err != nil {
		t.Fatalf("copy: %v\n%s", err, out)
	}
	return dir
}
