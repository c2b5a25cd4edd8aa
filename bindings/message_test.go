package bindings

import "testing"

func TestMessageModule(t *testing.T) { runModuleTests(t, "testdata/message_test.lua") }
