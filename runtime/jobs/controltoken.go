package jobs

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/wecomrunner/runner/runtime/state"
)

const minControlToken = 16

// ControlTokenFile is where runner serve keeps the control token it makes
// when jobs.yaml sets no control_token: next to a bbolt state file, or in
// .runner/ beside jobs.yaml with a Redis state.
func ControlTokenFile(cfg *Config) string {
	if state.IsRedis(cfg.State) {
		return filepath.Join(cfg.Dir, ".runner", "control.token")
	}
	return filepath.Join(filepath.Dir(cfg.State), "control.token")
}

// ServeControlToken returns the token of a serve's control API:
// control_token when jobs.yaml sets it, else the one in ControlTokenFile,
// which is made (32 random bytes, mode 0600) when it does not exist yet.
// Several serves of one machine share that file.
func ServeControlToken(cfg *Config) (string, error) {
	if cfg.ControlToken != "" {
		return cfg.ControlToken, nil
	}
	path := ControlTokenFile(cfg)
	if tok, err := readTokenFile(path); err == nil || !errors.Is(err, fs.ErrNotExist) {
		return tok, err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return "", fmt.Errorf("control token: %w", err)
	}
	b := make([]byte, 32)
	rand.Read(b)
	tok := hex.EncodeToString(b)
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, fs.ErrExist) { // another serve made it meanwhile
		return readTokenFile(path)
	}
	if err != nil {
		return "", fmt.Errorf("control token: %w", err)
	}
	_, err = f.WriteString(tok + "\n")
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return "", fmt.Errorf("control token: %w", err)
	}
	return tok, nil
}

// ClientControlToken returns the token the command line sends to a serve of
// cfg: control_token when set, else the content of ControlTokenFile.
func ClientControlToken(cfg *Config) (string, error) {
	if cfg.ControlToken != "" {
		return cfg.ControlToken, nil
	}
	tok, err := readTokenFile(ControlTokenFile(cfg))
	if errors.Is(err, fs.ErrNotExist) {
		return "", fmt.Errorf("no control token: jobs.yaml sets no control_token and %s does not exist", ControlTokenFile(cfg))
	}
	return tok, err
}

// readTokenFile reads a token file, which only its owner may read.
func readTokenFile(path string) (string, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return "", fmt.Errorf("control token: %w", err)
	}
	if fi.Mode().Perm()&0o077 != 0 {
		return "", fmt.Errorf("control token: %s can be read by other users (mode %v); make it 0600", path, fi.Mode().Perm())
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return "", fmt.Errorf("control token: %w", err)
	}
	tok := strings.TrimSpace(string(b))
	if len(tok) < minControlToken {
		return "", fmt.Errorf("control token: %s holds no token", path)
	}
	return tok, nil
}
