package diff

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

func TestUnifiedGolden(t *testing.T) {
	old := []byte("a\nb\nc\nd\ne\nf\ng\nh\ni\nj\nk\nl\n")
	new := []byte("a\nb\nC\nd\ne\nf\ng\nh\ni\nj\nk\nl\nm")
	want := `diff --git a/f.txt b/f.txt
--- a/f.txt
+++ b/f.txt
@@ -1,6 +1,6 @@
 a
 b
-c
+C
 d
 e
 f
@@ -10,3 +10,4 @@
 j
 k
 l
+m
\ No newline at end of file
`
	if got := Unified("f.txt", "f.txt", old, new); got != want {
		t.Errorf("Unified:\n%s\nwant:\n%s", got, want)
	}
}

func TestUnifiedAddDeleteEqualBinary(t *testing.T) {
	if got := Unified("p", "p", []byte("x\n"), []byte("x\n")); got != "" {
		t.Errorf("equal texts: got %q, want empty", got)
	}
	add := Unified("", "new.go", nil, []byte("package x\n"))
	wantAdd := "diff --git a/new.go b/new.go\n--- /dev/null\n+++ b/new.go\n@@ -0,0 +1 @@\n+package x\n"
	if add != wantAdd {
		t.Errorf("add:\n%s\nwant:\n%s", add, wantAdd)
	}
	del := Unified("old.go", "", []byte("a\nb"), nil)
	wantDel := "diff --git a/old.go b/old.go\n--- a/old.go\n+++ /dev/null\n@@ -1,2 +0,0 @@\n-a\n-b\n\\ No newline at end of file\n"
	if del != wantDel {
		t.Errorf("delete:\n%s\nwant:\n%s", del, wantDel)
	}
	bin := Unified("img.png", "img.png", []byte("\x89PNG\x00\x01"), []byte("\x89PNG\x00\x02"))
	if !strings.Contains(bin, "Binary files a/img.png and b/img.png differ") {
		t.Errorf("binary: got %q", bin)
	}
}

func TestNoNewlineOnBothSides(t *testing.T) {
	// The same last line with and without a newline differs, as in git.
	hs := Hunks([]byte("x\ny"), []byte("x\ny\n"), 3)
	if len(hs) != 1 {
		t.Fatalf("got %d hunks, want 1", len(hs))
	}
	want := "@@ -1,2 +1,2 @@\n x\n-y\n\\ No newline at end of file\n+y\n"
	if got := hs[0].String(); got != want {
		t.Errorf("hunk:\n%s\nwant:\n%s", got, want)
	}
	// A context line that is last in both texts gets one marker.
	hs = Hunks([]byte("a\nz"), []byte("b\nz"), 3)
	if want := "@@ -1,2 +1,2 @@\n-a\n+b\n z\n\\ No newline at end of file\n"; hs[0].String() != want {
		t.Errorf("hunk:\n%s\nwant:\n%s", hs[0].String(), want)
	}
}

func TestStatAndIsBinary(t *testing.T) {
	a, r := Stat([]byte("1\n2\n3\n"), []byte("1\nII\n3\n4\n"))
	if a != 2 || r != 1 {
		t.Errorf("Stat = +%d -%d, want +2 -1", a, r)
	}
	if IsBinary([]byte("plain\ntext")) || !IsBinary([]byte("a\x00b")) {
		t.Error("IsBinary misjudges text or NUL")
	}
	late := append(bytes.Repeat([]byte("a"), 9000), 0)
	if IsBinary(late) {
		t.Error("IsBinary looks past 8000 bytes; git does not")
	}
}

// randText returns lines drawn from a small vocabulary, so that lines repeat.
func randText(r *rand.Rand, n int) []byte {
	var b bytes.Buffer
	for range n {
		fmt.Fprintf(&b, "line %d\n", r.IntN(12))
	}
	if b.Len() > 0 && r.IntN(4) == 0 {
		b.Truncate(b.Len() - 1)
	}
	return b.Bytes()
}

// mutate edits random lines of text: replacements, insertions and deletions.
func mutate(r *rand.Rand, text []byte) []byte {
	lines := splitLines(string(text))
	if len(text) == 0 {
		lines = nil
	}
	for range 1 + r.IntN(5) {
		p := r.IntN(len(lines) + 1)
		switch r.IntN(3) {
		case 0:
			lines = append(lines[:p], append([]string{fmt.Sprintf("new %d\n", r.IntN(100))}, lines[p:]...)...)
		case 1:
			if p < len(lines) {
				lines = append(lines[:p], lines[p+1:]...)
			}
		default:
			if p < len(lines) {
				lines[p] = fmt.Sprintf("changed %d\n", r.IntN(100))
			}
		}
	}
	out := strings.Join(lines, "")
	if r.IntN(5) == 0 {
		out = strings.TrimSuffix(out, "\n")
	}
	return []byte(out)
}

// gitApply applies patch to old with `git apply` in a scratch directory and returns the result.
func gitApply(t *testing.T, old []byte, patch string) []byte {
	t.Helper()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "f"), old, 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("git", "apply", "--unidiff-zero", "-")
	cmd.Dir = dir
	cmd.Stdin = strings.NewReader(patch)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("git apply: %v\n%s\npatch:\n%s", err, out, patch)
	}
	got, err := os.ReadFile(filepath.Join(dir, "f"))
	if err != nil {
		t.Fatal(err)
	}
	return got
}

// TestAgainstGit checks Unified and partial Apply against `git apply` on random texts.
func TestAgainstGit(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git not installed")
	}
	r := rand.New(rand.NewPCG(1, 2))
	for round := range 200 {
		old := randText(r, r.IntN(30))
		new := mutate(r, old)
		if bytes.Equal(old, new) {
			continue
		}
		ctx := r.IntN(4)
		hunks := Hunks(old, new, ctx)
		// A random subset of the hunks, applied by us and by git.
		var chosen []Hunk
		var patch strings.Builder
		patch.WriteString("--- a/f\n+++ b/f\n")
		delta := 0 // lines the chosen hunks before h add
		for _, h := range hunks {
			if r.IntN(2) == 0 {
				chosen = append(chosen, h)
				// Renumber the new side as if only the chosen hunks existed, as `git add -p`
				// does: with zero context git places a hunk by its new start alone.
				g := h
				pos := h.OldStart - 1
				if h.OldLines == 0 {
					pos = h.OldStart
				}
				g.NewStart = pos + delta
				if g.NewLines > 0 {
					g.NewStart++
				}
				delta += h.NewLines - h.OldLines
				patch.WriteString(g.String())
			}
		}
		got, err := Apply(old, chosen)
		if err != nil {
			t.Fatalf("round %d: Apply: %v", round, err)
		}
		want := old
		if len(chosen) > 0 {
			want = gitApply(t, old, patch.String())
		}
		if !bytes.Equal(got, want) {
			t.Fatalf("round %d: Apply gives %q, git apply gives %q\nold %q\nnew %q", round, got, want, old, new)
		}
		if all, err := Apply(old, hunks); err != nil || !bytes.Equal(all, new) {
			t.Fatalf("round %d: applying every hunk gives %q, %v; want %q", round, all, err, new)
		}
		if round%4 == 0 {
			if got := gitApply(t, old, Unified("f", "f", old, new)); !bytes.Equal(got, new) {
				t.Fatalf("round %d: git apply of Unified gives %q, want %q", round, got, new)
			}
		}
	}
}

func TestApplyRefusesMisfit(t *testing.T) {
	old := []byte("a\nb\nc\n")
	hs := Hunks(old, []byte("a\nB\nc\n"), 1)
	_, err := Apply([]byte("x\ny\nz\n"), hs)
	if err == nil || !strings.Contains(err.Error(), "@@ -1,3 +1,3 @@") || !strings.Contains(err.Error(), `line 1 is "x\n"`) {
		t.Fatalf("Apply onto other text: err = %v, want a misfit naming the hunk and line 1", err)
	}
	// The hunk still fits when lines were inserted above it.
	got, err := Apply([]byte("top\na\nb\nc\n"), hs)
	if err != nil || string(got) != "top\na\nB\nc\n" {
		t.Fatalf("Apply with offset = %q, %v", got, err)
	}
}

func TestMerge(t *testing.T) {
	base := []byte("1\n2\n3\n4\n5\n6\n7\n8\n")
	ours := []byte("one\n2\n3\n4\n5\n6\n7\n8\nnine\n") // user edited line 1 and appended
	theirs := []byte("1\n2\n3\n4\nfive\n6\n7\n8\n")    // proposal changed line 5
	got, conflicts := Merge(base, ours, theirs)
	if len(conflicts) > 0 || string(got) != "one\n2\n3\n4\nfive\n6\n7\n8\nnine\n" {
		t.Fatalf("Merge = %q, %v", got, conflicts)
	}
	// Both changed line 5 differently; the user also inserted a line above it.
	ours = []byte("0\n1\n2\n3\n4\nFIVE\n6\n7\n8\n")
	_, conflicts = Merge(base, ours, theirs)
	want := []Conflict{{Base: Range{5, 1}, Ours: Range{6, 1}, Theirs: Range{5, 1}}}
	if fmt.Sprint(conflicts) != fmt.Sprint(want) {
		t.Fatalf("conflicts = %v, want %v", conflicts, want)
	}
	if s := conflicts[0].Ours.String(); s != "line 6" {
		t.Errorf("Range.String = %q", s)
	}
	// The same change on both sides is no conflict.
	if got, c := Merge(base, theirs, theirs); len(c) > 0 || !bytes.Equal(got, theirs) {
		t.Fatalf("identical changes: %q, %v", got, c)
	}
}

// TestMergeRandom checks on random edits that Merge is symmetric and keeps a side's text whole
// when the other side changed nothing.
func TestMergeRandom(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	merged := 0
	for range 500 {
		base := randText(r, 5+r.IntN(30))
		ours, theirs := mutate(r, base), mutate(r, base)
		got, conflicts := Merge(base, ours, theirs)
		if len(conflicts) > 0 {
			if got != nil {
				t.Fatal("Merge returned text together with conflicts")
			}
			continue
		}
		merged++
		if swapped, c := Merge(base, theirs, ours); len(c) > 0 || !bytes.Equal(swapped, got) {
			t.Fatalf("Merge is not symmetric: %q vs %q (%v)\nbase %q\nours %q\ntheirs %q", got, swapped, c, base, ours, theirs)
		}
		if bytes.Equal(ours, base) && !bytes.Equal(got, theirs) {
			t.Fatalf("ours unchanged: merge %q, want theirs %q", got, theirs)
		}
		if bytes.Equal(theirs, base) && !bytes.Equal(got, ours) {
			t.Fatalf("theirs unchanged: merge %q, want ours %q", got, ours)
		}
	}
	if merged < 50 {
		t.Fatalf("only %d of 500 random merges succeeded; the test no longer exercises merging", merged)
	}
}

// BenchmarkUnified renders the diff of a 10,000-line file with 50 scattered changes.
func BenchmarkUnified(b *testing.B) {
	var old bytes.Buffer
	for i := range 10000 {
		fmt.Fprintf(&old, "\tvalue%d := compute(%d, %q)\n", i, i*7, "x")
	}
	lines := splitLines(old.String())
	for i := 100; i < len(lines); i += 200 {
		lines[i] = "\t// changed\n"
	}
	new := []byte(strings.Join(lines, ""))
	b.SetBytes(int64(old.Len()))
	for b.Loop() {
		if Unified("f.go", "f.go", old.Bytes(), new) == "" {
			b.Fatal("no diff")
		}
	}
}
