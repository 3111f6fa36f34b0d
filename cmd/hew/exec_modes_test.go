package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"hew/agent/llm/llmtest"
	"hew/gitops/gittest"
)

func TestExecAcceptNeverWritesOnlyThePatchFile(t *testing.T) {
	dir := goRepo(t)
	before := gittest.Git(t, dir, "status", "--porcelain")
	srv := llmtest.NewOpenAIServer(t,
		llmtest.Turn{ToolCalls: []llmtest.ToolCall{toolCall("apply_patch", map[string]any{"patch": fixPatch})}},
		llmtest.Turn{Text: "Fixed."},
	)
	out := filepath.Join(t.TempDir(), "fix.patch")
	_, stderr, code, _ := runHew(t, dir, srv.URL(), "", "exec", "--accept", "never", "--patch-out", out, "fix it")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if got := gittest.Git(t, dir, "status", "--porcelain"); got != before {
		t.Errorf("the tree changed: %q", got)
	}
	if !strings.Contains(stderr, "is kept, not applied") {
		t.Errorf("stderr does not say the proposal was kept:\n%s", stderr)
	}
	// The patch is a real git diff of the proposal.
	gittest.Git(t, dir, "apply", "--check", out)
	gittest.Git(t, dir, "apply", out)
	if b, _ := os.ReadFile(filepath.Join(dir, "calc.go")); !strings.Contains(string(b), "a + b") {
		t.Errorf("applied patch gave:\n%s", b)
	}
}

func TestExecBranchCommitsWithoutSwitching(t *testing.T) {
	dir := goRepo(t)
	head := gittest.Git(t, dir, "rev-parse", "HEAD")
	srv := llmtest.NewOpenAIServer(t,
		llmtest.Turn{ToolCalls: []llmtest.ToolCall{toolCall("apply_patch", map[string]any{"patch": fixPatch})}},
		llmtest.Turn{Text: "Fix Add"},
	)
	_, stderr, code, _ := runHew(t, dir, srv.URL(), "", "exec", "--accept", "auto", "--branch", "hew/fix-add", "fix it")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if cur := gittest.Git(t, dir, "rev-parse", "--abbrev-ref", "HEAD"); cur != "main" {
		t.Errorf("checkout switched to %s", cur)
	}
	if got := gittest.Git(t, dir, "rev-parse", "main"); got != head {
		t.Error("main moved")
	}
	if parent := gittest.Git(t, dir, "rev-parse", "hew/fix-add~1"); parent != head {
		t.Errorf("branch parent %s, want %s", parent, head)
	}
	if files := gittest.Git(t, dir, "show", "--name-only", "--format=", "hew/fix-add"); files != "calc.go" {
		t.Errorf("branch commit touches %q", files)
	}
	// A second run may not overwrite the branch.
	srv2 := llmtest.NewOpenAIServer(t,
		llmtest.Turn{ToolCalls: []llmtest.ToolCall{toolCall("apply_patch", map[string]any{"patch": "*** Begin Patch\n*** Add File: more.txt\n+x\n*** End Patch"})}},
		llmtest.Turn{Text: "again"},
	)
	_, stderr, code, _ = runHew(t, dir, srv2.URL(), "", "exec", "--accept", "auto", "--branch", "hew/fix-add", "again")
	if code != 1 || !strings.Contains(stderr, "hew/fix-add") {
		t.Errorf("existing branch: exit %d, %s", code, stderr)
	}
	if _, err := os.Stat(filepath.Join(dir, "more.txt")); err == nil {
		t.Error("the change was written although the commit was refused")
	}
}

// With --commit, whatever decides that the commit cannot be made is found before the change is
// written: either both happen or neither.
func TestExecCommitRefusedBeforeWriting(t *testing.T) {
	dir := goRepo(t)
	gittest.Git(t, dir, "config", "commit.gpgSign", "true")
	gittest.Git(t, dir, "config", "gpg.program", "false") // signing fails
	head := gittest.Git(t, dir, "rev-parse", "HEAD")
	srv := llmtest.NewOpenAIServer(t,
		llmtest.Turn{ToolCalls: []llmtest.ToolCall{toolCall("apply_patch", map[string]any{"patch": "*** Begin Patch\n*** Add File: more.txt\n+x\n*** End Patch"})}},
		llmtest.Turn{Text: "added"},
	)
	_, stderr, code, _ := runHew(t, dir, srv.URL(), "", "exec", "--accept", "auto", "--commit", "add a file")
	if code != 1 || !strings.Contains(stderr, "signing failed") || !strings.Contains(stderr, "nothing was written") {
		t.Errorf("exit %d: %s", code, stderr)
	}
	if _, err := os.Stat(filepath.Join(dir, "more.txt")); err == nil {
		t.Error("the change was written although the commit could not be made")
	}
	if got := gittest.Git(t, dir, "rev-parse", "HEAD"); got != head {
		t.Errorf("HEAD moved to %s", got)
	}
}

func TestExecCommitWithNothingToCommitFails(t *testing.T) {
	dir := goRepo(t)
	srv := llmtest.NewOpenAIServer(t, llmtest.Turn{Text: "Nothing needed changing."})
	_, stderr, code, _ := runHew(t, dir, srv.URL(), "", "exec", "--accept", "auto", "--commit", "fix it")
	if code != 1 || !strings.Contains(stderr, "nothing to commit") {
		t.Errorf("exit %d: %s", code, stderr)
	}
}
