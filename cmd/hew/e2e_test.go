package main

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"hew/agent/llm/llmtest"
	"hew/gitops/gittest"
)

const fakeKey = "sk-e2e-DO-NOT-LEAK-4f9a2c"

const buggyCalc = `package calc

// Add returns the sum of a and b.
func Add(a, b int) int {
	return a - b
}
`

// goRepo makes a committed Go module whose test fails, plus an unrelated uncommitted edit.
func goRepo(t *testing.T) string {
	t.Helper()
	dir := gittest.NewRepo(t, map[string]string{
		"go.mod":  "module example.com/calc\n\ngo 1.21\n",
		"calc.go": buggyCalc,
		"calc_test.go": `package calc

import "testing"

func TestAdd(t *testing.T) {
	if got := Add(2, 3); got != 5 {
		t.Fatalf("Add(2, 3) = %d, want 5", got)
	}
}
`,
		"NOTES.md": "# notes\n",
	})
	gittest.WriteFile(t, filepath.Join(dir, "NOTES.md"), "# notes\nmy own work in progress\n")
	return dir
}

// runHewBinary runs the built binary in dir with a clean environment pointing at the fake
// server at baseURL.
func runHewBinary(t *testing.T, dir, baseURL string, stdin string, args ...string) (stdout, stderr string, code int, state string) {
	t.Helper()
	home := t.TempDir()
	cmd := exec.Command(hewBinary(t), args...)
	cmd.Dir = dir
	cmd.Stdin = strings.NewReader(stdin)
	cmd.Env = binaryEnv(t, home, "OPENAI_API_KEY="+fakeKey, "OPENAI_BASE_URL="+baseURL)
	stdout, stderr, code = runCaptured(t, cmd)
	return stdout, stderr, code, filepath.Join(home, "state")
}

func toolCall(name string, args any) llmtest.ToolCall {
	b, _ := json.Marshal(args)
	return llmtest.ToolCall{Name: name, Arguments: string(b)}
}

const fixPatch = `*** Begin Patch
*** Update File: calc.go
@@ func Add(a, b int) int {
-	return a - b
+	return a + b
 }
*** End Patch`

// TestExecFixesTheFailingTestAndCommitsOnlyTheFix runs the built binary, end to end: the model
// reads, patches and tests in the sandbox, and hew commits the fix alone.
func TestExecFixesTheFailingTestAndCommitsOnlyTheFix(t *testing.T) {
	t.Parallel() // after the in-process tests, while the binary builds
	dir := goRepo(t)
	head := gittest.Git(t, dir, "rev-parse", "HEAD")
	// The user also has an uncommitted note in the very file the fix changes.
	gittest.WriteFile(t, filepath.Join(dir, "calc.go"), buggyCalc+"\n// my note: check overflow\n")
	srv := llmtest.NewOpenAIServer(t,
		llmtest.Turn{ToolCalls: []llmtest.ToolCall{toolCall("read_file", map[string]any{"path": "calc.go"})}},
		llmtest.Turn{ToolCalls: []llmtest.ToolCall{toolCall("apply_patch", map[string]any{"patch": fixPatch})}},
		llmtest.Turn{ToolCalls: []llmtest.ToolCall{toolCall("run", map[string]any{"command": "env; go test ./...", "timeout_s": 900})}},
		llmtest.Turn{Text: "Fix Add to return the sum\n\nAdd subtracted b from a; it now adds them, and the test passes."},
	)
	stdout, stderr, code, state := runHewBinary(t, dir, srv.URL(), "", "exec", "--commit", "fix the failing test")
	if code != 0 {
		t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
	if !strings.Contains(stdout, "Fix Add to return the sum") {
		t.Errorf("final message not on stdout: %q", stdout)
	}

	// The commit holds exactly the fix; the user's edit stays in place and uncommitted.
	if got := gittest.Git(t, dir, "rev-parse", "HEAD~1"); got != head {
		t.Errorf("HEAD~1 = %s, want the old HEAD %s", got, head)
	}
	if files := gittest.Git(t, dir, "show", "--name-only", "--format=", "HEAD"); files != "calc.go" {
		t.Errorf("commit touches %q, want only calc.go", files)
	}
	if st := gittest.Git(t, dir, "status", "--porcelain"); st != "M NOTES.md\n M calc.go" {
		t.Errorf("git status = %q, want only the user's own edits left", st)
	}
	committed := gittest.Git(t, dir, "show", "HEAD:calc.go")
	if !strings.Contains(committed, "a + b") || strings.Contains(committed, "my note") {
		t.Errorf("committed calc.go:\n%s", committed)
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "calc.go")); !strings.Contains(string(b), "a + b") || !strings.Contains(string(b), "my note") {
		t.Errorf("working tree calc.go lost the fix or the note:\n%s", b)
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "NOTES.md")); !strings.Contains(string(b), "my own work") {
		t.Error("the user's uncommitted edit was lost")
	}
	msg := gittest.Git(t, dir, "log", "-1", "--format=%B")
	if !strings.HasPrefix(msg, "Fix the failing test\n") || !strings.Contains(msg, "- calc.go: modified, line 5 (+1 -1)") ||
		strings.Contains(msg, "Add subtracted") || !strings.Contains(msg, "Co-authored-by: hew") {
		t.Errorf("commit message:\n%s", msg)
	}
	gittest.Git(t, dir, "fsck", "--no-progress")
	// The tree was checkpointed before accepting, under hew's private refs, which the user's
	// branch does not reach.
	cps := strings.Fields(gittest.Git(t, dir, "for-each-ref", "--format=%(refname)", "refs/hew/"))
	if len(cps) != 1 {
		t.Errorf("checkpoints %v, want 1", cps)
	}
	for _, cp := range cps {
		if gittest.Git(t, dir, "branch", "--contains", cp) != "" {
			t.Errorf("a branch contains checkpoint %s", cp)
		}
	}

	// The model saw its tool results; the run tool's environment held no API key.
	reqs := srv.Requests()
	if len(reqs) != 4 {
		t.Fatalf("%d model requests, want 4", len(reqs))
	}
	last := string(reqs[3].Body)
	if !strings.Contains(last, "PATH=") || !strings.Contains(last, "ok  \\texample.com/calc") {
		t.Errorf("the run result did not reach the model: %s", last)
	}
	for i, r := range reqs {
		if strings.Contains(string(r.Body), fakeKey) {
			t.Errorf("request %d body contains the API key (the sandboxed command could see it)", i)
		}
	}
	// The session file holds the events but no key.
	files, _ := filepath.Glob(filepath.Join(state, "hew", "sessions", "*.jsonl"))
	if len(files) != 1 {
		t.Fatalf("session files: %v", files)
	}
	raw, _ := os.ReadFile(files[0])
	if strings.Contains(string(raw), fakeKey) {
		t.Error("the session file contains the API key")
	}
	for _, want := range []string{`"type":"session_started"`, `"type":"tool_finished"`, `"type":"test_run"`, `"type":"committed"`} {
		if !strings.Contains(string(raw), want) {
			t.Errorf("session file lacks %s", want)
		}
	}
}

func TestExecLeavesTreeAndHeadWhenThePatchBreaksTests(t *testing.T) {
	dir := goRepo(t)
	head := gittest.Git(t, dir, "rev-parse", "HEAD")
	before := gittest.Git(t, dir, "status", "--porcelain")
	breaking := strings.ReplaceAll(fixPatch, "+\treturn a + b", "+\treturn a * b")
	srv := llmtest.NewOpenAIServer(t,
		llmtest.Turn{ToolCalls: []llmtest.ToolCall{toolCall("apply_patch", map[string]any{"patch": breaking})}},
		llmtest.Turn{Text: "Changed Add."},
	)
	stdout, stderr, code, _ := runHew(t, dir, srv.URL(), "", "exec", "--commit", "--json", "fix the failing test")
	if code != 1 {
		t.Fatalf("exit %d, want 1\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
	if got := gittest.Git(t, dir, "rev-parse", "HEAD"); got != head {
		t.Error("HEAD moved")
	}
	if got := gittest.Git(t, dir, "status", "--porcelain"); got != before {
		t.Errorf("status changed: %q → %q", before, got)
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "calc.go")); string(b) != buggyCalc {
		t.Error("calc.go was changed")
	}
	// --json: every stdout line is an event; the test run failed and the last says why.
	lines := strings.Split(strings.TrimSpace(stdout), "\n")
	var sawFailedTests bool
	for _, l := range lines {
		var ev map[string]any
		if err := json.Unmarshal([]byte(l), &ev); err != nil {
			t.Fatalf("not JSON: %q", l)
		}
		if ev["type"] == "test_run" && ev["passed"] == false {
			sawFailedTests = true
		}
	}
	if !sawFailedTests {
		t.Error("no failed test_run event")
	}
	if !strings.Contains(lines[len(lines)-1], "tests fail") {
		t.Errorf("last event: %s", lines[len(lines)-1])
	}
}

// TestExecSingleTurnIsFast times the built binary: start-up is part of what it measures.
func TestExecSingleTurnIsFast(t *testing.T) {
	t.Parallel() // after the in-process tests, while the binary builds
	dir := goRepo(t)
	srv := llmtest.NewOpenAIServer(t, llmtest.Turn{Text: "hello"}, llmtest.Turn{Text: "hello"})
	hewBinary(t)
	runHewBinary(t, dir, srv.URL(), "", "exec", "--accept", "never", "say hello") // warm caches
	start := time.Now()
	stdout, stderr, code, _ := runHewBinary(t, dir, srv.URL(), "", "exec", "--accept", "never", "say hello")
	took := time.Since(start)
	if code != 0 || strings.TrimSpace(stdout) != "hello" {
		t.Fatalf("exit %d stdout %q stderr %s", code, stdout, stderr)
	}
	t.Logf("single-turn hew exec: %s", took)
	if took > time.Second {
		t.Errorf("single-turn hew exec took %s", took)
	}
}

func TestExecPromptFromStdinAndConfigErrors(t *testing.T) {
	dir := goRepo(t)
	srv := llmtest.NewOpenAIServer(t, llmtest.Turn{Text: "read it"})
	stdout, _, code, _ := runHew(t, dir, srv.URL(), "what is this repo?\n", "exec", "--accept", "never", "-")
	if code != 0 || !strings.Contains(stdout, "read it") {
		t.Fatalf("exit %d stdout %q", code, stdout)
	}
	if got := srv.Requests()[0].Body; !bytes.Contains(got, []byte("what is this repo?")) {
		t.Errorf("stdin prompt not sent: %s", got)
	}
	gittest.WriteFile(t, filepath.Join(dir, ".hew", "config.toml"), "modle = \"x\"\n")
	_, stderr, code, _ := runHew(t, dir, srv.URL(), "", "exec", "x")
	if code != 2 || !strings.Contains(stderr, `unknown key "modle"`) {
		t.Errorf("unknown config key: exit %d, %s", code, stderr)
	}
}

func TestExecWithBedrockThroughTheEndpointOverride(t *testing.T) {
	dir := goRepo(t)
	head := gittest.Git(t, dir, "rev-parse", "HEAD")
	const secret = "fakeSecretAccessKey/DO-NOT-LEAK/0123456789"
	input := func(v any) []string {
		b, _ := json.Marshal(v)
		s := string(b)
		return []string{s[:len(s)/2], s[len(s)/2:]} // split across deltas, as Bedrock streams it
	}
	srv := llmtest.NewBedrockServer(t,
		llmtest.BedrockTurn{Tools: []llmtest.BedrockToolUse{{ID: "t1", Name: "read_file", Input: input(map[string]any{"path": "calc.go"})}}},
		llmtest.BedrockTurn{Tools: []llmtest.BedrockToolUse{{ID: "t2", Name: "edit_file", Input: input(map[string]any{"path": "calc.go", "old_string": "return a - b", "new_string": "return a + b"})}}},
		llmtest.BedrockTurn{Tools: []llmtest.BedrockToolUse{{ID: "t3", Name: "run", Input: input(map[string]any{"command": "env; go test ./...", "timeout_s": 900})}}},
		llmtest.BedrockTurn{Text: []string{"Fix Add ", "to return the sum"}, Usage: llmtest.BedrockUsage{Input: 1200, Output: 40}},
	)
	env := awsEnv(t, map[string]string{
		"AWS_ENDPOINT_URL_BEDROCK_RUNTIME": srv.URL,
		"AWS_REGION":                       "us-east-1",
		"AWS_ACCESS_KEY_ID":                "AKIAFAKEFAKEFAKE",
		"AWS_SECRET_ACCESS_KEY":            secret,
	})
	stdout, stderr, code, state := runHewEnv(t, dir, env, "", "exec", "--provider", "bedrock",
		"--model", "us.anthropic.claude-sonnet-4-5-20250929-v1:0", "--commit", "fix the failing test")
	if code != 0 {
		t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
	if got := gittest.Git(t, dir, "rev-parse", "HEAD~1"); got != head {
		t.Errorf("no new commit on HEAD")
	}
	if files := gittest.Git(t, dir, "show", "--name-only", "--format=", "HEAD"); files != "calc.go" {
		t.Errorf("commit touches %q", files)
	}
	if st := gittest.Git(t, dir, "status", "--porcelain"); st != "M NOTES.md" {
		t.Errorf("git status = %q", st)
	}
	reqs := srv.Requests()
	if len(reqs) != 4 {
		t.Fatalf("%d requests", len(reqs))
	}
	last := string(reqs[3].Raw)
	if !strings.Contains(last, "ok  \\texample.com/calc") {
		t.Errorf("the test output did not reach the model: %.2000s", last)
	}
	for i, r := range reqs {
		if strings.Contains(string(r.Raw), secret) || strings.Contains(string(r.Raw), "AKIAFAKEFAKEFAKE") {
			t.Errorf("request %d shows AWS credentials to the model", i)
		}
	}
	files, _ := filepath.Glob(filepath.Join(state, "hew", "sessions", "*.jsonl"))
	raw, _ := os.ReadFile(files[0])
	if strings.Contains(string(raw), secret) {
		t.Error("the session file holds the AWS secret")
	}
}
