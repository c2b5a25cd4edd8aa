package bindings

import "testing"

func TestMediaModule(t *testing.T) { runModuleTests(t, "testdata/media_test.lua") }
