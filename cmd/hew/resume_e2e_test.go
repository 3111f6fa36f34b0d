package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os/exec"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"hew/agent/llm/llmtest"
	"hew/sandbox/capture"
)

// These tests run the built binary: a session is made with `hew exec`, then resumed in the
// terminal UI under tmux, and what the screen shows and what reaches the model server are
// checked.

// runBinary runs the built hew in dir with exactly env and returns its output and exit code.
func runBinary(t *testing.T, dir string, env []string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	cmd := exec.Command(hewBinary(t), args...)
	cmd.Dir, cmd.Env = dir, env
	return runCaptured(t, cmd)
}

// runCaptured runs cmd and returns its output and exit code; failing to start it fails the test.
func runCaptured(t testing.TB, cmd *exec.Cmd) (stdout, stderr string, code int) {
	t.Helper()
	var o, e bytes.Buffer
	cmd.Stdout, cmd.Stderr = &o, &e
	err := cmd.Run()
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return o.String(), e.String(), code
}

// bedrockEnv is an environment in which the AWS SDK finds nothing of the developer's own and
// reaches the fake Bedrock server at endpoint with fake keys, plus extra.
func bedrockEnv(t *testing.T, home, endpoint string, extra ...string) []string {
	aws := llmtest.AWSEnv(t.TempDir())
	aws["AWS_ENDPOINT_URL_BEDROCK_RUNTIME"] = endpoint
	aws["AWS_ACCESS_KEY_ID"] = "AKIAFAKEFAKEFAKE"
	aws["AWS_SECRET_ACCESS_KEY"] = "fake-secret-for-resume"
	keys := make([]string, 0, len(aws))
	for k := range aws {
		if k != "HOME" {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	env := []string{"TERM=xterm-256color"}
	for _, k := range keys {
		env = append(env, k+"="+aws[k])
	}
	return binaryEnv(t, home, append(env, extra...)...)
}

func bedrockInput(v any) []string {
	b, _ := json.Marshal(v)
	s := string(b)
	return []string{s[:len(s)/2], s[len(s)/2:]}
}

// A Bedrock session resumed where no OpenAI key exists and no AWS region is set continues on
// Bedrock, with its model and the region it ran in, and its transcript shows the plan, the tool
// call as it was summarised live and its real run time — not raw JSON arguments or 0s.
func TestResumeContinuesABedrockSessionOnItsModelAndRegion(t *testing.T) {
	t.Parallel()
	dir, home := goRepo(t), t.TempDir()
	const model = "us.anthropic.claude-haiku-4-5-20251001-v1:0"
	first := llmtest.NewBedrockServer(t,
		llmtest.BedrockTurn{Tools: []llmtest.BedrockToolUse{{ID: "p1", Name: "update_plan", Input: bedrockInput(map[string]any{"steps": []map[string]string{
			{"step": "PLAN-ONE read the code", "status": "done"}, {"step": "PLAN-TWO explain the bug", "status": "in_progress"}}})}}},
		llmtest.BedrockTurn{Tools: []llmtest.BedrockToolUse{{ID: "r1", Name: "run", Input: bedrockInput(map[string]any{"command": "sleep 0.3; echo SLEPT"})}}},
		llmtest.BedrockTurn{Text: []string{"FIRST-ANSWER: Add subtracts."}},
	)
	_, stderr, code := runBinary(t, dir, bedrockEnv(t, home, first.URL, "AWS_REGION=us-east-2"),
		"exec", "--provider", "bedrock", "--model", model, "--accept", "never", "why does TestAdd fail?")
	if code != 0 {
		t.Fatalf("first run: exit %d\n%s", code, stderr)
	}

	second := llmtest.NewBedrockServer(t, llmtest.BedrockTurn{Text: []string{"SECOND-ANSWER: on Bedrock still."}})
	s := startTmux(t, dir, bedrockEnv(t, home, second.URL), 150, 45, "resume", "--last")
	scr := s.waitFor("why does TestAdd fail?", "FIRST-ANSWER", "PLAN-TWO explain the bug", "run sleep 0.3; echo SLEPT",
		"resumed on the session's own bedrock model "+model+" (region us-east-2)")
	if strings.Contains(scr, `{"command"`) || strings.Contains(scr, `"steps"`) {
		t.Errorf("the resumed transcript shows raw tool arguments:\n%s", scr)
	}
	line := lineWith(scr, "run sleep 0.3")
	if m := regexp.MustCompile(`exit 0 (\S+)`).FindStringSubmatch(line); m == nil || parseDuration(m[1]) < 300*time.Millisecond {
		t.Errorf("the tool call's run time is not the real one (≥ 300ms): %q", line)
	}
	s.keys("-l", "and now?")
	s.keys("Enter")
	s.waitFor("SECOND-ANSWER: on Bedrock still.")
	reqs := second.Requests()
	if len(reqs) != 1 {
		t.Fatalf("%d Bedrock requests, want 1", len(reqs))
	}
	if reqs[0].Model != model {
		t.Errorf("resumed on model %q, want %q", reqs[0].Model, model)
	}
	if auth := reqs[0].Header.Get("Authorization"); !strings.Contains(auth, "/us-east-2/bedrock/aws4_request") {
		t.Errorf("the request was not signed for us-east-2: %q", auth)
	}
	if !strings.Contains(string(reqs[0].Raw), "FIRST-ANSWER") {
		t.Error("the resumed request lacks the conversation")
	}
}

// An OpenAI session resumes on its own model, not the default; --model switches it, saying so,
// and the switch lasts; a provider that cannot be used says how to fix it.
func TestResumeKeepsTheSessionsModelUntilSwitchedExplicitly(t *testing.T) {
	t.Parallel()
	dir, h := goRepo(t), newHome(t)
	models := func(srv *llmtest.OpenAIServer) []any {
		var out []any
		for _, r := range srv.Requests() {
			out = append(out, r.JSON["model"])
		}
		return out
	}
	first := llmtest.NewOpenAIServer(t, llmtest.Turn{Text: "one"})
	if _, stderr, code := h.run(dir, first.URL(), "exec", "--accept", "never", "--model", "gpt-5-mini", "first"); code != 0 {
		t.Fatalf("first run: exit %d\n%s", code, stderr)
	}

	// In the UI: the session's own model, announced.
	second := llmtest.NewOpenAIServer(t, llmtest.Turn{Text: "TWO-ON-MINI"})
	s := startTmux(t, dir, binaryEnv(t, h.dir, "TERM=xterm-256color", "OPENAI_API_KEY="+fakeKey, "OPENAI_BASE_URL="+second.URL()), 100, 30, "resume", "--last")
	s.waitFor("resumed on the session's own openai model gpt-5-mini")
	s.keys("-l", "second")
	s.keys("Enter")
	s.waitFor("TWO-ON-MINI")
	if got := models(second); fmt.Sprint(got) != "[gpt-5-mini]" {
		t.Errorf("resumed UI asked models %v, want the session's gpt-5-mini", got)
	}
	s.keys("C-c")
	s.keys("C-c")
	waitGone(t, s)

	// Headless, --model switches, and says so; the next resume stays on the new model.
	third := llmtest.NewOpenAIServer(t, llmtest.Turn{Text: "three"}, llmtest.Turn{Text: "four"})
	_, stderr, code := h.run(dir, third.URL(), "exec", "--accept", "never", "--resume", "--last", "--model", "gpt-5.1", "third")
	if code != 0 || !strings.Contains(stderr, "switched from the session's openai model gpt-5-mini to openai model gpt-5.1") {
		t.Fatalf("switch: exit %d\n%s", code, stderr)
	}
	if _, stderr, code := h.run(dir, third.URL(), "exec", "--accept", "never", "--resume", "--last", "fourth"); code != 0 {
		t.Fatalf("fourth run: exit %d\n%s", code, stderr)
	}
	if got := models(third); fmt.Sprint(got) != "[gpt-5.1 gpt-5.1]" {
		t.Errorf("models asked %v, want gpt-5.1 for the switched turn and the one after", got)
	}

	// Without a key, the error names the session's model and the fixes.
	cmd := h.cmd(dir, third.URL(), "exec", "--accept", "never", "--resume", "--last", "fifth")
	cmd.Env = binaryEnv(t, h.dir) // no OPENAI_API_KEY
	var out bytes.Buffer
	cmd.Stderr = &out
	err := cmd.Run()
	msg := out.String()
	if err == nil || !strings.Contains(msg, "ran on openai model gpt-5.1, which cannot be used here") ||
		!strings.Contains(msg, "set OPENAI_API_KEY") || !strings.Contains(msg, "--provider") {
		t.Errorf("resume without a key: %v\n%s", err, msg)
	}
}

// A command printing 100,000 lines: the model is told exactly how many lines were left out, and
// the UI's count, live and resumed, is exact too.
func TestOmittedLinesAreCountedExactlyForTheModelAndOnScreen(t *testing.T) {
	t.Parallel()
	dir, home := goRepo(t), t.TempDir()
	srv := llmtest.NewOpenAIServer(t,
		llmtest.Turn{ToolCalls: []llmtest.ToolCall{toolCall("run", map[string]any{"command": "seq 1 100000"})}},
		llmtest.Turn{Text: "COUNTED."},
	)
	env := binaryEnv(t, home, "TERM=xterm-256color", "OPENAI_API_KEY="+fakeKey, "OPENAI_BASE_URL="+srv.URL())
	s := startTmux(t, dir, env, 120, 45)
	s.waitFor("Ask for a change")
	s.keys("-l", "count to a lot")
	s.keys("Enter")
	s.waitFor("COUNTED.")

	// What the model got: the lines shown and the markers' counts add up to 100,000.
	reqs := srv.Requests()
	out := toolOutput(t, reqs[len(reqs)-1])
	shown := 0
	var left capture.Omission
	for _, l := range strings.Split(out, "\n") {
		if o, ok := capture.ParseMarker(l); ok {
			left = left.Add(o)
		} else if _, err := strconv.Atoi(l); err == nil {
			shown++
		}
	}
	if shown+int(left.Lines) != 100_000 || left.Lines == 0 {
		t.Errorf("the model saw %d lines and was told %d were left out; want 100000 in all", shown, left.Lines)
	}

	// On screen: the first 8 lines of the result ("exit code 0 …", 1 to 7) and the last 8
	// (99993 to 100000), so 8 to 99992 are left out: 99,985 lines.
	s.keys("C-o")
	s.waitFor("[… 99985 lines (", "│ 99993", "│ 100000")
	s.keys("C-c")
	s.keys("C-c")
	waitGone(t, s)
	r := startTmux(t, dir, env, 120, 45, "resume", "--last")
	r.waitFor("COUNTED.")
	r.keys("C-o")
	r.waitFor("[… 99985 lines (", "│ 100000")
}

// toolOutput returns the text of the last tool result in a Responses or Chat request.
func toolOutput(t *testing.T, r llmtest.RecordedRequest) string {
	t.Helper()
	var out string
	for _, m := range chatMessages(t, r) {
		if m.Role == "tool" || m.Role == "function_call_output" {
			out = m.Content
		}
	}
	if out == "" {
		t.Fatalf("no tool result in the request: %s", clipForLog(string(r.Body)))
	}
	return out
}

// waitGone waits for hew to quit.
func waitGone(t *testing.T, s *tmuxSession) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for exec.Command("tmux", "-L", s.socket, "has-session", "-t", s.name).Run() == nil {
		if time.Now().After(deadline) {
			t.Fatalf("hew did not quit:\n%s", s.screen())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func lineWith(screen, s string) string {
	for _, l := range strings.Split(screen, "\n") {
		if strings.Contains(l, s) {
			return l
		}
	}
	return ""
}

func parseDuration(s string) time.Duration {
	d, _ := time.ParseDuration(s)
	return d
}
