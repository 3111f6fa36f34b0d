package engine

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"

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
}

// Outcome is what a task did. ExitCode follows hew's contract (package exitcode): 0 success,
// 1 the task failed, 2 a usage error, 130 interrupted.
type Outcome struct {
	Final    string
	Accepted []string
	Commit   string
	Tests    *event.TestRun
	ExitCode int
	// Reason says why the task failed, for people; empty on success.
	Reason string
}

// RunTask runs t to completion and applies the session's acceptance mode: with AcceptTests the
// test command runs on the proposal and the proposal is accepted only if it passes; with
// AcceptAuto it is accepted as it is; with AcceptNever it stays pending and the working tree is
// untouched. Accepted changes are committed when t asks.
func (e *Engine) RunTask(ctx context.Context, t Task) Outcome {
	out := Outcome{}
	fail := func(code int, format string, args ...any) Outcome {
		out.ExitCode, out.Reason = code, fmt.Sprintf(format, args...)
		return out
	}
	commit := t.Commit || t.Branch != ""
	if commit && e.defaults.Accept == AcceptNever {
		return fail(exitcode.Usage, "--commit needs changes to be accepted: use --accept tests or --accept auto")
	}
	// A task checkpoints once, before it accepts (Accept does): until then hew writes nothing to
	// the working tree, so a checkpoint before the turn would hold the same files, and taking only
	// one halves the git work of `hew exec` in a large repository.
	final, err := e.agent.Send(ctx, t.Prompt)
	out.Final = final
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
		tr, err := e.RunTests(ctx, t.TestTime)
		if err != nil {
			return fail(exitcode.Failed, "%v", err)
		}
		out.Tests = &tr
		if !tr.Passed {
			return fail(exitcode.Failed, "the tests fail on the proposal (%s exited %d); nothing was written to your tree", tr.Command, tr.ExitCode)
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
		paths := make([]string, len(changes))
		for i, c := range changes {
			paths[i] = c.Path
		}
		cp := make(chan struct{})
		go func() {
			defer close(cp)
			e.Checkpoint(ctx, acceptLabel(paths))
		}()
		message = e.writeMessage(ctx, draftOf(t.Prompt, pendingUpdates(changes)))
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
