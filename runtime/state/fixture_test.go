package state

import (
	"github.com/wecomrunner/runner/internal/emulatortest"
	"github.com/wecomrunner/runner/runtime/internal/fixture"
)

// The shared test helpers, under the names these tests use.
var (
	testLogger    = fixture.Logger
	waitFor       = fixture.WaitFor
	startEmulator = emulatortest.Start
)
