package bedrock

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"regexp"
	"strings"
	"testing"

	"hew/agent/llm"
	"hew/agent/llm/catalog"
	"hew/agent/llm/llmtest"
)

// gpt is a model Bedrock serves only through its OpenAI-compatible endpoint.
const gpt = "openai.gpt-5.5"

// newOpenAIRouteProvider returns a provider whose OpenAI-compatible endpoint is the fake
// server srv, reached through env (as Getenv) with only loopback allowed.
func newOpenAIRouteProvider(t *testing.T, srv *llmtest.OpenAIServer, env map[string]string, opts Options) *Provider {
	t.Helper()
	if env == nil {
		env = map[string]string{"AWS_ENDPOINT_URL_BEDROCK_RUNTIME": srv.Root()}
	}
	if opts.Region == "" {
		opts.Region = "us-east-2"
	}
	opts.Getenv = func(k string) string { return env[k] }
	if opts.HTTPClient == nil {
		opts.HTTPClient = testClient(srv.Client())
	}
	return mustNew(t, opts)
}

var sigV4 = regexp.MustCompile(`^AWS4-HMAC-SHA256 Credential=AKIDTESTKEY/\d{8}/us-east-2/bedrock-mantle/aws4_request, SignedHeaders=([a-z0-9;-]+), Signature=[0-9a-f]{64}$`)

func TestOpenAIRouteStreamsThroughTheResponsesAPIWithSigV4(t *testing.T) {
	isolate(t)
	t.Setenv("OPENAI_API_KEY", "sk-must-not-be-sent")
	t.Setenv("AWS_BEDROCK_BASE_URL", "http://192.0.2.1/ignored") // hew resolves the endpoint itself
	srv := llmtest.NewOpenAIServer(t, llmtest.Turn{
		Reasoning: "look first",
		Text:      "Reading it.",
		ToolCalls: []llmtest.ToolCall{{Name: "read_file", Arguments: `{"path":"go.mod"}`}, {Name: "read_file", Arguments: `{"path":"a.go"}`}},
		Usage:     llm.Usage{InputTokens: 1000, CachedTokens: 600, OutputTokens: 50, ReasoningTokens: 20},
	})
	p := newOpenAIRouteProvider(t, srv, nil, Options{})
	resp, deltas, err := collect(t, p, llm.Request{Model: gpt, System: "be brief", ReasoningEffort: "low",
		Messages: []llm.Message{{Role: llm.RoleUser, Text: "hi"}}, Tools: []llm.Tool{readFile}})
	if err != nil {
		t.Fatal(err)
	}
	if resp.Message.Text != "Reading it." || len(resp.Message.ToolCalls) != 2 || resp.Stop != llm.StopToolUse {
		t.Errorf("response = %+v", resp)
	}
	if resp.Message.ToolCalls[1].Arguments != `{"path":"a.go"}` {
		t.Errorf("second tool call = %+v", resp.Message.ToolCalls[1])
	}
	if want := (llm.Usage{InputTokens: 1000, CachedTokens: 600, OutputTokens: 50, ReasoningTokens: 20}); resp.Usage != want {
		t.Errorf("usage = %+v, want %+v", resp.Usage, want)
	}
	if len(deltas) < 3 {
		t.Errorf("only %d deltas: the answer was not streamed", len(deltas))
	}

	reqs := srv.Requests()
	if len(reqs) != 1 {
		t.Fatalf("%d requests, want 1", len(reqs))
	}
	r := reqs[0]
	if r.Path != "/openai/v1/responses" {
		t.Errorf("path = %s, want /openai/v1/responses", r.Path)
	}
	m := sigV4.FindStringSubmatch(r.Header.Get("Authorization"))
	if m == nil {
		t.Fatalf("Authorization = %q, want a SigV4 signature for bedrock-mantle in us-east-2", r.Header.Get("Authorization"))
	}
	for _, h := range []string{"host", "x-amz-date", "x-amz-content-sha256"} {
		if !strings.Contains(";"+m[1]+";", ";"+h+";") {
			t.Errorf("signed headers %s lack %s", m[1], h)
		}
	}
	sum := sha256.Sum256(r.Body)
	if got := r.Header.Get("X-Amz-Content-Sha256"); got != hex.EncodeToString(sum[:]) {
		t.Errorf("X-Amz-Content-Sha256 = %s, not the body's hash", got)
	}
	for k, v := range r.Header {
		if strings.Contains(strings.Join(v, " "), "sk-must-not-be-sent") || strings.Contains(strings.Join(v, " "), "test-secret-key") {
			t.Errorf("header %s carries a secret", k)
		}
	}
	if r.JSON["model"] != gpt || r.JSON["stream"] != true || r.JSON["store"] != false || r.JSON["instructions"] != "be brief" {
		t.Errorf("body = %s", r.Body)
	}
}

func TestOpenAIRouteEndpoints(t *testing.T) {
	isolate(t)
	t.Run("the mantle override wins over the runtime one", func(t *testing.T) {
		srv := llmtest.NewOpenAIServer(t, llmtest.Turn{Text: "mantle"})
		runtime := llmtest.NewBedrockServer(t) // fails the test if anything reaches it
		env := map[string]string{"AWS_ENDPOINT_URL_BEDROCK_MANTLE": srv.Root() + "/", "AWS_ENDPOINT_URL_BEDROCK_RUNTIME": runtime.URL}
		resp, _, err := collect(t, newOpenAIRouteProvider(t, srv, env, Options{}), llm.Request{Model: gpt, Messages: hiMessage})
		if err != nil || resp.Message.Text != "mantle" {
			t.Fatalf("resp = %+v, err = %v", resp, err)
		}
	})
	t.Run("the regional endpoint by default", func(t *testing.T) {
		srv := llmtest.NewOpenAIServer(t)
		_, _, err := collect(t, newOpenAIRouteProvider(t, srv, map[string]string{}, Options{MaxRetries: -1}), llm.Request{Model: gpt, Messages: hiMessage})
		// The loopback-only test transport refuses the real host, which the error names.
		if err == nil || !strings.Contains(err.Error(), "bedrock-mantle.us-east-2.api.aws") {
			t.Fatalf("err = %v, want a refusal naming bedrock-mantle.us-east-2.api.aws", err)
		}
	})
	t.Run("gpt-oss stays on ConverseStream", func(t *testing.T) {
		converse := llmtest.NewBedrockServer(t, llmtest.BedrockTurn{Text: []string{"converse"}})
		p := newProvider(t, converse, Options{})
		resp, _, err := collect(t, p, llm.Request{Model: "openai.gpt-oss-120b-1:0", Messages: hiMessage})
		if err != nil || resp.Message.Text != "converse" {
			t.Fatalf("resp = %+v, err = %v", resp, err)
		}
		oss, _ := catalog.Default().Lookup("bedrock", "openai.gpt-oss-120b-1:0")
		five, _ := catalog.Default().Lookup("bedrock", gpt)
		if Route(oss) != "ConverseStream" || !strings.Contains(Route(five), "OpenAI-compatible") || Route(catalog.Model{}) != "ConverseStream" {
			t.Errorf("routes: gpt-oss %q, %s %q, unknown %q", Route(oss), gpt, Route(five), Route(catalog.Model{}))
		}
	})
}

var hiMessage = []llm.Message{{Role: llm.RoleUser, Text: "hi"}}

func TestOpenAIRouteBearerToken(t *testing.T) {
	isolate(t)
	t.Run("over TLS", func(t *testing.T) {
		srv := llmtest.NewOpenAITLSServer(t, llmtest.Turn{Text: "secure"})
		env := map[string]string{"AWS_ENDPOINT_URL_BEDROCK_RUNTIME": srv.Root(), "AWS_BEARER_TOKEN_BEDROCK": "bedrock-api-key-123"}
		resp, _, err := collect(t, newOpenAIRouteProvider(t, srv, env, Options{}), llm.Request{Model: gpt, Messages: hiMessage})
		if err != nil || resp.Message.Text != "secure" {
			t.Fatalf("resp = %+v, err = %v", resp, err)
		}
		if got := srv.Requests()[0].Header.Get("Authorization"); got != "Bearer bedrock-api-key-123" {
			t.Errorf("Authorization = %q, want the bearer token", got)
		}
	})
	t.Run("refused over plain HTTP", func(t *testing.T) {
		srv := llmtest.NewOpenAIServer(t)
		env := map[string]string{"AWS_ENDPOINT_URL_BEDROCK_RUNTIME": srv.Root(), "AWS_BEARER_TOKEN_BEDROCK": "bedrock-api-key-123"}
		_, _, err := collect(t, newOpenAIRouteProvider(t, srv, env, Options{}), llm.Request{Model: gpt, Messages: hiMessage})
		if llm.KindOf(err) != llm.ErrConfig || !strings.Contains(err.Error(), "only over HTTPS") || strings.Contains(err.Error(), "bedrock-api-key-123") {
			t.Fatalf("err = %v, want a config error about HTTPS that hides the key", err)
		}
		if n := len(srv.Requests()); n != 0 {
			t.Errorf("%d requests reached the server", n)
		}
	})
}

func TestOpenAIRouteErrors(t *testing.T) {
	isolate(t)
	cases := []struct {
		name     string
		model    string
		turn     llmtest.Turn
		kind     llm.ErrorKind
		inMsg    []string
		requests int
	}{
		{"model access", gpt, llmtest.Turn{Status: 403, ErrorBody: "You don't have access to the model"},
			llm.ErrPermission, []string{"bedrock: 403", "enable access to openai.gpt-5.5 in us-east-2"}, 1},
		{"model not in this region", gpt, llmtest.Turn{Status: 404, ErrorBody: `{"error":{"message":"model not found","code":"model_not_found"}}`},
			llm.ErrNotFound, []string{"openai.gpt-5.5 is not served in us-east-2", "--region"}, 1},
		{"rejected key", gpt, llmtest.Turn{Status: 401, ErrorBody: "invalid credentials"},
			llm.ErrAuth, []string{"AWS_BEARER_TOKEN_BEDROCK"}, 1},
		{"throttled to the end", gpt, llmtest.Turn{Status: 429, ErrorBody: "slow down"},
			llm.ErrRateLimit, []string{"slow down", "quota for openai.gpt-5.5 in us-east-2"}, 3},
		{"context overflow", gpt, llmtest.Turn{Status: 400, ErrorBody: `{"error":{"message":"too long","code":"context_length_exceeded"}}`},
			llm.ErrContextOverflow, nil, 1},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			srv := llmtest.NewOpenAIServer(t, repeat(tc.turn, tc.requests)...)
			_, _, err := collect(t, newOpenAIRouteProvider(t, srv, nil, Options{MaxRetries: 2}), llm.Request{Model: tc.model, Messages: hiMessage})
			var le *llm.Error
			if !errors.As(err, &le) || le.Kind != tc.kind || le.Provider != "bedrock" || le.Model != tc.model {
				t.Fatalf("err = %v (%+v), want kind %s from bedrock for %s", err, le, tc.kind, tc.model)
			}
			for _, s := range tc.inMsg {
				if !strings.Contains(err.Error(), s) {
					t.Errorf("error %q does not mention %q", err, s)
				}
			}
			if strings.Contains(err.Error(), "OPENAI_") {
				t.Errorf("error %q points at OpenAI settings", err)
			}
			if n := len(srv.Requests()); n != tc.requests {
				t.Errorf("%d requests, want %d", n, tc.requests)
			}
		})
	}
}

func TestOpenAIRouteThrottledThenSuccess(t *testing.T) {
	isolate(t)
	srv := llmtest.NewOpenAIServer(t, llmtest.Turn{Status: 429, RetryAfter: "0"}, llmtest.Turn{Text: "ok"})
	resp, _, err := collect(t, newOpenAIRouteProvider(t, srv, nil, Options{}), llm.Request{Model: gpt, Messages: hiMessage})
	if err != nil || resp.Message.Text != "ok" || len(srv.Requests()) != 2 {
		t.Fatalf("resp = %+v, err = %v, %d requests", resp, err, len(srv.Requests()))
	}
	a, b := srv.Requests()[0].Header.Get("X-Amz-Date"), srv.Requests()[1].Header.Get("X-Amz-Date")
	if a == "" || b == "" {
		t.Errorf("a retry went unsigned: X-Amz-Date %q then %q", a, b)
	}
}

func TestOpenAIRouteCredentialErrors(t *testing.T) {
	testCredentialErrors(t, func(t *testing.T, opts Options) error {
		srv := llmtest.NewOpenAIServer(t)
		_, _, err := collect(t, newOpenAIRouteProvider(t, srv, nil, opts), llm.Request{Model: gpt, Messages: hiMessage})
		if n := len(srv.Requests()); n != 0 {
			t.Errorf("%d unsigned requests reached the server", n)
		}
		return err
	})
}

// TestOpenAIRouteDefaultTransportSurvivesInstantServers sends many signed requests to an
// instant local server through the production HTTP client, without retries. openai-go's SigV4
// signer hands the transport a body whose WriteTo shows, as the AWS SDK does for Converse, but
// nothing closes it mid-write, so this route needs no hideWriteTo; this keeps watch.
func TestOpenAIRouteDefaultTransportSurvivesInstantServers(t *testing.T) {
	isolate(t)
	const n = 500
	srv := llmtest.NewOpenAIServer(t, repeat(llmtest.Turn{Text: "ab", ToolCalls: []llmtest.ToolCall{{Name: "read_file", Arguments: "{}"}}}, n)...)
	p, err := New(context.Background(), Options{Region: "us-east-2", Endpoint: srv.Root(), MaxRetries: -1})
	if err != nil {
		t.Fatal(err)
	}
	req := llm.Request{Model: gpt, System: strings.Repeat("s", 64<<10), Messages: hiMessage, Tools: []llm.Tool{readFile}}
	for i := range n {
		if _, err := p.Stream(context.Background(), req, nil); err != nil {
			t.Fatalf("call %d of %d: %v", i+1, n, err)
		}
	}
}
