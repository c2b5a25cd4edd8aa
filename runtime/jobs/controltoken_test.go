package jobs

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestCredentialVariablesOptional(t *testing.T) {
	const file = `clients:
  contacts: {corp_id: "${CORP}", secret: "${SECRET}", base_url: "${BASE_URL:-https://qyapi.weixin.qq.com/cgi-bin/}"}
control_token: "${TOKEN}"
jobs:
  - {name: a, schedule: "@daily", script: a.lua}
`
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "a.lua"), []byte("return 1\n"), 0o644)
	path := filepath.Join(dir, "jobs.yaml")
	os.WriteFile(path, []byte(file), 0o644)
	noEnv := func(string) string { return "" }

	cfg, err := Load(path, noEnv)
	if err != nil {
		t.Fatal(err)
	}
	cfg.ClientVariablesOptional()
	if err := cfg.Validate(); err != nil {
		t.Errorf("Validate without the secrets, as optional: %v", err)
	}
	if cfg.Clients["contacts"].BaseURL != "https://qyapi.weixin.qq.com/cgi-bin/" {
		t.Errorf("base_url = %q: the default was not applied", cfg.Clients["contacts"].BaseURL)
	}
	cfg, _ = Load(path, noEnv)
	err = cfg.Validate()
	for _, want := range []string{"environment variable CORP is not set", "environment variable SECRET is not set", "control_token: environment variable TOKEN is not set"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Validate: %v, want %q", err, want)
		}
	}

	cfg, _ = Load(path, env(map[string]string{"CORP": "ww1", "SECRET": "s", "TOKEN": "short"}))
	if err := cfg.Validate(); err == nil || !strings.Contains(err.Error(), "control_token: 5 characters, fewer than 16") || strings.Contains(err.Error(), "short") {
		t.Errorf("Validate of a short token: %v", err)
	}
}

func TestControlToken(t *testing.T) {
	dir := t.TempDir()
	cfg := &Config{Dir: dir, State: filepath.Join(dir, ".runner", "state.db")}
	if _, err := ClientControlToken(cfg); err == nil || !strings.Contains(err.Error(), "control.token does not exist") {
		t.Errorf("ClientControlToken before serve made one: %v", err)
	}
	tok, err := ServeControlToken(cfg)
	if err != nil || len(tok) != 64 {
		t.Fatalf("ServeControlToken = %q, %v", tok, err)
	}
	path := filepath.Join(dir, ".runner", "control.token")
	if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("token file: %v, %v", fi, err)
	}
	if again, _ := ServeControlToken(cfg); again != tok {
		t.Error("a second serve made another token")
	}
	if got, err := ClientControlToken(cfg); err != nil || got != tok {
		t.Errorf("ClientControlToken = %q, %v", got, err)
	}
	os.Chmod(path, 0o644)
	if _, err := ClientControlToken(cfg); err == nil || !strings.Contains(err.Error(), "can be read by other users") || strings.Contains(err.Error(), tok) {
		t.Errorf("a token file others can read: %v", err)
	}

	cfg.ControlToken = "configured-token-0123456789"
	if got, _ := ServeControlToken(cfg); got != cfg.ControlToken {
		t.Errorf("ServeControlToken with control_token = %q", got)
	}
	if redis := (&Config{Dir: dir, State: "redis://127.0.0.1:6379/0"}); ControlTokenFile(redis) != path {
		t.Errorf("token file with Redis = %s, want %s", ControlTokenFile(redis), path)
	}
}
