package patch

import (
	"errors"
	"io/fs"
	"path"
	"strings"
	"testing"
	"time"
)

// memFS is an in-memory FS for fuzzing, where a real directory would be too slow.
type memFS struct {
	files map[string][]byte
	modes map[string]fs.FileMode
}

func newMemFS(files map[string]string) *memFS {
	m := &memFS{files: map[string][]byte{}, modes: map[string]fs.FileMode{}}
	for k, v := range files {
		m.files[k], m.modes[k] = []byte(v), 0o644
	}
	return m
}

func (m *memFS) ReadFile(name string) ([]byte, error) {
	if d, ok := m.files[name]; ok {
		return d, nil
	}
	return nil, &fs.PathError{Op: "read", Path: name, Err: fs.ErrNotExist}
}

func (m *memFS) Stat(name string) (fs.FileInfo, error) {
	if d, ok := m.files[name]; ok {
		return memInfo{name: path.Base(name), size: int64(len(d)), mode: m.modes[name]}, nil
	}
	for k := range m.files {
		if strings.HasPrefix(k, name+"/") {
			return memInfo{name: path.Base(name), mode: fs.ModeDir | 0o755}, nil
		}
	}
	return nil, &fs.PathError{Op: "stat", Path: name, Err: fs.ErrNotExist}
}

func (m *memFS) WriteFile(name string, data []byte, perm fs.FileMode) error {
	m.files[name], m.modes[name] = data, perm
	return nil
}

func (m *memFS) Remove(name string) error {
	if _, ok := m.files[name]; !ok {
		return &fs.PathError{Op: "remove", Path: name, Err: fs.ErrNotExist}
	}
	delete(m.files, name)
	return nil
}

type memInfo struct {
	name string
	size int64
	mode fs.FileMode
}

func (i memInfo) Name() string       { return i.name }
func (i memInfo) Size() int64        { return i.size }
func (i memInfo) Mode() fs.FileMode  { return i.mode }
func (i memInfo) ModTime() time.Time { return time.Time{} }
func (i memInfo) IsDir() bool        { return i.mode.IsDir() }
func (i memInfo) Sys() any           { return nil }

// fuzzTree is the tree fuzzed patches are applied to.
var fuzzTree = map[string]string{
	"a.txt":     "one\ntwo\nthree\n",
	"crlf.txt":  "x\r\ny\r\n",
	"dir/b.go":  "package b\n\nfunc B() {\n\treturn\n}\n",
	"nonl.txt":  "last",
	"quote.txt": "it’s “q”\n",
}

// checkParsed applies a parsed patch to an in-memory tree: it must not panic, a failure must be
// an *Error and leave the tree as it was.
func checkParsed(t *testing.T, text string) {
	p, err := Parse(text)
	if err != nil {
		var pe *Error
		if !errors.As(err, &pe) || pe.Kind != ErrSyntax {
			t.Fatalf("Parse error is not a syntax *Error: %#v", err)
		}
		return
	}
	if len(p.Files) == 0 {
		t.Fatal("Parse returned a patch with no files and no error")
	}
	m := newMemFS(fuzzTree)
	if _, err := Apply(m, p); err != nil {
		var pe *Error
		if !errors.As(err, &pe) {
			t.Fatalf("Apply error is not an *Error: %#v", err)
		}
		for k, v := range fuzzTree {
			if string(m.files[k]) != v {
				t.Fatalf("failed Apply changed %s", k)
			}
		}
		if len(m.files) != len(fuzzTree) {
			t.Fatalf("failed Apply added files")
		}
	}
}

func FuzzParseApplyPatch(f *testing.F) {
	for _, s := range []string{
		"*** Begin Patch\n*** Update File: a.txt\n@@\n one\n-two\n+2\n*** End Patch\n",
		"*** Begin Patch\n*** Add File: n.txt\n+x\n*** Delete File: nonl.txt\n*** End Patch",
		"*** Begin Patch\n*** Update File: dir/b.go\n*** Move to: c.go\n@@ func B() {\n-return\n+return nil\n*** End of File\n*** End Patch",
		"<<'EOF'\n*** Begin Patch\n*** Update File: quote.txt\n-it's \"q\"\n+ok\n*** End Patch\nEOF\n",
	} {
		f.Add(s)
	}
	f.Fuzz(checkParsed)
}

func FuzzParseUnified(f *testing.F) {
	for _, s := range []string{
		"--- a/a.txt\n+++ b/a.txt\n@@ -1,3 +1,3 @@\n one\n-two\n+2\n three\n",
		"diff --git a/nonl.txt b/nonl.txt\n--- a/nonl.txt\n+++ b/nonl.txt\n@@ -1 +1 @@\n-last\n\\ No newline at end of file\n+last\n",
		"diff --git a/x b/x\nnew file mode 100755\n--- /dev/null\n+++ b/x\n@@ -0,0 +1,2 @@\n+a\n+b\n",
		"diff --git a/a.txt b/d.txt\nsimilarity index 90%\nrename from a.txt\nrename to d.txt\n",
	} {
		f.Add(s)
	}
	f.Fuzz(checkParsed)
}
