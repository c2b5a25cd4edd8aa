package scheduler

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/wecomrunner/runner/wecom"

	"github.com/wecomrunner/runner/runtime/jobs"
	"github.com/wecomrunner/runner/runtime/state"
)

// Alerts tell people about runs where they already look, as the jobs'
// notify: says: a failure (failed, timed out), the first success after
// failures (recovery), and every success when asked. While a job keeps
// failing it alerts at most once per notify.quiet; a recovery always
// alerts. The scheduler remembers each job's series of failures in the
// store (the kv namespace alertKV), so that instances sharing it and
// restarts agree. A dry run never alerts. An alert that cannot be sent is
// logged and recorded with the run (RunRecord.AlertError); it never changes
// the run's result.

// Alerter sends alerts: to group robots with webhook/send, and as
// application messages and group chat messages with the clients of an
// Engine.
type Alerter struct {
	engine   *Engine
	http     *http.Client
	baseURL  string
	emulator bool
}

// AlerterOptions configure NewAlerter.
type AlerterOptions struct {
	// HTTPClient posts to the robots; a client with a 10s timeout when nil.
	HTTPClient *http.Client
	// BaseURL, when set (the emulator), replaces the scheme, host and path
	// of the robots' webhook URLs, as it replaces the clients' base URL: a
	// demo run never alerts the real WeCom.
	BaseURL string
	// Emulator marks the alerts as coming from runs against the emulator.
	Emulator bool
}

// alertTimeout bounds the sending of an alert to one destination.
const alertTimeout = 10 * time.Second

// NewAlerter returns an alerter that sends with engine's clients.
func NewAlerter(engine *Engine, opts AlerterOptions) *Alerter {
	if opts.HTTPClient == nil {
		opts.HTTPClient = &http.Client{Timeout: alertTimeout}
	}
	return &Alerter{engine: engine, http: opts.HTTPClient, baseURL: opts.BaseURL, emulator: opts.Emulator}
}

// Send sends a markdown message to each destination of n, with the clients
// of cfg. It returns the destinations that got it, and an error naming each
// that did not; errors never hold a key, a secret or a token.
func (a *Alerter) Send(ctx context.Context, cfg *jobs.Config, n *jobs.Notify, markdown string) (sent []string, err error) {
	if a.emulator {
		markdown = "[emulator] " + markdown
	}
	var errs []error
	try := func(dest string, send func(ctx context.Context) error) {
		ctx, cancel := context.WithTimeout(ctx, alertTimeout)
		defer cancel()
		if err := send(ctx); err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", dest, err))
			return
		}
		sent = append(sent, dest)
	}
	if n.Webhook != "" {
		try("robot", func(ctx context.Context) error {
			r, err := wecom.NewRobot(a.robotURL(n.Webhook), a.http)
			if err != nil {
				return err
			}
			return r.Send(ctx, wecom.MarkdownContent{Content: truncate(markdown, robotMarkdownMax)})
		})
	}
	if n.Client != "" {
		client := a.engine.clientsOf(cfg)[n.Client]
		content := wecom.MarkdownContent{Content: truncate(markdown, appMarkdownMax)}
		if len(n.Users)+len(n.Parties)+len(n.Tags) > 0 {
			try("app message", func(ctx context.Context) error {
				_, err := client.Message.Send(ctx, &wecom.Message{
					AgentID: cfg.Clients[n.Client].AgentID, ToUser: n.Users, ToParty: n.Parties, ToTag: n.Tags, Content: content,
				})
				return err
			})
		}
		if n.Chat != "" {
			try("app chat", func(ctx context.Context) error { return client.AppChat.Send(ctx, n.Chat, content, 0) })
		}
	}
	return sent, errors.Join(errs...)
}

// The longest markdown a robot and an application take, in bytes.
const (
	robotMarkdownMax = 4096
	appMarkdownMax   = 2048
)

// robotURL is the webhook URL to post to: against the emulator, its own.
func (a *Alerter) robotURL(webhook string) string {
	if a.baseURL == "" {
		return webhook
	}
	u, err := url.Parse(webhook)
	if err != nil {
		return webhook
	}
	return strings.TrimSuffix(a.baseURL, "/") + "/webhook/send?" + u.RawQuery
}

// truncate cuts s to at most n bytes, on a rune boundary, marking the cut.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	cut := n - len("…")
	for cut > 0 && !isRuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}

func isRuneStart(b byte) bool { return b&0xC0 != 0x80 }

// alertKV is the kv namespace of the alert states: a name no job can have.
const alertKV = ":notify"

// alertState is what the alerts of a job remember between runs.
type alertState struct {
	Failing   bool      `json:"failing"`
	Since     time.Time `json:"since,omitzero"` // the first failure of the series
	Failures  int       `json:"failures,omitempty"`
	LastAlert time.Time `json:"last_alert,omitzero"`
}

// alert sends the alert a run calls for, if any, and records on rec what
// became of it. It reports whether rec changed.
func (s *Scheduler) alert(ctx context.Context, job *jobs.Job, rec *state.RunRecord) bool {
	n := job.Notify
	if n == nil || s.alerter == nil || rec.DryRun {
		return false
	}
	failed := rec.Result == state.ResultFailed || rec.Result == state.ResultTimedOut
	if !failed && rec.Result != state.ResultOK {
		return false // skipped or interrupted: says nothing of the job's health
	}
	kv := s.store.KV(alertKV)
	var st alertState
	if v, ok, err := kv.Get(ctx, job.Name); err != nil {
		s.log.Warn("cannot read the job's alert state", "job", job.Name, "error", err)
	} else if ok {
		json.Unmarshal([]byte(v), &st)
	}
	now := time.Now().UTC()
	var kind string
	switch {
	case failed:
		if !st.Failing {
			st = alertState{Failing: true, Since: rec.Started}
		}
		st.Failures++
		if n.Alerts(jobs.NotifyFailure) {
			kind = jobs.NotifyFailure
			if !st.LastAlert.IsZero() && now.Sub(st.LastAlert) < n.Quiet {
				kind = ""
				rec.Alert = fmt.Sprintf("withheld: the job keeps failing, and was alerted %s (quiet: %v)", Ago(st.LastAlert, now), n.Quiet)
				s.metrics.alert(job.Name, "withheld")
			}
		}
	case st.Failing:
		if n.Alerts(jobs.NotifyRecovery) {
			kind = jobs.NotifyRecovery
		}
	case n.Alerts(jobs.NotifySuccess):
		kind = jobs.NotifySuccess
	}
	if kind != "" {
		msg := s.alertMessage(kind, job, *rec, st)
		sent, err := s.alerter.Send(ctx, s.Config(), n, msg)
		if len(sent) > 0 {
			rec.Alert = kind + " alert sent to the " + strings.Join(sent, ", the ")
			st.LastAlert = now
			s.metrics.alert(job.Name, "sent")
		}
		if err != nil {
			s.metrics.alert(job.Name, "failed")
			rec.AlertError = err.Error()
			s.log.Error("the alert was not sent", "job", job.Name, "run", rec.ID, "alert", kind, "error", err)
		} else {
			s.log.Info("alert sent", "job", job.Name, "run", rec.ID, "alert", kind, "to", strings.Join(sent, ", "))
		}
	}
	if !failed {
		st = alertState{}
	}
	b, _ := json.Marshal(st)
	if err := kv.Set(ctx, job.Name, string(b)); err != nil {
		s.log.Warn("cannot record the job's alert state", "job", job.Name, "error", err)
	}
	return rec.Alert != "" || rec.AlertError != ""
}

// alertMessage is the markdown of an alert: the job, the result, the first
// line of the error, the attempts, the duration, and a link to the run.
func (s *Scheduler) alertMessage(kind string, job *jobs.Job, rec state.RunRecord, st alertState) string {
	var b strings.Builder
	switch kind {
	case jobs.NotifyFailure:
		fmt.Fprintf(&b, "**runner: %s %s**\n", job.Name, strings.ReplaceAll(string(rec.Result), "_", " "))
	case jobs.NotifyRecovery:
		fmt.Fprintf(&b, "**runner: %s recovered**\n", job.Name)
	default:
		fmt.Fprintf(&b, "**runner: %s succeeded**\n", job.Name)
	}
	color := "info"
	if kind == jobs.NotifyFailure {
		color = "warning"
	}
	fmt.Fprintf(&b, "> Result: <font color=\"%s\">%s</font>", color, rec.Result)
	if rec.Attempts > 0 {
		fmt.Fprintf(&b, " after %d attempt%s", rec.Attempts, map[bool]string{true: "s"}[rec.Attempts > 1])
	}
	fmt.Fprintf(&b, ", %v\n", rec.Duration().Round(time.Second))
	if rec.Error != "" {
		fmt.Fprintf(&b, "> Error: %s\n", truncate(firstLine(rec.Error), 300))
	}
	switch {
	case kind == jobs.NotifyRecovery && st.Failures > 0:
		fmt.Fprintf(&b, "> After %d failed run%s since %s\n", st.Failures, map[bool]string{true: "s"}[st.Failures > 1], FormatTime(st.Since, job.Location))
	case kind == jobs.NotifyFailure && st.Failures > 1:
		fmt.Fprintf(&b, "> Failing since %s (%d runs)\n", FormatTime(st.Since, job.Location), st.Failures)
	}
	fmt.Fprintf(&b, "> Started: %s (%s", FormatTime(rec.Started, job.Location), rec.Trigger)
	if rec.By != "" {
		fmt.Fprintf(&b, " by %s", rec.By)
	}
	b.WriteString(")\n")
	if pub := s.Config().PublicURL; pub != "" {
		fmt.Fprintf(&b, "[Run %s](%s/jobs/%s/runs/%s)", rec.ID, strings.TrimSuffix(pub, "/"), url.PathEscape(job.Name), url.PathEscape(rec.ID))
	} else {
		fmt.Fprintf(&b, "Run %s: runner jobs logs %s", rec.ID, rec.ID)
	}
	return b.String()
}

// firstLine is the first line of an error message.
func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return line
}
