package service

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/wecomrunner/runner/runtime/jobs"
	"github.com/wecomrunner/runner/runtime/scheduler"
)

var testEnv = env(map[string]string{
	"CORP_ID":         "ww-test-corp",
	"CONTACTS_SECRET": "contacts-secret-value",
	"APP_SECRET":      "app-secret-value",
})

// eventConfig parses and validates a jobs file written in a temporary
// directory with an empty script.lua, with the callback's secrets in the
// environment.
func eventConfig(t testing.TB, src string) (*jobs.Config, error) {
	t.Helper()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "script.lua"), []byte("return\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	getenv := env(map[string]string{"CB_TOKEN": testCBToken, "CB_KEY": testCBKey, "CORP_ID": testCorpID})
	cfg, err := jobs.Parse(strings.NewReader(src), filepath.Join(dir, "jobs.yaml"), getenv)
	if err != nil {
		t.Fatal(err)
	}
	return cfg, cfg.Validate()
}

// execFunc is an scheduler.Executor made of a function.
type execFunc func(ctx context.Context, job *jobs.Job, a *scheduler.Attempt) error

func (f execFunc) Execute(ctx context.Context, job *jobs.Job, a *scheduler.Attempt) error {
	return f(ctx, job, a)
}

// The official example's token and key, used as the test callback's.
const (
	testCBToken = "QDG6eK"
	testCBKey   = "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C"
	testCorpID  = "ww-test-corp"
)
