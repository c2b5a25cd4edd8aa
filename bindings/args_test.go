package bindings

import "testing"

func TestArgsModule(t *testing.T) {
	env := &Env{Args: map[string]any{
		"source": "data/hr.csv", "limit": "50", "ratio": " 0.2 ", "n": 3, "dry": "true", "off": "0",
		"one": 1, "flag": true, "list": []any{"a", "b"}, "get": "shadowed", "bad": "maybe",
	}}
	runLuaTests(t, "testdata/args_test.lua", preloadHelpers(env))
}

func TestEnvModule(t *testing.T) {
	vars := map[string]string{"HR_URL": "https://hr.example.com", "WECOM_SECRET": "s3cret"}
	env := &Env{
		Getenv:   func(k string) string { return vars[k] },
		EnvAllow: []string{"HR_URL", "EMPTY"},
	}
	runLuaTests(t, "testdata/env_test.lua", preloadHelpers(env))
}
