package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"hew/agent/llm/llmtest"
	"hew/gitops/gittest"
)

// hew exec decides its test command from the repository root, wherever in the repository it
// is started: from a subdirectory without a go.mod of its own it still runs `go test ./...`
// at the root on the proposal, and accepts the fix because the tests pass.
func TestExecFromASubdirectoryTestsAndAcceptsAtTheRoot(t *testing.T) {
	dir := goRepo(t)
	sub := filepath.Join(dir, "docs", "guide")
	gittest.WriteFile(t, filepath.Join(sub, "README.md"), "# guide\n")
	srv := llmtest.NewOpenAIServer(t,
		llmtest.Turn{ToolCalls: []llmtest.ToolCall{toolCall("apply_patch", map[string]any{"patch": fixPatch})}},
		llmtest.Turn{Text: "Fix Add to return the sum"},
	)
	stdout, stderr, code, _ := runHew(t, sub, srv.URL(), "", "exec", "--json", "fix the failing test")
	if code != 0 {
		t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
	if !strings.Contains(stdout, `"type":"test_run"`) || !strings.Contains(stdout, `"command":"go test ./..."`) || !strings.Contains(stdout, `"passed":true`) {
		t.Errorf("no passing test run of the root's go test:\n%s", stdout)
	}
	if !strings.Contains(stdout, `"type":"accepted"`) {
		t.Errorf("the proposal was not accepted:\n%s", stdout)
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "calc.go")); !strings.Contains(string(b), "a + b") {
		t.Errorf("calc.go in the tree was not fixed:\n%s", b)
	}
}
