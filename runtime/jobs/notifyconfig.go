package jobs

import (
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"
)

// Notify (notify: in defaults: or on a job) says who is told about a job's
// runs, and when: a WeCom group robot (webhook:), an application message
// (client: with users:, parties: or tags:), an application group chat
// (client: with chat:), or several of these. A job's notify: replaces the
// one of defaults:.
type Notify struct {
	// When (when:) lists the runs that alert: failure (failed or timed
	// out), recovery (the first success after failures), success (every
	// success). [failure, recovery] when unset.
	When []string
	// Webhook (webhook:) is a group robot's webhook URL, with its key:
	// write it as ${VAR}. It is never shown.
	Webhook string
	// Client (client:) is the application that sends the messages and posts
	// to the chat.
	Client string
	// Users, Parties and Tags (users:, parties:, tags:) receive the
	// application message.
	Users   []string
	Parties []int
	Tags    []int
	// Chat (chat:) is the chat id of an application group chat.
	Chat string
	// Quiet (quiet:) is the least time between two alerts of a job that
	// keeps failing; 15m when unset.
	Quiet time.Duration
}

// DefaultQuiet is the least time between the alerts of a job that keeps
// failing.
const DefaultQuiet = 15 * time.Minute

// The moments a notify: can alert at.
const (
	NotifyFailure  = "failure"
	NotifyRecovery = "recovery"
	NotifySuccess  = "success"
)

// Alerts reports whether n alerts at the moment when.
func (n *Notify) Alerts(when string) bool { return n != nil && slices.Contains(n.When, when) }

// notifyYAML is notify: as written.
type notifyYAML struct {
	When    []string       `yaml:"when"`
	Webhook string         `yaml:"webhook"`
	Client  string         `yaml:"client"`
	Users   []string       `yaml:"users"`
	Parties []int          `yaml:"parties"`
	Tags    []int          `yaml:"tags"`
	Chat    string         `yaml:"chat"`
	Quiet   *time.Duration `yaml:"quiet"`
}

// notify reads a notify: block at the YAML path at; nil for none.
func (c *Config) notify(y *notifyYAML, at string, getenv func(string) string) *Notify {
	if y == nil {
		return nil
	}
	n := &Notify{
		When:    y.When,
		Webhook: c.expand(y.Webhook, at+".webhook", getenv),
		Client:  y.Client, Users: y.Users, Parties: y.Parties, Tags: y.Tags, Chat: y.Chat,
		Quiet: firstSetOr(DefaultQuiet, y.Quiet),
	}
	if n.When == nil {
		n.When = []string{NotifyFailure, NotifyRecovery}
	}
	return n
}

// checkNotify reports the problems of a job's notify: through bad, which
// takes the field (under notify) and the message.
// Loaded for reading (ClientVariablesOptional), notify: is not checked: its
// webhook usually comes from a variable the command line does not have.
func (c *Config) checkNotify(n *Notify, bad func(field, format string, args ...any)) {
	if n == nil || c.clientVarsOptional {
		return
	}
	for _, w := range n.When {
		if w != NotifyFailure && w != NotifyRecovery && w != NotifySuccess {
			bad("notify.when", "%q is not failure, recovery or success", w)
		}
	}
	if n.Webhook == "" && n.Chat == "" && len(n.Users)+len(n.Parties)+len(n.Tags) == 0 {
		bad("notify", "tells no one: give webhook:, or client: with users:, parties:, tags: or chat:")
	}
	if n.Webhook != "" {
		u, err := url.Parse(n.Webhook)
		switch {
		case err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "":
			bad("notify.webhook", "not an http:// or https:// URL") // it holds the robot's key: not shown
		case u.Query().Get("key") == "":
			bad("notify.webhook", "the URL has no key: copy the robot's whole webhook address (…/webhook/send?key=…)")
		}
	}
	app := n.Chat != "" || len(n.Users)+len(n.Parties)+len(n.Tags) > 0
	cc, ok := c.Clients[n.Client]
	switch {
	case !app && n.Client != "":
		bad("notify.client", "sends nothing without users:, parties:, tags: or chat:")
	case app && n.Client == "":
		bad("notify.client", "required with users:, parties:, tags: or chat: (the application that sends)")
	case app && !ok:
		bad("notify.client", "no client %q in clients:%s", n.Client, listOf(c.Clients))
	case len(n.Users)+len(n.Parties)+len(n.Tags) > 0 && cc.AgentID == 0:
		bad("notify.client", "%s has no agent_id: application messages are sent by an application", n.Client)
	}
	if n.Quiet < 0 {
		bad("notify.quiet", "must not be negative")
	}
	if strings.TrimSpace(n.Chat) != n.Chat {
		bad("notify.chat", "%q has spaces around it", n.Chat)
	}
}

// notifyAt is the YAML path of a job's notify: block, or of the defaults'
// one the job takes.
func notifyAt(i int, own bool) string {
	if own {
		return fmt.Sprintf("jobs.%d.notify", i)
	}
	return "defaults.notify"
}
