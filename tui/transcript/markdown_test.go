package transcript

import (
	"fmt"
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"

	"hew/agent/llm/llmtest"
)

// plainLines is the transcript's screen as plain text, trailing space removed.
func plainLines(s string) []string {
	lines := strings.Split(ansi.Strip(s), "\n")
	for i, l := range lines {
		lines[i] = strings.TrimRight(l, " ")
	}
	return lines
}

func TestFinishedBlock(t *testing.T) {
	for _, c := range []struct {
		src       string
		end, next int
	}{
		{"one\n\ntwo", 4, 5},
		{"one\n\n\n  \ntwo", 4, 9},
		{"one\n\n", -1, -1},                         // the next block has not started
		{"one\n\n  indented", -1, -1},               // a list item's or code's continuation
		{"\n\none\n\ntwo", 6, 7},                    // blank lines first belong to the first block
		{"```go\na\n\nb\n```\n\nnext", 15, 16},      // no cut inside fenced code
		{"```go\na\n\nb\n", -1, -1},                 // still inside
		{"~~~~\n```\n\nx\n~~~~\n\ny", 17, 18},       // a fence closes with its own marker
		{"- a\n  ```\n\n  x\n  ```\n\n- b", 21, 22}, // fenced code inside a list item
		{"- a\n\n- b", 4, 5},
	} {
		end, next := finishedBlock(c.src)
		if end != c.end || next != c.next {
			t.Errorf("finishedBlock(%q) = %d, %d; want %d, %d", c.src, end, next, c.end, c.next)
		}
	}
}

// TestStreamedAnswerMatchesItsWholeRendering streams an answer in pieces of several sizes and
// checks each frame against a rendering from scratch of the text received so far: what was
// kept from earlier frames is never stale.
func TestStreamedAnswerMatchesItsWholeRendering(t *testing.T) {
	text := llmtest.LongAnswer(1000)
	for _, chunk := range []int{29, 61} {
		tr := New()
		tr.SetWidth(80)
		for i := 0; i < len(text); i += chunk {
			tr.AppendText(Assistant, text[i:min(i+chunk, len(text))])
			got := tr.View(1000)
			fresh := New()
			fresh.SetWidth(80)
			fresh.AppendText(Assistant, text[:min(i+chunk, len(text))])
			if want := fresh.View(1000); got != want {
				g, w := strings.Split(got, "\n"), strings.Split(want, "\n")
				for j := range min(len(g), len(w)) {
					if g[j] != w[j] {
						t.Fatalf("chunk %d, after %d bytes: line %d of the streamed frame differs from a fresh rendering\n%q\n%q", chunk, i+chunk, j, g[j], w[j])
					}
				}
				t.Fatalf("chunk %d, after %d bytes: the streamed frame has %d lines, a fresh rendering %d", chunk, i+chunk, len(g), len(w))
			}
		}
	}
}

// TestAFrameRendersOnlyTheOpenBlock counts what each frame gives the Markdown renderer: the
// finished blocks once in all, then only the block still growing.
func TestAFrameRendersOnlyTheOpenBlock(t *testing.T) {
	var rendered, calls int
	r := func(block string) []string {
		rendered += len(block)
		calls++
		return strings.Split(block, "\n")
	}
	text := llmtest.LongAnswer(16 << 10)
	var c mdCache
	const chunk = 32
	frames := 0
	for i := chunk; i < len(text); i += chunk {
		c.render(text[:i], 80, r)
		frames++
	}
	// Each frame renders the open block (a few hundred bytes at most here) and the blocks
	// that finished since the last; rendering the whole answer each frame would be
	// frames*len(text)/2 bytes.
	if rendered > 2*len(text)+frames*400 {
		t.Errorf("%d frames rendered %d bytes of a %d-byte answer", frames, rendered, len(text))
	}
	if calls > 2*frames {
		t.Errorf("%d frames made %d calls", frames, calls)
	}
	// A new width renders everything again, once.
	rendered = 0
	c.render(text, 100, r)
	if rendered > len(text) {
		t.Errorf("rendering at a new width took %d bytes of %d", rendered, len(text))
	}
}

// TestGoCodeKeepsItsTabs: a terminal cell holds no tab, so tabs reaching the screen lose the
// indentation of Go code; they are expanded to tab stops of four columns, in answers and in
// the other text the transcript shows.
func TestGoCodeKeepsItsTabs(t *testing.T) {
	tr := New()
	tr.SetWidth(80)
	tr.AppendText(Assistant, "Fixed:\n\n```go\nfunc f() {\n\tif x {\n\t\treturn 1\n\t}\n}\n```\n\nAnd\ta tab in prose.")
	tr.Add(&Entry{Kind: Info, Text: "func g() {\n\treturn\n}"})
	tr.Add(&Entry{Kind: User, Text: "why\n\tnot"})
	v := tr.View(100)
	if strings.Contains(v, "\t") {
		t.Errorf("a tab reached the screen:\n%s", v)
	}
	want := []string{"func f() {", "    if x {", "        return 1", "    }", "}"}
	lines := plainLines(v)
	for i, l := range lines {
		if strings.HasSuffix(l, want[0]) {
			indent := len(l) - len(want[0])
			for j, w := range want {
				if i+j >= len(lines) || lines[i+j] != strings.Repeat(" ", indent)+w {
					t.Fatalf("line %d of the code is %q, want %q after %d columns:\n%s", j, lines[i+j], w, indent, strings.Join(lines, "\n"))
				}
			}
			break
		}
		if i == len(lines)-1 {
			t.Fatalf("no code on screen:\n%s", strings.Join(lines, "\n"))
		}
	}
	for _, w := range []string{"    return", "  ›", "      not"} {
		_ = w
	}
	if !strings.Contains(strings.Join(lines, "\n"), "\n    return\n") {
		t.Errorf("the /command output lost its indentation:\n%s", strings.Join(lines, "\n"))
	}
	if !strings.Contains(strings.Join(lines, "\n"), "\n      not") {
		t.Errorf("the prompt lost its indentation:\n%s", strings.Join(lines, "\n"))
	}
}

// BenchmarkStreamFrame is the cost of one frame while an answer streams in, at the bottom of
// a 1 KB and a 64 KB answer: it must not grow with the answer.
func BenchmarkStreamFrame(b *testing.B) {
	for _, n := range []int{1 << 10, 64 << 10} {
		b.Run(fmt.Sprintf("%dKB", n>>10), func(b *testing.B) {
			tr := New()
			tr.SetWidth(80)
			tr.AppendText(Assistant, llmtest.LongAnswer(n)+"The last paragraph")
			tr.View(22)
			for b.Loop() {
				tr.AppendText(Assistant, " grows")
				_ = tr.View(22)
			}
		})
	}
}

// BenchmarkStream18KB streams an 18 KB answer in pieces of 4, 16 and 64 bytes (models send a
// token or a few at a time), drawing a frame after each piece at 80×22: one op is the whole
// answer, so sec/op is the CPU time the transcript spends on it.
func BenchmarkStream18KB(b *testing.B) {
	text := llmtest.LongAnswer(18 << 10)
	for _, chunk := range []int{4, 16, 64} {
		b.Run(fmt.Sprintf("chunk=%d", chunk), func(b *testing.B) {
			for b.Loop() {
				tr := New()
				tr.SetWidth(80)
				tr.Add(&Entry{Kind: User, Text: "explain the parser"})
				for i := 0; i < len(text); i += chunk {
					tr.AppendText(Assistant, text[i:min(i+chunk, len(text))])
					_ = tr.View(22)
				}
			}
		})
	}
}

// An answer cleaned as it streams (only what came since the last frame is checked) shows what
// the whole answer cleaned at once shows, whatever piece a control sequence or a character
// arrives in.
func TestStreamedAnswerIsCleanedAsAWhole(t *testing.T) {
	answer := "Plain start, é and 日本.\n\nThen \x1b]0;pwned\x07 a title, \x1b[2J a clear, \u202e bidi.\n\nThe end."
	whole := New()
	whole.SetWidth(60)
	whole.AppendText(Assistant, answer)
	want := whole.View(20)
	for _, chunk := range []int{1, 2, 3, 7} {
		tr := New()
		tr.SetWidth(60)
		for i := 0; i < len(answer); i += chunk {
			tr.AppendText(Assistant, answer[i:min(i+chunk, len(answer))])
			view := tr.View(20)
			if strings.Contains(view, "pwned\x07") || strings.Contains(view, "\x1b]") || strings.Contains(view, "\x1b[2J") {
				t.Fatalf("chunk %d: a control sequence reached the screen: %q", chunk, view)
			}
		}
		if got := tr.View(20); got != want {
			t.Errorf("chunk %d: streamed view\n%q\nwant\n%q", chunk, got, want)
		}
	}
}
