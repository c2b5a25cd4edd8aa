package main

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/pflag"

	"github.com/wecomrunner/runner/wecom/emulator"
)

const emulatorUsage = "usage: runner emulator [--listen 127.0.0.1:8080] [--org FILE] [--latency 20ms] [--token-lifetime 2h] [--rate-limit N] [--fail API=ERRCODE[xN]]..."

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
	lifetime := fs.Duration("token-lifetime", 0, "lifetime of access tokens (default 2h, as WeCom)")
	rateLimit := fs.Int("rate-limit", 0, "answer 45009 past this many calls a minute, all APIs together (0: no limit)")
	failures := fs.StringArray("fail", nil, "answer the next calls of API with ERRCODE, e.g. user/get=60111x3 (repeatable; API * is every API)")
	if err := fs.Parse(args); err != nil {
		return &usageError{fmt.Errorf("%w\n%s", err, emulatorUsage)}
	}
	if fs.NArg() != 0 {
		return usagef("%s", emulatorUsage)
	}
	srv, err := newEmulator(*orgFile, *latency, *lifetime)
	if err != nil {
		return err
	}
	if *rateLimit > 0 {
		srv.SetRateLimit("*", *rateLimit)
	}
	for _, f := range *failures {
		api, code, n, err := parseFailure(f)
		if err != nil {
			return err
		}
		srv.FailNext(api, n, code)
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

// parseFailure reads --fail API=ERRCODE[xN] (N defaults to 1).
func parseFailure(s string) (api string, code, n int, err error) {
	api, spec, ok := strings.Cut(s, "=")
	codeText, count, hasCount := strings.Cut(spec, "x")
	n = 1
	if ok && hasCount {
		n, err = strconv.Atoi(count)
	}
	if err == nil && ok {
		code, err = strconv.Atoi(codeText)
	}
	if !ok || api == "" || err != nil || n < 1 {
		return "", 0, 0, usagef("--fail %q: want API=ERRCODE or API=ERRCODExN, e.g. user/get=-1x2", s)
	}
	return api, code, n, nil
}

// newEmulator builds an emulator from an org file, or the demo organisation.
func newEmulator(orgFile string, latency, tokenLifetime time.Duration) (*emulator.Server, error) {
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
	if tokenLifetime > 0 {
		opts = append(opts, emulator.WithTokenLifetime(tokenLifetime))
	}
	return emulator.New(org, opts...), nil
}

// inProcessEmulator starts the demo emulator on a free loopback port for
// --emulator: it returns getenv with the emulator's credentials in place of
// the real ones, the emulator's base URL, and the function that stops it.
func inProcessEmulator(getenv func(string) string) (func(string) string, string, func(), error) {
	srv, err := newEmulator("", 0, 0)
	if err != nil {
		return nil, "", nil, err
	}
	if _, err := srv.Listen("127.0.0.1:0"); err != nil {
		return nil, "", nil, err
	}
	return overlay(getenv, emulatorEnv(srv)), srv.BaseURL(), func() { srv.Close() }, nil
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
