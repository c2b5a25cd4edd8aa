package jobs

import (
	"bytes"
	"cmp"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/dustin/go-humanize"
	"github.com/robfig/cron/v3"
	lua "github.com/yuin/gopher-lua"
	"gopkg.in/yaml.v3"

	"github.com/wecomrunner/runner/runtime/state"
	"github.com/wecomrunner/runner/runtime/vm"
)

// Defaults for the fields of jobs.yaml that are not set.
const (
	DefaultTimezone   = "Asia/Shanghai"
	DefaultState      = ".runner/state.db"
	DefaultGrace      = time.Minute
	DefaultTimeout    = time.Hour
	DefaultBackoff    = 30 * time.Second
	DefaultMaxBackoff = 10 * time.Minute
	// DefaultData is the directory scripts may use when dirs: is unset,
	// beside jobs.yaml; it is created when a script first writes to it.
	DefaultData = "data"
	// DefaultLogLimit bounds the stored log of one run (10 MB).
	DefaultLogLimit = 10_000_000
)

// The bounds of log_limit.
const (
	minLogLimit = 1_000         // 1 kB: a few lines
	MaxLogLimit = 1_000_000_000 // 1 GB
)

// Config is a loaded jobs.yaml. Parse fills it from the file; Validate checks
// it and prepares its jobs to run. Only a validated Config can be scheduled.
//
// The file's defaults: section sets client, timeout, concurrency, retries,
// catchup, starting_deadline, jitter and log_limit for the jobs that do not
// set them; it is applied to Jobs by Parse. Durations are Go durations ("90s",
// "30m", "1h30m"); sizes are bytes with an optional unit ("10MB", "512kB",
// "1GiB").
type Config struct {
	// File is the path the configuration was read from.
	File string
	// Dir is the directory of File; relative paths in the file resolve
	// against it.
	Dir string

	// Timezone (timezone:) is the IANA name of the default time zone of job
	// schedules; Asia/Shanghai when unset.
	Timezone string
	// State (state:) selects the state store: a bbolt file (default
	// .runner/state.db) or a redis:// URL. ${VAR} is expanded.
	State string
	// Clients (clients:) are the WeCom clients scripts may use, by name.
	Clients map[string]ClientConfig
	// History (history:) is how many runs are kept per job; 100 when unset.
	History int
	// Grace (grace:) is how long shutdown waits for running jobs before
	// cancelling them; 1m when unset.
	Grace time.Duration
	// LuaPath (lua_path:) lists directories of Lua modules that scripts may
	// require, besides the script's own directory.
	LuaPath []string
	// Dirs (dirs:) lists the directories scripts may read and write files in
	// (fs, csv, media uploads); DefaultData beside jobs.yaml when unset.
	// Whatever it says, scripts never write the configuration, the scripts
	// and lua_path, nor read or write the state (see ReadOnly and Private).
	Dirs []string
	// Env (env:) is the allow-list of environment variables scripts may read.
	Env []string
	// HTTPAllow (http_allow:) lists what the http module may reach besides
	// public addresses: host names (hr.example.com, *.corp.example),
	// addresses and networks (10.2.0.0/16). Loopback, private, link-local
	// and reserved addresses are refused unless listed.
	HTTPAllow []string
	// Callbacks (callbacks:) are the callback URLs WeCom pushes events to,
	// by name: runner serve answers /callback/NAME.
	Callbacks map[string]CallbackConfig
	// Events (events:) bounds the queue and the concurrent runs of jobs
	// triggered by events.
	Events EventsConfig
	// MemoryLimit (memory_limit:, "512MiB", "1GiB") bounds the heap while
	// scripts run (see DefaultMemoryLimit, the default).
	MemoryLimit uint64
	// Jobs (jobs:) are the scheduled jobs, in file order.
	Jobs []*Job
	// ControlToken (control_token:) is the token of the control API and the
	// console's forms, written as ${VAR}. When unset, runner serve makes a
	// random one in a file next to the state (ControlTokenFile), for the
	// command line of the same machine; serving on an address other than
	// loopback then refuses to start.
	ControlToken string
	// PublicURL (public_url:) is the address at which people reach the
	// console, used for the links in alerts ("https://runner.example.com/").
	PublicURL string

	// Location is the time zone named by Timezone; set by Validate.
	Location *time.Location

	defaultDirs bool // Dirs is the default, created on demand

	lines     map[string]int // YAML path ("jobs.3.schedule") to line
	problems  Problems       // found while parsing, reported by Validate
	Validated bool           // set by Validate when it found no problem: only a validated Config is scheduled

	clientVarsOptional bool // see ClientVariablesOptional
}

// ClientConfig is one WeCom client (an app, or the contacts sync) of clients:.
// CorpID, Secret and BaseURL may be written as ${VAR} and are then read from
// the environment.
type ClientConfig struct {
	// CorpID (corp_id:) is the organisation's corp id.
	CorpID string `yaml:"corp_id"`
	// Secret (secret:) is the app's or the contacts sync's secret. It is
	// never printed.
	Secret string `yaml:"secret"`
	// AgentID (agent_id:) is the app's agent id, the default for calls that
	// need one (messages).
	AgentID int `yaml:"agent_id"`
	// BaseURL (base_url:) replaces https://qyapi.weixin.qq.com, for private
	// deployments and the emulator.
	BaseURL string `yaml:"base_url"`
	// Timeout (timeout:) bounds each HTTP exchange with WeCom; 30s when unset.
	// The job's timeout bounds the whole run.
	Timeout time.Duration `yaml:"timeout"`
	// RateLimit (rate_limit:) is the client's own limit, in calls a minute
	// per API, or off.
	RateLimit RateLimit `yaml:"rate_limit"`
	// RateLimitWait (rate_limit_wait:) bounds the time a call waits for
	// WeCom's frequency limit (45009, 45033) to pass; 2m when unset.
	RateLimitWait RateLimitWait `yaml:"rate_limit_wait"`
}

// String describes the client without its secret.
func (c ClientConfig) String() string {
	return fmt.Sprintf("corp_id=%s agent_id=%d base_url=%s secret=[redacted]", c.CorpID, c.AgentID, c.BaseURL)
}

// GoString describes the client without its secret, for %#v.
func (c ClientConfig) GoString() string { return "jobs.ClientConfig{" + c.String() + "}" }

// Concurrency is what a firing does when the job is still running.
type Concurrency string

// The overlap policies.
const (
	ConcurrencyForbid  Concurrency = "forbid"  // skip the new firing
	ConcurrencyAllow   Concurrency = "allow"   // run both
	ConcurrencyReplace Concurrency = "replace" // cancel the running run, then start
)

// Catchup is what happens to a firing missed while the runner was not running.
type Catchup string

// The catch-up policies.
const (
	CatchupSkip Catchup = "skip" // record the missed firing as skipped
	CatchupOnce Catchup = "once" // run the latest missed firing once, within the starting deadline
)

// Retries says how often a failed attempt is tried again.
type Retries struct {
	// Max is the number of retries after the first attempt; 0 never retries.
	Max int
	// Backoff is the wait before the first retry; it doubles for each next
	// retry.
	Backoff time.Duration
	// MaxBackoff caps the wait between attempts.
	MaxBackoff time.Duration
}

// String is how a job page shows the retries: "no retries", or "2 (backoff
// 1m0s, at most 10m0s)".
func (r Retries) String() string {
	if r.Max == 0 {
		return "no retries"
	}
	return fmt.Sprintf("%d (backoff %v, at most %v)", r.Max, r.Backoff, r.MaxBackoff)
}

// Delay returns how long to wait after the given failed attempt (1 for the
// first) before the next one.
func (r Retries) Delay(attempt int) time.Duration {
	d := r.Backoff
	for i := 1; i < attempt && d < r.MaxBackoff; i++ {
		d *= 2
	}
	return min(d, r.MaxBackoff)
}

// Job is one entry of jobs:, with the defaults applied.
type Job struct {
	// Name (name:) identifies the job in logs, history and the command line.
	Name string
	// Schedule (schedule:) is a cron spec: 5 fields, or 6 with seconds first,
	// a descriptor (@daily, @hourly, ...) or @every with a duration. A job
	// with On may have none.
	Schedule string
	// On (on:) are the events that trigger the job, besides or instead of
	// its schedule.
	On []*On
	// Timezone (timezone:) is the IANA zone the schedule is evaluated in; the
	// top-level timezone when unset.
	Timezone string
	// Script (script:) is the Lua script's path, resolved against Config.Dir.
	Script string
	// Client (client:) names the default WeCom client of the script; the only
	// client when exactly one is configured.
	Client string
	// Args (args:) are the job's arguments, args.* in the script.
	Args map[string]any
	// Timeout (timeout:) bounds a run, all attempts included; 1h when unset.
	Timeout time.Duration
	// Concurrency (concurrency:) is forbid (default), allow or replace.
	Concurrency Concurrency
	// Retries (retries: {max, backoff, max_backoff}); max 0 by default,
	// backoff 30s, max_backoff 10m.
	Retries Retries
	// Catchup (catchup:) is skip (default) or once.
	Catchup Catchup
	// StartingDeadline (starting_deadline:) is how late a missed firing may
	// still start with catchup once; no limit when 0.
	StartingDeadline time.Duration
	// Jitter (jitter:) delays each scheduled start by a random duration in
	// [0, jitter).
	Jitter time.Duration
	// Enabled (enabled:) is false for a job that only runs by hand.
	Enabled bool
	// LogLimit (log_limit:) bounds the bytes of a run's stored log; later
	// lines are not stored (they still reach stderr) and a marker line says
	// so. 10 MB when unset.
	LogLimit int64
	// Notify (notify:) is who is told about the job's runs; nil for no one.
	Notify *Notify

	// File and Line locate the job in jobs.yaml.
	File string
	Line int

	// Location is the time zone of the schedule; set by Validate.
	Location *time.Location
	// Proto is the compiled script, shared by every run; set by Validate.
	Proto *lua.FunctionProto

	CronSchedule cron.Schedule // the parsed schedule, set by Validate
	index        int           // position in Config.Jobs, for line lookups
	logLimitErr  error         // why log_limit could not be read, reported by Validate
}

// UseEmulatorState points the state at a file of its own for runs against
// the WeCom emulator, so that they never write into the production history:
// emulator.db beside the state file, or in .runner/ beside jobs.yaml when
// the state is in Redis.
func (c *Config) UseEmulatorState() {
	dir := filepath.Join(c.Dir, ".runner")
	if !state.IsRedis(c.State) {
		dir = filepath.Dir(c.State)
	}
	c.State = filepath.Join(dir, "emulator.db")
}

// JobNamed returns the job with the name, or nil.
func (c *Config) JobNamed(name string) *Job {
	for _, j := range c.Jobs {
		if j.Name == name {
			return j
		}
	}
	return nil
}

// Next returns the job's first firing after t, in the job's time zone, or the
// zero time if the schedule never fires again. It needs a validated job.
func (j *Job) Next(t time.Time) time.Time {
	if j.CronSchedule == nil {
		return time.Time{}
	}
	return j.CronSchedule.Next(t.In(j.Location))
}

// The YAML shapes. Pointers distinguish "unset" (take the default) from an
// explicit zero.
type (
	fileYAML struct {
		Timezone  string                  `yaml:"timezone"`
		State     string                  `yaml:"state"`
		Clients   map[string]ClientConfig `yaml:"clients"`
		Defaults  jobOptionsYAML          `yaml:"defaults"`
		History   *int                    `yaml:"history"`
		Grace     *time.Duration          `yaml:"grace"`
		LuaPath   []string                `yaml:"lua_path"`
		Dirs      []string                `yaml:"dirs"`
		Env       []string                `yaml:"env"`
		HTTPAllow []string                `yaml:"http_allow"`
		Callbacks map[string]callbackYAML `yaml:"callbacks"`
		Events    eventsYAML              `yaml:"events"`
		Memory    string                  `yaml:"memory_limit"`
		Jobs      []jobYAML               `yaml:"jobs"`
		Token     string                  `yaml:"control_token"`
		Public    string                  `yaml:"public_url"`
	}
	// jobOptionsYAML holds what defaults: may set for every job.
	jobOptionsYAML struct {
		Client           string         `yaml:"client"`
		Timeout          *time.Duration `yaml:"timeout"`
		Concurrency      string         `yaml:"concurrency"`
		Retries          retriesYAML    `yaml:"retries"`
		Catchup          string         `yaml:"catchup"`
		StartingDeadline *time.Duration `yaml:"starting_deadline"`
		Jitter           *time.Duration `yaml:"jitter"`
		LogLimit         string         `yaml:"log_limit"`
		Notify           *notifyYAML    `yaml:"notify"`
	}
	retriesYAML struct {
		Max        *int           `yaml:"max"`
		Backoff    *time.Duration `yaml:"backoff"`
		MaxBackoff *time.Duration `yaml:"max_backoff"`
	}
	jobYAML struct {
		Name           string         `yaml:"name"`
		Schedule       string         `yaml:"schedule"`
		Timezone       string         `yaml:"timezone"`
		Script         string         `yaml:"script"`
		Args           map[string]any `yaml:"args"`
		Enabled        *bool          `yaml:"enabled"`
		On             yaml.Node      `yaml:"on"`
		jobOptionsYAML `yaml:",inline"`
	}
)

// MaxConfigSize bounds the size of a jobs file: parsing YAML takes several
// times its size in memory.
const MaxConfigSize = 4 << 20

// Load reads and parses the jobs file at path; getenv expands ${VAR}. The
// result still has to be validated.
func Load(path string, getenv func(string) string) (*Config, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return Parse(f, path, getenv)
}

// Parse reads a jobs file from r; filename names it in problems and locates
// relative paths. Values of the form ${VAR} in clients and state are read with
// getenv. Parse fails only when r is not YAML; everything else (unknown
// fields, wrong types, unset variables) is reported by Validate along with the
// other problems.
func Parse(r io.Reader, filename string, getenv func(string) string) (*Config, error) {
	src, err := io.ReadAll(io.LimitReader(r, MaxConfigSize+1))
	if err != nil {
		return nil, err
	}
	c := &Config{File: filename, Dir: filepath.Dir(filename)}
	if len(src) > MaxConfigSize {
		return nil, Problems{{File: filename, Msg: fmt.Sprintf("more than %d bytes (%d MiB), the limit of a jobs file", MaxConfigSize, MaxConfigSize>>20)}}
	}

	var root yaml.Node
	if err := yaml.Unmarshal(src, &root); err != nil {
		return nil, Problems{c.syntaxProblem(err)}
	}
	c.lines = make(map[string]int)
	indexLines(c.lines, "", &root)

	var y fileYAML
	dec := yaml.NewDecoder(bytes.NewReader(src))
	dec.KnownFields(true)
	var decodeErrs []string
	if err := dec.Decode(&y); err != nil && !errors.Is(err, io.EOF) {
		var te *yaml.TypeError
		if !errors.As(err, &te) {
			return nil, Problems{c.syntaxProblem(err)}
		}
		decodeErrs = te.Errors
	}
	c.fill(&y, getenv)
	for _, msg := range decodeErrs {
		c.problems = append(c.problems, c.decodeProblem(msg))
	}
	return c, nil
}

func (c *Config) fill(y *fileYAML, getenv func(string) string) {
	c.Timezone = cmp.Or(y.Timezone, DefaultTimezone)
	c.State = c.expand(cmp.Or(y.State, DefaultState), "state", getenv)
	if !strings.Contains(c.State, "://") {
		c.State = c.path(c.State)
	}
	c.History = state.DefaultHistory
	if y.History != nil {
		c.History = *y.History
	}
	c.Grace = DefaultGrace
	if y.Grace != nil {
		c.Grace = *y.Grace
	}
	c.Clients = make(map[string]ClientConfig, len(y.Clients))
	for name, cc := range y.Clients {
		at := "clients." + name + "."
		cc.CorpID = c.expand(cc.CorpID, at+"corp_id", getenv)
		cc.Secret = c.expand(cc.Secret, at+"secret", getenv)
		cc.BaseURL = c.expand(cc.BaseURL, at+"base_url", getenv)
		c.Clients[name] = cc
	}
	for _, p := range y.LuaPath {
		c.LuaPath = append(c.LuaPath, c.path(p))
	}
	for _, p := range y.Dirs {
		c.Dirs = append(c.Dirs, c.path(p))
	}
	if y.Dirs == nil {
		c.Dirs = []string{filepath.Join(c.Dir, DefaultData)}
		c.defaultDirs = true
	}
	c.Env = y.Env
	c.HTTPAllow = y.HTTPAllow
	c.fillEvents(y, getenv)
	c.ControlToken = c.expand(y.Token, "control_token", getenv)
	c.PublicURL = c.expand(y.Public, "public_url", getenv)
	c.MemoryLimit = vm.DefaultMemoryLimit
	if y.Memory != "" {
		n, err := ParseSize(y.Memory)
		if err == nil && n < vm.MinMemoryLimit {
			err = fmt.Errorf("less than the minimum of %d MiB", vm.MinMemoryLimit>>20)
		}
		if err != nil {
			c.problems = append(c.problems, Problem{File: c.File, Line: c.line("memory_limit"), Msg: fmt.Sprintf("memory_limit: %v", err)})
		}
		c.MemoryLimit = uint64(max(n, 0))
	}

	c.Jobs = make([]*Job, len(y.Jobs))
	defaultNotify := c.notify(y.Defaults.Notify, notifyAt(0, false), getenv)
	for i := range y.Jobs {
		c.Jobs[i] = c.job(i, &y.Jobs[i], &y.Defaults)
		c.Jobs[i].Notify = defaultNotify
		if own := y.Jobs[i].Notify; own != nil {
			c.Jobs[i].Notify = c.notify(own, notifyAt(i, true), getenv)
		}
	}
	// Triggers are read once every job exists, so that their problems name
	// their job. A job without a client of its own takes its callbacks'.
	for i, j := range c.Jobs {
		j.On = c.parseOn(i, &y.Jobs[i].On)
		if cc := c.callbackClient(j.On); y.Jobs[i].Client == "" && cc != "" {
			j.Client = cc
		}
	}
}

// job applies the defaults to one entry of jobs:.
func (c *Config) job(i int, y *jobYAML, d *jobOptionsYAML) *Job {
	j := &Job{
		Name:        y.Name,
		Schedule:    strings.TrimSpace(y.Schedule),
		Timezone:    cmp.Or(y.Timezone, c.Timezone),
		Client:      cmp.Or(y.Client, d.Client),
		Args:        y.Args,
		Concurrency: Concurrency(cmp.Or(y.Concurrency, d.Concurrency, string(ConcurrencyForbid))),
		Catchup:     Catchup(cmp.Or(y.Catchup, d.Catchup, string(CatchupSkip))),
		Enabled:     y.Enabled == nil || *y.Enabled,
		File:        c.File,
		Line:        c.lines[fmt.Sprintf("jobs.%d", i)],
		index:       i,
	}
	if y.Script != "" {
		j.Script = c.path(y.Script)
	}
	if len(c.Clients) == 1 && j.Client == "" {
		for name := range c.Clients {
			j.Client = name
		}
	}
	j.Timeout = firstSetOr(DefaultTimeout, y.Timeout, d.Timeout)
	j.StartingDeadline = firstSetOr(time.Duration(0), y.StartingDeadline, d.StartingDeadline)
	j.Jitter = firstSetOr(time.Duration(0), y.Jitter, d.Jitter)
	j.LogLimit = DefaultLogLimit
	if text := cmp.Or(y.LogLimit, d.LogLimit); text != "" {
		j.LogLimit, j.logLimitErr = ParseSize(text)
	}
	j.Retries = Retries{
		Max:        firstSetOr(0, y.Retries.Max, d.Retries.Max),
		Backoff:    firstSetOr(DefaultBackoff, y.Retries.Backoff, d.Retries.Backoff),
		MaxBackoff: firstSetOr(DefaultMaxBackoff, y.Retries.MaxBackoff, d.Retries.MaxBackoff),
	}
	return j
}

// path resolves a path written in the file against the file's directory.
func (c *Config) path(p string) string {
	if p == "" || filepath.IsAbs(p) {
		return p
	}
	return filepath.Join(c.Dir, p)
}

// ParseSize reads a size: bytes, or a number with a unit (kB, MB, GB are
// powers of 1000, KiB, MiB, GiB of 1024).
func ParseSize(s string) (int64, error) {
	n, err := humanize.ParseBytes(s)
	if err != nil || n > math.MaxInt64 || strings.HasPrefix(strings.TrimSpace(s), "-") {
		return 0, fmt.Errorf("%q is not a size (such as 10MB, 512kB or 1GiB)", s)
	}
	return int64(n), nil
}

var envRef = regexp.MustCompile(`\$\{([A-Za-z_][A-Za-z0-9_]*)(:-[^}]*)?\}`)

// expand replaces ${VAR} in s with the variable's value, and ${VAR:-text}
// with the value or, when the variable is unset or empty, text. An unset (or
// empty) variable without a default is recorded as a problem at the line of
// the YAML path at; the value itself never appears in a problem.
func (c *Config) expand(s, at string, getenv func(string) string) string {
	return envRef.ReplaceAllStringFunc(s, func(ref string) string {
		name, def, hasDefault := strings.Cut(ref[2:len(ref)-1], ":-")
		v := getenv(name)
		if v == "" && hasDefault {
			return def
		}
		if v == "" {
			c.problems = append(c.problems, Problem{
				File: c.File, Line: c.line(at),
				Msg:       fmt.Sprintf("%s: environment variable %s is not set", at, name),
				clientVar: strings.HasPrefix(at, "clients.") || strings.HasPrefix(at, "callbacks.") || at == "control_token" || strings.HasSuffix(at, ".webhook"),
			})
		}
		return v
	})
}

// ClientVariablesOptional makes Validate accept unset environment variables
// in clients: and callbacks: (their secrets, usually), control_token: and
// the webhook: of notify:. It is for the commands that read the
// jobs and their history and call no API, such as runner jobs list, so that
// they work without the secrets.
func (c *Config) ClientVariablesOptional() { c.clientVarsOptional = true }

// line returns the line of a YAML path ("jobs.3.retries.max"), or of its
// nearest parent that has one.
func (c *Config) line(path string) int {
	for {
		if n, ok := c.lines[path]; ok {
			return n
		}
		i := strings.LastIndexByte(path, '.')
		if i < 0 {
			return 0
		}
		path = path[:i]
	}
}

// indexLines records the line of every mapping value and sequence item under
// n, by YAML path.
func indexLines(lines map[string]int, path string, n *yaml.Node) {
	join := func(k string) string {
		if path == "" {
			return k
		}
		return path + "." + k
	}
	switch n.Kind {
	case yaml.DocumentNode:
		for _, c := range n.Content {
			indexLines(lines, path, c)
		}
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			p := join(k.Value)
			lines[p] = k.Line
			indexLines(lines, p, v)
		}
	case yaml.SequenceNode:
		for i, c := range n.Content {
			p := join(strconv.Itoa(i))
			lines[p] = c.Line
			indexLines(lines, p, c)
		}
	}
}

var yamlLine = regexp.MustCompile(`^(?:yaml: )?line (\d+): (.*)$`)

// syntaxProblem turns a YAML syntax error into a problem.
func (c *Config) syntaxProblem(err error) Problem {
	p := Problem{File: c.File, Msg: err.Error()}
	if m := yamlLine.FindStringSubmatch(err.Error()); m != nil {
		p.Line, _ = strconv.Atoi(m[1])
		p.Msg = m[2]
	}
	p.Msg = strings.TrimPrefix(p.Msg, "yaml: ")
	return p
}

var (
	unknownField = regexp.MustCompile(`^field (\S+) not found in type \S+$`)
	wrongType    = regexp.MustCompile("^cannot unmarshal !!\\w+ `(.*)` into (.+)$")
)

// decodeProblem turns one of yaml.v3's "line N: ..." decoding errors into a
// problem an admin can act on, naming the job and field when the line tells.
func (c *Config) decodeProblem(msg string) Problem {
	p := c.syntaxProblem(errors.New(msg))
	p.decode = true
	field, job := c.fieldAt(p.Line)
	if job != nil {
		p.Job, p.anchor = job.Name, job.Line
	}
	if m := unknownField.FindStringSubmatch(p.Msg); m != nil {
		p.Msg = fmt.Sprintf("unknown field %q", m[1])
	} else if m := wrongType.FindStringSubmatch(p.Msg); m != nil {
		p.Msg = fmt.Sprintf("%s is not %s", m[1], typeName(m[2]))
		if field != "" {
			p.Msg = field + ": " + p.Msg
		}
	}
	return p
}

// fieldAt returns the field written at a line (relative to its job, if in
// one) when the line holds a single innermost field, and the job the line
// belongs to.
func (c *Config) fieldAt(line int) (field string, job *Job) {
	var paths []string
	for path, l := range c.lines {
		if l == line {
			paths = append(paths, path)
		}
	}
	slices.SortFunc(paths, func(a, b string) int { return strings.Count(b, ".") - strings.Count(a, ".") })
	if len(paths) == 0 {
		return "", nil
	}
	if len(paths) == 1 || strings.Count(paths[0], ".") > strings.Count(paths[1], ".") {
		field = paths[0]
	}
	if rest, ok := strings.CutPrefix(paths[0], "jobs."); ok {
		idx, after, _ := strings.Cut(rest, ".")
		if i, err := strconv.Atoi(idx); err == nil && i < len(c.Jobs) {
			job = c.Jobs[i]
			if field != "" {
				field = after
			}
		}
	}
	return field, job
}

func typeName(goType string) string {
	switch {
	case goType == "time.Duration":
		return `a duration (such as "90s", "30m" or "1h30m")`
	case strings.HasPrefix(goType, "int"):
		return "a whole number"
	case goType == "bool":
		return "true or false"
	case goType == "string":
		return "a string"
	case strings.HasPrefix(goType, "[]"):
		return "a list"
	default:
		return "a mapping"
	}
}

// firstSetOr returns the value of the first non-nil pointer of ps, or def.
func firstSetOr[T any](def T, ps ...*T) T {
	for _, p := range ps {
		if p != nil {
			return *p
		}
	}
	return def
}
