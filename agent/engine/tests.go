package engine

import (
	"context"
	"errors"
	"fmt"
	"time"

	"hew/agent/event"
)

// ErrNoTestCommand is returned by RunTests when the session has no test command.
var ErrNoTestCommand = errors.New("no test command: pass --test-cmd or set test_cmd in .hew/config.toml")

// DefaultTestTimeout bounds a test run whose caller gives no timeout.
const DefaultTestTimeout = 10 * time.Minute

// RunTests runs the session's test command (Defaults().TestCmd) over the proposal, in the
// sandbox, and reports it as a TestRun event. A timeout of 0 means DefaultTestTimeout.
func (e *Engine) RunTests(ctx context.Context, timeout time.Duration) (event.TestRun, error) {
	cmd := e.defaults.TestCmd
	if cmd == "" {
		return event.TestRun{}, ErrNoTestCommand
	}
	if timeout <= 0 {
		timeout = DefaultTestTimeout
	}
	r, err := e.runner.Run(ctx, cmd, timeout)
	if err != nil {
		return event.TestRun{}, fmt.Errorf("run tests (%s): %w", cmd, err)
	}
	tr := event.TestRun{Command: cmd, ExitCode: r.ExitCode, Passed: r.ExitCode == 0 && !r.TimedOut, Output: r.Output, Duration: r.Duration}
	e.events.Emit(tr)
	return tr, nil
}
