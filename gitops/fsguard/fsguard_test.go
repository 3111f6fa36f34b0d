package fsguard

import (
	"errors"
	"net"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// tree makes a directory with a .git, a secret outside it, and links of every kind.
func tree(t *testing.T) (root, secret string) {
	t.Helper()
	base := t.TempDir()
	root = filepath.Join(base, "repo")
	out := filepath.Join(base, "home")
	for _, d := range []string{filepath.Join(root, ".git", "hooks"), filepath.Join(root, "src"), out} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	secret = filepath.Join(out, "credentials")
	must(t, os.WriteFile(secret, []byte("SECRET-BYTES"), 0o600))
	must(t, os.WriteFile(filepath.Join(root, "src", "a.go"), []byte("package a\n"), 0o644))
	links := map[string]string{
		"g":      ".git",
		"G2":     "./src/../.GIT",
		"abs":    out,
		"rel":    "../home",
		"creds":  secret,
		"srclnk": "src",
		"alnk":   "src/a.go",
		"loop":   "loop",
	}
	for name, target := range links {
		must(t, os.Symlink(target, filepath.Join(root, name)))
	}
	return root, secret
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func TestIsGitName(t *testing.T) {
	for _, n := range []string{".git", ".GIT", ".Git", "git~1", "GIT~1", ".git.", ".git ", ".g\u200cit"} {
		if !IsGitName(n) {
			t.Errorf("IsGitName(%q) = false", n)
		}
	}
	for _, n := range []string{"git", ".github", ".gitignore", "x.git", "git~2"} {
		if IsGitName(n) {
			t.Errorf("IsGitName(%q) = true", n)
		}
	}
}

func TestResolveRefusesLinksOutOfTheTreeOrIntoGit(t *testing.T) {
	root, _ := tree(t)
	for _, p := range []string{"g/hooks/pre-commit", "G2/config", "abs/credentials", "rel/credentials", "creds", ".git/config", "src/.Git/x", "../x", "/etc/passwd"} {
		if got, err := ResolveIn(root, p, true); !errors.Is(err, ErrUnsafe) {
			t.Errorf("ResolveIn(%q) = %q, %v; want ErrUnsafe", p, got, err)
		}
	}
	if _, err := ResolveIn(root, "loop/x", true); err == nil || !strings.Contains(err.Error(), "too many") {
		t.Errorf("loop: %v", err)
	}
	for p, want := range map[string]string{"srclnk/a.go": "src/a.go", "alnk": "src/a.go", "new/dir/f": "new/dir/f", "srclnk/new": "src/new"} {
		if got, err := ResolveIn(root, p, true); err != nil || got != want {
			t.Errorf("ResolveIn(%q) = %q, %v; want %q", p, got, err, want)
		}
	}
	if got, err := ResolveIn(root, "creds", false); err != nil || got != "creds" {
		t.Errorf("a final link is kept when not followed: %q, %v", got, err)
	}
}

// The attacks themselves: a write through g -> .git plants no hook, a read through a directory
// link returns no secret.
func TestWriteThroughLinkIntoGitPlantsNoHook(t *testing.T) {
	root, _ := tree(t)
	err := WriteIn(root, "g/hooks/pre-commit", []byte("#!/bin/sh\necho pwned\n"), 0o755)
	if !errors.Is(err, ErrUnsafe) {
		t.Fatalf("WriteIn through g -> .git: %v", err)
	}
	if _, err := os.Lstat(filepath.Join(root, ".git", "hooks", "pre-commit")); !os.IsNotExist(err) {
		t.Fatalf("the hook was planted: %v", err)
	}
	// Even given the resolved-looking name directly, the no-follow open refuses the link.
	if err := WriteFile(root, "srclnk/x", []byte("x"), 0o644); err == nil {
		t.Fatal("WriteFile followed a symbolic link among the directories")
	}
	if _, err := os.Lstat(filepath.Join(root, "src", "x")); !os.IsNotExist(err) {
		t.Fatal("the write went through the link")
	}
	must(t, WriteIn(root, "srclnk/b.go", []byte("package a\n"), 0o644))
	if b, err := os.ReadFile(filepath.Join(root, "src", "b.go")); err != nil || string(b) != "package a\n" {
		t.Fatalf("a link inside the tree no longer works: %q %v", b, err)
	}
	// A final link is replaced, not written through.
	must(t, WriteIn(root, "creds", []byte("mine"), 0o644))
	if fi, err := os.Lstat(filepath.Join(root, "creds")); err != nil || !fi.Mode().IsRegular() {
		t.Fatalf("creds: %v %v", fi, err)
	}
}

func TestReadThroughLinkOutOfTheTreeLeaksNothing(t *testing.T) {
	root, _ := tree(t)
	for _, p := range []string{"abs/credentials", "rel/credentials", "creds", "g/config"} {
		b, err := ReadIn(root, p)
		if err == nil || strings.Contains(string(b), "SECRET") {
			t.Errorf("ReadIn(%q) = %q, %v", p, b, err)
		}
	}
	if _, err := ReadFile(root, "abs/credentials"); err == nil {
		t.Error("ReadFile followed a directory link out of the tree")
	}
	if b, err := ReadIn(root, "srclnk/a.go"); err != nil || string(b) != "package a\n" {
		t.Errorf("link inside the tree: %q %v", b, err)
	}
}

func TestReadRefusesFIFOQuickly(t *testing.T) {
	root, _ := tree(t)
	if err := syscall.Mkfifo(filepath.Join(root, "src", "pipe"), 0o644); err != nil {
		t.Skipf("mkfifo: %v", err)
	}
	done := make(chan error, 1)
	go func() { _, err := ReadIn(root, "src/pipe"); done <- err }()
	select {
	case err := <-done:
		if !errors.Is(err, ErrNotRegular) || !strings.Contains(err.Error(), "FIFO") {
			t.Fatalf("reading a FIFO: %v", err)
		}
	case <-time.After(2 * time.Second):
		t.Fatal("reading a FIFO blocked")
	}
	if _, err := ReadFile("/", "dev/null"); !errors.Is(err, ErrNotRegular) {
		t.Fatalf("a device was read: %v", err)
	}
}

func TestReadRefusesProc(t *testing.T) {
	if _, err := os.Stat("/proc/self/environ"); err != nil {
		t.Skip("no /proc here")
	}
	t.Setenv("FSGUARD_CANARY", "canary-value")
	b, err := ReadFile("/", "proc/self/environ")
	if err == nil || strings.Contains(string(b), "canary-value") {
		t.Fatalf("read /proc/self/environ: %q %v", b, err)
	}
}

func TestReadRefusesSocket(t *testing.T) {
	root, _ := tree(t)
	l, err := net.Listen("unix", filepath.Join(root, "src", "sock"))
	if err != nil {
		t.Skipf("unix socket: %v", err)
	}
	defer l.Close()
	if _, err := ReadIn(root, "src/sock"); !errors.Is(err, ErrNotRegular) {
		t.Fatalf("reading a socket: %v", err)
	}
}

// The two-step write gitops uses (a fresh file beside the destination, then a rename) and its
// reads follow no link: through g -> .git or a link out of the tree nothing is written or read.
func TestTempRenameAndStatFollowNoLink(t *testing.T) {
	root, secret := tree(t)
	hook := filepath.Join(root, ".git", "hooks", "pre-commit")
	if _, err := WriteTemp(root, "g/hooks/pre-commit", []byte("pwned"), 0o755, true); !errors.Is(err, ErrUnsafe) {
		t.Errorf("WriteTemp through g -> .git: %v", err)
	}
	if _, err := SymlinkTemp(root, "abs/x", "y"); !errors.Is(err, ErrUnsafe) {
		t.Errorf("SymlinkTemp through a link out of the tree: %v", err)
	}
	if err := Rename(root, "src/a.go", "g/hooks/pre-commit"); !errors.Is(err, ErrUnsafe) {
		t.Errorf("Rename into g -> .git: %v", err)
	}
	if _, err := os.Lstat(hook); !os.IsNotExist(err) {
		t.Fatalf("a hook was planted: %v", err)
	}
	if ents, _ := os.ReadDir(filepath.Dir(secret)); len(ents) != 1 {
		t.Fatalf("something was written outside the tree: %v", ents)
	}
	for _, p := range []string{"srclnk/a.go", "abs/credentials", "g/config"} {
		if _, err := Lstat(root, p); !errors.Is(err, ErrUnsafe) {
			t.Errorf("Lstat(%q): %v", p, err)
		}
		if _, err := Readlink(root, p); !errors.Is(err, ErrUnsafe) {
			t.Errorf("Readlink(%q): %v", p, err)
		}
	}
	if fi, err := Lstat(root, "alnk"); err != nil || fi.Mode()&os.ModeSymlink == 0 {
		t.Errorf("Lstat(alnk) = %v, %v; want the link itself", fi, err)
	}
	if got, err := Readlink(root, "alnk"); err != nil || got != "src/a.go" {
		t.Errorf("Readlink(alnk) = %q, %v", got, err)
	}

	tmp, err := WriteTemp(root, "src/new/b.go", []byte("package b\n"), 0o640, true)
	must(t, err)
	if !strings.HasPrefix(tmp, "src/new/.hew-") {
		t.Fatalf("the temporary file %q is not beside its destination", tmp)
	}
	must(t, Rename(root, tmp, "src/new/b.go"))
	fi, err := Lstat(root, "src/new/b.go")
	if err != nil || fi.Mode() != 0o640 || fi.Size() != int64(len("package b\n")) {
		t.Fatalf("src/new/b.go: %v %v", fi, err)
	}
	tmp, err = SymlinkTemp(root, "creds", "src/a.go")
	must(t, err)
	must(t, Rename(root, tmp, "creds")) // a final link is replaced, not followed
	if got, err := os.Readlink(filepath.Join(root, "creds")); err != nil || got != "src/a.go" {
		t.Fatalf("creds -> %q, %v", got, err)
	}
	if b, err := os.ReadFile(secret); err != nil || string(b) != "SECRET-BYTES" {
		t.Fatalf("the file the link pointed at changed: %q %v", b, err)
	}
}

// A bounded read of a huge sparse file reads only what was asked for.
func TestReadAtMostReadsNoMore(t *testing.T) {
	root := t.TempDir()
	f, err := os.Create(filepath.Join(root, "big"))
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Truncate(1 << 30); err != nil {
		t.Skip(err)
	}
	f.Close()
	b, err := ReadInAtMost(root, "big", 10)
	if err != nil || len(b) != 10 {
		t.Fatalf("ReadInAtMost = %d bytes, %v; want 10", len(b), err)
	}
}
