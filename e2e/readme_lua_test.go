package e2e

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestReadmeLuaSnippets runs every ```lua block of README.md as a script of
// its own, as an admin pastes it, with runner exec against the emulator (the
// app client "default" and the client "contacts"): a snippet that uses a
// helper without require, a misspelt function or a write the client may not
// make fails here.
func TestReadmeLuaSnippets(t *testing.T) {
	data, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	var snippets []string
	for rest := string(data); ; {
		_, after, ok := strings.Cut(rest, "\n```lua\n")
		if !ok {
			break
		}
		snippet, tail, ok := strings.Cut(after, "\n```\n")
		if !ok {
			t.Fatal("README.md has a ```lua block without its end")
		}
		snippets, rest = append(snippets, snippet+"\n"), tail
	}
	if len(snippets) < 3 {
		t.Fatalf("found %d lua blocks in README.md", len(snippets))
	}
	for i, src := range snippets {
		t.Run(fmt.Sprint("snippet", i+1), func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			if err := os.WriteFile(filepath.Join(dir, "snippet.lua"), []byte(src), 0o644); err != nil {
				t.Fatal(err)
			}
			if _, errOut, code := runner(t, dir, nil, "exec", "--emulator", "snippet.lua"); code != 0 {
				t.Errorf("exit %d\n%s\nthe snippet:\n%s", code, errOut, src)
			}
		})
	}
}
