package jobs

import (
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/wecomrunner/runner/runtime/state"
)

// What a script may never change or see, whatever dirs: says (see
// bindings.Env.ReadOnly and Private): a script that could rewrite jobs.yaml,
// a script or the state would give the next runs whatever permissions it
// liked.

// ReadOnly lists the files and directories scripts may read but not write:
// the configuration file, the directories of the jobs' scripts, and lua_path.
func (c *Config) ReadOnly() []string {
	var out []string
	add := func(p string) {
		if p != "" && !slices.Contains(out, p) {
			out = append(out, p)
		}
	}
	add(c.File)
	for _, j := range c.Jobs {
		if j.Script != "" {
			add(filepath.Dir(j.Script))
		}
	}
	for _, d := range c.LuaPath {
		add(d)
	}
	return out
}

// Private lists the files and directories scripts may neither read nor
// write: the state file with the service file beside it, the control token
// file, the runner's directory .runner beside the configuration (where the
// state and the runner's other files live by default), and the state file's
// own directory when it is kept apart from the configuration's.
func (c *Config) Private() []string {
	if c.File == "" {
		return nil
	}
	out := []string{filepath.Join(c.Dir, ".runner")}
	if c.State != "" && !strings.Contains(c.State, "://") {
		out = append(out, c.State, state.ServiceFile(c.State), ControlTokenFile(c))
		if d := filepath.Dir(c.State); d != filepath.Clean(c.Dir) && !slices.ContainsFunc(c.Dirs, func(a string) bool { return within(d, a) }) {
			out = append(out, d)
		}
	}
	return out
}

// within reports whether path p is dir or lies under it.
func within(dir, p string) bool {
	rel, err := filepath.Rel(dir, p)
	return err == nil && (rel == "." || filepath.IsLocal(rel))
}

// Widening is what a reload allowed scripts that the configuration before it
// did not: directories, environment variables, module directories.
type Widening struct {
	Time    time.Time
	File    string
	Changes []string // "dirs: +/srv", "env: +WECOM_SECRET", ...
}

func (w Widening) String() string {
	return fmt.Sprintf("%s widened what scripts may do: %s", w.File, strings.Join(w.Changes, "; "))
}

// Widened compares the permissions of scripts under two configurations: a
// directory is new unless it lies inside one allowed before.
func Widened(old, cfg *Config) []string {
	var changes []string
	newDirs := func(field string, before, after []string) {
		for _, d := range after {
			if !slices.ContainsFunc(before, func(b string) bool { return within(b, d) }) {
				changes = append(changes, field+": +"+d)
			}
		}
	}
	newDirs("dirs", old.Dirs, cfg.Dirs)
	newDirs("lua_path", old.LuaPath, cfg.LuaPath)
	for _, name := range cfg.Env {
		if !slices.Contains(old.Env, name) {
			changes = append(changes, "env: +"+name)
		}
	}
	for _, entry := range cfg.HTTPAllow {
		if !slices.Contains(old.HTTPAllow, entry) {
			changes = append(changes, "http_allow: +"+entry)
		}
	}
	return changes
}
