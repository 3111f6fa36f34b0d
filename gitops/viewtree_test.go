package gitops

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The tree of the working tree with changes over it is the one git writes for that working tree.
func TestWorkingTreeWithIsGitsTreeOfThoseFiles(t *testing.T) {
	dir := newRepo(t, map[string]string{"a.txt": "a\n", "sub/b.txt": "b\n", "gone.txt": "x\n"})
	writeFile(t, dir, "mine.txt", "untracked\n")
	r := open(t, dir)
	got, err := r.WorkingTreeWith(context.Background(), []Update{
		{Path: "a.txt", New: []byte("A\n")},
		{Path: "sub/new.sh", New: []byte("#!/bin/sh\n"), Mode: 0o755},
		{Path: "gone.txt", Delete: true},
	})
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, dir, "a.txt", "A\n")
	writeFile(t, dir, "sub/new.sh", "#!/bin/sh\n")
	if err := os.Chmod(filepath.Join(dir, "sub/new.sh"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(filepath.Join(dir, "gone.txt")); err != nil {
		t.Fatal(err)
	}
	git(t, dir, "add", "-A")
	if want := strings.TrimSpace(git(t, dir, "write-tree")); got != want {
		t.Errorf("WorkingTreeWith = %s, git write-tree of those files = %s", got, want)
	}
	same, err := r.WorkingTreeWith(context.Background(), nil)
	if err != nil || same != got {
		t.Errorf("the working tree written = %s (%v), want %s", same, err, got)
	}
}
