package state

import (
	"os"
	"path/filepath"
	"testing"
	"time"
)

func TestFindServicesBolt(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.db")
	if svcs, err := FindServices(t.Context(), path); err != nil || len(svcs) != 0 {
		t.Fatalf("FindServices without serve = %v, %v", svcs, err)
	}
	s, err := OpenBolt(path, BoltOptions{})
	if err != nil {
		t.Fatal(err)
	}
	want := ServiceInfo{URL: "http://127.0.0.1:9090/", Instance: s.Instance(), Started: time.Now().UTC().Truncate(time.Second), Emulator: true}
	if err := s.Advertise(t.Context(), want); err != nil {
		t.Fatal(err)
	}
	// The state file is locked meanwhile; the service file is not.
	if svcs, err := FindServices(t.Context(), path); err != nil || len(svcs) != 1 || svcs[0] != want {
		t.Errorf("FindServices = %+v, %v, want %+v", svcs, err, want)
	}
	if fi, err := os.Stat(path + ".service"); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("service file: %v, %v", fi, err)
	}
	s.Close()
	if svcs, err := FindServices(t.Context(), path); err != nil || len(svcs) != 0 {
		t.Errorf("FindServices after Close = %v, %v", svcs, err)
	}
}

func TestFindServicesRedis(t *testing.T) {
	r := startRedis(t)
	a := r.open(t, RedisOptions{Instance: "a", Heartbeat: 3 * time.Second}) // a busy machine renews it in time
	b := r.open(t, RedisOptions{Instance: "b"})
	for _, s := range []*RedisStore{a, b} {
		if err := s.Advertise(t.Context(), ServiceInfo{URL: "http://" + s.Instance() + "/", Instance: s.Instance()}); err != nil {
			t.Fatal(err)
		}
	}
	waitRenewals(t, a, a.key("service", "a"), 2) // a's heartbeat renews its service key
	svcs, err := FindServices(t.Context(), r.URL())
	if err != nil || len(svcs) != 2 {
		t.Fatalf("FindServices = %+v, %v", svcs, err)
	}
	b.Close()
	svcs, err = FindServices(t.Context(), r.URL())
	if err != nil || len(svcs) != 1 || svcs[0].Instance != "a" {
		t.Errorf("FindServices after b closed = %+v, %v", svcs, err)
	}
}
