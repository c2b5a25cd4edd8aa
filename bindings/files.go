package bindings

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// The file area of a run: the allowed directories (Env.Dirs) less what a
// script must never change (Env.ReadOnly) or see (Env.Private). Every module
// that touches files (fs, csv, media uploads and downloads) goes through it.
//
// A path is first located: made absolute against the first allowed
// directory, its symbolic links resolved, and checked to lie inside an
// allowed directory and outside the protected paths. The file is then
// opened through an os.Root of that allowed directory, by its path relative
// to it, so that a symbolic link swapped in after the check cannot lead
// outside the directory; and a file opened for writing (or a private one
// opened for reading) is compared with the protected files it could have
// become, before a byte is written.

// area is the file area of a run.
type area struct {
	dirs     []string
	readOnly []string
	private  []string
}

func newArea(env *Env) *area {
	if env == nil {
		return &area{}
	}
	return &area{dirs: env.Dirs, readOnly: env.ReadOnly, private: env.Private}
}

// target is a located path: the allowed directory that holds it and its
// path relative to that directory, symbolic links resolved.
type target struct {
	name  string // as the script wrote it, for messages
	dir   string // the allowed directory, symbolic links resolved
	rel   string // relative to dir; "." for dir itself
	write bool   // located for writing
	area  *area
}

// path is the absolute path of the target.
func (t *target) path() string { return filepath.Join(t.dir, t.rel) }

// locate finds the file p names, for reading or for writing. The error
// names p and says why it may not be used.
func (a *area) locate(p string, write bool) (*target, error) {
	if len(a.dirs) == 0 {
		return nil, fmt.Errorf("path %q: no directories are allowed for files", p)
	}
	if p == "" || strings.IndexByte(p, 0) >= 0 {
		return nil, fmt.Errorf("invalid path %q", p)
	}
	abs := p
	if !filepath.IsAbs(p) {
		abs = filepath.Join(a.dirs[0], p)
	}
	real, err := realPath(abs)
	if err != nil {
		return nil, fmt.Errorf("path %q: %w", p, err)
	}
	// The innermost allowed directory holds the file: its protection
	// decides.
	t := &target{name: p, write: write, area: a}
	for _, d := range a.dirs {
		d, err := realPath(d)
		if err != nil {
			continue
		}
		if rel, ok := within(d, real); ok && len(d) > len(t.dir) {
			t.dir, t.rel = d, rel
		}
	}
	if t.dir == "" {
		return nil, fmt.Errorf("path %q is outside the allowed directories (%s)", p, strings.Join(a.dirs, ", "))
	}
	for _, x := range a.private {
		if x, err := realPath(x); err == nil {
			if _, ok := within(x, real); ok {
				return nil, fmt.Errorf("path %q is the runner's state (%s), which scripts may not read or write", p, x)
			}
		}
	}
	if write {
		for _, x := range a.readOnly {
			x, err := realPath(x)
			if err != nil {
				continue
			}
			if _, ok := within(x, real); !ok {
				continue
			}
			// An allowed directory strictly inside a protected one (data/
			// beside the scripts) stays writable, but not for Lua code
			// that require could load.
			if _, nested := within(x, t.dir); nested && t.dir != x && !strings.EqualFold(filepath.Ext(real), ".lua") {
				continue
			}
			return nil, fmt.Errorf("path %q is in %s, which scripts may read but not change", p, x)
		}
	}
	return t, nil
}

// within returns the path of p relative to dir when p is dir or lies under
// it; both are clean and absolute.
func within(dir, p string) (string, bool) {
	rel, err := filepath.Rel(dir, p)
	if err != nil || !filepath.IsLocal(rel) && rel != "." {
		return "", false
	}
	return rel, true
}

// realPath is the absolute path p, with the symbolic links of its longest
// existing part resolved.
func realPath(p string) (string, error) {
	abs, err := filepath.Abs(p)
	if err != nil {
		return "", err
	}
	return evalExisting(abs)
}

// root opens the target's allowed directory. A directory that does not
// exist yet (the default data directory) is created for a write.
func (t *target) root() (*os.Root, error) {
	r, err := os.OpenRoot(t.dir)
	if errors.Is(err, fs.ErrNotExist) && t.write {
		if err = os.MkdirAll(t.dir, 0o755); err == nil {
			r, err = os.OpenRoot(t.dir)
		}
	}
	return r, t.pathErr(err)
}

// pathErr rewrites a file system error to name the target as the script
// wrote it rather than by its path inside the root.
func (t *target) pathErr(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		op := strings.TrimSuffix(pe.Op, "at")
		return &fs.PathError{Op: op, Path: t.name, Err: pe.Err}
	}
	return err
}

// open opens the target with flag (os.O_RDONLY, or os.O_WRONLY|os.O_CREATE;
// never O_TRUNC: a file to write is truncated once it is known not to be a
// protected one).
func (t *target) open(flag int) (*os.File, error) {
	r, err := t.root()
	if err != nil {
		return nil, err
	}
	defer r.Close()
	f, err := r.OpenFile(t.rel, flag, 0o644)
	if err != nil {
		return nil, t.pathErr(err)
	}
	if err := t.area.checkOpened(t, f); err != nil {
		f.Close()
		return nil, err
	}
	return f, nil
}

// checkOpened refuses an opened file that is one of the protected files:
// reached through a symbolic link that changed after the path was located.
func (a *area) checkOpened(t *target, f *os.File) error {
	st, err := f.Stat()
	if err != nil {
		return t.pathErr(err)
	}
	return a.checkStat(t, st)
}

// checkStat refuses a file, described by st, that is a private file, or for
// a write, a read-only one.
func (a *area) checkStat(t *target, st fs.FileInfo) error {
	protected := a.private
	if t.write {
		protected = append(append([]string(nil), a.private...), a.readOnly...)
	}
	for _, x := range protected {
		if xs, err := os.Stat(x); err == nil && os.SameFile(st, xs) {
			return fmt.Errorf("path %q is %s, which scripts may not use", t.name, x)
		}
	}
	return nil
}

// openFile opens the target, a regular file, for reading, and returns its
// size.
func (t *target) openFile() (*os.File, int64, error) {
	f, err := t.open(os.O_RDONLY)
	if err != nil {
		return nil, 0, err
	}
	st, err := f.Stat()
	if err == nil && !st.Mode().IsRegular() {
		err = fmt.Errorf("%s is not a regular file", t.name)
	}
	if err != nil {
		f.Close()
		return nil, 0, err
	}
	return f, st.Size(), nil
}

// readFile returns the content of the target, a regular file of at most max
// bytes.
func (t *target) readFile(max int64) ([]byte, error) {
	return t.readBounded(max, "a file read at once", func(r io.Reader, _ int64) ([]byte, error) { return io.ReadAll(r) })
}

// readBounded returns what read reads of the target, a regular file of at
// most max bytes (what, as "a CSV file", names such a file in the errors):
// read is given the file, cut after max+1 bytes, and its size.
func (t *target) readBounded(max int64, what string, read func(r io.Reader, size int64) ([]byte, error)) ([]byte, error) {
	f, size, err := t.openFile()
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if size > max {
		return nil, fmt.Errorf("%s: %d bytes, more than the %d %s may have", t.name, size, max, what)
	}
	data, err := read(io.LimitReader(f, max+1), size)
	if err == nil && int64(len(data)) > max {
		err = fmt.Errorf("%s: more than the %d bytes %s may have", t.name, max, what)
	}
	return data, t.pathErr(err)
}

// create opens the target for writing, empty.
func (t *target) create() (*os.File, error) {
	f, err := t.open(os.O_WRONLY | os.O_CREATE)
	if err != nil {
		return nil, err
	}
	if err := f.Truncate(0); err != nil {
		f.Close()
		return nil, t.pathErr(err)
	}
	return f, nil
}

// writeFile replaces the content of the target with data.
func (t *target) writeFile(data []byte) error {
	f, err := t.create()
	if err != nil {
		return err
	}
	_, err = f.Write(data)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return t.pathErr(err)
}

// save writes what r yields to the target through a temporary file beside
// it, renamed over it at the end, so that a transfer that fails leaves no
// partial file behind.
func (t *target) save(r io.Reader) (int64, error) {
	root, err := t.root()
	if err != nil {
		return 0, err
	}
	defer root.Close()
	tmpName := filepath.Join(filepath.Dir(t.rel), fmt.Sprintf(".%s.%d.tmp", filepath.Base(t.rel), os.Getpid()))
	tmp := &target{name: t.name, dir: t.dir, rel: tmpName, write: true, area: t.area}
	f, err := root.OpenFile(tmpName, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return 0, t.pathErr(err)
	}
	n, err := io.Copy(f, r)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		if st, serr := root.Stat(t.rel); serr == nil {
			err = t.area.checkStat(tmp, st)
		}
	}
	if err == nil {
		err = t.pathErr(root.Rename(tmpName, t.rel))
	}
	if err != nil {
		root.Remove(tmpName)
		return 0, err
	}
	return n, nil
}

// stat describes the target; a missing file is fs.ErrNotExist.
func (t *target) stat() (fs.FileInfo, error) {
	r, err := os.OpenRoot(t.dir)
	if err != nil {
		return nil, t.pathErr(err)
	}
	defer r.Close()
	st, err := r.Stat(t.rel)
	return st, t.pathErr(err)
}

// mkdirAll creates the target directory and its parents.
func (t *target) mkdirAll() error {
	r, err := t.root()
	if err != nil {
		return err
	}
	defer r.Close()
	if t.rel == "." {
		return nil
	}
	return t.pathErr(r.MkdirAll(t.rel, 0o755))
}

// readDir lists the target directory, sorted by name.
func (t *target) readDir() ([]fs.DirEntry, error) {
	r, err := os.OpenRoot(t.dir)
	if err != nil {
		return nil, t.pathErr(err)
	}
	defer r.Close()
	entries, err := fs.ReadDir(r.FS(), filepath.ToSlash(t.rel))
	return entries, t.pathErr(err)
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
