package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/spf13/cobra"
)

// Exit codes, as documented in the README.
const (
	exitOK          = 0
	exitFailed      = 1 // the task failed: tests failing, model error, a denied action, a cap hit
	exitUsage       = 2 // usage or configuration error
	exitInterrupted = 130
)

// IO is what a command runs with: the standard streams, the environment and the working
// directory. Commands read these, never the process's own: system() fills them in from the
// process, and tests pass their own.
type IO struct {
	In     io.Reader
	Out    io.Writer
	ErrOut io.Writer
	// InIsTerminal and OutIsTerminal report whether the streams are terminals.
	InIsTerminal  bool
	OutIsTerminal bool
	// Env is the environment as KEY=value entries, as os.Environ returns it: what commands hew
	// starts begin from, and what Getenv reads.
	Env []string
	// Dir is the working directory.
	Dir string
}

// Getenv returns the value of key in Env, or "" when it is not set. When Env sets key twice the
// last setting counts, as it would for a process started with Env.
func (ios *IO) Getenv(key string) string {
	for i := len(ios.Env) - 1; i >= 0; i-- {
		if k, v, ok := strings.Cut(ios.Env[i], "="); ok && k == key {
			return v
		}
	}
	return ""
}

// system is the IO of this process.
func system() *IO {
	dir, _ := os.Getwd()
	return &IO{
		In: os.Stdin, Out: os.Stdout, ErrOut: os.Stderr,
		InIsTerminal:  isTerminal(os.Stdin),
		OutIsTerminal: isTerminal(os.Stdout),
		Env:           os.Environ(),
		Dir:           dir,
	}
}

func isTerminal(f *os.File) bool {
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

// exitError carries an exit code out of a command.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string { return e.err.Error() }
func (e *exitError) Unwrap() error { return e.err }

// usageError marks a usage or configuration mistake (exit 2).
func usageError(format string, args ...any) error {
	return &exitError{code: exitUsage, err: fmt.Errorf(format, args...)}
}

// failure marks a failed task (exit 1) with a message already fit for the user.
func failure(err error) error { return &exitError{code: exitFailed, err: err} }

// silentExit ends with a code and prints nothing more: the command already said why.
func silentExit(code int) error { return &exitError{code: code} }

// Main runs hew with args and returns the process exit code.
func Main(args []string, ios *IO) int {
	if isVersionRequest(args) {
		fmt.Fprintln(ios.Out, versionLine())
		return exitOK
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	return execute(ctx, newRootCmd(ios, nil), args, ios)
}

// execute runs the command tree root with args, says on ios.ErrOut why it failed, if it did, and
// returns the exit code.
func execute(ctx context.Context, root *cobra.Command, args []string, ios *IO) int {
	root.SetArgs(args)
	root.SetIn(ios.In)
	root.SetOut(ios.Out)
	root.SetErr(ios.ErrOut)
	err := root.ExecuteContext(ctx)
	if err == nil {
		return exitOK
	}
	var ee *exitError
	if errors.As(err, &ee) {
		if ee.err != nil {
			fmt.Fprintln(ios.ErrOut, "hew:", ee.err)
		}
		return ee.code
	}
	if errors.Is(err, context.Canceled) && ctx.Err() != nil {
		fmt.Fprintln(ios.ErrOut, "hew: interrupted")
		return exitInterrupted
	}
	// Errors cobra raises itself (unknown flag, wrong argument count) are usage errors.
	fmt.Fprintln(ios.ErrOut, "hew:", err)
	return exitUsage
}

// rootOptions are the flags and arguments of `hew [prompt]`.
type rootOptions struct {
	IO      *IO
	Prompt  string // the arguments as one first prompt; "" for none
	Session sessionFlags
}

// newRootCmd makes hew's command tree. The root command opens the interactive UI: it parses its
// flags into rootOptions and passes them to runF, or to runInteractive when runF is nil, as every
// command does with its own options; tests pass a runF to see what a command line parses into.
func newRootCmd(ios *IO, runF func(*rootOptions) error) *cobra.Command {
	o := &rootOptions{IO: ios}
	root := &cobra.Command{
		Use:   "hew [prompt]",
		Short: "A coding assistant that proposes, tests and commits only what you accept",
		Long: `hew pairs with you in a repository. The agent reads the code and proposes changes into a
proposal layer over your tree; nothing touches your files until you accept. Commands it runs are
sandboxed with the network off, and the tests run against the proposal before you decide.`,
		Args:          cobra.ArbitraryArgs,
		SilenceUsage:  true,
		SilenceErrors: true,
		RunE: func(cmd *cobra.Command, args []string) error {
			if v, _ := cmd.Flags().GetBool("version"); v {
				_, err := fmt.Fprintln(ios.Out, versionLine())
				return err
			}
			o.Prompt = strings.Join(args, " ")
			o.Session = givenSessionFlags(cmd.Flags())
			if runF != nil {
				return runF(o)
			}
			return runInteractive(cmd.Context(), o)
		},
	}
	root.CompletionOptions.DisableDefaultCmd = true
	root.Version = "" // --version is answered by Main before the tree is built (see isVersionRequest)
	root.Flags().Bool("version", false, "print hew's version and exit")
	addSessionFlags(root.Flags())
	root.SetFlagErrorFunc(func(c *cobra.Command, err error) error {
		return usageError("%v (see '%s --help')", err, c.CommandPath())
	})
	root.AddCommand(
		newExecCmd(ios, nil),
		newReviewCmd(ios, nil),
		newPatchCmd(ios),
		newSandboxCmd(ios, nil),
		newUndoCmd(ios, nil),
		newSessionsCmd(ios, nil),
		newResumeCmd(ios, nil),
		newModelsCmd(ios, nil),
		newDoctorCmd(ios, nil),
		newTrustCmd(ios, nil),
		newVersionCmd(ios),
	)
	return root
}
