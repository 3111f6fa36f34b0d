package engine_test

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"hew/agent/llm"
	"hew/agent/llm/llmtest"
	"hew/gitops/gittest"
)

func TestSwitchModelKnownAndUnknown(t *testing.T) {
	dir := testRepo(t, map[string]string{"a.txt": "a\n"})
	e, _ := newEngine(t, dir, llmtest.Turn{Text: "hi", Usage: llm.Usage{InputTokens: 1_000_000}})
	ch, err := e.SwitchModel(context.Background(), "gpt-4.1")
	if err != nil {
		t.Fatal(err)
	}
	if !ch.Known || e.AgentForTest().Model != "gpt-4.1" || e.AgentForTest().ContextWindow != 1047576 || e.Model().Model.ID != "gpt-4.1" {
		t.Errorf("after switching to gpt-4.1: %+v, agent %s window %d", ch, e.AgentForTest().Model, e.AgentForTest().ContextWindow)
	}
	if _, err := e.Send(context.Background(), "hello"); err != nil {
		t.Fatal(err)
	}
	if _, cost := e.AgentForTest().Total(); cost != 2.0 { // gpt-4.1: $2 a million input tokens (gpt-5-mini: $0.25)
		t.Errorf("the new model's price was not used: cost %v", cost)
	}
	ch, err = e.SwitchModel(context.Background(), "gpt-4.1-mimi")
	if err != nil {
		t.Fatal(err)
	}
	if ch.Known || !slices.Contains(ch.Suggestions, "gpt-4.1-mini") || e.AgentForTest().Model != "gpt-4.1-mimi" || e.AgentForTest().Cost != nil {
		t.Errorf("unknown id: %+v, agent model %s", ch, e.AgentForTest().Model)
	}
	if _, err := e.SwitchModel(context.Background(), " "); err == nil || !strings.Contains(err.Error(), "hew models") {
		t.Errorf("empty id: %v", err)
	}
}

func TestRewindRestoresTheTreeAndForgetsAcceptedChangesItTookOut(t *testing.T) {
	dir := testRepo(t, map[string]string{"a.txt": tenLines, "b.txt": "b\n"})
	e, _ := newEngine(t, dir)
	ctx := context.Background()
	cp := e.Checkpoint(ctx, "before the change")
	if cp == "" {
		t.Fatal("no checkpoint")
	}
	if err := e.LayerForTest().WriteFile("a.txt", []byte(twoHunks), 0); err != nil {
		t.Fatal(err)
	}
	if _, err := e.Accept(nil); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "new.txt"), []byte("made after\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := e.Rewind(ctx, cp[:8]); err != nil {
		t.Fatal(err)
	}
	if got, _ := os.ReadFile(filepath.Join(dir, "a.txt")); string(got) != tenLines {
		t.Errorf("a.txt after the rewind:\n%s", got)
	}
	if _, err := os.Stat(filepath.Join(dir, "new.txt")); !os.IsNotExist(err) {
		t.Errorf("a file made after the checkpoint survived: %v", err)
	}
	if acc := e.Accepted(); len(acc) != 0 {
		t.Errorf("accepted after the rewind: %v", acc)
	}
	if st := gittest.Git(t, dir, "status", "--porcelain"); st != "" {
		t.Errorf("git status %q", st)
	}
	// The state before the rewind was saved, so the rewind can be undone.
	cps, err := e.RepoForTest().Checkpoints()
	if err != nil || len(cps) < 2 || !strings.HasPrefix(cps[0].Label, "before restoring") {
		t.Fatalf("checkpoints %+v, %v", cps, err)
	}
	if err := e.Rewind(ctx, "zz"); err == nil || !strings.Contains(err.Error(), "at least 4") {
		t.Errorf("a short id: %v", err)
	}
}
