package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"hew/agent/config"
	"hew/agent/engine"
	"hew/agent/event"
	"hew/agent/llm"
	"hew/cmd/headless"
)

// execOptions are the flags of `hew exec`.
type execOptions struct {
	JSON      bool
	Accept    string
	TestCmd   string
	Commit    bool
	Branch    string
	PatchOut  string
	MaxTurns  int
	MaxCost   float64
	MaxTokens int64
	Timeout   time.Duration
	Resume    string // a session id to continue (see exec_resume.go)
	Last      bool   // continue the newest session of this repository
}

func newExecCmd(ios *IO) *cobra.Command {
	o := &execOptions{}
	cmd := &cobra.Command{
		Use:   "exec [prompt | -]",
		Short: "Run a task headless: progress on stderr, the answer on stdout",
		Long: `Run one task without the interactive UI, for scripts and CI.

The prompt comes from the arguments, or from standard input when it is "-" or absent.
Progress goes to standard error and the model's final answer to standard output; with
--json, standard output carries one JSON event per line instead.

What happens to the proposal at the end is set by --accept:
  tests  accept it only if the test command passes on it (the default when a test command
         is known: --test-cmd, test_cmd in the config, or detected from go.mod, package.json,
         Cargo.toml or pyproject.toml)
  auto   accept it as it is
  never  leave it pending and the working tree untouched (the default with no test command)
Accepted changes are written into the working tree; --commit also commits exactly those
files (your other changes stay as they were), and --branch NAME commits them on a new
branch without switching to it.

Exit codes: 0 success; 1 the task failed (tests failing, model error, a cap hit, nothing
accepted when acceptance was required); 2 usage or configuration error; 130 interrupted.`,
		Args: cobra.ArbitraryArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runExec(cmd.Context(), ios, o, cmd, args)
		},
	}
	f := cmd.Flags()
	f.BoolVar(&o.JSON, "json", false, "print one JSON event per line on stdout")
	f.StringVar(&o.Accept, "accept", "", "what to do with the proposal: tests, auto or never")
	f.StringVar(&o.TestCmd, "test-cmd", "", "command that runs the project's tests")
	f.BoolVar(&o.Commit, "commit", false, "commit the accepted changes")
	f.StringVar(&o.Branch, "branch", "", "commit the accepted changes on this new branch (implies --commit)")
	f.StringVar(&o.PatchOut, "patch-out", "", "write the proposal as a unified diff to this file")
	f.IntVar(&o.MaxTurns, "max-turns", 0, "stop after this many model calls (default 100)")
	f.Float64Var(&o.MaxCost, "max-cost", 0, "stop once the session has cost this many US dollars")
	f.Int64Var(&o.MaxTokens, "max-tokens", 0, "stop once the session has used this many tokens")
	f.DurationVar(&o.Timeout, "timeout", 0, "stop after this much wall time, such as 10m")
	addSessionFlags(f)
	addResumeFlags(f, o)
	return cmd
}

func runExec(ctx context.Context, ios *IO, o *execOptions, cmd *cobra.Command, args []string) error {
	prompt, err := readPrompt(ios, args)
	if err != nil {
		return err
	}
	cfg, err := loadConfig(ios, cmd.Flags())
	if err != nil {
		return err
	}
	applyExecFlags(&cfg, o, cmd)

	// What to do with the proposal, and the test command, are the engine's decisions, made
	// from the repository root (engine.Defaults); the flags only override the configuration.
	if o.Accept != "" {
		cfg.Accept = o.Accept
	}
	switch cfg.Accept {
	case "", engine.AcceptTests, engine.AcceptAuto, engine.AcceptNever:
	default:
		return usageError("--accept %q: use tests, auto or never", cfg.Accept)
	}
	if (o.Commit || o.Branch != "") && cfg.Accept == engine.AcceptNever {
		return usageError("--commit needs changes to be accepted: use --accept tests or --accept auto")
	}

	if cfg.Limits.Timeout.Duration > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, cfg.Limits.Timeout.Duration)
		defer cancel()
	}
	var sink event.Sink
	if o.JSON {
		sink = headless.NewJSONL(ios.Out)
	} else {
		sink = headless.NewProgress(ios.ErrOut)
	}
	eng, err := startExecEngine(ctx, ios, o, engine.Options{Config: cfg, Dir: ios.Dir, Env: os.Environ(), Getenv: ios.Getenv, Sinks: []event.Sink{sink}})
	if err != nil {
		return engineError(err)
	}
	defer eng.Close()

	out := eng.RunTask(ctx, engine.Task{Prompt: prompt, Commit: o.Commit, Branch: o.Branch, PatchOut: o.PatchOut})
	if !o.JSON && out.Final != "" {
		fmt.Fprintln(ios.Out, strings.TrimSpace(out.Final))
	}
	if out.ExitCode != 0 {
		if errors.Is(ctx.Err(), context.DeadlineExceeded) {
			out.Reason = fmt.Sprintf("the --timeout of %s ran out; nothing was written to your tree", cfg.Limits.Timeout.Duration)
		}
		if o.JSON {
			sink.Emit(event.Error{Message: out.Reason, Fatal: true})
			return silentExit(out.ExitCode)
		}
		return &exitError{code: out.ExitCode, err: errors.New(out.Reason)}
	}
	return nil
}

// applyExecFlags lays the exec-only flags that were set over the configuration.
func applyExecFlags(cfg *config.Config, o *execOptions, cmd *cobra.Command) {
	f := cmd.Flags()
	if f.Changed("test-cmd") {
		cfg.TestCmd = o.TestCmd
	}
	if f.Changed("max-turns") {
		cfg.Limits.MaxTurns = o.MaxTurns
	}
	if f.Changed("max-cost") {
		cfg.Limits.MaxCost = o.MaxCost
	}
	if f.Changed("max-tokens") {
		cfg.Limits.MaxTokens = o.MaxTokens
	}
	if f.Changed("timeout") {
		cfg.Limits.Timeout.Duration = o.Timeout
	}
}

// readPrompt takes the prompt from the arguments, or standard input for "-" or no arguments.
func readPrompt(ios *IO, args []string) (string, error) {
	if len(args) > 0 && !(len(args) == 1 && args[0] == "-") {
		return strings.Join(args, " "), nil
	}
	if len(args) == 0 && ios.InIsTerminal {
		return "", usageError("no prompt: pass it as an argument or on standard input")
	}
	b, err := readAllLimited(ios.In, 1<<20)
	if err != nil {
		return "", usageError("read the prompt from standard input: %v", err)
	}
	p := strings.TrimSpace(string(b))
	if p == "" {
		return "", usageError("the prompt on standard input is empty")
	}
	return p, nil
}

func readAllLimited(r io.Reader, n int64) ([]byte, error) {
	b, err := io.ReadAll(io.LimitReader(r, n+1))
	if err == nil && int64(len(b)) > n {
		return nil, fmt.Errorf("the prompt is longer than %d bytes", n)
	}
	return b, err
}

// engineError maps an engine start-up failure to an exit code: configuration problems are 2.
func engineError(err error) error {
	if errors.Is(err, engine.ErrUsage) || isConfigError(err) {
		return usageError("%v", err)
	}
	return failure(err)
}

func isConfigError(err error) bool { return llm.KindOf(err) == llm.ErrConfig }
