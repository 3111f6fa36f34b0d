package main

import (
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"hew/agent/llm"
	"hew/agent/llm/llmtest"
	"hew/gitops/gittest"
)

// These tests run hew against GPT models that Amazon Bedrock serves only through its
// OpenAI-compatible endpoint, played by the fake OpenAI server, reached only through the standard
// endpoint override variables.

// gpt55 prices per million tokens, from the catalogue's source (Bedrock on-demand, June 2026),
// written out here so a catalogue or cost mistake shows.
const (
	gpt55Input, gpt55Cached, gpt55Output = 5.50, 0.55, 33.0
)

var mantleSigV4 = regexp.MustCompile(`^AWS4-HMAC-SHA256 Credential=AKIAFAKEFAKEFAKE/\d{8}/us-east-2/bedrock-mantle/aws4_request, SignedHeaders=\S+, Signature=[0-9a-f]{64}$`)

func TestExecWithBedrockGPTThroughTheOpenAICompatibleEndpoint(t *testing.T) {
	dir := goRepo(t)
	head := gittest.Git(t, dir, "rev-parse", "HEAD")
	const secret = "fakeSecretAccessKey/DO-NOT-LEAK/gpt-0123456789"
	usages := []llm.Usage{
		{InputTokens: 12000, OutputTokens: 300},
		{InputTokens: 14000, CachedTokens: 11000, OutputTokens: 500, ReasoningTokens: 200},
		{InputTokens: 15000, CachedTokens: 13000, OutputTokens: 120},
		{InputTokens: 18000, CachedTokens: 14000, OutputTokens: 60},
	}
	srv := llmtest.NewOpenAIServer(t,
		llmtest.Turn{ToolCalls: []llmtest.ToolCall{toolCall("read_file", map[string]any{"path": "calc.go"})}, Usage: usages[0]},
		llmtest.Turn{Reasoning: "Add subtracts; patch it.", ToolCalls: []llmtest.ToolCall{toolCall("apply_patch", map[string]any{"patch": fixPatch})}, Usage: usages[1]},
		llmtest.Turn{ToolCalls: []llmtest.ToolCall{toolCall("run", map[string]any{"command": "env; go test ./...", "timeout_s": 900})}, Usage: usages[2]},
		llmtest.Turn{Text: "Fix Add to return the sum", Usage: usages[3]},
	)
	env := awsEnv(t, map[string]string{
		"AWS_ENDPOINT_URL_BEDROCK_RUNTIME": srv.Root(),
		"AWS_REGION":                       "us-east-2",
		"AWS_ACCESS_KEY_ID":                "AKIAFAKEFAKEFAKE",
		"AWS_SECRET_ACCESS_KEY":            secret,
	})
	stdout, stderr, code, state := runHewEnv(t, dir, env, "", "exec", "--provider", "bedrock",
		"--model", "openai.gpt-5.5", "--commit", "--json", "fix the failing test")
	if code != 0 {
		t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
	// One new commit holding only the fix; the user's own edit left uncommitted.
	if n := gittest.Git(t, dir, "rev-list", "--count", head+"..HEAD"); n != "1" {
		t.Errorf("%s new commits, want 1", n)
	}
	if diff := gittest.Git(t, dir, "diff", "--stat", head, "HEAD"); !strings.HasPrefix(diff, "calc.go ") || strings.Count(diff, "\n") != 1 {
		t.Errorf("the commit changes:\n%s\nwant calc.go only", diff)
	}
	if st := gittest.Git(t, dir, "status", "--porcelain"); st != "M NOTES.md" {
		t.Errorf("git status = %q", st)
	}

	reqs := srv.Requests()
	if len(reqs) != 4 {
		t.Fatalf("%d requests, want 4", len(reqs))
	}
	for i, r := range reqs {
		if r.Path != "/openai/v1/responses" || r.JSON["model"] != "openai.gpt-5.5" {
			t.Errorf("request %d: %s for model %v, want the Responses API for openai.gpt-5.5", i, r.Path, r.JSON["model"])
		}
		if auth := r.Header.Get("Authorization"); !mantleSigV4.MatchString(auth) {
			t.Errorf("request %d: Authorization = %q, want SigV4 for bedrock-mantle in us-east-2", i, auth)
		}
		if strings.Contains(string(r.Body), secret) || strings.Contains(string(r.Body), "AKIAFAKEFAKEFAKE") {
			t.Errorf("request %d shows AWS credentials to the model", i)
		}
	}
	if last := string(reqs[3].Body); !strings.Contains(last, "ok  \\texample.com/calc") {
		t.Errorf("the test output did not reach the model: %.2000s", last)
	}

	// Each turn's cost is the catalogue price of its usage; the session total is their sum.
	got := usageEvents(t, stdout)
	if len(got) != len(usages) {
		t.Fatalf("%d usage events, want %d:\n%s", len(got), len(usages), stdout)
	}
	total := 0.0
	for i, u := range usages {
		want := (float64(u.InputTokens-u.CachedTokens)*gpt55Input + float64(u.CachedTokens)*gpt55Cached + float64(u.OutputTokens)*gpt55Output) / 1e6
		total += want
		if got[i].Usage != u || !near(got[i].CostUSD, want) || !near(got[i].TotalCostUSD, total) {
			t.Errorf("turn %d: usage %+v cost $%.6f total $%.6f, want %+v $%.6f total $%.6f",
				i+1, got[i].Usage, got[i].CostUSD, got[i].TotalCostUSD, u, want, total)
		}
	}

	files, _ := filepath.Glob(filepath.Join(state, "hew", "sessions", "*.jsonl"))
	if len(files) != 1 {
		t.Fatalf("session files: %v", files)
	}
	raw, _ := os.ReadFile(files[0])
	if strings.Contains(string(raw), secret) {
		t.Error("the session file holds the AWS secret")
	}
}

func TestExecWithBedrockGPTAndAPIKeyOverTLS(t *testing.T) {
	dir := goRepo(t)
	const token = "bedrock-api-key-DO-NOT-LEAK-77"
	srv := llmtest.NewOpenAITLSServer(t, llmtest.Turn{Text: "Nothing to change.", Usage: llm.Usage{InputTokens: 2000, OutputTokens: 10}})
	bundle := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(bundle, srv.Certificate(), 0o600); err != nil {
		t.Fatal(err)
	}
	runtime := llmtest.NewBedrockServer(t) // fails the test if anything reaches it
	env := awsEnv(t, map[string]string{
		"AWS_ENDPOINT_URL_BEDROCK_MANTLE":  srv.Root(),
		"AWS_ENDPOINT_URL_BEDROCK_RUNTIME": runtime.URL,
		"AWS_CA_BUNDLE":                    bundle,
		"AWS_BEARER_TOKEN_BEDROCK":         token,
	})
	stdout, stderr, code, _ := runHewEnv(t, dir, env, "", "exec", "--provider", "bedrock", "--region", "us-east-2",
		"--model", "openai.gpt-5.4", "--accept", "never", "is anything wrong?")
	if code != 0 {
		t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
	if !strings.Contains(stdout, "Nothing to change.") {
		t.Errorf("answer not on stdout: %q", stdout)
	}
	reqs := srv.Requests()
	if len(reqs) != 1 || reqs[0].Header.Get("Authorization") != "Bearer "+token {
		t.Fatalf("requests %d, Authorization %q, want the Bedrock API key as bearer token", len(reqs), reqs[0].Header.Get("Authorization"))
	}
	if strings.Contains(stdout+stderr, token) {
		t.Error("hew printed the Bedrock API key")
	}
}

// usageEvent is the part of a --json usage event the cost check reads.
type usageEvent struct {
	Usage        llm.Usage `json:"usage"`
	CostUSD      float64   `json:"cost_usd"`
	TotalCostUSD float64   `json:"total_cost_usd"`
}

// usageEvents returns the usage events of hew exec --json output, in order.
func usageEvents(t *testing.T, stdout string) []usageEvent {
	t.Helper()
	var out []usageEvent
	for _, line := range strings.Split(strings.TrimSpace(stdout), "\n") {
		var e struct {
			Type string `json:"type"`
			usageEvent
		}
		if err := json.Unmarshal([]byte(line), &e); err != nil {
			t.Fatalf("stdout line is not JSON: %q: %v", line, err)
		}
		if e.Type == "usage" {
			out = append(out, e.usageEvent)
		}
	}
	return out
}

func near(a, b float64) bool { return math.Abs(a-b) < 1e-9 }
