package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"hew/agent/llm/llmtest"
	"hew/gitops/gittest"
	"hew/tui"
)

// streamingRepo starts hew in tmux at width×height in a new repository, answering the first
// prompt with answer, streamed in pieces of chunk bytes every delay.
func streamingRepo(t *testing.T, answer string, chunk int, delay time.Duration, width, height int) (*tmuxSession, string) {
	t.Helper()
	dir := gittest.NewRepo(t, map[string]string{"parse.go": "package parse\n"})
	srv := llmtest.NewOpenAIServer(t, llmtest.Turn{Text: answer, TextChunk: chunk, ChunkDelayMS: int(delay / time.Millisecond)})
	env := binaryEnv(t, t.TempDir(), "TERM=xterm-256color", "OPENAI_API_KEY="+fakeKey, "OPENAI_BASE_URL="+srv.URL())
	s := startTmux(t, dir, env, width, height)
	s.waitFor("Ask for a change")
	return s, strings.TrimSpace(s.tmux("list-panes", "-t", s.name, "-F", "#{pane_pid}"))
}

// TestTUIStreamsALongAnswer streams a long answer into the UI at 80×24 and checks what the
// screen shows at the end: the last of the answer, its Go code indented as written (tabs
// shown as four columns), tables drawn.
func TestTUIStreamsALongAnswer(t *testing.T) {
	t.Parallel()
	code := "```go\nfunc last(s *scanner) {\n\tif s.done {\n\t\treturn\n\t}\n}\n```"
	s, _ := streamingRepo(t, llmtest.LongAnswer(6<<10)+"\n\n"+code+"\n\nThat is all.", 64, time.Millisecond, 80, 24)
	s.keys("-l", "explain the parser")
	s.keys("Enter")
	scr := s.waitFor("That is all.", "End of the answer.")
	lines := strings.Split(scr, "\n")
	i := slices.IndexFunc(lines, func(l string) bool { return strings.Contains(l, "if s.done {") })
	if i < 0 || i+2 >= len(lines) {
		t.Fatalf("no code on screen:\n%s", scr)
	}
	indent := func(l string) int { return len(l) - len(strings.TrimLeft(l, " ")) }
	if got := indent(lines[i+1]) - indent(lines[i]); got != 4 || strings.TrimSpace(lines[i+1]) != "return" {
		t.Errorf("a tab of Go code shows as %d columns, want 4:\n%s", got, scr)
	}
	if strings.Contains(scr, "\t") {
		t.Errorf("a tab reached the screen:\n%s", scr)
	}
}

// TestTUIStreamingCost measures, with HEW_LARGE=1, what the built UI costs on a pseudo-terminal
// of its own, with nothing between it and the test (no tmux, no terminal emulator), at 80×24
// and at 160×48:
//
//   - key to screen: from the write of a key to the terminal to the arrival of the output that
//     draws it in the input, idle and while an 18 KB answer streams (pieces of 16 bytes every
//     2 ms, some 1,200 events in 3 to 4 s);
//   - the CPU time of the hew process to stream the answer, from Enter to the last frame;
//   - the CPU time of the hew process idle, over 10 s.
//
// The same is measured first, on the same kind of terminal, for cat (the terminal and the
// scheduler alone) and for the smallest Bubble Tea program that echoes keys at hew's frame
// rate: the floors under hew's figures on this machine.
//
//	HEW_LARGE=1 go test ./cmd/hew -run TestTUIStreamingCost -v
//
// HEW_BIN=path measures that hew binary instead of this tree's (another build, to compare).
func TestTUIStreamingCost(t *testing.T) {
	if os.Getenv("HEW_LARGE") == "" {
		t.Skip("set HEW_LARGE=1 to measure streaming")
	}
	floor := keyFloors(t)
	for _, size := range [][2]int{{80, 24}, {160, 48}} {
		t.Run(fmt.Sprintf("%dx%d", size[0], size[1]), func(t *testing.T) { streamingCost(t, size[0], size[1], floor) })
	}
}

// idleTime is how long the idle CPU use is measured over.
const idleTime = 10 * time.Second

// keyFloors logs the key-to-screen latency of cat and of a minimal Bubble Tea program on a
// pseudo-terminal of 80×24, and returns the latter, left running idle to measure hew's idle
// CPU use beside (see streamingCost).
func keyFloors(t *testing.T) *ptyTerm {
	cat := startPTY(t, exec.Command("sh", "-c", "stty raw -echo && echo ready && exec cat"), 80, 24)
	cat.waitFor(0, "ready", 10*time.Second)
	t.Logf("floor, cat: key to screen, %s", latencySummary(cat.keyLatencies(40, nil)))

	bin := filepath.Join(t.TempDir(), "keyecho")
	if out, err := exec.Command("go", "build", "-o", bin, "./testdata/keyecho").CombinedOutput(); err != nil {
		t.Fatalf("build keyecho: %v\n%s", err, out)
	}
	echo := startPTY(t, exec.Command(bin, "-fps", strconv.Itoa(tui.FrameRate)), 80, 24)
	echo.waitFor(0, "keyecho ready", 10*time.Second)
	echo.quiet(100 * time.Millisecond)
	t.Logf("floor, Bubble Tea at %d fps: key to screen, %s", tui.FrameRate, latencySummary(echo.keyLatencies(40, nil)))
	echo.write("\x15")
	return echo
}

// streamingCost measures hew at width×height (see TestTUIStreamingCost).
func streamingCost(t *testing.T, width, height int, floor *ptyTerm) {
	dir := gittest.NewRepo(t, map[string]string{"parse.go": "package parse\n"})
	srv := llmtest.NewOpenAIServer(t, llmtest.Turn{Text: llmtest.LongAnswer(18 << 10), TextChunk: 16, ChunkDelayMS: 2})
	watch := newStreamWatch(t, srv.URL())
	bin := os.Getenv("HEW_BIN")
	if bin == "" {
		bin = hewBinary(t)
	}
	cmd := exec.Command(bin)
	cmd.Dir = dir
	cmd.Env = binaryEnv(t, t.TempDir(), "TERM=xterm-256color", "OPENAI_API_KEY="+fakeKey, "OPENAI_BASE_URL="+watch.URL)
	p := startPTY(t, cmd, width, height)
	p.waitFor(0, "/ for commands", 30*time.Second)
	p.quiet(300 * time.Millisecond)
	idle := idleCPU(idleTime, p, floor)
	t.Logf("idle for %v: %.2f%% of a core; the Bubble Tea floor beside it %.2f%%", idleTime, idle[0], idle[1])
	if idle[0] > 2*idle[1]+0.5 { // a spinner left ticking, a poll: anything beyond the renderer's ticker
		t.Errorf("idle, hew used %.2f%% of a core, the Bubble Tea floor %.2f%%", idle[0], idle[1])
	}

	t.Logf("key to screen idle, %s", latencySummary(p.keyLatencies(40, nil)))
	p.write("\x15") // ctrl+u empties the input
	p.quiet(100 * time.Millisecond)
	p.write("explain the parser")
	p.quiet(100 * time.Millisecond)

	before, wrote, start := p.cpuTime(), p.size(), time.Now()
	p.write("\r")
	select {
	case <-watch.started:
	case <-time.After(30 * time.Second):
		t.Fatal("the answer never started streaming")
	}
	streaming := p.keyLatencies(1000, watch.done)
	<-watch.done
	p.quiet(300 * time.Millisecond)
	cpu := (p.cpuTime() - before).Seconds()
	p.waitFor(wrote, "answer.", time.Second)
	t.Logf("streaming 18 KB took %.1fs and %.2f CPU-s, and wrote %d KB to the terminal", time.Since(start).Seconds(), cpu, (p.size()-wrote)>>10)
	t.Logf("key to screen while streaming, %s", latencySummary(streaming))
	if cpu > 4.0 {
		t.Errorf("streaming used %.2f CPU-s, want at most 4.0 (Crush's)", cpu)
	}
	if len(streaming) < 20 {
		t.Fatalf("the answer ended after %d keys", len(streaming))
	}
	if p := p90(streaming); p > 20*time.Millisecond {
		t.Errorf("key to screen while streaming: p90 %v, want at most 20ms", p)
	}
}
