package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"runtime/debug"
	"strings"
	"text/tabwriter"

	"github.com/spf13/pflag"
)

// cli is what every subcommand gets from the process: the environment and the
// standard streams. Nothing else reads os.Getenv or writes os.Stdout.
type cli struct {
	getenv func(string) string
	stdout io.Writer
	stderr io.Writer
}

// command is one subcommand (`runner exec`), or a group of them (`runner
// jobs`, whose subcommands are `runner jobs list`, ...). Every command gets
// its flags parsed, its arguments counted and its help printed by the same
// code: `runner help CMD`, `runner CMD --help` and `runner CMD -h` print its
// usage, doc and flags on stdout; a usage error prints the error, the usage
// and the flags on stderr and exits 2.
type command struct {
	name    string
	args    string // the usage line after "[flags]", e.g. "script.lua"
	summary string // one line in the list of commands
	doc     string // paragraphs `runner help CMD` prints after the usage line

	// minArgs and maxArgs bound the positional arguments; maxArgs < 0
	// allows any number.
	minArgs, maxArgs int

	// setup declares the command's flags on fs and returns the function that
	// runs the command with the positional arguments once fs is parsed. It
	// runs once per invocation, so flag values are never shared, and also to
	// print the flags in the help: it declares flags and does nothing else.
	setup func(fs *pflag.FlagSet) runFunc

	// subcommands makes the command a group; setup is then unused.
	subcommands []*command

	path string // "runner jobs list", set by link
}

// runFunc runs a command with its positional arguments.
type runFunc func(ctx context.Context, c *cli, args []string) error

// root is the program: its subcommands in the order `runner help` lists them.
var root *command

func init() {
	root = &command{
		name:    "runner",
		summary: "runner automates a WeCom (企业微信) organisation with Lua scripts.",
		subcommands: []*command{
			execCmd,
			serveCmd,
			validateCmd,
			jobsCmd,
			reloadCmd,
			eventsCmd,
			emulatorCmd,
			stubsCmd,
			versionCmd,
			helpCmd,
		},
	}
	root.link("")
}

// link sets the path of c and its subcommands.
func (c *command) link(parent string) {
	c.path = strings.TrimSpace(parent + " " + c.name)
	for _, sub := range c.subcommands {
		sub.link(c.path)
	}
}

// run is the whole program: it dispatches to a subcommand.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	c := &cli{getenv: getenv, stdout: stdout, stderr: stderr}
	if len(args) > 0 && args[0] == "--version" {
		return runVersion(ctx, c, nil)
	}
	return root.dispatch(ctx, c, args)
}

// dispatch runs c with args: a group picks its subcommand, a command parses
// its flags and runs.
func (cmd *command) dispatch(ctx context.Context, c *cli, args []string) error {
	if cmd.subcommands != nil {
		if len(args) == 0 {
			return &usageError{errors.New("no command given"), cmd}
		}
		switch name := args[0]; name {
		case "-h", "--help":
			cmd.help(c.stdout)
			return nil
		case "help":
			if cmd != root {
				return runHelp(ctx, c, append(strings.Fields(cmd.path)[1:], args[1:]...))
			}
		}
		sub := cmd.find(args[0])
		if sub == nil {
			return &usageError{fmt.Errorf("unknown command %q", args[0]), cmd}
		}
		return sub.dispatch(ctx, c, args[1:])
	}

	fs := cmd.flagSet()
	runf := cmd.setup(fs)
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, pflag.ErrHelp) {
			cmd.help(c.stdout)
			return nil
		}
		return &usageError{err, cmd}
	}
	n := fs.NArg()
	if n < cmd.minArgs {
		return &usageError{fmt.Errorf("missing %s", cmd.args), cmd}
	}
	if cmd.maxArgs >= 0 && n > cmd.maxArgs {
		return &usageError{fmt.Errorf("unexpected arguments: %s", strings.Join(fs.Args()[cmd.maxArgs:], " ")), cmd}
	}
	err := runf(ctx, c, fs.Args())
	var u *usageError
	if errors.As(err, &u) && u.cmd == nil {
		u.cmd = cmd
	}
	return err
}

// find returns the subcommand called name, or nil.
func (cmd *command) find(name string) *command {
	for _, sub := range cmd.subcommands {
		if sub.name == name {
			return sub
		}
	}
	return nil
}

// flagSet is a new, empty flag set for cmd that prints nothing itself.
func (cmd *command) flagSet() *pflag.FlagSet {
	fs := pflag.NewFlagSet(cmd.path, pflag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	fs.SortFlags = true
	return fs
}

// usageLine is "usage: runner exec [flags] script.lua".
func (cmd *command) usageLine() string {
	if cmd.subcommands != nil {
		return "usage: " + cmd.path + " <command> [arguments]"
	}
	line := "usage: " + cmd.path
	if cmd.flags() != "" {
		line += " [flags]"
	}
	if cmd.args != "" {
		line += " " + cmd.args
	}
	return line
}

// flags is the table of cmd's flags, one a line; "" when it has none.
func (cmd *command) flags() string {
	if cmd.setup == nil {
		return ""
	}
	fs := cmd.flagSet()
	cmd.setup(fs)
	var b strings.Builder
	tw := tabwriter.NewWriter(&b, 0, 8, 3, ' ', 0)
	fs.VisitAll(func(f *pflag.Flag) {
		name, usage := pflag.UnquoteUsage(f)
		switch f.Value.Type() {
		case "bool":
			name = ""
		case "stringArray":
			name = "string"
		}
		if name != "" {
			name = " " + name
		}
		switch def := f.DefValue; {
		case def == "" || def == "false" || def == "0" || def == "0s" || def == "[]":
		case f.Value.Type() == "string":
			usage += fmt.Sprintf(" (default %q)", def)
		default:
			usage += fmt.Sprintf(" (default %s)", def)
		}
		fmt.Fprintf(tw, "  --%s%s\t%s\n", f.Name, name, usage)
	})
	tw.Flush()
	return b.String()
}

// usage writes the usage line and the flags, or the list of subcommands.
func (cmd *command) usage(w io.Writer) {
	fmt.Fprintln(w, cmd.usageLine())
	if cmd.subcommands != nil {
		fmt.Fprintln(w, "\ncommands:")
		for _, sub := range cmd.subcommands {
			fmt.Fprintf(w, "  %-10s %s\n", sub.name, sub.summary)
		}
		topic := strings.TrimPrefix(cmd.path+" ", root.path+" ")
		fmt.Fprintf(w, "\nRun 'runner help %s<command>' for the usage and flags of a command.\n", topic)
		return
	}
	if flags := cmd.flags(); flags != "" {
		fmt.Fprintf(w, "\nflags:\n%s", flags)
	}
}

// help writes what `runner help CMD` shows: the summary or doc, then the usage.
func (cmd *command) help(w io.Writer) {
	switch {
	case cmd == root:
		fmt.Fprintf(w, "%s\n\n", cmd.summary)
	case cmd.doc != "":
		fmt.Fprintf(w, "%s: %s.\n\n%s\n\n", cmd.path, cmd.summary, strings.TrimSpace(cmd.doc))
	default:
		fmt.Fprintf(w, "%s: %s.\n\n", cmd.path, cmd.summary)
	}
	cmd.usage(w)
}

// usageError is a mistake on the command line: it exits 2 after the usage
// and flags of its command.
type usageError struct {
	err error
	cmd *command // whose usage to print; the command that returned it
}

func (e *usageError) Error() string { return e.err.Error() }
func (e *usageError) Unwrap() error { return e.err }

// usagef returns a usageError with a formatted message.
func usagef(format string, args ...any) error {
	return &usageError{err: fmt.Errorf(format, args...)}
}

// configError is a configuration the command cannot start with (a bad jobs
// file, a missing client, a script that does not compile): it exits 2
// before anything runs.
type configError struct{ err error }

func (e *configError) Error() string { return e.err.Error() }
func (e *configError) Unwrap() error { return e.err }

// configf returns a configError with a formatted message.
func configf(format string, args ...any) error {
	return &configError{fmt.Errorf(format, args...)}
}

// isUsage reports whether err should exit with code 2.
func isUsage(err error) bool {
	var u *usageError
	var c *configError
	return errors.As(err, &u) || errors.As(err, &c)
}

// exitCode reports err on stderr and maps it to the process exit code:
// 0 success, 1 failure, 2 usage or configuration error. A usage error is
// followed by the usage and flags of its command.
func exitCode(err error, stderr io.Writer) int {
	if err == nil {
		return 0
	}
	var u *usageError
	if errors.As(err, &u) && u.cmd != nil {
		fmt.Fprintf(stderr, "%s: %v\n\n", u.cmd.path, err)
		u.cmd.usage(stderr)
		return 2
	}
	fmt.Fprintln(stderr, "runner:", err)
	if isUsage(err) {
		return 2
	}
	return 1
}

var helpCmd = &command{
	name:    "help",
	args:    "[command [subcommand]]",
	summary: "show the usage and flags of a command",
	maxArgs: 2,
	setup:   func(*pflag.FlagSet) runFunc { return runHelp },
}

// runHelp prints the help of the command that args name, on stdout.
func runHelp(_ context.Context, c *cli, args []string) error {
	cmd := root
	for i, name := range args {
		sub := cmd.find(name)
		if sub == nil {
			return usagef("unknown help topic %q: run 'runner help' for the commands", strings.Join(args[:i+1], " "))
		}
		cmd = sub
	}
	cmd.help(c.stdout)
	return nil
}

var versionCmd = &command{
	name:    "version",
	summary: "print the version of runner and how it was built",
	doc:     "The version comes from the build: the module version, the VCS revision\nand time when the binary was built from a checkout, and the Go version.",
	setup:   func(*pflag.FlagSet) runFunc { return runVersion },
}

func runVersion(_ context.Context, c *cli, _ []string) error {
	fmt.Fprintln(c.stdout, version())
	return nil
}

// version is "runner v1.2.3 go1.26.0 linux/amd64 (revision 4f1c..., 2025-03-31T02:00:00Z, modified)",
// from the build information the go tool stamps into the binary.
func version() string {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return "runner (unknown version: built without module support)"
	}
	return formatVersion(bi)
}

func formatVersion(bi *debug.BuildInfo) string {
	settings := map[string]string{}
	for _, s := range bi.Settings {
		settings[s.Key] = s.Value
	}
	v := fmt.Sprintf("runner %s %s %s/%s", bi.Main.Version, bi.GoVersion, settings["GOOS"], settings["GOARCH"])
	if rev := settings["vcs.revision"]; rev != "" {
		vcs := []string{"revision " + rev}
		if t := settings["vcs.time"]; t != "" {
			vcs = append(vcs, t)
		}
		if settings["vcs.modified"] == "true" {
			vcs = append(vcs, "modified")
		}
		v += " (" + strings.Join(vcs, ", ") + ")"
	}
	return v
}
