package bindings

import "testing"

func TestChatModule(t *testing.T) { runModuleTests(t, "testdata/chat_test.lua") }
