package attempts

import (
	"context"
	"errors"
	"strings"
	"testing"

	"hew/agent/engine"
	"hew/agent/event"
	"hew/agent/exitcode"
)

func TestPickFollowsThePolicy(t *testing.T) {
	pass, fail := &event.TestRun{Passed: true}, &event.TestRun{Passed: false, ExitCode: 1}
	cases := []struct {
		name string
		runs []engine.Attempt
		want int
	}{
		{"tests decide first", []engine.Attempt{{Tests: fail, Files: 1, Added: 1}, {Tests: pass, Files: 1, Added: 40}}, 1},
		{"then the smallest change", []engine.Attempt{{Tests: pass, Files: 2, Added: 30, Removed: 2}, {Tests: pass, Files: 1, Added: 3, Removed: 3}}, 1},
		{"a change beats none", []engine.Attempt{{Tests: pass}, {Tests: pass, Files: 1, Added: 9}}, 1},
		{"then the lowest cost", []engine.Attempt{{Tests: pass, Files: 1, Added: 2, CostUSD: 0.5}, {Tests: pass, Files: 1, Added: 1, Removed: 1, CostUSD: 0.1}}, 1},
		{"then the earliest", []engine.Attempt{{Tests: pass, Files: 1, Added: 2}, {Tests: pass, Files: 1, Added: 2}}, 0},
		{"a failed turn never", []engine.Attempt{{Err: errors.New("throttled"), Files: 1, Added: 1}, {Tests: fail}}, -1},
		{"no test command: finished attempts", []engine.Attempt{{Err: errors.New("x")}, {Files: 1, Added: 5}}, 1},
	}
	for _, c := range cases {
		runs := make([]*run, len(c.runs))
		for i, a := range c.runs {
			runs[i] = &run{attempt: a}
		}
		if got := pick(runs); got != c.want {
			t.Errorf("%s: picked %d, want %d", c.name, got, c.want)
		}
	}
}

// More models than Max is refused before any session starts, for `hew exec --try` and the UI's
// /try alike.
func TestRunRefusesMoreThanMaxAttempts(t *testing.T) {
	models := make([]string, Max+1)
	for i := range models {
		models[i] = "openai:gpt-5-mini"
	}
	res := Run(context.Background(), Options{Models: models, Task: engine.Task{Prompt: "x"}})
	if res.Chosen != -1 || res.Outcome.ExitCode != exitcode.Usage || !strings.Contains(res.Outcome.Reason, "at most 8") || len(res.Attempts) != 0 {
		t.Errorf("%d models: %+v", len(models), res)
	}
}
