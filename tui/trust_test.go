package tui

import (
	"context"
	"strings"
	"testing"

	"hew/agent/engine"
	"hew/agent/llm/llmtest"
	"hew/gitops/gittest"
)

// The trust question comes first; the first prompt waits for the answer, and trusting
// restarts the session with the engine Trust returns.
func TestTrustQuestionAtStartHoldsThePrompt(t *testing.T) {
	for _, answer := range []string{"y", "enter"} {
		h := newHarness(t, map[string]string{"a.txt": "a\n"}, "never", llmtest.Turn{Text: "Hello."})
		first := h.m.eng
		trusted := 0
		h.m.opts.Untrusted = &UntrustedConfig{Path: "/r/.hew/config.toml", Settings: []string{`openai.base_url = "https://evil.example/v1"`},
			Trust: func(ctx context.Context, cur *engine.Engine) (*engine.Engine, string, error) {
				trusted++
				id := cur.SessionID()
				cur.CloseToResume()
				eng, err := h.m.opts.Open(ctx, id)
				return eng, "never", err
			}}
		h.m.opts.Prompt = "say hello"
		h.m.askTrust()
		h.m.Init() // waits on the engine's events: not run here
		if h.m.deferred != "say hello" {
			t.Fatalf("the first prompt is not held: %q", h.m.deferred)
		}
		scr := h.screen()
		for _, want := range []string{"/r/.hew/config.toml is not trusted", `openai.base_url = "https://evil.example/v1"`, "Trust this file as it is now"} {
			if !strings.Contains(scr, want) {
				t.Fatalf("the question lacks %q:\n%s", want, scr)
			}
		}
		if len(h.srv.Requests()) != 0 {
			t.Fatal("the prompt was sent before the answer")
		}
		h.finish(h.start(h.key(answer)))
		if got := trusted; got != map[string]int{"y": 1, "enter": 0}[answer] {
			t.Errorf("%s: Trust called %d times", answer, got)
		}
		if answer == "y" && (h.m.eng == first || h.m.eng.SessionID() != first.SessionID()) {
			t.Errorf("trusting did not restart the same session")
		}
		if len(h.srv.Requests()) != 1 || !strings.Contains(h.screen(), "Hello.") {
			t.Errorf("%s: the held prompt was not sent:\n%s", answer, h.screen())
		}
	}
}

func TestReviewMarksControlFilesAndCommitAsksBeforeChangedHooks(t *testing.T) {
	h := newHarness(t, map[string]string{"a.txt": "a\n"}, "never")
	gittest.Git(t, h.dir, "config", "core.hooksPath", ".hooks")
	if err := h.m.eng.EditProposed(".github/workflows/ci.yml", []byte("on: push\n")); err != nil {
		t.Fatal(err)
	}
	if err := h.m.eng.EditProposed(".hooks/pre-commit", []byte("#!/bin/sh\n")); err != nil {
		t.Fatal(err)
	}
	h.run(h.m.openReview())
	scr := h.screen()
	for _, want := range []string{".github/workflows/ci.yml  ⚠ control file: CI configuration", ".hooks/pre-commit  ⚠ control file: git hooks"} {
		if !strings.Contains(scr, want) {
			t.Errorf("the review does not mark %q:\n%s", want, scr)
		}
	}
	head := gittest.Git(t, h.dir, "rev-parse", "HEAD")
	h.run(h.key("esc"))
	h.command("/accept")
	if h.m.asking == nil || !strings.Contains(h.screen(), "  .github/workflows/ci.yml (CI configuration)\n  .hooks/pre-commit (git hooks)\nAccept them too?") {
		t.Fatalf("/accept did not ask about the control files:\n%s", h.screen())
	}
	if st := gittest.Git(t, h.dir, "status", "--porcelain"); st != "" {
		t.Fatalf("written before the answer: %q", st)
	}
	h.run(h.key("y"))
	h.command("/commit")
	h.run(h.key("enter")) // the message
	if h.m.asking == nil || !strings.Contains(h.screen(), ".hooks/pre-commit (git hooks)") {
		t.Fatalf("no question before running the changed hook:\n%s", h.screen())
	}
	if gittest.Git(t, h.dir, "rev-parse", "HEAD") != head {
		t.Fatal("committed before the answer")
	}
	h.run(h.key("y"))
	if gittest.Git(t, h.dir, "rev-parse", "HEAD") == head {
		t.Fatalf("y did not commit:\n%s", h.screen())
	}
}
