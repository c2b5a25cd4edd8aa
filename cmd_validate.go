package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/spf13/pflag"

	"github.com/wecomrunner/runner/runtime"
)

const validateUsage = "usage: runner validate [--config jobs.yaml]"

// validateCmd checks a jobs file without running anything. A file with
// problems exits 2, like every configuration error.
var validateCmd = &command{
	name:    "validate",
	usage:   validateUsage,
	summary: "check jobs.yaml and show each job's next runs",
	run:     runValidate,
}

func runValidate(ctx context.Context, c *cli, args []string) error {
	fs := pflag.NewFlagSet("validate", pflag.ContinueOnError)
	fs.SetOutput(c.stderr)
	config := fs.String("config", "jobs.yaml", "the jobs file")
	fs.Usage = func() { fmt.Fprintln(c.stderr, validateUsage); fs.PrintDefaults() }
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, pflag.ErrHelp) {
			return nil
		}
		return &usageError{err}
	}
	if fs.NArg() != 0 {
		return usagef("%s", validateUsage)
	}

	cfg, err := loadJobs(*config, c.getenv)
	var problems runtime.Problems
	if errors.As(err, &problems) {
		fmt.Fprintln(c.stdout, problems.Error())
		return usagef("%s: %s", *config, plural(len(problems), "problem"))
	}
	if err != nil {
		return err
	}
	printSchedule(c.stdout, cfg, time.Now(), 3)
	return nil
}

// loadJobs loads and validates a jobs file. Its problems are a usage error
// (exit 2), as runtime.Problems.
func loadJobs(path string, getenv func(string) string) (*runtime.Config, error) {
	cfg, err := runtime.Load(path, getenv)
	if errors.Is(err, os.ErrNotExist) {
		return nil, usagef("%s: no such file (--config names the jobs file)", path)
	}
	if err == nil {
		err = cfg.Validate()
	}
	if err != nil {
		return nil, &usageError{err}
	}
	return cfg, nil
}

// printSchedule writes each job with its next n runs in its time zone.
func printSchedule(w io.Writer, cfg *runtime.Config, now time.Time, n int) {
	fmt.Fprintf(w, "%s: %s, no problems\n", cfg.File, plural(len(cfg.Jobs), "job"))
	for _, j := range cfg.Jobs {
		fmt.Fprintf(w, "\n%s: %q in %s\n", j.Name, j.Schedule, j.Timezone)
		if !j.Enabled {
			fmt.Fprintln(w, "  disabled: runs only by hand (runner jobs run)")
			continue
		}
		var next []string
		for t := now; len(next) < n; {
			if t = j.Next(t); t.IsZero() {
				break
			}
			next = append(next, formatWhen(t))
		}
		fmt.Fprintf(w, "  next: %s\n", strings.Join(next, ", "))
	}
}

// formatWhen formats an instant in its own location, with the weekday.
func formatWhen(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.Format("Mon 2006-01-02 15:04:05 MST")
}

func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}
