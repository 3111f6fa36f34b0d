package ignore_test

import (
	"cmp"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"hew/gitops/gittest"
	"hew/gitops/ignore"
)

// matcher is the matcher for root, reading h's environment as the git CLI does.
func matcher(t testing.TB, h *gittest.Home, root string) *ignore.Matcher {
	t.Helper()
	m, err := ignore.New(root, ignore.Options{Getenv: h.Getenv})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// entry is a path of the tree and whether it is a directory.
type entry struct {
	name  string
	isDir bool
}

// entries lists every file and directory below root except .git.
func entries(t testing.TB, root string) []entry {
	t.Helper()
	var out []entry
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.Name() == ".git" {
			if d.IsDir() {
				return fs.SkipDir
			}
			return nil
		}
		if p != root {
			rel, _ := filepath.Rel(root, p)
			out = append(out, entry{filepath.ToSlash(rel), d.IsDir()})
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// checkIgnore asks git check-ignore --no-index --verbose for every path of the tree and returns
// the rule git found for each, "" for none, as "SOURCE:LINE:PATTERN" with SOURCE absolute.
func checkIgnore(t testing.TB, h *gittest.Home, root string, es []entry) map[string]string {
	t.Helper()
	var in strings.Builder
	for _, e := range es {
		in.WriteString(e.name + "\x00")
	}
	out := h.Git(t, root, in.String(), "check-ignore", "--no-index", "-v", "-n", "-z", "--stdin")
	fields := strings.Split(strings.TrimSuffix(out, "\x00"), "\x00")
	got := map[string]string{}
	for i := 0; i+3 < len(fields); i += 4 {
		src, line, pat, name := fields[i], fields[i+1], fields[i+2], fields[i+3]
		if src == "" {
			got[name] = ""
			continue
		}
		if !filepath.IsAbs(src) {
			src = filepath.Join(root, src)
		}
		got[name] = src + ":" + line + ":" + pat
	}
	return got
}

// explain is the matcher's answer in checkIgnore's form.
func explain(m *ignore.Matcher, root string, e entry) string {
	r, ok := m.Explain(e.name, e.isDir)
	if !ok {
		return ""
	}
	src := r.Source
	if !filepath.IsAbs(src) {
		src = filepath.Join(root, filepath.FromSlash(src))
	}
	return src + ":" + strconv.Itoa(r.Line) + ":" + r.Text
}

// lsFiles is git ls-files -co --exclude-standard.
func lsFiles(t testing.TB, h *gittest.Home, root string) []string {
	out := h.Git(t, root, "", "ls-files", "-z", "-co", "--exclude-standard")
	names := strings.Split(strings.TrimSuffix(out, "\x00"), "\x00")
	if len(names) == 1 && names[0] == "" {
		names = nil
	}
	slices.Sort(names)
	return slices.Compact(names) // unmerged paths come once a stage
}

// walk lists the files a walk that asks Excluded keeps, as list_files does.
func walk(t testing.TB, m *ignore.Matcher, root string) []string {
	t.Helper()
	var out []string
	var visit func(dir string)
	visit = func(dir string) {
		ents, err := os.ReadDir(filepath.Join(root, filepath.FromSlash(dir)))
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range ents {
			name := d.Name()
			if dir != "" {
				name = dir + "/" + name
			}
			if d.Name() == ".git" || m.Excluded(name, d.IsDir()) {
				continue
			}
			if d.IsDir() {
				visit(name)
			} else {
				out = append(out, name)
			}
		}
	}
	visit("")
	slices.Sort(out)
	return out
}

// compare checks the matcher against git check-ignore for every path, and the walk against git
// ls-files.
func compare(t *testing.T, h *gittest.Home, root string) {
	t.Helper()
	m := matcher(t, h, root)
	es := entries(t, root)
	want := checkIgnore(t, h, root, es)
	bad := 0
	for _, e := range es {
		w, ok := want[e.name]
		if !ok {
			t.Fatalf("git check-ignore said nothing about %q", e.name)
		}
		if got := explain(m, root, e); got != w && bad < 10 {
			bad++
			t.Errorf("%q (dir %v): matcher's rule %q, git's %q", e.name, e.isDir, got, w)
		}
	}
	if got, want := walk(t, m, root), lsFiles(t, h, root); !slices.Equal(got, want) {
		t.Errorf("walk with Excluded:\n%s\ngit ls-files -co --exclude-standard:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// tree writes files (path → content) below root.
func tree(t testing.TB, root string, files map[string]string) {
	t.Helper()
	for name, content := range files {
		gittest.WriteFile(t, filepath.Join(root, filepath.FromSlash(name)), content)
	}
}

// TestTrickyPatternsAgreeWithGit checks each case's every path against git check-ignore and the
// listing against git ls-files.
func TestTrickyPatternsAgreeWithGit(t *testing.T) {
	cases := map[string]map[string]string{
		"negation":       {".gitignore": "*.log\n!keep.log\n", "a.log": "", "keep.log": "", "sub/keep.log": "", "sub/b.log": "", "x.txt": ""},
		"directory only": {".gitignore": "build/\nout/\n", "build/x": "", "sub/build": "", "sub/out/y": "", "out": ""},
		"anchored": {".gitignore": "/root.txt\nsub/x.txt\n/dir/\n", "root.txt": "", "a/root.txt": "", "sub/x.txt": "",
			"a/sub/x.txt": "", "dir/f": "", "a/dir/f": ""},
		"double star": {".gitignore": "**/logs\n**/cache/*.tmp\nabc/**\na/**/b\n**/deep/**/z\n",
			"logs/1": "", "x/logs/2": "", "cache/t.tmp": "", "q/cache/t.tmp": "", "q/cache/r/t.tmp": "", "abc/d/e": "", "x/abc": "",
			"a/b": "", "a/x/y/b": "", "a/bb": "", "k/deep/z": "", "deep/m/n/z": ""},
		"odd stars": {".gitignore": "foo**bar\n**lead\ntrail**\nmid*/*end\n", "fooXbar": "", "foo/bar": "", "fooxx/ybar": "",
			"xlead": "", "d/lead": "", "trailx": "", "trail/x": "", "mid1/aend": "", "mid1/b/aend": "",
			"p/.gitignore": "a**b\nc/**d\n", "p/a/q/b": "", "p/axxb": "", "p/c/x/y/d": "", "p/c/xd": ""},
		"escapes and comments": {".gitignore": "\\#hash\n\\!bang\n#comment\n\\*star\n", "#hash": "", "!bang": "",
			"#comment": "", "*star": "", "xstar": ""},
		"trailing spaces": {".gitignore": "spaced   \nescaped\\ \nboth\\  \n", "spaced": "", "spaced   ": "", "escaped ": "",
			"escaped": "", "both ": "", "both  ": ""},
		"no re-include below an ignored directory": {".gitignore": "dir/\n!dir/keep\nstar/*\n!star/keep\n",
			"dir/keep": "", "dir/other": "", "star/keep": "", "star/other": ""},
		"nested files override": {".gitignore": "*.txt\n!sub/\n", "a.txt": "", "sub/.gitignore": "!important.txt\n",
			"sub/important.txt": "", "sub/other.txt": "", "sub/deeper/.gitignore": "important.txt\n", "sub/deeper/important.txt": ""},
		"character classes": {".gitignore": "[a-c]*.md\n[!x]y.z\n[[:digit:]]*.num\n*.[oa]\n[]]br\n[^q]w\n[a-]dash\n",
			"apple.md": "", "zoo.md": "", "ay.z": "", "xy.z": "", "7.num": "", "n.num": "", "f.o": "", "f.a": "", "f.c": "",
			"]br": "", "pw": "", "qw": "", "-dash": "", "bdash": ""},
		"malformed bracket matches nothing": {".gitignore": "[abc\nok\n", "[abc": "", "a": "", "ok": ""},
		"root exclude-all with re-include": {".gitignore": "/*\n!/keep/\n!.gitignore\n/keep/*\n!/keep/this\n",
			"x": "", "d/y": "", "keep/this": "", "keep/that": ""},
		"crlf and byte order mark": {".gitignore": "\ufeff*.bak\r\n!good.bak\r\nlast", "a.bak": "", "good.bak": "", "last": "",
			"sub/last": ""},
		"pattern on a directory's contents": {".gitignore": "doc/frotz/\nfrotz2/\n*/\n!keep/\n", "doc/frotz/a": "",
			"a/doc/frotz/b": "", "x/frotz2/c": "", "top": "", "keep/f": ""},
		"ignored directory's .gitignore is not read": {".gitignore": "ign/\n", "ign/.gitignore": "!*\n", "ign/f": ""},
		"unicode and question mark":                  {".gitignore": "caf?\n?\nnaïve*\n", "café": "", "cafe": "", "x": "", "naïve.txt": ""},
	}
	for name, files := range cases {
		t.Run(name, func(t *testing.T) {
			h := gittest.NewHome(t)
			compare(t, h, h.Init(t, files))
		})
	}
}

// TestGeneratedTreesAgreeWithGit compares generated trees with nested .gitignore files, some
// files tracked despite matching a pattern.
func TestGeneratedTreesAgreeWithGit(t *testing.T) {
	for seed := range int64(12) {
		t.Run(strconv.FormatInt(seed, 10), func(t *testing.T) {
			h := gittest.NewHome(t)
			root := h.InitIgnoreTree(t, seed, 60)
			compare(t, h, root)
		})
	}
}

// TestSymlinkedGitignoreIsNotRead follows git 2.32 and later.
func TestSymlinkedGitignoreIsNotRead(t *testing.T) {
	h := gittest.NewHome(t)
	root := h.Init(t, map[string]string{"rules": "*.txt\n", "sub/a.txt": "", "b.txt": ""})
	if err := os.Symlink("../rules", filepath.Join(root, "sub", ".gitignore")); err != nil {
		t.Skip(err)
	}
	compare(t, h, root)
	if matcher(t, h, root).Ignored("sub/a.txt", false) {
		t.Error("a symlinked .gitignore was read")
	}
}

// TestTrackedFilesAreListedEvenWhenIgnored: ls-files -co semantics, tracked files in ignored
// directories included.
func TestTrackedFilesAreListedEvenWhenIgnored(t *testing.T) {
	h := gittest.NewHome(t)
	root := h.Init(t, map[string]string{".gitignore": "*.log\nvendor/\n", "kept.log": "", "new.log": "",
		"vendor/tracked.go": "", "vendor/untracked.go": "", "vendor/deep/t.go": "", "a.go": ""})
	h.Git(t, root, "", "add", "-f", "kept.log", "vendor/tracked.go", "vendor/deep/t.go", "a.go", ".gitignore")
	compare(t, h, root)
	m := matcher(t, h, root)
	if !m.Ignored("kept.log", false) || m.Excluded("kept.log", false) || !m.Excluded("new.log", false) {
		t.Error("a tracked file matched by a pattern is ignored but must not be excluded")
	}
	if m.Excluded("vendor", true) || !m.Excluded("vendor/untracked.go", false) {
		t.Error("an ignored directory holding tracked files must be walked, its untracked files excluded")
	}
	h.Git(t, root, "", "add", "-f", "new.log")
	if m.Excluded("new.log", false) != true {
		t.Error("a matcher read the index again")
	}
	if m2, err := m.Renew(); err != nil || m2.Excluded("new.log", false) {
		t.Errorf("a renewed matcher did not read the changed index (%v)", err)
	}
}

// TestGlobalExcludes covers core.excludesFile from the global configuration with "~/", the XDG
// default when it is unset, and the order: .gitignore over info/exclude over the excludes file.
func TestGlobalExcludes(t *testing.T) {
	files := map[string]string{"secret.env": "", "notes.tmp": "", "a/b.cfg": "", "keep.env": "", "x.local": "", "y.local": ""}
	t.Run("core.excludesFile", func(t *testing.T) {
		h := gittest.NewHome(t)
		tree(t, h.Dir, map[string]string{".gitconfig": "[core]\n\texcludesFile = ~/global-ignore\n",
			"global-ignore": "*.env\n*.cfg\n*.local\n", ".config/git/ignore": "notes.tmp\n"}) // the XDG file is not read
		root := h.Init(t, files)
		tree(t, root, map[string]string{".git/info/exclude": "!keep.env\n", ".gitignore": "!x.local\n"})
		compare(t, h, root)
		m := matcher(t, h, root)
		if !m.Ignored("secret.env", false) || m.Ignored("keep.env", false) || m.Ignored("x.local", false) || m.Ignored("notes.tmp", false) {
			t.Error("wrong verdicts with core.excludesFile")
		}
	})
	for name, setXDG := range map[string]bool{"XDG default": true, "HOME/.config default": false} {
		t.Run(name, func(t *testing.T) {
			h := gittest.NewHome(t)
			h.XDG = ""
			if setXDG {
				h.XDG = t.TempDir()
			}
			dir := cmp.Or(h.XDG, filepath.Join(h.Dir, ".config"))
			tree(t, dir, map[string]string{"git/ignore": "secret.env\n*.tmp\n"})
			root := h.Init(t, files)
			compare(t, h, root)
			if !matcher(t, h, root).Ignored("secret.env", false) {
				t.Errorf("%s/git/ignore not applied", dir)
			}
		})
	}
	t.Run("repository config overrides global", func(t *testing.T) {
		h := gittest.NewHome(t)
		tree(t, h.Dir, map[string]string{".gitconfig": "[core]\n\texcludesFile = ~/g1\n", "g1": "secret.env\n", "g2": "notes.tmp\n"})
		root := h.Init(t, files)
		h.Git(t, root, "", "config", "core.excludesFile", filepath.Join(h.Dir, "g2"))
		compare(t, h, root)
	})
}

// TestLinkedWorktreeReadsTheCommonInfoExclude: a linked worktree's git directory is
// .git/worktrees/NAME; info/exclude comes from the common directory.
func TestLinkedWorktreeReadsTheCommonInfoExclude(t *testing.T) {
	h := gittest.NewHome(t)
	root := h.Init(t, map[string]string{"a.txt": "a\n"})
	h.Git(t, root, "", "-c", "user.name=T", "-c", "user.email=t@example.com", "add", ".")
	h.Git(t, root, "", "-c", "user.name=T", "-c", "user.email=t@example.com", "commit", "-q", "-m", "initial")
	wt := filepath.Join(t.TempDir(), "wt")
	h.Git(t, root, "", "worktree", "add", "-q", "-b", "feature", wt)
	tree(t, root, map[string]string{".git/info/exclude": "secret.env\n"})
	tree(t, wt, map[string]string{"secret.env": "TOKEN\n", "other.txt": ""})
	compare(t, h, wt)
	if !matcher(t, h, wt).Ignored("secret.env", false) {
		t.Error("the common info/exclude does not apply in a linked worktree")
	}
}

// TestFilterExcludedIsExcluded: filtering a directory's entries at once, tracked files looked up
// in the index first, keeps exactly the entries Excluded keeps, in generated trees where some
// ignored files are tracked.
func TestFilterExcludedIsExcluded(t *testing.T) {
	for seed := range int64(6) {
		t.Run(strconv.FormatInt(seed, 10), func(t *testing.T) {
			h := gittest.NewHome(t)
			root := h.InitIgnoreTree(t, seed, 60)
			m := matcher(t, h, root)
			filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
				if d.Name() == ".git" {
					return fs.SkipDir
				}
				if !d.IsDir() {
					return nil
				}
				rel, _ := filepath.Rel(root, p)
				dir := filepath.ToSlash(rel)
				ents, err := os.ReadDir(p)
				if err != nil {
					t.Fatal(err)
				}
				var want []string
				for _, e := range ents {
					name := path.Join(dir, e.Name())
					if e.Name() != ".git" && !m.Excluded(name, e.IsDir()) {
						want = append(want, e.Name())
					}
				}
				var got []string
				for _, e := range m.FilterExcluded(dir, slices.DeleteFunc(ents, func(e fs.DirEntry) bool { return e.Name() == ".git" })) {
					got = append(got, e.Name())
				}
				if !slices.Equal(got, want) {
					t.Errorf("%s: FilterExcluded keeps %q, Excluded %q", dir, got, want)
				}
				return nil
			})
		})
	}
}
