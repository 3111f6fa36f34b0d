package patch

import (
	"errors"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"
)

func mustSymlink(t *testing.T, target, link string) {
	t.Helper()
	if err := os.Symlink(target, link); err != nil {
		t.Fatal(err)
	}
}

// A link to .git inside the repository is no way into it: the hook is not planted, by either
// patch format, whatever case the link's target is spelt in.
func TestLinkIntoGitPlantsNoHook(t *testing.T) {
	dir := t.TempDir()
	writeTree(t, dir, map[string]file{".git/hooks/README": f("x\n"), "a.txt": f("a\n")})
	mustSymlink(t, ".git", dir+"/g")
	mustSymlink(t, "./a/../.git/hooks", dir+"/h")
	fsys := DirFS(dir)
	for _, text := range []string{
		"*** Begin Patch\n*** Add File: g/hooks/pre-commit\n+#!/bin/sh\n+echo pwned\n*** End Patch\n",
		"*** Begin Patch\n*** Add File: h/pre-commit\n+#!/bin/sh\n+echo pwned\n*** End Patch\n",
		"--- /dev/null\n+++ b/g/hooks/pre-commit\n@@ -0,0 +1,2 @@\n+#!/bin/sh\n+echo pwned\n",
	} {
		p, err := Parse(text)
		if err != nil {
			t.Fatal(err)
		}
		_, err = Apply(fsys, p)
		if !errors.Is(err, ErrUnsafePath) || !strings.Contains(err.Error(), ".git") {
			t.Errorf("patch through a link into .git: %v", err)
		}
		if _, err := os.Lstat(dir + "/.git/hooks/pre-commit"); !os.IsNotExist(err) {
			t.Fatalf("the hook was planted: %v", err)
		}
	}
}

// A FIFO named by a patch is refused at once, not read (which would block for ever).
func TestPatchRefusesFIFO(t *testing.T) {
	dir := t.TempDir()
	if err := syscall.Mkfifo(dir+"/pipe", 0o644); err != nil {
		t.Skipf("mkfifo: %v", err)
	}
	p, err := Parse(update("pipe", "@@", "-a", "+b"))
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { _, err := Apply(DirFS(dir), p); done <- err }()
	select {
	case err := <-done:
		if err == nil {
			t.Fatal("a patch to a FIFO applied")
		}
	case <-time.After(3 * time.Second):
		t.Fatal("patching a FIFO blocked")
	}
}
