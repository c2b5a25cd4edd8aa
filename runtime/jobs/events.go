package jobs

import (
	"errors"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/wecomrunner/runner/bindings"
	"github.com/wecomrunner/runner/wecom/callback"
)

// Defaults of callbacks: and events:.
const (
	// DefaultCallbackMaxAge is how old a callback's timestamp may be.
	DefaultCallbackMaxAge = 10 * time.Minute
	// DefaultEventQueue is how many accepted events may wait for a run.
	DefaultEventQueue = 10000
	// DefaultEventRuns is how many runs for events may run at once.
	DefaultEventRuns = 8
)

// CallbackConfig is one callback of callbacks: — a URL configured in the
// WeCom admin console (接收事件服务器), answered by runner serve at
// /callback/NAME. Token, EncodingAESKey and ReceiveID may be written as
// ${VAR}; Token and EncodingAESKey are secrets and are never printed.
type CallbackConfig struct {
	// Token (token:) signs the callback's messages.
	Token string
	// EncodingAESKey (encoding_aes_key:) is the 43-character key of the
	// messages' encryption.
	EncodingAESKey string
	// ReceiveID (receive_id:) is the corp id the messages are addressed to;
	// messages for another receiver are refused.
	ReceiveID string
	// Client (client:) is the default client of the jobs triggered by this
	// callback's events.
	Client string
	// MaxAge (max_age:) is how far a message's timestamp may be from now
	// before it is refused as a replay; 10m when unset.
	MaxAge time.Duration
}

// String describes the callback without its token and key.
func (c CallbackConfig) String() string {
	return fmt.Sprintf("receive_id=%s client=%s max_age=%v token=[redacted] encoding_aes_key=[redacted]", c.ReceiveID, c.Client, c.MaxAge)
}

// GoString describes the callback without its secrets, for %#v.
func (c CallbackConfig) GoString() string { return "jobs.CallbackConfig{" + c.String() + "}" }

// EventsConfig bounds the work of events (events:).
type EventsConfig struct {
	// Queue (queue:) is how many accepted events may wait for their runs,
	// and how many an instance may hold pending in the state store; a
	// callback answers 503 (and WeCom delivers again later) when it is
	// full. 10000 when unset.
	Queue int
	// MaxRunning (max_running:) is how many runs for events may run at once,
	// all jobs together; 8 when unset.
	MaxRunning int
}

// On is one event trigger of a job (an entry of on:): the callback whose
// events it takes and the filters an event must pass. Every filter that is
// set must match; a filter with several values matches any of them.
type On struct {
	// Callback (callback:) names the callback of callbacks:; the only one
	// when exactly one is configured.
	Callback string
	// Events (event:) are event types (callback.Types): an event's Event
	// field, or a message's MsgType. Empty matches every type, unless
	// change_type, department or tag imply change_contact, or keyword
	// implies text.
	Events []string
	// ChangeTypes (change_type:) are ChangeType values of change_contact
	// events (create_user, update_user, ...).
	ChangeTypes []string
	// Departments (department:) match an event that names one of these
	// department ids: a member's Department, a department's Id or ParentId,
	// a tag's AddPartyItems or DelPartyItems.
	Departments []int
	// Tags (tag:) match update_tag events of these TagIds.
	Tags []int
	// Agents (agent:) match events of these applications (AgentID).
	Agents []int
	// Keywords (keyword:) match text messages whose Content contains one of
	// them, ignoring case.
	Keywords []string

	path string          // YAML path of the entry: "jobs.3.on" or "jobs.3.on.1"
	set  map[string]bool // the fields written in the file
}

// String describes the trigger: "contacts: change_contact create_user
// department=2,3".
func (o *On) String() string {
	var b strings.Builder
	b.WriteString(o.Callback)
	b.WriteString(":")
	if len(o.Events) == 0 {
		b.WriteString(" any event")
	}
	for _, list := range [][]string{o.Events, o.ChangeTypes} {
		if len(list) > 0 {
			b.WriteString(" " + strings.Join(list, "|"))
		}
	}
	for _, f := range []struct {
		name string
		ids  []int
	}{{"department", o.Departments}, {"tag", o.Tags}, {"agent", o.Agents}} {
		if len(f.ids) > 0 {
			b.WriteString(" " + f.name + "=" + joinInts(f.ids))
		}
	}
	if len(o.Keywords) > 0 {
		b.WriteString(" keyword=" + strings.Join(o.Keywords, "|"))
	}
	return b.String()
}

func joinInts(ids []int) string {
	s := make([]string, len(ids))
	for i, id := range ids {
		s[i] = strconv.Itoa(id)
	}
	return strings.Join(s, ",")
}

// Match reports whether an event of the trigger's callback passes its
// filters.
func (o *On) Match(ev callback.Event) bool {
	if len(o.Events) > 0 && !slices.Contains(o.Events, ev.Type()) {
		return false
	}
	if len(o.ChangeTypes) > 0 && !slices.Contains(o.ChangeTypes, ev.Get("ChangeType")) {
		return false
	}
	if o.Departments != nil && !intersects(o.Departments, eventDepartments(ev)) {
		return false
	}
	if o.Tags != nil && !intersects(o.Tags, ev.IDs("TagId")) {
		return false
	}
	if o.Agents != nil && !intersects(o.Agents, ev.IDs("AgentID")) {
		return false
	}
	if o.Keywords != nil {
		content := strings.ToLower(ev.Get("Content"))
		if !slices.ContainsFunc(o.Keywords, func(k string) bool { return strings.Contains(content, strings.ToLower(k)) }) {
			return false
		}
	}
	return true
}

// Takes reports whether one of the job's triggers takes an event that came
// to the named callback; with an empty name (an event from a file), to any
// of them.
func (j *Job) Takes(callbackName string, ev callback.Event) bool {
	for _, o := range j.On {
		if (callbackName == "" || o.Callback == callbackName) && o.Match(ev) {
			return true
		}
	}
	return false
}

// eventDepartments are the department ids an event names.
func eventDepartments(ev callback.Event) []int {
	var ids []int
	for _, f := range []string{"Department", "AddPartyItems", "DelPartyItems"} {
		ids = append(ids, ev.IDs(f)...)
	}
	if strings.HasSuffix(ev.Get("ChangeType"), "_party") {
		ids = append(ids, ev.IDs("Id")...)
		ids = append(ids, ev.IDs("ParentId")...)
	}
	return ids
}

func intersects(a, b []int) bool {
	return slices.ContainsFunc(a, func(x int) bool { return slices.Contains(b, x) })
}

// The YAML shapes of callbacks:, events: and on:.
type (
	callbackYAML struct {
		Token          string         `yaml:"token"`
		EncodingAESKey string         `yaml:"encoding_aes_key"`
		ReceiveID      string         `yaml:"receive_id"`
		Client         string         `yaml:"client"`
		MaxAge         *time.Duration `yaml:"max_age"`
	}
	eventsYAML struct {
		Queue      *int `yaml:"queue"`
		MaxRunning *int `yaml:"max_running"`
	}
	onYAML struct {
		Callback   string            `yaml:"callback"`
		Event      oneOrMany[string] `yaml:"event"`
		ChangeType oneOrMany[string] `yaml:"change_type"`
		Department oneOrMany[int]    `yaml:"department"`
		Tag        oneOrMany[int]    `yaml:"tag"`
		Agent      oneOrMany[int]    `yaml:"agent"`
		Keyword    oneOrMany[string] `yaml:"keyword"`
	}
)

// onFields are the keys of an on: entry.
var onFields = []string{"callback", "event", "change_type", "department", "tag", "agent", "keyword"}

// oneOrMany is a YAML value written as one scalar or as a list of them.
type oneOrMany[T any] []T

// UnmarshalYAML implements yaml.Unmarshaler.
func (l *oneOrMany[T]) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind == yaml.SequenceNode {
		var vs []T
		if err := n.Decode(&vs); err != nil {
			return err
		}
		*l = append(oneOrMany[T]{}, vs...)
		return nil
	}
	var v T
	if err := n.Decode(&v); err != nil {
		return err
	}
	*l = oneOrMany[T]{v}
	return nil
}

// fillEvents fills Callbacks and Events from the file.
func (c *Config) fillEvents(y *fileYAML, getenv func(string) string) {
	c.Callbacks = make(map[string]CallbackConfig, len(y.Callbacks))
	for name, cb := range y.Callbacks {
		at := "callbacks." + name + "."
		c.Callbacks[name] = CallbackConfig{
			Token:          c.expand(cb.Token, at+"token", getenv),
			EncodingAESKey: c.expand(cb.EncodingAESKey, at+"encoding_aes_key", getenv),
			ReceiveID:      c.expand(cb.ReceiveID, at+"receive_id", getenv),
			Client:         cb.Client,
			MaxAge:         firstSetOr(DefaultCallbackMaxAge, cb.MaxAge),
		}
	}
	c.Events = EventsConfig{
		Queue:      firstSetOr(DefaultEventQueue, y.Events.Queue),
		MaxRunning: firstSetOr(DefaultEventRuns, y.Events.MaxRunning),
	}
}

// parseOn reads the on: of job i: one mapping, or a list of them. Unknown
// fields and values of the wrong type are recorded as problems.
func (c *Config) parseOn(i int, n *yaml.Node) []*On {
	at := fmt.Sprintf("jobs.%d.on", i)
	switch n.Kind {
	case 0:
		return nil
	case yaml.MappingNode:
		if o := c.parseOnEntry(at, n); o != nil {
			return []*On{o}
		}
		return nil
	case yaml.SequenceNode:
		var out []*On
		for k, item := range n.Content {
			if o := c.parseOnEntry(fmt.Sprintf("%s.%d", at, k), item); o != nil {
				out = append(out, o)
			}
		}
		return out
	}
	c.problems = append(c.problems, c.onProblem(n.Line, "on: is a mapping (callback, event, change_type, department, tag, agent, keyword) or a list of them"))
	return nil
}

func (c *Config) parseOnEntry(at string, n *yaml.Node) *On {
	if n.Kind != yaml.MappingNode {
		c.problems = append(c.problems, c.onProblem(n.Line, "an entry of on: is a mapping (callback, event, change_type, ...)"))
		return nil
	}
	set := map[string]bool{}
	for k := 0; k+1 < len(n.Content); k += 2 {
		key := n.Content[k]
		if !slices.Contains(onFields, key.Value) {
			c.problems = append(c.problems, c.onProblem(key.Line, fmt.Sprintf("unknown field %q in on: (known: %s)", key.Value, strings.Join(onFields, ", "))))
			continue
		}
		set[key.Value] = true
	}
	var y onYAML
	if err := n.Decode(&y); err != nil {
		var te *yaml.TypeError
		if !errors.As(err, &te) {
			c.problems = append(c.problems, c.onProblem(n.Line, err.Error()))
			return nil
		}
		for _, msg := range te.Errors {
			c.problems = append(c.problems, c.decodeProblem(msg))
		}
	}
	o := &On{
		Callback:    y.Callback,
		Events:      y.Event,
		ChangeTypes: y.ChangeType,
		Departments: y.Department,
		Tags:        y.Tag,
		Agents:      y.Agent,
		Keywords:    y.Keyword,
		path:        at,
		set:         set,
	}
	// A filter written as an empty list stays non-nil: it never matches.
	for _, f := range []struct {
		name string
		ids  *[]int
	}{{"department", &o.Departments}, {"tag", &o.Tags}, {"agent", &o.Agents}} {
		if set[f.name] && *f.ids == nil {
			*f.ids = []int{}
		}
	}
	if set["keyword"] && o.Keywords == nil {
		o.Keywords = []string{}
	}
	if o.Callback == "" && len(c.Callbacks) == 1 {
		for name := range c.Callbacks {
			o.Callback = name
		}
	}
	return o
}

// onProblem is a problem at a line of on:, attributed to its job.
func (c *Config) onProblem(line int, msg string) Problem {
	p := Problem{File: c.File, Line: line, Msg: msg}
	if _, job := c.fieldAt(line); job != nil {
		p.Job, p.anchor = job.Name, job.Line
	}
	return p
}

// callbackClient is the client of the callbacks of a job's triggers, when
// they agree on one.
func (c *Config) callbackClient(on []*On) string {
	client := ""
	for _, o := range on {
		cb, ok := c.Callbacks[o.Callback]
		if !ok || cb.Client == "" || (client != "" && cb.Client != client) {
			return ""
		}
		client = cb.Client
	}
	return client
}

// tokenPattern is what the admin console accepts as a callback token.
var tokenPattern = regexp.MustCompile(`^[A-Za-z0-9]{1,32}$`)

// callbacks checks callbacks: and events:.
func (v *validator) callbacks(top func(at, format string, args ...any)) {
	c := v.c
	for _, name := range slices.Sorted(maps.Keys(c.Callbacks)) {
		cb := c.Callbacks[name]
		at := "callbacks." + name
		if !namePattern.MatchString(name) {
			top(at, "a callback name uses letters, digits, '.', '-' and '_'")
		}
		switch {
		case cb.Token == "" && v.unset(at+".token"):
		case cb.Token == "":
			top(at, "token is required (write it as ${VARIABLE} and set the variable)")
		case !tokenPattern.MatchString(cb.Token):
			top(at+".token", "a token is 1 to 32 letters and digits, as the admin console makes it")
		}
		switch _, err := callback.DecodeKey(cb.EncodingAESKey); {
		case cb.EncodingAESKey == "" && v.unset(at+".encoding_aes_key"):
		case cb.EncodingAESKey == "":
			top(at, "encoding_aes_key is required (write it as ${VARIABLE} and set the variable)")
		case err != nil:
			top(at+".encoding_aes_key", "%s", strings.TrimPrefix(err.Error(), "callback: "))
		}
		if cb.ReceiveID == "" && !v.unset(at+".receive_id") {
			top(at, "receive_id is required: the corp id the events are addressed to")
		}
		if _, ok := c.Clients[cb.Client]; cb.Client != "" && !ok {
			top(at+".client", "no client %q in clients:%s", cb.Client, listOf(c.Clients))
		}
		if cb.MaxAge <= 0 {
			top(at+".max_age", "must be positive")
		}
	}
	if c.Events.Queue < 1 {
		top("events.queue", "must be at least 1")
	}
	if c.Events.MaxRunning < 1 {
		top("events.max_running", "must be at least 1")
	}
}

// on checks a job's triggers; bad reports a problem at a YAML path.
func (v *validator) on(j *Job, bad func(path, format string, args ...any)) {
	c := v.c
	for _, o := range j.On {
		field := func(name string) string { return o.path + "." + name }
		switch _, ok := c.Callbacks[o.Callback]; {
		case o.Callback == "" && len(c.Callbacks) == 0:
			bad(o.path, "no callbacks: are configured for on: to take events from")
		case o.Callback == "":
			bad(field("callback"), "required when several callbacks are configured:%s", listOf(c.Callbacks))
		case !ok:
			bad(field("callback"), "no callback %q in callbacks:%s", o.Callback, listOf(c.Callbacks))
		}
		for _, e := range o.Events {
			if _, ok := callback.Types[e]; !ok {
				bad(field("event"), "unknown event %q%s", e, suggest(e, callback.Types))
			}
		}
		for _, ct := range o.ChangeTypes {
			if _, ok := callback.ChangeTypes[ct]; !ok {
				bad(field("change_type"), "unknown change_type %q%s", ct, suggest(ct, callback.ChangeTypes))
			}
		}
		v.implyEvents(o, bad)
		for _, f := range []struct {
			name string
			ids  []int
		}{{"department", o.Departments}, {"tag", o.Tags}, {"agent", o.Agents}} {
			if f.ids != nil && len(f.ids) == 0 {
				bad(field(f.name), "an empty list never matches")
			}
			for _, id := range f.ids {
				if id < 1 {
					bad(field(f.name), "%d is not an id: ids are positive", id)
				}
			}
		}
		if o.Keywords != nil && len(o.Keywords) == 0 {
			bad(field("keyword"), "an empty list never matches")
		}
		if slices.Contains(o.Keywords, "") {
			bad(field("keyword"), "an empty keyword matches every message: leave keyword: out instead")
		}
	}
}

// implyEvents sets the events a trigger's filters imply when event: is not
// written, and reports filters that no event of the trigger can pass.
func (v *validator) implyEvents(o *On, bad func(path, format string, args ...any)) {
	contact := o.ChangeTypes != nil || o.Departments != nil || o.Tags != nil
	if !o.set["event"] {
		switch {
		case contact && o.Keywords != nil:
			bad(o.path+".keyword", "keyword matches text messages, and change_type, department and tag change_contact events: no event has both")
			return
		case contact:
			o.Events = []string{"change_contact"}
		case o.Keywords != nil:
			o.Events = []string{"text"}
		}
	}
	has := func(e string) bool { return slices.Contains(o.Events, e) }
	onlyContacts := len(o.Events) > 0 && !slices.ContainsFunc(o.Events, func(e string) bool {
		return e != "change_contact" && e != "batch_job_result"
	})
	never := func(filter, why string) {
		bad(o.path+"."+filter, "can never match: %s (event: %s)", why, strings.Join(o.Events, ", "))
	}
	switch {
	case o.ChangeTypes != nil && !has("change_contact"):
		never("change_type", "only change_contact events have a ChangeType")
	case o.Departments != nil && !has("change_contact"):
		never("department", "only change_contact events name departments")
	case o.Tags != nil && !has("change_contact"):
		never("tag", "only change_contact update_tag events name a tag")
	case o.Tags != nil && o.ChangeTypes != nil && !slices.Contains(o.ChangeTypes, "update_tag"):
		bad(o.path+".tag", "can never match: only update_tag events name a tag (change_type: %s)", strings.Join(o.ChangeTypes, ", "))
	case o.Keywords != nil && !has("text"):
		never("keyword", "only text messages have a Content to search")
	case o.Agents != nil && onlyContacts:
		never("agent", "contact and batch events carry no AgentID")
	}
}

// suggest returns ` (did you mean "x"?)` for a name close to one of known,
// or the empty string.
func suggest(name string, known map[string]string) string {
	best, dist := "", 3
	for _, k := range slices.Sorted(maps.Keys(known)) {
		if strings.EqualFold(k, name) {
			return fmt.Sprintf(" (did you mean %q?)", k)
		}
		if d := bindings.EditDistance(strings.ToLower(name), strings.ToLower(k)); d < dist || d == dist && k < best {
			best, dist = k, d
		}
	}
	if best == "" {
		return ""
	}
	return fmt.Sprintf(" (did you mean %q?)", best)
}
