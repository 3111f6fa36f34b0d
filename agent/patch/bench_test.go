package patch

import (
	"fmt"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// bigPatch returns a 100,000-line file and a patch with 1,000 hunks, each changing one line with
// three lines of context either side.
func bigPatch() (string, string) {
	const lines, hunks = 100_000, 1_000
	var file strings.Builder
	for i := range lines {
		fmt.Fprintf(&file, "\tvalue_%d := compute(%d) // line %d\n", i, i, i)
	}
	var p strings.Builder
	p.WriteString("*** Begin Patch\n*** Update File: big.go\n")
	for h := range hunks {
		at := h*(lines/hunks) + 50
		p.WriteString("@@\n")
		for i := at - 3; i < at+4; i++ {
			line := fmt.Sprintf("\tvalue_%d := compute(%d) // line %d", i, i, i)
			if i == at {
				fmt.Fprintf(&p, "-%s\n+\tvalue_%d := computeFaster(%d)\n", line, i, i)
			} else {
				fmt.Fprintf(&p, " %s\n", line)
			}
		}
	}
	p.WriteString("*** End Patch\n")
	return file.String(), p.String()
}

func TestBigPatch(t *testing.T) {
	file, text := bigPatch()
	m := newMemFS(map[string]string{"big.go": file})
	if err := parseApply(m, text); err != nil {
		t.Fatal(err)
	}
	got := string(m.files["big.go"])
	if n := strings.Count(got, "computeFaster"); n != 1000 {
		t.Fatalf("%d lines changed, want 1000", n)
	}
	if !strings.Contains(got, "\tvalue_50 := computeFaster(50)\n\tvalue_51 := compute(51)") {
		t.Fatal("first hunk misplaced")
	}
}

// BenchmarkApplyBig parses and applies a 1,000-hunk patch to a 100,000-line file in a real
// directory.
func BenchmarkApplyBig(b *testing.B) {
	file, text := bigPatch()
	dir := b.TempDir()
	fsys := DirFS(dir)
	for b.Loop() {
		b.StopTimer()
		if err := fsys.WriteFile("big.go", []byte(file), 0o644); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		if err := parseApply(fsys, text); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkApplyBigMemory is BenchmarkApplyBig without the file system: parsing, matching and
// rewriting only.
func BenchmarkApplyBigMemory(b *testing.B) {
	file, text := bigPatch()
	for b.Loop() {
		if err := parseApply(newMemFS(map[string]string{"big.go": file}), text); err != nil {
			b.Fatal(err)
		}
	}
}

func parseApply(fsys FS, text string) error {
	p, err := Parse(text)
	if err != nil {
		return err
	}
	_, err = Apply(fsys, p)
	return err
}

// realisticChange returns five source files of 400 lines and "git diff" of a change to them:
// three hunks a file, the size of an ordinary commit.
func realisticChange(b testing.TB) (map[string]file, string) {
	before, after := map[string]file{}, map[string]file{}
	for f := range 5 {
		var old, new strings.Builder
		fmt.Fprintf(&old, "package p%d\n", f)
		fmt.Fprintf(&new, "package p%d\n", f)
		for i := range 40 {
			fn := fmt.Sprintf("\nfunc F%d(x int) int {\n\tif x > %d {\n\t\treturn x - %d\n\t}\n\ty := x * %d\n\treturn y + %d\n}\n\n// F%d is number %d.\n", i, i, i, i, i, i, i)
			old.WriteString(fn)
			if i%13 == 5 {
				fn = strings.Replace(fn, "\ty := x", "\ty := 2 * x", 1) + "// changed\n"
			}
			new.WriteString(fn)
		}
		name := fmt.Sprintf("pkg%d/f.go", f)
		before[name], after[name] = file{data: old.String()}, file{data: new.String()}
	}
	return before, gitDiff(b, before, after)
}

// BenchmarkEngineVsGitApply checks an ordinary commit's diff against five files, in process
// with the engine (Parse and Check, reading the files) and with "git apply --check" (a process,
// as an agent or a user runs it), in turn, and reports both times and their ratio.
func BenchmarkEngineVsGitApply(b *testing.B) {
	if _, err := exec.LookPath("git"); err != nil {
		b.Skip("git is not installed")
	}
	files, diff := realisticChange(b)
	dir := b.TempDir()
	writeTree(b, dir, files)
	fsys := DirFS(dir)
	var hew, gitTime time.Duration
	for b.Loop() {
		start := time.Now()
		p, err := Parse(diff)
		if err == nil {
			_, err = Check(fsys, p)
		}
		if err != nil {
			b.Fatal(err)
		}
		hew += time.Since(start)
		start = time.Now()
		cmd := exec.Command("git", "apply", "--check", "-")
		cmd.Dir = dir
		cmd.Stdin = strings.NewReader(diff)
		if out, err := cmd.CombinedOutput(); err != nil {
			b.Fatalf("git apply: %v\n%s", err, out)
		}
		gitTime += time.Since(start)
	}
	n := float64(b.N)
	b.ReportMetric(float64(hew.Microseconds())/n, "engine-µs/op")
	b.ReportMetric(float64(gitTime.Microseconds())/n, "git-apply-µs/op")
	b.ReportMetric(float64(hew)/float64(gitTime), "engine/git")
}
