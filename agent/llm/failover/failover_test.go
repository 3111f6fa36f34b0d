package failover

import (
	"context"
	"errors"
	"strings"
	"testing"

	"hew/agent/llm"
)

// scripted answers each request with the next error (nil: an answer naming the model).
type scripted struct {
	name string
	errs []error
	got  []llm.Request
}

func (s *scripted) Name() string { return s.name }

func (s *scripted) Stream(_ context.Context, req llm.Request, _ func(llm.Delta)) (llm.Response, error) {
	s.got = append(s.got, req)
	if len(s.errs) > 0 {
		err := s.errs[0]
		s.errs = s.errs[1:]
		if err != nil {
			return llm.Response{}, err
		}
	}
	return llm.Response{Message: llm.Message{Role: llm.RoleAssistant, Text: req.Model}}, nil
}

func TestChainMovesOnAndStays(t *testing.T) {
	throttled := &llm.Error{Kind: llm.ErrRateLimit, Provider: "bedrock", Message: "throttled"}
	a := &scripted{name: "bedrock", errs: []error{throttled}}
	b := &scripted{name: "openai"}
	var switches []Switch
	c := New([]Entry{{Name: "bedrock:A", Provider: a, Model: "A"}, {Name: "openai:B", Provider: b, Model: "B"}},
		func(s Switch) { switches = append(switches, s) })
	history := []llm.Message{
		{Role: llm.RoleUser, Text: "hi"},
		{Role: llm.RoleAssistant, Text: "x", Phase: "final_answer", Reasoning: []llm.Reasoning{{Signature: "sig"}, {Encrypted: "enc"}},
			ToolCalls: []llm.ToolCall{{ID: "1", Name: "run", Extra: []byte(`{"x":1}`)}}},
	}
	resp, err := c.Stream(context.Background(), llm.Request{Model: "A", Messages: history}, nil)
	if err != nil || resp.Message.Text != "B" {
		t.Fatalf("answer %q, %v: want B's", resp.Message.Text, err)
	}
	if len(switches) != 1 || switches[0].To.Name != "openai:B" || switches[0].Dropped != (Dropped{Reasoning: 2, Phases: 1, Extras: 1}) {
		t.Fatalf("switches %+v", switches)
	}
	if m := b.got[0].Messages[1]; m.Reasoning != nil || m.Phase != "" || m.ToolCalls[0].Extra != nil {
		t.Errorf("B received provider-specific items: %+v", m)
	}
	if history[1].Reasoning == nil {
		t.Error("the caller's conversation was changed")
	}
	if c.Name() != "openai" {
		t.Errorf("Name = %s after the switch", c.Name())
	}
	c.Stream(context.Background(), llm.Request{Model: "A"}, nil)
	if len(a.got) != 1 || len(b.got) != 2 {
		t.Errorf("requests A %d B %d: the chain should stay on B", len(a.got), len(b.got))
	}
}

func TestChainKeepsRequestFaultsAndReportsEveryFailure(t *testing.T) {
	bad := &llm.Error{Kind: llm.ErrBadRequest, Message: "bad"}
	a := &scripted{name: "openai", errs: []error{bad}}
	b := &scripted{name: "openai"}
	c := New([]Entry{{Name: "openai:A", Provider: a, Model: "A"}, {Name: "openai:B", Provider: b, Model: "B"}}, nil)
	if _, err := c.Stream(context.Background(), llm.Request{}, nil); !errors.Is(err, bad) || len(b.got) != 0 {
		t.Errorf("a bad request failed over: %v", err)
	}
	down := &llm.Error{Kind: llm.ErrServer, Message: "down"}
	a.errs, b.errs = []error{down}, []error{down}
	_, err := c.Stream(context.Background(), llm.Request{}, nil)
	if llm.KindOf(err) != llm.ErrServer || !contains(err.Error(), "openai:A") || !contains(err.Error(), "openai:B") {
		t.Errorf("both down: %v", err)
	}
}

func contains(s, sub string) bool { return strings.Contains(s, sub) }

// partial streams some text, then fails.
type partial struct{ scripted }

func (p *partial) Stream(_ context.Context, req llm.Request, onDelta func(llm.Delta)) (llm.Response, error) {
	onDelta(llm.Delta{Kind: llm.DeltaText, Text: "Half an ans"})
	return llm.Response{}, &llm.Error{Kind: llm.ErrStream, Message: "the stream broke"}
}

func TestAnAnswerThatBrokeOffIsMarkedBeforeTheNextBegins(t *testing.T) {
	a, b := &partial{scripted{name: "bedrock"}}, &scripted{name: "openai"}
	c := New([]Entry{{Name: "bedrock:A", Provider: a, Model: "A"}, {Name: "openai:B", Provider: b, Model: "B"}}, nil)
	var deltas []llm.Delta
	if _, err := c.Stream(context.Background(), llm.Request{}, func(d llm.Delta) { deltas = append(deltas, d) }); err != nil {
		t.Fatal(err)
	}
	if len(deltas) != 2 || deltas[1].Kind != llm.DeltaNotice || !strings.Contains(deltas[1].Text, "openai:B answers again from the start") {
		t.Errorf("deltas %+v", deltas)
	}
}
