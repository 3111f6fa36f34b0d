package tui

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"hew/agent/engine"
	"hew/agent/event"
	"hew/agent/proposal"
	"hew/gitops/diff"
	"hew/tui/changeset"
	"hew/tui/status"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// golden compares got with testdata/name, rewriting it with -update.
func golden(t *testing.T, name, got string) {
	t.Helper()
	p := filepath.Join("testdata", name)
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(p)
	if err != nil {
		t.Fatalf("%v (run go test ./tui -update to create it)", err)
	}
	if got != string(want) {
		t.Errorf("%s differs from the golden file (go test ./tui -update rewrites it):\n--- got\n%s\n--- want\n%s", name, got, want)
	}
}

const calcOld = `package calc

// Add returns the sum of a and b.
func Add(a, b int) int {
	return a - b
}

// Sub returns a minus b.
func Sub(a, b int) int {
	return a - b
}
`

const calcNew = `package calc

// Add returns the sum of a and b.
func Add(a, b int) int {
	return a + b
}

// Sub returns a minus b.
func Sub(a, b int) int {
	return a - b
}

// Mul returns the product of a and b.
func Mul(a, b int) int { return a * b }
`

// reviewFixture is a review view of a two-file proposal with a failed test run.
func reviewFixture(width, height int) *changeset.Model {
	rv := changeset.New()
	mk := func(path string, op proposal.Op, old, new string) engine.FileReview {
		f := engine.FileReview{Change: proposal.Change{Path: path, Op: op, Old: []byte(old), New: []byte(new)}}
		f.Hunks = diff.Hunks(f.Change.Old, f.Change.New, engine.HunkContext)
		f.Added, f.Removed = diff.Stat(f.Change.Old, f.Change.New)
		return f
	}
	rv.SetFiles([]engine.FileReview{
		mk("calc.go", proposal.Modify, calcOld, calcNew),
		mk("notes/TODO.md", proposal.Add, "", "# todo\n\n- multiply\n"),
	})
	rv.SetTests(engine.TestStatus{Run: &event.TestRun{Command: "go test ./...", ExitCode: 1, Duration: 1200 * time.Millisecond}, On: engine.TestedProposal})
	rv.SetSize(width, height)
	return rv
}

func TestReviewGoldenUnified(t *testing.T) {
	rv := reviewFixture(100, 24)
	if rv.Split() {
		t.Fatal("split at 100 columns")
	}
	out := rv.View()
	if !strings.Contains(out, "\x1b[38;2;") {
		t.Error("no syntax highlighting in the output")
	}
	golden(t, "review_unified.golden", stripANSI(out))
}

func TestReviewGoldenSplit(t *testing.T) {
	rv := reviewFixture(160, 24)
	if !rv.Split() {
		t.Fatal("not split at 160 columns")
	}
	golden(t, "review_split.golden", stripANSI(rv.View()))
}

func TestStatusLineGolden(t *testing.T) {
	info := status.Info{Provider: "openai", Model: "gpt-5.1-codex", Sandbox: "bwrap workspace-write, network off",
		Approval: "on-request", Branch: "main", Tokens: 48_213, ContextUsed: 30_000, ContextLimit: 400_000, CostUSD: 0.0421}
	var b strings.Builder
	for _, w := range []int{160, 100, 60} {
		line := status.Render(info, w)
		if got := len([]rune(stripANSI(line))); got != w {
			t.Errorf("width %d: line is %d cells", w, got)
		}
		b.WriteString(stripANSI(line) + "|\n")
	}
	info.Busy = "⠋ working (esc stops)"
	b.WriteString(stripANSI(status.Render(info, 160)) + "|\n")
	golden(t, "status.golden", b.String())
}
