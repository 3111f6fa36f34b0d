package tui

import (
	"encoding/json"
	"strings"
	"testing"

	"hew/agent/engine"
	"hew/agent/llm"
	"hew/agent/llm/llmtest"
)

func TestSecondOpinionShowsInTheReviewAfterATurn(t *testing.T) {
	patch, _ := json.Marshal(map[string]string{"patch": "*** Begin Patch\n*** Update File: a.txt\n@@\n-a\n+b\n*** End Patch"})
	h := newHarnessWith(t, map[string]string{"a.txt": "a\n"}, "never",
		func(o *engine.Options) { o.Config.SecondOpinion = true },
		llmtest.Turn{ToolCalls: []llmtest.ToolCall{{Name: "apply_patch", Arguments: string(patch)}}},
		llmtest.Turn{Text: "Changed a to b."},
		llmtest.Turn{Text: `{"summary": "Risky.", "findings": [{"title": "b breaks the parser", "file": "a.txt", "start_line": 1, "severity": "high", "confidence": 0.9, "explanation": "It expects a."}]}`,
			Usage: llm.Usage{InputTokens: 500, OutputTokens: 40}},
	)
	h.turn("change a to b")
	reqs := h.srv.Requests()
	if len(reqs) != 3 || !strings.Contains(string(reqs[2].Body), "+b") {
		t.Fatalf("%d requests; the third should be the review of the proposal", len(reqs))
	}
	if h.m.view != viewReview {
		t.Fatal("the review did not open after the turn")
	}
	if s := h.screen(); !strings.Contains(s, "second opinion ✗ blocks: 1 finding") {
		t.Errorf("the review view does not show the second opinion:\n%s", s)
	}
	if e := h.m.tr.Last(); e == nil || !strings.Contains(e.Text, "b breaks the parser") {
		t.Error("the transcript does not list the finding")
	}
	if u := h.m.eng.Usage(); u.ByRole["review"] <= 0 {
		t.Errorf("cost by role %v, want the agent's and the review's", u.ByRole)
	}
}

func TestTryRunsAttemptsInSessionsOfTheirOwnAndTabulatesThem(t *testing.T) {
	h := newHarness(t, map[string]string{"a.txt": "a\n"}, "never",
		llmtest.Turn{Text: "Nothing to change."}, llmtest.Turn{Text: "Nothing to change."})
	before := h.m.eng.SessionID()
	h.command("/try openai:gpt-5-mini,openai:gpt-5-mini look around")
	if n := len(h.srv.Requests()); n != 2 {
		t.Fatalf("%d requests, want one per attempt", n)
	}
	e := h.m.tr.Last()
	if e == nil || strings.Count(e.Text, "openai:gpt-5-mini") != 2 || !strings.Contains(e.Text, "/resume SESSION") {
		t.Fatalf("the attempts table: %+v", e)
	}
	if h.m.eng.SessionID() != before || strings.Contains(e.Text, before) {
		t.Error("/try ran in the current session")
	}
}
