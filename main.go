// Command runner runs Lua scripts that automate a WeCom (企业微信) organisation,
// once (runner exec) or on a schedule (runner serve).
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	err := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr)
	stop()
	os.Exit(exitCode(err, os.Stderr))
}

// exitCode reports err on stderr and maps it to the process exit code:
// 0 success, 1 failure, 2 usage or configuration error.
func exitCode(err error, stderr *os.File) int {
	switch {
	case err == nil:
		return 0
	case isUsage(err):
		fmt.Fprintln(stderr, "runner:", err)
		return 2
	default:
		fmt.Fprintln(stderr, "runner:", err)
		return 1
	}
}
