package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
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

// IO is the standard streams and environment a command runs with; tests pass fakes.
type IO struct {
	In     io.Reader
	Out    io.Writer
	ErrOut io.Writer
	// InIsTerminal and OutIsTerminal report whether the streams are terminals.
	InIsTerminal  bool
	OutIsTerminal bool
	// Getenv reads the environment; Dir is the working directory.
	Getenv func(string) string
	Dir    string
}

func system() *IO {
	dir, _ := os.Getwd()
	return &IO{
		In: os.Stdin, Out: os.Stdout, ErrOut: os.Stderr,
		InIsTerminal:  isTerminal(os.Stdin),
		OutIsTerminal: isTerminal(os.Stdout),
		Getenv:        os.Getenv,
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
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	root := newRootCmd(ios)
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

func newRootCmd(ios *IO) *cobra.Command {
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
			return runInteractive(cmd, ios, args)
		},
	}
	root.CompletionOptions.DisableDefaultCmd = true
	addSessionFlags(root.Flags())
	root.SetFlagErrorFunc(func(c *cobra.Command, err error) error {
		return usageError("%v (see '%s --help')", err, c.CommandPath())
	})
	root.AddCommand(
		newExecCmd(ios),
		newReviewCmd(ios),
		newPatchCmd(ios),
		newSandboxCmd(ios),
		newUndoCmd(ios),
		newSessionsCmd(ios),
		newResumeCmd(ios),
		newModelsCmd(ios),
		newDoctorCmd(ios),
	)
	return root
}
