package engine

import (
	"context"
	"time"

	"hew/agent/event"
	"hew/agent/loop"
)

// Attempt is one run of a task's prompt in this session, not yet concluded: what a best-of-N
// run (package agent/attempts) compares before it picks one to accept.
type Attempt struct {
	Final string
	// Err is why the turn failed; nil when the model finished.
	Err error
	// Tests is the test run on the proposal; nil when the turn failed or there is no test
	// command.
	Tests *event.TestRun
	// Files, Added and Removed measure the proposal.
	Files, Added, Removed int
	CostUSD               float64
	Duration              time.Duration
}

// RunAttempt runs t's prompt to completion without touching the working tree or checkpointing
// it (attempts may run side by side in one repository, each in its own session), then runs the
// test command on the proposal and measures it. Conclude finishes the task with it.
func (e *Engine) RunAttempt(ctx context.Context, t Task) Attempt {
	start := time.Now()
	var a Attempt
	e.warmUp()
	a.Final, a.Err = e.agent.Send(ctx, t.Prompt)
	if a.Err == nil && e.defaults.TestCmd != "" {
		tr, err := e.RunTests(ctx, t.TestTime)
		if err != nil {
			a.Err = err
		} else {
			a.Tests = &tr
		}
	}
	if st, err := loop.ProposalStats(e.layer); err == nil {
		a.Files = len(st.Files)
		for _, f := range st.Files {
			a.Added += f.Added
			a.Removed += f.Removed
		}
	} else if a.Err == nil {
		a.Err = err
	}
	a.CostUSD = e.Usage().CostUSD
	a.Duration = time.Since(start)
	return a
}

// Conclude finishes t after RunAttempt: the session's acceptance mode is applied to the
// proposal as RunTask would, taking a's test run instead of running the tests again.
func (e *Engine) Conclude(ctx context.Context, t Task, a Attempt) Outcome {
	return e.conclude(ctx, t, a.Final, a.Err, a.Tests)
}

// Options returns what this session was started with — configuration, directory, environment
// — without its sinks, its provider override or what it resumed: what a new session beside it,
// such as an attempt of /try, starts from.
func (e *Engine) Options() Options { return e.started }
