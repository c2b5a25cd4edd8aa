// Package redistest starts a real redis-server for tests: on a free loopback
// port, without persistence, killed when the test ends. Without redis-server
// the test is skipped, except in CI (CI=true), where it fails.
package redistest

import (
	"bufio"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// Server is a redis-server started by a test.
type Server struct {
	t    testing.TB
	path string // of the redis-server binary
	dir  string
	port int
	args []string // extra arguments, e.g. --requirepass
	cmd  *exec.Cmd
}

// Start starts a redis-server on a free port of 127.0.0.1 with the extra
// arguments; it is killed when the test ends.
func Start(t testing.TB, args ...string) *Server {
	t.Helper()
	path, err := exec.LookPath("redis-server")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("redis-server is not installed; the Redis tests must run in CI")
		}
		t.Skip("redis-server is not installed")
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	r := &Server{t: t, path: path, dir: t.TempDir(), port: port, args: args}
	r.Restart()
	t.Cleanup(r.Stop)
	return r
}

// Addr is the server's host:port.
func (r *Server) Addr() string { return net.JoinHostPort("127.0.0.1", strconv.Itoa(r.port)) }

// URL is the state URL of database 0.
func (r *Server) URL() string { return "redis://" + r.Addr() + "/0" }

// Restart starts the server again on its port, after Stop, and waits until
// it answers.
func (r *Server) Restart() {
	r.t.Helper()
	logFile := filepath.Join(r.dir, "redis.log")
	args := append([]string{
		"--port", strconv.Itoa(r.port), "--bind", "127.0.0.1",
		"--save", "", "--appendonly", "no", "--dir", r.dir, "--logfile", logFile,
	}, r.args...)
	r.cmd = exec.Command(r.path, args...)
	if err := r.cmd.Start(); err != nil {
		r.t.Fatal(err)
	}
	for deadline := time.Now().Add(time.Minute); !r.answers(); {
		if time.Now().After(deadline) {
			r.Stop()
			log, _ := os.ReadFile(logFile)
			r.t.Fatalf("redis-server does not answer on %s:\n%s", r.Addr(), log)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// answers reports whether the server replies to PING (with PONG, or with an
// authentication error).
func (r *Server) answers() bool {
	conn, err := net.DialTimeout("tcp", r.Addr(), time.Second)
	if err != nil {
		return false
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(time.Second))
	if _, err := io.WriteString(conn, "PING\r\n"); err != nil {
		return false
	}
	line, err := bufio.NewReader(conn).ReadString('\n')
	return err == nil && (strings.HasPrefix(line, "+PONG") || strings.HasPrefix(line, "-NOAUTH"))
}

// Stop kills the server, as a crash would.
func (r *Server) Stop() {
	if r.cmd == nil {
		return
	}
	r.cmd.Process.Kill()
	r.cmd.Wait()
	r.cmd = nil
}
