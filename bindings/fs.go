package bindings

// Module fs reads and writes files inside the run's allowed directories:
//
//	fs.read(path) -> string
//	fs.write(path, s)                 creates or truncates the file
//	fs.exists(path) -> boolean
//	fs.list(dir) -> {name, ...}       sorted names of the directory's entries
//	fs.mkdir(path)                    creates the directory and its parents
//
// A relative path is relative to the first allowed directory. A path that
// resolves (after symbolic links) outside every allowed directory, to the
// runner's state, or for a write, to the configuration, a script or a Lua
// module, raises an error naming it. fs.read refuses files larger than the
// longest string a script may build (64 MiB).

import (
	"errors"
	"io/fs"

	"github.com/wecomrunner/runner/bindings/luajson"
	lua "github.com/yuin/gopher-lua"
)

type fsModule struct {
	area *area
}

func newFSModule(env *Env) module {
	return &fsModule{area: newArea(env)}
}

func (m *fsModule) exports() map[string]lua.LGFunction {
	return map[string]lua.LGFunction{
		"exists": m.exists,
		"list":   m.list,
		"mkdir":  m.mkdir,
		"read":   m.read,
		"write":  m.write,
	}
}

func (m *fsModule) read(L *lua.LState) int {
	data, err := m.check(L, 1, false).readFile(MaxString)
	if err != nil {
		L.RaiseError("fs.read: %v", err)
	}
	L.Push(lua.LString(data))
	return 1
}

func (m *fsModule) write(L *lua.LState) int {
	t := m.check(L, 1, true)
	s := L.CheckString(2)
	if err := t.writeFile([]byte(s)); err != nil {
		L.RaiseError("fs.write: %v", err)
	}
	return 0
}

func (m *fsModule) exists(L *lua.LState) int {
	_, err := m.check(L, 1, false).stat()
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		L.RaiseError("fs.exists: %v", err)
	}
	L.Push(lua.LBool(err == nil))
	return 1
}

func (m *fsModule) list(L *lua.LState) int {
	entries, err := m.check(L, 1, false).readDir()
	if err != nil {
		L.RaiseError("fs.list: %v", err)
	}
	t := luajson.NewArray(L, len(entries))
	for _, e := range entries {
		t.Append(lua.LString(e.Name()))
	}
	L.Push(t)
	return 1
}

func (m *fsModule) mkdir(L *lua.LState) int {
	if err := m.check(L, 1, true).mkdirAll(); err != nil {
		L.RaiseError("fs.mkdir: %v", err)
	}
	return 0
}

// check locates the path given as argument n, for reading or writing,
// raising an argument error when the script may not use it.
func (m *fsModule) check(L *lua.LState, n int, write bool) *target {
	t, err := m.area.locate(L.CheckString(n), write)
	if err != nil {
		L.ArgError(n, err.Error())
	}
	return t
}
