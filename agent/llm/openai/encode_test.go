package openai

import (
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"hew/agent/llm"
)

// longSession is a conversation of n tool calls, each answered with about 1.5 KB of output,
// with reasoning, commentary and a Gemini-style extra field on the way.
func longSession(n int) llm.Request {
	req := llm.Request{Model: "gpt-5.1", System: "You are hew.", ReasoningEffort: "low", MaxOutputTokens: 4000,
		Tools:    []llm.Tool{{Name: "read_file", Description: "Read a file.", Parameters: json.RawMessage(`{"type":"object","properties":{"path":{"type":"string"}}}`)}},
		Messages: []llm.Message{{Role: llm.RoleUser, Text: "fix the tests"}}}
	out := strings.Repeat("func f() error { return nil } // \"quoted\" <tag> & more\n", 28)
	for i := range n {
		req.Messages = append(req.Messages,
			llm.Message{Role: llm.RoleAssistant, Commentary: fmt.Sprintf("looking at %d", i),
				Reasoning: []llm.Reasoning{{ID: fmt.Sprintf("rs_%d", i), Encrypted: "enc", Text: "thinking"}},
				ToolCalls: []llm.ToolCall{{ID: fmt.Sprintf("call_%d", i), Name: "read_file", Arguments: fmt.Sprintf(`{"path":"f%d.go"}`, i),
					Extra: json.RawMessage(`{"extra_content":{"google":{"thought_signature":"sig"}}}`)}}},
			llm.Message{Role: llm.RoleTool, ToolCallID: fmt.Sprintf("call_%d", i), ToolName: "read_file", Text: out})
	}
	return req
}

func decode(t testing.TB, b []byte) any {
	t.Helper()
	var v any
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatalf("%v: %.200s", err, b)
	}
	return v
}

// The body sent is the SDK's own encoding of the whole request, whatever the cache held:
// through a growing conversation, one whose earlier messages changed (a compaction), and one
// that is shorter.
func TestBodyIsTheSDKsEncoding(t *testing.T) {
	p, err := New(Options{APIKey: "sk-test", BaseURL: "http://127.0.0.1:1/v1"})
	if err != nil {
		t.Fatal(err)
	}
	full := longSession(6)
	compacted := longSession(6)
	compacted.Messages[2].Text = "[output cut]"
	compacted.Messages[1].ToolCalls[0].Extra = nil
	steps := []llm.Request{full, full, {Model: full.Model, System: full.System, Messages: full.Messages[:5]}, compacted, longSession(8)}
	steps[1].Messages = append(steps[1].Messages[:len(steps[1].Messages):len(steps[1].Messages)], llm.Message{Role: llm.RoleUser, Text: "and now?"})
	for i, req := range steps {
		params, err := p.responsesParams(req)
		if err != nil {
			t.Fatal(err)
		}
		want, _ := json.Marshal(params)
		_, body, err := p.responsesBody(req)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(decode(t, body), decode(t, want)) {
			t.Errorf("responses step %d:\n got %.400s\nwant %.400s", i, body, want)
		}
		chat, err := p.chatParams(req)
		if err != nil {
			t.Fatal(err)
		}
		want, _ = json.Marshal(chat)
		_, body, err = p.chatBody(req)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(decode(t, body), decode(t, want)) {
			t.Errorf("chat step %d:\n got %.400s\nwant %.400s", i, body, want)
		}
	}
	if _, _, err := p.responsesBody(llm.Request{Model: "m", Messages: []llm.Message{{Role: "robot"}}}); err == nil {
		t.Error("a message of an unknown role was encoded")
	}
}

// BenchmarkRequestLongSession builds the request of a session 1,000 tool calls long, as each
// request of such a session does (the conversation one call longer each time), through the
// SDK's types (sdk-ms) and with the prefix encoded once (ms per request, the benchmark's own
// time), for the Responses and Chat Completions APIs.
func BenchmarkRequestLongSession(b *testing.B) {
	p, err := New(Options{APIKey: "sk-test", BaseURL: "http://127.0.0.1:1/v1"})
	if err != nil {
		b.Fatal(err)
	}
	full := longSession(1000)
	for _, api := range []string{"responses", "chat"} {
		b.Run(api, func(b *testing.B) {
			encode := func(req llm.Request) (int, error) {
				if api == "chat" {
					_, body, err := p.chatBody(req)
					return len(body), err
				}
				_, body, err := p.responsesBody(req)
				return len(body), err
			}
			sdk := func(req llm.Request) (int, error) {
				var body []byte
				var err error
				if api == "chat" {
					params, _ := p.chatParams(req)
					body, err = json.Marshal(params)
				} else {
					params, _ := p.responsesParams(req)
					body, err = json.Marshal(params)
				}
				return len(body), err
			}
			short := full
			short.Messages = full.Messages[:len(full.Messages)-2]
			if _, err := encode(short); err != nil { // the session so far
				b.Fatal(err)
			}
			var sdkTime time.Duration
			size := 0
			for b.Loop() {
				n, err := encode(full)
				size = n
				if err != nil || n < 1<<20 {
					b.Fatal(n, err)
				}
				b.StopTimer()
				start := time.Now()
				sdk(full)
				sdkTime += time.Since(start)
				encode(short) // the next request appends the call again
				b.StartTimer()
			}
			b.ReportMetric(float64(sdkTime.Microseconds())/1000/float64(b.N), "sdk-ms")
			b.ReportMetric(float64(size)/1e6, "body-MB")
		})
	}
}
