package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/spf13/pflag"
)

// reloadCmd makes the running serve of a configuration reload it.
var reloadCmd = &command{
	name:    "reload",
	summary: "make the running runner serve reload jobs.yaml",
	doc: `Reload asks the runner serve of the jobs file, found through the address it
records in the state, to reload the file now, as SIGHUP does. A file with
problems is reported and the serve keeps its current schedule (exit 2).
Serve also reloads by itself when the file or a script changes.`,
	setup: func(fs *pflag.FlagSet) runFunc {
		var sf stateFlags
		sf.declare(fs)
		return func(ctx context.Context, c *cli, _ []string) error { return runReload(ctx, c, &sf) }
	},
}

func runReload(ctx context.Context, c *cli, sf *stateFlags) error {
	cfg, err := sf.load(c)
	if err != nil {
		return fmt.Errorf("%w\nthe running runner serve keeps its current schedule", err)
	}
	client, err := findService(ctx, cfg)
	if err != nil {
		return err
	}
	if client == nil {
		return errors.New("no runner serve of " + cfg.File + " is running (none records its address in " + cfg.State + ")")
	}
	n, err := client.Reload(ctx)
	if err != nil {
		return operationError(err)
	}
	fmt.Fprintf(c.stdout, "%s reloaded: %s\n", cfg.File, plural(n, "job"))
	return nil
}
