package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"hew/agent/llm"
	"hew/agent/llm/llmtest"
	"hew/gitops/gittest"
)

// These tests run hew with several models at once, against a fake Bedrock runtime and a fake
// OpenAI server, each driven by the real SDK client: model roles, failover, best of N and the
// second opinion (README "Working with several models").

const claude = "us.anthropic.claude-sonnet-4-5-20250929-v1:0"

// multiEnv is the environment of a run against both fakes, with the user's config file holding
// config.
func multiEnv(t *testing.T, bedrock *llmtest.BedrockServer, openai *llmtest.OpenAIServer, config string) map[string]string {
	t.Helper()
	cfgDir := t.TempDir()
	gittest.WriteFile(t, filepath.Join(cfgDir, "hew", "config.toml"), config)
	env := awsEnv(t, map[string]string{
		"AWS_ENDPOINT_URL_BEDROCK_RUNTIME": bedrock.URL,
		"AWS_REGION":                       "us-east-1",
		"AWS_ACCESS_KEY_ID":                "AKIAFAKEFAKEFAKE",
		"AWS_SECRET_ACCESS_KEY":            "fakeSecretKey",
	})
	env["OPENAI_API_KEY"], env["OPENAI_BASE_URL"] = fakeKey, openai.URL()
	env["XDG_CONFIG_HOME"] = cfgDir
	env["HEW_MAX_RETRIES"] = "0" // the retry budget is spent at once: fail over without waiting
	return env
}

// jsonEvents returns the events of --json output of the given type, decoded.
func jsonEvents(t *testing.T, stdout, typ string) []map[string]any {
	t.Helper()
	var out []map[string]any
	for _, line := range strings.Split(strings.TrimSpace(stdout), "\n") {
		var e map[string]any
		if err := json.Unmarshal([]byte(line), &e); err != nil {
			t.Fatalf("stdout line is not JSON: %q: %v", line, err)
		}
		if e["type"] == typ {
			out = append(out, e)
		}
	}
	return out
}

func bedrockTool(id, name string, args any) llmtest.BedrockToolUse {
	b, _ := json.Marshal(args)
	return llmtest.BedrockToolUse{ID: id, Name: name, Input: []string{string(b)}}
}

func TestThrottledPrimaryFailsOverMidTurnAndTheTaskSucceeds(t *testing.T) {
	dir := goRepo(t)
	bedrock := llmtest.NewBedrockServer(t,
		llmtest.BedrockTurn{Reasoning: []string{"Read calc.go first."}, Signature: "sig-only-bedrock-reads-this",
			Tools: []llmtest.BedrockToolUse{bedrockTool("tu1", "read_file", map[string]any{"path": "calc.go"})},
			Usage: llmtest.BedrockUsage{Input: 3000, Output: 40}},
		llmtest.BedrockTurn{ErrorType: "ThrottlingException", Status: 429, ErrorMessage: "Too many requests, please wait before trying again."},
	)
	openai := llmtest.NewOpenAIServer(t,
		llmtest.Turn{ToolCalls: []llmtest.ToolCall{toolCall("apply_patch", map[string]any{"patch": fixPatch})}, Usage: llm.Usage{InputTokens: 3500, OutputTokens: 50}},
		llmtest.Turn{Text: "Fixed Add.", Usage: llm.Usage{InputTokens: 3600, OutputTokens: 5}},
	)
	env := multiEnv(t, bedrock, openai, `provider = "bedrock"
model = "`+claude+`"
edit_tool = "both"
fallback = ["openai:gpt-5.1-codex"]
`)
	stdout, stderr, code, state := runHewEnv(t, dir, env, "", "exec", "--json", "fix the failing test")
	if code != 0 {
		t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "calc.go")); !strings.Contains(string(b), "a + b") {
		t.Errorf("the fix was not accepted:\n%s", b)
	}
	if n := len(bedrock.Requests()); n != 2 {
		t.Errorf("%d Bedrock requests, want 2 (the second throttled)", n)
	}
	reqs := openai.Requests()
	if len(reqs) != 2 {
		t.Fatalf("%d OpenAI requests, want 2", len(reqs))
	}
	first := string(reqs[0].Body)
	if reqs[0].JSON["model"] != "gpt-5.1-codex" || !strings.Contains(first, "return a - b") || !strings.Contains(first, "fix the failing test") {
		t.Errorf("the conversation did not carry over to the fallback: %.1500s", first)
	}
	if strings.Contains(first, "sig-only-bedrock-reads-this") || strings.Contains(first, "Read calc.go first.") {
		t.Error("Bedrock's signed reasoning was sent to OpenAI")
	}

	fo := jsonEvents(t, stdout, "failover")
	if len(fo) != 1 || fo[0]["from"] != "bedrock:"+claude || fo[0]["to"] != "openai:gpt-5.1-codex" ||
		fo[0]["dropped"] != "1 reasoning block" || !strings.Contains(fo[0]["reason"].(string), "rate_limit") {
		t.Errorf("failover events: %v", fo)
	}
	var models []string
	for _, u := range jsonEvents(t, stdout, "usage") {
		models = append(models, u["model"].(string)+"/"+u["role"].(string))
	}
	if strings.Join(models, ",") != claude+"/agent,gpt-5.1-codex/agent,gpt-5.1-codex/agent" {
		t.Errorf("usage by model: %v", models)
	}
	logs, _ := filepath.Glob(filepath.Join(state, "hew", "sessions", "*.jsonl"))
	if len(logs) != 1 {
		t.Fatalf("session logs: %v", logs)
	}
	if raw, _ := os.ReadFile(logs[0]); !strings.Contains(string(raw), `"type":"failover"`) {
		t.Error("the session log does not record the failover")
	}
}
