package tools

import (
	"strings"
	"testing"

	"hew/agent/event"
)

func TestUpdatePlan(t *testing.T) {
	env := newEnv(t, repo)
	var plan []event.PlanStep
	env.OnPlan = func(s []event.PlanStep) { plan = s }
	if r := call(t, env, "update_plan", `{"steps":[{"step":"a","status":"done"},{"step":"b","status":"in_progress"}]}`); r.IsError || len(plan) != 2 {
		t.Errorf("plan: %+v %v", r, plan)
	}
	for args, msg := range map[string]string{
		`{"steps":[{"step":"a","status":"doing"}]}`:                                           "use pending, in_progress or done",
		`{"steps":[{"step":"a","status":"in_progress"},{"step":"b","status":"in_progress"}]}`: "keep at most one",
		`{"steps":[{"step":" ","status":"done"}]}`:                                            "no text",
	} {
		if r := call(t, env, "update_plan", args); !r.IsError || !strings.Contains(r.Output, msg) {
			t.Errorf("update_plan %s = %+v, want an error with %q", args, r, msg)
		}
	}
}
