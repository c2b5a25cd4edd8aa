// Package e2e tests the runner binary end to end: built once, run as a user
// runs it, against the emulator (in this process or as runner emulator) and,
// where the state is shared, a Redis server (internal/redistest).
//
// TestMain builds the module's main package and runs the tests from the
// module's root, so that paths such as README.md, scripts/examples and
// ../shared mean what they mean to a user in a checkout.
package e2e

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/wecomrunner/runner/internal/emulatortest"
	"github.com/wecomrunner/runner/wecom/emulator"
)

// runnerBin is the binary under test.
var runnerBin string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "runner-e2e")
	if err != nil {
		panic(err)
	}
	runnerBin = filepath.Join(dir, "runner")
	if out, err := exec.Command("go", "build", "-o", runnerBin, "..").CombinedOutput(); err != nil {
		os.Stderr.Write(out)
		panic(err)
	}
	if err := os.Chdir(".."); err != nil {
		panic(err)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// command prepares the runner binary with args, in dir, with a clean
// environment (PATH and a HOME of its own) plus env, whose later entries win;
// the caller sets its pipes and starts it, and it is killed when tb ends.
func command(tb testing.TB, dir string, env []string, args ...string) *exec.Cmd {
	tb.Helper()
	cmd := exec.Command(runnerBin, args...)
	cmd.Dir = dir
	cmd.Env = append([]string{"PATH=" + os.Getenv("PATH"), "HOME=" + tb.TempDir()}, env...)
	tb.Cleanup(func() {
		if cmd.Process != nil {
			cmd.Process.Kill()
			cmd.Wait()
		}
	})
	return cmd
}

// runner runs the binary in dir with args and a clean environment plus env,
// and returns stdout, stderr and the exit code.
func runner(t *testing.T, dir string, env []string, args ...string) (string, string, int) {
	t.Helper()
	return background(t, dir, env, args...)()
}

// background runs the binary in dir like runner, without waiting: wait
// returns its stdout, stderr and exit code once it has exited.
func background(t *testing.T, dir string, env []string, args ...string) (wait func() (string, string, int)) {
	t.Helper()
	cmd := command(t, dir, env, args...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	return func() (string, string, int) {
		err := cmd.Wait()
		var exitErr *exec.ExitError
		if errors.As(err, &exitErr) {
			return stdout.String(), stderr.String(), exitErr.ExitCode()
		}
		if err != nil {
			t.Fatal(err)
		}
		return stdout.String(), stderr.String(), 0
	}
}

// writeScript writes a Lua script into a new directory and returns its path.
func writeScript(t testing.TB, src string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "script.lua")
	if err := os.WriteFile(p, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// startPiped starts cmd and returns the pipe that pipe (cmd.StdoutPipe or
// cmd.StderrPipe) makes.
func startPiped(tb testing.TB, cmd *exec.Cmd, pipe func() (io.ReadCloser, error)) io.ReadCloser {
	tb.Helper()
	r, err := pipe()
	if err != nil {
		tb.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		tb.Fatal(err)
	}
	return r
}

// emulatorProcess starts runner emulator with args on a free loopback port,
// stopped when tb ends, and returns the variables it prints, one a line, up
// to the one named last: WECOM_AGENT_ID, after WECOM_BASE_URL,
// WECOM_CORP_ID, WECOM_CONTACTS_SECRET and WECOM_SECRET; WECOM_CB_AES_KEY,
// the last of all, with --callback-url.
func emulatorProcess(tb testing.TB, last string, args ...string) map[string]string {
	tb.Helper()
	cmd := command(tb, "", nil, append([]string{"emulator", "--listen", "127.0.0.1:0"}, args...)...)
	stdout := startPiped(tb, cmd, cmd.StdoutPipe)
	vars := map[string]string{}
	sc := bufio.NewScanner(stdout)
	for vars[last] == "" && sc.Scan() {
		if k, v, ok := strings.Cut(sc.Text(), "="); ok {
			vars[k] = v
		}
	}
	if vars["WECOM_BASE_URL"] == "" || vars[last] == "" {
		tb.Fatalf("runner emulator %s printed %v", strings.Join(args, " "), vars)
	}
	go io.Copy(io.Discard, stdout)
	return vars
}

// wantContains fails the test unless got, which the test names what in its
// message ("stdout"), contains each of wants.
func wantContains(t *testing.T, what, got string, wants ...string) {
	t.Helper()
	for _, want := range wants {
		if !strings.Contains(got, want) {
			t.Errorf("%s lacks %q:\n%s", what, want, got)
		}
	}
}

// startEmulator starts the demo emulator in the test process and returns it
// with the environment variables a runner process needs to call it, as
// runner emulator prints them.
func startEmulator(t *testing.T) (*emulator.Server, []string) {
	t.Helper()
	srv := emulatortest.Start(t, emulator.DemoOrg())
	var env []string
	for _, kv := range srv.Env() {
		env = append(env, kv[0]+"="+kv[1])
	}
	return srv, env
}

func freePort(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}
