package bedrock

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"reflect"
	"strings"
	"testing"
	"time"

	"hew/agent/llm"
	"hew/agent/llm/llmtest"
	"hew/agent/llm/netwait"
)

const claude = "us.anthropic.claude-sonnet-4-5-20250929-v1:0"

// isolate points the AWS SDK at empty configuration so the developer's own ~/.aws, environment
// and instance metadata never leak into a test, and sets static test credentials.
func isolate(t *testing.T) {
	for k, v := range llmtest.AWSEnv(t.TempDir()) {
		t.Setenv(k, v)
	}
	t.Setenv("AWS_ACCESS_KEY_ID", "AKIDTESTKEY")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "test-secret-key")
}

// loopbackOnly is the test transport: it refuses any host but the local fake server, so a test
// that resolved the wrong endpoint fails instead of reaching AWS.
type loopbackOnly struct{ base http.RoundTripper }

func (l loopbackOnly) RoundTrip(r *http.Request) (*http.Response, error) {
	if host, _, _ := net.SplitHostPort(r.URL.Host); host != "127.0.0.1" {
		return nil, fmt.Errorf("test transport: refusing non-local host %s", r.URL.Host)
	}
	return l.base.RoundTrip(r)
}

func testClient(base *http.Client) *http.Client {
	tr := http.DefaultTransport
	if base != nil && base.Transport != nil {
		tr = base.Transport
	}
	return &http.Client{Transport: loopbackOnly{tr}}
}

func newProvider(t *testing.T, srv *llmtest.BedrockServer, opts Options) *Provider {
	t.Helper()
	if opts.Region == "" {
		opts.Region = "us-east-1"
	}
	if opts.Endpoint == "" && srv != nil {
		opts.Endpoint = srv.URL
	}
	if opts.HTTPClient == nil && srv != nil {
		opts.HTTPClient = testClient(srv.Client)
	}
	return mustNew(t, opts)
}

// repeat returns n copies of v: the turns of a server that answers every attempt alike.
func repeat[T any](v T, n int) []T {
	out := make([]T, n)
	for i := range out {
		out[i] = v
	}
	return out
}

// mustNew returns New(opts) with retries a millisecond apart unless opts say otherwise.
func mustNew(t *testing.T, opts Options) *Provider {
	t.Helper()
	if opts.RetryWait == 0 {
		opts.RetryWait = time.Millisecond
	}
	p, err := New(context.Background(), opts)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return p
}

// collect runs Stream and records the deltas.
func collect(t *testing.T, p *Provider, req llm.Request) (llm.Response, []llm.Delta, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	var deltas []llm.Delta
	resp, err := p.Stream(ctx, req, func(d llm.Delta) { deltas = append(deltas, d) })
	return resp, deltas, err
}

var readFile = llm.Tool{Name: "read_file", Description: "Read a file.", Parameters: json.RawMessage(`{"type":"object","properties":{"path":{"type":"string"}},"required":["path"]}`)}

func TestStreamTextReasoningToolUseAndUsage(t *testing.T) {
	isolate(t)
	srv := llmtest.NewBedrockServer(t, llmtest.BedrockTurn{
		Reasoning: []string{"The user wants ", "the README."},
		Signature: "sig-123",
		Text:      []string{"Let me ", "look."},
		Tools:     []llmtest.BedrockToolUse{{ID: "tu_1", Name: "read_file", Input: []string{`{"pa`, `th": "READ`, `ME.md"}`}}},
		Usage:     llmtest.BedrockUsage{Input: 10, Output: 20, CacheRead: 1000, CacheWrite: 200},
	})
	p := newProvider(t, srv, Options{})
	resp, deltas, err := collect(t, p, llm.Request{
		Model: claude, System: "You are hew.", ReasoningEffort: "medium", MaxOutputTokens: 2000,
		Messages: []llm.Message{{Role: llm.RoleUser, Text: "show me the readme"}},
		Tools:    []llm.Tool{readFile},
	})
	if err != nil {
		t.Fatal(err)
	}
	wantDeltas := []llm.Delta{
		{Kind: llm.DeltaReasoning, Text: "The user wants "}, {Kind: llm.DeltaReasoning, Text: "the README."},
		{Kind: llm.DeltaText, Text: "Let me "}, {Kind: llm.DeltaText, Text: "look."},
		{Kind: llm.DeltaToolCall, ToolCall: llm.ToolCall{ID: "tu_1", Name: "read_file"}},
	}
	if !reflect.DeepEqual(deltas, wantDeltas) {
		t.Errorf("deltas:\n got %+v\nwant %+v", deltas, wantDeltas)
	}
	want := llm.Message{Role: llm.RoleAssistant, Text: "Let me look.",
		Reasoning: []llm.Reasoning{{Text: "The user wants the README.", Signature: "sig-123"}},
		ToolCalls: []llm.ToolCall{{ID: "tu_1", Name: "read_file", Arguments: `{"path": "README.md"}`}}}
	if !reflect.DeepEqual(resp.Message, want) {
		t.Errorf("message:\n got %+v\nwant %+v", resp.Message, want)
	}
	if resp.Stop != llm.StopToolUse {
		t.Errorf("stop = %q, want tool_use", resp.Stop)
	}
	wantUsage := llm.Usage{InputTokens: 1210, CachedTokens: 1000, CacheWriteTokens: 200, OutputTokens: 20}
	if resp.Usage != wantUsage {
		t.Errorf("usage = %+v, want %+v (input counts cached tokens)", resp.Usage, wantUsage)
	}

	reqs := srv.Requests()
	if len(reqs) != 1 || !reqs[0].Stream || reqs[0].Model != claude {
		t.Fatalf("requests = %+v, want one ConverseStream for %s", reqs, claude)
	}
	if auth := reqs[0].Header.Get("Authorization"); !strings.HasPrefix(auth, "AWS4-HMAC-SHA256 Credential=AKIDTESTKEY/") || !strings.Contains(auth, "/us-east-1/bedrock/") {
		t.Errorf("Authorization = %q, want a SigV4 signature for bedrock in us-east-1", auth)
	}
	body := reqs[0].Body
	assertJSON(t, body["system"], `[{"text":"You are hew."},{"cachePoint":{"type":"default"}}]`)
	tools := body["toolConfig"].(map[string]any)["tools"].([]any)
	if len(tools) != 2 || !reflect.DeepEqual(tools[1], map[string]any{"cachePoint": map[string]any{"type": "default"}}) {
		t.Errorf("tools = %v, want the tool spec then a cache point", tools)
	}
	assertJSON(t, body["additionalModelRequestFields"], `{"thinking":{"type":"enabled","budget_tokens":8192}}`)
	assertJSON(t, body["inferenceConfig"], `{"maxTokens":12288}`)
}

func assertJSON(t *testing.T, got any, want string) {
	t.Helper()
	var w any
	if err := json.Unmarshal([]byte(want), &w); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, w) {
		g, _ := json.Marshal(got)
		t.Errorf("got %s, want %s", g, want)
	}
}

func TestHistoryGoesBackWithSignaturesAndToolResults(t *testing.T) {
	isolate(t)
	srv := llmtest.NewBedrockServer(t, llmtest.BedrockTurn{Text: []string{"done"}})
	p := newProvider(t, srv, Options{})
	_, _, err := collect(t, p, llm.Request{Model: claude, Messages: []llm.Message{
		{Role: llm.RoleUser, Text: "fix it"},
		{Role: llm.RoleAssistant, Text: "Reading.",
			Reasoning: []llm.Reasoning{{Text: "think", Signature: "sig"}, {Text: "unsigned, from another model"}, {Encrypted: "AQID"}},
			ToolCalls: []llm.ToolCall{{ID: "a", Name: "read_file", Arguments: `{"path":"x"}`}, {ID: "b", Name: "run", Arguments: `not json`}}},
		{Role: llm.RoleTool, ToolCallID: "a", ToolName: "read_file", Text: "1 package x"},
		{Role: llm.RoleTool, ToolCallID: "b", ToolName: "run", Text: "exit 1", IsError: true},
		{Role: llm.RoleUser, Text: "go on"},
	}})
	if err != nil {
		t.Fatal(err)
	}
	assertJSON(t, srv.Requests()[0].Body["messages"], `[
		{"role":"user","content":[{"text":"fix it"}]},
		{"role":"assistant","content":[
			{"reasoningContent":{"reasoningText":{"text":"think","signature":"sig"}}},
			{"reasoningContent":{"redactedContent":"AQID"}},
			{"text":"Reading."},
			{"toolUse":{"toolUseId":"a","name":"read_file","input":{"path":"x"}}},
			{"toolUse":{"toolUseId":"b","name":"run","input":{}}}]},
		{"role":"user","content":[
			{"toolResult":{"toolUseId":"a","content":[{"text":"1 package x"}],"status":"success"}},
			{"toolResult":{"toolUseId":"b","content":[{"text":"exit 1"}],"status":"error"}},
			{"text":"go on"}]}]`)
}

func TestFamiliesFollowTheCatalogue(t *testing.T) {
	isolate(t)
	user := []llm.Message{{Role: llm.RoleUser, Text: "hi"}}

	t.Run("nova caches the system prompt but not tools", func(t *testing.T) {
		srv := llmtest.NewBedrockServer(t, llmtest.BedrockTurn{Text: []string{"ok"}})
		_, _, err := collect(t, newProvider(t, srv, Options{}), llm.Request{Model: "us.amazon.nova-pro-v1:0", System: "sys", Messages: user, Tools: []llm.Tool{readFile}, ReasoningEffort: "high"})
		if err != nil {
			t.Fatal(err)
		}
		body := srv.Requests()[0].Body
		assertJSON(t, body["system"], `[{"text":"sys"},{"cachePoint":{"type":"default"}}]`)
		if tools := body["toolConfig"].(map[string]any)["tools"].([]any); len(tools) != 1 {
			t.Errorf("Nova tools = %v, want the tool without a cache point", tools)
		}
		if _, ok := body["additionalModelRequestFields"]; ok {
			t.Error("Nova was sent reasoning fields it does not take")
		}
	})

	t.Run("llama with tools is called without streaming", func(t *testing.T) {
		srv := llmtest.NewBedrockServer(t, llmtest.BedrockTurn{Text: []string{"Reading ", "it."},
			Tools: []llmtest.BedrockToolUse{{ID: "t1", Name: "read_file", Input: []string{`{"path":"go.mod"}`}}},
			Usage: llmtest.BedrockUsage{Input: 5, Output: 6}})
		resp, deltas, err := collect(t, newProvider(t, srv, Options{}), llm.Request{Model: "us.meta.llama3-3-70b-instruct-v1:0", System: "sys", Messages: user, Tools: []llm.Tool{readFile}})
		if err != nil {
			t.Fatal(err)
		}
		if srv.Requests()[0].Stream {
			t.Error("Llama with tools went through ConverseStream, which rejects its tool use")
		}
		want := []llm.ToolCall{{ID: "t1", Name: "read_file", Arguments: `{"path":"go.mod"}`}}
		if resp.Message.Text != "Reading it." || !reflect.DeepEqual(resp.Message.ToolCalls, want) || resp.Stop != llm.StopToolUse || resp.Usage.OutputTokens != 6 {
			t.Errorf("response = %+v", resp)
		}
		if len(deltas) != 2 || deltas[0].Text != "Reading it." || deltas[1].ToolCall.ID != "t1" {
			t.Errorf("deltas = %+v, want the text then the tool call", deltas)
		}
		if _, ok := srv.Requests()[0].Body["system"].([]any)[0].(map[string]any)["cachePoint"]; ok {
			t.Error("Llama was sent a cache point")
		}
	})

	t.Run("llama without tools streams", func(t *testing.T) {
		srv := llmtest.NewBedrockServer(t, llmtest.BedrockTurn{Text: []string{"hello"}})
		if _, _, err := collect(t, newProvider(t, srv, Options{}), llm.Request{Model: "meta.llama3-1-405b-instruct-v1:0", Messages: user}); err != nil {
			t.Fatal(err)
		}
		if !srv.Requests()[0].Stream {
			t.Error("Llama without tools did not stream")
		}
	})

	t.Run("mistral 7b gets the system prompt in the first user message", func(t *testing.T) {
		srv := llmtest.NewBedrockServer(t, llmtest.BedrockTurn{Text: []string{"ok"}})
		if _, _, err := collect(t, newProvider(t, srv, Options{}), llm.Request{Model: "mistral.mistral-7b-instruct-v0:2", System: "sys", Messages: user}); err != nil {
			t.Fatal(err)
		}
		body := srv.Requests()[0].Body
		if _, ok := body["system"]; ok {
			t.Error("Mistral 7B was sent a system prompt")
		}
		assertJSON(t, body["messages"], `[{"role":"user","content":[{"text":"sys"},{"text":"hi"}]}]`)
	})

	t.Run("gpt-oss takes a reasoning effort", func(t *testing.T) {
		srv := llmtest.NewBedrockServer(t, llmtest.BedrockTurn{Text: []string{"ok"}})
		if _, _, err := collect(t, newProvider(t, srv, Options{}), llm.Request{Model: "openai.gpt-oss-120b-1:0", Messages: user, ReasoningEffort: "minimal"}); err != nil {
			t.Fatal(err)
		}
		assertJSON(t, srv.Requests()[0].Body["additionalModelRequestFields"], `{"reasoning_effort":"low"}`)
	})

	t.Run("deepseek reasoning arrives but is not sent back", func(t *testing.T) {
		srv := llmtest.NewBedrockServer(t,
			llmtest.BedrockTurn{Reasoning: []string{"hmm"}, Text: []string{"42"}},
			llmtest.BedrockTurn{Text: []string{"yes"}})
		p := newProvider(t, srv, Options{})
		resp, _, err := collect(t, p, llm.Request{Model: "us.deepseek.r1-v1:0", Messages: user})
		if err != nil {
			t.Fatal(err)
		}
		if len(resp.Message.Reasoning) != 1 || resp.Message.Reasoning[0].Text != "hmm" {
			t.Fatalf("reasoning = %+v, want the streamed reasoning", resp.Message.Reasoning)
		}
		if _, _, err := collect(t, p, llm.Request{Model: "us.deepseek.r1-v1:0", Messages: append(user, resp.Message, llm.Message{Role: llm.RoleUser, Text: "sure?"})}); err != nil {
			t.Fatal(err)
		}
		assertJSON(t, srv.Requests()[1].Body["messages"].([]any)[1], `{"role":"assistant","content":[{"text":"42"}]}`)
	})
}

func TestMidStreamExceptionIsAStreamError(t *testing.T) {
	isolate(t)
	// messageStart, then one text delta, then the exception.
	srv := llmtest.NewBedrockServer(t, llmtest.BedrockTurn{Text: []string{"partial", " rest"},
		StreamException: "modelStreamErrorException", ExceptionAfter: 2, ExceptionText: "model crashed"})
	_, deltas, err := collect(t, newProvider(t, srv, Options{}), llm.Request{Model: claude, Messages: []llm.Message{{Role: llm.RoleUser, Text: "hi"}}})
	if llm.KindOf(err) != llm.ErrStream || !strings.Contains(err.Error(), "model crashed") {
		t.Fatalf("err = %v, want a stream error carrying the server's message", err)
	}
	if len(deltas) != 1 || deltas[0].Text != "partial" {
		t.Errorf("deltas = %+v, want only the text before the break", deltas)
	}
	if n := len(srv.Requests()); n != 1 {
		t.Errorf("%d requests: a stream that already showed text must not be replayed", n)
	}
}

func TestExceptionBeforeFirstDeltaIsRetried(t *testing.T) {
	isolate(t)
	srv := llmtest.NewBedrockServer(t,
		llmtest.BedrockTurn{Text: []string{"never shown"}, StreamException: "throttlingException", ExceptionAfter: 1, ExceptionText: "slow down"},
		llmtest.BedrockTurn{Text: []string{"fine"}})
	resp, deltas, err := collect(t, newProvider(t, srv, Options{}), llm.Request{Model: claude, Messages: []llm.Message{{Role: llm.RoleUser, Text: "hi"}}})
	// The wait is shown (a notice), then only the retried answer.
	if err != nil || resp.Message.Text != "fine" || len(deltas) != 2 || deltas[0].Kind != llm.DeltaNotice || !strings.Contains(deltas[0].Text, "(2 of 6)") {
		t.Fatalf("resp = %+v, deltas = %+v, err = %v; want the wait shown, then the retried answer alone", resp, deltas, err)
	}
}

func TestHTTPErrors(t *testing.T) {
	isolate(t)
	hi := []llm.Message{{Role: llm.RoleUser, Text: "hi"}}
	cases := []struct {
		name     string
		model    string
		turn     llmtest.BedrockTurn
		kind     llm.ErrorKind
		inMsg    []string
		requests int
	}{
		{"input too long", claude, llmtest.BedrockTurn{ErrorType: "ValidationException", ErrorMessage: "Input is too long for requested model."},
			llm.ErrContextOverflow, []string{"too long"}, 1},
		{"other validation", claude, llmtest.BedrockTurn{ErrorType: "ValidationException", ErrorMessage: "messages.0: bad field"},
			llm.ErrBadRequest, []string{"bad field"}, 1},
		{"model access", claude, llmtest.BedrockTurn{ErrorType: "AccessDeniedException", Status: 403, ErrorMessage: "You don't have access to the model with the specified model ID."},
			llm.ErrPermission, []string{"enable access to " + claude + " in us-west-2 in the Bedrock console"}, 1},
		{"unknown model", "anthropic.claude-sonet-4-5", llmtest.BedrockTurn{ErrorType: "ValidationException", ErrorMessage: "The provided model identifier is invalid."},
			llm.ErrNotFound, []string{"did you mean anthropic.claude-sonnet-4-5-20250929-v1:0"}, 1},
		{"on-demand not supported", "anthropic.claude-sonnet-4-5-20250929-v1:0", llmtest.BedrockTurn{ErrorType: "ValidationException", ErrorMessage: "Invocation of model ID anthropic.claude-sonnet-4-5-20250929-v1:0 with on-demand throughput isn't supported. Retry your request with the ID or ARN of an inference profile that contains this model."},
			llm.ErrBadRequest, []string{"us.anthropic.claude-sonnet-4-5-20250929-v1:0"}, 1},
		{"expired token", claude, llmtest.BedrockTurn{ErrorType: "ExpiredTokenException", Status: 403, ErrorMessage: "The security token included in the request is expired"},
			llm.ErrAuth, []string{"refresh your AWS credentials"}, 1},
		{"throttled to the end", claude, llmtest.BedrockTurn{ErrorType: "ThrottlingException", Status: 429, ErrorMessage: "Too many requests"},
			llm.ErrRateLimit, []string{"Too many requests", "quota"}, 3},
		{"server error to the end", claude, llmtest.BedrockTurn{ErrorType: "InternalServerException", Status: 500, ErrorMessage: "boom"},
			llm.ErrServer, []string{"boom"}, 3},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			srv := llmtest.NewBedrockServer(t, repeat(tc.turn, tc.requests)...)
			_, _, err := collect(t, newProvider(t, srv, Options{Region: "us-west-2", MaxRetries: 2}), llm.Request{Model: tc.model, Messages: hi})
			var le *llm.Error
			if !errors.As(err, &le) || le.Kind != tc.kind {
				t.Fatalf("err = %v (%T), want kind %s", err, err, tc.kind)
			}
			for _, s := range tc.inMsg {
				if !strings.Contains(err.Error(), s) {
					t.Errorf("error %q does not mention %q", err, s)
				}
			}
			if le.Status != tc.turn.Status && !(tc.turn.Status == 0 && le.Status == 400) {
				t.Errorf("status = %d, want %d", le.Status, tc.turn.Status)
			}
			if n := len(srv.Requests()); n != tc.requests {
				t.Errorf("%d requests, want %d", n, tc.requests)
			}
		})
	}
}

func TestThrottledThenSuccess(t *testing.T) {
	isolate(t)
	srv := llmtest.NewBedrockServer(t,
		llmtest.BedrockTurn{ErrorType: "ThrottlingException", Status: 429, ErrorMessage: "Too many requests", RetryAfter: "0"},
		llmtest.BedrockTurn{ErrorType: "ServiceUnavailableException", Status: 503, ErrorMessage: "try later"},
		llmtest.BedrockTurn{Text: []string{"hello"}})
	resp, _, err := collect(t, newProvider(t, srv, Options{}), llm.Request{Model: claude, Messages: []llm.Message{{Role: llm.RoleUser, Text: "hi"}}})
	if err != nil || resp.Message.Text != "hello" {
		t.Fatalf("resp = %+v, err = %v; want the answer after two retries", resp, err)
	}
	reqs := srv.Requests()
	if len(reqs) != 3 || reqs[0].Header.Get("Authorization") == reqs[2].Header.Get("Authorization") && reqs[0].Header.Get("X-Amz-Date") != reqs[2].Header.Get("X-Amz-Date") {
		t.Errorf("%d requests, want 3 each signed", len(reqs))
	}
}

func TestRetryableSeesRetryAfter(t *testing.T) {
	ok, after := retryable(&streamError{io.ErrUnexpectedEOF})
	if !ok || after != 0 {
		t.Errorf("a broken stream: retryable = %v after %v, want true after 0", ok, after)
	}
}

func TestBearerTokenOverTLS(t *testing.T) {
	isolate(t)
	srv := llmtest.NewBedrockTLSServer(t, llmtest.BedrockTurn{Text: []string{"secure"}})
	env := map[string]string{"AWS_BEARER_TOKEN_BEDROCK": "bedrock-api-key-123"}
	resp, _, err := collect(t, newProvider(t, srv, Options{Getenv: func(k string) string { return env[k] }}),
		llm.Request{Model: claude, Messages: []llm.Message{{Role: llm.RoleUser, Text: "hi"}}})
	if err != nil || resp.Message.Text != "secure" {
		t.Fatalf("resp = %+v, err = %v", resp, err)
	}
	if got := srv.Requests()[0].Header.Get("Authorization"); got != "Bearer bedrock-api-key-123" {
		t.Errorf("Authorization = %q, want the bearer token", got)
	}
}

func TestEndpointOverrideFromEnvironment(t *testing.T) {
	isolate(t)
	srv := llmtest.NewBedrockServer(t, llmtest.BedrockTurn{Text: []string{"local"}})
	t.Setenv("AWS_ENDPOINT_URL_BEDROCK_RUNTIME", srv.URL)
	t.Setenv("AWS_REGION", "eu-west-1")
	p, err := New(context.Background(), Options{HTTPClient: testClient(nil)}) // process environment only
	if err != nil {
		t.Fatal(err)
	}
	resp, _, err := collect(t, p, llm.Request{Model: claude, Messages: []llm.Message{{Role: llm.RoleUser, Text: "hi"}}})
	if err != nil || resp.Message.Text != "local" || p.Region() != "eu-west-1" {
		t.Fatalf("resp = %+v, region %s, err = %v", resp, p.Region(), err)
	}
}

func TestConfigurationErrors(t *testing.T) {
	t.Run("no region", func(t *testing.T) {
		isolate(t)
		_, err := New(context.Background(), Options{})
		if llm.KindOf(err) != llm.ErrConfig || !strings.Contains(err.Error(), "set AWS_REGION or --region") {
			t.Fatalf("err = %v, want a config error naming AWS_REGION and --region", err)
		}
	})
	t.Run("missing profile", func(t *testing.T) {
		isolate(t)
		_, err := New(context.Background(), Options{Region: "us-east-1", Profile: "nope"})
		if llm.KindOf(err) != llm.ErrConfig || !strings.Contains(err.Error(), "nope") {
			t.Fatalf("err = %v, want a config error naming the profile", err)
		}
	})
	testCredentialErrors(t, func(t *testing.T, opts Options) error {
		srv := llmtest.NewBedrockServer(t)
		_, _, err := collect(t, newProvider(t, srv, opts), llm.Request{Model: claude, Messages: []llm.Message{{Role: llm.RoleUser, Text: "hi"}}})
		return err
	})
}

// testCredentialErrors checks that stream, run with no static keys and an AWS config file
// holding an expired SSO profile or nothing, fails saying how to provide credentials.
func testCredentialErrors(t *testing.T, stream func(t *testing.T, opts Options) error) {
	cases := []struct {
		name, config string
		opts         Options
		want         string
	}{
		{"no credentials", "", Options{}, "AWS_PROFILE"},
		{"expired sso", "[profile dev]\nsso_start_url = https://example.awsapps.com/start\nsso_region = us-east-1\nsso_account_id = 123456789012\nsso_role_name = Dev\nregion = us-east-1\n",
			Options{Profile: "dev"}, "run aws sso login --profile dev"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			isolate(t)
			t.Setenv("AWS_ACCESS_KEY_ID", "")
			t.Setenv("AWS_SECRET_ACCESS_KEY", "")
			if err := os.WriteFile(os.Getenv("AWS_CONFIG_FILE"), []byte(tc.config), 0o600); err != nil {
				t.Fatal(err)
			}
			err := stream(t, tc.opts)
			if llm.KindOf(err) != llm.ErrAuth || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want an auth error saying %q", err, tc.want)
			}
		})
	}
}

// TestDefaultTransportSurvivesInstantServers streams many answers from an instant local server
// through the SDK's own HTTP client, as production does, without retries: each call must succeed
// (see hideWriteTo).
func TestDefaultTransportSurvivesInstantServers(t *testing.T) {
	isolate(t)
	const n = 1000
	turns := make([]llmtest.BedrockTurn, n)
	for i := range turns {
		turns[i] = llmtest.BedrockTurn{Text: []string{"a", "b"}, Tools: []llmtest.BedrockToolUse{{ID: "x", Name: "read_file", Input: []string{"{}"}}}}
	}
	srv := llmtest.NewBedrockServer(t, turns...)
	p, err := New(context.Background(), Options{Region: "us-east-1", Endpoint: srv.URL, MaxRetries: -1})
	if err != nil {
		t.Fatal(err)
	}
	req := llm.Request{Model: claude, System: "s", Messages: []llm.Message{{Role: llm.RoleUser, Text: "hi"}}, Tools: []llm.Tool{readFile}}
	for i := range n {
		if _, err := p.Stream(context.Background(), req, nil); err != nil {
			t.Fatalf("call %d of %d: %v", i+1, n, err)
		}
	}
}

func TestAHangingBedrockEndsAtTheIdleTimeout(t *testing.T) {
	isolate(t)
	srv := llmtest.NewBedrockServer(t, llmtest.BedrockTurn{Hang: true}, llmtest.BedrockTurn{Hang: true})
	p := newProvider(t, srv, Options{MaxRetries: 1, RetryWait: time.Millisecond, Timeouts: netwait.Timeouts{Idle: 200 * time.Millisecond}})
	start := time.Now()
	_, deltas, err := collect(t, p, llm.Request{Model: claude, Messages: []llm.Message{{Role: llm.RoleUser, Text: "hi"}}})
	if llm.KindOf(err) != llm.ErrStream || !strings.Contains(err.Error(), "did not answer within 200ms") || time.Since(start) > 10*time.Second {
		t.Fatalf("err = %v after %s, want the idle timeout", err, time.Since(start))
	}
	if len(srv.Requests()) != 2 || len(deltas) != 1 || deltas[0].Kind != llm.DeltaNotice {
		t.Errorf("%d requests, deltas %+v: want one retry, shown", len(srv.Requests()), deltas)
	}
}
