package patch

import (
	"errors"
	"strconv"
	"strings"
	"testing"
)

// applyCase is one patch applied to a starting tree. Either want is the tree afterwards, or
// wantErr lists substrings of the error, and the tree must be unchanged.
type applyCase struct {
	name    string
	files   map[string]file
	patch   string
	want    map[string]file
	wantErr []string
	kind    ErrorKind
	result  string
}

func runApplyCases(t *testing.T, cases []applyCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			res, err, got := applyText(t, tc.files, tc.patch)
			checkOutcome(t, tc.files, tc.want, tc.wantErr, tc.kind, tc.result, res, err, got)
		})
	}
}

func f(s string) file { return file{data: s} }

func update(path string, body ...string) string {
	return "*** Begin Patch\n*** Update File: " + path + "\n" + strings.Join(body, "\n") + "\n*** End Patch\n"
}

func TestMatchingPasses(t *testing.T) {
	code := "func a() {\n\tx := 1\n\treturn x\n}\n"
	runApplyCases(t, []applyCase{{
		name:  "exact",
		files: map[string]file{"a.go": f(code)},
		patch: update("a.go", "@@", " func a() {", "-\tx := 1", "+\tx := 2"),
		want:  map[string]file{"a.go": f("func a() {\n\tx := 2\n\treturn x\n}\n")},
	}, {
		name:  "ignoring trailing whitespace",
		files: map[string]file{"a.go": f("func a() {  \n\tx := 1\t\n\treturn x\n}\n")},
		patch: update("a.go", "@@", " func a() {", "-\tx := 1", "+\tx := 2"),
		want:  map[string]file{"a.go": f("func a() {  \n\tx := 2\n\treturn x\n}\n")},
	}, {
		name:  "ignoring indentation re-indents the added lines",
		files: map[string]file{"a.go": f(code)},
		patch: update("a.go", "@@", " func a() {", "-x := 1", "+x := 2", "+if x > 1 {", "+\tx--", "+}", " return x"),
		want:  map[string]file{"a.go": f("func a() {\n\tx := 2\n\tif x > 1 {\n\t\tx--\n\t}\n\treturn x\n}\n")},
	}, {
		name:  "ignoring indentation keeps context lines as the file has them",
		files: map[string]file{"p.py": f("class A:\n    def f(self):\n        return 1\n")},
		patch: update("p.py", "@@", "  def f(self):", "-      return 1", "+      return 2"),
		want:  map[string]file{"p.py": f("class A:\n    def f(self):\n        return 2\n")},
	}, {
		name:  "unicode dashes quotes and spaces",
		files: map[string]file{"t.txt": f("say “hello” — it’s\u00a0fine\nnext\n")},
		patch: update("t.txt", "@@", `-say "hello" - it's fine`, "+say hi", " next"),
		want:  map[string]file{"t.txt": f("say hi\nnext\n")},
	}, {
		name:  "an earlier pass wins over an ambiguous later one",
		files: map[string]file{"x.txt": f("a\n  a\nb\n")},
		patch: update("x.txt", "@@", "-  a", "+  c"),
		want:  map[string]file{"x.txt": f("a\n  c\nb\n")},
	}, {
		name:    "ambiguous match is refused with every candidate",
		files:   map[string]file{"x.txt": f("a\nx\nb\nx\nc\nx\n")},
		patch:   update("x.txt", "@@", "-x", "+y"),
		wantErr: []string{"x.txt: hunk 1 of 1", "occur 3 times", "lines 2, 4, 6", "@@"},
		kind:    ErrAmbiguous,
	}, {
		name:  "an @@ line chooses among candidates",
		files: map[string]file{"x.py": f("def a():\n    return 1\ndef b():\n    return 1\n")},
		patch: update("x.py", "@@ def b():", "-    return 1", "+    return 2"),
		want:  map[string]file{"x.py": f("def a():\n    return 1\ndef b():\n    return 2\n")},
	}, {
		name:  "stacked @@ lines narrow the scope",
		files: map[string]file{"x.py": f("class A:\n  def f():\n    pass\nclass B:\n  def f():\n    pass\n")},
		patch: update("x.py", "@@ class B:", "@@   def f():", "-    pass", "+    return"),
		want:  map[string]file{"x.py": f("class A:\n  def f():\n    pass\nclass B:\n  def f():\n    return\n")},
	}, {
		name:  "hunks in order pick the next occurrence",
		files: map[string]file{"x.txt": f("a\nx\nb\nx\n")},
		patch: update("x.txt", "@@", " a", "-x", "+1", "@@", "-x", "+2"),
		want:  map[string]file{"x.txt": f("a\n1\nb\n2\n")},
	}, {
		name:  "end of file anchors at the end",
		files: map[string]file{"x.txt": f("x\ny\nx\n")},
		patch: update("x.txt", "@@", "-x", "+z", "*** End of File"),
		want:  map[string]file{"x.txt": f("x\ny\nz\n")},
	}, {
		name:  "a blank context line the file lacks is dropped",
		files: map[string]file{"x.txt": f("a\nb\n")},
		patch: update("x.txt", "@@", "-b", "+c", ""),
		want:  map[string]file{"x.txt": f("a\nc\n")},
	}, {
		name:  "pure addition after an @@ line",
		files: map[string]file{"m.go": f("import (\n\t\"fmt\"\n)\n")},
		patch: update("m.go", "@@ import (", "+\t\"os\""),
		want:  map[string]file{"m.go": f("import (\n\t\"os\"\n\t\"fmt\"\n)\n")},
	}, {
		name:  "first chunk without @@",
		files: map[string]file{"x.txt": f("a\nb\n")},
		patch: update("x.txt", " a", "-b", "+c"),
		want:  map[string]file{"x.txt": f("a\nc\n")},
	}, {
		name:  "heredoc wrapper",
		files: map[string]file{"x.txt": f("a\n")},
		patch: "apply_patch <<'EOF'\n" + update("x.txt", "@@", "-a", "+b") + "EOF\n",
		want:  map[string]file{"x.txt": f("b\n")},
	}, {
		name:  "unified range on an apply_patch @@ line",
		files: map[string]file{"x.txt": f("a\nb\n")},
		patch: update("x.txt", "@@ -2,1 +2,1 @@", "-b", "+c"),
		want:  map[string]file{"x.txt": f("a\nc\n")},
	}})
}

func TestLineEndingsAndEncoding(t *testing.T) {
	runApplyCases(t, []applyCase{{
		name:  "CRLF stays CRLF with an LF patch",
		files: map[string]file{"w.txt": f("one\r\ntwo\r\nthree\r\n")},
		patch: update("w.txt", "@@", " one", "-two", "+2", "+2b"),
		want:  map[string]file{"w.txt": f("one\r\n2\r\n2b\r\nthree\r\n")},
	}, {
		name:  "CRLF patch on an LF file",
		files: map[string]file{"u.txt": f("one\ntwo\n")},
		patch: strings.ReplaceAll(update("u.txt", "@@", "-two", "+2"), "\n", "\r\n"),
		want:  map[string]file{"u.txt": f("one\n2\n")},
	}, {
		name:  "mixed endings: untouched lines keep theirs",
		files: map[string]file{"m.txt": f("a\r\nb\nc\r\nd\r\n")},
		patch: update("m.txt", "@@", "-d", "+D"),
		want:  map[string]file{"m.txt": f("a\r\nb\nc\r\nD\r\n")},
	}, {
		name:  "byte-order mark is kept",
		files: map[string]file{"b.txt": f("\ufefffirst\nsecond\n")},
		patch: update("b.txt", "@@", "-first", "+1st"),
		want:  map[string]file{"b.txt": f("\ufeff1st\nsecond\n")},
	}, {
		name:  "missing final newline kept when the last line is untouched",
		files: map[string]file{"n.txt": f("a\nb\nc")},
		patch: update("n.txt", "@@", "-a", "+A"),
		want:  map[string]file{"n.txt": f("A\nb\nc")},
	}, {
		name:  "changing the last line ends the file with a newline",
		files: map[string]file{"n.txt": f("a\nb")},
		patch: update("n.txt", "@@", "-b", "+B"),
		want:  map[string]file{"n.txt": f("a\nB\n")},
	}, {
		name:  "appending after a last line without newline",
		files: map[string]file{"n.txt": f("a")},
		patch: update("n.txt", "@@", "+b"),
		want:  map[string]file{"n.txt": f("a\nb\n")},
	}, {
		name:  "non-ASCII content",
		files: map[string]file{"u.txt": f("naïve\ncafé\n")},
		patch: update("u.txt", "@@", " naïve", "-café", "+café ✅"),
		want:  map[string]file{"u.txt": f("naïve\ncafé ✅\n")},
	}})
}

func TestModesAndMoves(t *testing.T) {
	runApplyCases(t, []applyCase{{
		name:  "update keeps the executable bit",
		files: map[string]file{"run.sh": {data: "echo a\n", perm: 0o755}},
		patch: update("run.sh", "@@", "-echo a", "+echo b"),
		want:  map[string]file{"run.sh": {data: "echo b\n", perm: 0o755}},
	}, {
		name:   "move keeps the mode and removes the source",
		files:  map[string]file{"bin/run.sh": {data: "echo a\n", perm: 0o755}},
		patch:  "*** Begin Patch\n*** Update File: bin/run.sh\n*** Move to: scripts/run.sh\n@@\n-echo a\n+echo b\n*** End Patch\n",
		want:   map[string]file{"scripts/run.sh": {data: "echo b\n", perm: 0o755}},
		result: "M scripts/run.sh (moved from bin/run.sh)\n",
	}, {
		name:  "rename without hunks",
		files: map[string]file{"a.txt": f("x\n")},
		patch: "*** Begin Patch\n*** Update File: a.txt\n*** Move to: b.txt\n*** End Patch\n",
		want:  map[string]file{"b.txt": f("x\n")},
	}, {
		name:  "move onto itself is an update",
		files: map[string]file{"a.txt": f("x\n")},
		patch: "*** Begin Patch\n*** Update File: a.txt\n*** Move to: ./a.txt\n@@\n-x\n+y\n*** End Patch\n",
		want:  map[string]file{"a.txt": f("y\n")},
	}, {
		name:   "add, delete and update in one patch, in order",
		files:  map[string]file{"old.txt": f("bye\n"), "m.txt": f("1\n")},
		patch:  "*** Begin Patch\n*** Add File: new/n.txt\n+hi\n\n+there\n*** Delete File: old.txt\n*** Update File: m.txt\n@@\n-1\n+2\n*** End Patch\n",
		want:   map[string]file{"new/n.txt": f("hi\n\nthere\n"), "m.txt": f("2\n")},
		result: "A new/n.txt\nD old.txt\nM m.txt\n",
	}, {
		name:  "a later operation sees an earlier one",
		files: map[string]file{},
		patch: "*** Begin Patch\n*** Add File: a.txt\n+one\n*** Update File: a.txt\n@@\n-one\n+two\n*** End Patch\n",
		want:  map[string]file{"a.txt": f("two\n")},
	}})
}

func TestRefusals(t *testing.T) {
	files := map[string]file{"ok.txt": f("ok\n")}
	addTo := func(path string) string {
		return "*** Begin Patch\n*** Update File: ok.txt\n@@\n-ok\n+changed\n*** Add File: " + path + "\n+x\n*** End Patch\n"
	}
	runApplyCases(t, []applyCase{
		{name: "absolute path", files: files, patch: addTo("/etc/passwd"), wantErr: []string{"/etc/passwd", "absolute"}, kind: ErrRefused},
		{name: "climbing out", files: files, patch: addTo("a/../../x"), wantErr: []string{"climbs out"}, kind: ErrRefused},
		{name: "into .git", files: files, patch: addTo(".git/hooks/pre-commit"), wantErr: []string{".git"}, kind: ErrRefused},
		{name: "into nested .git", files: files, patch: addTo("sub/.GIT/config"), wantErr: []string{".git"}, kind: ErrRefused},
		{name: "binary file", files: map[string]file{"ok.txt": f("ok\n"), "b.bin": f("a\x00b\n")},
			patch: update("b.bin", "@@", "-a", "+b"), wantErr: []string{"b.bin", "binary"}, kind: ErrRefused},
		{name: "update of a missing file", files: files, patch: update("nope.txt", "@@", "-a", "+b"),
			wantErr: []string{"nope.txt", "does not exist", "Add File"}, kind: ErrRefused},
		{name: "delete of a missing file", files: files, patch: "*** Begin Patch\n*** Delete File: nope.txt\n*** End Patch\n",
			wantErr: []string{"nope.txt", "does not exist"}, kind: ErrRefused},
		{name: "delete of a directory", files: map[string]file{"d/x.txt": f("x\n")}, patch: "*** Begin Patch\n*** Delete File: d\n*** End Patch\n",
			wantErr: []string{"d: cannot delete it: it is a directory"}, kind: ErrRefused},
		{name: "context that no longer matches (stale base)", files: files, patch: update("ok.txt", "@@", "-was", "+now"),
			wantErr: []string{"not found"}, kind: ErrNoMatch},
		{name: "empty patch", files: files, patch: "*** Begin Patch\n*** End Patch\n", wantErr: []string{"empty"}, kind: ErrSyntax},
		{name: "update without hunks", files: files, patch: "*** Begin Patch\n*** Update File: ok.txt\n*** End Patch\n",
			wantErr: []string{"no hunks"}, kind: ErrSyntax},
		{name: "unknown operation", files: files, patch: "*** Begin Patch\n*** Frobnicate File: ok.txt\n*** End Patch\n",
			wantErr: []string{"patch line 2", "Frobnicate", "*** Add File: PATH"}, kind: ErrSyntax},
		{name: "truncated patch", files: files, patch: "*** Begin Patch\n*** Update File: ok.txt\n@@\n-ok\n",
			wantErr: []string{"End Patch", "cut off"}, kind: ErrSyntax},
		{name: "overlapping hunks", files: map[string]file{"o.txt": f("a\nb\nc\n")}, patch: update("o.txt", "@@", " a", "-b", "+B", "@@", "-b", "+X", " c"),
			wantErr: []string{"hunk 2 of 2", "hunk 1 also changes"}, kind: ErrAmbiguous},
	})
}

func TestSymlinkRefusals(t *testing.T) {
	outside := t.TempDir()
	writeTree(t, outside, map[string]file{"secret.txt": f("s\n")})
	dir := t.TempDir()
	writeTree(t, dir, map[string]file{"in/real.txt": f("r\n")})
	mustSymlink(t, outside, dir+"/escape")
	mustSymlink(t, "in", dir+"/inside")
	mustSymlink(t, "real.txt", dir+"/in/link.txt")
	fsys := DirFS(dir)
	for _, tc := range []struct{ name, patch, want string }{
		{"through a link leading outside", update("escape/secret.txt", "@@", "-s", "+t"), "leads outside the repository"},
		{"adding through a link leading outside", "*** Begin Patch\n*** Add File: escape/new.txt\n+x\n*** End Patch\n", "leads outside"},
		{"updating a symlink itself", update("in/link.txt", "@@", "-r", "+t"), "symbolic link"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, err := Parse(tc.patch)
			if err != nil {
				t.Fatal(err)
			}
			_, err = Apply(fsys, p)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("got %v, want an error containing %q", err, tc.want)
			}
			if got := readTree(t, outside); got["secret.txt"].data != "s\n" || len(got) != 1 {
				t.Fatalf("outside tree changed: %v", got)
			}
		})
	}
	// A link that stays inside the repository is followed.
	p, err := Parse(update("inside/real.txt", "@@", "-r", "+R"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Apply(fsys, p); err != nil {
		t.Fatalf("link inside the repository: %v", err)
	}
	if got := readTree(t, dir)["in/real.txt"].data; got != "R\n" {
		t.Fatalf("in/real.txt = %q", got)
	}
}

func TestAtomicity(t *testing.T) {
	start := map[string]file{"a.txt": f("a\n"), "b.txt": f("b\n"), "c.txt": f("c\n")}
	text := "*** Begin Patch\n*** Update File: a.txt\n@@\n-a\n+A\n*** Delete File: b.txt\n*** Add File: d.txt\n+d\n*** Update File: c.txt\n@@\n-c\n+C\n*** End Patch\n"

	t.Run("a failing hunk in the last file changes nothing", func(t *testing.T) {
		bad := strings.Replace(text, "-c\n", "-not there\n", 1)
		_, err, got := applyText(t, start, bad)
		if err == nil || !strings.Contains(err.Error(), "c.txt: hunk 1 of 1") {
			t.Fatalf("err = %v", err)
		}
		if d := diffTrees(start, got); d != "" {
			t.Fatal(d)
		}
	})
	t.Run("a failing write rolls back the files already written", func(t *testing.T) {
		dir := t.TempDir()
		writeTree(t, dir, start)
		p, err := Parse(text)
		if err != nil {
			t.Fatal(err)
		}
		_, err = Apply(&failingFS{FS: DirFS(dir), failOn: "d.txt"}, p)
		if errKind(err) != ErrWrite || !strings.Contains(err.Error(), "no file was changed") || !strings.Contains(err.Error(), "disk full") {
			t.Fatalf("err = %v", err)
		}
		if d := diffTrees(start, readTree(t, dir)); d != "" {
			t.Fatalf("tree after rollback:\n%s", d)
		}
	})
	t.Run("check writes nothing", func(t *testing.T) {
		dir := t.TempDir()
		writeTree(t, dir, start)
		p, _ := Parse(text)
		res, err := Check(DirFS(dir), p)
		if err != nil {
			t.Fatal(err)
		}
		if res.String() != "M a.txt\nD b.txt\nA d.txt\nM c.txt\n" {
			t.Fatalf("result %q", res)
		}
		if d := diffTrees(start, readTree(t, dir)); d != "" {
			t.Fatal(d)
		}
	})
}

func TestErrorText(t *testing.T) {
	var lines []string
	for i := 1; i <= 50; i++ {
		lines = append(lines, "line "+strconv.Itoa(i))
	}
	content := strings.Join(lines, "\n") + "\n"
	_, err, _ := applyText(t, map[string]file{"f.txt": f(content)},
		update("f.txt", "@@", " line 1", "-line 2", "+two", "@@", " line 20", "-line 21 changed", "+x", " line 22"))
	var pe *Error
	if !errors.As(err, &pe) {
		t.Fatalf("err = %v", err)
	}
	if pe.Path != "f.txt" || pe.Hunk != 2 || pe.Hunks != 2 || pe.Kind != ErrNoMatch {
		t.Fatalf("error fields %+v", pe)
	}
	for _, want := range []string{
		"f.txt: hunk 2 of 2: its lines were not found",
		"|line 21 changed",
		"closest lines in f.txt are lines 20-22 (2 of 3 lines match",
		"   20| line 20",
		"   21| line 21",
		"   22| line 22",
		"re-read it",
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q:\n%s", want, err)
		}
	}

	_, err, _ = applyText(t, map[string]file{"f.txt": f(content)}, update("f.txt", "@@", "-nothing like it", "+x"))
	if !strings.Contains(err.Error(), "None of these lines occurs in the file") {
		t.Errorf("error for unrelated lines:\n%s", err)
	}
	_, err, _ = applyText(t, map[string]file{"f.txt": f(content)}, update("f.txt", "@@ func missing()", "-line 3", "+x"))
	if !strings.Contains(err.Error(), `the @@ line "func missing()" was not found`) {
		t.Errorf("error for a missing @@ line:\n%s", err)
	}
}
