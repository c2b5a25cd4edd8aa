package main

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/pflag"

	"github.com/wecomrunner/runner/wecom/emulator"
)

var emulatorCmd = &command{
	name:    "emulator",
	summary: "serve a local WeCom API with a demo organisation",
	doc: `Emulator serves the WeCom API from memory until interrupted, and prints the
variables a client needs to call it (WECOM_BASE_URL, WECOM_CORP_ID,
WECOM_CONTACTS_SECRET, WECOM_CUSTOMER_SECRET, WECOM_SECRET, WECOM_AGENT_ID,
WECOM_OA_SECRET) and
the contacts sync's callback secrets (WECOM_CB_TOKEN, WECOM_CB_AES_KEY) on
stdout, one per line, so that another shell can source them.

With --callback-url, it pushes events there as WeCom does, encrypted and
signed with those secrets: change_contact when a member is added, changed or
removed in the admin console (POST /_emulator/console/user/create, update,
delete), batch_job_result when a batch job ends, and sys_approval_change when
an approver approves or rejects, the applicant withdraws or someone concerned
comments in the console (POST /_emulator/console/approval/approve, reject,
withdraw or comment; GET /_emulator/approvals lists who may decide each
pending approval). Changes made through
the API by the contacts sync are not announced, as in WeCom. A delivery not
answered within 5 seconds with a 200 (an empty body or "success") is made
again, three times at most.

It applies WeCom's rules of today (--rules today, the default), those a
corp created now meets on its first call: its applications read no member's
mobile, email, gender, avatar or address; the contacts-sync secret, calling
from a new IP, may not read members with user/get, user/list,
user/simplelist or department/list (48009) and uses user/list_id,
department/simplelist and department/get; an application's messages reach
one member at most 30 times a minute and 1,000 an hour, group chat messages
200 times a minute and 10,000 a day, the rest dropped without an error (the
inspection API shows them as dropped); an application's messages reach 200
recipients a day per seat (the org's corp_user_max, 500 by default); daily quotas
answer 45009 until the next day, media/uploadimg's monthly quota for 30
days (/_emulator/quotas shows them). --rules legacy serves WeCom as an older
corp knew it, before 2022-06-20. --trusted-ip turns on the trusted-IP rule:
calls from other IPs answer 60020. Under both rules, a member added with
every seat taken fails with 45024. --fail and --fail-exports inject faults,
as POST /_emulator/console/fail_exports {"n": 1} does for exports.`,
	setup: func(fs *pflag.FlagSet) runFunc {
		var o emulatorOptions
		fs.StringVar(&o.listen, "listen", "127.0.0.1:8080", "address to serve on")
		fs.StringVar(&o.org, "org", "", "organisation file (YAML or JSON); default: the built-in demo organisation")
		fs.IntVar(&o.members, "members", 0, "serve the demo organisation grown to this many generated members, to try jobs at scale")
		fs.IntVar(&o.departments, "departments", 100, "with --members: the number of departments")
		fs.DurationVar(&o.latency, "latency", 0, "added to every answer")
		fs.DurationVar(&o.tokenLifetime, "token-lifetime", 0, "lifetime of access tokens (default 2h, as WeCom)")
		fs.IntVar(&o.rateLimit, "rate-limit", 0, "answer 45009 past this many calls a minute, all APIs together (0: no limit)")
		fs.StringArrayVar(&o.failures, "fail", nil, "answer the next calls of API with ERRCODE, e.g. user/get=60111x3 (repeatable; API * is every API)")
		fs.IntVar(&o.failExports, "fail-exports", 0, "the first N export jobs fail: export/get_result answers status 3 (异常失败) for them")
		fs.StringVar(&o.callbackURL, "callback-url", "", "push events to this URL, e.g. http://127.0.0.1:9090/callback/contacts")
		fs.StringVar(&o.rules, "rules", "today", "WeCom's rules: today (a corp created now) or legacy (before 2022-06-20: every app reads mobiles and emails, the contacts sync reads from any IP, messages and quotas are not limited)")
		fs.StringArrayVar(&o.trustedIPs, "trusted-ip", nil, "answer 60020 to calls from any other IP (企业可信IP; repeatable)")
		fs.StringArrayVar(&o.syncIPs, "contacts-sync-ip", nil, "an IP the contacts sync called from before 2022-08-15: from it, it may still call user/get, user/list, user/simplelist and department/list under today's rules (repeatable)")
		return func(ctx context.Context, c *cli, _ []string) error { return runEmulator(ctx, c, &o) }
	},
}

// emulatorOptions are the flags of runner emulator.
type emulatorOptions struct {
	listen, org            string
	members, departments   int
	latency, tokenLifetime time.Duration
	rateLimit              int
	failures               []string
	failExports            int
	callbackURL            string
	rules                  string
	trustedIPs, syncIPs    []string
}

func runEmulator(ctx context.Context, c *cli, o *emulatorOptions) error {
	type fault struct {
		api     string
		code, n int
	}
	rules, err := emulator.ParseRules(o.rules)
	if err != nil {
		return usagef("--%v", err)
	}
	if o.failExports < 0 {
		return usagef("--fail-exports %d: want 0 or more", o.failExports)
	}
	var faults []fault
	for _, f := range o.failures {
		api, code, n, err := parseFailure(f)
		if err != nil {
			return err
		}
		faults = append(faults, fault{api, code, n})
	}
	var srv *emulator.Server
	switch {
	case o.members > 0 && o.org != "":
		return usagef("--members and --org cannot be used together")
	case o.members > 0:
		srv = serveOrg(emulator.LargeOrg(o.departments, o.members), o.latency, o.tokenLifetime, rules, emulator.WithContactsSyncIPs(o.syncIPs...))
	default:
		if srv, err = newEmulator(o.org, o.latency, o.tokenLifetime, rules, emulator.WithContactsSyncIPs(o.syncIPs...)); err != nil {
			return err
		}
	}
	if len(o.trustedIPs) > 0 {
		srv.SetTrustedIPs(o.trustedIPs)
	}
	if o.rateLimit > 0 {
		srv.SetRateLimit("*", o.rateLimit)
	}
	for _, f := range faults {
		srv.FailNext(f.api, f.n, f.code)
	}
	srv.FailNextExports(o.failExports)
	if o.callbackURL != "" {
		if err := pushTo(srv, o.callbackURL); err != nil {
			return usagef("--callback-url %s: %v", o.callbackURL, err)
		}
	}
	if _, err := srv.Listen(o.listen); err != nil {
		return configf("--listen %s: %v", o.listen, err)
	}
	defer srv.Close()
	for _, kv := range srv.Env() {
		fmt.Fprintln(c.stdout, kv[0]+"="+kv[1])
	}
	fmt.Fprintf(c.stderr, "emulator serving on %s under the rules of %s; Ctrl-C stops it\n", srv.BaseURL(), rules)
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
func newEmulator(orgFile string, latency, tokenLifetime time.Duration, rules emulator.Rules, more ...emulator.Option) (*emulator.Server, error) {
	org := emulator.DemoOrg()
	if orgFile != "" {
		var err error
		if org, err = emulator.LoadOrg(orgFile); err != nil {
			return nil, &configError{err}
		}
	}
	return serveOrg(org, latency, tokenLifetime, rules, more...), nil
}

// serveOrg builds an emulator of org with the given latency and token
// lifetime (0: the defaults), under rules, with more options.
func serveOrg(org *emulator.Org, latency, tokenLifetime time.Duration, rules emulator.Rules, more ...emulator.Option) *emulator.Server {
	opts := append([]emulator.Option{emulator.WithRules(rules)}, more...)
	if latency > 0 {
		opts = append(opts, emulator.WithLatency(latency, 0))
	}
	if tokenLifetime > 0 {
		opts = append(opts, emulator.WithTokenLifetime(tokenLifetime))
	}
	return emulator.New(org, opts...)
}

// pushTo makes srv push its events to url with its callback's secrets.
func pushTo(srv *emulator.Server, url string) error {
	cb := srv.Credentials().Callback
	if cb == nil {
		return errors.New("the organisation has no callback: add callback: {token, encoding_aes_key} to the org file")
	}
	cb.URL = url
	return srv.SetCallback(*cb)
}

// inProcessEmulator starts the demo emulator on a free loopback port for
// --emulator, under rules (--emulator-rules): it returns the emulator, and
// getenv with the emulator's credentials in place of the real ones.
func inProcessEmulator(getenv func(string) string, rules emulator.Rules) (*emulator.Server, func(string) string, error) {
	srv, err := newEmulator("", 0, 0, rules)
	if err != nil {
		return nil, nil, err
	}
	if _, err := srv.Listen("127.0.0.1:0"); err != nil {
		return nil, nil, err
	}
	return srv, overlay(getenv, srv.Env()), nil
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
