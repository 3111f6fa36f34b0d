package headless

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"

	"hew/agent/engine"
	"hew/agent/event"
)

// The ways a proposal can be treated at the end of a run.
const (
	AcceptAuto  = "auto"  // accept everything the model proposed
	AcceptTests = "tests" // accept only if the test command passes on the proposal
	AcceptNever = "never" // leave the proposal pending; the working tree is not touched
)

// Options say what a headless run does with its result.
type Options struct {
	Prompt   string
	Accept   string
	TestCmd  string        // required for AcceptTests
	TestTime time.Duration // timeout of the test run; 0 means 10 minutes
	Commit   bool          // commit what was accepted
	Branch   string        // commit on this new branch (implies Commit)
	PatchOut string        // write the proposal as a unified diff to this file
}

// Outcome is what a run did. ExitCode follows hew's contract: 0 success, 1 the task failed,
// 130 interrupted.
type Outcome struct {
	Final    string
	Accepted []string
	Commit   string
	Tests    *event.TestRun
	ExitCode int
	// Reason says why the run failed, for people; empty on success.
	Reason string
}

// Exec runs one task to completion in eng and applies the acceptance policy.
func Exec(ctx context.Context, eng *engine.Engine, o Options) Outcome {
	out := Outcome{}
	fail := func(code int, format string, args ...any) Outcome {
		out.ExitCode, out.Reason = code, fmt.Sprintf(format, args...)
		return out
	}
	final, err := eng.Send(ctx, o.Prompt)
	out.Final = final
	if o.PatchOut != "" {
		if perr := writePatch(eng, o.PatchOut); perr != nil {
			return fail(1, "%v", perr)
		}
	}
	if err != nil {
		if errors.Is(err, context.Canceled) {
			return fail(130, "interrupted; the proposal is kept and nothing was written to your tree")
		}
		return fail(1, "%v; nothing was written to your tree", err)
	}

	changes, err := eng.Changes()
	if err != nil {
		return fail(1, "%v", err)
	}
	if o.Accept == AcceptTests {
		tr, err := eng.RunTests(ctx, o.TestCmd, orDefault(o.TestTime, 10*time.Minute))
		if err != nil {
			return fail(1, "%v", err)
		}
		out.Tests = &tr
		if !tr.Passed {
			return fail(1, "the tests fail on the proposal (%s exited %d); nothing was written to your tree", o.TestCmd, tr.ExitCode)
		}
	}
	if len(changes) == 0 {
		if o.Commit || o.Branch != "" {
			return fail(1, "nothing to commit: the model proposed no changes")
		}
		eng.Events.Emit(event.Notice{Text: "the model proposed no changes"})
		return out
	}
	if o.Accept == AcceptNever || o.Accept == "" {
		eng.Events.Emit(event.Notice{Text: fmt.Sprintf("the proposal (%d changed file(s)) is kept, not applied; see it with --patch-out or resume session %s", len(changes), eng.SessionID())})
		return out
	}
	accepted, err := eng.Accept(nil)
	if err != nil {
		return fail(1, "accept the proposal: %v", err)
	}
	out.Accepted = accepted
	if o.Commit || o.Branch != "" {
		hash, err := eng.Commit(ctx, nil, engine.CommitMessage(o.Prompt, final), o.Branch)
		if err != nil {
			return fail(1, "the changes were written to your tree but not committed: %v", err)
		}
		out.Commit = hash
	}
	return out
}

func writePatch(eng *engine.Engine, path string) error {
	p, err := eng.Patch()
	if err != nil {
		return fmt.Errorf("render the proposal for --patch-out: %w", err)
	}
	if err := os.WriteFile(path, []byte(p), 0o644); err != nil {
		return fmt.Errorf("write --patch-out %s: %w", path, err)
	}
	return nil
}

func orDefault(d, def time.Duration) time.Duration {
	if d <= 0 {
		return def
	}
	return d
}
