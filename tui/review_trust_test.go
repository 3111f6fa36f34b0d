package tui

import (
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"

	"hew/agent/engine"
	"hew/agent/event"
	"hew/gitops/gittest"
)

// TestNewSessionReviewShowsNothingOfTheOldOne: after /new the review holds no test result, no
// "committed" message and no commit dialog of the session before.
func TestNewSessionReviewShowsNothingOfTheOldOne(t *testing.T) {
	h := reviewHarness(t)
	h.run(h.key("y"))
	h.run(h.key("c"))
	h.run(h.key("enter"))
	h.m.rv.SetTests(engine.TestStatus{Run: &event.TestRun{Command: "go test ./...", Passed: true}, On: engine.TestedCommit})
	if scr := h.screen(); !strings.Contains(scr, "✓ committed") || !strings.Contains(scr, "tests ✓ passed") {
		t.Fatalf("before /new:\n%s", scr)
	}
	h.run(h.key("esc"))
	h.command("/new")
	if err := h.m.eng.EditProposed("c.txt", []byte("new\n")); err != nil {
		t.Fatal(err)
	}
	h.run(h.m.openReview())
	scr := h.screen()
	for _, old := range []string{"committed", "tests ✓", "passed", "a.txt", "b.txt"} {
		if strings.Contains(scr, old) {
			t.Errorf("the new session's review shows %q of the old one:\n%s", old, scr)
		}
	}
	if !strings.Contains(scr, "tests: not run on this proposal") || !strings.Contains(scr, "c.txt") {
		t.Errorf("the new session's review:\n%s", scr)
	}
}

// TestStatusLineSaysAProposalWaitsAndFooterKeepsKeysAt80: the status line says a proposal waits
// for review and a note for the model waits; at 80 columns, with a long outcome shown, the
// review's footer keeps y, n, f, c and esc.
func TestStatusLineSaysAProposalWaitsAndFooterKeepsKeysAt80(t *testing.T) {
	h := reviewHarness(t)
	h.m.SetSize(80, 24)
	h.run(h.key("n")) // a long outcome: rejected, with what waits for the model
	scr := h.screen()
	lines := strings.Split(scr, "\n")
	if len(lines) != 24 {
		t.Errorf("the review is %d lines at 80×24", len(lines))
	}
	footer := lines[len(lines)-2]
	for _, k := range []string{"y accept", "n reject", "f reject+note", "c commit", "esc back"} {
		if !strings.Contains(footer, k) {
			t.Errorf("the footer at 80 columns lacks %q: %q", k, footer)
		}
	}
	for _, l := range lines {
		if w := ansi.StringWidth(l); w > 80 {
			t.Errorf("a line is %d wide: %q", w, l)
		}
	}
	h.run(h.key("esc"))
	status := h.statusLine()
	for _, want := range []string{"proposal: 2 files to review (ctrl+r)", "note for the model waiting"} {
		if !strings.Contains(status, want) {
			t.Errorf("the status line lacks %q: %q", want, status)
		}
	}
	// Once the proposal is decided, nothing waits for review.
	h.command("/reject")
	if status := h.statusLine(); strings.Contains(status, "to review") {
		t.Errorf("the status line after /reject: %q", status)
	}
	if st := gittest.Git(t, h.dir, "status", "--porcelain"); st != "" {
		t.Errorf("git status %q", st)
	}
}
