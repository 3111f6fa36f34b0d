package loop

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"hew/agent/approval"
	"hew/agent/event"
	"hew/agent/llm"
	"hew/agent/proposal"
	"hew/agent/tools"
)

// scripted is an in-process provider that answers each call with the next response.
type scripted struct {
	mu    sync.Mutex
	resps []llm.Response
	reqs  []llm.Request
	// block, when set, makes a call stream "partial" and wait for ctx to end.
	block bool
	// fail, when it holds an error for a call's number (from 0), makes that call stream
	// "partial" and fail with it.
	fail map[int]error
}

func (s *scripted) Name() string { return "scripted" }

func (s *scripted) Stream(ctx context.Context, req llm.Request, on func(llm.Delta)) (llm.Response, error) {
	s.mu.Lock()
	s.reqs = append(s.reqs, req)
	if s.block {
		s.mu.Unlock()
		on(llm.Delta{Kind: llm.DeltaText, Text: "partial"})
		<-ctx.Done()
		return llm.Response{}, ctx.Err()
	}
	defer s.mu.Unlock()
	if err := s.fail[len(s.reqs)-1]; err != nil {
		on(llm.Delta{Kind: llm.DeltaText, Text: "partial"})
		return llm.Response{}, err
	}
	if len(s.resps) == 0 {
		return llm.Response{}, errors.New("no more scripted responses")
	}
	r := s.resps[0]
	s.resps = s.resps[1:]
	if r.Message.Text != "" {
		on(llm.Delta{Kind: llm.DeltaText, Text: r.Message.Text})
	}
	r.Message.Role = llm.RoleAssistant
	return r, nil
}

func calls(cs ...llm.ToolCall) llm.Response {
	return llm.Response{Message: llm.Message{ToolCalls: cs}, Stop: llm.StopToolUse, Usage: llm.Usage{InputTokens: 100, OutputTokens: 10}}
}

func text(s string) llm.Response {
	return llm.Response{Message: llm.Message{Text: s}, Stop: llm.StopEnd, Usage: llm.Usage{InputTokens: 100, OutputTokens: 10}}
}

type recorder struct {
	mu  sync.Mutex
	evs []event.Event
}

func (r *recorder) Emit(e event.Event) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.evs = append(r.evs, e)
}

func newAgent(t *testing.T, p llm.Provider) (*Agent, *recorder) {
	t.Helper()
	root := t.TempDir()
	os.WriteFile(filepath.Join(root, "a.txt"), []byte("alpha\n"), 0o644)
	os.WriteFile(filepath.Join(root, "b.txt"), []byte("beta\n"), 0o644)
	layer, err := proposal.Open(root, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	rec := &recorder{}
	return &Agent{Provider: p, Model: "m", Tools: tools.NewSet(""), Env: &tools.Env{Layer: layer}, Sink: rec,
		Cost: func(u llm.Usage) float64 { return float64(u.InputTokens) / 1000 }}, rec
}

// toolResults returns the tool result messages of the history, in order.
func toolResults(a *Agent) []llm.Message {
	var out []llm.Message
	for _, m := range a.History() {
		if m.Role == llm.RoleTool {
			out = append(out, m)
		}
	}
	return out
}

func TestMalformedAndUnknownToolCallsAreAnsweredNotFatal(t *testing.T) {
	p := &scripted{resps: []llm.Response{
		calls(llm.ToolCall{ID: "1", Name: "read_file", Arguments: `{"path": "a.txt"`},
			llm.ToolCall{ID: "2", Name: "read_file", Arguments: `{"path": 7}`},
			llm.ToolCall{ID: "3", Name: "delete_everything", Arguments: `{}`}),
		text("done"),
	}}
	a, _ := newAgent(t, p)
	final, err := a.Send(context.Background(), "go")
	if err != nil || final != "done" {
		t.Fatalf("Send = %q, %v", final, err)
	}
	rs := toolResults(a)
	if len(rs) != 3 {
		t.Fatalf("%d tool results", len(rs))
	}
	for i, want := range []string{"not valid JSON", "invalid arguments for read_file", `no tool "delete_everything"`} {
		if !rs[i].IsError || !strings.Contains(rs[i].Text, want) {
			t.Errorf("result %d = %+v, want an error containing %q", i, rs[i], want)
		}
	}
	// The second request carries the results back, answering each call id.
	second := p.reqs[1].Messages
	if got := second[len(second)-1].ToolCallID; got != "3" {
		t.Errorf("last message answers %q", got)
	}
}

func TestParallelReadsKeepCallOrder(t *testing.T) {
	var cs []llm.ToolCall
	for i, f := range []string{"a.txt", "b.txt", "a.txt", "b.txt"} {
		cs = append(cs, llm.ToolCall{ID: string(rune('a' + i)), Name: "read_file", Arguments: `{"path":"` + f + `"}`})
	}
	p := &scripted{resps: []llm.Response{calls(cs...), text("ok")}}
	a, rec := newAgent(t, p)
	if _, err := a.Send(context.Background(), "read"); err != nil {
		t.Fatal(err)
	}
	rs := toolResults(a)
	for i, want := range []string{"alpha", "beta", "alpha", "beta"} {
		if rs[i].ToolCallID != cs[i].ID || !strings.Contains(rs[i].Text, want) {
			t.Errorf("result %d = %+v", i, rs[i])
		}
	}
	var started, finished int
	for _, e := range rec.evs {
		switch e.(type) {
		case event.ToolStarted:
			started++
		case event.ToolFinished:
			finished++
		}
	}
	if started != 4 || finished != 4 {
		t.Errorf("started %d finished %d", started, finished)
	}
}

func TestEditsGoToTheProposalAndAreReported(t *testing.T) {
	p := &scripted{resps: []llm.Response{
		calls(llm.ToolCall{ID: "1", Name: "edit_file", Arguments: `{"path":"a.txt","old_string":"alpha","new_string":"ALPHA"}`}),
		text("edited"),
	}}
	a, rec := newAgent(t, p)
	if _, err := a.Send(context.Background(), "edit"); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(filepath.Join(a.Env.Layer.Root(), "a.txt")); string(b) != "alpha\n" {
		t.Errorf("the working tree changed: %q", b)
	}
	var pc *event.ProposalChanged
	for _, e := range rec.evs {
		if e, ok := e.(event.ProposalChanged); ok {
			pc = &e
		}
	}
	if pc == nil || len(pc.Files) != 1 || pc.Files[0].Path != "a.txt" || pc.Files[0].Added != 1 || pc.Files[0].Removed != 1 {
		t.Errorf("proposal event %+v", pc)
	}
}

func TestCapsStopTheLoop(t *testing.T) {
	loop := func() []llm.Response {
		var rs []llm.Response
		for i := 0; i < 10; i++ {
			rs = append(rs, calls(llm.ToolCall{ID: "x", Name: "list_files", Arguments: `{}`}))
		}
		return rs
	}
	for _, tc := range []struct {
		caps Caps
		cap  string
	}{
		{Caps{MaxSteps: 3}, "max_turns"},
		{Caps{MaxCost: 0.25}, "max_cost"},
		{Caps{MaxTokens: 250}, "max_tokens"},
	} {
		a, rec := newAgent(t, &scripted{resps: loop()})
		a.Caps = tc.caps
		_, err := a.Send(context.Background(), "loop")
		var ce *CapError
		if !errors.As(err, &ce) || ce.Cap != tc.cap {
			t.Errorf("%+v: err = %v", tc.caps, err)
		}
		last := rec.evs[len(rec.evs)-1].(event.TurnFinished)
		if last.Reason != tc.cap {
			t.Errorf("turn finished with %q", last.Reason)
		}
	}
}

func TestInterruptKeepsPartialText(t *testing.T) {
	p := &scripted{block: true}
	a, rec := newAgent(t, p)
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		for {
			rec.mu.Lock()
			n := len(rec.evs)
			rec.mu.Unlock()
			if n >= 3 { // turn started, user message, text delta
				cancel()
				return
			}
		}
	}()
	_, err := a.Send(ctx, "long task")
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v", err)
	}
	h := a.History()
	if last := h[len(h)-1]; last.Role != llm.RoleAssistant || !strings.HasPrefix(last.Text, "partial") {
		t.Errorf("partial answer not kept: %+v", last)
	}
	if r := rec.evs[len(rec.evs)-1].(event.TurnFinished).Reason; r != "interrupted" {
		t.Errorf("reason %q", r)
	}
}

// A change the user made to the proposal between turns (a reject) does not hide the model's
// next change from the report, even when the change set ends up as it was reported before; a
// batch that changes nothing is not reported.
func TestProposalReportComparesWithTheProposalBeforeTheBatch(t *testing.T) {
	edit := llm.ToolCall{ID: "1", Name: "edit_file", Arguments: `{"path":"a.txt","old_string":"alpha","new_string":"ALPHA"}`}
	p := &scripted{resps: []llm.Response{calls(edit), text("edited"), calls(edit), text("edited again")}}
	a, rec := newAgent(t, p)
	count := func() int {
		n := 0
		for _, e := range rec.evs {
			if pc, ok := e.(event.ProposalChanged); ok && pc.Cause == event.CauseTools {
				n++
			}
		}
		return n
	}
	if _, err := a.Send(context.Background(), "edit"); err != nil {
		t.Fatal(err)
	}
	if err := a.Env.Layer.Drop("a.txt"); err != nil { // the user rejects the change …
		t.Fatal(err)
	}
	a.ProposalReported([]event.FileStat{}) // … and the engine reports the empty proposal
	if _, err := a.Send(context.Background(), "edit it again"); err != nil {
		t.Fatal(err)
	}
	if n := count(); n != 2 {
		t.Errorf("%d proposal reports, want 2 (one per turn)", n)
	}
	p.resps = []llm.Response{calls(llm.ToolCall{ID: "2", Name: "run", Arguments: `{"command":"true"}`}), text("ran")}
	a.Env.Runner = noopRunner{}
	if _, err := a.Send(context.Background(), "run something"); err != nil {
		t.Fatal(err)
	}
	if n := count(); n != 2 {
		t.Errorf("a command that changed nothing was reported: %d reports", n)
	}
}

type noopRunner struct{}

func (noopRunner) Run(context.Context, string, time.Duration) (tools.RunResult, error) {
	return tools.RunResult{}, nil
}

// A command's run time leaves out the time it waited for the user's approval, whether it was
// then run or denied.
func TestRunTimeLeavesOutTheWaitForApproval(t *testing.T) {
	const wait = 300 * time.Millisecond
	for _, d := range []approval.Decision{approval.AllowOnce, approval.Deny} {
		p := &scripted{resps: []llm.Response{calls(llm.ToolCall{ID: "1", Name: "run", Arguments: `{"command":"touch x"}`}), text("done")}}
		a, rec := newAgent(t, p)
		gate, err := approval.NewGate(func(context.Context, string, time.Duration, bool) (tools.RunResult, error) {
			return tools.RunResult{Duration: time.Millisecond}, nil
		}, false, approval.Untrusted, func(context.Context, approval.Request) (approval.Decision, string) {
			time.Sleep(wait)
			return d, ""
		})
		if err != nil {
			t.Fatal(err)
		}
		a.Env.Runner = gate
		start := time.Now()
		if _, err := a.Send(context.Background(), "touch it"); err != nil {
			t.Fatal(err)
		}
		if took := time.Since(start); took < wait {
			t.Fatalf("the turn took %s, less than the wait", took)
		}
		for _, e := range rec.evs {
			if f, ok := e.(event.ToolFinished); ok && f.Duration >= wait {
				t.Errorf("decision %v: the run time %s includes the %s wait for approval", d, f.Duration, wait)
			}
		}
	}
}
