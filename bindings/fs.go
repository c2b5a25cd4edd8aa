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
// resolves (after symbolic links) outside every allowed directory raises an
// error naming it.

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	lua "github.com/yuin/gopher-lua"
)

type fsModule struct {
	dirs []string
}

func newFSModule(env *Env) module {
	return &fsModule{dirs: env.Dirs}
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
	p := m.check(L, 1)
	data, err := os.ReadFile(p)
	if err != nil {
		L.RaiseError("fs.read: %v", err)
	}
	L.Push(lua.LString(data))
	return 1
}

func (m *fsModule) write(L *lua.LState) int {
	p := m.check(L, 1)
	s := L.CheckString(2)
	if err := os.WriteFile(p, []byte(s), 0o644); err != nil {
		L.RaiseError("fs.write: %v", err)
	}
	return 0
}

func (m *fsModule) exists(L *lua.LState) int {
	p := m.check(L, 1)
	_, err := os.Stat(p)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		L.RaiseError("fs.exists: %v", err)
	}
	L.Push(lua.LBool(err == nil))
	return 1
}

func (m *fsModule) list(L *lua.LState) int {
	p := m.check(L, 1)
	entries, err := os.ReadDir(p)
	if err != nil {
		L.RaiseError("fs.list: %v", err)
	}
	t := newArray(L, len(entries))
	for _, e := range entries {
		t.Append(lua.LString(e.Name()))
	}
	L.Push(t)
	return 1
}

func (m *fsModule) mkdir(L *lua.LState) int {
	p := m.check(L, 1)
	if err := os.MkdirAll(p, 0o755); err != nil {
		L.RaiseError("fs.mkdir: %v", err)
	}
	return 0
}

// check returns the resolved path given as argument n, raising an argument
// error when it is outside the allowed directories.
func (m *fsModule) check(L *lua.LState, n int) string {
	p, err := resolveIn(m.dirs, L.CheckString(n))
	if err != nil {
		L.ArgError(n, err.Error())
	}
	return p
}

// resolvePath returns the absolute path, symbolic links resolved, of the file
// p names, or an error if it lies outside every directory of env.Dirs. A
// relative p is relative to the first directory. The file need not exist:
// the links of its longest existing parent are resolved.
func resolvePath(env *Env, p string) (string, error) {
	if env == nil {
		return resolveIn(nil, p)
	}
	return resolveIn(env.Dirs, p)
}

func resolveIn(dirs []string, p string) (string, error) {
	if len(dirs) == 0 {
		return "", fmt.Errorf("path %q: no directories are allowed for files", p)
	}
	if p == "" || strings.IndexByte(p, 0) >= 0 {
		return "", fmt.Errorf("invalid path %q", p)
	}
	abs := p
	if !filepath.IsAbs(p) {
		abs = filepath.Join(dirs[0], p)
	}
	abs, err := filepath.Abs(abs)
	if err != nil {
		return "", fmt.Errorf("path %q: %w", p, err)
	}
	real, err := evalExisting(abs)
	if err != nil {
		return "", fmt.Errorf("path %q: %w", p, err)
	}
	for _, d := range dirs {
		d, err := filepath.Abs(d)
		if err != nil {
			continue
		}
		if d, err = filepath.EvalSymlinks(d); err != nil {
			continue
		}
		if rel, err := filepath.Rel(d, real); err == nil && filepath.IsLocal(rel) {
			return real, nil
		}
	}
	return "", fmt.Errorf("path %q is outside the allowed directories (%s)", p, strings.Join(dirs, ", "))
}

// evalExisting resolves the symbolic links of the clean absolute path p, or,
// when p does not exist, of its longest existing parent. A dangling symbolic
// link is followed to its target, where writing through it would create a
// file.
func evalExisting(p string) (string, error) {
	var rest []string
	for links := 0; ; {
		real, err := filepath.EvalSymlinks(p)
		if err == nil {
			return filepath.Join(append([]string{real}, rest...)...), nil
		}
		if !errors.Is(err, fs.ErrNotExist) {
			return "", err
		}
		if target, err := os.Readlink(p); err == nil {
			if links++; links > 255 {
				return "", fmt.Errorf("%s: too many levels of symbolic links", p)
			}
			if !filepath.IsAbs(target) {
				target = filepath.Join(filepath.Dir(p), target)
			}
			p = filepath.Clean(target)
			continue
		}
		parent := filepath.Dir(p)
		if parent == p {
			return "", err
		}
		rest = append([]string{filepath.Base(p)}, rest...)
		p = parent
	}
}
