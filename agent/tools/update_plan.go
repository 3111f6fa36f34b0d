package tools

import (
	"context"
	"encoding/json"
	"slices"
	"strings"

	"hew/agent/event"
)

// The statuses of a plan step.
const (
	statusPending    = "pending"
	statusInProgress = "in_progress"
	statusDone       = "done"
)

var planStatuses = []string{statusPending, statusInProgress, statusDone}

type updatePlanArgs struct {
	Steps []event.PlanStep `json:"steps"`
}

var updatePlan = define(Tool{
	Name:     "update_plan",
	ReadOnly: true,
	consts:   map[string]any{"Statuses": planStatuses, "InProgress": statusInProgress},
	summary:  func(json.RawMessage) string { return "update plan" },
}, func(ctx context.Context, env *Env, a updatePlanArgs) Result {
	inProgress := 0
	for i, s := range a.Steps {
		if !slices.Contains(planStatuses, s.Status) {
			last := len(planStatuses) - 1
			return errorf("step %d has status %q; use %s or %s", i+1, s.Status, strings.Join(planStatuses[:last], ", "), planStatuses[last])
		}
		if s.Status == statusInProgress {
			inProgress++
		}
		if strings.TrimSpace(s.Step) == "" {
			return errorf("step %d has no text", i+1)
		}
	}
	if inProgress > 1 {
		return errorf("%d steps are %s; keep at most one", inProgress, statusInProgress)
	}
	if env.OnPlan != nil {
		env.OnPlan(a.Steps)
	}
	return Result{Output: "plan updated (" + count(len(a.Steps), "step") + ")"}
})
