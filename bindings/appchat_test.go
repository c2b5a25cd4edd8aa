package bindings

import "testing"

func TestAppChatModule(t *testing.T) { runModuleTests(t, "testdata/appchat_test.lua") }
