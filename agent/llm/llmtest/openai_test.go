package llmtest_test

import (
	"bufio"
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/option"
	"github.com/openai/openai-go/v3/responses"

	"hew/agent/llm"
	"hew/agent/llm/llmtest"
)

func client(srv *llmtest.OpenAIServer) *openai.Client {
	c := openai.NewClient(option.WithBaseURL(srv.URL()), option.WithAPIKey("sk-test"), option.WithMaxRetries(0))
	return &c
}

var scripted = llmtest.Turn{
	Text:      "Hi!",
	Reasoning: "think",
	ToolCalls: []llmtest.ToolCall{{Name: "shell", Arguments: `{"command":"ls"}`}},
	Usage:     llm.Usage{InputTokens: 10, CachedTokens: 4, OutputTokens: 3},
}

// The streamed answers are checked through the provider's tests; these check the non-streamed
// ones decode with the real SDK.
func TestOpenAIServerAnswersWithoutStreaming(t *testing.T) {
	srv := llmtest.NewOpenAIServer(t, scripted, scripted)
	ctx := context.Background()

	chat, err := client(srv).Chat.Completions.New(ctx, openai.ChatCompletionNewParams{
		Model: "m", Messages: []openai.ChatCompletionMessageParamUnion{openai.UserMessage("hi")}})
	if err != nil {
		t.Fatalf("chat: %v", err)
	}
	msg := chat.Choices[0].Message
	if msg.Content != "Hi!" || chat.Choices[0].FinishReason != "tool_calls" || len(msg.ToolCalls) != 1 ||
		msg.ToolCalls[0].ID != "call_1" || msg.ToolCalls[0].Function.Arguments != `{"command":"ls"}` ||
		chat.Usage.PromptTokensDetails.CachedTokens != 4 {
		t.Errorf("chat completion = %s", chat.RawJSON())
	}

	resp, err := client(srv).Responses.New(ctx, responses.ResponseNewParams{Model: "m",
		Input: responses.ResponseNewParamsInputUnion{OfString: openai.String("hi")}})
	if err != nil {
		t.Fatalf("responses: %v", err)
	}
	if resp.OutputText() != "Hi!" || resp.Status != "completed" || len(resp.Output) != 3 ||
		resp.Output[2].CallID != "call_1" || resp.Usage.InputTokensDetails.CachedTokens != 4 {
		t.Errorf("response = %s", resp.RawJSON())
	}
	if got := srv.Requests(); len(got) != 2 || got[0].Path != "/v1/chat/completions" || got[1].Path != "/v1/responses" ||
		got[1].JSON["input"] != "hi" || got[0].Header.Get("Authorization") != "Bearer sk-test" {
		t.Errorf("recorded requests = %+v", got)
	}
	if srv.Remaining() != 0 {
		t.Errorf("Remaining = %d, want 0", srv.Remaining())
	}
}

func TestOpenAIServerStreamsRealSSE(t *testing.T) {
	srv := llmtest.NewOpenAIServer(t, scripted)
	res, err := http.Post(srv.URL()+"/responses", "application/json", strings.NewReader(`{"model":"m","stream":true}`))
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	if ct := res.Header.Get("Content-Type"); ct != "text/event-stream" {
		t.Errorf("Content-Type = %q", ct)
	}
	var events []string
	sc := bufio.NewScanner(res.Body)
	for sc.Scan() {
		if name, ok := strings.CutPrefix(sc.Text(), "event: "); ok {
			events = append(events, name)
		}
	}
	if len(events) < 10 || events[0] != "response.created" || events[len(events)-1] != "response.completed" {
		t.Errorf("events = %v, want response.created ... response.completed", events)
	}
}

// tb records the failures the server reports instead of failing the test.
type tb struct {
	testing.TB
	errors []string
}

func (t *tb) Errorf(format string, args ...any) {
	t.errors = append(t.errors, fmt.Sprintf(format, args...))
}

func TestOpenAIServerRejectsUnscriptedRequests(t *testing.T) {
	rec := &tb{TB: t}
	srv := llmtest.NewOpenAIServer(rec, llmtest.Turn{Text: "only one"})
	ctx := context.Background()
	params := openai.ChatCompletionNewParams{Model: "m", Messages: []openai.ChatCompletionMessageParamUnion{openai.UserMessage("hi")}}
	if _, err := client(srv).Chat.Completions.New(ctx, params); err != nil {
		t.Fatalf("first request: %v", err)
	}
	_, err := client(srv).Chat.Completions.New(ctx, params)
	if err == nil || !strings.Contains(fmt.Sprint(err.(*openai.Error).Message), "no scripted turn left") {
		t.Errorf("second request: err = %v, want a reply saying no turn is left", err)
	}
	if len(rec.errors) != 1 || !strings.Contains(rec.errors[0], "unexpected request 2") {
		t.Errorf("test failures = %q, want one naming request 2", rec.errors)
	}
}

func TestStartOpenAIServerOutsideTests(t *testing.T) {
	var logged []string
	srv, err := llmtest.StartOpenAIServer("127.0.0.1:0", func(f string, a ...any) { logged = append(logged, fmt.Sprintf(f, a...)) },
		llmtest.Turn{Status: 429, RetryAfter: "7", ErrorBody: "slow down"})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	if !strings.HasPrefix(srv.URL(), "http://127.0.0.1:") || !strings.HasSuffix(srv.URL(), "/v1") {
		t.Errorf("URL = %q, want http://127.0.0.1:PORT/v1", srv.URL())
	}
	if _, err := http.Get(srv.URL() + "/embeddings"); err != nil {
		t.Fatal(err)
	}
	res, err := http.Post(srv.URL()+"/chat/completions", "application/json", strings.NewReader(`{}`))
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != 429 || res.Header.Get("Retry-After") != "7" {
		t.Errorf("reply %d Retry-After %q, want 429 and 7", res.StatusCode, res.Header.Get("Retry-After"))
	}
	if len(logged) != 1 || !strings.Contains(logged[0], "unexpected GET /v1/embeddings") {
		t.Errorf("logged %q, want the unexpected request", logged)
	}
	if srv.Remaining() != 0 {
		t.Errorf("Remaining = %d after the scripted turn was served", srv.Remaining())
	}
}
