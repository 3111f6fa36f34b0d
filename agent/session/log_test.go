package session

import (
	"os"
	"strings"
	"testing"
	"time"

	"hew/agent/event"
	"hew/agent/llm"
)

func TestLogRedactsAndSurvivesATornLine(t *testing.T) {
	dir := t.TempDir()
	const key = "sk-test-SECRET-0123456789"
	l, err := Create(dir, NewID(time.Now()), []string{key})
	if err != nil {
		t.Fatal(err)
	}
	l.Emit(event.SessionStarted{Session: l.ID, Repo: "/r", Model: "m", Time: time.Now()})
	l.Emit(event.TurnStarted{Turn: 1, Prompt: "fix it"})
	l.Emit(event.TextDelta{Text: "streaming"})
	l.Emit(event.Message{Message: llm.Message{Role: llm.RoleTool, Text: "OPENAI_API_KEY=" + key}})
	l.Emit(event.Usage{TotalCostUSD: 0.25})
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	// A kill mid-write leaves half a line at the end.
	f, _ := os.OpenFile(l.Path, os.O_APPEND|os.O_WRONLY, 0)
	f.WriteString(`{"type":"message","mess`)
	f.Close()

	raw, _ := os.ReadFile(l.Path)
	if strings.Contains(string(raw), key) {
		t.Fatal("the session file holds the API key")
	}
	if strings.Contains(string(raw), "streaming") {
		t.Error("deltas were written")
	}
	evs, err := Read(l.Path)
	if err != nil {
		t.Fatal(err)
	}
	if len(evs) != 4 {
		t.Fatalf("read %d events, want 4", len(evs))
	}
	infos, err := List(dir)
	if err != nil || len(infos) != 1 {
		t.Fatalf("List: %v %v", infos, err)
	}
	if in := infos[0]; in.Prompt != "fix it" || in.Turns != 1 || in.CostUSD != 0.25 || in.ID != l.ID {
		t.Errorf("summary %+v", in)
	}
}
