package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"hew/agent/llm/llmtest"
	"hew/gitops/gittest"
)

// longCalls is how many tool calls the long-session tests script: 320 (a realistic refactor)
// with HEW_LONG_SESSIONS=1, fewer by default to keep the suite fast.
func longCalls(t *testing.T) int {
	if os.Getenv("HEW_LONG_SESSIONS") != "" {
		return 320
	}
	return 48
}

// longRepo makes a repository of 40 source files of about 8.5 KB each.
func longRepo(t *testing.T) string { return sizedRepo(t, 8500) }

// sizedRepo makes a repository of 40 source files of about size bytes each.
func sizedRepo(t *testing.T, size int) string {
	files := map[string]string{"go.mod": "module example.com/long\n\ngo 1.21\n", "AGENTS.md": "AGENTS-RULE: read files one at a time.\n"}
	for i := range 40 {
		var b strings.Builder
		for j := 0; b.Len() < size; j++ {
			fmt.Fprintf(&b, "func f%02d_%03d(x int) int { return x*%d + %d } // helper %d of file %d\n", i, j, j, i, j, i)
		}
		files[fmt.Sprintf("src/f%02d.go", i)] = "package src\n\n" + b.String()
	}
	return gittest.NewRepo(t, files)
}

// longRun is one scripted long task against a server that enforces window (0: unknown model,
// a server that never refuses) and what it sent.
type longRun struct {
	requests, summaries int
	bytes, maxTokens    int
	refused             int
}

func (r *longRun) add(srv *llmtest.OpenAIServer) {
	for _, q := range srv.Requests() {
		r.requests++
		r.bytes += len(q.Body)
		r.maxTokens = max(r.maxTokens, q.Tokens)
		if q.Refused {
			r.refused++
		}
		if llmtest.IsSummary(q) {
			r.summaries++
		}
	}
}

// runLongTask runs `hew exec` (or a resume of the session, with resume) on a task of calls
// read_file steps and checks that it finished with every request kept within the window.
func runLongTask(t *testing.T, ios *IO, dir string, window int, style string, calls int, prompt string, resume bool) longRun {
	t.Helper()
	return runTask(t, ios, window, style, &llmtest.LongTask{Calls: calls}, prompt, resume)
}

// runTask is runLongTask with the task's shape given: its Tool and Args are filled in.
func runTask(t *testing.T, ios *IO, window int, style string, task *llmtest.LongTask, prompt string, resume bool) longRun {
	t.Helper()
	calls := task.Calls
	srv := llmtest.NewOpenAIServer(t)
	srv.Window(window, style)
	task.Tool, task.Args = "read_file", func(i int) string {
		return fmt.Sprintf(`{"path":"src/f%02d.go"}`, i%40)
	}
	srv.Respond(task.Turn)
	for k, v := range fakeServerEnv(srv.URL()) {
		ios.Env = append(ios.Env, k+"="+v)
	}
	args := []string{"exec", "--accept", "never", "--max-turns", "2000", "--model", "long-model"}
	if resume {
		args = append(args, "--resume", "--last")
	}
	stdout, stderr, code := runIO(t, ios, "", append(args, prompt)...)
	if code != 0 || !strings.Contains(stdout, fmt.Sprintf("Done after %d steps.", calls)) {
		t.Fatalf("window %d: exit %d after %d of %d steps\nstdout %s\nstderr %s", window, code, task.Step(), calls, stdout, tail(stderr, 3000))
	}
	var r longRun
	r.add(srv)
	for i, q := range srv.Requests() {
		if window > 0 && q.Tokens > window {
			t.Errorf("window %d: request %d took %d tokens", window, i+1, q.Tokens)
		}
		body := string(q.Body)
		if !llmtest.IsSummary(q) && (!strings.Contains(body, "ORIGINAL-REQUEST") || !strings.Contains(body, "You are hew") || !strings.Contains(body, "AGENTS-RULE")) {
			t.Errorf("window %d: request %d lacks the system prompt, AGENTS.md or the original request", window, i+1)
		}
	}
	if r.refused > 0 {
		t.Errorf("window %d: %d requests were refused as over the window", window, r.refused)
	}
	return r
}

func tail(s string, n int) string {
	if len(s) > n {
		return "…" + s[len(s)-n:]
	}
	return s
}

// longIO is the IO of a home whose configuration names long-model with window (none when 0).
func longIO(t *testing.T, dir string, window int) *IO {
	ios, _, _ := testIO(t, dir, nil)
	cfg := "provider = \"openai\"\n"
	if window > 0 {
		cfg += fmt.Sprintf("\n[[models]]\nprovider = \"openai\"\nid = \"long-model\"\ncontext = %d\n", window)
	}
	path := filepath.Join(ios.Getenv("XDG_CONFIG_HOME"), "hew", "config.toml")
	os.MkdirAll(filepath.Dir(path), 0o755)
	if err := os.WriteFile(path, []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	return ios
}

// TestLongSessionsFinishWithinTheWindow drives long read-heavy tasks against a server that
// refuses requests over the window, as vLLM and OpenAI do: each finishes, summarising again
// and again, without one request over the window — in one long turn and in the second turn of
// a resumed session. HEW_LONG_SESSIONS=1 runs the full 320 calls and logs bytes per task.
func TestLongSessionsFinishWithinTheWindow(t *testing.T) {
	calls := longCalls(t)
	windows := []int{16_000}
	if os.Getenv("HEW_LONG_SESSIONS") != "" {
		windows = []int{16_000, 32_000, 64_000, 128_000}
	}
	for _, window := range windows {
		t.Run(fmt.Sprintf("one turn %dK", window/1000), func(t *testing.T) {
			dir := longRepo(t)
			r := runLongTask(t, longIO(t, dir, window), dir, window, llmtest.StyleVLLM, calls, "ORIGINAL-REQUEST: read every file", false)
			if window <= 32_000 && r.summaries < 2 {
				t.Errorf("%d summaries, want the session summarised again and again", r.summaries)
			}
			t.Logf("window %dK, %d calls: %d requests (%d summaries), %d bytes sent, largest request %d tokens",
				window/1000, calls, r.requests, r.summaries, r.bytes, r.maxTokens)
		})
		t.Run(fmt.Sprintf("resumed second turn %dK", window/1000), func(t *testing.T) {
			dir := longRepo(t)
			ios := longIO(t, dir, window)
			runLongTask(t, ios, dir, window, llmtest.StyleOpenAI, 3, "ORIGINAL-REQUEST: read three files", false)
			r := runLongTask(t, ios, dir, window, llmtest.StyleOpenAI, calls, "SECOND: now read every file", true)
			if window <= 32_000 && r.summaries < 2 {
				t.Errorf("%d summaries in the second turn, want it summarised again and again", r.summaries)
			}
			t.Logf("window %dK, resumed turn of %d calls: %d requests (%d summaries), %d bytes sent, largest request %d tokens",
				window/1000, calls, r.requests, r.summaries, r.bytes, r.maxTokens)
		})
	}
}

// TestUnknownModelCompactsLikeAKnownOne runs a long task on a model hew has no window for,
// against a server that never refuses (as Ollama, which cuts the prompt silently): hew assumes
// a conservative window and compacts, so no request grows past it.
func TestUnknownModelCompactsLikeAKnownOne(t *testing.T) {
	dir := longRepo(t)
	r := runLongTask(t, longIO(t, dir, 0), dir, 0, "", longCalls(t), "ORIGINAL-REQUEST: read every file", false)
	if r.summaries < 1 || r.maxTokens > 32_000 {
		t.Errorf("unknown model: %d summaries, largest request %d tokens; want compaction within the default 32K window", r.summaries, r.maxTokens)
	}
	t.Logf("unknown model, %d calls: %d requests (%d summaries), %d bytes sent, largest request %d tokens", longCalls(t), r.requests, r.summaries, r.bytes, r.maxTokens)
}

// TestParallelLargeReadsStayWithinTheWindow reads three 32 KB files at once, step after step, in
// a 16K window: each output is cut to a share of the window and the batch never pushes a
// request over it.
func TestParallelLargeReadsStayWithinTheWindow(t *testing.T) {
	dir := sizedRepo(t, 32<<10)
	r := runTask(t, longIO(t, dir, 16_000), 16_000, llmtest.StyleOpenAI, &llmtest.LongTask{Calls: 12, Parallel: 3}, "ORIGINAL-REQUEST: read every file", false)
	t.Logf("16K window, 12 steps of 3 parallel 32 KB reads: %d requests (%d summaries), largest request %d tokens", r.requests, r.summaries, r.maxTokens)
}
