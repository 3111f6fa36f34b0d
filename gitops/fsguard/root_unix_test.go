//go:build unix

package fsguard

import (
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

// A held-open root reads regular files below it and nothing else: no link in any component,
// no FIFO, nothing over the size asked for.
func TestRootReadSmallFile(t *testing.T) {
	dir, outside := t.TempDir(), t.TempDir()
	os.MkdirAll(filepath.Join(dir, "sub"), 0o755)
	os.WriteFile(filepath.Join(dir, "sub/a.txt"), []byte("hello\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "big.txt"), make([]byte, 100), 0o644)
	os.WriteFile(filepath.Join(outside, "secret"), []byte("secret\n"), 0o644)
	os.Symlink(filepath.Join(outside, "secret"), filepath.Join(dir, "link"))
	os.Symlink(outside, filepath.Join(dir, "dirlink"))
	if err := syscall.Mkfifo(filepath.Join(dir, "fifo"), 0o644); err != nil {
		t.Fatal(err)
	}
	r, err := OpenRoot(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if data, ok, err := r.ReadSmallFile("sub/a.txt", 1<<20); err != nil || !ok || string(data) != "hello\n" {
		t.Errorf("sub/a.txt: %q, %v, %v", data, ok, err)
	}
	for _, name := range []string{"link", "dirlink/secret", "fifo"} {
		if data, ok, _ := r.ReadSmallFile(name, 1<<20); ok || len(data) > 0 {
			t.Errorf("%s was read: %q", name, data)
		}
	}
	if _, ok, err := r.ReadSmallFile("big.txt", 99); ok || err != nil {
		t.Errorf("a file over the limit: ok %v, err %v", ok, err)
	}
	if _, _, err := r.ReadSmallFile("../x", 10); err == nil {
		t.Error("a name climbing out was accepted")
	}
}

// Reading into a buffer reuses it when the file fits, grows past it when not, and never lets a
// longer file read before show through a shorter one read after.
func TestRootReadSmallFileInto(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "long"), []byte("a longer file's text\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "short"), []byte("short\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "empty"), nil, 0o644)
	r, err := OpenRoot(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	buf := make([]byte, 0, 8)
	data, ok, err := r.ReadSmallFileInto("long", 1<<20, buf)
	if err != nil || !ok || string(data) != "a longer file's text\n" {
		t.Fatalf("long into a small buffer: %q, %v, %v", data, ok, err)
	}
	buf = data[:0]
	data, ok, err = r.ReadSmallFileInto("short", 1<<20, buf)
	if err != nil || !ok || string(data) != "short\n" {
		t.Fatalf("short after long: %q, %v, %v", data, ok, err)
	}
	if &data[0] != &buf[:1][0] {
		t.Error("a file that fits was not read into the buffer")
	}
	if data, ok, err := r.ReadSmallFileInto("empty", 1<<20, buf); err != nil || !ok || len(data) != 0 {
		t.Errorf("empty file: %q, %v, %v", data, ok, err)
	}
}
