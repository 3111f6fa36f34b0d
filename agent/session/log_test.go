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

// Session files are private, and a directory or file an older hew left open is closed up.
func TestSessionFilesArePrivate(t *testing.T) {
	dir := t.TempDir() + "/sessions"
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	old := dir + "/old.jsonl"
	if err := os.WriteFile(old, []byte("{}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	os.Chmod(dir, 0o755)
	os.Chmod(old, 0o644)
	l, err := Append(dir, "old", nil)
	if err != nil {
		t.Fatal(err)
	}
	l.Close()
	n, err := Create(dir, NewID(time.Now()), nil)
	if err != nil {
		t.Fatal(err)
	}
	n.Close()
	for p, want := range map[string]os.FileMode{dir: 0o700, old: 0o600, n.Path: 0o600} {
		fi, err := os.Stat(p)
		if err != nil || fi.Mode().Perm() != want {
			t.Errorf("%s: mode %v, want %v (%v)", p, fi.Mode().Perm(), want, err)
		}
	}
}
