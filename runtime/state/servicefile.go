package state

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// ServiceInfo is a running runner serve as it records itself in the state, so
// that the command line of the same configuration goes through its control
// API instead of opening the state (which a bbolt file does not allow while
// serve has it).
type ServiceInfo struct {
	// URL is the base URL of the status page and the control API, ending in
	// "/": "http://127.0.0.1:9090/".
	URL string `json:"url"`
	// Instance is the process: "host:pid".
	Instance string `json:"instance"`
	// Started is when serve started.
	Started time.Time `json:"started"`
	// Emulator marks a serve running its jobs against the WeCom emulator.
	Emulator bool `json:"emulator,omitempty"`
}

// FindServices returns the services that record themselves in state (jobs.yaml's
// state:): with a bbolt file, the one in the service file next to it (which may
// be left by a process that died: the caller tries it); with Redis, those of
// the live instances.
func FindServices(ctx context.Context, state string) ([]ServiceInfo, error) {
	if IsRedis(state) {
		return redisServices(ctx, state)
	}
	b, err := os.ReadFile(ServiceFile(state))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var svc ServiceInfo
	if err := json.Unmarshal(b, &svc); err != nil || svc.URL == "" {
		return nil, fmt.Errorf("%s: not a service file", ServiceFile(state))
	}
	return []ServiceInfo{svc}, nil
}

// IsRedis reports whether a state setting names a Redis database.
func IsRedis(state string) bool { return strings.Contains(state, "://") }

// ServiceFile is where serve records its address next to a bbolt state file.
func ServiceFile(state string) string { return state + ".service" }

// writeServiceFile writes svc to path (mode 0600) in one step, so that a
// reader never sees half of it.
func writeServiceFile(path string, svc ServiceInfo) error {
	b, err := json.Marshal(svc)
	if err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".service-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(b); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

// minControlToken is the shortest control_token accepted.
