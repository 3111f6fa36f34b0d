package tools

import (
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

// layerEnv is the tools' environment over root, reading h's environment as the git CLI does.
func layerEnv(t testing.TB, h *gittest.Home, root string) *Env {
	t.Helper()
	l, err := proposal.OpenWith(root, t.TempDir(), proposal.Options{Getenv: h.Getenv})
	if err != nil {
		t.Fatal(err)
	}
	return &Env{Layer: l}
}

// ignoredFiles plants the secret in every file of the tree that git check-ignore reports
// ignored (tracked files are not) and returns them.
func ignoredFiles(t *testing.T, h *gittest.Home, root string) []string {
	t.Helper()
	var files []string
	filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		switch {
		case d.Name() == ".git" && d.IsDir():
			return fs.SkipDir
		case d.Name() != ".git" && !d.IsDir():
			rel, _ := filepath.Rel(root, p)
			files = append(files, filepath.ToSlash(rel))
		}
		return nil
	})
	out := h.Git(t, root, strings.Join(files, "\x00"), "check-ignore", "-z", "--stdin")
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
func assertToolsHideIgnored(t *testing.T, h *gittest.Home, root string) {
	t.Helper()
	ignored := ignoredFiles(t, h, root)
	env := layerEnv(t, h, root)
	want := strings.Split(strings.TrimSuffix(h.Git(t, root, "", "ls-files", "-z", "-co", "--exclude-standard"), "\x00"), "\x00")
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
			h := gittest.NewHome(t)
			root := h.InitIgnoreTree(t, seed, 50)
			assertToolsHideIgnored(t, h, root)
		})
	}
}

func TestToolsHideGloballyIgnoredFiles(t *testing.T) {
	files := map[string]string{".gitignore": "*.log\n", "main.go": "package main\n", "secret.env": "",
		"config/prod.env": "", "notes.tmp": "", "keep.env": "", "debug.log": ""}
	t.Run("core.excludesFile", func(t *testing.T) {
		h := gittest.NewHome(t)
		gittest.WriteFile(t, filepath.Join(h.Dir, ".gitconfig"), "[core]\n\texcludesFile = ~/.my-ignore\n")
		gittest.WriteFile(t, filepath.Join(h.Dir, ".my-ignore"), "*.env\n*.tmp\n")
		root := h.Init(t, files)
		gittest.WriteFile(t, filepath.Join(root, ".git", "info", "exclude"), "!keep.env\n")
		assertToolsHideIgnored(t, h, root)
	})
	t.Run("XDG default", func(t *testing.T) {
		h := gittest.NewHome(t)
		h.XDG = t.TempDir()
		gittest.WriteFile(t, filepath.Join(h.XDG, "git", "ignore"), "*.env\n")
		assertToolsHideIgnored(t, h, h.Init(t, files))
	})
	t.Run("HOME/.config default", func(t *testing.T) {
		h := gittest.NewHome(t)
		h.XDG = ""
		gittest.WriteFile(t, filepath.Join(h.Dir, ".config", "git", "ignore"), "secret.env\nconfig/\n")
		assertToolsHideIgnored(t, h, h.Init(t, files))
	})
}

func TestToolsInALinkedWorktreeHideWhatTheCommonInfoExcludeIgnores(t *testing.T) {
	h := gittest.NewHome(t)
	root := h.Init(t, map[string]string{"main.go": "package main\n"})
	h.Git(t, root, "", "add", ".")
	h.Git(t, root, "", "-c", "user.name=T", "-c", "user.email=t@example.com", "commit", "-q", "-m", "initial")
	wt := filepath.Join(t.TempDir(), "wt")
	h.Git(t, root, "", "worktree", "add", "-q", "-b", "feature", wt)
	gittest.WriteFile(t, filepath.Join(root, ".git", "info", "exclude"), "secret.env\n")
	gittest.WriteFile(t, filepath.Join(wt, "secret.env"), "")
	gittest.WriteFile(t, filepath.Join(wt, "lib.go"), "package main\n")
	assertToolsHideIgnored(t, h, wt)
}
