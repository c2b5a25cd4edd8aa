package main

import (
	"context"
	"errors"
	"fmt"
	"io"
)

// cli is what every subcommand gets from the process: the environment and the
// standard streams. Nothing else reads os.Getenv or writes os.Stdout.
type cli struct {
	getenv func(string) string
	stdout io.Writer
	stderr io.Writer
}

// command is one subcommand: `runner NAME ...`.
type command struct {
	name    string
	usage   string // one line: "usage: runner exec [flags] script.lua"
	summary string
	run     func(ctx context.Context, c *cli, args []string) error
}

// usageError is a mistake in the command line or the configuration; it exits 2.
type usageError struct{ err error }

func (e *usageError) Error() string { return e.err.Error() }
func (e *usageError) Unwrap() error { return e.err }

// usagef returns a usageError with a formatted message.
func usagef(format string, args ...any) error {
	return &usageError{fmt.Errorf(format, args...)}
}

// isUsage reports whether err should exit with code 2.
func isUsage(err error) bool {
	var u *usageError
	return errors.As(err, &u)
}

// commands lists every subcommand, in the order `runner help` shows them.
var commands = []*command{
	execCmd,
	serveCmd,
	validateCmd,
	jobsCmd,
	emulatorCmd,
	stubsCmd,
}

// run is the whole program: it dispatches to a subcommand.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	c := &cli{getenv: getenv, stdout: stdout, stderr: stderr}
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		c.help()
		if len(args) == 0 {
			return usagef("no command given")
		}
		return nil
	}
	for _, cmd := range commands {
		if cmd.name == args[0] {
			return cmd.run(ctx, c, args[1:])
		}
	}
	c.help()
	return usagef("unknown command %q", args[0])
}

func (c *cli) help() {
	fmt.Fprintln(c.stderr, "runner automates a WeCom organisation with Lua scripts.")
	fmt.Fprintln(c.stderr)
	fmt.Fprintln(c.stderr, "commands:")
	for _, cmd := range commands {
		fmt.Fprintf(c.stderr, "  %-10s %s\n", cmd.name, cmd.summary)
	}
}
