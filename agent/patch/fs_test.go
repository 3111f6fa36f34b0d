package patch

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
)

func TestCleanPath(t *testing.T) {
	for _, tc := range []struct {
		in, want string
		bad      bool
	}{
		{in: "a/b.txt", want: "a/b.txt"},
		{in: "./a//b/../c.txt", want: "a/c.txt"},
		{in: "", bad: true},
		{in: "/abs", bad: true},
		{in: `C:\x`, bad: true},
		{in: "..", bad: true},
		{in: "a/../../b", bad: true},
		{in: ".", bad: true},
		{in: ".git", bad: true},
		{in: "x/.Git/HEAD", bad: true},
		{in: ".github/workflows/ci.yml", want: ".github/workflows/ci.yml"},
		{in: "a\x00b", bad: true},
	} {
		got, err := CleanPath(tc.in)
		if tc.bad {
			if !errors.Is(err, ErrUnsafePath) {
				t.Errorf("CleanPath(%q) = %q, %v; want ErrUnsafePath", tc.in, got, err)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("CleanPath(%q) = %q, %v; want %q", tc.in, got, err, tc.want)
		}
	}
}

func TestDirFS(t *testing.T) {
	dir := t.TempDir()
	fsys := DirFS(dir)
	if err := fsys.WriteFile("d/e/f.txt", []byte("x"), 0o750); err != nil {
		t.Fatal(err)
	}
	fi, err := fsys.Stat("d/e/f.txt")
	if err != nil || fi.Mode().Perm() != 0o750 || fi.Size() != 1 {
		t.Fatalf("Stat = %v, %v", fi, err)
	}
	entries, _ := os.ReadDir(filepath.Join(dir, "d/e"))
	if len(entries) != 1 {
		t.Fatalf("temporary files left behind: %v", entries)
	}
	if _, err := fsys.ReadFile("missing"); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("ReadFile(missing) = %v, want ErrNotExist", err)
	}
	mustSymlink(t, "d/e/f.txt", filepath.Join(dir, "link"))
	if fi, err := fsys.Stat("link"); err != nil || fi.Mode()&fs.ModeSymlink == 0 {
		t.Fatalf("Stat(link) = %v, %v; want a symlink (Lstat semantics)", fi, err)
	}
	if data, err := fsys.ReadFile("link"); err != nil || string(data) != "x" {
		t.Fatalf("ReadFile(link) = %q, %v", data, err)
	}
	mustSymlink(t, "/etc/passwd", filepath.Join(dir, "out"))
	if _, err := fsys.ReadFile("out"); !errors.Is(err, ErrUnsafePath) {
		t.Fatalf("ReadFile through an escaping link = %v, want ErrUnsafePath", err)
	}
	if err := fsys.WriteFile("../x", nil, 0o644); !errors.Is(err, ErrUnsafePath) {
		t.Fatalf("WriteFile(../x) = %v", err)
	}
	if err := fsys.Remove("d/e/f.txt"); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "d/e/f.txt")); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("file still there: %v", err)
	}
}
