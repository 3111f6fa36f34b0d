package tools

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"hew/agent/event"
	"hew/agent/patch"
)

const (
	defaultRunTimeout = 120 * time.Second
	maxRunTimeout     = 1800 * time.Second
)

var applyPatch = &Tool{
	Name: "apply_patch",
	summary: func(raw json.RawMessage) string {
		var a struct{ Patch string }
		_ = json.Unmarshal(raw, &a)
		var files []string
		for _, line := range strings.Split(a.Patch, "\n") {
			for _, p := range []string{"*** Add File: ", "*** Update File: ", "*** Delete File: ", "+++ b/"} {
				if rest, ok := strings.CutPrefix(strings.TrimSpace(line), p); ok {
					files = append(files, rest)
				}
			}
		}
		return "patch " + strings.Join(files, ", ")
	},
	run: func(ctx context.Context, env *Env, raw json.RawMessage) Result {
		var a struct {
			Patch string `json:"patch"`
		}
		if err := decode("apply_patch", raw, &a); err != nil {
			return errorf("%v", err)
		}
		p, err := patch.Parse(a.Patch)
		if err != nil {
			return errorf("%v", err)
		}
		res, err := patch.Apply(env.Layer, p)
		if err != nil {
			err = fmt.Errorf("%w\nNothing was applied", err)
		}
		return editResult(res, err)
	},
}

var editFile = &Tool{
	Name:    "edit_file",
	summary: summarize("edit", "path"),
	run: func(ctx context.Context, env *Env, raw json.RawMessage) Result {
		var a struct {
			Path       string `json:"path"`
			OldString  string `json:"old_string"`
			NewString  string `json:"new_string"`
			ReplaceAll bool   `json:"replace_all"`
		}
		if err := decode("edit_file", raw, &a); err != nil {
			return errorf("%v", err)
		}
		if a.Path == "" {
			return errorf("edit_file needs a path")
		}
		return editResult(patch.Edit(env.Layer, a.Path, a.OldString, a.NewString, a.ReplaceAll))
	},
}

// editResult reports the outcome of a patch or an edit to the model.
func editResult(res *patch.Result, err error) Result {
	if err != nil {
		return errorf("%v", err)
	}
	return Result{Output: "applied to the proposal:\n" + res.String(), Changed: true}
}

var run = &Tool{
	Name:    "run",
	summary: summarize("run", "command"),
	run: func(ctx context.Context, env *Env, raw json.RawMessage) Result {
		var a struct {
			Command  string `json:"command"`
			TimeoutS int    `json:"timeout_s"`
		}
		if err := decode("run", raw, &a); err != nil {
			return errorf("%v", err)
		}
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
			return errorf("could not run the command: %v", err)
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
		return Result{Output: b.String(), IsError: code != 0 || r.TimedOut, ExitCode: &code, Changed: true}
	},
}

var updatePlan = &Tool{
	Name:     "update_plan",
	ReadOnly: true,
	summary:  func(json.RawMessage) string { return "update plan" },
	run: func(ctx context.Context, env *Env, raw json.RawMessage) Result {
		var a struct {
			Steps []event.PlanStep `json:"steps"`
		}
		if err := decode("update_plan", raw, &a); err != nil {
			return errorf("%v", err)
		}
		inProgress := 0
		for i, s := range a.Steps {
			switch s.Status {
			case "pending", "done":
			case "in_progress":
				inProgress++
			default:
				return errorf("step %d has status %q; use pending, in_progress or done", i+1, s.Status)
			}
			if strings.TrimSpace(s.Step) == "" {
				return errorf("step %d has no text", i+1)
			}
		}
		if inProgress > 1 {
			return errorf("%d steps are in_progress; keep at most one", inProgress)
		}
		if env.OnPlan != nil {
			env.OnPlan(a.Steps)
		}
		return Result{Output: fmt.Sprintf("plan updated (%d steps)", len(a.Steps))}
	},
}
