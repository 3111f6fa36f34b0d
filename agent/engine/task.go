package engine

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"hew/agent/codereview"
	"hew/agent/event"
	"hew/agent/exitcode"
)

// Task is one headless task: a prompt run to completion, then the session's acceptance mode
// (Defaults().Accept) applied to the proposal.
type Task struct {
	Prompt   string
	TestTime time.Duration // timeout of the test run; 0 means DefaultTestTimeout
	Commit   bool          // commit what was accepted
	Branch   string        // commit on this new branch (implies Commit)
	PatchOut string        // write the proposal as a unified diff to this file
	// AcceptControlFiles lets the acceptance mode accept changes to control files (see
	// ControlFiles); without it a proposal that changes one is not accepted at all.
	AcceptControlFiles bool
	// RunChangedHooks lets the commit run hooks the accepted changes create or change.
	RunChangedHooks bool
	// ReviewWith, a model reference, has that model give a second opinion on the proposal
	// before it is accepted (see SecondOpinion); with second_opinion in the configuration the
	// review model does when ReviewWith is empty. Findings at or above review_blocks stop the
	// acceptance.
	ReviewWith string
}

// Outcome is what a task did. ExitCode follows hew's contract (package exitcode): 0 success,
// 1 the task failed, 2 a usage error, 130 interrupted.
type Outcome struct {
	Final    string
	Accepted []string
	Commit   string
	Tests    *event.TestRun
	// SecondOpinion is the review the proposal got before acceptance, when one was asked for.
	SecondOpinion *event.SecondOpinion
	ExitCode      int
	// Reason says why the task failed, for people; empty on success.
	Reason string
}

// RunTask runs t to completion and applies the session's acceptance mode: with AcceptTests the
// test command runs on the proposal and the proposal is accepted only if it passes; with
// AcceptAuto it is accepted as it is; with AcceptNever it stays pending and the working tree is
// untouched. Accepted changes are committed when t asks.
func (e *Engine) RunTask(ctx context.Context, t Task) Outcome {
	if (t.Commit || t.Branch != "") && e.defaults.Accept == AcceptNever {
		return Outcome{ExitCode: exitcode.Usage, Reason: "--commit needs changes to be accepted: use --accept tests or --accept auto"}
	}
	// A task checkpoints once, before it accepts (Accept does): until then hew writes nothing to
	// the working tree, so a checkpoint before the turn would hold the same files, and taking only
	// one halves the git work of `hew exec` in a large repository.
	e.warmUp()
	final, err := e.agent.Send(ctx, t.Prompt)
	return e.conclude(ctx, t, final, err, nil)
}

// conclude applies the session's acceptance mode to the proposal of t's finished turn, which
// answered final or failed with err. tested, when not nil, is a test run of the proposal as it
// is now, which AcceptTests takes instead of running the tests again.
func (e *Engine) conclude(ctx context.Context, t Task, final string, err error, tested *event.TestRun) Outcome {
	out := Outcome{Final: final}
	fail := func(code int, format string, args ...any) Outcome {
		out.ExitCode, out.Reason = code, fmt.Sprintf(format, args...)
		return out
	}
	commit := t.Commit || t.Branch != ""
	if t.PatchOut != "" {
		if perr := e.writePatch(t.PatchOut); perr != nil {
			return fail(exitcode.Failed, "%v", perr)
		}
	}
	if err != nil {
		if errors.Is(err, context.Canceled) {
			return fail(exitcode.Interrupted, "interrupted; the proposal is kept and nothing was written to your tree")
		}
		return fail(exitcode.Failed, "%v; nothing was written to your tree", err)
	}

	changes, err := e.Changes()
	if err != nil {
		return fail(exitcode.Failed, "%v", err)
	}
	// A question, or a task the model found nothing to change for: there is nothing to test
	// or accept, whatever state the repository's own tests are in.
	if len(changes) == 0 {
		if commit {
			return fail(exitcode.Failed, "nothing to commit: the model proposed no changes")
		}
		what := "nothing to accept"
		if e.defaults.Accept == AcceptTests {
			what = "nothing to test or accept, so the tests were not run"
		}
		e.Notify("", "the model proposed no changes: "+what)
		return out
	}
	for _, c := range changes {
		if c.Unsafe != "" && e.defaults.Accept != AcceptNever {
			return fail(exitcode.Failed, "refusing to accept the proposal: %s: %s; nothing was written to your tree (see it with --patch-out, or review it with hew)", c.Path, c.Unsafe)
		}
	}
	// Control files are all or nothing: the proposal is refused whole before the tests run,
	// and the tree is not touched.
	if control := e.ControlFiles(changes); len(control) > 0 {
		e.Notify("warn", "the proposal changes control files: "+joinControl(control))
		if e.defaults.Accept != AcceptNever && !t.AcceptControlFiles {
			return fail(exitcode.Failed, "%v (the proposal is kept: 'hew resume %s' reviews it)", &ControlFilesError{Files: control}, e.SessionID())
		}
	}
	if hooks := e.hookFiles(changes); commit && len(hooks) > 0 && !t.RunChangedHooks {
		return fail(exitcode.Failed, "%v; nothing was written to your tree", &HookChangesError{Files: hooks})
	}
	if e.defaults.Accept == AcceptTests {
		tr, err := e.testRun(ctx, t.TestTime, tested)
		if err != nil {
			return fail(exitcode.Failed, "%v", err)
		}
		out.Tests = &tr
		if !tr.Passed {
			return fail(exitcode.Failed, "the tests fail on the proposal (%s exited %d); nothing was written to your tree", tr.Command, tr.ExitCode)
		}
	}
	if t.ReviewWith != "" || e.cfg.SecondOpinion {
		op, err := e.SecondOpinion(ctx, t.ReviewWith)
		switch {
		case err != nil && e.defaults.Accept != AcceptNever:
			return fail(exitcode.Failed, "%v; nothing was written to your tree", err)
		case err != nil:
			e.Notify("warn", err.Error())
		case op.Blocked && e.defaults.Accept != AcceptNever:
			out.SecondOpinion = &op
			return fail(exitcode.Failed, "the second opinion from %s blocks acceptance: %s; nothing was written to your tree (the proposal is kept: 'hew resume %s' reviews it)",
				op.Model, blockingFindings(op), e.SessionID())
		default:
			out.SecondOpinion = &op
		}
	}
	if e.defaults.Accept == AcceptNever {
		e.Notify("", fmt.Sprintf("the proposal (%s) is kept, not applied; see it with --patch-out or resume session %s", count(len(changes), "changed file"), e.SessionID()))
		return out
	}
	checkpointed := false
	message := ""
	if commit {
		// The checkpoint undo needs and the checks of the commit read the tree independently:
		// they run side by side (each is mostly a git process), and the accept below does not
		// take the checkpoint again.
		ups, paths := updatesOf(changes)
		cp := make(chan struct{})
		go func() {
			defer close(cp)
			e.Checkpoint(ctx, acceptLabel(paths))
		}()
		message = e.writeMessage(ctx, draftOf(t.Prompt, ups))
		err := e.CheckCommit(ctx, message, t.Branch)
		<-cp
		if err != nil {
			return fail(exitcode.Failed, "the commit cannot be made, so nothing was written to your tree: %v", err)
		}
		checkpointed = true
	}
	accepted, err := e.accept(nil, !checkpointed)
	if err != nil {
		return fail(exitcode.Failed, "accept the proposal: %v", err)
	}
	out.Accepted = accepted
	if commit {
		var opts []CommitOption
		if t.RunChangedHooks {
			opts = append(opts, RunChangedHooks)
		}
		hash, err := e.Commit(ctx, nil, message, t.Branch, opts...)
		if err != nil {
			return fail(exitcode.Failed, "the changes were written to your tree but not committed: %v", err)
		}
		out.Commit = hash
	}
	return out
}

// testRun is tested when it is not nil, else a new run of the tests on the proposal.
func (e *Engine) testRun(ctx context.Context, timeout time.Duration, tested *event.TestRun) (event.TestRun, error) {
	if tested != nil {
		return *tested, nil
	}
	return e.RunTests(ctx, timeout)
}

func (e *Engine) writePatch(path string) error {
	p, err := e.Patch()
	if err != nil {
		return fmt.Errorf("render the proposal for --patch-out: %w", err)
	}
	if err := os.WriteFile(path, []byte(p), 0o644); err != nil {
		return fmt.Errorf("write --patch-out %s: %w", path, err)
	}
	return nil
}

// blockingFindings lists the findings that block, for the failure's reason.
func blockingFindings(op event.SecondOpinion) string {
	var parts []string
	for _, f := range op.Findings {
		if codereview.Rank(f.Severity) >= codereview.Rank(op.Blocks) {
			loc := f.File
			if f.Line > 0 {
				loc = fmt.Sprintf("%s:%d", f.File, f.Line)
			}
			parts = append(parts, fmt.Sprintf("%s %s: %s", f.Severity, loc, f.Title))
		}
	}
	return strings.Join(parts, "; ")
}
