package loop

import (
	"context"
	"errors"
	"strings"
	"testing"

	"hew/agent/compact"
	"hew/agent/event"
	"hew/agent/llm"
)

func TestRepeatedFailingCallsAreFlaggedThenStopped(t *testing.T) {
	var resps []llm.Response
	for range 8 {
		resps = append(resps, calls(llm.ToolCall{ID: "x", Name: "read_file", Arguments: `{"path":"missing.txt"}`}))
	}
	p := &scripted{resps: resps}
	a, rec := newAgent(t, p)
	_, err := a.Send(context.Background(), "read it")
	if !errors.Is(err, ErrRepeating) || !strings.Contains(err.Error(), "5 times") {
		t.Fatalf("error = %v, want the run stopped as repeating after 5 calls", err)
	}
	if len(p.reqs) != RepeatStop {
		t.Errorf("%d model calls, want %d", len(p.reqs), RepeatStop)
	}
	res := toolResults(a)
	if strings.Contains(res[1].Text, "same result") || !strings.Contains(res[2].Text, "same call with the same result 3 times") {
		t.Errorf("the model was not told it repeats itself at the third call: %q", res[2].Text)
	}
	var finished event.TurnFinished
	for _, e := range rec.evs {
		if f, ok := e.(event.TurnFinished); ok {
			finished = f
		}
	}
	if finished.Reason != "repeating" {
		t.Errorf("turn finished with %q", finished.Reason)
	}
}

func TestDifferentCallsAreNotRepeats(t *testing.T) {
	var resps []llm.Response
	for i := range 8 {
		path := []string{"a.txt", "b.txt"}[i%2]
		resps = append(resps, calls(llm.ToolCall{ID: "x", Name: "read_file", Arguments: `{"path":"` + path + `"}`}))
	}
	p := &scripted{resps: append(resps, text("done"))}
	a, _ := newAgent(t, p)
	if _, err := a.Send(context.Background(), "read them"); err != nil {
		t.Fatal(err)
	}
}

func TestAStreamBrokenBeforeAnyToolCallIsSentAgainWhole(t *testing.T) {
	broke := &llm.Error{Kind: llm.ErrStream, Provider: "scripted", Message: "the response stream broke: unexpected EOF"}
	p := &scripted{resps: []llm.Response{text("whole answer")}, fail: map[int]error{0: broke}}
	a, rec := newAgent(t, p)
	final, err := a.Send(context.Background(), "hi")
	if err != nil || final != "whole answer" || len(p.reqs) != 2 {
		t.Fatalf("final %q, err %v, %d calls", final, err, len(p.reqs))
	}
	if !hasNotice(rec, "sending the request again (1 of 2)") {
		t.Error("the retry was not shown")
	}
}

func TestAnOverflowTeachesTheWindowOfAnUnknownModel(t *testing.T) {
	over := &llm.Error{Kind: llm.ErrContextOverflow, Provider: "scripted",
		Message: "400 This model's maximum context length is 4096 tokens. However, you requested 5000 tokens"}
	for _, known := range []int64{0, 128_000} { // unknown, and a catalogue window larger than the server's
		p := &scripted{resps: []llm.Response{text("SUMMARY"), text("done")}, fail: map[int]error{0: over}}
		a, _ := newAgent(t, p)
		a.ContextWindow = known
		a.Restore(Restored{History: seenHistory(), Turns: 1})
		if _, err := a.Send(context.Background(), "LATEST"); err != nil {
			t.Fatal(err)
		}
		if a.Window() != 4096 {
			t.Errorf("window %d: now %d, want the 4096 the server named", known, a.Window())
		}
	}
}

func hasNotice(rec *recorder, text string) bool {
	rec.mu.Lock()
	defer rec.mu.Unlock()
	for _, e := range rec.evs {
		if n, ok := e.(event.Notice); ok && strings.Contains(n.Text, text) {
			return true
		}
	}
	return false
}

func TestAToolOutputIsCappedAtAShareOfTheWindow(t *testing.T) {
	p := &scripted{resps: []llm.Response{calls(llm.ToolCall{ID: "r", Name: "read_file", Arguments: `{"path":"big.txt"}`}), text("done")}}
	a, _ := newAgent(t, p)
	a.ContextWindow = 16_000
	if err := a.Env.Layer.WriteFile("big.txt", []byte(strings.Repeat("a line of a large file\n", 1000)), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := a.Send(context.Background(), "read big.txt"); err != nil {
		t.Fatal(err)
	}
	out := toolResults(a)[0].Text
	if limit := compact.OutputLimit(16_000); len(out) > limit+200 || !strings.Contains(out, "omitted") {
		t.Errorf("output of %d bytes, want at most about %d with the cut counted", len(out), limit)
	}
}
