package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"hew/gitops"
	"hew/gitops/gittest"
)

// runUndoCmd runs "hew undo" with args in dir, with fake streams.
func runUndoCmd(t *testing.T, dir string, args ...string) (stdout, stderr string, code int) {
	ios, out, errOut := testIO(t, dir, nil)
	code = Main(append([]string{"undo"}, args...), ios)
	return out.String(), errOut.String(), code
}

func TestUndoCommand(t *testing.T) {
	dir := t.TempDir()
	gittest.Git(t, dir, "init", "-q", "-b", "main")
	gittest.Git(t, dir, "config", "user.name", "Test")
	gittest.Git(t, dir, "config", "user.email", "test@example.com")
	gittest.WriteFile(t, filepath.Join(dir, "a.txt"), "one\n")
	gittest.Git(t, dir, "add", "a.txt")
	gittest.Git(t, dir, "commit", "-q", "-m", "initial")
	head := strings.TrimSpace(gittest.Git(t, dir, "rev-parse", "HEAD"))

	out, errOut, code := runUndoCmd(t, dir)
	if code != exitFailed || !strings.Contains(errOut, "no commit") {
		t.Fatalf("undo with no hew commit: code %d, stderr %q", code, errOut)
	}

	repo, err := gitops.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	id, err := repo.Checkpoint(ctx, "turn 1")
	if err != nil {
		t.Fatal(err)
	}
	u := gitops.Update{Path: "a.txt", Base: []byte("one\n"), BaseExists: true, New: []byte("two\n")}
	if err := repo.Accept([]gitops.Update{u}); err != nil {
		t.Fatal(err)
	}
	hash, err := repo.Commit(ctx, gitops.CommitOptions{Updates: []gitops.Update{u}, Message: "two"})
	if err != nil {
		t.Fatal(err)
	}
	out, errOut, code = runUndoCmd(t, dir)
	if code != exitOK || !strings.Contains(out, "undid commit "+hash[:12]) || !strings.Contains(out, "restored a.txt") {
		t.Fatalf("undo: code %d, stdout %q, stderr %q", code, out, errOut)
	}
	if got := strings.TrimSpace(gittest.Git(t, dir, "rev-parse", "HEAD")); got != head {
		t.Errorf("HEAD = %s, want %s", got, head)
	}
	if gittest.Git(t, dir, "status", "--porcelain") != "" {
		t.Errorf("status after undo: %q", gittest.Git(t, dir, "status", "--porcelain"))
	}

	gittest.WriteFile(t, filepath.Join(dir, "a.txt"), "edited later\n")
	out, _, code = runUndoCmd(t, dir, "--list")
	if code != exitOK || !strings.Contains(out, id[:12]+"  ") || !strings.Contains(out, "turn 1") {
		t.Fatalf("--list: code %d, %q", code, out)
	}
	out, errOut, code = runUndoCmd(t, dir, "--to-checkpoint", id[:8])
	if code != exitOK || !strings.Contains(out, "restored the working tree") {
		t.Fatalf("--to-checkpoint: code %d, %q %q", code, out, errOut)
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "a.txt")); string(b) != "one\n" {
		t.Errorf("a.txt = %q after restoring the checkpoint", b)
	}
	if _, errOut, code = runUndoCmd(t, dir, "--to-checkpoint", "ffffffff"); code != exitFailed || !strings.Contains(errOut, "no checkpoint") {
		t.Errorf("unknown checkpoint: code %d, %q", code, errOut)
	}
	if _, _, code = runUndoCmd(t, t.TempDir()); code != exitUsage {
		t.Errorf("outside a repository: code %d, want %d", code, exitUsage)
	}
}
