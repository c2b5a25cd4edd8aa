package state

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"
)

func TestWriteHealth(t *testing.T) {
	var h writeHealth
	if err := h.check(nil); err != nil {
		t.Errorf("check of a store that never failed = %v", err)
	}
	if err := h.check(errors.New("disk full")); err == nil || err.Error() != "the state cannot be written: disk full" {
		t.Errorf("check of a failed probe = %v", err)
	}
	h.note(fmt.Errorf("append: %w", context.Canceled))
	if err := h.check(nil); err != nil {
		t.Errorf("a write cancelled by its caller makes check fail: %v", err)
	}
	h.note(errors.New("file too large"))
	if err := h.check(nil); err == nil || !strings.Contains(err.Error(), "a write to the state failed 0s ago: file too large") {
		t.Errorf("check after a failed write = %v", err)
	}
	h.failed = time.Now().Add(-healthWindow)
	if err := h.check(nil); err != nil {
		t.Errorf("check a minute after a failed write = %v", err)
	}
}

// TestBoltHealth: Health fails with the reason when the state cannot be
// written, or a write failed within the last minute.
func TestBoltHealth(t *testing.T) {
	store := openTestStore(t, BoltOptions{})
	if err := store.Health(t.Context()); err != nil {
		t.Errorf("Health = %v, want nil", err)
	}
	store.health.note(errors.New("write state.db: no space left on device"))
	if err := store.Health(t.Context()); err == nil || !strings.Contains(err.Error(), "a write to the state failed") || !strings.Contains(err.Error(), "no space left on device") {
		t.Errorf("Health after a failed write = %v, want the error", err)
	}
	store.health = writeHealth{}
	store.db.Close()
	if err := store.Health(t.Context()); err == nil || err.Error() != "the state cannot be written: database not open" {
		t.Errorf("Health with the state closed = %v, want why", err)
	}
}
