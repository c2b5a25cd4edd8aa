package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/spf13/pflag"

	"github.com/wecomrunner/runner/runtime/jobs"
)

// validateCmd checks a jobs file without running anything. A file with
// problems exits 2, like every configuration error.
var validateCmd = &command{
	name:    "validate",
	summary: "check jobs.yaml and show each job's next runs",
	doc: `Validate checks the jobs file (fields, schedules, time zones, scripts that
compile, clients that exist, callbacks and the events of on:) and runs
nothing. It prints every problem with its line and exits 2, or prints each
job's next three runs in its time zone and the events it takes.`,
	setup: func(fs *pflag.FlagSet) runFunc {
		config := configFlag(fs)
		return func(ctx context.Context, c *cli, _ []string) error { return runValidate(ctx, c, *config) }
	},
}

func runValidate(_ context.Context, c *cli, config string) error {
	cfg, err := loadJobs(config, c.getenv)
	var problems jobs.Problems
	if errors.As(err, &problems) {
		fmt.Fprintln(c.stdout, problems.Error())
		return configf("%s: %s", config, plural(len(problems), "problem"))
	}
	if err != nil {
		return err
	}
	printSchedule(c.stdout, cfg, time.Now(), 3)
	return nil
}

// printSchedule writes each job with its next n runs in its time zone.
func printSchedule(w io.Writer, cfg *jobs.Config, now time.Time, n int) {
	fmt.Fprintf(w, "%s: %s, no problems\n", cfg.File, plural(len(cfg.Jobs), "job"))
	for _, j := range cfg.Jobs {
		if j.Schedule != "" {
			fmt.Fprintf(w, "\n%s: %q in %s\n", j.Name, j.Schedule, j.Timezone)
		} else {
			fmt.Fprintf(w, "\n%s: on events\n", j.Name)
		}
		if !j.Enabled {
			fmt.Fprintln(w, "  disabled: runs only by hand (runner jobs run)")
			continue
		}
		var next []string
		for t := now; len(next) < n && j.Schedule != ""; {
			if t = j.Next(t); t.IsZero() {
				break
			}
			next = append(next, formatWhen(t))
		}
		if len(next) > 0 {
			fmt.Fprintf(w, "  next: %s\n", strings.Join(next, ", "))
		}
		for _, o := range j.On {
			fmt.Fprintf(w, "  on: %s\n", o)
		}
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
