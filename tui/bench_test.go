package tui

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"hew/tui/review"
)

// BenchmarkReviewOpen10k opens the review view on a proposal that changes every 20th line of
// a 10,000-line file: listing the change set, diffing, and rendering the first screen.
func BenchmarkReviewOpen10k(b *testing.B) {
	var old, new strings.Builder
	for i := range 10_000 {
		fmt.Fprintf(&old, "\tvalue%d := compute(%d) // line %d\n", i, i, i)
		if i%20 == 0 {
			fmt.Fprintf(&new, "\tvalue%d := computeFaster(%d) // line %d\n", i, i, i)
		} else {
			fmt.Fprintf(&new, "\tvalue%d := compute(%d) // line %d\n", i, i, i)
		}
	}
	h := newHarness(b, map[string]string{"big.go": old.String()}, "never")
	if err := h.m.eng.Layer.WriteFile("big.go", []byte(new.String()), 0); err != nil {
		b.Fatal(err)
	}
	h.m.SetSize(160, 50)
	review.Warm("big.go") // as the UI does when the proposal changes, before the review opens
	var worst time.Duration
	for b.Loop() {
		start := time.Now()
		h.m.view = viewTranscript
		h.m.openReview()
		_ = h.m.View()
		worst = max(worst, time.Since(start))
	}
	if h.m.view != viewReview || len(h.m.rv.Files()[0].Hunks) != 500 {
		b.Fatalf("review: %d hunks", len(h.m.rv.Files()[0].Hunks))
	}
	b.ReportMetric(float64(worst.Microseconds())/1000, "worst-ms")
}

// BenchmarkFrameIdle renders the transcript screen with nothing changing, the cost of a
// redraw such as a resize.
func BenchmarkFrameIdle(b *testing.B) {
	h := newHarness(b, map[string]string{"a.txt": "a\n"}, "never")
	for i := range 5000 {
		h.m.tr.AppendText(0, fmt.Sprintf("prompt %d", i))
		h.m.tr.AppendText(1, fmt.Sprintf("answer **%d**\n\n- a\n- b", i))
	}
	h.m.SetSize(120, 40)
	for b.Loop() {
		_ = h.m.View()
	}
}
