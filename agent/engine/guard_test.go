package engine_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"hew/agent/engine"
	"hew/agent/engine/enginetest"
	"hew/agent/llm/llmtest"
)

func patchCall(patch string) llmtest.ToolCall {
	args := strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`).Replace(patch)
	return llmtest.ToolCall{Name: "apply_patch", Arguments: `{"patch":"` + args + `"}`}
}

// The model plants a hook through a link to .git; hew exec --accept auto writes nothing there.
func TestExecPlantsNoHookThroughALinkToGit(t *testing.T) {
	dir := testRepo(t, map[string]string{"a.txt": "a\n"})
	if err := os.Symlink(".git", filepath.Join(dir, "g")); err != nil {
		t.Fatal(err)
	}
	o := enginetest.Options(t, dir, llmtest.NewOpenAIServer(t,
		llmtest.Turn{ToolCalls: []llmtest.ToolCall{patchCall("*** Begin Patch\n*** Add File: g/hooks/pre-commit\n+#!/bin/sh\n+echo pwned\n*** End Patch\n")}},
		llmtest.Turn{Text: "done"}))
	o.Config.Accept = engine.AcceptAuto
	e, err := engine.New(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	out := e.RunTask(context.Background(), engine.Task{Prompt: "plant it"})
	if _, err := os.Lstat(filepath.Join(dir, ".git", "hooks", "pre-commit")); !os.IsNotExist(err) {
		t.Fatalf("the hook was planted (outcome %+v)", out)
	}
}

// A proposal that creates a link out of the repository is refused by hew exec, with the file
// named, and nothing is written.
func TestExecRefusesALinkOutOfTheRepository(t *testing.T) {
	dir := testRepo(t, map[string]string{"a.txt": "a\n"})
	o := enginetest.Options(t, dir, llmtest.NewOpenAIServer(t, llmtest.Turn{Text: "done"}))
	o.Config.Accept = engine.AcceptAuto
	e, err := engine.New(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	// As a command in the sandbox would leave it: a link in the proposal's upper layer.
	if err := os.Symlink("/etc/passwd", filepath.Join(e.LayerForTest().Upper(), "evil")); err != nil {
		t.Fatal(err)
	}
	if err := e.LayerForTest().WriteFile("a.txt", []byte("A\n"), 0); err != nil {
		t.Fatal(err)
	}
	out := e.RunTask(context.Background(), engine.Task{Prompt: "go"})
	if out.ExitCode != 1 || !strings.Contains(out.Reason, "evil") || !strings.Contains(out.Reason, "outside the repository") {
		t.Fatalf("outcome %+v", out)
	}
	if _, err := os.Lstat(filepath.Join(dir, "evil")); !os.IsNotExist(err) {
		t.Fatal("the link was written into the tree")
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "a.txt")); string(b) != "a\n" {
		t.Fatalf("a.txt was written: %q", b)
	}
}

// A secret in hew's environment never reaches the session file, even when the model reads it.
func TestSessionFileHoldsNoSecret(t *testing.T) {
	const secret = "wJalrXUtnFEMI-K7MDENG-bPxRfiCYEXAMPLEKEY"
	dir := testRepo(t, map[string]string{"notes.txt": "the key is " + secret + "\n"})
	o := enginetest.Options(t, dir, llmtest.NewOpenAIServer(t,
		llmtest.Turn{ToolCalls: []llmtest.ToolCall{{Name: "read_file", Arguments: `{"path":"notes.txt"}`}}},
		llmtest.Turn{Text: "It is " + secret}))
	o.Env = append(o.Env, "AWS_SECRET_ACCESS_KEY="+secret)
	e, err := engine.New(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.Send(context.Background(), "what is the key?"); err != nil {
		t.Fatal(err)
	}
	e.Close()
	var files int
	filepath.WalkDir(o.Getenv("XDG_STATE_HOME"), func(p string, d os.DirEntry, err error) error {
		if err != nil || !strings.HasSuffix(p, ".jsonl") {
			return err
		}
		files++
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(string(b), secret) || !strings.Contains(string(b), "[redacted]") {
			t.Errorf("%s holds the secret or no redaction:\n%s", p, b)
		}
		if fi, _ := os.Stat(p); fi.Mode().Perm() != 0o600 {
			t.Errorf("%s has mode %v", p, fi.Mode().Perm())
		}
		return nil
	})
	if files == 0 {
		t.Fatal("no session file written")
	}
}
