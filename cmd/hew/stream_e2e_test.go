package main

import (
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"hew/agent/llm/llmtest"
	"hew/gitops/gittest"
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

// TestTUIStreamingCost measures, with HEW_LARGE=1, what streaming an 18 KB answer costs the UI
// at 80×24 (the CPU time of the hew process, from Enter to the end of the answer) and how long
// a key takes to show while it streams (from tmux's send-keys returning to the key on screen,
// polled with capture-pane: a few milliseconds of tmux's own are included).
//
//	HEW_LARGE=1 go test ./cmd/hew -run TestTUIStreamingCost -v
func TestTUIStreamingCost(t *testing.T) {
	if os.Getenv("HEW_LARGE") == "" {
		t.Skip("set HEW_LARGE=1 to measure streaming")
	}
	// Pieces of 16 bytes (about four tokens) every 2 ms: some 1,200 events in 3 to 4 s.
	s, pid := streamingRepo(t, llmtest.LongAnswer(18<<10), 16, 2*time.Millisecond, 80, 24)
	// First the keys' latency idle, for comparison: on a loaded machine tmux and the
	// scheduler add their own.
	idle := keyLatencies(t, s, "idle", 20, "")
	s.keys("C-u")
	s.keys("-l", "explain the parser")
	before, wrote := cpuTicks(t, pid), written(t, pid)
	start := time.Now()
	s.keys("Enter")
	s.waitFor("## Step 1")
	streaming := keyLatencies(t, s, "zqx", 40, "End of the answer.")
	s.waitFor("End of the answer.")
	cpu := float64(cpuTicks(t, pid)-before) / 100
	t.Logf("streaming 18 KB took %.1fs and %.2f CPU-s, and wrote %d KB to the terminal", time.Since(start).Seconds(), cpu, (written(t, pid)-wrote)>>10)
	if cpu > 4.0 {
		t.Errorf("streaming used %.2f CPU-s, want at most 4.0 (Crush's)", cpu)
	}
	if len(streaming) < 3 {
		t.Fatalf("the answer ended after %d keys", len(streaming))
	}
	p90 := streaming[len(streaming)*9/10]
	t.Logf("key to screen while streaming, %d keys: p50 %v, p90 %v, max %v", len(streaming),
		streaming[len(streaming)/2].Round(time.Millisecond), p90.Round(time.Millisecond), streaming[len(streaming)-1].Round(time.Millisecond))
	t.Logf("key to screen idle, %d keys: p50 %v, p90 %v", len(idle),
		idle[len(idle)/2].Round(time.Millisecond), idle[len(idle)*9/10].Round(time.Millisecond))
	if p90 > 20*time.Millisecond {
		t.Errorf("key to screen p90 %v, want at most 20ms", p90)
	}
}

// keyLatencies types up to n letters after prefix, one every 30 ms, until the screen shows
// until (if not empty), and returns how long each took to show, sorted.
func keyLatencies(t *testing.T, s *tmuxSession, prefix string, n int, until string) []time.Duration {
	var lat []time.Duration
	typed := prefix
	s.keys("-l", prefix)
	for i := 0; i < n && (until == "" || !strings.Contains(s.screen(), until)); i++ {
		time.Sleep(30 * time.Millisecond)
		k := string(rune('a' + i%26))
		typed += k
		s.keys("-l", k)
		sent := time.Now()
		for !strings.Contains(s.screen(), typed) {
			if time.Since(sent) > 5*time.Second {
				t.Fatalf("the key %q never showed:\n%s", k, s.screen())
			}
		}
		lat = append(lat, time.Since(sent))
	}
	slices.Sort(lat)
	return lat
}

// written returns how many bytes process pid has written.
func written(t *testing.T, pid string) int {
	b, err := os.ReadFile("/proc/" + pid + "/io")
	if err != nil {
		t.Skipf("no /proc: %v", err)
	}
	_, rest, _ := strings.Cut(string(b), "wchar: ")
	n, _ := strconv.Atoi(strings.Fields(rest)[0])
	return n
}
