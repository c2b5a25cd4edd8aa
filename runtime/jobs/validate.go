package jobs

import (
	"bytes"
	"errors"
	"fmt"
	"maps"
	"math"
	"net/url"
	"os"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/dustin/go-humanize"
	"github.com/robfig/cron/v3"
	lua "github.com/yuin/gopher-lua"

	"github.com/wecomrunner/runner/bindings"

	"github.com/wecomrunner/runner/runtime/state"
	"github.com/wecomrunner/runner/runtime/vm"
)

// Problem is one thing wrong with a jobs file, located by file and line.
type Problem struct {
	File   string
	Line   int    // 0 when unknown
	Column int    // 0 when unknown
	Job    string // the job's name, empty for problems outside a job
	Msg    string

	anchor    int  // line in jobs.yaml the problem sorts by
	decode    bool // found while decoding: the value did not fit its field
	clientVar bool // an unset environment variable of a credential: in clients:, callbacks: or control_token:
}

// String formats the problem as "file:line[:column]: job "name": message".
func (p Problem) String() string {
	loc := p.File
	if p.Line > 0 {
		loc += ":" + strconv.Itoa(p.Line)
		if p.Column > 0 {
			loc += ":" + strconv.Itoa(p.Column)
		}
	}
	if p.Job != "" {
		return fmt.Sprintf("%s: job %q: %s", loc, p.Job, p.Msg)
	}
	return loc + ": " + p.Msg
}

// Problems is every problem found in a jobs file. It is the error Validate
// returns; each problem is one line of Error().
type Problems []Problem

// Error lists the problems, one a line.
func (ps Problems) Error() string {
	lines := make([]string, len(ps))
	for i, p := range ps {
		lines[i] = p.String()
	}
	return strings.Join(lines, "\n")
}

// Validate checks the whole configuration and reports every problem at once,
// as Problems sorted by line. On success it has also prepared the jobs to run:
// time zones loaded, schedules parsed and every script compiled once (a script
// shared by several jobs is compiled once).
func (c *Config) Validate() error {
	v := &validator{
		c:        c,
		problems: slices.Clone(c.problems),
		zones:    make(map[string]zone),
		scripts:  make(map[string]compiled),
		names:    make(map[string]int),
		now:      time.Now(),
	}
	v.config()
	for _, j := range c.Jobs {
		v.job(j)
	}
	v.dropEchoes()
	if c.clientVarsOptional {
		v.problems = slices.DeleteFunc(v.problems, func(p Problem) bool { return p.clientVar })
	}
	sort.SliceStable(v.problems, func(a, b int) bool {
		pa, pb := v.problems[a], v.problems[b]
		if pa.sortLine() != pb.sortLine() {
			return pa.sortLine() < pb.sortLine()
		}
		return pa.lineIn(c.File) < pb.lineIn(c.File)
	})
	c.Validated = len(v.problems) == 0
	if !c.Validated {
		return v.problems
	}
	return nil
}

// sortLine is the line of jobs.yaml the problem belongs to: its job's, or its
// own.
func (p Problem) sortLine() int {
	if p.anchor != 0 {
		return p.anchor
	}
	return p.Line
}

// lineIn orders the problems of one job: by line in file, then those in
// other files (the script).
func (p Problem) lineIn(file string) int {
	if p.File != file {
		return math.MaxInt
	}
	return p.Line
}

type zone struct {
	loc *time.Location
	err error
}

type compiled struct {
	proto *lua.FunctionProto
	err   error
}

type validator struct {
	c        *Config
	problems Problems
	zones    map[string]zone     // loaded time zones by name
	scripts  map[string]compiled // compiled scripts by path
	names    map[string]int      // job names seen, with their line
	now      time.Time
}

var (
	namePattern  = regexp.MustCompile(`^[\p{L}\p{N}][\p{L}\p{N}._-]{0,99}$`)
	envNameRegex = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)
)

// config checks the top-level fields.
func (v *validator) config() {
	c := v.c
	top := func(at, format string, args ...any) {
		v.problems = append(v.problems, Problem{File: c.File, Line: c.line(at), Msg: at + ": " + fmt.Sprintf(format, args...)})
	}
	if loc, err := v.zone(c.Timezone); err != nil {
		top("timezone", "%v", err)
	} else {
		c.Location = loc
	}
	if scheme, _, ok := strings.Cut(c.State, "://"); ok {
		if scheme != "redis" && scheme != "rediss" {
			top("state", "unsupported store %q: use a file path or redis://host:port/db", scheme)
		} else if _, err := state.ParseRedisURL(c.State); err != nil {
			top("state", "not a valid redis:// URL") // the URL may hold a password: not shown
		}
	}
	if c.History < 1 {
		top("history", "must be at least 1, not %d", c.History)
	}
	if c.Grace < 0 {
		top("grace", "must not be negative")
	}
	v.callbacks(top)

	for _, name := range slices.Sorted(maps.Keys(c.Clients)) {
		cc := c.Clients[name]
		at := "clients." + name
		if !namePattern.MatchString(name) {
			top(at, "a client name uses letters, digits, '.', '-' and '_'")
		}
		if cc.CorpID == "" && !v.unset(at+".corp_id") {
			top(at, "corp_id is required")
		}
		if cc.Secret == "" && !v.unset(at+".secret") {
			top(at, "secret is required (write it as ${VARIABLE} and set the variable)")
		}
		if cc.AgentID < 0 {
			top(at+".agent_id", "must not be negative")
		}
		if cc.Timeout < 0 {
			top(at+".timeout", "must not be negative")
		}
		if _, err := ParseRateLimit(cc.RateLimit.bad); cc.RateLimit.bad != "" {
			top(at+".rate_limit", "%v", err)
		}
		if _, err := ParseRateLimitWait(cc.RateLimitWait.bad); cc.RateLimitWait.bad != "" {
			top(at+".rate_limit_wait", "%v", err)
		}
		if cc.BaseURL != "" {
			u, err := url.Parse(cc.BaseURL)
			if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
				top(at+".base_url", "not an http:// or https:// URL")
			}
		}
	}
	for i, dir := range c.LuaPath {
		if err := isDir(dir); err != nil {
			top(fmt.Sprintf("lua_path.%d", i), "%v", err)
		}
	}
	for i, dir := range c.Dirs {
		if _, err := os.Stat(dir); c.defaultDirs && errors.Is(err, os.ErrNotExist) {
			continue // created on demand
		}
		if err := isDir(dir); err != nil {
			top(fmt.Sprintf("dirs.%d", i), "%v", err)
		}
	}
	for i, name := range c.Env {
		if !envNameRegex.MatchString(name) {
			top(fmt.Sprintf("env.%d", i), "%q is not an environment variable name", name)
		}
	}
	for i, entry := range c.HTTPAllow {
		if err := bindings.CheckHTTPAllow(entry); err != nil {
			top(fmt.Sprintf("http_allow.%d", i), "%v", err)
		}
	}
	if n := len(c.ControlToken); n > 0 && n < minControlToken {
		top("control_token", "%d characters, fewer than %d: use a long random value (openssl rand -hex 32)", n, minControlToken)
	}
	if c.PublicURL != "" {
		u, err := url.Parse(c.PublicURL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			top("public_url", "not an http:// or https:// URL")
		}
	}
}

// dropEchoes drops the problems found on a line whose value could not be
// decoded: they only repeat that problem with the zero value in its place.
func (v *validator) dropEchoes() {
	undecoded := make(map[int]bool)
	for _, p := range v.problems {
		if p.decode {
			undecoded[p.Line] = true
		}
	}
	v.problems = slices.DeleteFunc(v.problems, func(p Problem) bool {
		return !p.decode && p.File == v.c.File && undecoded[p.Line]
	})
}

// unset reports whether the value at a YAML path already has an unset
// variable problem.
func (v *validator) unset(at string) bool {
	line := v.c.line(at)
	for _, p := range v.c.problems {
		if p.Line == line && strings.HasPrefix(p.Msg, at+":") {
			return true
		}
	}
	return false
}

// job checks one job and prepares it: location, schedule and compiled script.
func (v *validator) job(j *Job) {
	c := v.c
	// line finds a field's line: on the job, else in defaults:, else the job's.
	line := func(field string) int {
		if n, ok := c.lines[fmt.Sprintf("jobs.%d.%s", j.index, field)]; ok {
			return n
		}
		if n, ok := c.lines["defaults."+field]; ok {
			return n
		}
		return j.Line
	}
	bad := func(field, format string, args ...any) {
		msg := fmt.Sprintf(format, args...)
		if field != "" {
			msg = field + ": " + msg
		}
		v.problems = append(v.problems, Problem{File: c.File, Line: line(field), Job: j.Name, Msg: msg, anchor: j.Line})
	}

	switch first, seen := v.names[j.Name]; {
	case j.Name == "":
		bad("name", "required")
	case !namePattern.MatchString(j.Name):
		bad("name", "use letters, digits, '.', '-' and '_' (at most 100)")
	case seen:
		bad("name", "duplicate: the same name is used at line %d", first)
	default:
		v.names[j.Name] = j.Line
	}

	loc, err := v.zone(j.Timezone)
	if err != nil {
		bad("timezone", "%v", err)
	}
	j.Location = loc
	if j.Schedule == "" && len(j.On) == 0 {
		bad("schedule", "required, unless on: says which events run the job")
	} else if j.Schedule != "" && loc != nil {
		sched, err := ParseSchedule(j.Schedule, loc)
		switch {
		case err != nil:
			bad("schedule", "%v", err)
		case sched.Next(v.now.In(loc)).IsZero():
			bad("schedule", "%q never fires", j.Schedule)
		default:
			j.CronSchedule = sched
		}
	}

	switch {
	case j.Script == "":
		bad("script", "required")
	default:
		s, ok := v.scripts[j.Script]
		if !ok {
			s.proto, s.err = compileScript(j.Script)
			v.scripts[j.Script] = s
		}
		j.Proto = s.proto
		var se *vm.SyntaxError
		switch {
		case errors.As(s.err, &se):
			v.problems = append(v.problems, Problem{File: j.Script, Line: se.Line, Column: se.Column, Job: j.Name, Msg: se.Msg, anchor: j.Line})
		case s.err != nil:
			bad("script", "%v", s.err)
		}
	}

	v.on(j, func(path, format string, args ...any) {
		msg := strings.TrimPrefix(path, fmt.Sprintf("jobs.%d.", j.index)) + ": " + fmt.Sprintf(format, args...)
		v.problems = append(v.problems, Problem{File: c.File, Line: c.line(path), Job: j.Name, Msg: msg, anchor: j.Line})
	})

	if _, ok := c.Clients[j.Client]; j.Client != "" && !ok {
		bad("client", "no client %q in clients:%s", j.Client, listOf(c.Clients))
	} else if j.Client == "" && len(c.Clients) > 1 {
		bad("client", "required when several clients are configured:%s", listOf(c.Clients))
	}
	c.checkNotify(j.Notify, bad)
	if j.Timeout <= 0 {
		bad("timeout", "must be positive, not %v", j.Timeout)
	}
	switch j.Concurrency {
	case ConcurrencyForbid, ConcurrencyAllow, ConcurrencyReplace:
	default:
		bad("concurrency", "%q is not forbid, allow or replace", j.Concurrency)
	}
	r := j.Retries
	if r.Max < 0 {
		bad("retries.max", "must not be negative")
	}
	if r.Backoff <= 0 {
		bad("retries.backoff", "must be positive")
	}
	if r.MaxBackoff < r.Backoff {
		bad("retries.max_backoff", "%v is shorter than retries.backoff (%v)", r.MaxBackoff, r.Backoff)
	}
	switch j.Catchup {
	case CatchupSkip, CatchupOnce:
	default:
		bad("catchup", "%q is not skip or once", j.Catchup)
	}
	switch {
	case j.logLimitErr != nil:
		bad("log_limit", "%v", j.logLimitErr)
	case j.LogLimit < minLogLimit || j.LogLimit > MaxLogLimit:
		bad("log_limit", "%s is not between %s and %s", humanize.Bytes(uint64(j.LogLimit)), humanize.Bytes(minLogLimit), humanize.Bytes(MaxLogLimit))
	}
	if j.StartingDeadline < 0 {
		bad("starting_deadline", "must not be negative")
	}
	if j.Jitter < 0 {
		bad("jitter", "must not be negative")
	} else if gap := minInterval(j.CronSchedule, v.now); j.Jitter > 0 && gap > 0 && j.Jitter >= gap {
		bad("jitter", "%v is not shorter than the time between firings (%v)", j.Jitter, gap)
	}
}

func (v *validator) zone(name string) (*time.Location, error) {
	z, ok := v.zones[name]
	if !ok {
		z.loc, z.err = time.LoadLocation(name)
		if z.err != nil {
			z.err = fmt.Errorf("unknown time zone %q", name)
		}
		v.zones[name] = z
	}
	return z.loc, z.err
}

// scheduleParser accepts 5 fields, 6 with seconds first, and descriptors
// (@daily, @every 1h).
var scheduleParser = cron.NewParser(cron.SecondOptional | cron.Minute | cron.Hour |
	cron.Dom | cron.Month | cron.Dow | cron.Descriptor)

// ParseSchedule parses a schedule evaluated in loc. robfig/cron panics on some
// malformed specs; the panic becomes an error.
func ParseSchedule(spec string, loc *time.Location) (s cron.Schedule, err error) {
	if strings.HasPrefix(spec, "TZ=") || strings.HasPrefix(spec, "CRON_TZ=") {
		return nil, errors.New("write the time zone as timezone: on the job, not as TZ= or CRON_TZ= in the schedule")
	}
	if rest, ok := strings.CutPrefix(spec, "@every "); ok {
		if d, err := time.ParseDuration(strings.TrimSpace(rest)); err == nil && (d < time.Second || d%time.Second != 0) {
			return nil, fmt.Errorf("%q: @every takes whole seconds, at least 1s", spec)
		}
	}
	defer func() {
		if r := recover(); r != nil {
			s, err = nil, fmt.Errorf("%q is not a valid schedule", spec)
		}
	}()
	s, err = scheduleParser.Parse(spec)
	if err != nil {
		return nil, fmt.Errorf("%q: %v", spec, err)
	}
	switch sched := s.(type) {
	case *cron.SpecSchedule:
		sched.Location = loc
	case cron.ConstantDelaySchedule:
		s = everySchedule(sched.Delay)
	}
	return s, nil
}

// everySchedule fires at the multiples of its interval since the Unix epoch.
// robfig/cron's @every counts from the moment it is asked, so two instances
// started a few seconds apart would fire at different instants; these are
// the same on every machine, which is what claiming a firing needs.
type everySchedule time.Duration

// Next returns the first multiple of the interval after t.
func (e everySchedule) Next(t time.Time) time.Time {
	d := time.Duration(e)
	return t.Truncate(d).Add(d)
}

// minInterval returns the shortest time between the next few firings after
// t, or 0 without a schedule.
func minInterval(s cron.Schedule, t time.Time) time.Duration {
	if s == nil {
		return 0
	}
	var gap time.Duration
	prev := s.Next(t)
	for range 5 {
		next := s.Next(prev)
		if prev.IsZero() || next.IsZero() {
			break
		}
		if d := next.Sub(prev); gap == 0 || d < gap {
			gap = d
		}
		prev = next
	}
	return gap
}

// compileScript compiles a script file with Compile. A first line starting
// with '#' (a shebang) is blanked, as the Lua interpreter ignores it.
func compileScript(path string) (*lua.FunctionProto, error) {
	if err := vm.StatScript(path); errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("%s: no such file", path)
	} else if err != nil {
		return nil, err
	}
	src, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	if bytes.HasPrefix(src, []byte("#")) {
		end := bytes.IndexByte(src, '\n')
		if end < 0 {
			end = len(src)
		}
		src = append(bytes.Repeat([]byte(" "), end), src[end:]...)
	}
	proto, err := vm.CompileReader(bytes.NewReader(src), path)
	var se *vm.SyntaxError
	if err != nil && !errors.As(err, &se) {
		return nil, fmt.Errorf("%s: %v", path, err)
	}
	return proto, err
}

func isDir(path string) error {
	fi, err := os.Stat(path)
	switch {
	case errors.Is(err, os.ErrNotExist):
		return fmt.Errorf("%s: no such directory", path)
	case err != nil:
		return err
	case !fi.IsDir():
		return fmt.Errorf("%s: not a directory", path)
	}
	return nil
}

// listOf is how a problem lists the names of m: sorted, after a space, or
// " none".
func listOf[V any](m map[string]V) string {
	if len(m) == 0 {
		return " none"
	}
	return " " + strings.Join(slices.Sorted(maps.Keys(m)), ", ")
}
