package proposal

import (
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"hew/gitops/gittest"
)

// newTree makes a working tree with files (name → content) and a proposal layer over it.
func newTree(t *testing.T, files map[string]string) (*Layer, string) {
	t.Helper()
	root := t.TempDir()
	for name, content := range files {
		p := filepath.Join(root, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	l, err := Open(root, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	return l, root
}

func summary(t *testing.T, l *Layer) []string {
	t.Helper()
	cs, err := l.Changes()
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, c := range cs {
		out = append(out, string(c.Op)+" "+c.Path)
	}
	return out
}

func readTree(t *testing.T, root string) map[string]string {
	t.Helper()
	got := map[string]string{}
	filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			b, _ := os.ReadFile(p)
			rel, _ := filepath.Rel(root, p)
			got[filepath.ToSlash(rel)] = string(b)
		}
		return nil
	})
	return got
}

func TestWritesStayInTheProposal(t *testing.T) {
	files := map[string]string{"a.txt": "one\n", "dir/b.txt": "two\n", "dir/c.txt": "three\n", ".gitignore": "build/\n"}
	l, root := newTree(t, files)

	if err := l.WriteFile("a.txt", []byte("ONE\n"), 0); err != nil {
		t.Fatal(err)
	}
	if err := l.WriteFile("new/deep/n.txt", []byte("new\n"), 0); err != nil {
		t.Fatal(err)
	}
	if err := l.Remove("dir/b.txt"); err != nil {
		t.Fatal(err)
	}
	if err := l.WriteFile("build/out.bin", []byte("x"), 0); err != nil {
		t.Fatal(err)
	}

	if got := readTree(t, root); !reflect.DeepEqual(got, files) {
		t.Fatalf("working tree changed: %v", got)
	}
	if b, _ := l.ReadFile("a.txt"); string(b) != "ONE\n" {
		t.Errorf("merged a.txt = %q", b)
	}
	if _, err := l.ReadFile("dir/b.txt"); !os.IsNotExist(err) {
		t.Errorf("deleted file still readable: %v", err)
	}
	ents, err := l.ReadDir("dir")
	if err != nil || len(ents) != 1 || ents[0].Name() != "c.txt" {
		t.Errorf("ReadDir(dir) = %v, %v", ents, err)
	}
	want := []string{"M a.txt", "D dir/b.txt", "A new/deep/n.txt"}
	if got := summary(t, l); !reflect.DeepEqual(got, want) {
		t.Errorf("changes = %v, want %v (ignored build/ must not count)", got, want)
	}
	if b, _ := l.ReadFile("build/out.bin"); string(b) != "x" {
		t.Errorf("ignored file not readable in the merged view")
	}
}

func TestPathsOutsideTheTreeAreRefused(t *testing.T) {
	l, _ := newTree(t, map[string]string{"a": "a"})
	for _, p := range []string{"../x", "a/../../x", ".git/config", "/etc/passwd"} {
		if err := l.WriteFile(p, []byte("x"), 0); err == nil {
			t.Errorf("WriteFile(%q) succeeded", p)
		}
	}
	if err := os.Symlink("/etc/hostname", filepath.Join(l.Root(), "escape")); err != nil {
		t.Fatal(err)
	}
	if _, err := l.ReadFile("escape"); err == nil || !strings.Contains(err.Error(), "outside") {
		t.Errorf("reading a link out of the tree: %v", err)
	}
}

func TestStaleAndDrop(t *testing.T) {
	l, root := newTree(t, map[string]string{"a.txt": "one\n", "b.txt": "two\n"})
	l.WriteFile("a.txt", []byte("proposed\n"), 0)
	l.WriteFile("b.txt", []byte("proposed b\n"), 0)
	os.WriteFile(filepath.Join(root, "a.txt"), []byte("user edit\n"), 0o644)

	cs, _ := l.Changes()
	if len(cs) != 2 || !cs[0].Stale() || cs[1].Stale() {
		t.Fatalf("stale flags wrong: %+v", cs)
	}
	if string(cs[0].Base) != "one\n" || string(cs[0].Old) != "user edit\n" {
		t.Errorf("base/old = %q/%q", cs[0].Base, cs[0].Old)
	}
	if err := l.Drop("a.txt"); err != nil {
		t.Fatal(err)
	}
	if got := summary(t, l); !reflect.DeepEqual(got, []string{"M b.txt"}) {
		t.Errorf("after drop: %v", got)
	}
	// A reopened layer keeps the pending change and its base.
	l2, err := Open(root, l.dir)
	if err != nil {
		t.Fatal(err)
	}
	cs, _ = l2.Changes()
	if len(cs) != 1 || string(cs[0].Base) != "two\n" {
		t.Errorf("reopened: %+v", cs)
	}
	if err := l2.Reset(); err != nil {
		t.Fatal(err)
	}
	if got := summary(t, l2); got != nil {
		t.Errorf("after reset: %v", got)
	}
}

func TestMaterializeAndImport(t *testing.T) {
	l, root := newTree(t, map[string]string{"a.txt": "one\n", "b.txt": "two\n", "keep.txt": "k\n"})
	l.WriteFile("a.txt", []byte("proposed\n"), 0)
	dst := t.TempDir()
	if err := l.Materialize(dst); err != nil {
		t.Fatal(err)
	}
	if got := readTree(t, dst); got["a.txt"] != "proposed\n" || got["b.txt"] != "two\n" {
		t.Fatalf("materialized %v", got)
	}
	os.WriteFile(filepath.Join(dst, "gen.go"), []byte("package x\n"), 0o644)
	os.Remove(filepath.Join(dst, "b.txt"))
	if err := l.Import(dst); err != nil {
		t.Fatal(err)
	}
	want := []string{"M a.txt", "D b.txt", "A gen.go"}
	if got := summary(t, l); !reflect.DeepEqual(got, want) {
		t.Errorf("changes = %v, want %v", got, want)
	}
	if _, err := os.Stat(filepath.Join(root, "gen.go")); err == nil {
		t.Error("import wrote into the working tree")
	}
}

// TestKernelOverlayFormat mounts the upper layer with overlayfs in a user namespace, as the
// sandbox does, and checks that what commands do there reads back as the right change set.
func TestKernelOverlayFormat(t *testing.T) {
	l, root := newTree(t, map[string]string{"a.txt": "one\n", "same.txt": "same\n", "gone/x.txt": "x\n", "gone/sub/y.txt": "y\n", "re/old.txt": "old\n"})
	l.WriteFile("a.txt", []byte("from a tool\n"), 0)
	script := `set -e
mount -t overlay overlay -o lowerdir=$ROOT,upperdir=$UPPER,workdir=$WORK,userxattr $ROOT
cd $ROOT
test "$(cat a.txt)" = "from a tool"
echo made > made.txt
echo same > same.txt
rm -rf gone
rm -rf re && mkdir re && echo fresh > re/new.txt`
	cmd := exec.Command("unshare", "--user", "--map-root-user", "--mount", "sh", "-c", script)
	cmd.Env = append(os.Environ(), "ROOT="+root, "UPPER="+l.Upper(), "WORK="+l.Work())
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Skipf("overlayfs in a user namespace is not available here: %v %s", err, out)
	}
	if err := l.Sync(); err != nil {
		t.Fatal(err)
	}
	want := []string{"M a.txt", "D gone/sub/y.txt", "D gone/x.txt", "A made.txt", "A re/new.txt", "D re/old.txt"}
	if got := summary(t, l); !reflect.DeepEqual(got, want) {
		t.Errorf("changes = %v, want %v", got, want)
	}
	if _, err := l.ReadFile("re/old.txt"); err == nil {
		t.Error("re/old.txt visible after the directory was replaced")
	}
	if b, _ := os.ReadFile(filepath.Join(root, "gone/x.txt")); string(b) != "x\n" {
		t.Error("the working tree was changed")
	}
	// Dropping one deletion inside a deleted directory restores just that file.
	if err := l.Drop("gone/x.txt"); err != nil {
		t.Fatal(err)
	}
	if b, err := l.ReadFile("gone/x.txt"); err != nil || string(b) != "x\n" {
		t.Errorf("after drop: %q %v", b, err)
	}
}

// TestChangesFollowGitsIgnoreRules: the change set leaves out what git ls-files -co
// --exclude-standard would: untracked files matched by a .gitignore (a proposed one included),
// by info/exclude or by the user's excludes file, but keeps tracked files a pattern matches.
func TestChangesFollowGitsIgnoreRules(t *testing.T) {
	home := t.TempDir()
	gittest.WriteFile(t, filepath.Join(home, ".config", "git", "ignore"), "*.env\n")
	root := gittest.NewRepo(t, map[string]string{".gitignore": "gen/\n", "a.txt": "a\n"})
	gittest.WriteFile(t, filepath.Join(root, "gen", "keep.go"), "package gen\n")
	gittest.Git(t, root, "add", "-f", "gen/keep.go")
	gittest.Git(t, root, "commit", "-q", "-m", "generated, but tracked")
	gittest.WriteFile(t, filepath.Join(root, ".git", "info", "exclude"), "*.local\n")
	l, err := OpenWith(root, t.TempDir(), Options{Getenv: func(k string) string { return map[string]string{"HOME": home}[k] }})
	if err != nil {
		t.Fatal(err)
	}
	for name, content := range map[string]string{"gen/keep.go": "package gen // changed\n", "gen/new.go": "package gen\n",
		".gitignore": "gen/\n*.out\n", "x.out": "built\n", "secret.env": "TOKEN\n", "y.local": "mine\n", "a.txt": "A\n"} {
		if err := l.WriteFile(name, []byte(content), 0); err != nil {
			t.Fatal(err)
		}
	}
	want := []string{"M .gitignore", "M a.txt", "M gen/keep.go"}
	if got := summary(t, l); !reflect.DeepEqual(got, want) {
		t.Errorf("changes = %v, want %v", got, want)
	}
	if !l.Excluded("x.out", false) || l.Excluded("gen", true) || !l.Excluded("gen/new.go", false) || l.Excluded("a.txt", false) {
		t.Error("Excluded disagrees with the change set")
	}
}
