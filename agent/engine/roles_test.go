package engine_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"hew/agent/engine"
	"hew/agent/engine/enginetest"
	"hew/agent/event"
	"hew/agent/llm"
	"hew/agent/llm/llmtest"
)

func TestSummariseAsksTheSmallModelAndCountsItsCostApart(t *testing.T) {
	dir := testRepo(t, map[string]string{"a.txt": "a\n"})
	srv := llmtest.NewOpenAIServer(t, llmtest.Turn{Text: "  Fix the sum  ", Usage: llm.Usage{InputTokens: 1000, OutputTokens: 10}})
	o := enginetest.Options(t, dir, srv)
	o.Config.Model = "gpt-5.1-codex"
	o.Config.SmallModel = "openai:gpt-5-nano"
	var usages []event.Usage
	o.Sinks = []event.Sink{event.SinkFunc(func(ev event.Event) {
		if u, ok := ev.(event.Usage); ok {
			usages = append(usages, u)
		}
	})}
	e, err := engine.New(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	if p, model := e.SmallModel(); p == nil || model != "gpt-5-nano" {
		t.Fatalf("SmallModel = %v, %q", p, model)
	}
	got, err := e.Summarise(context.Background(), "Write a commit subject.", "diff --git a/a.txt ...")
	if err != nil || got != "Fix the sum" {
		t.Fatalf("Summarise = %q, %v", got, err)
	}
	reqs := srv.Requests()
	if len(reqs) != 1 || reqs[0].JSON["model"] != "gpt-5-nano" || strings.Contains(string(reqs[0].Body), `"tools"`) {
		t.Fatalf("the request went to %v (or offered tools): %s", reqs[0].JSON["model"], reqs[0].Body)
	}
	if len(usages) != 1 || usages[0].Role != event.RoleSmall || usages[0].Model != "gpt-5-nano" || usages[0].CostUSD <= 0 {
		t.Fatalf("usage events: %+v", usages)
	}
	u := e.Usage()
	if u.ByRole[event.RoleSmall] != usages[0].CostUSD || u.CostUSD != usages[0].CostUSD {
		t.Errorf("session usage %+v: the small model's cost is not counted under its role", u)
	}
}

func TestABadRoleReferenceIsAConfigurationError(t *testing.T) {
	dir := testRepo(t, map[string]string{"a.txt": "a\n"})
	o := enginetest.Options(t, dir, llmtest.NewOpenAIServer(t))
	o.Config.Fallback = []string{"bedrock:"}
	_, err := engine.New(context.Background(), o)
	if !errors.Is(err, engine.ErrUsage) || !strings.Contains(err.Error(), "fallback[0]") || !strings.Contains(err.Error(), "MODEL_ID") {
		t.Fatalf("err = %v", err)
	}
}

// flaky is a primary provider that is throttled for its first n requests, then answers.
type flaky struct {
	n   int
	got []string // the model of each request
}

func (f *flaky) Name() string { return "openai" }

func (f *flaky) Stream(_ context.Context, req llm.Request, _ func(llm.Delta)) (llm.Response, error) {
	f.got = append(f.got, req.Model)
	if len(f.got) <= f.n {
		return llm.Response{}, &llm.Error{Kind: llm.ErrRateLimit, Provider: "openai", Message: "429 slow down"}
	}
	return llm.Response{Message: llm.Message{Role: llm.RoleAssistant, Text: "primary answers"}, Stop: llm.StopEnd}, nil
}

func TestFailoverThenSwitchingModelLeadsWithTheSwitchedModel(t *testing.T) {
	dir := testRepo(t, map[string]string{"a.txt": "a\n"})
	srv := llmtest.NewOpenAIServer(t, llmtest.Turn{Text: "fallback answers", Usage: llm.Usage{InputTokens: 1000, OutputTokens: 10}})
	o := enginetest.Options(t, dir, srv)
	primary := &flaky{n: 1}
	o.Provider = primary
	o.Config.Fallback = []string{"openai:gpt-5.1-codex"}
	var failovers []event.Failover
	o.Sinks = []event.Sink{event.SinkFunc(func(ev event.Event) {
		if f, ok := ev.(event.Failover); ok {
			failovers = append(failovers, f)
		}
	})}
	e, err := engine.New(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	if got, err := e.Send(context.Background(), "hi"); err != nil || got != "fallback answers" {
		t.Fatalf("Send = %q, %v", got, err)
	}
	if len(failovers) != 1 || failovers[0].From != "openai:gpt-5-mini" || failovers[0].To != "openai:gpt-5.1-codex" {
		t.Fatalf("failovers: %+v", failovers)
	}
	if m := e.Model(); m.Model.ID != "gpt-5.1-codex" || e.Usage().CostUSD <= 0 {
		t.Errorf("after the failover: model %s, cost %v (want the fallback's price)", m.Model.ID, e.Usage().CostUSD)
	}
	if _, err := e.SwitchModel(context.Background(), "gpt-5-nano"); err != nil {
		t.Fatal(err)
	}
	if got, err := e.Send(context.Background(), "again"); err != nil || got != "primary answers" {
		t.Fatalf("after /model: Send = %q, %v", got, err)
	}
	if strings.Join(primary.got, ",") != "gpt-5-mini,gpt-5-nano" || len(srv.Requests()) != 1 {
		t.Errorf("primary got %v, fallback %d requests", primary.got, len(srv.Requests()))
	}
}
