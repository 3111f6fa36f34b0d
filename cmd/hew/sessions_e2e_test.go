package main

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"hew/agent/llm"
	"hew/agent/llm/llmtest"
	"hew/gitops/gittest"
)

// home is a user's home kept across several hew runs, so later runs see earlier sessions.
type home struct {
	t   *testing.T
	dir string
}

func newHome(t *testing.T) home { return home{t: t, dir: t.TempDir()} }

// cmd returns hew with args in repository dir, its model server at baseURL.
func (h home) cmd(dir, baseURL string, args ...string) *exec.Cmd {
	cmd := exec.Command(hewBinary(h.t), args...)
	cmd.Dir = dir
	cmd.Env = binaryEnv(h.t, h.dir, "OPENAI_API_KEY="+fakeKey, "OPENAI_BASE_URL="+baseURL, "GOFLAGS=-mod=mod")
	return cmd
}

// run runs hew to the end and returns its output and exit code.
func (h home) run(dir, baseURL string, args ...string) (stdout, stderr string, code int) {
	h.t.Helper()
	return runCaptured(h.t, h.cmd(dir, baseURL, args...))
}

func (h home) sessionFiles() []string { return sessionFiles(filepath.Join(h.dir, "state")) }

// sessionFiles lists the session files under the state directory state.
func sessionFiles(state string) []string {
	files, _ := filepath.Glob(filepath.Join(state, "hew", "sessions", "*.jsonl"))
	return files
}

// stallingServer forwards the first n requests to the fake server and holds the next one open
// until the client goes away, reporting on stalled when it arrives.
func stallingServer(t *testing.T, fake *llmtest.OpenAIServer, n int32) (baseURL string, stalled <-chan struct{}) {
	target, _ := url.Parse(strings.TrimSuffix(fake.URL(), "/v1"))
	proxy := httputil.NewSingleHostReverseProxy(target)
	ch := make(chan struct{}, 1)
	var seen atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if seen.Add(1) <= n {
			proxy.ServeHTTP(w, r)
			return
		}
		io.Copy(io.Discard, r.Body) // the server notices the client leave only once the body is read
		select {
		case ch <- struct{}{}:
		default:
		}
		<-r.Context().Done()
	}))
	t.Cleanup(srv.Close)
	return srv.URL + "/v1", ch
}

// TestSessionKilledMidTurnResumesWithItsCompletedEvents runs the built binary, end to end: it
// kills hew mid-turn, then lists and resumes the session.
func TestSessionKilledMidTurnResumesWithItsCompletedEvents(t *testing.T) {
	t.Parallel() // after the in-process tests, while the binary builds
	dir, h := goRepo(t), newHome(t)
	fake := llmtest.NewOpenAIServer(t, llmtest.Turn{ToolCalls: []llmtest.ToolCall{toolCall("read_file", map[string]any{"path": "calc.go"})}})
	base, stalled := stallingServer(t, fake, 1)

	cmd := h.cmd(dir, base, "exec", "--accept", "never", "ORIGINAL: why does TestAdd fail?")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	select {
	case <-stalled: // the tool ran and its result went back to the model, which now hangs
	case <-time.After(30 * time.Second):
		cmd.Process.Kill()
		t.Fatalf("the second model request never came\n%s", stderr.String())
	}
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	cmd.Wait()
	files := h.sessionFiles()
	if len(files) != 1 {
		t.Fatalf("session files: %v", files)
	}
	// A kill can also land mid-write: leave a torn line to prove it is ignored.
	f, _ := os.OpenFile(files[0], os.O_APPEND|os.O_WRONLY, 0)
	f.WriteString(`{"type":"message","message":{"role":"assistant","text":"torn`)
	f.Close()

	stdout, _, code := h.run(dir, "", "sessions")
	if code != 0 || !strings.Contains(stdout, "ORIGINAL: why does TestAdd fail?") {
		t.Errorf("hew sessions: exit %d\n%s", code, stdout)
	}

	srv := llmtest.NewOpenAIServer(t, llmtest.Turn{Text: "It subtracts."})
	stdout, stderrS, code := h.run(dir, srv.URL(), "exec", "--accept", "never", "--resume", "--last", "LATEST: and the fix?")
	if code != 0 || strings.TrimSpace(stdout) != "It subtracts." {
		t.Fatalf("resume: exit %d\nstdout %s\nstderr %s", code, stdout, stderrS)
	}
	msgs := chatMessages(t, srv.Requests()[0])
	var got []string
	for _, m := range msgs {
		got = append(got, m.Role+":"+clipForLog(m.Content+m.ToolCalls))
	}
	joined := strings.Join(got, "\n")
	for _, want := range []string{"user:ORIGINAL: why does TestAdd fail?", `"name":"read_file"`, "return a - b", "user:LATEST: and the fix?"} {
		if !strings.Contains(joined, want) {
			t.Errorf("the resumed request lacks %q:\n%s", want, joined)
		}
	}
	if strings.Contains(joined, "torn") {
		t.Error("the torn line reached the model")
	}
	if len(h.sessionFiles()) != 1 {
		t.Errorf("resume made a new session file: %v", h.sessionFiles())
	}
	raw, _ := os.ReadFile(files[0])
	if !strings.Contains(string(raw), `"resumed":true`) || !strings.Contains(string(raw), "It subtracts.") {
		t.Error("the resumed run was not appended to the session file")
	}
}

// chatMessage is a Chat Completions message as the fake server received it.
type chatMessage struct {
	Role, Content, ToolCalls string
}

func chatMessages(t *testing.T, r llmtest.RecordedRequest) []chatMessage {
	t.Helper()
	raw, _ := r.JSON["messages"].([]any)
	if raw == nil {
		raw, _ = r.JSON["input"].([]any) // the Responses API
	}
	var out []chatMessage
	for _, m := range raw {
		mm, _ := m.(map[string]any)
		role, _ := mm["role"].(string)
		if role == "" {
			role, _ = mm["type"].(string)
		}
		out = append(out, chatMessage{Role: role, Content: flatten(mm["content"]) + flatten(mm["output"]),
			ToolCalls: flatten(mm["tool_calls"]) + flatten(mm["arguments"]) + flatten(mm["name"])})
	}
	return out
}

// flatten renders any JSON value as text, for substring checks.
func flatten(v any) string {
	switch v := v.(type) {
	case nil:
		return ""
	case string:
		return v
	}
	b, _ := json.Marshal(v)
	return string(b)
}

func clipForLog(s string) string {
	if len(s) > 300 {
		return s[:300]
	}
	return s
}

func TestOverflowCompactsKeepingRequestPlanProposalAndInstructions(t *testing.T) {
	dir, state := goRepo(t), t.TempDir()
	run := func(baseURL string, args ...string) (stdout, stderr string, code int) {
		env := fakeServerEnv(baseURL)
		env["XDG_STATE_HOME"] = state // the runs share their sessions
		stdout, stderr, code, _ = runHewEnv(t, dir, env, "", args...)
		return stdout, stderr, code
	}
	gittest.WriteFile(t, filepath.Join(dir, "AGENTS.md"), "AGENTS-RULE: run go vet before finishing.\n")
	first := llmtest.NewOpenAIServer(t,
		llmtest.Turn{ToolCalls: []llmtest.ToolCall{toolCall("update_plan", map[string]any{"steps": []map[string]string{
			{"step": "PLAN-STEP fix Add", "status": "done"}, {"step": "PLAN-STEP document Add", "status": "in_progress"}}})}},
		llmtest.Turn{ToolCalls: []llmtest.ToolCall{toolCall("apply_patch", map[string]any{"patch": fixPatch})}},
		llmtest.Turn{Text: "OLD-ANSWER: Add is fixed."},
	)
	if _, stderr, code := run(first.URL(), "exec", "--accept", "never", "ORIGINAL: fix the failing test"); code != 0 {
		t.Fatalf("first run: exit %d\n%s", code, stderr)
	}

	overflow := `{"error":{"message":"This model's maximum context length is 400000 tokens.","type":"invalid_request_error","param":"messages","code":"context_length_exceeded"}}`
	srv := llmtest.NewOpenAIServer(t,
		llmtest.Turn{Status: 400, ErrorBody: overflow},
		llmtest.Turn{Text: "SUMMARY-TEXT: Add was fixed in calc.go.", Usage: llm.Usage{InputTokens: 500, OutputTokens: 20}},
		llmtest.Turn{Text: "Documented."},
	)
	stdout, stderr, code := run(srv.URL(), "exec", "--accept", "never", "--resume", "--last", "LATEST: also document Add")
	if code != 0 || strings.TrimSpace(stdout) != "Documented." {
		t.Fatalf("exit %d\nstdout %s\nstderr %s", code, stdout, stderr)
	}
	reqs := srv.Requests()
	if len(reqs) != 3 {
		t.Fatalf("%d requests, want overflow, summary, retry", len(reqs))
	}
	summaryReq := string(reqs[1].Body)
	for _, want := range []string{"summarising the earlier part of a coding session", "OLD-ANSWER", "apply_patch"} {
		if !strings.Contains(summaryReq, want) {
			t.Errorf("the summary request lacks %q", want)
		}
	}
	retry := string(reqs[2].Body)
	for _, want := range []string{
		"You are hew",                           // the system prompt
		"AGENTS-RULE: run go vet",               // AGENTS.md
		"ORIGINAL: fix the failing test",        // the original request
		"LATEST: also document Add",             // the latest message
		"SUMMARY-TEXT",                          // the summary
		"[in_progress] PLAN-STEP document Add",  // the plan
		"M calc.go (+1 -1)", "+\\treturn a + b", // the pending proposal
	} {
		if !strings.Contains(retry, want) {
			t.Errorf("the request after compaction lacks %q", want)
		}
	}
	if strings.Contains(retry, "OLD-ANSWER") {
		t.Error("the compacted turn is still sent verbatim")
	}
	raw, _ := os.ReadFile(sessionFiles(state)[0])
	if !strings.Contains(string(raw), `"type":"compacted"`) || !strings.Contains(string(raw), `"reason":"overflow"`) {
		t.Error("the session file does not record the compaction")
	}
}

func TestCapsStopExecWithExit1AndAReason(t *testing.T) {
	dir := goRepo(t)
	loop := llmtest.Turn{ToolCalls: []llmtest.ToolCall{toolCall("list_files", map[string]any{})}, Usage: llm.Usage{InputTokens: 400_000, OutputTokens: 100}}
	cases := []struct {
		name  string
		args  []string
		turns []llmtest.Turn
		want  string
	}{
		{"turns", []string{"--max-turns", "2"}, []llmtest.Turn{loop, loop}, "max-turns cap (2)"},
		{"tokens", []string{"--max-tokens", "1000"}, []llmtest.Turn{loop}, "max-tokens cap (1000)"},
		{"cost", []string{"--max-cost", "0.10"}, []llmtest.Turn{loop}, "max-cost cap ($0.10)"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			srv := llmtest.NewOpenAIServer(t, c.turns...)
			args := append([]string{"exec", "--accept", "never"}, c.args...)
			_, stderr, code, _ := runHew(t, dir, srv.URL(), "", append(args, "loop forever")...)
			if code != 1 || !strings.Contains(stderr, c.want) {
				t.Errorf("exit %d, want 1 with %q; stderr:\n%s", code, c.want, stderr)
			}
			if srv.Remaining() != 0 {
				t.Errorf("%d scripted turns unused", srv.Remaining())
			}
		})
	}
	t.Run("timeout", func(t *testing.T) {
		fake := llmtest.NewOpenAIServer(t)
		base, _ := stallingServer(t, fake, 0)
		start := time.Now()
		_, stderr, code, _ := runHew(t, dir, base, "", "exec", "--accept", "never", "--timeout", "1s", "hang")
		if code != 1 || !strings.Contains(stderr, "--timeout of 1s ran out") {
			t.Errorf("exit %d, want 1 with the timeout; stderr:\n%s", code, stderr)
		}
		if took := time.Since(start); took > 10*time.Second {
			t.Errorf("the timeout took %s to stop the run", took)
		}
	})
}
