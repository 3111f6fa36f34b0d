// Package sandboxcli is the work of "hew sandbox": run a command contained as the agent's
// commands are, say how it was contained, and end with the command's status. cmd/hew's cobra
// command calls Run; so does this package's initialization, for a command line that is plainly
// "hew sandbox [flags] -- CMD...", before the rest of hew initializes.
//
// That early start is most of what a sandboxed command costs to start. Go initializes every
// package linked into a binary before main, and hew links in the UI's and the model providers'
// libraries, whose initialization costs tens of milliseconds (syntax-highlighting tables, say),
// more than bubblewrap takes to set up and run the command. Go initializes packages in
// import-path order as their imports become ready, so this package, which imports only package
// sandbox and standard packages (none of which need regexp, whose readiness releases the heavy
// ones), runs before them. Any command line it does not fully understand (help, an unknown flag,
// no command) is left to cobra, which then parses it as usual, so the two paths cannot disagree
// about what a command line means.
package sandboxcli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"hew/agent/exitcode"
	"hew/sandbox"
)

// Options are the flags and arguments of "hew sandbox".
type Options struct {
	Command string // the arguments as one shell command (see ShellCommand)
	Network bool
	Timeout time.Duration
	Policy  sandbox.Policy
	Backend string
}

// DefaultTimeout is --timeout's default.
const DefaultTimeout = 10 * time.Minute

// IO is what Run runs with: the working directory (the workspace), the environment as
// KEY=value entries, and the standard streams.
type IO struct {
	Dir         string
	Env         []string
	In          io.Reader
	Out, ErrOut io.Writer
}

// An Error ends "hew sandbox" with Code, saying Err (when not nil) on standard error.
type Error struct {
	Code int
	Err  error
}

func (e *Error) Error() string {
	if e.Err == nil {
		return fmt.Sprintf("exit status %d", e.Code)
	}
	return e.Err.Error()
}
func (e *Error) Unwrap() error { return e.Err }

// Run runs o.Command in the sandbox, prints its output and how it was contained, and returns nil
// when it succeeded. Otherwise it returns an *Error: the command's own exit status once it ran
// (with no message), 1 when it timed out or nothing can contain it here, 2 for a backend or
// option that cannot be used; or, when ctx ended first, ctx's error.
func Run(ctx context.Context, o Options, ios IO) error {
	sb, err := sandbox.New(sandbox.Options{Backend: o.Backend, VerdictFile: sandbox.DefaultVerdictFile(func(k string) string { return getenv(ios.Env, k) })})
	if err != nil {
		return &Error{Code: exitcode.Usage, Err: err}
	}
	spec := sandbox.Spec{
		Command:     o.Command,
		Workspace:   ios.Dir,
		Policy:      o.Policy,
		Network:     o.Network,
		Env:         ios.Env,
		Timeout:     o.Timeout,
		OutputLimit: 1 << 20,
		Stdin:       ios.In,
	}
	res, err := sb.Run(ctx, spec)
	if res.Backend != "" {
		network := "off"
		if o.Network {
			network = "on"
		}
		fmt.Fprintf(ios.ErrOut, "hew sandbox: %s, %s, network %s\n", res.Backend, o.Policy, network)
	}
	for _, n := range res.Notices {
		fmt.Fprintf(ios.ErrOut, "hew sandbox: %s\n", n)
	}
	fmt.Fprint(ios.Out, res.Output)
	if res.Stopped != "" {
		fmt.Fprintf(ios.ErrOut, "hew sandbox: %s\n", res.Stopped)
	}
	switch {
	case errors.Is(err, sandbox.ErrNoContainment):
		return &Error{Code: exitcode.Failed, Err: err}
	case ctx.Err() != nil && errors.Is(err, ctx.Err()):
		return err
	case err != nil:
		return &Error{Code: exitcode.Usage, Err: err}
	case res.TimedOut:
		return &Error{Code: exitcode.Failed, Err: fmt.Errorf("the command timed out after %v; it and everything it started were killed", o.Timeout)}
	case res.ExitCode != 0:
		return &Error{Code: res.ExitCode}
	}
	return nil
}

// getenv returns the last value of key in env.
func getenv(env []string, key string) string {
	for i := len(env) - 1; i >= 0; i-- {
		if k, v, ok := strings.Cut(env[i], "="); ok && k == key {
			return v
		}
	}
	return ""
}

// ShellCommand turns arguments into one /bin/sh command: a single argument is taken as shell
// text, several are quoted word by word.
func ShellCommand(args []string) string {
	if len(args) == 1 {
		return args[0]
	}
	quoted := make([]string, len(args))
	for i, a := range args {
		quoted[i] = "'" + strings.ReplaceAll(a, "'", `'\''`) + "'"
	}
	return strings.Join(quoted, " ")
}

// ParseArgs reads a command line (without the program name) that is "sandbox" followed by
// --network, --timeout D, --policy P and --backend B (each also as --flag=value, flags anywhere
// before "--", as cobra reads them) and at least one word of the command. It reports false for
// anything else (help, an unknown or malformed flag, a value cobra would reject, no command),
// which cobra then reads and reports.
func ParseArgs(args []string) (Options, bool) {
	o := Options{Timeout: DefaultTimeout, Policy: sandbox.PolicyWorkspaceWrite, Backend: sandbox.BackendAuto}
	if len(args) < 2 || args[0] != "sandbox" {
		return o, false
	}
	var words []string
	for i := 1; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			words = append(words, args[i+1:]...)
			break
		}
		if len(a) < 2 || a[0] != '-' {
			words = append(words, a)
			continue
		}
		name, value, hasValue := strings.Cut(a, "=")
		if name == "--network" {
			if hasValue {
				return o, false
			}
			o.Network = true
			continue
		}
		if name != "--timeout" && name != "--policy" && name != "--backend" {
			return o, false
		}
		if !hasValue {
			if i+1 == len(args) {
				return o, false
			}
			i++
			value = args[i]
		}
		switch name {
		case "--timeout":
			d, err := time.ParseDuration(value)
			if err != nil || d <= 0 {
				return o, false
			}
			o.Timeout = d
		case "--policy":
			p, err := sandbox.ParsePolicy(value)
			if err != nil {
				return o, false
			}
			o.Policy = p
		case "--backend":
			o.Backend = value
		}
	}
	if len(words) == 0 {
		return o, false
	}
	o.Command = ShellCommand(words)
	return o, true
}

// Main runs "hew sandbox" for args when ParseArgs understands them: it prints as hew does
// ("hew: " and the reason on ios.ErrOut), stops on SIGINT and SIGTERM as hew does, and returns
// the exit code and true; otherwise false.
func Main(args []string, ios IO) (int, bool) {
	o, ok := ParseArgs(args)
	if !ok {
		return 0, false
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	return ExitCode(ctx, Run(ctx, o, ios), ios.ErrOut), true
}

// ExitCode is the exit code for Run's err, which it reports on errOut as hew reports errors.
func ExitCode(ctx context.Context, err error, errOut io.Writer) int {
	var e *Error
	switch {
	case err == nil:
		return exitcode.OK
	case errors.As(err, &e):
		if e.Err != nil {
			fmt.Fprintln(errOut, "hew:", e.Err)
		}
		return e.Code
	case ctx.Err() != nil:
		fmt.Fprintln(errOut, "hew: interrupted")
		return exitcode.Interrupted
	}
	fmt.Fprintln(errOut, "hew:", err)
	return exitcode.Usage
}

func init() {
	if len(os.Args) < 3 || os.Args[1] != "sandbox" {
		return
	}
	wd, err := os.Getwd()
	if err != nil {
		return
	}
	ios := IO{Dir: wd, Env: os.Environ(), In: os.Stdin, Out: os.Stdout, ErrOut: os.Stderr}
	if code, ok := Main(os.Args[1:], ios); ok {
		os.Exit(code)
	}
}
