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
// store, changed by compare-and-set (Scheduler.alert), so that instances
// sharing it and restarts agree, and an alert is sent by one of them. A dry
// run never alerts. An alert that cannot be sent is logged and recorded with
// the run (RunRecord.AlertError); it never changes the run's result.

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

// alertStateTTL is how long the alert state of a job outlives its last
// run: beyond a year, so that a yearly job that failed still recovers.
const alertStateTTL = 400 * 24 * time.Hour

// legacyAlertKV is the kv namespace in which earlier versions kept the
// alert state of each job (by its name); claimAlert carries a state found
// there over, and deletes it.
const legacyAlertKV = ":notify"

// alertTries bounds the attempts to record a job's alert state when other
// instances keep changing it.
const alertTries = 10

// alertState is what the alerts of a job remember between runs.
type alertState struct {
	Failing   bool      `json:"failing"`
	Since     time.Time `json:"since,omitzero"` // the first failure of the series
	Failures  int       `json:"failures,omitempty"`
	LastAlert time.Time `json:"last_alert,omitzero"`
}

// alertDecision is what a run's alert is, given the job's alert state.
type alertDecision struct {
	kind     string     // the alert to send (jobs.NotifyFailure, ...), or ""
	withheld string     // why a failure alert is withheld, or ""
	seen     alertState // the state it was decided on
	next     alertState // the state to record
}

// decideAlert is the alert a run calls for, at now, given the job's
// alert state st: a failure alerts unless the job alerted within quiet, the
// first success after failures alerts a recovery.
func decideAlert(n *jobs.Notify, rec *state.RunRecord, failed bool, st alertState, now time.Time) alertDecision {
	d := alertDecision{seen: st}
	switch {
	case failed:
		if !st.Failing {
			st = alertState{Failing: true, Since: rec.Started}
		}
		st.Failures++
		if n.Alerts(jobs.NotifyFailure) {
			if !st.LastAlert.IsZero() && now.Sub(st.LastAlert) < n.Quiet {
				d.withheld = fmt.Sprintf("withheld: the job keeps failing, and was alerted %s (quiet: %v)", Ago(st.LastAlert, now), n.Quiet)
			} else {
				d.kind = jobs.NotifyFailure
				st.LastAlert = now
			}
		}
	case st.Failing:
		if n.Alerts(jobs.NotifyRecovery) {
			d.kind = jobs.NotifyRecovery
		}
	case n.Alerts(jobs.NotifySuccess):
		d.kind = jobs.NotifySuccess
	}
	if !failed {
		st = alertState{}
	}
	d.next = st
	return d
}

// alert sends the alert a run calls for, if any, and records on rec what
// became of it. It reports whether rec changed.
//
// The job's alert state is kept in the store (Remember, under
// "alert\x00<job>") and changed with a compare-and-set (Replace): of the
// instances sharing the store whose runs end at the same moment, each
// decides on the state the one before it recorded, so a failure alerts
// once per quiet and a series of failures recovers once, across instances.
// The instance whose change records an alert sends it. When the store
// cannot be read or written, the alert is sent on what this instance
// knows: an alert sent twice is better than one lost.
func (s *Scheduler) alert(ctx context.Context, job *jobs.Job, rec *state.RunRecord) bool {
	n := job.Notify
	if n == nil || s.alerter == nil || rec.DryRun {
		return false
	}
	failed := rec.Result == state.ResultFailed || rec.Result == state.ResultTimedOut
	if !failed && rec.Result != state.ResultOK {
		return false // skipped or interrupted: says nothing of the job's health
	}
	key := "alert\x00" + job.Name
	now := time.Now().UTC()
	d, recorded, err := s.claimAlert(ctx, key, n, rec, failed, now)
	if err != nil {
		s.log.Warn("cannot record the job's alert state", "job", job.Name, "run", rec.ID, "error", err)
	}
	if d.withheld != "" {
		rec.Alert = d.withheld
		s.metrics.alert(job.Name, "withheld")
	}
	if d.kind == "" {
		return rec.Alert != ""
	}
	msg := s.alertMessage(d.kind, job, *rec, d.seen)
	sent, err := s.alerter.Send(ctx, s.Config(), n, msg)
	if len(sent) > 0 {
		rec.Alert = d.kind + " alert sent to the " + strings.Join(sent, ", the ")
		s.metrics.alert(job.Name, "sent")
	} else if d.kind == jobs.NotifyFailure && recorded != "" {
		// Nothing was sent: the next failure alerts, as if this one had not
		// been claimed. A state changed since by another instance stays.
		undo := d.next
		undo.LastAlert = d.seen.LastAlert
		b, _ := json.Marshal(undo)
		s.store.Replace(ctx, key, recorded, string(b), alertStateTTL)
	}
	if err != nil {
		s.metrics.alert(job.Name, "failed")
		rec.AlertError = err.Error()
		s.log.Error("the alert was not sent", "job", job.Name, "run", rec.ID, "alert", d.kind, "error", err)
	} else {
		s.log.Info("alert sent", "job", job.Name, "run", rec.ID, "alert", d.kind, "to", strings.Join(sent, ", "))
	}
	return true
}

// claimAlert decides the alert of a run on the job's alert state in the
// store, and records the state that follows, in one compare-and-set: the
// decision holds only if no other instance changed the state meanwhile,
// else it is made again on the state that instance recorded. It returns
// the decision and the state recorded ("" when it could not be), with the
// store's error; on an error the decision is made on the state last read.
// A job without a state yet starts from the one an earlier version kept
// (legacyAlertKV), if any.
func (s *Scheduler) claimAlert(ctx context.Context, key string, n *jobs.Notify, rec *state.RunRecord, failed bool, now time.Time) (_ alertDecision, _ string, err error) {
	initial := "{}"
	legacy := s.store.KV(legacyAlertKV)
	if v, ok, lerr := legacy.Get(ctx, rec.Job); lerr == nil && ok {
		initial = v
		defer func() {
			if err == nil {
				legacy.Delete(ctx, rec.Job)
			}
		}()
	}
	var st alertState
	for range alertTries {
		held, err := s.store.Remember(ctx, key, initial, alertStateTTL)
		if err != nil {
			return decideAlert(n, rec, failed, st, now), "", err
		}
		st = alertState{}
		json.Unmarshal([]byte(held), &st)
		d := decideAlert(n, rec, failed, st, now)
		b, _ := json.Marshal(d.next)
		if string(b) == held {
			return d, held, nil
		}
		ok, err := s.store.Replace(ctx, key, held, string(b), alertStateTTL)
		if err != nil {
			return d, "", err
		}
		if ok {
			return d, string(b), nil
		}
	}
	return decideAlert(n, rec, failed, st, now), "", fmt.Errorf("the state kept changing %d times", alertTries)
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
