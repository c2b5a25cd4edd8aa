package jobs

import "github.com/wecomrunner/runner/runtime/internal/fixture"

// The shared test helpers, under the names these tests use.
var (
	env       = fixture.Env
	golden    = fixture.Golden
	writeJobs = fixture.WriteJobs
	writeFile = fixture.WriteFile
)
