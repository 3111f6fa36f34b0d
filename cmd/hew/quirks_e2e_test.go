package main

import (
	"strings"
	"testing"

	"hew/agent/llm"
	"hew/agent/llm/llmtest"
	"hew/gitops/gittest"
)

// Real servers' quirks through the whole command: the exit code and what reaches the tree.

func TestExecFailsWhenAContentFilterStopsTheAnswer(t *testing.T) {
	dir := goRepo(t)
	head := gittest.Git(t, dir, "rev-parse", "HEAD")
	stub := "Here is the fix you asked"
	srv := llmtest.NewOpenAIServer(t,
		llmtest.Turn{ToolCalls: []llmtest.ToolCall{toolCall("apply_patch", map[string]any{"patch": fixPatch})}},
		// Azure: the answer is cut by its content filter.
		llmtest.Turn{Raw: llmtest.Chunks(
			`{"id":"c1","object":"chat.completion.chunk","created":1,"model":"gpt-4o","choices":[{"index":0,"delta":{"role":"assistant","content":"`+stub+`"},"finish_reason":null}]}`,
			`{"id":"c1","object":"chat.completion.chunk","created":1,"model":"gpt-4o","choices":[{"content_filter_results":{"violence":{"filtered":true,"severity":"medium"}},"index":0,"delta":{},"finish_reason":"content_filter"}]}`,
		)},
	)
	stdout, stderr, code, _ := runHew(t, dir, srv.URL(), "", "exec", "--accept", "auto", "--commit", "fix it")
	if code != 1 || !strings.Contains(stderr, "content filter") {
		t.Fatalf("exit %d, want 1 naming the filter\nstderr:\n%s", code, stderr)
	}
	if strings.Contains(stdout, stub) {
		t.Errorf("the filtered stub was printed as the answer: %q", stdout)
	}
	if got := gittest.Git(t, dir, "rev-parse", "HEAD"); got != head {
		t.Error("a filtered run committed")
	}
}

func TestExecRunsGeminisIndexlessParallelCalls(t *testing.T) {
	dir := goRepo(t)
	call := func(id, path string) string {
		return `{"model":"gemini-2.5-flash","object":"chat.completion.chunk","choices":[{"delta":{"role":"assistant","tool_calls":[{"function":{"arguments":"{\"path\":\"` + path + `\"}","name":"read_file"},"id":"` + id + `","type":"function"}]},"index":0}]}`
	}
	srv := llmtest.NewOpenAIServer(t,
		llmtest.Turn{Raw: llmtest.Chunks(call("call_1", "calc.go"), call("call_2", "NOTES.md"),
			`{"model":"gemini-2.5-flash","object":"chat.completion.chunk","choices":[{"delta":{},"finish_reason":"stop","index":0}]}`)},
		llmtest.Turn{Text: "Both files read."},
	)
	srv.Enforce(llmtest.RuleChatToolPairing)
	stdout, stderr, code, _ := runHew(t, dir, srv.URL(), "", "exec", "--accept", "never", "--model", "gemini-2.5-flash", "read both files")
	if code != 0 || !strings.Contains(stdout, "Both files read.") {
		t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
	reqs := srv.Requests()
	follow := string(reqs[len(reqs)-1].Body)
	if !strings.Contains(follow, "func Add") || !strings.Contains(follow, `"tool_call_id":"call_2"`) {
		t.Errorf("the follow-up lacks one of the two results:\n%.3000s", follow)
	}
}

func TestExecRefusesABedrockModelWithoutToolUse(t *testing.T) {
	dir := goRepo(t)
	srv := llmtest.NewBedrockServer(t)
	env := awsEnv(t, map[string]string{"AWS_ENDPOINT_URL_BEDROCK_RUNTIME": srv.URL, "AWS_REGION": "us-east-1",
		"AWS_ACCESS_KEY_ID": "AKIAFAKEFAKEFAKE", "AWS_SECRET_ACCESS_KEY": "secret"})
	_, stderr, code, _ := runHewEnv(t, dir, env, "", "exec", "--provider", "bedrock", "--model", "us.deepseek.r1-v1:0", "hi")
	if code != 2 || !strings.Contains(stderr, "cannot use tools") || !strings.Contains(stderr, "hew review") {
		t.Errorf("exit %d, want 2 with a clear refusal:\n%s", code, stderr)
	}
	if n := len(srv.Requests()); n != 0 {
		t.Errorf("%d requests reached Bedrock", n)
	}
}

func TestExecFailsWhenABedrockGuardrailIntervenes(t *testing.T) {
	dir := goRepo(t)
	srv := llmtest.NewBedrockServer(t, llmtest.BedrockTurn{Text: []string{"Sorry, I can't help with that."}, Stop: "guardrail_intervened"})
	env := awsEnv(t, map[string]string{"AWS_ENDPOINT_URL_BEDROCK_RUNTIME": srv.URL, "AWS_REGION": "us-east-1",
		"AWS_ACCESS_KEY_ID": "AKIAFAKEFAKEFAKE", "AWS_SECRET_ACCESS_KEY": "secret"})
	stdout, stderr, code, _ := runHewEnv(t, dir, env, "", "exec", "--provider", "bedrock", "--model", "us.anthropic.claude-sonnet-4-5-20250929-v1:0", "hi")
	if code != 1 || !strings.Contains(stderr, "guardrail") || strings.Contains(stdout, "Sorry") {
		t.Errorf("exit %d, want 1 naming the guardrail\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
}

func TestExecNamesTheConfiguredGuardrailWhenItIntervenes(t *testing.T) {
	dir := goRepo(t)
	srv := llmtest.NewBedrockServer(t, llmtest.BedrockTurn{Text: []string{"Blocked by policy."}, Stop: "guardrail_intervened"})
	env := awsEnv(t, map[string]string{"AWS_ENDPOINT_URL_BEDROCK_RUNTIME": srv.URL, "AWS_REGION": "us-east-1",
		"AWS_ACCESS_KEY_ID": "AKIAFAKEFAKEFAKE", "AWS_SECRET_ACCESS_KEY": "secret", "HEW_BEDROCK_GUARDRAIL": "gr-team7:DRAFT"})
	_, stderr, code, _ := runHewEnv(t, dir, env, "", "exec", "--provider", "bedrock", "--model", "us.anthropic.claude-sonnet-4-5-20250929-v1:0", "hi")
	if code != 1 || !strings.Contains(stderr, "gr-team7:DRAFT") {
		t.Errorf("exit %d, want 1 naming the guardrail:\n%s", code, stderr)
	}
	if g, _ := srv.Requests()[0].Body["guardrailConfig"].(map[string]any); g["guardrailIdentifier"] != "gr-team7" {
		t.Errorf("the guardrail was not applied: %v", srv.Requests()[0].Body)
	}
}

func TestExecSizesAModelTheCatalogueLacks(t *testing.T) {
	for name, tc := range map[string]struct {
		models []map[string]any
		want   string
	}{
		"from the server's list":      {[]map[string]any{{"id": "qwen-local", "max_model_len": 8192}}, `"context_window":8192`},
		"else a conservative default": {nil, `"context_window":32768`},
	} {
		t.Run(name, func(t *testing.T) {
			dir := goRepo(t)
			srv := llmtest.NewOpenAIServer(t, llmtest.Turn{Text: "hi", Usage: llm.Usage{InputTokens: 100, OutputTokens: 5}})
			srv.SetModels(tc.models...)
			stdout, stderr, code, _ := runHew(t, dir, srv.URL(), "", "exec", "--json", "--accept", "never", "--model", "qwen-local", "hi")
			if code != 0 || !strings.Contains(stdout, tc.want) {
				t.Errorf("exit %d; want usage with %s\nstdout:\n%s\nstderr:\n%s", code, tc.want, stdout, stderr)
			}
		})
	}
}

func TestReviewRunsAModelWithoutToolUse(t *testing.T) {
	dir := reviewRepo(t)
	srv := llmtest.NewBedrockServer(t, llmtest.BedrockTurn{Text: []string{"```json\n" + plantedFinding + "\n```"}})
	srv.Enforce(llmtest.RuleBedrockConversation, llmtest.RuleBedrockNoToolUse)
	env := awsEnv(t, map[string]string{"AWS_ENDPOINT_URL_BEDROCK_RUNTIME": srv.URL, "AWS_REGION": "us-east-1",
		"AWS_ACCESS_KEY_ID": "AKIAFAKEFAKEFAKE", "AWS_SECRET_ACCESS_KEY": "secret"})
	stdout, stderr, code, _ := runHewEnv(t, dir, env, "", "review", "--provider", "bedrock", "--model", "us.deepseek.r1-v1:0", "--uncommitted", "--format", "json")
	if code != 0 || !strings.Contains(stdout, "Add subtracts instead of adding") {
		t.Errorf("exit %d\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
}
