package tools

import (
	"context"
	"fmt"
	"strings"
	"time"
)

const (
	defaultRunTimeout = 120 * time.Second  // when timeout_s is not given
	maxRunTimeout     = 1800 * time.Second // the longest timeout_s honoured
)

type runArgs struct {
	Command  string `json:"command"`
	TimeoutS int    `json:"timeout_s,omitempty"`
}

var run = define(Tool{
	Name:    "run",
	consts:  map[string]any{"DefaultTimeoutS": int(defaultRunTimeout / time.Second), "MaxTimeoutS": int(maxRunTimeout / time.Second)},
	summary: summarize("run", "command"),
}, func(ctx context.Context, env *Env, a runArgs) Result {
	if strings.TrimSpace(a.Command) == "" {
		return errorf("run needs a command")
	}
	timeout := defaultRunTimeout
	if a.TimeoutS > 0 {
		timeout = min(time.Duration(a.TimeoutS)*time.Second, maxRunTimeout)
	}
	if env.Runner == nil {
		return errorf("commands cannot run in this session")
	}
	r, err := env.Runner.Run(ctx, a.Command, timeout)
	if err != nil {
		res := errorf("could not run the command: %v", err)
		res.Waited = r.Waited
		return res
	}
	code := r.ExitCode
	var b strings.Builder
	switch {
	case r.TimedOut:
		fmt.Fprintf(&b, "timed out after %s; the process tree was killed\n", timeout)
	default:
		fmt.Fprintf(&b, "exit code %d (%.1fs)\n", r.ExitCode, r.Duration.Seconds())
	}
	b.WriteString(r.Output)
	return Result{Output: b.String(), IsError: code != 0 || r.TimedOut, ExitCode: &code, Changed: true, Waited: r.Waited}
})
