package transcript

import (
	"fmt"
	"runtime"
	"strings"
	"testing"
	"time"

	"hew/agent/event"
	"hew/sandbox/capture"
)

// session builds a transcript of n entries: prompts, Markdown answers and tool calls with long
// outputs, as a long session has.
func session(n int) *Transcript {
	t := New()
	long := strings.Repeat("ok  \texample.com/pkg/some/package\t0.123s\n", 2000)
	code := 0
	for i := 0; t.Len() < n; i++ {
		t.Add(&Entry{Kind: User, Text: fmt.Sprintf("request %d: please fix the thing", i)})
		t.AppendText(Assistant, fmt.Sprintf("I will run the **tests** for request %d.\n\n- first\n- second\n\n```go\nfunc f() {}\n```\n", i))
		t.Add(&Entry{Kind: Tool, ToolID: fmt.Sprint(i), Text: "run go test ./..."})
		t.FinishTool(event.ToolFinished{ID: fmt.Sprint(i), Output: long, ExitCode: &code, Duration: time.Second})
	}
	t.SetWidth(120)
	return t
}

func TestViewFollowsTheBottomAndStaysWhereTheReaderScrolled(t *testing.T) {
	tr := session(40)
	v := tr.View(10)
	if n := strings.Count(v, "\n") + 1; n != 10 {
		t.Fatalf("view has %d lines", n)
	}
	if !strings.Contains(v, "run go test") {
		t.Errorf("the bottom does not show the last tool call:\n%s", v)
	}
	tr.ScrollUp(5, 10)
	if tr.Following() {
		t.Fatal("still following after scrolling up")
	}
	before := tr.View(10)
	tr.AppendText(Assistant, "new text arriving")
	tr.Add(&Entry{Kind: Notice, Text: "more"})
	if after := tr.View(10); after != before {
		t.Errorf("the view moved while the reader was scrolled up:\n%s\n---\n%s", before, after)
	}
	tr.ScrollDown(1000, 10)
	if !tr.Following() || !strings.Contains(tr.View(10), "more") {
		t.Error("scrolling to the bottom did not follow again")
	}
	// Expanding tool calls shows the head and tail of their output, with the omission counted.
	tr.ToggleExpanded()
	tr.ScrollUp(8, 10)
	tr.ScrollUp(8, 10)
	all := tr.View(200)
	if !strings.Contains(all, "bytes) omitted …]") || !strings.Contains(all, "│ ok") {
		t.Errorf("expanded output:\n%s", all)
	}
	// Scrolling to the very top stops there.
	tr.ScrollUp(1_000_000, 10)
	if !strings.Contains(tr.View(10), "request 0") {
		t.Errorf("top:\n%s", tr.View(10))
	}
}

func TestToolOutputIsClippedWhenStored(t *testing.T) {
	tr := New()
	tr.Add(&Entry{Kind: Tool, ToolID: "1", Text: "run x"})
	tr.FinishTool(event.ToolFinished{ID: "1", Output: strings.Repeat(strings.Repeat("y", 5000)+"\n", 10_000)})
	e := tr.Last()
	if len(e.Output) > 2*outputLines*(maxLineBytes+8)+64 {
		t.Errorf("stored output is %d bytes", len(e.Output))
	}
	if !strings.Contains(e.Output, "[… 9984 lines (") {
		t.Errorf("omission not counted: %q", e.Output[len(e.Output)/2-40:len(e.Output)/2+40])
	}
}

// BenchmarkFrame5000 renders one frame at the bottom of a 5,000-entry session after a piece
// of streamed text arrives (the common frame while the model answers).
func BenchmarkFrame5000(b *testing.B) {
	tr := session(5000)
	tr.View(40)
	tr.Add(&Entry{Kind: Assistant, Text: "Streaming answer"})
	for b.Loop() {
		tr.AppendText(Assistant, " more")
		_ = tr.View(40)
	}
	var ms runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&ms)
	b.ReportMetric(float64(ms.HeapInuse)/(1<<20), "heap-MiB")
	runtime.KeepAlive(tr)
}

// BenchmarkFrame5000Scrolled renders frames while the reader scrolls up through the session.
func BenchmarkFrame5000Scrolled(b *testing.B) {
	tr := session(5000)
	tr.View(40)
	for b.Loop() {
		tr.ScrollUp(20, 40)
		_ = tr.View(40)
	}
}

func TestSelectMarksScrollsToAndExpandsOneEntry(t *testing.T) {
	tr := session(30) // 10 × (prompt, answer, tool call)
	if tr.Selected() != nil {
		t.Fatal("selected at the start")
	}
	// The first press picks the last entry, the tool call; expanding it alone shows its output.
	e := tr.Select(+1, 10)
	if e == nil || e.Kind != Tool || tr.Selected() != e {
		t.Fatalf("first selection: %+v", e)
	}
	tr.ToggleEntry(e)
	v := tr.View(30)
	if !strings.Contains(v, "│ ok") || strings.Count(v, "bytes) omitted …]") != 1 {
		t.Errorf("one tool call expanded:\n%s", v)
	}
	if !strings.Contains(v, "▌") {
		t.Errorf("the selection is not marked:\n%s", v)
	}
	tr.ToggleEntry(e)
	// Walking up to the first prompt scrolls it onto the screen, at the top.
	for range 29 {
		e = tr.Select(-1, 10)
	}
	if e.Text != "request 0: please fix the thing" || tr.Following() {
		t.Fatalf("at the top: %q following %v", e.Text, tr.Following())
	}
	v = tr.View(10)
	if first, _, _ := strings.Cut(v, "\n"); !strings.Contains(first, "▌") || !strings.Contains(first, "request 0") {
		t.Errorf("the first line is not the selected prompt:\n%s", v)
	}
	if strings.Count(tr.View(10), "▌") != 1 {
		t.Error("more than the prompt's one line is marked")
	}
	// Walking down past the screen keeps the selected entry on it.
	for i := 1; i <= 10; i++ {
		e = tr.Select(+1, 10)
		if !strings.Contains(tr.View(10), "▌") {
			t.Fatalf("entry %d (%q) went off screen:\n%s", i, e.Text, tr.View(10))
		}
	}
	if got := e.Plain(); got != "I will run the **tests** for request 3.\n\n- first\n- second\n\n```go\nfunc f() {}\n```\n" {
		t.Errorf("Plain is not the Markdown as written: %q", got)
	}
	tr.Unselect()
	if strings.Contains(tr.View(10), "▌") {
		t.Error("still marked after Unselect")
	}
}

// The count of a long command's output left out is exact: the lines the transcript drops plus
// those the sandbox's and the tool's cuts left out (the markers among them), as the model is told.
func TestOmittedCountAddsUpWithEarlierCuts(t *testing.T) {
	var b strings.Builder
	for i := 1; i <= 100_000; i++ {
		fmt.Fprintf(&b, "%d\n", i)
	}
	out := capture.Clip(capture.Clip(b.String(), 64<<10, ""), 32<<10, "")
	tr := New()
	tr.Add(&Entry{Kind: Tool, ToolID: "1", Text: "run seq 1 100000"})
	tr.FinishTool(event.ToolFinished{ID: "1", Output: out})
	lines := strings.Split(tr.Last().Output, "\n")
	if len(lines) != 2*outputLines+1 || lines[outputLines-1] != "8" || lines[outputLines+1] != "99993" {
		t.Fatalf("kept lines: %q … %q", lines[:outputLines], lines[outputLines+1:])
	}
	if want := "[… 99984 lines (588830 bytes) omitted …]"; lines[outputLines] != want {
		t.Errorf("marker %q, want %q", lines[outputLines], want)
	}
}
