package main

import (
	"context"
	"fmt"

	"github.com/spf13/pflag"

	"github.com/wecomrunner/runner/bindings"
)

var stubsCmd = &command{
	name:    "stubs",
	args:    "DIR",
	summary: "write LuaLS definitions of every module, for completion in an editor",
	doc: `Stubs writes the LuaLS definition files and .luarc.json into DIR, the
folder the editor opens (usually the scripts' folder).`,
	minArgs: 1,
	maxArgs: 1,
	setup:   func(*pflag.FlagSet) runFunc { return runStubs },
}

func runStubs(_ context.Context, c *cli, args []string) error {
	dir := args[0]
	if err := bindings.WriteStubs(dir); err != nil {
		return fmt.Errorf("writing the stubs: %w", err)
	}
	fmt.Fprintf(c.stderr, "wrote %s/.luarc.json and the definitions in %s/library; open %s with the Lua language server\n", dir, dir, dir)
	return nil
}
