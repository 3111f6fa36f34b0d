package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"hew/agent/config"
	"hew/agent/engine"
	"hew/agent/event"
	"hew/agent/llm"
	"hew/agent/redact"
	"hew/agent/termsafe"
	"hew/cmd/headless"
)

// execOptions are the flags and arguments of `hew exec`.
type execOptions struct {
	IO       *IO
	Prompt   string // from the arguments or standard input
	JSON     bool
	Accept   string // "" lets the configuration and the test command decide
	Commit   bool
	Branch   string
	PatchOut string
	// LastMessage is a file to write the model's final answer to (--output-last-message).
	LastMessage string
	// AcceptControlFiles lets --accept take changes to control files; RunChangedHooks lets
	// --commit run hooks the accepted changes create or change.
	AcceptControlFiles bool
	RunChangedHooks    bool
	// The flags that override the configuration; nil when not given.
	TestCmd   *string
	MaxTurns  *int
	MaxCost   *float64
	MaxTokens *int64
	Timeout   *time.Duration
	Session   sessionFlags
	// ReviewWith has this model give a second opinion before acceptance; ReviewBlocks is the
	// severity that blocks ("" leaves review_blocks to decide).
	ReviewWith   string
	ReviewBlocks string
	// Try lists the models of a best-of-N run (--try), or BestOf repeats the configured one.
	Try    string
	BestOf int
	Resume string // a session id to continue (see exec_resume.go)
	Last   bool   // continue the newest session of this repository
}

func newExecCmd(ios *IO, runF func(*execOptions) error) *cobra.Command {
	o := &execOptions{IO: ios}
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

Control files — files that steer hew, git, hooks or CI: .hew/**, AGENTS.md, .gitattributes,
.gitmodules, the core.hooksPath directory and hook managers' configuration, CI workflows,
.envrc and editor auto-run tasks — are marked in the progress and never accepted by
--accept tests|auto unless --accept-control-files is given: without it a proposal that
changes one is not accepted at all (exit 1, naming each file). When the accepted changes
create or change what the commit's hooks run, --commit refuses unless --run-changed-hooks.

--output-last-message FILE writes the model's final answer to FILE when the run ends,
whatever the outcome (an empty file when there is none); --json streams events in the
versioned schema docs/events.schema.json describes.

Several models (see README "Working with several models"): --try "bedrock:A,openai:B" or
--best-of N runs attempts side by side, each in its own session and sandbox, tests each and
keeps one — tests pass, then a change, then the smallest change, then the lowest cost — then
applies --accept to it; every attempt is reported as a table on stderr (and as "attempt"
events with --json), and the others stay in their sessions (hew resume SESSION) and as patches
under the state directory. --review-with MODEL has another model review the proposal before
it is accepted: findings at or above --review-blocks (high by default; none only reports)
stop acceptance with exit 1. fallback in the config moves a turn to the next model when the
one in use stays throttled or down; the task still exits 0 if it then succeeds.

Settings of an untrusted .hew/config.toml that could send credentials elsewhere or weaken
the sandbox are ignored with a warning; 'hew trust' trusts the file as it is now, and
--trust-project-config applies it for this run only.

Exit codes: 0 success; 1 the task failed (tests failing, model error, a cap hit, nothing
accepted when acceptance was required); 2 usage or configuration error; 130 interrupted.`,
		Args: cobra.ArbitraryArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			prompt, err := readPrompt(ios, args)
			if err != nil {
				return err
			}
			o.Prompt = prompt
			f := cmd.Flags()
			o.TestCmd = given(f, "test-cmd", f.GetString)
			o.MaxTurns = given(f, "max-turns", f.GetInt)
			o.MaxCost = given(f, "max-cost", f.GetFloat64)
			o.MaxTokens = given(f, "max-tokens", f.GetInt64)
			o.Timeout = given(f, "timeout", f.GetDuration)
			o.Session = givenSessionFlags(f)
			if err := o.validate(); err != nil {
				return err
			}
			if runF != nil {
				return runF(o)
			}
			return runExec(cmd.Context(), o)
		},
	}
	f := cmd.Flags()
	f.BoolVar(&o.JSON, "json", false, "print one JSON event per line on stdout")
	f.StringVar(&o.Accept, "accept", "", "what to do with the proposal: tests, auto or never")
	f.String("test-cmd", "", "command that runs the project's tests")
	f.BoolVar(&o.Commit, "commit", false, "commit the accepted changes")
	f.StringVar(&o.Branch, "branch", "", "commit the accepted changes on this new branch (implies --commit)")
	f.StringVar(&o.PatchOut, "patch-out", "", "write the proposal as a unified diff to this file")
	f.StringVar(&o.LastMessage, "output-last-message", "", "write the model's final answer to this file when the run ends (empty when it gave none)")
	f.BoolVar(&o.AcceptControlFiles, "accept-control-files", false, "let --accept take changes to files that steer hew, git, hooks or CI (.hew/, AGENTS.md, CI workflows, ...)")
	f.BoolVar(&o.RunChangedHooks, "run-changed-hooks", false, "let --commit run git hooks that the accepted changes create or change")
	f.StringVar(&o.ReviewWith, "review-with", "", "have this model (openai:ID, bedrock:ID or an id) review the proposal before it is accepted; high findings block")
	f.StringVar(&o.ReviewBlocks, "review-blocks", "", "the finding severity that blocks acceptance after --review-with: high (default), medium, low or none")
	f.StringVar(&o.Try, "try", "", "run one attempt per listed model in parallel (\"bedrock:A,openai:B\") and keep the best (see Best of N above)")
	f.IntVar(&o.BestOf, "best-of", 0, "run this many attempts of the configured model in parallel and keep the best")
	f.Int("max-turns", 0, "stop after this many model calls (default 100)")
	f.Float64("max-cost", 0, "stop once the session has cost this many US dollars")
	f.Int64("max-tokens", 0, "stop once the session has used this many tokens")
	f.Duration("timeout", 0, "stop after this much wall time, such as 10m")
	addSessionFlags(f)
	addResumeFlags(f, o)
	return cmd
}

// validate checks what it can of the flags without the configuration or the repository.
func (o *execOptions) validate() error {
	if o.MaxTurns != nil && *o.MaxTurns < 1 {
		return usageError("--max-turns must be 1 or more (got %d): it counts model calls; leave it out for the default (100)", *o.MaxTurns)
	}
	if err := checkAccept(o.Accept, o.Commit || o.Branch != ""); err != nil {
		return err
	}
	if o.LastMessage != "" {
		if err := checkOutFile(o.IO, "--output-last-message", o.LastMessage); err != nil {
			return err
		}
	}
	switch o.ReviewBlocks {
	case "", "high", "medium", "low", "none":
	default:
		return usageError("--review-blocks %q: use high, medium, low or none", o.ReviewBlocks)
	}
	if err := o.validateAttempts(); err != nil {
		return err
	}
	var err error
	o.Resume, o.Last, err = resumeFlags(o.Resume, o.Last)
	return err
}

func runExec(ctx context.Context, o *execOptions) error {
	ios := o.IO
	cfg, err := loadConfig(ios, o.Session)
	if err != nil {
		return err
	}
	applyExecFlags(&cfg, o)

	// What to do with the proposal, and the test command, are the engine's decisions, made
	// from the repository root (engine.Defaults); the flags only override the configuration.
	if o.Accept != "" {
		cfg.Accept = o.Accept
	}
	if err := checkAccept(cfg.Accept, o.Commit || o.Branch != ""); err != nil {
		return err
	}

	if cfg.Limits.Timeout.Duration > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, cfg.Limits.Timeout.Duration)
		defer cancel()
	}
	// What hew exec prints often ends up in CI logs: every secret hew knows of is redacted.
	red := redact.New(engine.Secrets(cfg, ios.Env, ios.Getenv)...)
	stdout, stderr := redact.Writer(ios.Out, red), redact.Writer(ios.ErrOut, red)
	var sink event.Sink
	if o.JSON {
		sink = headless.NewJSONL(stdout)
	} else {
		sink = headless.NewProgress(stderr)
	}
	opts := engine.Options{Config: cfg, Dir: ios.Dir, Env: ios.Env, Getenv: ios.Getenv, Sinks: []event.Sink{sink}}
	var out engine.Outcome
	if o.Try != "" || o.BestOf > 0 {
		if out, err = runAttempts(ctx, o, opts, stderr); err != nil {
			return err
		}
	} else {
		eng, err := startExecEngine(ctx, ios, o, opts)
		if err != nil {
			return engineError(err)
		}
		defer eng.Close()
		out = eng.RunTask(ctx, o.task())
	}
	// The answer is the model's text: no terminal control sequence of its reaches the user.
	final := termsafe.Clean(strings.TrimSpace(out.Final))
	if !o.JSON && final != "" {
		fmt.Fprintln(stdout, final)
	}
	if o.LastMessage != "" {
		text := red.String(final)
		if text != "" {
			text += "\n"
		}
		if err := writeOutFile(ios, o.LastMessage, []byte(text)); err != nil && out.ExitCode == 0 {
			return failure(fmt.Errorf("--output-last-message: %w", err))
		}
	}
	if out.ExitCode != 0 {
		if errors.Is(ctx.Err(), context.DeadlineExceeded) {
			out.Reason = fmt.Sprintf("the --timeout of %s ran out; nothing was written to your tree", cfg.Limits.Timeout.Duration)
		}
		if o.JSON {
			sink.Emit(event.Error{Message: out.Reason, Fatal: true})
			return silentExit(out.ExitCode)
		}
		return &exitError{code: out.ExitCode, err: errors.New(red.String(termsafe.Clean(out.Reason)))}
	}
	return nil
}

// task is the engine's task for these options.
func (o *execOptions) task() engine.Task {
	return engine.Task{Prompt: o.Prompt, Commit: o.Commit, Branch: o.Branch, PatchOut: o.PatchOut,
		AcceptControlFiles: o.AcceptControlFiles, RunChangedHooks: o.RunChangedHooks, ReviewWith: o.ReviewWith}
}

// checkAccept refuses an accept mode exec does not know ("" leaves it to the engine), and a
// commit of changes that are never accepted.
func checkAccept(accept string, commit bool) error {
	switch accept {
	case "", engine.AcceptTests, engine.AcceptAuto, engine.AcceptNever:
	default:
		return usageError("--accept %q: use tests, auto or never", accept)
	}
	if commit && accept == engine.AcceptNever {
		return usageError("--commit needs changes to be accepted: use --accept tests or --accept auto")
	}
	return nil
}

// applyExecFlags lays the exec-only flags that were given over the configuration.
func applyExecFlags(cfg *config.Config, o *execOptions) {
	setIf(&cfg.TestCmd, o.TestCmd)
	setIf(&cfg.Limits.MaxTurns, o.MaxTurns)
	setIf(&cfg.Limits.MaxCost, o.MaxCost)
	setIf(&cfg.Limits.MaxTokens, o.MaxTokens)
	setIf(&cfg.Limits.Timeout.Duration, o.Timeout)
	if o.ReviewBlocks != "" {
		cfg.ReviewBlocks = o.ReviewBlocks
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
