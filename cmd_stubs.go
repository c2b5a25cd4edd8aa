package main

import (
	"context"
	"fmt"

	"github.com/spf13/pflag"

	"github.com/wecomrunner/runner/bindings"
)

const stubsUsage = "usage: runner stubs DIR"

var stubsCmd = &command{
	name:    "stubs",
	usage:   stubsUsage,
	summary: "write LuaLS definitions of every module, for completion in an editor",
	run:     runStubs,
}

// runStubs writes the LuaLS definition files and .luarc.json into DIR, the
// folder the editor opens (usually the scripts' folder).
func runStubs(_ context.Context, c *cli, args []string) error {
	fs := pflag.NewFlagSet("stubs", pflag.ContinueOnError)
	fs.SetOutput(c.stderr)
	if err := fs.Parse(args); err != nil {
		return &usageError{fmt.Errorf("%w\n%s", err, stubsUsage)}
	}
	if fs.NArg() != 1 {
		return usagef("%s", stubsUsage)
	}
	dir := fs.Arg(0)
	if err := bindings.WriteStubs(dir); err != nil {
		return fmt.Errorf("writing the stubs: %w", err)
	}
	fmt.Fprintf(c.stderr, "wrote %s/.luarc.json and the definitions in %s/library; open %s with the Lua language server\n", dir, dir, dir)
	return nil
}
