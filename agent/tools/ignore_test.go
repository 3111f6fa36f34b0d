package tools

import (
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
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

// assertListsAsGit: list_files lists what git ls-files -co --exclude-standard lists, less the
// tracked paths absent from the working tree (outside a sparse checkout, or deleted): a listing
// names files the agent can read.
func assertListsAsGit(t *testing.T, h *gittest.Home, root string) {
	t.Helper()
	var want []string
	for _, name := range strings.Split(strings.TrimSuffix(h.Git(t, root, "", "ls-files", "-z", "-co", "--exclude-standard"), "\x00"), "\x00") {
		if _, err := os.Lstat(filepath.Join(root, name)); err == nil {
			want = append(want, name)
		}
	}
	slices.Sort(want)
	want = slices.Compact(want)
	r := call(t, layerEnv(t, h, root), "list_files", `{"max":100000}`)
	got := strings.Split(r.Output, "\n")
	slices.Sort(got) // git sorts whole paths, byte-wise; list_files goes directory by directory
	if !slices.Equal(got, want) {
		t.Errorf("list_files:\n%s\ngit ls-files -co --exclude-standard:\n%s", r.Output, strings.Join(want, "\n"))
	}
}

// TestListFilesReadsEveryIndexShape checks listings against git over the index's versions and
// the kinds of entries that change what a listing holds: tracked files an ignore pattern
// matches, intent-to-add and skip-worktree entries, sparse directories, submodules and symbolic
// links, under .gitignore files that negate their parents' patterns.
func TestListFilesReadsEveryIndexShape(t *testing.T) {
	commit := func(t *testing.T, h *gittest.Home, root string) {
		h.Git(t, root, "", "-c", "user.name=T", "-c", "user.email=t@example.com", "commit", "-q", "--allow-empty", "-m", "c")
	}
	// base is a repository whose ignored files are partly tracked (force-added).
	base := func(t *testing.T, h *gittest.Home) string {
		root := h.Init(t, map[string]string{
			".gitignore":             "*.log\nbuild/\ngen/\n!keep.log\n",
			"src/.gitignore":         "!*.log\n*.tmp\n",
			"src/a.go":               "package a\n",
			"src/trace.log":          "", // un-ignored by src/.gitignore
			"src/x.tmp":              "",
			"src/deep/.gitignore":    "!x.tmp\n",
			"src/deep/x.tmp":         "", // un-ignored again one level down
			"src/deep/y.tmp":         "",
			"build/out.bin":          "",
			"build/tracked.bin":      "",
			"gen/a.pb.go":            "",
			"gen/zz/b.pb.go":         "",
			"keep.log":               "",
			"debug.log":              "",
			"docs/tracked-debug.log": "",
			"docs/readme.md":         "",
		})
		h.Git(t, root, "", "add", "-A")
		h.Git(t, root, "", "add", "-f", "build/tracked.bin", "docs/tracked-debug.log", "gen/zz/b.pb.go")
		commit(t, h, root)
		return root
	}
	for _, version := range []string{"2", "3", "4"} {
		t.Run("version "+version, func(t *testing.T) {
			h := gittest.NewHome(t)
			root := base(t, h)
			h.Git(t, root, "", "update-index", "--index-version", version)
			assertListsAsGit(t, h, root)
		})
	}
	t.Run("intent to add and skip-worktree", func(t *testing.T) {
		h := gittest.NewHome(t)
		root := base(t, h)
		gittest.WriteFile(t, filepath.Join(root, "build", "planned.bin"), "")
		h.Git(t, root, "", "add", "-f", "-N", "build/planned.bin")
		h.Git(t, root, "", "update-index", "--skip-worktree", "docs/tracked-debug.log")
		h.Git(t, root, "", "update-index", "--index-version", "4")
		assertListsAsGit(t, h, root)
	})
	t.Run("split index", func(t *testing.T) {
		h := gittest.NewHome(t)
		root := base(t, h)
		h.Git(t, root, "", "update-index", "--split-index")
		// After the split: a path added, and a tracked one changed (its entry replaces the shared
		// one, its name left out).
		gittest.WriteFile(t, filepath.Join(root, "build", "late.bin"), "")
		gittest.WriteFile(t, filepath.Join(root, "build", "tracked.bin"), "changed\n")
		h.Git(t, root, "", "add", "-f", "build/late.bin", "build/tracked.bin")
		if idx, _ := os.ReadFile(filepath.Join(root, ".git", "index")); !strings.Contains(string(idx), "link") {
			t.Skip("git wrote no split index")
		}
		assertListsAsGit(t, h, root)
	})
	t.Run("conflicted paths", func(t *testing.T) {
		h := gittest.NewHome(t)
		root := base(t, h)
		ci := func() {
			h.Git(t, root, "", "-c", "user.name=T", "-c", "user.email=t@example.com", "commit", "-q", "-a", "-m", "c")
		}
		h.Git(t, root, "", "checkout", "-q", "-b", "other")
		gittest.WriteFile(t, filepath.Join(root, "build", "tracked.bin"), "other\n")
		ci()
		h.Git(t, root, "", "checkout", "-q", "main")
		gittest.WriteFile(t, filepath.Join(root, "build", "tracked.bin"), "main\n")
		ci()
		gittest.Command(root, h.Env(), "-c", "user.name=T", "-c", "user.email=t@example.com", "merge", "-q", "other").Run() // conflicts: stages 1 to 3
		if !strings.Contains(h.Git(t, root, "", "ls-files", "-u"), "build/tracked.bin") {
			t.Fatal("the merge did not conflict")
		}
		assertListsAsGit(t, h, root)
	})
	t.Run("sparse index", func(t *testing.T) {
		h := gittest.NewHome(t)
		root := base(t, h)
		h.Git(t, root, "", "config", "index.sparse", "true")
		h.Git(t, root, "", "sparse-checkout", "set", "--cone", "src")
		// Ignored files left in directories outside the cone: the tracked one is still listed,
		// through the sparse directory entry that stands for it.
		gittest.WriteFile(t, filepath.Join(root, "build", "tracked.bin"), "")
		gittest.WriteFile(t, filepath.Join(root, "build", "out.bin"), "")
		gittest.WriteFile(t, filepath.Join(root, "docs", "tracked-debug.log"), "")
		idx, err := os.ReadFile(filepath.Join(root, ".git", "index"))
		if err != nil || !strings.Contains(string(idx), "sdir") {
			t.Skipf("git wrote no sparse index (%v)", err)
		}
		assertListsAsGit(t, h, root)
	})
	t.Run("submodule and symbolic links", func(t *testing.T) {
		h := gittest.NewHome(t)
		root := base(t, h)
		sub := h.Init(t, map[string]string{"lib.go": "package lib\n", "debug.log": ""})
		h.Git(t, sub, "", "add", "-A")
		commit(t, h, sub)
		h.Git(t, root, "", "-c", "protocol.file.allow=always", "submodule", "add", "-q", sub, "vendor/lib")
		h.Git(t, root, "", "-c", "protocol.file.allow=always", "submodule", "add", "-q", sub, "gen/lib") // in an ignored directory
		for link, target := range map[string]string{"src/link.go": "a.go", "build-link": "build", "src/dir-link": "deep"} {
			if err := os.Symlink(target, filepath.Join(root, link)); err != nil {
				t.Fatal(err)
			}
		}
		h.Git(t, root, "", "add", "src/link.go", "build-link")
		gittest.WriteFile(t, filepath.Join(root, "nested", "repo", "x.go"), "") // an untracked repository
		h.Git(t, filepath.Join(root, "nested", "repo"), "", "init", "-q")
		assertListsAsGit(t, h, root)
	})
}
