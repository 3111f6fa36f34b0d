package openai

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/responses"

	"hew/agent/llm"
)

// captureTransport records each request body and answers 400 at once, so requests are built and
// sent by the real SDK client without a server.
type captureTransport struct {
	mu   sync.Mutex
	n    int
	body bytes.Buffer // the last one
}

func (c *captureTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.body.Reset()
	if _, err := c.body.ReadFrom(r.Body); err != nil {
		return nil, err
	}
	c.n++
	return &http.Response{StatusCode: http.StatusBadRequest, Header: http.Header{"Content-Type": {"application/json"}},
		Body: io.NopCloser(strings.NewReader(`{"error":{"message":"captured","type":"invalid_request_error"}}`)), Request: r}, nil
}

func (c *captureTransport) count() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.n
}

func (c *captureTransport) size() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.body.Len()
}

func (c *captureTransport) last() []byte {
	c.mu.Lock()
	defer c.mu.Unlock()
	return bytes.Clone(c.body.Bytes())
}

// captureProvider returns a provider whose requests go to a captureTransport; hosted means
// api.openai.com, whose requests differ in places (max_completion_tokens, no reasoning_content).
func captureProvider(t testing.TB, api string, hosted bool) (*Provider, *captureTransport) {
	t.Helper()
	ct := &captureTransport{}
	base := "http://localhost:1/v1"
	if hosted {
		base = DefaultBaseURL
	}
	p, err := New(Options{APIKey: "sk-test", BaseURL: base, API: api, HTTPClient: &http.Client{Transport: ct}, MaxRetries: -1})
	if err != nil {
		t.Fatal(err)
	}
	return p, ct
}

// session returns a session of calls tool calls with every kind of message a session holds:
// text needing escapes, reasoning of both APIs, commentary, phases, provider extras, arguments
// that are not JSON, failed tool results.
func session(calls int) []llm.Message {
	msgs := []llm.Message{{Role: llm.RoleUser, Text: "fix the <b>build</b> & run \"tests\" — ünïcode\n\ttabs \u2028"}}
	for i := range calls {
		a := llm.Message{Role: llm.RoleAssistant, ToolCalls: []llm.ToolCall{{
			ID: fmt.Sprintf("call_%d", i), Name: "read_file", Arguments: fmt.Sprintf(`{"path":"pkg/file%d.go","offset":%d}`, i, i*10)}}}
		switch i % 5 {
		case 0:
			a.Text = fmt.Sprintf("Looking at file %d <next>.", i)
			a.Reasoning = []llm.Reasoning{{Text: "think about it & more"}}
		case 1:
			a.Reasoning = []llm.Reasoning{{ID: fmt.Sprintf("rs_%d", i), Text: "summary", Encrypted: "gAAAA" + strings.Repeat("x", 200)}}
			a.Commentary = "I will read it."
			a.Text, a.Phase = "reading", "final_answer"
		case 2:
			a.ToolCalls[0].Extra = json.RawMessage(`{"extra_content":{"google":{"thought_signature":"sig=="}}}`)
		case 3:
			a.ToolCalls[0].Arguments = `{"path": "broken`
		}
		msgs = append(msgs, a, llm.Message{Role: llm.RoleTool, ToolCallID: a.ToolCalls[0].ID, ToolName: "read_file", IsError: i%7 == 0,
			Text: fmt.Sprintf("package pkg\n\n// File %d <html> & \"quotes\"\nfunc F%d() int { return %d }\n%s", i, i, i, strings.Repeat("// line of code\n", 20))})
	}
	return msgs
}

var benchTools = []llm.Tool{
	{Name: "read_file", Description: "Read a file.", Parameters: json.RawMessage(`{"type":"object","properties":{"path":{"type":"string"},"offset":{"type":"integer"}},"required":["path"]}`)},
	{Name: "run", Description: "Run a command in the sandbox.", Parameters: json.RawMessage(`{"type":"object","properties":{"command":{"type":"string"}}}`)},
	{Name: "noargs", Description: "No parameters."},
}

func longRequest(msgs []llm.Message) llm.Request {
	return llm.Request{Model: "gpt-test", System: "be <brief> & exact", Messages: msgs, Tools: benchTools, MaxOutputTokens: 4096, ReasoningEffort: "high"}
}

// sdkBody sends req the way hew did before bodies were cached, through the SDK's parameter
// types, and returns the body the server received.
func sdkBody(t testing.TB, p *Provider, ct *captureTransport, req llm.Request) []byte {
	t.Helper()
	ctx := context.Background()
	if p.api == APIChat {
		params, err := p.chatParams(req)
		if err != nil {
			t.Fatal(err)
		}
		s := p.client.Chat.Completions.NewStreaming(ctx, params)
		s.Close()
	} else {
		params, err := p.responsesParams(req)
		if err != nil {
			t.Fatal(err)
		}
		s := p.client.Responses.NewStreaming(ctx, params)
		s.Close()
	}
	return nil
}

// sentBody sends req as the provider does and returns the body the server received.
func sentBody(t testing.TB, p *Provider, ct *captureTransport, req llm.Request) []byte {
	t.Helper()
	before := ct.count()
	var err error
	if p.api == APIChat {
		_, err = p.streamChat(context.Background(), req, func(llm.Delta) {})
	} else {
		_, err = p.streamResponses(context.Background(), req, func(llm.Delta) {})
	}
	if err == nil || ct.count() != before+1 {
		t.Fatalf("the request did not reach the server: %v", err)
	}
	return nil
}

func sameJSON(t *testing.T, what string, got, want []byte) {
	t.Helper()
	var g, w any
	if err := json.Unmarshal(got, &g); err != nil {
		t.Fatalf("%s: body is not JSON: %v\n%s", what, err, got)
	}
	if err := json.Unmarshal(want, &w); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(g, w) {
		t.Fatalf("%s: body differs from the SDK's\n got: %.2000s\nwant: %.2000s", what, got, want)
	}
	if !bytes.Equal(sdkOrder(got), want) {
		t.Errorf("%s: body parses alike but its bytes differ from the SDK's", what)
	}
}

// TestBodyMatchesSDK checks that the body built from the kept encodings is what the SDK's types
// would have sent, as a session grows, is cut back, and has a message changed in place.
func TestBodyMatchesSDK(t *testing.T) {
	full := session(40)
	for _, api := range apis {
		for _, hosted := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s/hosted=%v", api, hosted), func(t *testing.T) {
				p, ct := captureProvider(t, api, hosted)
				check := func(what string, req llm.Request) {
					t.Helper()
					sentBody(t, p, ct, req)
					got := ct.last()
					sdkBody(t, p, ct, req)
					sameJSON(t, what, got, ct.last())
				}
				check("no messages", llm.Request{Model: "gpt-test"})
				check("system only", llm.Request{Model: "gpt-test", System: "sys"})
				for n := 1; n <= len(full); n += 7 {
					check(fmt.Sprintf("%d messages", n), longRequest(full[:n]))
				}
				check("all", longRequest(full))
				check("a side request", longRequest(full[:3]))
				check("all again", longRequest(full))

				// A caller rewriting its history (compaction, an edited message) in place.
				edited := append([]llm.Message(nil), full...)
				edited[5].Text = "rewritten <summary>"
				edited[7].ToolCalls = append([]llm.ToolCall(nil), edited[7].ToolCalls...)
				edited[7].ToolCalls[0].Arguments = `{"path":"other"}`
				check("edited", longRequest(edited))
				shared := append([]llm.Message(nil), full...)
				check("before an in-place change", longRequest(shared))
				shared[3].ToolCalls[0].Arguments = `{"path":"changed in place"}`
				check("after an in-place change", longRequest(shared))
				shared[3].ToolCalls[0].Arguments = full[3].ToolCalls[0].Arguments
			})
		}
	}
}

// TestBodyConcurrentConversations sends several growing conversations from one provider at once.
func TestBodyConcurrentConversations(t *testing.T) {
	for _, api := range apis {
		p, _ := captureProvider(t, api, false)
		var wg sync.WaitGroup
		for g := range cachedConversations + 2 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				msgs := session(12)
				msgs[0].Text = fmt.Sprintf("conversation %d", g)
				for n := 1; n <= len(msgs); n += 3 {
					req := longRequest(msgs[:n])
					got, err := p.bodyFor(req)
					if err != nil {
						t.Error(err)
						return
					}
					want, err := p.paramsJSON(req)
					if err != nil {
						t.Error(err)
						return
					}
					if !bytes.Equal(sdkOrder(got), streamed(want)) {
						t.Errorf("%s conversation %d at %d messages: body differs from the SDK's", api, g, n)
						return
					}
				}
			}()
		}
		wg.Wait()
	}
}

// TestBodyBadMessage: a message of an unknown role is refused, and nothing of it is kept.
func TestBodyBadMessage(t *testing.T) {
	for _, api := range apis {
		p, _ := captureProvider(t, api, false)
		msgs := append(session(2), llm.Message{Role: "robot", Text: "beep"})
		_, err := p.bodyFor(longRequest(msgs))
		var e *llm.Error
		if !errors.As(err, &e) || e.Kind != llm.ErrBadRequest || !strings.Contains(e.Message, `"robot"`) {
			t.Fatalf("%s: err = %v, want a bad request naming the role", api, err)
		}
		got, err := p.bodyFor(longRequest(msgs[:len(msgs)-1]))
		if err != nil {
			t.Fatal(err)
		}
		if want, _ := p.paramsJSON(longRequest(msgs[:len(msgs)-1])); !bytes.Equal(sdkOrder(got), streamed(want)) {
			t.Errorf("%s: body after a refused message differs from the SDK's", api)
		}
	}
}

// sdkOrder moves "stream" from the start of body, where hew puts it, to the end, where the SDK
// puts it.
func sdkOrder(body []byte) []byte {
	if rest, ok := bytes.CutPrefix(body, []byte(`{"stream":true,`)); ok {
		return append(append([]byte("{"), rest[:len(rest)-1]...), `,"stream":true}`...)
	}
	return body
}

// streamed is an encoded request as the SDK sends it streamed: with "stream" added last.
func streamed(params []byte) []byte {
	return append(params[:len(params)-1:len(params)-1], `,"stream":true}`...)
}

// bodyFor and paramsJSON are the new and the SDK-typed encodings of req, before "stream".
func (p *Provider) bodyFor(req llm.Request) ([]byte, error) {
	if p.api == APIChat {
		return p.chatBody(req)
	}
	return p.responsesBody(req)
}

func (p *Provider) paramsJSON(req llm.Request) ([]byte, error) {
	var params json.Marshaler
	var err error
	if p.api == APIChat {
		var c openai.ChatCompletionNewParams
		c, err = p.chatParams(req)
		params = c
	} else {
		var r responses.ResponseNewParams
		r, err = p.responsesParams(req)
		params = r
	}
	if err != nil {
		return nil, err
	}
	return params.MarshalJSON()
}

// BenchmarkRequest measures building and sending one request of a session at 1,000 tool calls,
// each request adding one call and its result: "sdk" encodes the conversation through the SDK's
// types as hew did before, "cached" is what hew sends now. Both go through the real SDK client to
// a transport that answers at once.
// Run: go test ./agent/llm/openai -run '^$' -bench Request -benchtime 200x
func BenchmarkRequest(b *testing.B) {
	const calls, grow = 1000, 64
	msgs := session(calls + grow)
	base := 1 + 2*calls
	for _, api := range apis {
		for _, way := range []string{"sdk", "cached"} {
			b.Run(api+"/"+way, func(b *testing.B) {
				p, ct := captureProvider(b, api, false)
				send := sentBody
				if way == "sdk" {
					send = sdkBody
				}
				send(b, p, ct, longRequest(msgs[:base])) // a session's earlier requests
				i := 0
				start := time.Now()
				for b.Loop() {
					i++
					send(b, p, ct, longRequest(msgs[:base+2*(i%grow)]))
				}
				b.ReportMetric(float64(time.Since(start).Microseconds())/1000/float64(i), "ms/request")
				b.ReportMetric(float64(ct.size())/1e6, "MB/body")
			})
		}
	}
}
