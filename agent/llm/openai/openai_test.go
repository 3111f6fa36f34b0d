package openai

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/option"

	"hew/agent/llm"
	"hew/agent/llm/llmtest"
)

var apis = []string{APIChat, APIResponses}

// newTestProvider returns a provider for the fake server speaking api, with short backoffs.
func newTestProvider(t *testing.T, srv *llmtest.OpenAIServer, api string) *Provider {
	t.Helper()
	p, err := New(Options{APIKey: "sk-test", BaseURL: srv.URL(), API: api})
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	p.retry.Base = 10 * time.Millisecond
	return p
}

// recorder collects streamed deltas.
type recorder struct{ deltas []llm.Delta }

func (r *recorder) add(d llm.Delta) { r.deltas = append(r.deltas, d) }

func (r *recorder) text(kind llm.DeltaKind) (s string, n int) {
	for _, d := range r.deltas {
		if d.Kind == kind {
			s += d.Text
			n++
		}
	}
	return s, n
}

func request(msgs ...llm.Message) llm.Request {
	if len(msgs) == 0 {
		msgs = []llm.Message{{Role: llm.RoleUser, Text: "hello"}}
	}
	return llm.Request{Model: "gpt-test", System: "be brief", Messages: msgs}
}

func TestStreamTextReasoningUsage(t *testing.T) {
	for _, api := range apis {
		t.Run(api, func(t *testing.T) {
			usage := llm.Usage{InputTokens: 1200, CachedTokens: 1024, OutputTokens: 80, ReasoningTokens: 30}
			srv := llmtest.NewOpenAIServer(t, llmtest.Turn{
				Reasoning: "The user greets me; answer briefly.",
				Text:      "Hello there, how can I help — today?",
				Usage:     usage,
			})
			var rec recorder
			req := request()
			req.ReasoningEffort = "high"
			resp, err := newTestProvider(t, srv, api).Stream(context.Background(), req, rec.add)
			if err != nil {
				t.Fatalf("Stream: %v", err)
			}
			text, n := rec.text(llm.DeltaText)
			if text != "Hello there, how can I help — today?" || n < 2 {
				t.Errorf("streamed text %q in %d deltas, want the whole answer in several", text, n)
			}
			thinking, n := rec.text(llm.DeltaReasoning)
			if thinking != "The user greets me; answer briefly." || n < 2 {
				t.Errorf("streamed reasoning %q in %d deltas", thinking, n)
			}
			if rec.deltas[0].Kind != llm.DeltaReasoning {
				t.Errorf("first delta is %v, want reasoning (it came first)", rec.deltas[0].Kind)
			}
			if resp.Message.Role != llm.RoleAssistant || resp.Message.Text != text {
				t.Errorf("message = %+v, want the assistant's streamed text", resp.Message)
			}
			if len(resp.Message.Reasoning) != 1 || resp.Message.Reasoning[0].Text != thinking {
				t.Errorf("reasoning = %+v, want one block with the streamed reasoning", resp.Message.Reasoning)
			}
			if resp.Usage != usage {
				t.Errorf("usage = %+v, want %+v", resp.Usage, usage)
			}
			if resp.Stop != llm.StopEnd {
				t.Errorf("stop = %q, want %q", resp.Stop, llm.StopEnd)
			}

			reqs := srv.Requests()
			if len(reqs) != 1 {
				t.Fatalf("%d requests, want 1", len(reqs))
			}
			body := reqs[0].JSON
			if got := reqs[0].Header.Get("Authorization"); got != "Bearer sk-test" {
				t.Errorf("Authorization = %q", got)
			}
			if body["stream"] != true || body["model"] != "gpt-test" {
				t.Errorf("request stream=%v model=%v, want true, gpt-test", body["stream"], body["model"])
			}
			if api == APIChat {
				if reqs[0].Path != "/v1/chat/completions" {
					t.Errorf("path = %s", reqs[0].Path)
				}
				if !reflect.DeepEqual(body["stream_options"], map[string]any{"include_usage": true}) {
					t.Errorf("stream_options = %v, want include_usage", body["stream_options"])
				}
				if body["reasoning_effort"] != "high" {
					t.Errorf("reasoning_effort = %v", body["reasoning_effort"])
				}
			} else {
				if reqs[0].Path != "/v1/responses" {
					t.Errorf("path = %s", reqs[0].Path)
				}
				if body["store"] != false || body["instructions"] != "be brief" {
					t.Errorf("store=%v instructions=%v, want false, the system prompt", body["store"], body["instructions"])
				}
				if !reflect.DeepEqual(body["include"], []any{"reasoning.encrypted_content"}) {
					t.Errorf("include = %v", body["include"])
				}
				if !reflect.DeepEqual(body["reasoning"], map[string]any{"effort": "high", "summary": "auto"}) {
					t.Errorf("reasoning = %v", body["reasoning"])
				}
				if r := resp.Message.Reasoning[0]; r.ID == "" || r.Encrypted == "" {
					t.Errorf("reasoning block %+v lacks the id and encrypted content to send back", r)
				}
			}
		})
	}
}

func TestStreamParallelToolCalls(t *testing.T) {
	calls := []llm.ToolCall{
		{ID: "call_a", Name: "read_file", Arguments: `{"path":"main.go","limit":200}`},
		{ID: "call_b", Name: "shell", Arguments: `{"command":"go test ./...","timeout":120}`},
	}
	for _, api := range apis {
		t.Run(api, func(t *testing.T) {
			srv := llmtest.NewOpenAIServer(t, llmtest.Turn{
				Text: "Let me look.",
				ToolCalls: []llmtest.ToolCall{
					{ID: calls[0].ID, Name: calls[0].Name, Arguments: calls[0].Arguments},
					{ID: calls[1].ID, Name: calls[1].Name, Arguments: calls[1].Arguments},
				},
			})
			var rec recorder
			req := request()
			req.Tools = []llm.Tool{{Name: "read_file", Description: "Read a file.", Parameters: json.RawMessage(`{"type":"object","properties":{"path":{"type":"string"}}}`)}}
			resp, err := newTestProvider(t, srv, api).Stream(context.Background(), req, rec.add)
			if err != nil {
				t.Fatalf("Stream: %v", err)
			}
			if !reflect.DeepEqual(resp.Message.ToolCalls, calls) {
				t.Errorf("tool calls = %+v, want %+v", resp.Message.ToolCalls, calls)
			}
			if resp.Stop != llm.StopToolUse {
				t.Errorf("stop = %q, want tool_use", resp.Stop)
			}
			var started []llm.ToolCall
			for _, d := range rec.deltas {
				if d.Kind == llm.DeltaToolCall {
					started = append(started, d.ToolCall)
				}
			}
			want := []llm.ToolCall{{ID: "call_a", Name: "read_file"}, {ID: "call_b", Name: "shell"}}
			if !reflect.DeepEqual(started, want) {
				t.Errorf("tool call deltas = %+v, want %+v", started, want)
			}
			tools, _ := srv.Requests()[0].JSON["tools"].([]any)
			if len(tools) != 1 || !strings.Contains(string(srv.Requests()[0].Body), `"name":"read_file"`) ||
				!strings.Contains(string(srv.Requests()[0].Body), `"path":{"type":"string"}`) {
				t.Errorf("tools sent = %v, want read_file with its schema", tools)
			}
		})
	}
}

// conversation holds every kind of message: a user turn, an assistant turn with reasoning,
// text and two tool calls, and their results.
var conversation = []llm.Message{
	{Role: llm.RoleUser, Text: "fix the test"},
	{Role: llm.RoleAssistant, Text: "Looking.", Reasoning: []llm.Reasoning{{ID: "rs_1", Text: "plan", Encrypted: "enc-1"}},
		ToolCalls: []llm.ToolCall{{ID: "call_1", Name: "read_file", Arguments: `{"path":"a.go"}`}, {ID: "call_2", Name: "shell", Arguments: `{"command":"ls"}`}}},
	{Role: llm.RoleTool, ToolCallID: "call_1", ToolName: "read_file", Text: "package a"},
	{Role: llm.RoleTool, ToolCallID: "call_2", ToolName: "shell", Text: "exit 1", IsError: true},
}

func TestConversationMapping(t *testing.T) {
	for _, tc := range []struct {
		api, field string // the API and the request field that carries the conversation
		want       []string
	}{
		{APIChat, "messages", []string{
			`{"content":"be brief","role":"system"}`,
			`{"content":"fix the test","role":"user"}`,
			`{"content":"Looking.","tool_calls":[{"id":"call_1","function":{"arguments":"{\"path\":\"a.go\"}","name":"read_file"},"type":"function"},{"id":"call_2","function":{"arguments":"{\"command\":\"ls\"}","name":"shell"},"type":"function"}],"role":"assistant"}`,
			`{"content":"package a","tool_call_id":"call_1","role":"tool"}`,
			`{"content":"exit 1","tool_call_id":"call_2","role":"tool"}`,
		}},
		{APIResponses, "input", []string{
			`{"content":"fix the test","role":"user"}`,
			`{"id":"rs_1","summary":[{"text":"plan","type":"summary_text"}],"encrypted_content":"enc-1","type":"reasoning"}`,
			`{"content":"Looking.","role":"assistant"}`,
			`{"arguments":"{\"path\":\"a.go\"}","call_id":"call_1","name":"read_file","type":"function_call"}`,
			`{"arguments":"{\"command\":\"ls\"}","call_id":"call_2","name":"shell","type":"function_call"}`,
			`{"output":"package a","call_id":"call_1","type":"function_call_output"}`,
			`{"output":"exit 1","call_id":"call_2","type":"function_call_output"}`,
		}},
	} {
		t.Run(tc.api, func(t *testing.T) {
			srv := llmtest.NewOpenAIServer(t, llmtest.Turn{Text: "done"})
			if _, err := newTestProvider(t, srv, tc.api).Stream(context.Background(), request(conversation...), nil); err != nil {
				t.Fatalf("Stream: %v", err)
			}
			raw := srv.Requests()[0].Body
			var fields map[string]json.RawMessage
			if err := json.Unmarshal(raw, &fields); err != nil {
				t.Fatal(err)
			}
			var items []json.RawMessage
			if err := json.Unmarshal(fields[tc.field], &items); err != nil {
				t.Fatalf("decode %s: %v", tc.field, err)
			}
			if len(items) != len(tc.want) {
				t.Fatalf("%d %s sent, want %d: %s", len(items), tc.field, len(tc.want), raw)
			}
			for i := range tc.want {
				assertJSONEqual(t, items[i], tc.want[i])
			}
		})
	}
}

func assertJSONEqual(t *testing.T, got json.RawMessage, want string) {
	t.Helper()
	var g, w any
	if err := json.Unmarshal(got, &g); err != nil {
		t.Fatalf("decode %s: %v", got, err)
	}
	if err := json.Unmarshal([]byte(want), &w); err != nil {
		t.Fatalf("decode want %s: %v", want, err)
	}
	if !reflect.DeepEqual(g, w) {
		t.Errorf("sent  %s\nwant %s", got, want)
	}
}

func TestStreamCutAfterOutputIsReportedNotRetried(t *testing.T) {
	for _, api := range apis {
		t.Run(api, func(t *testing.T) {
			srv := llmtest.NewOpenAIServer(t,
				llmtest.Turn{Text: strings.Repeat("lorem ipsum ", 40), CutAfterBytes: 1500},
				llmtest.Turn{Text: "must not be asked for"})
			var rec recorder
			resp, err := newTestProvider(t, srv, api).Stream(context.Background(), request(), rec.add)
			if llm.KindOf(err) != llm.ErrStream {
				t.Fatalf("err = %v (kind %q), want kind stream", err, llm.KindOf(err))
			}
			streamed, _ := rec.text(llm.DeltaText)
			if streamed == "" || resp.Message.Text != streamed {
				t.Errorf("partial response %q, streamed %q: want the same non-empty prefix", resp.Message.Text, streamed)
			}
			if resp.Stop != llm.StopOther {
				t.Errorf("stop = %q for a broken stream", resp.Stop)
			}
			if n := len(srv.Requests()); n != 1 {
				t.Errorf("%d requests, want 1: output was already shown, a retry would duplicate it", n)
			}
		})
	}
}

func TestStreamCutBeforeOutputIsRetried(t *testing.T) {
	for _, api := range apis {
		t.Run(api, func(t *testing.T) {
			srv := llmtest.NewOpenAIServer(t,
				llmtest.Turn{Text: "lost", CutAfterBytes: 20},
				llmtest.Turn{Text: "second try"})
			var rec recorder
			resp, err := newTestProvider(t, srv, api).Stream(context.Background(), request(), rec.add)
			if err != nil {
				t.Fatalf("Stream: %v", err)
			}
			if text, _ := rec.text(llm.DeltaText); text != "second try" || resp.Message.Text != "second try" {
				t.Errorf("streamed %q, response %q, want only the retried answer", text, resp.Message.Text)
			}
			if n := len(srv.Requests()); n != 2 {
				t.Errorf("%d requests, want 2", n)
			}
		})
	}
}

func TestStreamStopsAtOutputLimit(t *testing.T) {
	for _, api := range apis {
		t.Run(api, func(t *testing.T) {
			srv := llmtest.NewOpenAIServer(t, llmtest.Turn{Text: "trunc", Incomplete: true})
			req := request()
			req.MaxOutputTokens = 5
			resp, err := newTestProvider(t, srv, api).Stream(context.Background(), req, nil)
			if err != nil || resp.Stop != llm.StopMaxTokens {
				t.Fatalf("stop=%q err=%v, want max_tokens", resp.Stop, err)
			}
			key := map[string]string{APIChat: "max_tokens", APIResponses: "max_output_tokens"}[api]
			if got := srv.Requests()[0].JSON[key]; got != float64(5) {
				t.Errorf("%s = %v, want 5", key, got)
			}
		})
	}
}

func TestErrorsAreClassified(t *testing.T) {
	tests := []struct {
		name     string
		turn     llmtest.Turn
		kind     llm.ErrorKind
		message  string // in Error()
		hint     string // in Error()
		requests int
	}{
		{"bad request", llmtest.Turn{Status: 400, ErrorBody: `{"error":{"message":"Invalid schema for function 'x'","type":"invalid_request_error","param":"tools[0]","code":"invalid_function_parameters"}}`},
			llm.ErrBadRequest, "400 Invalid schema for function 'x'", "rejected", 1},
		{"unauthorized", llmtest.Turn{Status: 401, ErrorBody: `{"error":{"message":"Incorrect API key provided: sk-test.","type":"invalid_request_error","code":"invalid_api_key"}}`},
			llm.ErrAuth, "401 Incorrect API key", "check OPENAI_API_KEY", 1},
		{"unknown model", llmtest.Turn{Status: 404, ErrorBody: `{"error":{"message":"The model 'gpt-test' does not exist or you do not have access to it.","type":"invalid_request_error","code":"model_not_found"}}`},
			llm.ErrNotFound, "does not exist", `model "gpt-test" is unknown`, 1},
		{"context overflow by code", llmtest.Turn{Status: 400, ErrorBody: `{"error":{"message":"Your input exceeds the context window of this model.","type":"invalid_request_error","code":"context_length_exceeded"}}`},
			llm.ErrContextOverflow, "exceeds the context window", "compact", 1},
		{"context overflow by message", llmtest.Turn{Status: 400, ErrorBody: `{"object":"error","message":"This model's maximum context length is 4096 tokens. However, you requested 5000 tokens.","type":"BadRequestError","code":400}`},
			llm.ErrContextOverflow, "400 This model's maximum context length is 4096", "compact", 1},
		{"message without code", llmtest.Turn{Status: 400, ErrorBody: "model field is required"},
			llm.ErrBadRequest, "400 model field is required", "rejected", 1},
		{"out of quota", llmtest.Turn{Status: 429, ErrorBody: `{"error":{"message":"You exceeded your current quota.","type":"insufficient_quota","code":"insufficient_quota"}}`},
			llm.ErrRateLimit, "quota", "billing", 1},
	}
	for _, api := range apis {
		for _, tc := range tests {
			t.Run(api+"/"+tc.name, func(t *testing.T) {
				srv := llmtest.NewOpenAIServer(t, tc.turn)
				_, err := newTestProvider(t, srv, api).Stream(context.Background(), request(), nil)
				var e *llm.Error
				if !errors.As(err, &e) || e.Kind != tc.kind {
					t.Fatalf("err = %v, want an *llm.Error of kind %q", err, tc.kind)
				}
				if !strings.Contains(err.Error(), tc.message) || !strings.Contains(err.Error(), tc.hint) {
					t.Errorf("err = %q, want it to contain %q and %q", err, tc.message, tc.hint)
				}
				if e.Status != tc.turn.Status || e.Model != "gpt-test" || e.Provider != "openai" {
					t.Errorf("status=%d model=%q provider=%q", e.Status, e.Model, e.Provider)
				}
				if n := len(srv.Requests()); n != tc.requests {
					t.Errorf("%d requests, want %d", n, tc.requests)
				}
			})
		}
	}
}

func TestRateLimitRetriedHonouringRetryAfter(t *testing.T) {
	for _, api := range apis {
		t.Run(api, func(t *testing.T) {
			srv := llmtest.NewOpenAIServer(t,
				llmtest.Turn{Status: 429, RetryAfter: "1", ErrorBody: "Rate limit reached for requests"},
				llmtest.Turn{Text: "ok"})
			start := time.Now()
			resp, err := newTestProvider(t, srv, api).Stream(context.Background(), request(), nil)
			elapsed := time.Since(start)
			if err != nil || resp.Message.Text != "ok" {
				t.Fatalf("Stream = %q, %v, want the second answer", resp.Message.Text, err)
			}
			if elapsed < time.Second || elapsed > 3*time.Second {
				t.Errorf("took %v, want the 1s Retry-After honoured (backoff base is 10ms)", elapsed)
			}
			reqs := srv.Requests()
			if len(reqs) != 2 || !reflect.DeepEqual(reqs[0].JSON, reqs[1].JSON) {
				t.Errorf("%d requests, want 2 identical ones", len(reqs))
			}
		})
	}
}

func TestServerErrorsRetriedThenReported(t *testing.T) {
	srv := llmtest.NewOpenAIServer(t,
		llmtest.Turn{Status: 503, ErrorBody: "overloaded"},
		llmtest.Turn{Status: 500, ErrorBody: "boom"},
		llmtest.Turn{Status: 502, RetryAfter: "3600", ErrorBody: "bad gateway"},
		llmtest.Turn{Text: "never reached"})
	start := time.Now()
	_, err := newTestProvider(t, srv, APIChat).Stream(context.Background(), request(), nil)
	var e *llm.Error
	if !errors.As(err, &e) || e.Kind != llm.ErrServer || e.Status != 502 || e.RetryAfter != time.Hour {
		t.Fatalf("err = %#v, want the last 502 as a server error with its Retry-After", err)
	}
	if n := len(srv.Requests()); n != 3 {
		t.Errorf("%d requests, want 3: a Retry-After beyond the cap stops retrying", n)
	}
	if el := time.Since(start); el > 2*time.Second {
		t.Errorf("took %v; it must not wait an hour", el)
	}
}

func TestStreamHonoursCancel(t *testing.T) {
	srv := llmtest.NewOpenAIServer(t, llmtest.Turn{Status: 429, RetryAfter: "5"})
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	_, err := newTestProvider(t, srv, APIResponses).Stream(ctx, request(), nil)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v, want the context's error", err)
	}
}

func TestNewValidatesOptions(t *testing.T) {
	_, err := New(Options{})
	var e *llm.Error
	if !errors.As(err, &e) || e.Kind != llm.ErrConfig || !strings.Contains(err.Error(), "set OPENAI_API_KEY") {
		t.Errorf("New without a key for api.openai.com: %v, want a config error saying to set OPENAI_API_KEY", err)
	}
	if _, err := New(Options{BaseURL: "localhost:8080"}); llm.KindOf(err) != llm.ErrConfig || !strings.Contains(err.Error(), "OPENAI_BASE_URL") {
		t.Errorf("New with a base URL without scheme: %v, want a config error naming OPENAI_BASE_URL", err)
	}
	if _, err := New(Options{APIKey: "k", API: "completions"}); llm.KindOf(err) != llm.ErrConfig {
		t.Errorf("New with an unknown API: %v, want a config error", err)
	}
	for _, tc := range []struct {
		opts Options
		api  string
	}{
		{Options{APIKey: "k"}, APIResponses},
		{Options{APIKey: "k", BaseURL: "https://api.openai.com/v1/"}, APIResponses},
		{Options{BaseURL: "http://127.0.0.1:11434/v1"}, APIChat},
		{Options{BaseURL: "http://127.0.0.1:11434/v1", API: APIResponses}, APIResponses},
		{Options{APIKey: "k", API: APIChat}, APIChat},
	} {
		p, err := New(tc.opts)
		if err != nil || p.API() != tc.api || p.Name() != "openai" {
			t.Errorf("New(%+v): api=%v err=%v, want %s", tc.opts, p.API(), err, tc.api)
		}
	}
}

// TestPreparedClientSendsTheRequests checks a client made elsewhere (as openai-go's bedrock
// package makes one) carries the requests, with its own settings and without an API key.
func TestPreparedClientSendsTheRequests(t *testing.T) {
	srv := llmtest.NewOpenAIServer(t, llmtest.Turn{Text: "prepared"})
	client := openai.NewClient(option.WithBaseURL(srv.URL()+"/"), option.WithAPIKey("prepared-key"),
		option.WithHeader("X-Prepared", "yes"), option.WithMaxRetries(0))
	p, err := New(Options{API: APIResponses, Client: &client})
	if err != nil {
		t.Fatalf("New with a prepared client and no key: %v", err)
	}
	resp, err := p.Stream(context.Background(), request(), nil)
	if err != nil || resp.Message.Text != "prepared" {
		t.Fatalf("resp = %+v, err = %v", resp, err)
	}
	h := srv.Requests()[0].Header
	if h.Get("X-Prepared") != "yes" || h.Get("Authorization") != "Bearer prepared-key" {
		t.Errorf("headers = %v, want the prepared client's", h)
	}
}

func TestUnreachableServerFailsFast(t *testing.T) {
	p, err := New(Options{BaseURL: "http://127.0.0.1:1/v1"})
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	_, err = p.Stream(context.Background(), request(), nil)
	if !strings.Contains(err.Error(), "cannot reach http://127.0.0.1:1/v1") || time.Since(start) > time.Second {
		t.Errorf("err = %v after %v, want a quick 'cannot reach' error", err, time.Since(start))
	}
}

// TestDefaultTransportBackToBack guards the trap the issue names: with an instant local server
// some SDKs' default transport sometimes fails with "use of closed network connection". The
// openai-go SDK wraps request bodies so the transport never sees bytes.Reader's WriteTo, so
// hew's provider uses the default transport; this runs many back-to-back requests over reused
// connections, including error replies and dropped streams, and expects only scripted outcomes.
func TestDefaultTransportBackToBack(t *testing.T) {
	const n = 300
	var turns []llmtest.Turn
	for i := range n {
		switch i % 3 {
		case 0:
			turns = append(turns, llmtest.Turn{Text: "hello"})
		case 1:
			turns = append(turns, llmtest.Turn{Status: 400, ErrorBody: "bad"})
		case 2:
			turns = append(turns, llmtest.Turn{Text: strings.Repeat("x", 2000), CutAfterBytes: 600})
		}
	}
	srv := llmtest.NewOpenAIServer(t, turns...)
	p, err := New(Options{BaseURL: srv.URL(), MaxRetries: -1})
	if err != nil {
		t.Fatal(err)
	}
	req := request()
	req.System = strings.Repeat("s", 64<<10) // a body large enough to need several writes
	for i := range n {
		_, err := p.Stream(context.Background(), req, nil)
		want := []llm.ErrorKind{"", llm.ErrBadRequest, llm.ErrStream}[i%3]
		if llm.KindOf(err) != want || (err != nil && want == "") {
			t.Fatalf("request %d: err = %v, want kind %q", i, err, want)
		}
	}
}

// TestErrorsInsideStreams covers failures a server reports after a 200 reply, which the fake
// server does not script: an error chunk in a chat stream, a Responses error event, and a
// failed response.
func TestErrorsInsideStreams(t *testing.T) {
	for _, tc := range []struct {
		name, api, body string
		kind            llm.ErrorKind
		message         string
		requests        int
	}{
		{"chat error chunk", APIChat,
			"data: {\"error\":{\"message\":\"This model's maximum context length is 8192 tokens\",\"type\":\"invalid_request_error\",\"code\":null}}\n\n",
			llm.ErrContextOverflow, "maximum context length", 1},
		{"responses error event", APIResponses,
			"event: error\ndata: {\"type\":\"error\",\"code\":\"context_length_exceeded\",\"message\":\"Your input exceeds the context window\",\"sequence_number\":1}\n\n",
			llm.ErrContextOverflow, "exceeds the context window", 1},
		{"responses failed", APIResponses,
			"event: response.failed\ndata: {\"type\":\"response.failed\",\"sequence_number\":1,\"response\":{\"id\":\"r\",\"status\":\"failed\",\"output\":[],\"error\":{\"code\":\"server_error\",\"message\":\"The server had an error\"}}}\n\n",
			llm.ErrServer, "The server had an error", 3},
		{"responses without completion", APIResponses,
			"event: response.created\ndata: {\"type\":\"response.created\",\"sequence_number\":0,\"response\":{\"id\":\"r\",\"status\":\"in_progress\",\"output\":[]}}\n\n",
			llm.ErrStream, "ended before the model finished", 3},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var requests atomic.Int32
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				requests.Add(1)
				w.Header().Set("Content-Type", "text/event-stream")
				_, _ = io.WriteString(w, tc.body)
			}))
			defer srv.Close()
			p, err := New(Options{BaseURL: srv.URL + "/v1", API: tc.api, MaxRetries: 2})
			if err != nil {
				t.Fatal(err)
			}
			p.retry.Base = time.Millisecond
			_, err = p.Stream(context.Background(), request(), nil)
			if llm.KindOf(err) != tc.kind || !strings.Contains(err.Error(), tc.message) {
				t.Errorf("err = %v (kind %q), want kind %q mentioning %q", err, llm.KindOf(err), tc.kind, tc.message)
			}
			if n := int(requests.Load()); n != tc.requests {
				t.Errorf("%d requests, want %d", n, tc.requests)
			}
		})
	}
}
