package loop

import (
	"context"
	"strings"
	"testing"

	"hew/agent/event"
	"hew/agent/llm"
)

// seenHistory is a saved conversation whose first turn read a large file.
func seenHistory() []llm.Message {
	return []llm.Message{
		{Role: llm.RoleUser, Text: "ORIGINAL request"},
		{Role: llm.RoleAssistant, ToolCalls: []llm.ToolCall{{ID: "c1", Name: "read_file", Arguments: `{"path":"a.txt"}`}}},
		{Role: llm.RoleTool, ToolCallID: "c1", ToolName: "read_file", Text: "HEAD\n" + strings.Repeat("a line of the large file\n", 800) + "TAIL"},
		{Role: llm.RoleAssistant, Text: "read it"},
	}
}

func TestAgentTrimsSeenOutputsBeforeTheWindowIsFull(t *testing.T) {
	p := &scripted{resps: []llm.Response{text("done")}}
	a, rec := newAgent(t, p)
	a.Restore(Restored{History: seenHistory(), Turns: 1})
	if used := a.ContextUsed(); used < 5000 {
		t.Fatalf("ContextUsed = %d, want the large output counted", used)
	}
	a.ContextWindow = a.ContextUsed() + 100 // past the 85% mark
	if _, err := a.Send(context.Background(), "LATEST"); err != nil {
		t.Fatal(err)
	}
	if len(p.reqs) != 1 {
		t.Fatalf("%d model calls, want 1: trimming was enough, no summary", len(p.reqs))
	}
	sent := p.reqs[0].Messages
	if len(sent) != 5 || !strings.Contains(sent[2].Text, "run the tool again") || !strings.HasSuffix(sent[2].Text, "TAIL") || sent[4].Text != "LATEST" {
		t.Errorf("request after trimming: %+v", sent)
	}
	var compacted *event.Compacted
	for _, e := range rec.evs {
		if c, ok := e.(event.Compacted); ok {
			compacted = &c
		}
	}
	if compacted == nil || compacted.Reason != "auto" || compacted.After >= compacted.Before {
		t.Errorf("compacted event: %+v", compacted)
	}
}

func TestAgentSummarisesWhenTrimmingIsNotEnoughAndKeepsThePlan(t *testing.T) {
	summary := text("SUMMARY")
	p := &scripted{resps: []llm.Response{summary, text("done")}}
	a, _ := newAgent(t, p)
	a.ContextWindow = 2000
	h := seenHistory()
	h[3].Text = strings.Repeat("a long answer ", 600) // not a tool output: only a summary shrinks it
	a.Restore(Restored{History: h, Plan: []event.PlanStep{{Step: "PLAN-STEP", Status: "in_progress"}}, Turns: 1})
	if _, err := a.Send(context.Background(), "LATEST"); err != nil {
		t.Fatal(err)
	}
	if len(p.reqs) != 2 || len(p.reqs[0].Tools) != 0 || p.reqs[1].System != a.System {
		t.Fatalf("calls: %d; want a tool-less summary call, then the step with the system prompt", len(p.reqs))
	}
	sent := p.reqs[1].Messages
	if len(sent) != 3 || sent[0].Text != "ORIGINAL request" || !strings.Contains(sent[1].Text, "SUMMARY") ||
		!strings.Contains(sent[1].Text, "[in_progress] PLAN-STEP") || sent[2].Text != "LATEST" {
		t.Errorf("request after compaction: %+v", sent)
	}
	if u, _ := a.Total(); u.InputTokens != 200 {
		t.Errorf("the summary call's usage was not counted: %+v", u)
	}
}

func TestAgentRemembersThePlan(t *testing.T) {
	p := &scripted{resps: []llm.Response{
		calls(llm.ToolCall{ID: "u", Name: "update_plan", Arguments: `{"steps":[{"step":"one","status":"in_progress"}]}`}),
		text("ok"),
	}}
	a, _ := newAgent(t, p)
	if _, err := a.Send(context.Background(), "plan it"); err != nil {
		t.Fatal(err)
	}
	if pl := a.Plan(); len(pl) != 1 || pl[0].Step != "one" {
		t.Errorf("plan = %+v", pl)
	}
}
