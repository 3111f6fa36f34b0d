package tui

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"hew/agent/engine"
	"hew/agent/event"
	"hew/agent/llm/llmtest"
	"hew/tui/changeset"
)

// bigProposal is a harness whose proposal changes every 20th line of a 10,000-line Go file:
// 500 hunks.
func bigProposal(b *testing.B) *harness {
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
	if err := h.m.eng.EditProposed("big.go", []byte(new.String())); err != nil {
		b.Fatal(err)
	}
	h.m.SetSize(160, 50)
	return h
}

// BenchmarkReviewOpen10k opens the review view on a 10,000-line proposal of 500 hunks and
// renders its first screen, with a fresh view and no hunks kept from before:
//
//   - cold: nothing was prepared, as when the review opens with ctrl+r on a proposal the UI
//     never saw — listing the change set, diffing, matching the lexer, rendering;
//   - warmed: as after a turn, during which each change of the proposal diffed it in the
//     background — only listing the change set (to see that it is unchanged) and rendering.
//
// worst-ms is the slowest open, the figure that matters for "opens in under 100 ms".
func BenchmarkReviewOpen10k(b *testing.B) {
	h := bigProposal(b)
	open := func(b *testing.B, warm bool) {
		var worst time.Duration
		for b.Loop() {
			b.StopTimer()
			h.m.rv, h.m.reviews, h.m.view = changeset.New(), &engine.ReviewCache{}, viewTranscript
			h.m.SetSize(160, 50)
			if warm {
				if _, err := h.m.eng.ReviewWith(h.m.reviews); err != nil {
					b.Fatal(err)
				}
				changeset.Warm("big.go")
			}
			b.StartTimer()
			start := time.Now()
			h.m.Update(h.m.openReview()()) // the read, then its result
			_ = h.m.View()
			worst = max(worst, time.Since(start))
		}
		if h.m.view != viewReview || len(h.m.rv.Files()[0].Hunks) != 500 {
			b.Fatalf("review: %d hunks", len(h.m.rv.Files()[0].Hunks))
		}
		b.ReportMetric(float64(worst.Microseconds())/1000, "worst-ms")
	}
	b.Run("cold", func(b *testing.B) { open(b, false) })
	b.Run("warmed", func(b *testing.B) { open(b, true) })
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

// BenchmarkStreamUpdate streams an 18 KB answer into the UI at 160×48 as the queue delivers it
// (about eight 16-byte pieces a batch, one batch a frame) and reports what a key typed at that
// moment waits for: the update and view of one batch (worst-ms, p90-ms), and then the update and
// view of the key itself (key-ms).
func BenchmarkStreamUpdate(b *testing.B) {
	text := llmtest.LongAnswer(18 << 10)
	h := newHarness(b, map[string]string{"a.txt": "a\n"}, "never")
	h.m.SetSize(160, 48)
	var batches, keys []time.Duration
	for b.Loop() {
		h.m.tr.Clear()
		h.m.input.Reset()
		for i := 0; i < len(text); i += 8 * 16 {
			var batch batchMsg
			for j := i; j < min(i+8*16, len(text)); j += 16 {
				batch = append(batch, eventMsg{gen: h.m.gen, e: event.TextDelta{Text: text[j:min(j+16, len(text))]}})
			}
			start := time.Now()
			h.m.Update(batch)
			_ = h.m.View()
			batches = append(batches, time.Since(start))
			start = time.Now()
			h.m.Update(keyPress("x"))
			_ = h.m.View()
			keys = append(keys, time.Since(start))
		}
	}
	slices.Sort(batches)
	slices.Sort(keys)
	ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
	b.ReportMetric(ms(batches[len(batches)/2]), "p50-ms")
	b.ReportMetric(ms(batches[len(batches)*9/10]), "p90-ms")
	b.ReportMetric(ms(batches[len(batches)*99/100]), "p99-ms")
	b.ReportMetric(ms(batches[len(batches)-1]), "worst-ms")
	b.ReportMetric(ms(keys[len(keys)*9/10]), "key-ms")
}
