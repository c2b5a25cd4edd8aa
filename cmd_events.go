package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/pflag"

	"github.com/wecomrunner/runner/wecom/callback"
	"github.com/wecomrunner/runner/wecom/emulator"

	"github.com/wecomrunner/runner/runtime/jobs"
	"github.com/wecomrunner/runner/runtime/scheduler"
	"github.com/wecomrunner/runner/runtime/service"
	"github.com/wecomrunner/runner/runtime/state"
)

// eventsCmd works with the events WeCom pushes to the callbacks.
var eventsCmd = &command{
	name:    "events",
	summary: "try the jobs that WeCom's events run, or run one with a recorded event",
	subcommands: []*command{
		{
			name:    "try",
			summary: "change the emulator's organisation and run the jobs its events trigger",
			doc: `Try runs, in this process, the built-in emulator, the callback receiver and
the scheduler of the jobs file, makes changes in the emulator's admin
console — members joining (--join) and leaving (--leave), approvers
approving (--approve) and rejecting (--reject) approvals — and waits for
the jobs the emulator's events trigger, as runner serve would run them. An
approver decides the approval given (USERID:SP_NO), or else the oldest
pending approval whose current step waits for them (the demo's 报销 of 何燕
waits for guoqiang, then zhenghui; GET /_emulator/approvals lists them). It
prints each run and exits 1 when one does not succeed. The jobs file needs
a callback with the emulator's secrets (${WECOM_CB_TOKEN},
${WECOM_CB_AES_KEY}, ${WECOM_CORP_ID}). Nothing is scheduled.`,
			setup: func(fs *pflag.FlagSet) runFunc {
				var o tryOptions
				fs.StringVar(&o.logFormat, "log-format", "text", "log format on stderr: text or json")
				o.config = configFlag(fs)
				fs.StringArrayVar(&o.joins, "join", nil, "a member joins: USERID:DEPARTMENT[:NAME] (repeatable)")
				fs.StringArrayVar(&o.leaves, "leave", nil, "a member leaves: USERID (repeatable)")
				fs.StringArrayVar(&o.approves, "approve", nil, "an approver approves: USERID[:SP_NO] (repeatable)")
				fs.StringArrayVar(&o.rejects, "reject", nil, "an approver rejects: USERID[:SP_NO] (repeatable)")
				fs.DurationVar(&o.timeout, "timeout", 5*time.Minute, "how long to wait for the runs")
				return func(ctx context.Context, c *cli, _ []string) error { return eventsTry(ctx, c, &o) }
			},
		},
		{
			name:    "replay",
			args:    "JOB [EVENT.xml]",
			summary: "run a job now for an event: a file, or the event of a recorded run",
			doc: `Replay runs JOB now for a WeCom event, as runner serve runs it when the
event arrives: through the same overlap guard, timeout, retries and history
(trigger "event"), the script getting the event as require("event").

The event is EVENT.xml — a decrypted callback message, as WeCom documents
it — or, with --run ID, the event of a run in JOB's history (an event whose
run was interrupted when the runner stopped, or failed). A job whose on:
would not take the event runs anyway, with a warning: replay is also for
trying a handler before it is live. It exits 1 when the run does not
succeed.`,
			minArgs: 1,
			maxArgs: 2,
			setup: func(fs *pflag.FlagSet) runFunc {
				var rf runFlags
				rf.declare(fs)
				config := configFlag(fs)
				run := fs.String("run", "", "replay the event of this run of JOB's history instead of a file")
				return func(ctx context.Context, c *cli, args []string) error {
					return eventsReplay(ctx, c, &rf, *config, *run, args)
				}
			},
		},
	},
}

// tryOptions are the flags of runner events try.
type tryOptions struct {
	logFormat         string
	config            *string
	joins, leaves     []string
	approves, rejects []string
	timeout           time.Duration
}

// consoleChange is a change runner events try makes in the emulator's admin
// console: the action and its JSON body or, for a decision on an approval
// (approval/approve, approval/reject), the flag's USERID[:SP_NO], whose
// body is made when the change is (after the changes before it).
type consoleChange struct {
	action, body, approver string
}

// decisionBody is the body of a decision (approval/approve or reject) of
// USERID[:SP_NO]; without SP_NO, on the oldest pending approval whose
// current step waits for USERID.
func decisionBody(emu *emulator.Server, action, flag string) (string, error) {
	verb := strings.TrimPrefix(action, "approval/")
	approver, spNo, _ := strings.Cut(flag, ":")
	if spNo == "" {
		for _, a := range emu.Approvals() {
			if slices.Contains(a.Approvers, approver) {
				spNo = a.SpNo
				break
			}
		}
		if spNo == "" {
			return "", configf("--%s %s: no pending approval waits for %s (GET /_emulator/approvals lists them)", verb, flag, approver)
		}
	}
	body, _ := json.Marshal(map[string]string{"sp_no": spNo, "userid": approver})
	return string(body), nil
}

func eventsTry(ctx context.Context, c *cli, o *tryOptions) error {
	var changes []consoleChange
	for _, j := range o.joins {
		parts := strings.SplitN(j, ":", 3)
		dept, err := strconv.Atoi(parts[min(1, len(parts)-1)])
		if len(parts) < 2 || parts[0] == "" || err != nil {
			return usagef("--join %q: want USERID:DEPARTMENT[:NAME], e.g. xiaoming:6:小明", j)
		}
		name := parts[0]
		if len(parts) == 3 {
			name = parts[2]
		}
		body, _ := json.Marshal(map[string]any{"userid": parts[0], "name": name, "department": []int{dept},
			"email": parts[0] + "@example.com", "position": "新成员"})
		changes = append(changes, consoleChange{action: "user/create", body: string(body)})
	}
	for _, l := range o.leaves {
		body, _ := json.Marshal(map[string]string{"userid": l})
		changes = append(changes, consoleChange{action: "user/delete", body: string(body)})
	}
	for verb, flags := range map[string][]string{"approve": o.approves, "reject": o.rejects} {
		for _, v := range flags {
			if strings.HasPrefix(v, ":") || v == "" {
				return usagef("--%s %q: want USERID[:SP_NO], e.g. guoqiang", verb, v)
			}
		}
	}
	for _, v := range o.approves {
		changes = append(changes, consoleChange{action: "approval/approve", approver: v})
	}
	for _, v := range o.rejects {
		changes = append(changes, consoleChange{action: "approval/reject", approver: v})
	}
	if len(changes) == 0 {
		return usagef("nothing to try: give --join, --leave, --approve or --reject")
	}
	env, cfg, sched, closeAll, err := openJobs(c, &runFlags{logFormat: o.logFormat, emulator: true}, *o.config)
	if err != nil {
		return err
	}
	defer closeAll()
	recv := service.NewReceiver(sched, service.ReceiverOptions{Logger: env.logger})
	mux := http.NewServeMux()
	mux.Handle(service.CallbackPrefix, recv)
	addr, stop, err := serveHTTP("127.0.0.1:0", "callbacks", mux, env.logger)
	if err != nil {
		return err
	}
	defer stop()
	announceCallbacks(cfg, addr, env, env.logger)
	if cb := env.emu.Credentials().Callback; cb == nil || cb.URL == "" {
		return configf("%s has no callback with the emulator's secrets: add one with token: ${WECOM_CB_TOKEN}, encoding_aes_key: ${WECOM_CB_AES_KEY}, receive_id: ${WECOM_CORP_ID}", cfg.File)
	}

	ctx, cancel := context.WithTimeout(ctx, o.timeout)
	defer cancel()
	recvCtx, stopRecv := context.WithCancel(context.WithoutCancel(ctx))
	recvDone := make(chan struct{})
	go func() { recv.Run(recvCtx); close(recvDone) }()
	defer func() { stopRecv(); <-recvDone }()

	start := time.Now()
	console := strings.TrimSuffix(env.emu.BaseURL(), "/cgi-bin/") + "/_emulator/console/"
	for _, ch := range changes {
		if ch.approver != "" {
			if ch.body, err = decisionBody(env.emu, ch.action, ch.approver); err != nil {
				return err
			}
		}
		resp, err := http.Post(console+ch.action, "application/json", strings.NewReader(ch.body))
		if err != nil {
			return err
		}
		var answer struct {
			ErrCode int    `json:"errcode"`
			ErrMsg  string `json:"errmsg"`
		}
		err = json.NewDecoder(resp.Body).Decode(&answer)
		resp.Body.Close()
		if err != nil {
			return err
		}
		if answer.ErrCode != 0 {
			return configf("the emulator's console refused %s %s: errcode %d: %s", ch.action, ch.body, answer.ErrCode, answer.ErrMsg)
		}
		fmt.Fprintf(c.stdout, "console %s %s\n", ch.action, ch.body)
	}
	if err := env.emu.WaitCallbacks(ctx); err != nil {
		return fmt.Errorf("the emulator's events were not delivered: %w", err)
	}
	if err := recv.Idle(ctx); err != nil {
		return fmt.Errorf("the events' runs did not end: %w", err)
	}

	var failed []string
	for _, j := range cfg.Jobs {
		runs, err := sched.Store().Runs(ctx, j.Name, 0)
		if err != nil {
			return err
		}
		for i := len(runs) - 1; i >= 0; i-- {
			r := runs[i]
			if r.Trigger != state.TriggerEvent || r.Started.Before(start) {
				continue
			}
			fmt.Fprintf(c.stdout, "%s %s (%s): %s\n", j.Name, r.ID, r.Event.Type, describeRun(r, j.Location))
			if r.Result != state.ResultOK {
				failed = append(failed, fmt.Sprintf("%s (%s)", j.Name, r.Result))
			}
		}
	}
	if len(failed) > 0 {
		return fmt.Errorf("runs did not succeed: %s", strings.Join(failed, ", "))
	}
	return nil
}

// openJobs starts rf's environment, loads the jobs file and returns a
// scheduler of its jobs whose scripts print on stdout, for the commands that
// run jobs in this process; closeAll releases them.
func openJobs(c *cli, rf *runFlags, config string) (*runEnv, *jobs.Config, *scheduler.Scheduler, func(), error) {
	env, err := rf.start(c)
	if err != nil {
		return nil, nil, nil, nil, err
	}
	cfg, err := env.loadJobs(config)
	if err != nil {
		env.close()
		return nil, nil, nil, nil, err
	}
	sched, _, closeStore, err := env.scheduler(c, cfg, scheduler.Options{Stdout: c.stdout})
	if err != nil {
		env.close()
		return nil, nil, nil, nil, err
	}
	return env, cfg, sched, func() { closeStore(); env.close() }, nil
}

// maxEventFile bounds an event file.
const maxEventFile = callback.MaxBody

// readEvent reads and parses an event file.
func readEvent(path string) ([]byte, callback.Event, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, configf("%v", err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxEventFile+1))
	if err != nil {
		return nil, nil, configf("%s: %v", path, err)
	}
	ev, err := callback.ParseEvent(data)
	if err != nil {
		return nil, nil, configf("%s: %v", path, err)
	}
	return data, ev, nil
}

func eventsReplay(ctx context.Context, c *cli, rf *runFlags, config, runID string, args []string) error {
	name := args[0]
	if (len(args) == 2) == (runID != "") {
		return usagef("give the event as a file or as --run ID, not both or neither")
	}
	env, cfg, sched, closeAll, err := openJobs(c, rf, config)
	if err != nil {
		return err
	}
	defer closeAll()
	job, err := lookupJob(cfg, name)
	if err != nil {
		return err
	}

	var info state.EventInfo
	if runID != "" {
		rec, err := sched.Store().Run(ctx, name, runID)
		if errors.Is(err, state.ErrNotFound) {
			return configf("no run %s of %s in the history", runID, name)
		}
		if err != nil {
			return err
		}
		if rec.Event == nil {
			return configf("run %s of %s has no event: it was triggered by %s", runID, name, rec.Trigger)
		}
		info = *rec.Event
	} else {
		data, _, err := readEvent(args[1])
		if err != nil {
			return err
		}
		info.XML = string(data)
	}
	ev, err := callback.ParseEvent([]byte(info.XML))
	if err != nil {
		return configf("the event: %v", err)
	}
	info.Type, info.Key = ev.Type(), ev.Key()
	if !job.Takes(info.Callback, ev) {
		env.logger.Warn("the job's on: would not take this event; running it anyway", "job", name, "type", info.Type)
	}
	run, err := sched.Trigger(ctx, name, scheduler.RunRequest{Trigger: state.TriggerEvent, By: "replay", Event: &info, Wait: true})
	if err != nil {
		return err
	}
	r := run.Record()
	fmt.Fprintf(c.stdout, "%s %s: %s\n", name, r.ID, describeRun(r, job.Location))
	if r.Result != state.ResultOK {
		return fmt.Errorf("the run did not succeed: %s", r.Result)
	}
	return nil
}
