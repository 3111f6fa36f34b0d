package patch

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// file is a file in a test tree: content and permission (0 means 0644).
type file struct {
	data string
	perm fs.FileMode
}

// writeTree creates files under dir.
func writeTree(t testing.TB, dir string, files map[string]file) {
	t.Helper()
	for name, f := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		perm := f.perm
		if perm == 0 {
			perm = 0o644
		}
		if err := os.WriteFile(p, []byte(f.data), perm); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(p, perm); err != nil {
			t.Fatal(err)
		}
	}
}

// readTree returns every regular file under dir.
func readTree(t *testing.T, dir string) map[string]file {
	t.Helper()
	out := map[string]file{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		if d.Name() == ".git" {
			return filepath.SkipDir
		}
		rel, _ := filepath.Rel(dir, p)
		if strings.HasPrefix(filepath.ToSlash(rel), ".git/") {
			return nil
		}
		fi, err := os.Lstat(p)
		if err != nil {
			return err
		}
		if !fi.Mode().IsRegular() {
			return nil
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		out[filepath.ToSlash(rel)] = file{data: string(data), perm: fi.Mode().Perm()}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// normalize fills in default permissions so trees compare equal.
func normalize(files map[string]file) map[string]file {
	out := map[string]file{}
	for k, f := range files {
		if f.perm == 0 {
			f.perm = 0o644
		}
		out[k] = f
	}
	return out
}

// diffTrees reports how got differs from want, or "".
func diffTrees(want, got map[string]file) string {
	want, got = normalize(want), normalize(got)
	var b strings.Builder
	for k, w := range want {
		g, ok := got[k]
		switch {
		case !ok:
			b.WriteString("missing " + k + "\n")
		case g.data != w.data:
			b.WriteString("content of " + k + ":\n got " + quote(g.data) + "\nwant " + quote(w.data) + "\n")
		case g.perm != w.perm:
			b.WriteString("mode of " + k + ": got " + g.perm.String() + " want " + w.perm.String() + "\n")
		}
	}
	for k := range got {
		if _, ok := want[k]; !ok {
			b.WriteString("extra " + k + "\n")
		}
	}
	return b.String()
}

func quote(s string) string { return strings.ReplaceAll(strings.ReplaceAll(s, "\r", `\r`), "\n", `\n`) }

// applyText parses and applies a patch to a fresh tree and returns the result, the error and the
// tree afterwards.
func applyText(t *testing.T, files map[string]file, patchText string) (*Result, error, map[string]file) {
	t.Helper()
	dir := t.TempDir()
	writeTree(t, dir, files)
	p, err := Parse(patchText)
	if err != nil {
		return nil, err, readTree(t, dir)
	}
	res, err := Apply(DirFS(dir), p)
	return res, err, readTree(t, dir)
}

// errKind returns the kind of an *Error, or 0.
func errKind(err error) ErrorKind {
	var pe *Error
	if errors.As(err, &pe) {
		return pe.Kind
	}
	return 0
}

// failingFS wraps an FS and fails writes to one path.
type failingFS struct {
	FS
	failOn string
}

func (f *failingFS) WriteFile(name string, data []byte, perm fs.FileMode) error {
	if name == f.failOn {
		return errors.New("disk full")
	}
	return f.FS.WriteFile(name, data, perm)
}

// checkOutcome checks what an operation on the tree before did. With wantErr set there must be an
// error holding each string, of the given kind (unless 0), and the tree must be unchanged;
// otherwise the tree must be want and, unless result is "", the result must print as result.
func checkOutcome(t *testing.T, before, want map[string]file, wantErr []string, kind ErrorKind, result string,
	res *Result, err error, got map[string]file) {
	t.Helper()
	if wantErr != nil {
		if err == nil {
			t.Fatalf("succeeded, want an error containing %q; result:\n%s", wantErr, res)
		}
		for _, s := range wantErr {
			if !strings.Contains(err.Error(), s) {
				t.Errorf("error lacks %q:\n%v", s, err)
			}
		}
		if kind != 0 && errKind(err) != kind {
			t.Errorf("error kind %d, want %d", errKind(err), kind)
		}
		if d := diffTrees(before, got); d != "" {
			t.Errorf("a failed operation changed the tree:\n%s", d)
		}
		return
	}
	if err != nil {
		t.Fatalf("failed: %v", err)
	}
	if d := diffTrees(want, got); d != "" {
		t.Errorf("tree afterwards:\n%s", d)
	}
	if result != "" && res.String() != result {
		t.Errorf("result %q, want %q", res.String(), result)
	}
}
