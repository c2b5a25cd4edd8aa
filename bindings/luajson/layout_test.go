package luajson

// These tests check the assumptions of the decoder's fast paths about the
// memory layout of gopher-lua's tables and Go's interfaces.

import (
	"testing"

	lua "github.com/yuin/gopher-lua"
)

// TestTableLayout fails when a gopher-lua upgrade changes lua.LTable, which
// sends the decoder to its slower path: update tableLayout.
func TestTableLayout(t *testing.T) {
	if !knownTableLayout {
		t.Fatal("lua.LTable is not laid out as tableLayout")
	}
}

// TestBlockBoxing fails when Go lays interfaces out otherwise, which sends
// the decoder's strings to Go's conversion.
func TestBlockBoxing(t *testing.T) {
	if !blockBoxing {
		t.Fatal("interface values are not laid out as iface")
	}
	d := NewDecoder(nil, nil)
	for _, s := range []string{"", "a", "成员"} {
		if v := d.Box(s); v != lua.LValue(lua.LString(s)) || v.String() != s {
			t.Errorf("Box(%q) = %v", s, v)
		}
	}
}
