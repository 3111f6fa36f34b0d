package proposal

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"hew/gitops/fsguard"
	"hew/gitops/gittest"
)

// guarded makes a real repository with links of every kind and a secret outside it.
func guarded(t *testing.T) (l *Layer, root, secret string) {
	t.Helper()
	home := t.TempDir()
	secret = filepath.Join(home, ".aws", "credentials")
	if err := os.MkdirAll(filepath.Dir(secret), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(secret, []byte("aws_secret_access_key=SECRETAWS123\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	root = gittest.NewRepo(t, map[string]string{"src/a.go": "package a\n", "README": "hi\n"})
	for link, target := range map[string]string{
		"g": ".git", "awsdir": filepath.Dir(secret), "creds": secret, "cfg": ".git/config",
		"up": "..", "srclnk": "src", "alnk": "src/a.go",
	} {
		if err := os.Symlink(target, filepath.Join(root, link)); err != nil {
			t.Fatal(err)
		}
	}
	l, err := Open(root, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	return l, root, secret
}

func TestReadsStayInsideTheRepository(t *testing.T) {
	l, _, _ := guarded(t)
	for _, p := range []string{"awsdir/credentials", "creds", "cfg", "g/config", ".GIT/config", "src/../.git/HEAD", "up/" + "x"} {
		b, err := l.ReadFile(p)
		if err == nil || strings.Contains(string(b), "SECRET") || strings.Contains(string(b), "[core]") {
			t.Errorf("ReadFile(%q) = %q, %v", p, b, err)
		}
	}
	if ents, err := l.ReadDir("awsdir"); err == nil {
		t.Errorf("ReadDir through a link out of the tree listed %v", ents)
	}
	if ents, err := l.ReadDir("g"); err == nil {
		t.Errorf("ReadDir through a link into .git listed %v", ents)
	}
	// Links that stay inside work.
	for p, want := range map[string]string{"srclnk/a.go": "package a\n", "alnk": "package a\n"} {
		if b, err := l.ReadFile(p); err != nil || string(b) != want {
			t.Errorf("ReadFile(%q) = %q, %v", p, b, err)
		}
	}
	if ents, err := l.ReadDir("srclnk"); err != nil || len(ents) != 1 {
		t.Errorf("ReadDir(srclnk) = %v, %v", ents, err)
	}
}

func TestWritesNeverLandInGit(t *testing.T) {
	l, root, _ := guarded(t)
	for _, p := range []string{"g/hooks/pre-commit", ".git/hooks/pre-commit", ".Git/hooks/pre-commit", "src/.git/x", "up/x"} {
		err := l.WriteFile(p, []byte("#!/bin/sh\necho pwned\n"), 0o755)
		if err == nil {
			t.Errorf("WriteFile(%q) succeeded", p)
		}
	}
	if _, err := os.Lstat(filepath.Join(root, ".git", "hooks", "pre-commit")); !os.IsNotExist(err) {
		t.Fatalf("a hook was planted: %v", err)
	}
	if got := summary(t, l); len(got) != 0 {
		t.Fatalf("refused writes reached the change set: %v", got)
	}
	// Through a link inside the tree the write lands where the shell would put it.
	if err := l.WriteFile("srclnk/b.go", []byte("package a\n"), 0); err != nil {
		t.Fatal(err)
	}
	if got := summary(t, l); len(got) != 1 || got[0] != "A src/b.go" {
		t.Fatalf("changes = %v", got)
	}
}

// A command (through overlayfs) can replace the link g -> .git with a directory; the working
// tree's .git must not show through it, and accepting it is flagged unsafe.
func TestDirectoryOverALinkHidesTheLinksTarget(t *testing.T) {
	l, _, _ := guarded(t)
	if err := os.MkdirAll(filepath.Join(l.Upper(), "g", "hooks"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(l.Upper(), "g", "hooks", "pre-commit"), []byte("x"), 0o755); err != nil {
		t.Fatal(err)
	}
	if _, err := l.ReadFile("g/config"); err == nil {
		t.Error("the working tree's .git/config showed through a directory over g -> .git")
	}
	if ents, err := l.ReadDir("g"); err != nil || len(ents) != 1 || ents[0].Name() != "hooks" {
		t.Errorf("ReadDir(g) over g -> .git = %v, %v; want only the proposal's hooks", ents, err)
	}
	if ents, err := l.ReadDir("g/hooks"); err != nil || len(ents) != 1 {
		t.Errorf("ReadDir(g/hooks) = %v, %v; want only the proposal's pre-commit", ents, err)
	}
	l.WalkDir(".", false, func(name string, d fs.DirEntry) error {
		if name == "g/HEAD" || name == "g/config" || strings.HasPrefix(name, "g/hooks/") && name != "g/hooks/pre-commit" {
			t.Errorf("the walk went into .git through g: %s", name)
		}
		return nil
	})
	if err := l.Sync(); err != nil {
		t.Fatal(err)
	}
	cs, err := l.Changes()
	if err != nil {
		t.Fatal(err)
	}
	if len(cs) != 1 || cs[0].Path != "g/hooks/pre-commit" || !strings.Contains(cs[0].Unsafe, ".git") {
		t.Fatalf("changes = %+v", cs)
	}
}

func TestNewLinksOutOfTheTreeAreFlagged(t *testing.T) {
	l, _, secret := guarded(t)
	for name, target := range map[string]string{"out": secret, "hooks": ".git/hooks", "climb": "../../x", "ok": "src/a.go", "dangling": "src/nope"} {
		if err := os.Symlink(target, filepath.Join(l.Upper(), name)); err != nil {
			t.Fatal(err)
		}
	}
	cs, err := l.Changes()
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, c := range cs {
		got[c.Path] = c.Unsafe
	}
	for _, bad := range []string{"out", "hooks", "climb"} {
		if got[bad] == "" {
			t.Errorf("%s: not flagged (%v)", bad, got)
		}
	}
	for _, good := range []string{"ok", "dangling"} {
		if v, ok := got[good]; !ok || v != "" {
			t.Errorf("%s: %q, %v", good, v, ok)
		}
	}
}

// A FIFO in the proposal or the tree is refused at once: reading it, listing the changes and
// writing over it never block.
func TestFIFOsNeverBlock(t *testing.T) {
	l, root, _ := guarded(t)
	if err := syscall.Mkfifo(filepath.Join(root, "src", "lowerpipe"), 0o644); err != nil {
		t.Skipf("mkfifo: %v", err)
	}
	if err := syscall.Mkfifo(filepath.Join(l.Upper(), "upperpipe"), 0o644); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() {
		var errs []error
		for _, p := range []string{"src/lowerpipe", "upperpipe"} {
			if _, err := l.ReadFile(p); !errors.Is(err, fsguard.ErrNotRegular) {
				errs = append(errs, errors.New(p+": not refused as a FIFO"))
			}
		}
		if err := l.Sync(); err != nil {
			errs = append(errs, err)
		}
		if cs, err := l.Changes(); err != nil || len(cs) != 0 {
			errs = append(errs, errors.New("changes with a FIFO in the proposal"))
		}
		if err := l.WriteFile("src/lowerpipe", []byte("x"), 0); err != nil {
			errs = append(errs, err)
		}
		done <- errors.Join(errs...)
	}()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("a FIFO blocked the proposal layer")
	}
}
