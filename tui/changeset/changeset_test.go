package changeset

import (
	"regexp"
	"strings"
	"testing"

	"hew/agent/engine"
	"hew/agent/proposal"
	"hew/gitops/diff"
)

var sgr = regexp.MustCompile(`\x1b\[[0-9;:]*m`)

// The review shows a proposed file's content and name without their control sequences, and
// marks a change hew judged unsafe with the reason.
func TestReviewIsTerminalSafeAndMarksUnsafeChanges(t *testing.T) {
	hostile := "x := 1 \x1b]52;c;cm0gLXJmIH4K\x07\x1b[2J\u009b2J\r\n"
	old, nw := []byte("a\n"), []byte("a\n"+hostile)
	files := []engine.FileReview{
		{Change: proposal.Change{Path: "main\x1b]0;t\x07.go", Op: proposal.Modify, Old: old, New: nw}, Hunks: diff.Hunks(old, nw, 3), Added: 1},
		{Change: proposal.Change{Path: "evil", Op: proposal.Add, New: []byte("/etc/passwd"), Unsafe: "it creates a symbolic link that leads outside the repository, to /etc/passwd"},
			Hunks: diff.Hunks(nil, []byte("/etc/passwd"), 3), Added: 1},
	}
	m := New()
	m.SetSize(160, 30)
	m.SetFiles(files)
	v := m.View()
	for _, r := range sgr.ReplaceAllString(v, "") {
		if r < 0x20 && r != '\n' && r != '\t' || r >= 0x7f && r <= 0x9f {
			t.Fatalf("the review carries control %U:\n%q", r, v)
		}
	}
	if plain := sgr.ReplaceAllString(v, ""); !strings.Contains(plain, "x := 1") || !strings.Contains(plain, "⚠ unsafe") {
		t.Fatalf("review:\n%s", v)
	}
	m.file = 1
	if v := m.View(); !strings.Contains(v, "leads outside the repository") {
		t.Fatalf("the unsafe change's reason is not shown:\n%s", v)
	}
}

// Counts read right in the singular: "1 file", "1 hunk", "1 line".
func TestCountsAreSingularForOne(t *testing.T) {
	old, nw := []byte("a\nb\n"), []byte("A\nb\n")
	m := New()
	m.SetSize(120, 30)
	m.SetFiles([]engine.FileReview{
		{Change: proposal.Change{Path: "one.go", Op: proposal.Modify, Old: old, New: nw}, Hunks: diff.Hunks(old, nw, 3), Added: 1, Removed: 1},
		{Change: proposal.Change{Path: "gone.txt", Op: proposal.Delete, Old: []byte("x\n")}, Whole: true, Removed: 1},
	})
	plain := sgr.ReplaceAllString(m.View(), "")
	if !strings.Contains(plain, "Review  2 files") || !strings.Contains(plain, "1 hunk") || strings.Contains(plain, "1 hunks") {
		t.Errorf("review:\n%s", plain)
	}
	m.SetFiles(m.Files()[1:])
	plain = sgr.ReplaceAllString(m.View(), "")
	if !strings.Contains(plain, "Review  1 file ") || !strings.Contains(plain, "deleted (1 line)") {
		t.Errorf("review of one deleted file:\n%s", plain)
	}
}

// With nothing left to decide the footer offers only what can still be done.
func TestFooterOfAReviewWithNothingLeft(t *testing.T) {
	m := New()
	m.SetSize(80, 24)
	m.SetFiles(nil)
	m.SetAccepted(1)
	last := func() string {
		lines := strings.Split(sgr.ReplaceAllString(m.View(), ""), "\n")
		return strings.TrimSpace(lines[len(lines)-1])
	}
	if got := last(); got != "c commit · F send notes · esc back" {
		t.Errorf("footer with an accepted file: %q", got)
	}
	m.SetAccepted(0)
	if got := last(); got != "F send notes · esc back" {
		t.Errorf("footer with nothing accepted: %q", got)
	}
}
