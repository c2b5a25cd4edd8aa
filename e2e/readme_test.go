package e2e

// Every command of the README's sh blocks runs here, against emulators, in a
// copy of the repository's examples: the README cannot drift from the
// program. make demo and make test are what CI runs.

import (
	"bytes"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/wecomrunner/runner/internal/exampletree"
	"github.com/wecomrunner/runner/runtime/jobs"
)

// readmeBlocks returns the lines of each ```sh block of README.md.
func readmeBlocks(t *testing.T) [][]string {
	t.Helper()
	data, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	var blocks [][]string
	var cur []string
	in := false
	for _, line := range strings.Split(string(data), "\n") {
		switch {
		case line == "```sh":
			in, cur = true, nil
		case in && line == "```":
			in = false
			blocks = append(blocks, cur)
		case in:
			if i := strings.Index(line, "  #"); i >= 0 {
				line = line[:i]
			}
			if line = strings.TrimSpace(line); line != "" {
				cur = append(cur, line)
			}
		}
	}
	return blocks
}

func TestReadmeCommands(t *testing.T) {
	blocks := readmeBlocks(t)
	if len(blocks) < 4 {
		t.Fatalf("found %d sh blocks in README.md", len(blocks))
	}
	ran := 0
	for i, block := range blocks {
		t.Run(fmt.Sprint("block", i+1), func(t *testing.T) {
			switch {
			case strings.HasPrefix(block[0], "make "):
				t.Skip("make demo and make test are run by .ci/run")
			case strings.Contains(strings.Join(block, "\n"), "runner emulator"):
				runReadmeScript(t, block)
			default:
				runReadmeLines(t, block)
			}
			ran++
		})
	}
	if ran < 3 {
		t.Errorf("ran %d blocks", ran)
	}
}

// runReadmeScript runs a block as a shell script, with runner on PATH and a
// free port in place of the emulator's usual one.
func runReadmeScript(t *testing.T, block []string) {
	dir := exampletree.Copy(t)
	script := "trap 'kill $(jobs -p) 2>/dev/null' EXIT\nset -e\n" +
		strings.ReplaceAll(strings.Join(block, "\n"), "127.0.0.1:8080", freePort(t)) + "\n"
	cmd := exec.Command("bash", "-c", script)
	cmd.Dir = dir
	cmd.Env = []string{"PATH=" + filepath.Dir(runnerBin) + ":" + os.Getenv("PATH"), "HOME=" + dir}
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
}

// runReadmeLines runs each command of a block against an emulator whose
// variables stand in for the ones the block exports; runner serve runs until
// it answers, then gets SIGTERM.
func runReadmeLines(t *testing.T, block []string) {
	dir := exampletree.Copy(t)
	_, env := startEmulator(t)
	for _, line := range block {
		if strings.HasPrefix(line, "export ") {
			continue
		}
		args := strings.Fields(line)
		if args[0] != "runner" {
			t.Fatalf("README command %q does not start with runner", line)
		}
		if len(args) > 1 && args[1] == "serve" {
			runServeBriefly(t, dir, env, args[1:])
			continue
		}
		if _, errOut, code := runner(t, dir, env, args[1:]...); code != 0 {
			t.Errorf("%s: exit %d\n%s", line, code, errOut)
		}
	}
}

func runServeBriefly(t *testing.T, dir string, env, args []string) {
	t.Helper()
	addr := freePort(t)
	cmd := command(t, dir, env, append(args, "--listen", addr)...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(time.Minute)
	for {
		c, err := net.Dial("tcp", addr)
		if err == nil {
			c.Close()
			break
		}
		if time.Now().After(deadline) {
			cmd.Process.Kill()
			t.Fatalf("runner serve did not listen on %s\n%s", addr, stderr.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
	cmd.Process.Signal(syscall.SIGTERM)
	if err := cmd.Wait(); err != nil {
		t.Errorf("runner serve after SIGTERM: %v\n%s", err, stderr.String())
	}
}

// TestReadmeJobsReference parses the README's jobs.yaml reference: every
// field it shows must be one the loader knows.
func TestReadmeJobsReference(t *testing.T) {
	data, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, rest, ok := strings.Cut(string(data), "```yaml\n")
	block, _, ok2 := strings.Cut(rest, "```")
	if !ok || !ok2 {
		t.Fatal("README.md has no yaml block")
	}
	cfg, err := jobs.Parse(strings.NewReader(block), "README.md", func(string) string { return "set" })
	if err != nil {
		t.Fatalf("the README's jobs.yaml does not parse: %v", err)
	}
	if contacts := cfg.Clients["contacts"]; contacts.RateLimit.PerMinute != 600 || contacts.RateLimitWait.Wait != 2*time.Minute {
		t.Errorf("the contacts client has rate_limit %v, rate_limit_wait %v; want 600/min, 2m", contacts.RateLimit, contacts.RateLimitWait)
	}
	if len(cfg.Jobs) != 2 || cfg.Clients["notify"].Timeout != 30*time.Second || cfg.Jobs[0].Jitter != 30*time.Second ||
		cfg.Callbacks["contacts"].MaxAge != 10*time.Minute || len(cfg.Jobs[1].On) != 1 || cfg.Jobs[1].On[0].Departments[0] != 6 {
		t.Errorf("parsed %+v", cfg)
	}
}
