package bindings

import "testing"

func TestJSONModule(t *testing.T) {
	runLuaTests(t, "testdata/json_test.lua", preloadHelpers(&Env{}))
}
