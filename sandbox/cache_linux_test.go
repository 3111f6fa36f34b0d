package sandbox

import (
	"bytes"
	"crypto/sha256"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
)

// snapshot records every entry under dir: type, mode, size, mtime and a hash of the content.
func snapshot(t *testing.T, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		entry := fmt.Sprintf("%v %d %d", info.Mode(), info.Size(), info.ModTime().UnixNano())
		if info.Mode().IsRegular() {
			b, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			entry += fmt.Sprintf(" %x", sha256.Sum256(b))
		}
		out[path] = entry
		return nil
	})
	if err != nil {
		t.Fatalf("snapshot %s: %v", dir, err)
	}
	return out
}

// sameSnapshot fails t, naming the differences, when before and after differ.
func sameSnapshot(t *testing.T, what string, before, after map[string]string) {
	t.Helper()
	for _, p := range slices.Sorted(maps.Keys(before)) {
		if a, ok := after[p]; !ok {
			t.Errorf("%s: %s was removed", what, p)
		} else if a != before[p] {
			t.Errorf("%s: %s changed: %s -> %s", what, p, before[p], a)
		}
	}
	for _, p := range slices.Sorted(maps.Keys(after)) {
		if _, ok := before[p]; !ok {
			t.Errorf("%s: %s was added", what, p)
		}
	}
}

// ageTree sets the mtime of everything under dir to two hours ago, old enough that the go
// command refreshes the mtime of each cache entry it uses.
func ageTree(t *testing.T, dir string) {
	t.Helper()
	old := time.Now().Add(-2 * time.Hour)
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		return os.Chtimes(path, old, old)
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestReadThroughCaches runs commands that read, overwrite, append to, touch and delete entries
// of the user's Go caches through GOCACHE and GOMODCACHE, and write the user's cache directly:
// with a mount namespace they see the user's entries and their writes land in the scratch
// caches; on every backend the user's caches stay byte for byte and mtime for mtime the same.
func TestReadThroughCaches(t *testing.T) {
	eachBackend(t, func(t *testing.T, s *Sandbox) {
		f := newFixture(t)
		userCache, userMods := t.TempDir(), t.TempDir()
		for path, content := range map[string]string{
			userCache + "/00/aaa-a":                  "user entry\n",
			userCache + "/01/bbb-d":                  "user output\n",
			userMods + "/cache/download/x/y/@v/list": "v1.0.0\n",
		} {
			os.MkdirAll(filepath.Dir(path), 0o755)
			write(t, path, content)
		}
		ageTree(t, userCache)
		ageTree(t, userMods)
		write(t, f.ws+"/go.mod", "module m\n") // caches are read through for Go workspaces
		beforeCache, beforeMods := snapshot(t, userCache), snapshot(t, userMods)
		spec := f.spec(`cat "$GOCACHE/00/aaa-a" "$GOMODCACHE/cache/download/x/y/@v/list" || exit 1
mkdir -p "$GOCACHE/02" && echo new > "$GOCACHE/02/new-a" && echo poison >> "$GOCACHE/00/aaa-a" &&
touch "$GOCACHE/01/bbb-d" && rm "$GOCACHE/01/bbb-d" && echo m > "$GOMODCACHE/cache/download/x/y/@v/list" || exit 2
cat "$GOCACHE/00/aaa-a"`)
		spec.Env = append(spec.Env, "GOCACHE="+userCache, "GOMODCACHE="+userMods)
		res := run(t, s, spec)
		if s.Report().ReadThrough {
			if res.ExitCode != 0 || res.Output != "user entry\nv1.0.0\nuser entry\npoison\n" {
				t.Errorf("read-through: exit %d, output %q", res.ExitCode, res.Output)
			}
			// Nothing the first command wrote to the caches reaches the next one.
			next := f.spec(`cat "$GOCACHE/00/aaa-a"; ls "$GOCACHE/02" 2>&1`)
			next.Env = spec.Env
			if res := run(t, s, next); !strings.HasPrefix(res.Output, "user entry\n") || strings.Contains(res.Output, "poison") || strings.Contains(res.Output, "new-a") {
				t.Errorf("a cache write persisted into the next command: %q", res.Output)
			}
		} else if res.ExitCode != 1 || strings.Contains(res.Output, "user entry") {
			t.Errorf("%s has no read-through, yet the command saw the user's cache: exit %d, output %q", s.Backend(), res.ExitCode, res.Output)
		}
		for _, cmd := range []string{"echo x > " + userCache + "/direct", "echo x >> " + userCache + "/00/aaa-a", "rm " + userCache + "/01/bbb-d", "echo x > " + userMods + "/direct"} {
			if res := run(t, s, f.spec(cmd)); res.ExitCode == 0 {
				t.Errorf("direct write to the user's cache succeeded: %s", cmd)
			}
		}
		sameSnapshot(t, "user build cache", beforeCache, snapshot(t, userCache))
		sameSnapshot(t, "user module cache", beforeMods, snapshot(t, userMods))
	})
}

// TestReadThroughGoBuild builds a module in the sandbox with a cold scratch cache over a warm
// user cache: nothing is compiled, and the user's cache keeps its file list and mtimes.
func TestReadThroughGoBuild(t *testing.T) {
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command:", err)
	}
	eachBackend(t, func(t *testing.T, s *Sandbox) {
		if !s.Report().ReadThrough {
			t.Skipf("%s does not read through: %s", s.Backend(), s.Report().ReadThroughDetail)
		}
		f := newFixture(t)
		write(t, f.ws+"/go.mod", "module trivial\n\ngo 1.21\n")
		write(t, f.ws+"/main.go", "package main\n\nfunc main() {}\n")
		userCache := warmCacheFor(t, goBin, f.ws)
		ageTree(t, userCache)
		before := snapshot(t, userCache)
		spec := f.spec("go build -x -buildvcs=false -o /dev/null .")
		spec.Env = append(spec.Env, "GOCACHE="+userCache)
		spec.Timeout = time.Minute
		res := run(t, s, spec)
		if res.ExitCode != 0 {
			t.Fatalf("go build: exit %d\n%s", res.ExitCode, res.Output)
		}
		if strings.Contains(res.Output, "/compile ") {
			t.Errorf("the sandboxed build compiled packages the user's cache holds:\n%s", res.Output)
		}
		sameSnapshot(t, "user build cache", before, snapshot(t, userCache))
	})
}

// cacheHash is a hash the go command prints with GODEBUG=gocachehash=1.
var cacheHash = regexp.MustCompile(`[0-9a-f]{64}`)

// warmCacheFor returns a new build cache holding just the entries building dir needs, copied from
// this user's cache after a build there (which fills it if it was cold).
func warmCacheFor(t *testing.T, goBin, dir string) string {
	t.Helper()
	real, err := exec.Command(goBin, "env", "GOCACHE").Output()
	if err != nil {
		t.Skip("go env GOCACHE:", err)
	}
	src := strings.TrimSpace(string(real))
	cmd := exec.Command(goBin, "build", "-buildvcs=false", "-o", os.DevNull, ".")
	cmd.Dir, cmd.Env = dir, append(os.Environ(), "GODEBUG=gocachehash=1", "GOCACHE="+src, "GOFLAGS=-modcacherw")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("build outside the sandbox: %v\n%s", err, out)
	}
	dst := t.TempDir()
	copyEntry := func(name string) ([]byte, bool) {
		b, err := os.ReadFile(filepath.Join(src, name[:2], name))
		if err != nil {
			return nil, false
		}
		os.MkdirAll(filepath.Join(dst, name[:2]), 0o755)
		write(t, filepath.Join(dst, name[:2], name), string(b))
		return b, true
	}
	for _, h := range slices.Compact(slices.Sorted(slices.Values(cacheHash.FindAllString(string(out), -1)))) {
		// An action entry, "v1 <action> <output> <size> <time>", names its output entry.
		if b, ok := copyEntry(h + "-a"); ok {
			if fields := bytes.Fields(b); len(fields) > 2 {
				copyEntry(string(fields[2]) + "-d")
			}
		}
	}
	return dst
}
