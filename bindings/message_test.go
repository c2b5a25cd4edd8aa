package bindings

import "testing"

func TestMessageModule(t *testing.T) { runGroupTests(t, "testdata/message_test.lua") }
