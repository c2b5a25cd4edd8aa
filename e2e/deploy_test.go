package e2e

// Checks of the deployment recipes in deploy/: the systemd unit and the
// container image. .ci/run also runs the image's build steps
// (deploy/build.sh), which take minutes.

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// unitSettings reads a systemd unit file into section.Key → values.
func unitSettings(t *testing.T, path string) map[string][]string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	settings := map[string][]string{}
	section := ""
	for _, line := range strings.Split(string(data), "\n") {
		line = strings.TrimSpace(line)
		switch {
		case line == "" || strings.HasPrefix(line, "#"):
		case strings.HasPrefix(line, "["):
			section = strings.Trim(line, "[]")
		default:
			k, v, _ := strings.Cut(line, "=")
			settings[section+"."+k] = append(settings[section+"."+k], v)
		}
	}
	return settings
}

// TestSystemdUnit: the unit runs runner serve as its own user with its state
// in a StateDirectory, a read-only system, secrets from an EnvironmentFile,
// restarts on failure and reloads with SIGHUP. systemd-analyze verify checks
// it where systemd is installed (.ci/run installs it).
func TestSystemdUnit(t *testing.T) {
	t.Parallel()
	s := unitSettings(t, "deploy/runner.service")
	want := map[string]string{
		"Service.ExecStart":       "/usr/local/bin/runner serve --config /etc/runner/jobs.yaml",
		"Service.ExecReload":      "/bin/kill -HUP $MAINPID",
		"Service.EnvironmentFile": "/etc/runner/runner.env",
		"Service.DynamicUser":     "yes",
		"Service.StateDirectory":  "runner runner/data",
		"Service.ProtectSystem":   "strict",
		"Service.Restart":         "on-failure",
		"Service.NoNewPrivileges": "yes",
		"Install.WantedBy":        "multi-user.target",
	}
	for k, v := range want {
		if got := s[k]; len(got) != 1 || got[0] != v {
			t.Errorf("%s = %q, want %q", k, got, v)
		}
	}

	if _, err := exec.LookPath("systemd-analyze"); err != nil {
		t.Skip("systemd-analyze is not installed: the unit is not verified")
	}
	// verify wants the commands to exist: the unit as installed, with the
	// binary under test in place of /usr/local/bin/runner.
	data, err := os.ReadFile("deploy/runner.service")
	if err != nil {
		t.Fatal(err)
	}
	unit := filepath.Join(t.TempDir(), "runner.service")
	os.WriteFile(unit, []byte(strings.ReplaceAll(string(data), "/usr/local/bin/runner", runnerBin)), 0o644)
	out, err := exec.Command("systemd-analyze", "verify", unit).CombinedOutput()
	// verify exits 0 on unknown keys and bad values, but says so.
	if err != nil || len(out) > 0 {
		t.Errorf("systemd-analyze verify: %v\n%s", err, out)
	}
}

// TestContainerfile: a multi-stage build whose build stage runs
// deploy/build.sh (the steps .ci/run checks) and whose image holds only what
// that script built, run by a non-root user.
func TestContainerfile(t *testing.T) {
	t.Parallel()
	data, err := os.ReadFile("deploy/Containerfile")
	if err != nil {
		t.Fatal(err)
	}
	src := string(data)
	for _, re := range []string{
		`(?m)^FROM golang:1\.26 AS build$`,
		`(?m)^RUN deploy/build\.sh /out\b`,
		`(?m)^FROM \S+$`, // the second, final stage
		`(?m)^COPY --from=build /out/ /$`,
		`(?m)^USER 65532:65532$`,
		`(?m)^ENTRYPOINT \["/usr/local/bin/runner"\]$`,
	} {
		if !regexp.MustCompile(re).MatchString(src) {
			t.Errorf("deploy/Containerfile lacks %s", re)
		}
	}
	if n := len(regexp.MustCompile(`(?m)^FROM `).FindAllString(src, -1)); n != 2 {
		t.Errorf("deploy/Containerfile has %d stages, want 2", n)
	}
	for _, line := range regexp.MustCompile(`(?m)^COPY --from=build .*$`).FindAllString(src, -1) {
		if !strings.Contains(line, " /out/ ") && !strings.Contains(line, " /state/ ") {
			t.Errorf("the image copies more than the build's output and its state directory: %s", line)
		}
	}
	if _, err := os.Stat("deploy/build.sh"); err != nil {
		t.Error(err)
	}
}
