package main

import (
	"maps"
	"strings"
	"testing"

	"hew/agent/llm/llmtest"
)

// envWith is the fake server's environment with more variables.
func envWith(baseURL string, more map[string]string) map[string]string {
	env := fakeServerEnv(baseURL)
	maps.Copy(env, more)
	return env
}

func TestAHangingServerEndsWithAClearMessageAndExit1(t *testing.T) {
	dir := goRepo(t)
	srv := llmtest.NewOpenAIServer(t, llmtest.Turn{Hang: true}, llmtest.Turn{Hang: true})
	_, stderr, code, _ := runHewEnv(t, dir, envWith(srv.URL(), map[string]string{"HEW_STREAM_IDLE_TIMEOUT": "300ms", "HEW_MAX_RETRIES": "1"}),
		"", "exec", "--accept", "never", "why does TestAdd fail?")
	if code != exitFailed || !strings.Contains(stderr, "did not answer within 300ms (stream idle timeout)") ||
		!strings.Contains(stderr, "retrying in") || !strings.Contains(stderr, "(2 of 2)") || !strings.Contains(stderr, "stream_idle") {
		t.Fatalf("exit %d\n%s", code, stderr)
	}
	if n := len(srv.Requests()); n != 2 {
		t.Errorf("%d requests, want the first and one retry", n)
	}
}

func TestAStreamThatGoesSilentMidAnswerEndsWithExit1(t *testing.T) {
	dir := goRepo(t)
	// The answer began, so the provider cannot retry it; hew sends it again whole twice (no
	// tool call had come), then gives up.
	stall := llmtest.Turn{Text: "Let me look at the failing test in some detail first.", HangAfterBytes: 400}
	srv := llmtest.NewOpenAIServer(t, stall, stall, stall)
	_, stderr, code, _ := runHewEnv(t, dir, envWith(srv.URL(), map[string]string{"HEW_STREAM_IDLE_TIMEOUT": "300ms"}),
		"", "exec", "--accept", "never", "why does TestAdd fail?")
	if code != exitFailed || !strings.Contains(stderr, "sent nothing for 300ms mid-stream") || !strings.Contains(stderr, "sending the request again (2 of 2)") {
		t.Fatalf("exit %d\n%s", code, stderr)
	}
	if srv.Remaining() != 0 {
		t.Errorf("%d turns left", srv.Remaining())
	}
}

func TestReviewTimeout(t *testing.T) {
	dir := reviewRepo(t)
	srv := llmtest.NewOpenAIServer(t, llmtest.Turn{Hang: true})
	_, stderr, code, _ := runHew(t, dir, srv.URL(), "", "review", "--timeout", "500ms")
	if code != exitFailed || !strings.Contains(stderr, "did not finish within --timeout 500ms") {
		t.Fatalf("exit %d\n%s", code, stderr)
	}
	if _, stderr, code, _ := runHew(t, dir, srv.URL(), "", "review", "--timeout", "0s"); code != exitUsage || !strings.Contains(stderr, "positive duration") {
		t.Errorf("--timeout 0s: exit %d\n%s", code, stderr)
	}
}

func TestRateLimitWaitsAreShown(t *testing.T) {
	dir := goRepo(t)
	srv := llmtest.NewOpenAIServer(t, llmtest.Turn{Status: 429, RetryAfter: "1", ErrorBody: "Rate limit reached"}, llmtest.Turn{Text: "It subtracts."})
	stdout, stderr, code, _ := runHew(t, dir, srv.URL(), "", "exec", "--accept", "never", "why does TestAdd fail?")
	if code != 0 || !strings.Contains(stdout, "It subtracts.") || !strings.Contains(stderr, "rate limited; retrying in 1s (2 of 6)") {
		t.Fatalf("exit %d\nstdout %s\nstderr %s", code, stdout, stderr)
	}
}

func TestARetryAfterOverTheCeilingFailsAtOnce(t *testing.T) {
	dir := goRepo(t)
	srv := llmtest.NewOpenAIServer(t, llmtest.Turn{Status: 429, RetryAfter: "120", ErrorBody: "Rate limit reached"})
	_, stderr, code, _ := runHewEnv(t, dir, envWith(srv.URL(), map[string]string{"HEW_MAX_RETRY_WAIT": "1m"}),
		"", "exec", "--accept", "never", "why does TestAdd fail?")
	if code != exitFailed || !strings.Contains(stderr, "try again in 2m0s") || strings.Contains(stderr, "retrying in") {
		t.Fatalf("exit %d\n%s", code, stderr)
	}
}

func TestAModelRepeatingAFailingCallIsStopped(t *testing.T) {
	dir := goRepo(t)
	var turns []llmtest.Turn
	for range 6 {
		turns = append(turns, llmtest.Turn{ToolCalls: []llmtest.ToolCall{toolCall("read_file", map[string]any{"path": "nope.go"})}})
	}
	srv := llmtest.NewOpenAIServer(t, turns...)
	_, stderr, code, _ := runHew(t, dir, srv.URL(), "", "exec", "--accept", "never", "read nope.go")
	if code != exitFailed || !strings.Contains(stderr, "repeating itself") || !strings.Contains(stderr, "5 times in a row") {
		t.Fatalf("exit %d\n%s", code, stderr)
	}
	if srv.Remaining() != 1 {
		t.Errorf("%d turns left, want the run stopped after the fifth identical call", srv.Remaining())
	}
	reqs := srv.Requests()
	if !strings.Contains(string(reqs[3].Body), "same call with the same result 3 times") {
		t.Error("the model was not told it repeats itself")
	}
}
