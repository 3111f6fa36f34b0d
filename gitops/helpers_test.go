package gitops

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"hew/gitops/gittest"
)

// TestMain isolates the git CLI the tests run from the user's configuration.
func TestMain(m *testing.M) {
	home, err := os.MkdirTemp("", "gitops-home")
	if err != nil {
		panic(err)
	}
	os.Setenv("HOME", home)
	os.Setenv("XDG_CONFIG_HOME", filepath.Join(home, ".config"))
	os.Setenv("GIT_CONFIG_NOSYSTEM", "1")
	for _, v := range []string{"GIT_AUTHOR_NAME", "GIT_AUTHOR_EMAIL", "GIT_COMMITTER_NAME", "GIT_COMMITTER_EMAIL", "GIT_DIR", "GIT_INDEX_FILE", "GIT_WORK_TREE"} {
		os.Unsetenv(v)
	}
	code := m.Run()
	os.RemoveAll(home)
	os.Exit(code)
}

// git runs the git CLI in dir and returns its output; the test fails if git does.
func git(t testing.TB, dir string, args ...string) string {
	t.Helper()
	out, err := gitErr(dir, args...)
	if err != nil {
		t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return out
}

func gitErr(dir string, args ...string) (string, error) {
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// newRepo makes a repository on branch main with an identity and one commit of files.
func newRepo(t testing.TB, files map[string]string) string {
	t.Helper()
	return gittest.NewRepo(t, files)
}

// writeFile writes content to p in dir, creating its directories.
func writeFile(t testing.TB, dir, p, content string) {
	t.Helper()
	gittest.WriteFile(t, filepath.Join(dir, p), content)
}

func readFileT(t testing.TB, dir, p string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, p))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func open(t testing.TB, dir string) *Repo {
	t.Helper()
	r, err := OpenWith(dir, Options{Now: fixedClock()})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// fixedClock returns a clock that advances one second per call, so commits are ordered.
func fixedClock() func() time.Time {
	t := time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)
	return func() time.Time {
		t = t.Add(time.Second)
		return t
	}
}

// numbered is n lines "line 1".."line n".
func numbered(n int) string {
	var sb strings.Builder
	for i := 1; i <= n; i++ {
		fmt.Fprintf(&sb, "line %d\n", i)
	}
	return sb.String()
}

// replaceLine returns text with 1-based line n replaced.
func replaceLine(text string, n int, with string) string {
	lines := strings.SplitAfter(text, "\n")
	lines[n-1] = with + "\n"
	return strings.Join(lines, "")
}
