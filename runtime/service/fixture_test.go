package service

import "github.com/wecomrunner/runner/runtime/internal/fixture"

// The shared test helpers, under the names these tests use.
var (
	env        = fixture.Env
	writeFile  = fixture.WriteFile
	testLogger = fixture.Logger
)

type every = fixture.Every
