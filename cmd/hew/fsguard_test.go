package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"hew/agent/llm/llmtest"
	"hew/gitops/gittest"
)

// hew patch apply plants no hook through a link to .git, in either patch format.
func TestPatchApplyPlantsNoHookThroughALink(t *testing.T) {
	dir := gittest.NewRepo(t, map[string]string{"a.txt": "a\n"})
	if err := os.Symlink(".git", filepath.Join(dir, "g")); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{
		"*** Begin Patch\n*** Add File: g/hooks/pre-commit\n+#!/bin/sh\n+echo pwned\n*** End Patch\n",
		"--- /dev/null\n+++ b/g/hooks/pre-commit\n@@ -0,0 +1,2 @@\n+#!/bin/sh\n+echo pwned\n",
	} {
		_, stderr, code := runPatchCmd(t, dir, p, "patch", "apply")
		if code == 0 || !strings.Contains(stderr, ".git") {
			t.Errorf("exit %d: %s", code, stderr)
		}
		if _, err := os.Lstat(filepath.Join(dir, ".git", "hooks", "pre-commit")); !os.IsNotExist(err) {
			t.Fatalf("the hook was planted: %v", err)
		}
	}
}

// hew exec: the model's answer reaches stdout without its terminal control sequences, and a
// read through a link out of the repository returns nothing of the target.
func TestExecAnswerIsTerminalSafeAndReadsStayInside(t *testing.T) {
	dir := gittest.NewRepo(t, map[string]string{"a.txt": "a\n"})
	outside := t.TempDir()
	if err := os.WriteFile(filepath.Join(outside, "credentials"), []byte("SECRET-OUTSIDE-42\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(outside, filepath.Join(dir, "d")); err != nil {
		t.Fatal(err)
	}
	srv := llmtest.NewOpenAIServer(t,
		llmtest.Turn{ToolCalls: []llmtest.ToolCall{{Name: "read_file", Arguments: `{"path":"d/credentials"}`}}},
		llmtest.Turn{Text: "done \x1b]52;c;cm0gLXJmIH4K\x07\x1b[2J\u009b2J here"})
	stdout, stderr, code, _ := runHew(t, dir, srv.URL(), "", "exec", "--accept", "never", "read it")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if stdout != "done  here\n" {
		t.Errorf("stdout = %q", stdout)
	}
	for _, r := range srv.Requests() {
		if strings.Contains(string(r.Body), "SECRET-OUTSIDE-42") {
			t.Fatal("the secret behind the link reached the model")
		}
	}
}

// hew exec's output (often a CI log) holds no secret hew knows of, in either form.
func TestExecOutputIsRedacted(t *testing.T) {
	const secret = "ghp_s3cr3tTokenValue0123456789"
	dir := gittest.NewRepo(t, map[string]string{"notes.txt": "token " + secret + "\n"})
	for _, json := range []bool{false, true} {
		srv := llmtest.NewOpenAIServer(t,
			llmtest.Turn{Text: "Looking.", ToolCalls: []llmtest.ToolCall{{Name: "run", Arguments: `{"command":"cat nope.txt; echo ` + secret + `; exit 3"}`}}},
			llmtest.Turn{Text: "the token is " + secret})
		env := fakeServerEnv(srv.URL())
		env["GITHUB_TOKEN"] = secret
		args := []string{"exec", "--accept", "never", "look"}
		if json {
			args = append(args[:1], append([]string{"--json"}, args[1:]...)...)
		}
		stdout, stderr, code, state := runHewEnv(t, dir, env, "", args...)
		if code != 0 {
			t.Fatalf("exit %d: %s", code, stderr)
		}
		if strings.Contains(stdout+stderr, secret) || !strings.Contains(stdout+stderr, "[redacted]") {
			t.Fatalf("json=%v: the secret reached the output:\n%s\n%s", json, stdout, stderr)
		}
		filepath.WalkDir(state, func(p string, d os.DirEntry, err error) error {
			if err == nil && strings.HasSuffix(p, ".jsonl") {
				if b, _ := os.ReadFile(p); strings.Contains(string(b), secret) {
					t.Errorf("%s holds the secret", p)
				}
			}
			return nil
		})
	}
}
