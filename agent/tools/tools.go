// Package tools implements the model-facing tools (list_files, read_file, search, apply_patch,
// edit_file, run, update_plan) over the proposal layer.
//
// Each tool lives in its own file (list_files.go, …): its argument struct, its constants
// (defaults and caps) and its definition. Tool names, argument names and descriptions are a
// stable contract with models. The descriptions and JSON schemas are templates in the prompts
// package (tools/NAME.md, tools/NAME.json), rendered with the tool's constants, so a default is
// written once, in Go. A tool's schema lists the json names of its argument struct; a field
// without omitempty is required (see TestSchemasMatchArgumentStructs).
//
// A tool never fails the agent: bad arguments and failed actions come back as an error Result
// the model can correct.
package tools

import (
	"context"
	"time"

	"hew/agent/event"
	"hew/agent/proposal"
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
	// Waited is how long the command waited for the user's approval before it ran.
	Waited time.Duration
}

// Env is what the tools act on.
type Env struct {
	Layer  *proposal.Layer
	Runner Runner
	// OnPlan receives the plan each time update_plan is called.
	OnPlan func([]event.PlanStep)
	// OutputLimit caps a tool result in bytes (head and tail kept); 0 means defaultOutputLimit.
	OutputLimit int
}

// Result is what a tool returns to the model.
type Result struct {
	Output   string
	IsError  bool
	ExitCode *int // set by run
	// Changed reports that the proposal may have changed.
	Changed bool
	// Waited is how long the tool waited for the user (to approve a command); the tool call's
	// reported run time leaves it out.
	Waited time.Duration
}
