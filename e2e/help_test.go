package e2e

import (
	"strings"
	"testing"
)

// TestHelpOfBinary: the built binary prints help on stdout, so that
// `runner --help | less` shows it, and exits 0.
func TestHelpOfBinary(t *testing.T) {
	t.Parallel()
	for _, args := range [][]string{{"--help"}, {"help", "exec"}, {"emulator", "--help"}, {"version"}} {
		stdout, stderr, code := runner(t, t.TempDir(), nil, args...)
		if code != 0 || stdout == "" || stderr != "" {
			t.Errorf("runner %q: exit %d, stdout %q, stderr %q", args, code, stdout, stderr)
		}
	}
	_, stderr, code := runner(t, t.TempDir(), nil, "exec")
	if code != 2 || !strings.Contains(stderr, "  --dry-run ") {
		t.Errorf("runner exec: exit %d, stderr %q", code, stderr)
	}
}
