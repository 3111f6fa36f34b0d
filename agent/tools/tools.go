// Package tools implements the model-facing tools (list_files, read_file, search, apply_patch,
// edit_file, run, update_plan) over the proposal layer.
//
// Tool names, argument names and descriptions are a stable contract with models; the
// descriptions and JSON schemas live in the prompts package. A tool never fails the agent: bad
// arguments and failed actions come back as an error Result the model can correct.
package tools

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"hew/agent/event"
	"hew/agent/llm"
	"hew/agent/proposal"
	"hew/prompts"
)

// Runner runs a shell command over the proposal: sandboxed, with what it writes landing in the
// proposal.
type Runner interface {
	Run(ctx context.Context, command string, timeout time.Duration) (RunResult, error)
}

// RunResult is the outcome of one command.
type RunResult struct {
	ExitCode int
	Output   string // combined output, already capped
	TimedOut bool
	Duration time.Duration
}

// Env is what the tools act on.
type Env struct {
	Layer  *proposal.Layer
	Runner Runner
	// OnPlan receives the plan each time update_plan is called.
	OnPlan func([]event.PlanStep)
	// OutputLimit caps a tool result in bytes (head and tail kept); 0 means 32 KiB.
	OutputLimit int
}

// Result is what a tool returns to the model.
type Result struct {
	Output   string
	IsError  bool
	ExitCode *int // set by run
	// Changed reports that the proposal may have changed.
	Changed bool
}

// Tool is one model-facing tool.
type Tool struct {
	Name string
	// ReadOnly tools may run in parallel with each other.
	ReadOnly bool
	run      func(ctx context.Context, env *Env, args json.RawMessage) Result
	summary  func(args json.RawMessage) string
}

// Spec describes the tool to a model.
func (t *Tool) Spec() llm.Tool {
	return llm.Tool{Name: t.Name, Description: prompts.Tool(t.Name), Parameters: prompts.Schema(t.Name)}
}

// Summary is a one-line description of a call for people, such as "read main.go".
func (t *Tool) Summary(args json.RawMessage) string { return t.summary(args) }

// Run executes the tool. Output is capped to env.OutputLimit.
func (t *Tool) Run(ctx context.Context, env *Env, args json.RawMessage) Result {
	r := t.run(ctx, env, args)
	limit := env.OutputLimit
	if limit <= 0 {
		limit = 32 << 10
	}
	r.Output = Clip(r.Output, limit)
	return r
}

// Set is the tools offered to a model, by name.
type Set struct {
	list   []*Tool
	byName map[string]*Tool
}

// Names of the edit tools; a model gets one of them, per the model catalogue.
const (
	EditApplyPatch = "apply_patch"
	EditEditFile   = "edit_file"
)

// NewSet returns the standard tools. edit chooses the edit tools offered: "apply_patch",
// "edit_file", or "" for both.
func NewSet(edit string) *Set {
	all := []*Tool{listFiles, readFile, search, applyPatch, editFile, run, updatePlan}
	s := &Set{byName: map[string]*Tool{}}
	for _, t := range all {
		if (edit == EditApplyPatch && t.Name == EditEditFile) || (edit == EditEditFile && t.Name == EditApplyPatch) {
			continue
		}
		s.list = append(s.list, t)
		s.byName[t.Name] = t
	}
	return s
}

// Specs describes every tool of the set to a model.
func (s *Set) Specs() []llm.Tool {
	out := make([]llm.Tool, len(s.list))
	for i, t := range s.list {
		out[i] = t.Spec()
	}
	return out
}

// Get returns the tool called name.
func (s *Set) Get(name string) (*Tool, bool) {
	t, ok := s.byName[name]
	return t, ok
}

// Names lists the tools of the set.
func (s *Set) Names() []string {
	out := make([]string, len(s.list))
	for i, t := range s.list {
		out[i] = t.Name
	}
	return out
}

// decode parses a tool's JSON arguments into v. The error is written for the model.
func decode(name string, args json.RawMessage, v any) error {
	if len(strings.TrimSpace(string(args))) == 0 {
		args = json.RawMessage("{}")
	}
	if err := json.Unmarshal(args, v); err != nil {
		return fmt.Errorf("invalid arguments for %s: %v. Send a JSON object matching the tool's schema", name, err)
	}
	return nil
}

func errorf(format string, args ...any) Result {
	return Result{Output: fmt.Sprintf(format, args...), IsError: true}
}

// summarize makes a summary function that shows one string argument after a verb.
func summarize(verb, field string) func(json.RawMessage) string {
	return func(args json.RawMessage) string {
		var m map[string]any
		_ = json.Unmarshal(args, &m)
		if s, ok := m[field].(string); ok && s != "" {
			if i := strings.IndexByte(s, '\n'); i >= 0 {
				s = s[:i] + " …"
			}
			return verb + " " + s
		}
		return verb
	}
}
