package main

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/spf13/pflag"

	"github.com/wecomrunner/runner/wecom/emulator"
)

const emulatorUsage = "usage: runner emulator [--listen 127.0.0.1:8080] [--org FILE] [--latency 20ms]"

var emulatorCmd = &command{
	name:    "emulator",
	usage:   emulatorUsage,
	summary: "serve a local WeCom API with a demo organisation",
	run:     runEmulator,
}

func runEmulator(ctx context.Context, c *cli, args []string) error {
	fs := pflag.NewFlagSet("emulator", pflag.ContinueOnError)
	fs.SetOutput(c.stderr)
	listen := fs.String("listen", "127.0.0.1:8080", "address to serve on")
	orgFile := fs.String("org", "", "organisation file (YAML or JSON); default: the built-in demo organisation")
	latency := fs.Duration("latency", 0, "added to every answer")
	if err := fs.Parse(args); err != nil {
		return &usageError{fmt.Errorf("%w\n%s", err, emulatorUsage)}
	}
	if fs.NArg() != 0 {
		return usagef("%s", emulatorUsage)
	}
	srv, err := newEmulator(*orgFile, *latency)
	if err != nil {
		return err
	}
	if _, err := srv.Listen(*listen); err != nil {
		return err
	}
	defer srv.Close()
	for _, kv := range emulatorEnv(srv) {
		fmt.Fprintln(c.stdout, kv[0]+"="+kv[1])
	}
	fmt.Fprintf(c.stderr, "emulator serving on %s; Ctrl-C stops it\n", srv.BaseURL())
	<-ctx.Done()
	return nil
}

// newEmulator builds an emulator from an org file, or the demo organisation.
func newEmulator(orgFile string, latency time.Duration) (*emulator.Server, error) {
	org := emulator.DemoOrg()
	if orgFile != "" {
		var err error
		if org, err = emulator.LoadOrg(orgFile); err != nil {
			return nil, &usageError{err}
		}
	}
	var opts []emulator.Option
	if latency > 0 {
		opts = append(opts, emulator.WithLatency(latency, 0))
	}
	return emulator.New(org, opts...), nil
}

// emulatorEnv is what a client needs to call srv, as environment variables:
// the base URL, the corp, the contacts-sync secret and the first app.
func emulatorEnv(srv *emulator.Server) [][2]string {
	cred := srv.Credentials()
	env := [][2]string{
		{"WECOM_BASE_URL", srv.BaseURL()},
		{"WECOM_CORP_ID", cred.CorpID},
		{"WECOM_CONTACTS_SECRET", cred.ContactsSecret},
	}
	if len(cred.Apps) > 0 {
		env = append(env,
			[2]string{"WECOM_SECRET", cred.Apps[0].Secret},
			[2]string{"WECOM_AGENT_ID", strconv.Itoa(cred.Apps[0].AgentID)})
	}
	return env
}

// overlay returns getenv with the variables of env taking precedence.
func overlay(getenv func(string) string, env [][2]string) func(string) string {
	m := map[string]string{}
	for _, kv := range env {
		m[kv[0]] = kv[1]
	}
	return func(k string) string {
		if v, ok := m[k]; ok {
			return v
		}
		return getenv(k)
	}
}
