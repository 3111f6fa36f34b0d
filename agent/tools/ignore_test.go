package tools

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io/fs"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"hew/agent/proposal"
	"hew/gitops/gittest"
)

// The tests in this file run list_files and search over real repositories and check them
// against the git CLI, which gets the same HOME and XDG_CONFIG_HOME as hew and no system
// configuration.

// secret is planted in every file git ignores; no tool output may show it.
const secret = "HEW-PLANTED-SECRET"

type gitHome struct{ home, xdg string }

func newGitHome(t testing.TB) *gitHome {
	home := t.TempDir()
	return &gitHome{home: home, xdg: filepath.Join(home, ".config")}
}

func (h *gitHome) env() []string {
	return []string{"HOME=" + h.home, "XDG_CONFIG_HOME=" + h.xdg, "GIT_CONFIG_NOSYSTEM=1"}
}

func (h *gitHome) getenv(key string) string {
	for _, kv := range h.env() {
		if k, v, _ := strings.Cut(kv, "="); k == key {
			return v
		}
	}
	return ""
}

// git runs the git CLI in dir with stdin; exit code 1 (check-ignore found nothing) is no failure.
func (h *gitHome) git(t testing.TB, dir, stdin string, args ...string) string {
	t.Helper()
	cmd := gittest.Command(dir, h.env(), args...)
	cmd.Stdin = strings.NewReader(stdin)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil && cmd.ProcessState.ExitCode() != 1 {
		t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, stderr.String())
	}
	return string(out)
}

// repo makes a repository with files in a fresh directory.
func (h *gitHome) repo(t *testing.T, files map[string]string) string {
	t.Helper()
	root := t.TempDir()
	h.git(t, root, "", "init", "-q", "-b", "main")
	for name, content := range files {
		gittest.WriteFile(t, filepath.Join(root, name), content)
	}
	return root
}

func (h *gitHome) env4(t testing.TB, root string) *Env {
	t.Helper()
	l, err := proposal.OpenWith(root, t.TempDir(), proposal.Options{Getenv: h.getenv})
	if err != nil {
		t.Fatal(err)
	}
	return &Env{Layer: l}
}

// ignoredFiles plants the secret in every file of the tree that git check-ignore reports
// ignored (tracked files are not) and returns them.
func (h *gitHome) ignoredFiles(t *testing.T, root string) []string {
	t.Helper()
	var all []string
	filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		switch {
		case d.Name() == ".git" && d.IsDir():
			return fs.SkipDir
		case d.Name() != ".git" && !d.IsDir():
			rel, _ := filepath.Rel(root, p)
			all = append(all, filepath.ToSlash(rel))
		}
		return nil
	})
	out := h.git(t, root, strings.Join(all, "\x00"), "check-ignore", "-z", "--stdin")
	ignored := strings.Split(strings.TrimSuffix(out, "\x00"), "\x00")
	if ignored[0] == "" {
		t.Fatal("git ignores nothing in the test tree")
	}
	for _, name := range ignored {
		gittest.WriteFile(t, filepath.Join(root, name), "token = "+secret+" in "+name+"\n")
	}
	return ignored
}

// assertToolsHideIgnored: list_files lists what git ls-files -co --exclude-standard lists, and
// neither it nor search returns an ignored path or a line of an ignored file, whether the tree,
// a directory or the file itself is asked for.
func (h *gitHome) assertToolsHideIgnored(t *testing.T, root string) {
	t.Helper()
	ignored := h.ignoredFiles(t, root)
	env := h.env4(t, root)
	want := strings.Split(strings.TrimSuffix(h.git(t, root, "", "ls-files", "-z", "-co", "--exclude-standard"), "\x00"), "\x00")
	slices.Sort(want)
	r := call(t, env, "list_files", `{"max":100000}`)
	if got := strings.Split(r.Output, "\n"); !slices.Equal(got, slices.Compact(want)) {
		t.Errorf("list_files:\n%s\ngit ls-files -co --exclude-standard:\n%s", r.Output, strings.Join(want, "\n"))
	}
	for _, name := range strings.Split(r.Output, "\n") {
		if slices.Contains(ignored, name) {
			t.Errorf("list_files returned %s, which git ignores", name)
		}
	}
	if r := call(t, env, "search", `{"pattern":"`+secret+`","max_results":100000}`); strings.Contains(r.Output, secret) {
		t.Errorf("search returned lines of ignored files:\n%s", r.Output)
	}
	for _, name := range ignored {
		arg, _ := json.Marshal(name)
		dir, _ := json.Marshal(filepath.ToSlash(filepath.Dir(name)))
		for _, c := range []struct{ tool, args string }{
			{"search", fmt.Sprintf(`{"pattern":%q,"path":%s}`, secret, arg)},
			{"search", fmt.Sprintf(`{"pattern":%q,"path":%s}`, secret, dir)},
			{"search", fmt.Sprintf(`{"pattern":"token","path":%s,"glob":"*"}`, dir)},
			{"list_files", fmt.Sprintf(`{"path":%s}`, arg)},
			{"list_files", fmt.Sprintf(`{"path":%s,"max":100000}`, dir)},
		} {
			r := call(t, env, c.tool, c.args)
			if strings.Contains(r.Output, secret) || slices.Contains(strings.Split(r.Output, "\n"), name) {
				t.Errorf("%s %s shows the ignored %s:\n%s", c.tool, c.args, name, r.Output)
			}
		}
	}
}

func TestToolsHideWhatGitIgnoresInGeneratedTrees(t *testing.T) {
	for seed := range int64(6) {
		t.Run(strconv.FormatInt(seed, 10), func(t *testing.T) {
			h := newGitHome(t)
			files := gittest.IgnoreTree(seed, 50)
			root := h.repo(t, files)
			if seed%2 == 1 { // tracked files are listed even where a pattern matches them
				var add []string
				for name := range files {
					if len(add) < 6 && !strings.HasSuffix(name, ".gitignore") {
						add = append(add, name)
					}
				}
				h.git(t, root, "", append([]string{"add", "-f", "--"}, add...)...)
			}
			h.assertToolsHideIgnored(t, root)
		})
	}
}

func TestToolsHideGloballyIgnoredFiles(t *testing.T) {
	files := map[string]string{".gitignore": "*.log\n", "main.go": "package main\n", "secret.env": "",
		"config/prod.env": "", "notes.tmp": "", "keep.env": "", "debug.log": ""}
	t.Run("core.excludesFile", func(t *testing.T) {
		h := newGitHome(t)
		gittest.WriteFile(t, filepath.Join(h.home, ".gitconfig"), "[core]\n\texcludesFile = ~/.my-ignore\n")
		gittest.WriteFile(t, filepath.Join(h.home, ".my-ignore"), "*.env\n*.tmp\n")
		root := h.repo(t, files)
		gittest.WriteFile(t, filepath.Join(root, ".git", "info", "exclude"), "!keep.env\n")
		h.assertToolsHideIgnored(t, root)
	})
	t.Run("XDG default", func(t *testing.T) {
		h := newGitHome(t)
		h.xdg = t.TempDir()
		gittest.WriteFile(t, filepath.Join(h.xdg, "git", "ignore"), "*.env\n")
		h.assertToolsHideIgnored(t, h.repo(t, files))
	})
	t.Run("HOME/.config default", func(t *testing.T) {
		h := newGitHome(t)
		h.xdg = ""
		gittest.WriteFile(t, filepath.Join(h.home, ".config", "git", "ignore"), "secret.env\nconfig/\n")
		h.assertToolsHideIgnored(t, h.repo(t, files))
	})
}

func TestToolsInALinkedWorktreeHideWhatTheCommonInfoExcludeIgnores(t *testing.T) {
	h := newGitHome(t)
	root := h.repo(t, map[string]string{"main.go": "package main\n"})
	h.git(t, root, "", "add", ".")
	h.git(t, root, "", "-c", "user.name=T", "-c", "user.email=t@example.com", "commit", "-q", "-m", "initial")
	wt := filepath.Join(t.TempDir(), "wt")
	h.git(t, root, "", "worktree", "add", "-q", "-b", "feature", wt)
	gittest.WriteFile(t, filepath.Join(root, ".git", "info", "exclude"), "secret.env\n")
	gittest.WriteFile(t, filepath.Join(wt, "secret.env"), "")
	gittest.WriteFile(t, filepath.Join(wt, "lib.go"), "package main\n")
	h.assertToolsHideIgnored(t, wt)
}
