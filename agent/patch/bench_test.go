package patch

import (
	"fmt"
	"strings"
	"testing"
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
