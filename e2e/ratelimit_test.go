package e2e

import (
	"strings"
	"testing"
	"time"
)

// TestRateLimitBinary: rate_limit: and rate_limit_wait: in a jobs.yaml, as
// runner exec and runner validate read them, against the emulator.
func TestRateLimitBinary(t *testing.T) {
	t.Parallel()
	const loop = `
		local wecom = require("wecom")
		for i = 1, 5 do wecom.user.get("zhangsan") end
		print("done")
	`
	// jobsFile is the rig's jobs.yaml with the contacts client's settings.
	jobsFile := func(settings string) string {
		return "timezone: UTC\nclients:\n  contacts:\n    corp_id: \"${WECOM_CORP_ID}\"\n" +
			"    secret: \"${WECOM_CONTACTS_SECRET}\"\n    base_url: \"${WECOM_BASE_URL}\"\n" + settings
	}
	execConfig := func(t *testing.T, r *relRig, settings string, args ...string) relRun {
		t.Helper()
		r.write(t, "jobs.yaml", []byte(jobsFile(settings)))
		return r.exec(t, loop, append([]string{"--config", "jobs.yaml"}, args...)...)
	}

	t.Run("own limit near the deadline", func(t *testing.T) {
		t.Parallel()
		r := newRelRig(t)
		run := execConfig(t, r, "    rate_limit: 2\n", "--timeout", "25s")
		relWantRun(t, run, 1, "user.get: rate limit of 2 calls/min for user/get: the run's deadline would pass before the next call may be sent")
		if strings.Contains(run.stderr, "rate: Wait") || strings.Contains(run.stderr, "timed out") {
			t.Errorf("stderr in Go's words or as a timeout:\n%s", run.stderr)
		}
		r.wantSent(t, "user/get", 1) // the next call may be sent 30s later
	})

	t.Run("off", func(t *testing.T) {
		t.Parallel()
		r := newRelRig(t)
		run := execConfig(t, r, "    rate_limit: 2\n", "--timeout", "20s", "--rate-limit", "off")
		relWantRun(t, run, 0)
		run = execConfig(t, r, "    rate_limit: off\n", "--timeout", "20s")
		relWantRun(t, run, 0)
		if !strings.Contains(run.stdout, "done") {
			t.Errorf("stdout %q, want done", run.stdout)
		}
	})

	t.Run("rate_limit_wait bounds the wait and logs it", func(t *testing.T) {
		t.Parallel()
		r := newRelRig(t)
		r.srv.SetRateLimit("user/get", 1)
		run := execConfig(t, r, "    rate_limit_wait: 1s\n", "--timeout", "10m")
		relWantRun(t, run, 1, "errcode 45009", "the most a call waits for WeCom's frequency limit",
			`level=WARN msg="WeCom limits calls: waiting before calling again"`, "api=user/get errcode=45009", "rate_limit_wait=1s")
		if run.elapsed > time.Minute {
			t.Errorf("the run took %s with rate_limit_wait: 1s", run.elapsed)
		}
		r.assertNoSecrets(t, "stderr", run.stderr)
	})

	t.Run("daily quota", func(t *testing.T) {
		t.Parallel()
		r := newRelRig(t)
		r.srv.SetDailyQuota("user/get", 1)
		run := execConfig(t, r, "", "--timeout", "10m")
		relWantRun(t, run, 1, "daily quota of user/get is used up")
		if strings.Contains(run.stderr, "waiting before calling again") {
			t.Errorf("a daily quota was waited for:\n%s", run.stderr)
		}
		r.wantSent(t, "user/get", 2)
	})

	t.Run("bad values", func(t *testing.T) {
		t.Parallel()
		r := newRelRig(t)
		r.write(t, "jobs.yaml", []byte(jobsFile("    rate_limit: fast\n    rate_limit_wait: soon\n")))
		run := r.run(t, "validate", "--config", "jobs.yaml")
		relWantRun(t, run, 2)
		wantContains(t, "validate's report", run.stdout,
			`jobs.yaml:7: clients.contacts.rate_limit: want calls a minute per API (a whole number, at least 1) or off, not "fast"`,
			`jobs.yaml:8: clients.contacts.rate_limit_wait: want a duration such as 2m or 30s (0s: never wait), not "soon"`,
		)
		run = r.exec(t, loop, "--rate-limit", "0")
		relWantRun(t, run, 2, `--rate-limit: want calls a minute per API (a whole number, at least 1) or off, not "0"`)
		r.wantSent(t, "user/get", 0) // the settings are refused before any call
	})
}
