package gitops

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"hew/gitops/gittest"
)

// A PATH entry inside the repository (direnv's PATH_add bin, node_modules/.bin) cannot choose
// the git hew runs, nor the programs git starts (git-lfs, a signing program): the repository's
// `git` is never run, and the PATH git is given leaves the entry out.
func TestGitIsNeverTakenFromTheRepository(t *testing.T) {
	dir := gittest.NewRepo(t, map[string]string{"a.txt": "a\n"})
	bin := filepath.Join(dir, "bin")
	marker := filepath.Join(t.TempDir(), "ran")
	if err := os.MkdirAll(bin, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(bin, "git"), []byte("#!/bin/sh\ntouch "+marker+"\nexit 1\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	path := bin + string(filepath.ListSeparator) + os.Getenv("PATH")
	t.Setenv("PATH", path)
	r, err := OpenWith(dir, Options{Getenv: func(k string) string {
		if k == "PATH" {
			return path
		}
		return os.Getenv(k)
	}})
	if err != nil {
		t.Fatal(err)
	}
	if !r.hasGit() || strings.HasPrefix(r.opts.GitProgram, dir) {
		t.Fatalf("git program %q", r.opts.GitProgram)
	}
	for _, kv := range r.gitEnv() {
		if v, ok := strings.CutPrefix(kv, "PATH="); ok && strings.Contains(v, bin) {
			t.Errorf("git is given PATH=%s", v)
		}
	}
	if _, err := r.configEntries(t.Context()); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(marker); err == nil {
		t.Error("the repository's git ran")
	}
}
