package proposal

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"syscall"
	"testing"
)

func inode(t *testing.T, p string) uint64 {
	t.Helper()
	st, err := os.Lstat(p)
	if err != nil {
		t.Fatal(err)
	}
	return st.Sys().(*syscall.Stat_t).Ino
}

// The copy commands run in is the merged view each time, is reused between commands (files
// nobody changed are not copied again), and brings back exactly what the command changed.
func TestInCopyIsIncremental(t *testing.T) {
	l, root := newTree(t, map[string]string{
		"keep.txt": "keep\n", "edit.txt": "old\n", "gone.txt": "gone\n", "sub/deep/a.txt": "a\n",
		".gitignore": "build/\n", "build/out.o": "object\n", "user.txt": "v1\n",
	})
	if err := os.Symlink("keep.txt", filepath.Join(root, "link")); err != nil {
		t.Fatal(err)
	}
	l.WriteFile("edit.txt", []byte("from a tool\n"), 0)
	var dir string
	var keepIno uint64
	err := l.InCopy(true, func(d string) error {
		dir = d
		got := readTree(t, d)
		want := map[string]string{"keep.txt": "keep\n", "edit.txt": "from a tool\n", "gone.txt": "gone\n",
			"sub/deep/a.txt": "a\n", ".gitignore": "build/\n", "build/out.o": "object\n", "user.txt": "v1\n", "link": "keep\n"}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("first copy = %v, want %v", got, want)
		}
		keepIno = inode(t, filepath.Join(d, "keep.txt"))
		// The command: a new file, an edit, a deletion, a build output.
		os.WriteFile(filepath.Join(d, "new.txt"), []byte("new\n"), 0o644)
		os.WriteFile(filepath.Join(d, "sub/deep/a.txt"), []byte("a2\n"), 0o644)
		os.Remove(filepath.Join(d, "gone.txt"))
		os.WriteFile(filepath.Join(d, "build/out.o"), []byte("object2\n"), 0o644)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := summary(t, l), []string{"M edit.txt", "D gone.txt", "A new.txt", "M sub/deep/a.txt"}; !reflect.DeepEqual(got, want) {
		t.Errorf("changes = %v, want %v", got, want)
	}
	if b, _ := l.ReadFile("build/out.o"); string(b) != "object2\n" {
		t.Errorf("ignored build output in the proposal = %q", b)
	}
	if b, _ := os.ReadFile(filepath.Join(root, "gone.txt")); string(b) != "gone\n" {
		t.Error("the working tree changed")
	}
	// The user edits a file between commands; a tool edits another.
	os.WriteFile(filepath.Join(root, "user.txt"), []byte("v2, longer\n"), 0o644)
	l.WriteFile("keep2.txt", []byte("tool\n"), 0)
	err = l.InCopy(false, func(d string) error {
		if d != dir {
			t.Errorf("the copy moved from %s to %s", dir, d)
		}
		if inode(t, filepath.Join(d, "keep.txt")) != keepIno {
			t.Error("an unchanged file was copied again")
		}
		got := readTree(t, d)
		for name, want := range map[string]string{"user.txt": "v2, longer\n", "keep2.txt": "tool\n", "new.txt": "new\n", "build/out.o": "object2\n"} {
			if got[name] != want {
				t.Errorf("second copy's %s = %q, want %q", name, got[name], want)
			}
		}
		if _, ok := got["gone.txt"]; ok {
			t.Error("a deleted file came back")
		}
		// Not kept: discarded, and put back by the next refresh.
		os.WriteFile(filepath.Join(d, "keep.txt"), []byte("scribble\n"), 0o644)
		os.RemoveAll(filepath.Join(d, "sub"))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := summary(t, l), []string{"M edit.txt", "D gone.txt", "A keep2.txt", "A new.txt", "M sub/deep/a.txt"}; !reflect.DeepEqual(got, want) {
		t.Errorf("changes after a command whose writes are discarded = %v, want %v", got, want)
	}
	l.InCopy(false, func(d string) error {
		got := readTree(t, d)
		if got["keep.txt"] != "keep\n" || got["sub/deep/a.txt"] != "a2\n" {
			t.Errorf("discarded writes were not undone: keep.txt %q, sub/deep/a.txt %q", got["keep.txt"], got["sub/deep/a.txt"])
		}
		return nil
	})
	if err := l.DropCopy(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Errorf("DropCopy left %s: %v", dir, err)
	}
}

// A command can leave links in the copy where directories were; bringing the copy up to date
// never writes through them.
func TestInCopyNeverFollowsLinksItLeft(t *testing.T) {
	l, root := newTree(t, map[string]string{"sub/a.txt": "a\n", "sub/b.txt": "b\n", "top.txt": "t\n"})
	outside := t.TempDir()
	err := l.InCopy(false, func(d string) error {
		os.RemoveAll(filepath.Join(d, "sub"))
		os.Symlink(outside, filepath.Join(d, "sub"))
		os.Remove(filepath.Join(d, "top.txt"))
		os.Symlink(filepath.Join(outside, "top.txt"), filepath.Join(d, "top.txt"))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(root, "sub/a.txt"), []byte("a2\n"), 0o644)
	os.WriteFile(filepath.Join(root, "top.txt"), []byte("t2\n"), 0o644)
	err = l.InCopy(false, func(d string) error {
		got := readTree(t, d)
		if want := map[string]string{"sub/a.txt": "a2\n", "sub/b.txt": "b\n", "top.txt": "t2\n"}; !reflect.DeepEqual(got, want) {
			t.Errorf("copy = %v, want %v", got, want)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if ents, _ := os.ReadDir(outside); len(ents) != 0 {
		t.Errorf("the refresh wrote through a link the command left: %v", ents)
	}
}

// Changes anywhere in the tree, by the user between commands or by a command, reach the copy
// and the proposal: deep edits, new and deleted directories, directories a command made.
func TestInCopyFollowsDeepChanges(t *testing.T) {
	l, root := newTree(t, map[string]string{"a/b/c/d.txt": "d\n", "a/b/e.txt": "e\n", "x/y/z.txt": "z\n", "top.txt": "t\n"})
	check := func(want map[string]string, act func(d string)) {
		t.Helper()
		err := l.InCopy(true, func(d string) error {
			if got := readTree(t, d); !reflect.DeepEqual(got, want) {
				t.Errorf("copy = %v, want %v", got, want)
			}
			if act != nil {
				act(d)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	check(map[string]string{"a/b/c/d.txt": "d\n", "a/b/e.txt": "e\n", "x/y/z.txt": "z\n", "top.txt": "t\n"}, func(d string) {
		os.WriteFile(filepath.Join(d, "a/b/c/d.txt"), []byte("d by command\n"), 0o644)
		os.MkdirAll(filepath.Join(d, "new/deep/er"), 0o755)
		os.WriteFile(filepath.Join(d, "new/deep/er/f.txt"), []byte("f\n"), 0o644)
		os.RemoveAll(filepath.Join(d, "x"))
	})
	if got, want := summary(t, l), []string{"M a/b/c/d.txt", "A new/deep/er/f.txt", "D x/y/z.txt"}; !reflect.DeepEqual(got, want) {
		t.Errorf("changes = %v, want %v", got, want)
	}
	// The user, between commands: a deep edit, a new directory, a deleted one.
	os.WriteFile(filepath.Join(root, "a/b/e.txt"), []byte("e by user\n"), 0o644)
	os.MkdirAll(filepath.Join(root, "u/v"), 0o755)
	os.WriteFile(filepath.Join(root, "u/v/w.txt"), []byte("w\n"), 0o644)
	os.RemoveAll(filepath.Join(root, "a/b/c"))
	l.Drop("a/b/c/d.txt")
	check(map[string]string{"a/b/e.txt": "e by user\n", "new/deep/er/f.txt": "f\n", "top.txt": "t\n", "u/v/w.txt": "w\n"}, nil)
	// A tool edit in a directory the copy already has; a command makes a nested repository,
	// whose .git stays out of the proposal.
	l.WriteFile("u/v/w.txt", []byte("w by tool\n"), 0)
	check(map[string]string{"a/b/e.txt": "e by user\n", "new/deep/er/f.txt": "f\n", "top.txt": "t\n", "u/v/w.txt": "w by tool\n"}, func(d string) {
		os.MkdirAll(filepath.Join(d, "u/nested/.git"), 0o755)
		os.WriteFile(filepath.Join(d, "u/nested/.git/HEAD"), []byte("ref\n"), 0o644)
	})
	if got, want := summary(t, l), []string{"A new/deep/er/f.txt", "M u/v/w.txt", "D x/y/z.txt"}; !reflect.DeepEqual(got, want) {
		t.Errorf("changes after a nested repository = %v, want %v", got, want)
	}
	// Where inotify gives out (a watch limit reached), everything is read again; the nested
	// repository, which the proposal does not have, is gone from the copy.
	l.copy.src.broken, l.copy.dst.broken = true, true
	os.WriteFile(filepath.Join(root, "top.txt"), []byte("t2\n"), 0o644)
	check(map[string]string{"a/b/e.txt": "e by user\n", "new/deep/er/f.txt": "f\n", "top.txt": "t2\n", "u/v/w.txt": "w by tool\n"}, func(d string) {
		os.WriteFile(filepath.Join(d, "a/b/e.txt"), []byte("e by command\n"), 0o644)
	})
	if b, _ := l.ReadFile("a/b/e.txt"); string(b) != "e by command\n" {
		t.Errorf("a/b/e.txt in the proposal = %q", b)
	}
}

// A copy made anew keeps each file's mode, and a refresh puts a file back where a command left
// a directory in its place.
func TestInCopyModesAndWhatStandsInTheWay(t *testing.T) {
	l, root := newTree(t, map[string]string{"run.sh": "#!/bin/sh\n", "data.txt": "data\n", "d/x.txt": "x\n"})
	os.Chmod(filepath.Join(root, "run.sh"), 0o755)
	err := l.InCopy(false, func(d string) error {
		for name, want := range map[string]os.FileMode{"run.sh": 0o755, "data.txt": 0o644, "d/x.txt": 0o644} {
			if st, err := os.Stat(filepath.Join(d, name)); err != nil || st.Mode().Perm() != want {
				t.Errorf("%s in a new copy: %v, %v; want mode %v", name, st.Mode(), err, want)
			}
		}
		os.Remove(filepath.Join(d, "data.txt"))
		os.MkdirAll(filepath.Join(d, "data.txt", "inner"), 0o755)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	l.InCopy(false, func(d string) error {
		if b, err := os.ReadFile(filepath.Join(d, "data.txt")); err != nil || string(b) != "data\n" {
			t.Errorf("data.txt after a command made it a directory: %q, %v", b, err)
		}
		return nil
	})
}

// A copy whose making was stopped (the session ended the warm-up) is made anew, whole, by the
// next command.
func TestInCopyAfterAStoppedPrepare(t *testing.T) {
	l, _ := newTree(t, map[string]string{"a.txt": "a\n", "sub/b.txt": "b\n"})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := l.PrepareCopy(ctx); !errors.Is(err, context.Canceled) {
		t.Fatalf("PrepareCopy with an ended context = %v, want context.Canceled", err)
	}
	err := l.InCopy(false, func(d string) error {
		if got, want := readTree(t, d), map[string]string{"a.txt": "a\n", "sub/b.txt": "b\n"}; !reflect.DeepEqual(got, want) {
			t.Errorf("copy after a stopped prepare = %v, want %v", got, want)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
