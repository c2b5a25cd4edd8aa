// Package emulatortest starts the WeCom emulator for tests: in the test's
// process, on a free loopback port, closed when the test ends.
package emulatortest

import (
	"testing"

	"github.com/wecomrunner/runner/wecom/emulator"
)

// Start starts an emulator of org (nil: the demo organisation) with opts,
// closed when the test ends.
func Start(tb testing.TB, org *emulator.Org, opts ...emulator.Option) *emulator.Server {
	tb.Helper()
	srv, err := emulator.Start(org, opts...)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { srv.Close() })
	return srv
}
