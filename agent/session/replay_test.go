package session

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"hew/agent/event"
	"hew/agent/llm"
)

func TestAppendAfterATornLineKeepsEveryEvent(t *testing.T) {
	dir := t.TempDir()
	l, err := Create(dir, "20250101-000000-aaaaaa", nil)
	if err != nil {
		t.Fatal(err)
	}
	l.Emit(event.SessionStarted{Session: l.ID, Repo: "/r"})
	l.Emit(event.TurnStarted{Turn: 1, Prompt: "first"})
	l.Emit(event.Message{Message: llm.Message{Role: llm.RoleUser, Text: "first"}})
	l.Close()
	f, _ := os.OpenFile(l.Path, os.O_APPEND|os.O_WRONLY, 0)
	f.WriteString(`{"type":"message","message":{"role":"assis`)
	f.Close()

	l2, err := Append(dir, l.ID, nil)
	if err != nil {
		t.Fatal(err)
	}
	l2.Emit(event.Message{Message: llm.Message{Role: llm.RoleUser, Text: "second"}})
	if err := l2.Close(); err != nil {
		t.Fatal(err)
	}
	st, err := Load(l.Path)
	if err != nil {
		t.Fatal(err)
	}
	if len(st.History) != 2 || st.History[1].Text != "second" {
		t.Fatalf("history after append = %+v, want first and second", st.History)
	}
	raw, _ := os.ReadFile(l.Path)
	if strings.Contains(string(raw), "assis") {
		t.Error("the torn line was kept")
	}
}

func TestReplayAnswersDanglingCallsAndHonoursCompaction(t *testing.T) {
	call := func(id string) llm.ToolCall { return llm.ToolCall{ID: id, Name: "read_file", Arguments: `{}`} }
	evs := []event.Event{
		&event.SessionStarted{Session: "s", Repo: "/r"},
		&event.TurnStarted{Turn: 1, Prompt: "old"},
		&event.Message{Message: llm.Message{Role: llm.RoleUser, Text: "old"}},
		&event.Compacted{Messages: []llm.Message{{Role: llm.RoleUser, Text: "old"}, {Role: llm.RoleAssistant, Text: "summary"}}},
		&event.PlanUpdated{Steps: []event.PlanStep{{Step: "fix", Status: "in_progress"}}},
		&event.TurnStarted{Turn: 2, Prompt: "new"},
		&event.Message{Message: llm.Message{Role: llm.RoleUser, Text: "new"}},
		&event.Message{Message: llm.Message{Role: llm.RoleAssistant, ToolCalls: []llm.ToolCall{call("c1"), call("c2")}}},
		&event.Message{Message: llm.Message{Role: llm.RoleTool, ToolCallID: "c1", Text: "one"}},
		&event.Usage{Total: llm.Usage{InputTokens: 7}, TotalCostUSD: 0.5},
	}
	st := Replay(evs)
	var roles []string
	for _, m := range st.History {
		roles = append(roles, string(m.Role)+":"+m.Text+m.ToolCallID)
	}
	got := strings.Join(roles, " | ")
	want := "user:old | assistant:summary | user:new | assistant: | tool:onec1 | tool:" + interruptedTool + "c2"
	if got != want {
		t.Errorf("history\n got %s\nwant %s", got, want)
	}
	if st.Repaired != 1 || st.Turns != 2 || st.Prompt != "old" || st.CostUSD != 0.5 || st.Total.InputTokens != 7 {
		t.Errorf("state %+v", st)
	}
	if len(st.Plan) != 1 || st.Plan[0].Step != "fix" {
		t.Errorf("plan %+v", st.Plan)
	}
}

func TestFindLatestAndFork(t *testing.T) {
	dir := t.TempDir()
	mk := func(id, repo, prompt string) {
		l, err := Create(dir, id, nil)
		if err != nil {
			t.Fatal(err)
		}
		l.Emit(event.SessionStarted{Session: id, Repo: repo})
		l.Emit(event.TurnStarted{Turn: 1, Prompt: prompt})
		l.Close()
	}
	mk("20250101-000000-aaaaaa", "/one", "a")
	mk("20250102-000000-bbbbbb", "/two", "b")
	mk("20250102-000000-bbbccc", "/one", "c")

	if in, err := Find(dir, "20250101"); err != nil || in.Prompt != "a" {
		t.Errorf("Find by prefix: %+v %v", in, err)
	}
	if _, err := Find(dir, "20250102"); !errors.Is(err, ErrNoSession) || !strings.Contains(err.Error(), "matches 2 sessions") {
		t.Errorf("ambiguous prefix: %v", err)
	}
	if _, err := Find(dir, "nope"); !errors.Is(err, ErrNoSession) {
		t.Errorf("unknown id: %v", err)
	}
	if in, err := Latest(dir, "/one"); err != nil || in.Prompt != "c" {
		t.Errorf("Latest(/one) = %+v %v", in, err)
	}
	if _, err := Latest(dir, "/three"); !errors.Is(err, ErrNoSession) {
		t.Errorf("Latest(/three): %v", err)
	}

	id, err := Fork(dir, "20250101-000000-aaaaaa", time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	evs, err := Read(filepath.Join(dir, id+".jsonl"))
	if err != nil || len(evs) != 2 {
		t.Fatalf("fork: %v %v", evs, err)
	}
	if s := evs[0].(*event.SessionStarted); s.Session != id || s.Repo != "/one" {
		t.Errorf("fork's start event %+v", s)
	}
}

// A session continues where it last ran: the last start's provider, model, region and profile,
// then any model switch after it. Old files, with no region or switch, keep what they recorded.
func TestReplayFindsTheProviderAndModelLastUsed(t *testing.T) {
	cases := []struct {
		name string
		evs  []event.Event
		want Ran
	}{
		{"old file", []event.Event{&event.SessionStarted{Provider: "openai", Model: "gpt-5-mini"}}, Ran{Provider: "openai", Model: "gpt-5-mini"}},
		{"bedrock", []event.Event{&event.SessionStarted{Provider: "bedrock", Model: "m", Region: "us-east-2", Profile: "dev"}},
			Ran{Provider: "bedrock", Model: "m", Region: "us-east-2", Profile: "dev"}},
		{"switched", []event.Event{
			&event.SessionStarted{Provider: "bedrock", Model: "m", Region: "us-east-2"},
			&event.ModelSwitched{Provider: "bedrock", Model: "n", From: "m"},
		}, Ran{Provider: "bedrock", Model: "n", Region: "us-east-2"}},
		{"resumed on another provider", []event.Event{
			&event.SessionStarted{Provider: "bedrock", Model: "m", Region: "us-east-2"},
			&event.SessionStarted{Provider: "openai", Model: "gpt-5.1", Resumed: true},
			&event.ModelSwitched{Provider: "openai", Model: "gpt-5-mini"},
		}, Ran{Provider: "openai", Model: "gpt-5-mini"}},
		{"never started", nil, Ran{}},
	}
	for _, c := range cases {
		if got := Replay(c.evs).Ran; got != c.want {
			t.Errorf("%s: %+v, want %+v", c.name, got, c.want)
		}
	}
}

func TestReplayDropsProviderOnlyItemsAtAFailover(t *testing.T) {
	evs := []event.Event{
		&event.Message{Message: llm.Message{Role: llm.RoleUser, Text: "hi"}},
		&event.Message{Message: llm.Message{Role: llm.RoleAssistant, Text: "x", Reasoning: []llm.Reasoning{{Signature: "s"}}}},
		&event.Failover{From: "bedrock:a", To: "openai:b", Dropped: "1 reasoning block"},
		&event.Message{Message: llm.Message{Role: llm.RoleAssistant, Text: "y", Phase: "final_answer"}},
	}
	h := Replay(evs).History
	if len(h) != 3 || h[1].Reasoning != nil || h[2].Phase != "final_answer" {
		t.Errorf("history %+v: want the reasoning before the failover dropped, the later answer kept", h)
	}
}
