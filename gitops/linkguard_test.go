package gitops

import (
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
