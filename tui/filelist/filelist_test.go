package filelist

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"hew/gitops/gittest"
)

// TestListIsWhatGitLists checks List against `git ls-files -co --exclude-standard` in a tree
// with nested .gitignore files, a negation, an ignored directory, a tracked file that a pattern
// matches, and an untracked file.
func TestListIsWhatGitLists(t *testing.T) {
	dir := gittest.NewRepo(t, map[string]string{
		"main.go": "package main\n", ".gitignore": "*.log\nbuild/\n!keep.log\n",
		"sub/.gitignore": "gen/\n*.tmp\n", "sub/a.go": "package sub\n",
	})
	write := func(name, body string) {
		p := filepath.Join(dir, name)
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("tracked.log", "t\n")
	gittest.Git(t, dir, "add", "-f", "tracked.log")
	for _, f := range []string{"debug.log", "keep.log", "build/out.bin", "sub/gen/x.go", "sub/x.tmp", "sub/b.go", "notes.md", "deep/er/file.txt"} {
		write(f, "x\n")
	}
	got, more, err := List(context.Background(), dir, func(string) string { return "" })
	if err != nil || more {
		t.Fatal(err, more)
	}
	want := strings.Fields(gittest.Git(t, dir, "ls-files", "-co", "--exclude-standard"))
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("List:\n%v\ngit ls-files -co --exclude-standard:\n%v", got, want)
	}
}

func TestMatchRanksNamesThenPathsThenLetters(t *testing.T) {
	files := []string{"cmd/hew/root.go", "tui/keymap/keymap.go", "README.md", "root_test.go", "docs/rootless.md", "agent/config/config.go"}
	for _, tc := range []struct {
		query string
		want  []string
	}{
		{"root", []string{"root_test.go", "docs/rootless.md", "cmd/hew/root.go"}},
		{"ROOT.go", []string{"cmd/hew/root.go"}},
		{"cmdroot", []string{"cmd/hew/root.go"}},
		{"tui/", []string{"tui/keymap/keymap.go"}},
		{"", []string{"README.md", "root_test.go"}},
		{"zzz", nil},
	} {
		got := Match(files, tc.query, max(len(tc.want), 1))
		if !slices.Equal(got, tc.want) && len(got)+len(tc.want) > 0 {
			t.Errorf("Match(%q) = %v, want %v", tc.query, got, tc.want)
		}
	}
}
