// Package runner runs shell commands in the sandbox over the proposal layer, so that commands
// see the repository with the pending changes applied and what they write lands in the proposal.
//
// Where the sandbox can mount the proposal as an overlay, commands run over the real tree with
// writes captured in the upper layer. Where it cannot, the runner runs the command in the
// layer's copy of the merged view (proposal.Layer.InCopy: kept between commands, brought up to
// date by copying only what changed) and brings the differences back.
package runner

import (
	"context"
	"errors"
	"strings"
	"sync"
	"time"

	"hew/agent/proposal"
	"hew/agent/tools"
	"hew/sandbox"
)

// Runner runs commands over one proposal. It satisfies tools.Runner.
type Runner struct {
	// Sandbox returns the sandbox to run in; it may still be choosing its backend.
	Sandbox     func() (*sandbox.Sandbox, error)
	Layer       *proposal.Layer
	Policy      sandbox.Policy
	Network     bool
	Env         []string // environment to start from; the sandbox scrubs secrets
	AllowEnv    []string
	OutputLimit int
	// Notice, if set, is told what the sandbox wants the user to know about how a command was
	// set up (such as an allow_env variable it will not pass), after each command; OnceEach
	// makes it tell each thing once.
	Notice func(string)
}

// OnceEach returns f called at most once for each distinct text.
func OnceEach(f func(string)) func(string) {
	var mu sync.Mutex
	told := map[string]bool{}
	return func(s string) {
		mu.Lock()
		first := !told[s]
		told[s] = true
		mu.Unlock()
		if first {
			f(s)
		}
	}
}

// RunWithNetwork is Run on a copy of r with the network turned on or off, as an approved
// command that needs the network runs.
func (r *Runner) RunWithNetwork(ctx context.Context, command string, timeout time.Duration, network bool) (tools.RunResult, error) {
	c := *r
	c.Network = network
	return c.Run(ctx, command, timeout)
}

// Run runs command at the repository root with the given timeout.
func (r *Runner) Run(ctx context.Context, command string, timeout time.Duration) (tools.RunResult, error) {
	spec := sandbox.Spec{
		Command:     command,
		Workspace:   r.Layer.Root(),
		Overlay:     &sandbox.Overlay{Upper: r.Layer.Upper(), Work: r.Layer.Work()},
		Policy:      r.Policy,
		Network:     r.Network,
		Env:         r.Env,
		AllowEnv:    r.AllowEnv,
		Timeout:     timeout,
		OutputLimit: r.OutputLimit,
	}
	if r.Policy == sandbox.PolicyReadOnly {
		// Nothing may change, not even the proposal: run over a throwaway copy.
		return r.runCopy(ctx, spec, false)
	}
	sb, err := r.Sandbox()
	if err != nil {
		return tools.RunResult{}, err
	}
	res, err := sb.Run(ctx, spec)
	if errors.Is(err, sandbox.ErrOverlayUnsupported) {
		return r.runCopy(ctx, spec, true)
	}
	if err != nil {
		return tools.RunResult{}, err
	}
	if err := r.Layer.Sync(); err != nil {
		return tools.RunResult{}, err
	}
	r.notify(res)
	return result(res), nil
}

// notify passes the notices of res to r.Notice.
func (r *Runner) notify(res sandbox.Result) {
	if r.Notice == nil {
		return
	}
	for _, n := range res.Notices {
		r.Notice(n)
	}
}

// runCopy runs the command over the layer's copy of the merged view (kept between commands
// and brought up to date incrementally), importing its changes when keep.
func (r *Runner) runCopy(ctx context.Context, spec sandbox.Spec, keep bool) (tools.RunResult, error) {
	sb, err := r.Sandbox()
	if err != nil {
		return tools.RunResult{}, err
	}
	var res sandbox.Result
	err = r.Layer.InCopy(keep, func(dir string) error {
		spec.Workspace, spec.Overlay = dir, nil
		res, err = sb.Run(ctx, spec)
		return err
	})
	if err != nil {
		return tools.RunResult{}, err
	}
	r.notify(res)
	return result(res), nil
}

// result is the sandbox's result as the tool reports it; when a limit stopped the command, the
// output ends with a line that says which, so the model knows why.
func result(res sandbox.Result) tools.RunResult {
	out := res.Output
	if res.Stopped != "" {
		if out != "" && !strings.HasSuffix(out, "\n") {
			out += "\n"
		}
		out += "[hew: " + res.Stopped + "]\n"
	}
	return tools.RunResult{ExitCode: res.ExitCode, Output: out, TimedOut: res.TimedOut, Duration: res.Duration}
}
