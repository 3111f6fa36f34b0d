package engine_test

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"hew/agent/engine"
	"hew/agent/engine/enginetest"
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

// TestContextWindowIsTheOneTheLoopUses checks that ContextUsed reports the window the agent
// compacts to: a listed model's reported context, the default for a model nobody sized, and
// the smaller window a server's refusal named.
func TestContextWindowIsTheOneTheLoopUses(t *testing.T) {
	dir := testRepo(t, map[string]string{"a.txt": "a\n"})
	srv := llmtest.NewOpenAIServer(t, llmtest.Turn{Status: 400, ErrorBody: `{"error":{"message":"This model's maximum context length is 4096 tokens. However, you requested 5000 tokens.","type":"invalid_request_error","code":"context_length_exceeded"}}`})
	e, err := engine.New(context.Background(), enginetest.Options(t, dir, srv))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.Close() })
	ctx := context.Background()
	window := func() int64 { _, w := e.ContextUsed(); return w }

	if _, err := e.SwitchModel(ctx, "nobody-sized-me"); err != nil {
		t.Fatal(err)
	}
	if w := window(); w != e.AgentForTest().Window() || w != 32768 {
		t.Errorf("an unknown model: window %d, the loop uses %d", w, e.AgentForTest().Window())
	}

	srv.SetModels(map[string]any{"id": "qwen-local", "max_model_len": 8192})
	if _, err := e.AvailableModels(ctx); err != nil {
		t.Fatal(err)
	}
	ch, err := e.SwitchModel(ctx, "qwen-local")
	if err != nil {
		t.Fatal(err)
	}
	if ch.Known || ch.Model.ContextWindow != 8192 || window() != 8192 {
		t.Errorf("a model the server listed with 8192 tokens: %+v, window %d", ch, window())
	}

	if _, err := e.Send(ctx, "hello"); err == nil {
		t.Fatal("the refused request did not fail")
	}
	if w := window(); w != 4096 || w != e.AgentForTest().Window() {
		t.Errorf("after the server named 4096 tokens: window %d, the loop uses %d", w, e.AgentForTest().Window())
	}
	// Another model forgets what the last one's server taught.
	if _, err := e.SwitchModel(ctx, "gpt-4.1"); err != nil {
		t.Fatal(err)
	}
	if w := window(); w != 1047576 {
		t.Errorf("after switching to gpt-4.1: window %d, want its 1047576", w)
	}
}
