package bindings

import "fmt"

// The limits WeCom documents for some calls (at most 100 userids, a time
// range of at most a month), declared in the method table and checked
// before the first call, so that a script learns which argument is wrong
// instead of meeting WeCom's errcode half-way through a loop.

// span bounds a time range given by two integer parameters in Unix
// seconds: to must not be before from, and at most days days after it.
type span struct {
	from, to string
	days     int
}

// checkLimits raises an argument error for a list longer than its
// parameter's max (or an empty required one), and for a time range the
// method's span refuses.
func (a *args) checkLimits() {
	for _, p := range a.m.params {
		if p.max == 0 || !a.has(p.name) {
			if p.max > 0 && !p.opt && !p.agent {
				a.failArg(p.name, "at least one item expected, got nil")
			}
			continue
		}
		switch n := len(a.list(p.name)); {
		case n == 0 && !p.opt:
			a.failArg(p.name, "at least one item expected, got an empty list")
		case n > p.max:
			a.failArg(p.name, "at most %d items in one call, got %d: split the list", p.max, n)
		}
	}
	if sp := a.m.span; sp != nil {
		from, to := a.int(sp.from), a.int(sp.to)
		switch {
		case to < from:
			a.failArg(sp.to, "%s (%d) is before %s (%d)", sp.to, to, sp.from, from)
		case to-from > sp.days*86400:
			a.failArg(sp.to, "the range from %s to %s is %s, more than the %d days WeCom allows: split it", sp.from, sp.to, days(to-from), sp.days)
		}
	}
}

// days is a duration in seconds as days: "31.5 days".
func days(sec int) string { return fmt.Sprintf("%.4g days", float64(sec)/86400) }
