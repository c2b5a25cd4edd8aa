package runtime

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/synctest"
	"time"
)

// TestPause pauses a job: its firings are passed over, unrecorded, on every
// scheduler sharing the store, until it is resumed.
func TestPause(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		store := openTestStore(t, BoltOptions{})
		exec := execFunc(func(context.Context, *Job, *Attempt) error { return nil })
		h := start(t, testConfig(testJob("sync", every(time.Minute))), exec, store)
		if err := h.s.Pause(t.Context(), "sync", "alice@host"); err != nil {
			t.Fatal(err)
		}
		if err := h.s.Pause(t.Context(), "nope", "alice@host"); !errors.Is(err, ErrNotFound) {
			t.Errorf("Pause of an unknown job: %v", err)
		}
		time.Sleep(3*time.Minute + time.Second)
		if runs := h.runs("sync"); len(runs) != 0 {
			t.Errorf("a paused job ran: %v", results(runs))
		}
		info, err := h.s.JobInfo(t.Context(), "sync")
		if err != nil || info.Paused == nil || info.Paused.By != "alice@host" {
			t.Errorf("JobInfo = %+v, %v", info, err)
		}
		if err := h.s.Resume(t.Context(), "sync", "alice@host"); err != nil {
			t.Fatal(err)
		}
		time.Sleep(2 * time.Minute)
		h.shutdown()
		wantResults(t, h.runs("sync"), "ok", "ok")
	})
}

// TestCancelAcrossInstances cancels, through one scheduler, a run of another
// sharing the store: the run stops within a few seconds and says who asked.
func TestCancelAcrossInstances(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		store := openTestStore(t, BoltOptions{})
		started := make(chan string, 1)
		job := func() *Job { return testJob("sync", every(time.Hour), func(j *Job) { j.Enabled = false }) }
		a := start(t, testConfig(job()), blockUntilDone(started, nil), store)
		b := start(t, testConfig(job()), blockUntilDone(nil, nil), store)
		run, err := a.s.Trigger(t.Context(), "sync", RunRequest{By: "alice"})
		if err != nil {
			t.Fatal(err)
		}
		<-started
		got, err := b.s.Cancel(t.Context(), run.ID, "bob@host")
		if err != nil || got.Result != ResultRunning {
			t.Fatalf("Cancel through the other instance = %+v, %v", got, err)
		}
		final := run.Record()
		if final.Result != ResultInterrupted || final.Error != "cancelled by bob@host" || final.Duration() > cancelPoll+time.Second {
			t.Errorf("cancelled run = %+v (took %v)", final, final.Duration())
		}
		if _, err := b.s.Cancel(t.Context(), run.ID, "bob@host"); !errors.Is(err, ErrEnded) {
			t.Errorf("a second cancel: %v, want ErrEnded", err)
		}
		a.shutdown()
		b.shutdown()
	})
}

// TestTriggerWithoutRun is runner jobs run on the state directly: without
// Run, cancelling ctx interrupts a triggered run, which is in the history as
// soon as Trigger returns.
func TestTriggerWithoutRun(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		store := openTestStore(t, BoltOptions{})
		s, err := NewScheduler(testConfig(testJob("sync", every(time.Minute))), blockUntilDone(nil, nil), store, SchedulerOptions{})
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithCancel(t.Context())
		run, err := s.Trigger(ctx, "sync", RunRequest{By: "alice@host", Args: map[string]any{"n": 1}})
		if err != nil {
			t.Fatal(err)
		}
		if run.Initial.Result != ResultRunning {
			t.Errorf("the run as Trigger returned = %+v", run.Initial)
		}
		if stored, err := store.Run(t.Context(), "sync", run.ID); err != nil || stored.Result != ResultRunning {
			t.Errorf("the run is not in the history as Trigger returns: %+v, %v", stored, err)
		}
		time.AfterFunc(time.Second, cancel)
		if final := run.Record(); final.Result != ResultInterrupted || final.By != "alice@host" || final.Args != `{"n":1}` {
			t.Errorf("run = %+v", final)
		}
	})
}

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

func TestFindServicesBolt(t *testing.T) {
	dir := t.TempDir()
	cfg := &Config{Dir: dir, State: filepath.Join(dir, "state.db")}
	if svcs, err := FindServices(t.Context(), cfg); err != nil || len(svcs) != 0 {
		t.Fatalf("FindServices without serve = %v, %v", svcs, err)
	}
	s, err := OpenBolt(cfg.State, BoltOptions{})
	if err != nil {
		t.Fatal(err)
	}
	want := ServiceInfo{URL: "http://127.0.0.1:9090/", Instance: s.Instance(), Started: time.Now().UTC().Truncate(time.Second), Emulator: true}
	if err := s.Advertise(t.Context(), want); err != nil {
		t.Fatal(err)
	}
	// The state file is locked meanwhile; the service file is not.
	if svcs, err := FindServices(t.Context(), cfg); err != nil || len(svcs) != 1 || svcs[0] != want {
		t.Errorf("FindServices = %+v, %v, want %+v", svcs, err, want)
	}
	if fi, err := os.Stat(cfg.State + ".service"); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("service file: %v, %v", fi, err)
	}
	s.Close()
	if svcs, err := FindServices(t.Context(), cfg); err != nil || len(svcs) != 0 {
		t.Errorf("FindServices after Close = %v, %v", svcs, err)
	}
}

func TestFindServicesRedis(t *testing.T) {
	r := startRedis(t)
	cfg := &Config{Dir: t.TempDir(), State: r.URL()}
	a := r.open(t, RedisOptions{Instance: "a", heartbeat: 3 * time.Second}) // a busy machine renews it in time
	b := r.open(t, RedisOptions{Instance: "b"})
	for _, s := range []*RedisStore{a, b} {
		if err := s.Advertise(t.Context(), ServiceInfo{URL: "http://" + s.Instance() + "/", Instance: s.Instance()}); err != nil {
			t.Fatal(err)
		}
	}
	waitRenewals(t, a, a.key("service", "a"), 2) // a's heartbeat renews its service key
	svcs, err := FindServices(t.Context(), cfg)
	if err != nil || len(svcs) != 2 {
		t.Fatalf("FindServices = %+v, %v", svcs, err)
	}
	b.Close()
	svcs, err = FindServices(t.Context(), cfg)
	if err != nil || len(svcs) != 1 || svcs[0].Instance != "a" {
		t.Errorf("FindServices after b closed = %+v, %v", svcs, err)
	}
}
