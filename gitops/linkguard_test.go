package gitops

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"hew/gitops/fsguard"
)

// Accepting a file beneath a link into .git plants no hook: g -> .git, then g/hooks/pre-commit.
// A link that stays in the tree (and out of .git) still works.
func TestAcceptThroughLinkIntoGitPlantsNoHook(t *testing.T) {
	dir := newRepo(t, map[string]string{"a.txt": "a\n", "src/b.txt": "b\n"})
	for link, target := range map[string]string{"g": ".git", "h": "src/../.GIT/hooks", "s": "src"} {
		if err := os.Symlink(target, filepath.Join(dir, link)); err != nil {
			t.Fatal(err)
		}
	}
	r := open(t, dir)
	for _, p := range []string{"g/hooks/pre-commit", "h/pre-commit", "src/.Git/hooks/pre-commit"} {
		err := r.Accept([]Update{
			{Path: "a.txt", Base: []byte("a\n"), BaseExists: true, New: []byte("A\n")},
			{Path: p, New: []byte("#!/bin/sh\necho pwned\n"), Mode: 0o755},
		})
		if !errors.Is(err, fsguard.ErrUnsafe) && (err == nil || !strings.Contains(err.Error(), ".git")) {
			t.Errorf("accept %s: %v", p, err)
		}
		if _, err := os.Lstat(filepath.Join(dir, ".git", "hooks", "pre-commit")); !os.IsNotExist(err) {
			t.Fatalf("accepting %s planted a hook: %v", p, err)
		}
		if got := readFileT(t, dir, "a.txt"); got != "a\n" {
			t.Fatalf("a refused batch wrote a.txt: %q", got)
		}
	}
	if err := r.Accept([]Update{{Path: "s/c.txt", New: []byte("c\n")}}); err != nil {
		t.Fatalf("a link inside the tree: %v", err)
	}
	if got := readFileT(t, dir, "src/c.txt"); got != "c\n" {
		t.Fatalf("src/c.txt = %q", got)
	}
}

// swapInLink replaces directory dir of the tree with a symbolic link to target, keeping the
// directory's files aside (as a process racing hew, or a tree prepared after a proposal, would).
func swapInLink(t *testing.T, root, dir, target string) {
	t.Helper()
	if err := os.Rename(filepath.Join(root, dir), filepath.Join(t.TempDir(), "moved")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(target, filepath.Join(root, dir)); err != nil {
		t.Fatal(err)
	}
}

// onWrite swaps a link in when writeFiles starts, after every check the callers made.
func onWrite(t *testing.T, swap func()) {
	t.Helper()
	testHookBeforeWrite = swap
	t.Cleanup(func() { testHookBeforeWrite = nil })
}

// assertAbsent fails when a file the attack aimed at exists.
func assertAbsent(t *testing.T, p string) {
	t.Helper()
	if _, err := os.Lstat(p); !os.IsNotExist(err) {
		t.Fatalf("%s was written: %v", p, err)
	}
}

// assertRefusedLink checks that err is the clear refusal of a write through a link.
func assertRefusedLink(t *testing.T, err error, p string) {
	t.Helper()
	if !errors.Is(err, fsguard.ErrUnsafe) || !strings.Contains(err.Error(), "refusing to write "+p) || !strings.Contains(err.Error(), "symbolic link") {
		t.Fatalf("err = %v, want a refusal to write %s through a link", err, p)
	}
}

// A directory replaced by a link into .git, or out of the repository, between the proposal and
// the accept's write: the check passed, the write itself must refuse.
func TestAcceptRefusesLinkSwappedInAtWriteTime(t *testing.T) {
	outside := t.TempDir()
	for name, target := range map[string]string{"into .git": ".git", "outside": outside} {
		t.Run(name, func(t *testing.T) {
			dir := newRepo(t, map[string]string{"a.txt": "a\n", "g/hooks/README": "hooks\n"})
			os.MkdirAll(filepath.Join(outside, "hooks"), 0o755)
			onWrite(t, func() { swapInLink(t, dir, "g", target) })
			err := open(t, dir).Accept([]Update{
				{Path: "a.txt", Base: []byte("a\n"), BaseExists: true, New: []byte("A\n")},
				{Path: "g/hooks/pre-commit", New: []byte("#!/bin/sh\necho pwned\n"), Mode: 0o755},
			})
			assertRefusedLink(t, err, "g/hooks/pre-commit")
			assertAbsent(t, filepath.Join(dir, ".git", "hooks", "pre-commit"))
			assertAbsent(t, filepath.Join(outside, "hooks", "pre-commit"))
			if got := readFileT(t, dir, "a.txt"); got != "a\n" {
				t.Fatalf("a refused accept wrote a.txt: %q", got)
			}
		})
	}
}

// Restoring a checkpoint (hew undo --to-checkpoint, /rewind) whose directory has since become a
// link into .git or out of the repository writes nothing, there or anywhere.
func TestRestoreCheckpointRefusesDirectoryReplacedByLink(t *testing.T) {
	outside := t.TempDir()
	hook := "#!/bin/sh\necho pwned\n"
	for name, target := range map[string]string{"into .git": ".git/hooks", "outside": outside} {
		t.Run(name, func(t *testing.T) {
			dir := newRepo(t, map[string]string{"a.txt": "a\n", "hooks/pre-commit": hook})
			r := open(t, dir)
			ctx := context.Background()
			id, err := r.Checkpoint(ctx, "before")
			if err != nil {
				t.Fatal(err)
			}
			writeFile(t, dir, "a.txt", "edited\n")
			swapInLink(t, dir, "hooks", target)
			err = r.RestoreCheckpoint(ctx, id)
			assertRefusedLink(t, err, "hooks/pre-commit")
			assertAbsent(t, filepath.Join(dir, ".git", "hooks", "pre-commit"))
			assertAbsent(t, filepath.Join(outside, "pre-commit"))
			if got := readFileT(t, dir, "a.txt"); got != "edited\n" {
				t.Fatalf("a refused restore wrote a.txt: %q", got)
			}
			if got, err := os.Readlink(filepath.Join(dir, "hooks")); err != nil || got != target {
				t.Fatalf("the link was changed: %q %v", got, err)
			}
		})
	}
}

// The same when the link is swapped in while the restore runs, after its snapshot.
func TestRestoreCheckpointRefusesLinkSwappedInAtWriteTime(t *testing.T) {
	dir := newRepo(t, map[string]string{"a.txt": "a\n", "d/hooks/pre-commit": "#!/bin/sh\necho v1\n"})
	r := open(t, dir)
	ctx := context.Background()
	id, err := r.Checkpoint(ctx, "before")
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, dir, "d/hooks/pre-commit", "#!/bin/sh\necho v2\n")
	onWrite(t, func() { swapInLink(t, dir, "d", ".git") })
	assertRefusedLink(t, r.RestoreCheckpoint(ctx, id), "d/hooks/pre-commit")
	assertAbsent(t, filepath.Join(dir, ".git", "hooks", "pre-commit"))
}

// A committed symbolic link is restored as a link, never followed, even one that points into .git.
func TestRestoreCheckpointKeepsLinksAsLinks(t *testing.T) {
	dir := newRepo(t, map[string]string{"a.txt": "a\n"})
	lnk := filepath.Join(dir, "lnk")
	if err := os.Symlink(".git/hooks/pre-commit", lnk); err != nil {
		t.Fatal(err)
	}
	r := open(t, dir)
	ctx := context.Background()
	id, err := r.Checkpoint(ctx, "with link")
	if err != nil {
		t.Fatal(err)
	}
	os.Remove(lnk)
	writeFile(t, dir, "lnk", "#!/bin/sh\necho pwned\n")
	if err := r.RestoreCheckpoint(ctx, id); err != nil {
		t.Fatal(err)
	}
	if got, err := os.Readlink(lnk); err != nil || got != ".git/hooks/pre-commit" {
		t.Fatalf("lnk = %q, %v; want the link back", got, err)
	}
	assertAbsent(t, filepath.Join(dir, ".git", "hooks", "pre-commit"))
}

// Undo writes the parent's content back; a link swapped in for the file's directory at that
// moment makes it write nothing and leave the branch where it is.
func TestUndoRefusesLinkSwappedInAtWriteTime(t *testing.T) {
	dir := newRepo(t, map[string]string{"d/hooks/pre-commit": "#!/bin/sh\necho v1\n"})
	r := open(t, dir)
	ctx := context.Background()
	u := Update{Path: "d/hooks/pre-commit", Base: []byte("#!/bin/sh\necho v1\n"), BaseExists: true, New: []byte("#!/bin/sh\necho v2\n")}
	if err := r.Accept([]Update{u}); err != nil {
		t.Fatal(err)
	}
	hash, err := r.Commit(ctx, CommitOptions{Updates: []Update{u}, Message: "v2"})
	if err != nil {
		t.Fatal(err)
	}
	onWrite(t, func() { swapInLink(t, dir, "d", ".git") })
	_, err = r.Undo(ctx)
	assertRefusedLink(t, err, "d/hooks/pre-commit")
	assertAbsent(t, filepath.Join(dir, ".git", "hooks", "pre-commit"))
	if got := strings.TrimSpace(git(t, dir, "rev-parse", "HEAD")); got != hash {
		t.Fatalf("HEAD moved to %s after a refused undo", got)
	}
}
