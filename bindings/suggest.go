package bindings

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	lua "github.com/yuin/gopher-lua"
)

// Reading a name that a module does not have is an error that names it and
// the nearest names the module has, so that a typo (wecom.user.gett) stops
// the script where it is, with its fix, instead of failing later with
// "attempt to call a non-function object".

// strict makes reading a missing string key of t raise
// `<what> has no function "key"; did you mean "..."?`, with the suggestions
// taken from t's own keys. Other keys (numbers, ...) read nil as usual.
func strict(L *lua.LState, t *lua.LTable, what string) {
	mt := L.CreateTable(0, 1)
	mt.RawSetString("__index", L.NewFunction(func(L *lua.LState) int {
		key, ok := L.Get(2).(lua.LString)
		if !ok {
			return 0
		}
		noSuch(L, what, "function", string(key), stringKeys(t))
		return 0
	}))
	t.Metatable = mt
}

// noSuch raises the error of a missing name: `<what> has no <kind> "name"`,
// then the nearest of names, or all of them when none is near.
func noSuch(L *lua.LState, what, kind, name string, names []string) {
	slices.Sort(names)
	names = slices.Compact(names)
	msg := fmt.Sprintf("%s has no %s %q", what, kind, name)
	if hint := didYouMean(suggest(name, names)); hint != "" {
		msg += hint
	} else if len(names) > 0 {
		msg += fmt.Sprintf(" (its %ss: %s)", kind, strings.Join(names, ", "))
	}
	L.RaiseError("%s", msg)
}

// didYouMean is `; did you mean "x"?`, or one of several, with the names
// near (those suggest returned), or "" when there are none.
func didYouMean(near []string) string {
	switch {
	case len(near) == 1:
		return fmt.Sprintf("; did you mean %q?", near[0])
	case len(near) > 1:
		return "; did you mean one of " + quoteList(near) + "?"
	}
	return ""
}

// suggestModule is the last of package.loaders, asked only for a module
// that no other loader found: when a module that require can load is near
// its name (wecom.usr for wecom.user), it raises the error
// `module "wecom.usr" not found; did you mean "wecom.user"?`; otherwise it
// adds nothing to require's own message. The modules are those preloaded
// and the .lua files directly in the directories of package.path.
func suggestModule(L *lua.LState) int {
	name := L.CheckString(1)
	pkg := L.GetGlobal("package")
	var names []string
	if preload, ok := L.GetField(pkg, "preload").(*lua.LTable); ok {
		names = stringKeys(preload)
	}
	if path, ok := L.GetField(pkg, "path").(lua.LString); ok {
		for _, p := range strings.Split(string(path), ";") {
			dir, ok := strings.CutSuffix(p, "?.lua")
			if !ok {
				continue
			}
			entries, _ := os.ReadDir(filepath.Clean(dir + "."))
			for _, e := range entries {
				if m, ok := strings.CutSuffix(e.Name(), ".lua"); ok && !e.IsDir() {
					names = append(names, m)
				}
			}
		}
	}
	if near := nearModules(name, names); len(near) > 0 {
		L.RaiseError("module %q not found%s", name, didYouMean(near))
	}
	return 0
}

// nearModules returns the names of modules nearest to name: for a dotted
// name (wecom.usr), first those of the same parent (wecom.user) whose last
// part is near name's, then those whose whole name is near.
func nearModules(name string, names []string) []string {
	if i := strings.LastIndexByte(name, '.'); i >= 0 {
		parent, last := name[:i+1], name[i+1:]
		var siblings []string
		for _, n := range names {
			if s, ok := strings.CutPrefix(n, parent); ok {
				siblings = append(siblings, s)
			}
		}
		if near := suggest(last, siblings); len(near) > 0 {
			for i := range near {
				near[i] = parent + near[i]
			}
			return near
		}
	}
	slices.Sort(names)
	return suggest(name, slices.Compact(names))
}

// stringKeys returns the string keys of t.
func stringKeys(t *lua.LTable) []string {
	var keys []string
	t.ForEach(func(k, _ lua.LValue) {
		if s, ok := k.(lua.LString); ok {
			keys = append(keys, string(s))
		}
	})
	return keys
}

// maxSuggestions bounds the names a message suggests.
const maxSuggestions = 3

// suggest returns the names nearest to name, nearest first: those within a
// few edits (a third of the name's length, at least one; a swap of two
// letters is one edit), or else those that contain name or that name
// contains, as `send` for send_text. Case is ignored.
func suggest(name string, names []string) []string {
	type scored struct {
		name string
		d    int
	}
	lower := strings.ToLower(name)
	limit := max(1, len([]rune(name))/3)
	var near, parts []scored
	for _, n := range names {
		ln := strings.ToLower(n)
		if d := EditDistance(lower, ln); d <= limit {
			near = append(near, scored{n, d})
		} else if len(lower) >= 3 && (strings.Contains(ln, lower) || strings.Contains(lower, ln) && len(ln) >= 3) {
			parts = append(parts, scored{n, abs(len(ln) - len(lower))})
		}
	}
	if len(near) == 0 {
		near = parts
	}
	slices.SortFunc(near, func(a, b scored) int {
		if a.d != b.d {
			return a.d - b.d
		}
		return strings.Compare(a.name, b.name)
	})
	var out []string
	for _, s := range near[:min(len(near), maxSuggestions)] {
		out = append(out, s.name)
	}
	return out
}

// EditDistance is the optimal string alignment distance of a and b: the
// insertions, deletions, substitutions and swaps of adjacent characters
// that turn one into the other. The names a script mistypes are measured
// with it, and so are those of jobs.yaml.
func EditDistance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	// Three rows of the distance matrix: i-2, i-1 and i.
	prev2 := make([]int, len(rb)+1)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && ra[i-1] == rb[j-2] && ra[i-2] == rb[j-1] {
				cur[j] = min(cur[j], prev2[j-2]+1)
			}
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return prev[len(rb)]
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}

// quoteList renders names as `"a", "b" or "c"`.
func quoteList(names []string) string {
	q := make([]string, len(names))
	for i, n := range names {
		q[i] = fmt.Sprintf("%q", n)
	}
	if len(q) == 1 {
		return q[0]
	}
	return strings.Join(q[:len(q)-1], ", ") + " or " + q[len(q)-1]
}
