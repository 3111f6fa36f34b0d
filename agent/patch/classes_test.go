package patch

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// gitDiff commits before in a fresh repository, stages after in its place and returns
// "git diff --cached -M" with the extra arguments (-U1, say).
func gitDiff(t testing.TB, before, after map[string]file, args ...string) string {
	t.Helper()
	repo := t.TempDir()
	git(t, repo, "init", "-q")
	git(t, repo, "config", "core.autocrlf", "false")
	writeTree(t, repo, before)
	git(t, repo, "add", "-A")
	git(t, repo, "commit", "-q", "--allow-empty", "-m", "before")
	for name := range before {
		os.Remove(filepath.Join(repo, name))
	}
	writeTree(t, repo, after)
	git(t, repo, "add", "-A")
	return git(t, repo, append([]string{"diff", "--cached", "-M"}, args...)...)
}

// gitApply runs "git apply" with the patch on a fresh copy of files and returns the tree
// afterwards and whether git applied it.
func gitApply(t *testing.T, files map[string]file, patchText string) (map[string]file, bool) {
	t.Helper()
	dir := t.TempDir()
	writeTree(t, dir, files)
	cmd := exec.Command("git", "apply", "-")
	cmd.Dir = dir
	cmd.Stdin = strings.NewReader(patchText)
	cmd.Env = append(os.Environ(), "GIT_CONFIG_GLOBAL=/dev/null", "GIT_CONFIG_NOSYSTEM=1")
	err := cmd.Run()
	return readTree(t, dir), err == nil
}

// goFile is a Go source file indented with tabs, for the cases below.
const goFile = `package p

func A(x int) int {
	if x > 0 {
		return x
	}
	return 0
}

func B(x int) int {
	if x > 0 {
		return x
	}
	return 0
}
`

// TestDiffEndingInBlankContext: a git diff whose last line is the context line of an empty line
// (a lone space) applies, in -U3 and -U1, like git apply; a diff whose final blank context line
// was lost entirely is refused without blaming a cut-off patch.
func TestDiffEndingInBlankContext(t *testing.T) {
	src := "func A() {\n\ta()\n\tb()\n\tc()\n}\n\nfunc B() {\n\td()\n}\n"
	before := map[string]file{"p.go": f(src)}
	// The changed line is followed by U-1 non-blank lines, then an empty line.
	changed := map[string]string{
		"-U3": strings.Replace(src, "\tb()", "\tB()", 1),
		"-U1": strings.Replace(src, "\tc()\n}", "\tc()\n} // A", 1),
	}
	for _, u := range []string{"-U3", "-U1"} {
		t.Run(u, func(t *testing.T) {
			after := map[string]file{"p.go": f(changed[u])}
			diff := gitDiff(t, before, after, u)
			if !strings.HasSuffix(diff, "\n \n") {
				t.Fatalf("the diff does not end with a blank context line:\n%s", diff)
			}
			gitTree, ok := gitApply(t, before, diff)
			if !ok {
				t.Fatal("git apply refused the diff")
			}
			for _, text := range []string{diff, "```diff\n" + diff + "```\n", diff + "\n\n"} {
				_, err, got := applyText(t, before, text)
				if err != nil {
					t.Fatalf("apply: %v\n%s", err, text)
				}
				if d := diffTrees(gitTree, got); d != "" {
					t.Fatalf("differs from git apply:\n%s", d)
				}
			}
			// The bug was in parsing, so the agent's apply_patch tool, which takes unified
			// diffs through Parse, had it too.
			if _, err := Parse(diff); err != nil {
				t.Fatal(err)
			}
			t.Run("lost blank line", func(t *testing.T) {
				_, err, _ := applyText(t, before, strings.TrimSuffix(diff, " \n"))
				if err == nil || strings.Contains(err.Error(), "cut off") || !strings.Contains(err.Error(), "single space") {
					t.Fatalf("error %v, want one about a lost blank context line, not a cut-off patch", err)
				}
			})
		})
	}
}

// TestNoOverwrite: an add onto an existing file, a move onto one and a unified rename onto one
// are refused, as git apply refuses them; deleting first in the same patch makes them valid.
func TestNoOverwrite(t *testing.T) {
	big := numbered("line ", 500)
	files := map[string]file{"lib/mod.js": f(big), "old.txt": f("a\nb\n"), "dest.txt": f("keep me\n")}
	runApplyCases(t, []applyCase{{
		name:    "add onto an existing file",
		files:   files,
		patch:   "*** Begin Patch\n*** Add File: lib/mod.js\n+short\n*** End Patch\n",
		wantErr: []string{"lib/mod.js", "already exists", "*** Update File:", "*** Delete File:"},
		kind:    ErrRefused,
	}, {
		name:    "move onto an existing file",
		files:   files,
		patch:   "*** Begin Patch\n*** Update File: old.txt\n*** Move to: dest.txt\n@@\n a\n-b\n+c\n*** End Patch\n",
		wantErr: []string{"dest.txt", "already exists", "old.txt"},
		kind:    ErrRefused,
	}, {
		name:   "delete then add replaces a file",
		files:  files,
		patch:  "*** Begin Patch\n*** Delete File: dest.txt\n*** Add File: dest.txt\n+new\n*** End Patch\n",
		want:   map[string]file{"lib/mod.js": f(big), "old.txt": f("a\nb\n"), "dest.txt": f("new\n")},
		result: "D dest.txt\nA dest.txt\n",
	}})
	t.Run("unified rename onto an existing file, as git apply", func(t *testing.T) {
		before := map[string]file{"old.txt": f(big)}
		diff := gitDiff(t, before, map[string]file{"dest.txt": f(strings.Replace(big, "line 250\n", "x\n", 1))})
		if !strings.Contains(diff, "rename to dest.txt") {
			t.Fatalf("not a rename:\n%s", diff)
		}
		files := map[string]file{"old.txt": f(big), "dest.txt": f("keep me\n")}
		if _, ok := gitApply(t, files, diff); ok {
			t.Fatal("git apply renamed onto an existing file")
		}
		_, err, got := applyText(t, files, diff)
		if err == nil || !strings.Contains(err.Error(), "already exists") {
			t.Fatalf("error %v, want a refusal", err)
		}
		if d := diffTrees(files, got); d != "" {
			t.Fatalf("tree changed:\n%s", d)
		}
	})
}

// TestAnchorScope: an @@ line narrows the search to its block, but does not switch off the
// ambiguity check: two matches within the block, or none within it and several after it, are
// refused with the candidates.
func TestAnchorScope(t *testing.T) {
	py := "def a():\n    x = 1\n    return x\n\ndef b():\n    y = 2\n    return y\n\ndef c():\n    x = 1\n    return x\n\ndef d():\n    x = 1\n"
	runApplyCases(t, []applyCase{{
		name:  "the match inside the @@ block wins over one before it",
		files: map[string]file{"m.py": f(py)},
		patch: update("m.py", "@@ def c():", "-    x = 1", "+    x = 3"),
		want:  map[string]file{"m.py": f(strings.Replace(py, "def c():\n    x = 1", "def c():\n    x = 3", 1))},
	}, {
		name:    "not in the block, and twice after it",
		files:   map[string]file{"m.py": f(py)},
		patch:   update("m.py", "@@ def b():", "-    x = 1", "+    x = 3"),
		wantErr: []string{"occur 2 times after its @@ line", "lines 10, 14"},
		kind:    ErrAmbiguous,
	}, {
		name:    "twice inside the block",
		files:   map[string]file{"m.go": f("func f() {\n\tg()\n\th()\n\tg()\n}\n\nfunc k() {\n\tg()\n}\n")},
		patch:   update("m.go", "@@ func f() {", "-\tg()", "+\tG()"),
		wantErr: []string{"occur 2 times", "lines 2, 4"},
		kind:    ErrAmbiguous,
	}, {
		name:    "an @@ line occurring twice, the hunk in both blocks",
		files:   map[string]file{"t.js": f("describe('x', function(){\n  it('a')\n})\ndescribe('x', function(){\n  it('a')\n})\n")},
		patch:   update("t.js", "@@ describe('x', function(){", "-  it('a')", "+  it('b')"),
		wantErr: []string{"occur 2 times", "lines 2, 5"},
		kind:    ErrAmbiguous,
	}, {
		name:  "two hunks under the same @@ line, in order",
		files: map[string]file{"t.js": f("describe('x', function(){\n  it('a')\n  it('z')\n  it('a')\n})\n")},
		patch: update("t.js", "@@ describe('x', function(){", "-  it('a')", "+  it('b')", "   it('z')", "@@ describe('x', function(){", "-  it('a')", "+  it('c')"),
		want:  map[string]file{"t.js": f("describe('x', function(){\n  it('b')\n  it('z')\n  it('c')\n})\n")},
	}, {
		name:  "stacked @@ lines: the inner one inside the outer block",
		files: map[string]file{"m.py": f("class A:\n    def f(self):\n        return 1\n\nclass B:\n    def g(self):\n        return 1\n\n    def f(self):\n        return 1\n")},
		patch: update("m.py", "@@ class B:", "@@     def f(self):", "-        return 1", "+        return 2"),
		want:  map[string]file{"m.py": f("class A:\n    def f(self):\n        return 1\n\nclass B:\n    def g(self):\n        return 1\n\n    def f(self):\n        return 2\n")},
	}})
}

// TestAmbiguityResolvedByHunkOrder: hunks come in file order, so a hunk found in two places is
// placed when only one lies between the hunks around it; otherwise it is still refused.
func TestAmbiguityResolvedByHunkOrder(t *testing.T) {
	src := "x\ndup\ny\nmid\nz\ndup\nw\n"
	runApplyCases(t, []applyCase{{
		name:  "before a later unique hunk",
		files: map[string]file{"f": f(src)},
		patch: update("f", "@@", "-dup", "+first", "@@", "-mid", "+MID"),
		want:  map[string]file{"f": f("x\nfirst\ny\nMID\nz\ndup\nw\n")},
	}, {
		name:  "after an earlier unique hunk",
		files: map[string]file{"f": f(src)},
		patch: update("f", "@@", "-mid", "+MID", "@@", "-dup", "+second"),
		want:  map[string]file{"f": f("x\ndup\ny\nMID\nz\nsecond\nw\n")},
	}, {
		name:    "nothing around it to tell",
		files:   map[string]file{"f": f(src)},
		patch:   update("f", "@@", "-dup", "+one"),
		wantErr: []string{"occur 2 times", "lines 2, 6"},
		kind:    ErrAmbiguous,
	}})
}

// TestAlreadyApplied: a patch sent again is recognised and refused without writing, in both
// formats, whether it appended, inserted, changed or removed lines.
func TestAlreadyApplied(t *testing.T) {
	authors := "# Authors\n\n- Ann\n- Bob\n- Cy\n"
	appended := authors + "- Dee\n"
	cases := []struct {
		name          string
		before, after string
		apPatch       string // the apply_patch form; the unified form comes from git
	}{
		{"append at the end of the file", authors, appended, update("A.md", "@@", " - Bob", " - Cy", "+- Dee", "*** End of File")},
		{"insert in the middle", numbered("l", 20), strings.Replace(numbered("l", 20), "l10\n", "l10\nnew\n", 1), update("A.md", "@@", " l9", " l10", "+new", " l11")},
		{"change a line", numbered("l", 20), strings.Replace(numbered("l", 20), "l10\n", "L10\n", 1), update("A.md", "@@", " l9", "-l10", "+L10", " l11")},
		{"remove a line", numbered("l", 20), strings.Replace(numbered("l", 20), "l10\n", "", 1), update("A.md", "@@", " l9", "-l10", " l11")},
		{"append without context (the format's end of file)", authors, appended, update("A.md", "@@", "+- Dee")},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			before := map[string]file{"A.md": f(tc.before)}
			after := map[string]file{"A.md": f(tc.after)}
			forms := map[string]string{"apply_patch": tc.apPatch, "unified": gitDiff(t, before, after)}
			for form, text := range forms {
				_, err, got := applyText(t, before, text)
				if err != nil {
					t.Fatalf("%s: first application: %v", form, err)
				}
				if d := diffTrees(after, got); d != "" {
					t.Fatalf("%s: first application:\n%s", form, d)
				}
				_, err, got = applyText(t, after, text)
				checkOutcome(t, after, nil, []string{"A.md", "already in the file", "applied already"}, ErrApplied, "", nil, err, got)
			}
		})
	}
	t.Run("a move made before", func(t *testing.T) {
		files := map[string]file{"new/name.txt": f("x\n")}
		_, err, got := applyText(t, files, "*** Begin Patch\n*** Update File: old/name.txt\n*** Move to: new/name.txt\n*** End Patch\n")
		checkOutcome(t, files, nil, []string{"old/name.txt", "new/name.txt does", "applied already"}, ErrApplied, "", nil, err, got)
	})
	t.Run("an add of a file that exists with that content", func(t *testing.T) {
		files := map[string]file{"n.txt": f("x\n")}
		_, err, _ := applyText(t, files, "*** Begin Patch\n*** Add File: n.txt\n+x\n*** End Patch\n")
		if err == nil || !strings.Contains(err.Error(), "already exists") {
			t.Fatalf("error %v", err)
		}
	})
}

// TestAddOnlyPlacement: a hunk that only adds lines lands where the patch says (after its @@
// line, at the end of the file, at a unified diff's stated line when git would accept it) and is
// refused when nothing certain says where.
func TestAddOnlyPlacement(t *testing.T) {
	runApplyCases(t, []applyCase{{
		name:  "no @@ line: the end of the file, as the format defines",
		files: map[string]file{"x.txt": f("line1\nline2\n")},
		patch: update("x.txt", "@@", "+added 1", "+added 2"),
		want:  map[string]file{"x.txt": f("line1\nline2\nadded 1\nadded 2\n")},
	}, {
		name:    "no @@ line, but indented to belong inside a block",
		files:   map[string]file{"p.go": f(goFile)},
		patch:   update("p.go", "@@", "+\t\tlog(x)"),
		wantErr: []string{"end of the file", "indented deeper", "line 15"},
		kind:    ErrNoMatch,
	}, {
		name:  "right after a unique @@ line, indented like the line there",
		files: map[string]file{"m.go": f("import (\n\t\"fmt\"\n)\n")},
		patch: update("m.go", "@@ import (", "+\t\"os\""),
		want:  map[string]file{"m.go": f("import (\n\t\"os\"\n\t\"fmt\"\n)\n")},
	}, {
		name:    "after a unique @@ line, but indented for deeper inside its block",
		files:   map[string]file{"p.go": f(goFile)},
		patch:   update("p.go", "@@ func B(x int) int {", "+\t\tlog(x)"),
		wantErr: []string{"right after its @@ line (line 10)", "indented unlike"},
		kind:    ErrNoMatch,
	}, {
		name:    "after an @@ line occurring twice",
		files:   map[string]file{"p.go": f(goFile)},
		patch:   update("p.go", "@@ \tif x > 0 {", "+\t\tlog(x)"),
		wantErr: []string{"@@ lines occur 2 times", "lines 4, 11"},
		kind:    ErrAmbiguous,
	}, {
		name:    "a range on the @@ line, in the middle of the file",
		files:   map[string]file{"x.txt": f("a\nb\nc\n")},
		patch:   update("x.txt", "@@ -1,0 +2 @@", "+mid"),
		wantErr: []string{"only adds lines, after line 1", "no context lines"},
		kind:    ErrNoMatch,
	}, {
		name:  "a range on the @@ line, at the end of the file",
		files: map[string]file{"x.txt": f("a\nb\nc\n")},
		patch: update("x.txt", "@@ -3,0 +4 @@", "+d"),
		want:  map[string]file{"x.txt": f("a\nb\nc\nd\n")},
	}, {
		name:  "marked for the end of the file",
		files: map[string]file{"p.go": f(goFile)},
		patch: update("p.go", "@@", "+", "+func C() {}", "*** End of File"),
		want:  map[string]file{"p.go": f(goFile + "\nfunc C() {}\n")},
	}})
	t.Run("unified, without context", func(t *testing.T) {
		before := map[string]file{"p.go": f(goFile)}
		// At the end of the file, as git apply.
		diff := gitDiff(t, before, map[string]file{"p.go": f(goFile + "// end\n")}, "-U0")
		gitTree, ok := gitApply(t, before, diff)
		if !ok {
			t.Fatal("git apply refused")
		}
		_, err, got := applyText(t, before, diff)
		if err != nil {
			t.Fatal(err)
		}
		if d := diffTrees(gitTree, got); d != "" {
			t.Fatalf("differs from git apply:\n%s", d)
		}
		// In the middle, nothing checks the stated line (git apply, without --unidiff-zero,
		// even appends such a hunk at the end of the file): refused.
		diff = gitDiff(t, before, map[string]file{"p.go": f(strings.Replace(goFile, "\n\nfunc B", "\n\n// B is b.\nfunc B", 1))}, "-U0")
		_, err, got = applyText(t, before, diff)
		checkOutcome(t, before, nil, []string{"only adds lines, after line 9", "no context lines"}, ErrNoMatch, "", nil, err, got)
	})
}

// TestReindentAll: when a hunk or edit matched only ignoring indentation, every added line gets
// the file's indentation, never some of them.
func TestReindentAll(t *testing.T) {
	sp := func(s string) string { return strings.ReplaceAll(s, "\t", "    ") }
	want := strings.Replace(goFile, "\tif x > 0 {\n\t\treturn x\n\t}\n\treturn 0\n}\n\nfunc B",
		"\tif x > 0 {\n\t\tif x > 9 {\n\t\t\treturn 9\n\t\t}\n\t\treturn x\n\t}\n\treturn 0\n}\n\nfunc B", 1)
	runApplyCases(t, []applyCase{{
		name:  "spaces for tabs, added lines at three depths",
		files: map[string]file{"p.go": f(goFile)},
		patch: update("p.go", "@@ func A(x int) int {", sp(" \tif x > 0 {"), sp("+\t\tif x > 9 {"), sp("+\t\t\treturn 9"), sp("+\t\t}"), sp(" \t\treturn x")),
		want:  map[string]file{"p.go": f(want)},
	}, {
		name:  "a Python block given dedented",
		files: map[string]file{"m.py": f("class A:\n    def f(self):\n        if x:\n            return 1\n        return 0\n")},
		patch: update("m.py", "@@", " def f(self):", "     if x:", "-        return 1", "+        y = 2", "+        if y:", "+            return y"),
		want:  map[string]file{"m.py": f("class A:\n    def f(self):\n        if x:\n            y = 2\n            if y:\n                return y\n        return 0\n")},
	}})
	t.Run("edit_file, spaces for tabs", func(t *testing.T) {
		dir := t.TempDir()
		writeTree(t, dir, map[string]file{"p.go": f(goFile)})
		old := sp("func A(x int) int {\n\tif x > 0 {\n\t\treturn x\n")
		new := sp("func A(x int) int {\n\tif x > 0 {\n\t\tif x > 9 {\n\t\t\treturn 9\n\t\t}\n\t\treturn x\n")
		if _, err := Edit(DirFS(dir), "p.go", old, new, false); err != nil {
			t.Fatal(err)
		}
		if d := diffTrees(map[string]file{"p.go": f(want)}, readTree(t, dir)); d != "" {
			t.Fatal(d)
		}
	})
}

// TestMarkerLikeContext: context lines of a document about the patch format (" *** End Patch")
// are context, while markers padded with spaces still work.
func TestMarkerLikeContext(t *testing.T) {
	doc := "Example:\n\n*** Begin Patch\n*** Delete File: old.txt\n*** End Patch\n\nRules:\n- one\n"
	runApplyCases(t, []applyCase{{
		name:  "marker text as context",
		files: map[string]file{"doc.md": f(doc)},
		patch: update("doc.md", "@@", " *** Delete File: old.txt", " *** End Patch", " ", " Rules:", " - one", "+- two"),
		want:  map[string]file{"doc.md": f(doc + "- two\n")},
	}, {
		name:  "padded markers",
		files: map[string]file{"a.txt": f("one\n"), "b.txt": f("x\n")},
		patch: " *** Begin Patch\n  *** Update File: a.txt\n@@\n-one\n+two\n  *** Delete File: b.txt\n *** End Patch \n",
		want:  map[string]file{"a.txt": f("two\n")},
	}})
}

// TestMessagesPointTheRightWay: advice names the fix that applies.
func TestMessagesPointTheRightWay(t *testing.T) {
	runApplyCases(t, []applyCase{{
		name:    "a git a/ prefix on an apply_patch path",
		files:   map[string]file{"src/core.go": f("package core\n")},
		patch:   update("a/src/core.go", "@@", "-package core", "+package kernel"),
		wantErr: []string{"did you mean src/core.go?"},
		kind:    ErrRefused,
	}})
	_, err, _ := applyText(t, map[string]file{"src/core.go": f("package core\n")}, update("a/src/core.go", "@@", "-package core", "+package kernel"))
	if strings.Contains(err.Error(), "Add File") {
		t.Errorf("the message suggests creating the file: %v", err)
	}
}

// TestCRLFContentInDiffs: a diff of files with CRLF line endings carries the carriage returns as
// content (its own header lines end in LF); applied, the files get them, as with git apply. A
// patch that went through CRLF as a whole does not.
func TestCRLFContentInDiffs(t *testing.T) {
	crlf := "a\r\nb\r\nc\r\n"
	cases := []struct {
		name          string
		before, after map[string]file
	}{
		{"a new CRLF file", map[string]file{"k": f("k\n")}, map[string]file{"k": f("k\n"), "w.txt": f(crlf)}},
		{"a line added to a CRLF file", map[string]file{"w.txt": f(crlf)}, map[string]file{"w.txt": f("a\r\nb\r\nnew\r\nc\r\n")}},
		{"CRLF to LF", map[string]file{"w.txt": f(crlf)}, map[string]file{"w.txt": f("a\nb\nc\n")}},
		{"a mixed file keeps each line's ending", map[string]file{"m.txt": f("a\r\nb\nc\r\nd\n")}, map[string]file{"m.txt": f("a\r\nb\nC\nc\r\nd\n")}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			diff := gitDiff(t, tc.before, tc.after)
			gitTree, ok := gitApply(t, tc.before, diff)
			if !ok {
				t.Fatal("git apply refused")
			}
			if d := diffTrees(tc.after, gitTree); d != "" {
				t.Fatalf("git apply:\n%s", d)
			}
			_, err, got := applyText(t, tc.before, diff)
			if err != nil {
				t.Fatal(err)
			}
			if d := diffTrees(gitTree, got); d != "" {
				t.Fatalf("differs from git apply:\n%s\n%s", d, diff)
			}
		})
	}
	t.Run("a patch sent with CRLF line endings", func(t *testing.T) {
		text := strings.ReplaceAll(update("x.txt", "@@", " a", "-b", "+B"), "\n", "\r\n")
		_, err, got := applyText(t, map[string]file{"x.txt": f("a\nb\n")}, text)
		if err != nil {
			t.Fatal(err)
		}
		if d := diffTrees(map[string]file{"x.txt": f("a\nB\n")}, got); d != "" {
			t.Fatal(d)
		}
	})
}

// TestAlreadyAppliedForgivingPasses: a change that a forgiving pass would find again (of
// indentation, of trailing whitespace, of the final newline only) is recognised as applied.
func TestAlreadyAppliedForgivingPasses(t *testing.T) {
	for _, tc := range []struct{ name, before, after string }{
		{"indentation", "def f():\n    if x:\n        return 1\n    return 2\n", "def f():\n    if x:\n        return 1\n        return 2\n"},
		{"trailing whitespace", "a \nb\nc\n", "a\nb\nc\n"},
		{"the final newline", "a\nb\n", "a\nb"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before, after := map[string]file{"f": f(tc.before)}, map[string]file{"f": f(tc.after)}
			diff := gitDiff(t, before, after)
			if _, err, got := applyText(t, before, diff); err != nil || diffTrees(after, got) != "" {
				t.Fatalf("first application: %v %s", err, diffTrees(after, got))
			}
			_, err, got := applyText(t, after, diff)
			checkOutcome(t, after, nil, []string{"already in the file"}, ErrApplied, "", nil, err, got)
		})
	}
}
