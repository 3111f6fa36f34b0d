package transcript

import (
	"fmt"
	"runtime"
	"strings"
	"testing"
	"time"

	"hew/agent/event"
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
	if !strings.Contains(all, "lines omitted") || !strings.Contains(all, "│ ok") {
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
	if !strings.Contains(e.Output, "9984 lines omitted") {
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
