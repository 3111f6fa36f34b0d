// Package llmtest provides local fake model servers that speak the real wire protocols, so
// tests can drive the real provider SDKs (and the built hew binary) without the network.
package llmtest

import (
	"encoding/json"
	"encoding/pem"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"hew/agent/llm"
)

// Turn scripts the server's answer to one request.
type Turn struct {
	Text      string     `json:"text,omitempty"`       // the assistant's answer, streamed in a few pieces
	ToolCalls []ToolCall `json:"tool_calls,omitempty"` // tool calls, arguments split across deltas
	Reasoning string     `json:"reasoning,omitempty"`  // a reasoning summary (Responses) or reasoning_content (chat)
	Usage     llm.Usage  `json:"usage,omitzero"`       // reported token counts
	// Status, when not 0 or 200, makes the server reply with this HTTP status and ErrorBody
	// instead of a model answer. ErrorBody is the whole JSON body, or a message to wrap in
	// {"error":{"message":...}}; empty means a generic message.
	Status    int    `json:"status,omitempty"`
	ErrorBody string `json:"error_body,omitempty"`
	// RetryAfter, when set, is sent as the Retry-After header with an error reply.
	RetryAfter string `json:"retry_after,omitempty"`
	// CutAfterBytes, when positive, makes the server drop the connection after writing that
	// many bytes of the streamed body.
	CutAfterBytes int `json:"cut_after_bytes,omitempty"`
	// Hang makes the server accept the request and never answer; HangAfterBytes, when
	// positive, makes it stream that many bytes of the answer and then go silent. Either way
	// it waits until the client gives up or the server closes.
	Hang           bool `json:"hang,omitempty"`
	HangAfterBytes int  `json:"hang_after_bytes,omitempty"`
	// Incomplete makes the answer stop at the output token limit (finish_reason "length",
	// Responses status "incomplete").
	Incomplete bool `json:"incomplete,omitempty"`
	// Raw, when set, is the whole streamed body, sent byte for byte as text/event-stream: the
	// SSE a real server sent, quirks included (see Chunks and Events).
	Raw string `json:"raw,omitempty"`
	// TextChunk, when positive, streams Text in pieces of about this many bytes instead of
	// three, and ChunkDelayMS waits that many milliseconds before each event of the stream: a
	// long answer arriving as a real model sends it (see the TUI's streaming benchmark).
	TextChunk    int `json:"text_chunk,omitempty"`
	ChunkDelayMS int `json:"chunk_delay_ms,omitempty"`
}

// textPieces is the turn's answer cut into the pieces it is streamed in.
func (t Turn) textPieces() []string {
	if t.TextChunk > 0 {
		return pieces(t.Text, max(len(t.Text)/t.TextChunk, 1))
	}
	return pieces(t.Text, 3)
}

// ToolCall is a scripted tool call. An empty ID is filled in as call_N.
type ToolCall struct {
	ID        string `json:"id,omitempty"`
	Name      string `json:"name"`
	Arguments string `json:"arguments"`
}

// RecordedRequest is one request the server received.
type RecordedRequest struct {
	Method string
	Path   string
	Header http.Header
	Body   []byte         // the raw JSON body
	JSON   map[string]any // Body decoded, nil when it is not a JSON object
	// Tokens is the fake's count of the prompt (see OpenAIServer.Window), and Refused says the
	// server refused the request as over the window.
	Tokens  int
	Refused bool
}

// OpenAIServer is a fake OpenAI API on 127.0.0.1 answering POST /v1/chat/completions and
// POST /v1/responses, streamed or not, with one scripted Turn per request in order. The paths
// may have a prefix, as Amazon Bedrock's OpenAI-compatible /openai/v1/responses has.
type OpenAIServer struct {
	srv  *httptest.Server
	fail func(format string, args ...any)

	mu       sync.Mutex
	turns    []Turn
	requests []RecordedRequest
	// window, style and counting: see Window; respond: see Respond.
	window   int
	style    string
	counting bool
	respond  func(RecordedRequest) Turn
	// closing ends the waits of hanging turns when the server closes.
	closing   chan struct{}
	closeOnce sync.Once
	rules     []Rule
	extra     map[string]string // "METHOD /path" -> JSON body, see Handle
	models    []map[string]any
}

// NewOpenAIServer starts a fake OpenAI server that answers requests with turns in order and
// closes it when the test ends. A request beyond the scripted turns fails the test and gets a
// 500 reply saying so.
func NewOpenAIServer(t testing.TB, turns ...Turn) *OpenAIServer {
	return startOpenAI(t, (*httptest.Server).Start, turns)
}

// NewOpenAITLSServer is NewOpenAIServer over HTTPS with a self-signed certificate; its Client
// and Certificate let clients trust it.
func NewOpenAITLSServer(t testing.TB, turns ...Turn) *OpenAIServer {
	return startOpenAI(t, (*httptest.Server).StartTLS, turns)
}

func startOpenAI(t testing.TB, start func(*httptest.Server), turns []Turn) *OpenAIServer {
	s := newOpenAIServer(t.Errorf, turns)
	start(s.srv)
	t.Cleanup(s.Close)
	return s
}

// StartOpenAIServer starts a fake OpenAI server outside a test, listening on addr
// ("127.0.0.1:0" picks a free port). Unexpected requests are reported to logf. Call Close when
// done.
func StartOpenAIServer(addr string, logf func(format string, args ...any), turns ...Turn) (*OpenAIServer, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("llmtest: listen on %s: %w", addr, err)
	}
	s := newOpenAIServer(logf, turns)
	s.srv.Listener.Close()
	s.srv.Listener = ln
	s.srv.Start()
	return s, nil
}

func newOpenAIServer(fail func(string, ...any), turns []Turn) *OpenAIServer {
	s := &OpenAIServer{fail: fail, turns: turns, closing: make(chan struct{})}
	s.srv = httptest.NewUnstartedServer(http.HandlerFunc(s.serve))
	return s
}

// URL returns the base URL of the API, ending in /v1, as OPENAI_BASE_URL expects.
func (s *OpenAIServer) URL() string { return s.srv.URL + "/v1" }

// Root returns the server's scheme and address, with no path, as endpoint overrides such as
// AWS_ENDPOINT_URL_BEDROCK_MANTLE expect.
func (s *OpenAIServer) Root() string { return s.srv.URL }

// Client returns an HTTP client that trusts the server, which a TLS server needs.
func (s *OpenAIServer) Client() *http.Client { return s.srv.Client() }

// Certificate returns the TLS server's certificate in PEM form, as AWS_CA_BUNDLE expects, or
// nil for a plain HTTP server.
func (s *OpenAIServer) Certificate() []byte {
	if s.srv.Certificate() == nil {
		return nil
	}
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: s.srv.Certificate().Raw})
}

// Close shuts the server down.
func (s *OpenAIServer) Close() {
	s.closeOnce.Do(func() { close(s.closing) })
	s.srv.Close()
}

// hang waits until the client gives up on r or the server closes.
func (s *OpenAIServer) hang(r *http.Request) {
	select {
	case <-r.Context().Done():
	case <-s.closing:
	}
}

// Requests returns the requests received so far.
func (s *OpenAIServer) Requests() []RecordedRequest {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]RecordedRequest(nil), s.requests...)
}

// Remaining returns how many scripted turns have not been used.
func (s *OpenAIServer) Remaining() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.turns)
}

func (s *OpenAIServer) serve(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		writeErrorBody(w, http.StatusBadRequest, fmt.Sprintf("llmtest: read request body: %v", err))
		return
	}
	rec := RecordedRequest{Method: r.Method, Path: r.URL.Path, Header: r.Header.Clone(), Body: body}
	_ = json.Unmarshal(body, &rec.JSON)

	if s.serveExtra(w, r) {
		return
	}
	if strings.HasPrefix(r.URL.Path, "/api/") {
		// Another server's API (Ollama's, LM Studio's), which clients probe for: an
		// OpenAI-only server answers 404. Not recorded, like the model list.
		writeErrorBody(w, http.StatusNotFound, "llmtest: not found: "+r.URL.Path)
		return
	}
	_, api, _ := strings.Cut(r.URL.Path, "/v1/")
	known := r.Method == http.MethodPost && (api == "chat/completions" || api == "responses")

	s.mu.Lock()
	var refusal string
	if known && s.counting {
		rec.Tokens, refusal = overWindow(rec.JSON, s.window, s.style)
		rec.Refused = refusal != ""
	}
	s.requests = append(s.requests, rec)
	n := len(s.requests)
	s.mu.Unlock()
	if known {
		if status, body := s.check(rec); status != 0 {
			writeErrorBody(w, status, body)
			return
		}
	}
	s.mu.Lock()
	turn, ok := Turn{}, known && len(s.turns) > 0
	switch {
	case refusal != "":
		turn, ok = Turn{Status: http.StatusBadRequest, ErrorBody: refusal}, true
	case known && s.respond != nil:
		turn, ok = s.respond(rec), true
	case ok:
		turn, s.turns = s.turns[0], s.turns[1:]
	}
	if s.counting && turn.Usage == (llm.Usage{}) {
		turn.Usage = llm.Usage{InputTokens: int64(rec.Tokens), OutputTokens: 20}
	}
	s.mu.Unlock()

	if !known {
		msg := fmt.Sprintf("llmtest: unexpected %s %s (the fake serves POST [prefix]/v1/chat/completions and [prefix]/v1/responses)", r.Method, r.URL.Path)
		s.fail("%s", msg)
		writeErrorBody(w, http.StatusNotFound, msg)
		return
	}
	if !ok {
		msg := fmt.Sprintf("llmtest: unexpected request %d to %s: no scripted turn left", n, r.URL.Path)
		s.fail("%s", msg)
		writeErrorBody(w, http.StatusInternalServerError, msg)
		return
	}
	if turn.Raw != "" {
		w.Header().Set("Content-Type", "text/event-stream")
		w.WriteHeader(http.StatusOK)
		_, _ = io.WriteString(w, turn.Raw)
		return
	}
	if turn.Status != 0 && turn.Status != http.StatusOK {
		if turn.RetryAfter != "" {
			w.Header().Set("Retry-After", turn.RetryAfter)
		}
		writeErrorBody(w, turn.Status, turn.ErrorBody)
		return
	}

	if turn.Hang {
		s.hang(r)
		return
	}
	model, _ := rec.JSON["model"].(string)
	stream, _ := rec.JSON["stream"].(bool)
	var ans answer
	if api == "responses" {
		ans = responsesAnswer(turn, model, stream)
	} else {
		opts, _ := rec.JSON["stream_options"].(map[string]any)
		withUsage, _ := opts["include_usage"].(bool)
		ans = chatAnswer(turn, model, stream, withUsage)
	}
	if !stream {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(ans.body)
		return
	}
	delay := time.Duration(turn.ChunkDelayMS) * time.Millisecond
	if turn.HangAfterBytes > 0 {
		writeStream(w, ans.events, turn.HangAfterBytes, delay, func() { s.hang(r) })
		return
	}
	writeStream(w, ans.events, turn.CutAfterBytes, delay, nil)
}

// answer is a reply ready to send: a JSON body, or SSE events.
type answer struct {
	body   []byte
	events []sseEvent
}

type sseEvent struct {
	name string // the SSE event field; empty for chat chunks
	data string
}

// writeStream sends events in the text/event-stream format, flushing each, and drops the
// connection once cut bytes are written when cut is positive — or, when stall is set, calls
// stall there instead and ends. It waits delay before each event.
func writeStream(w http.ResponseWriter, events []sseEvent, cut int, delay time.Duration, stall func()) {
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-cache")
	w.WriteHeader(http.StatusOK)
	flusher, _ := w.(http.Flusher)
	written := 0
	for _, e := range events {
		if delay > 0 {
			time.Sleep(delay)
		}
		var b strings.Builder
		if e.name != "" {
			fmt.Fprintf(&b, "event: %s\n", e.name)
		}
		fmt.Fprintf(&b, "data: %s\n\n", e.data)
		chunk := b.String()
		if cut > 0 && written+len(chunk) >= cut {
			_, _ = io.WriteString(w, chunk[:cut-written])
			if flusher != nil {
				flusher.Flush()
			}
			if stall != nil {
				stall()
				return
			}
			panic(http.ErrAbortHandler) // closes the connection without ending the body
		}
		_, _ = io.WriteString(w, chunk)
		written += len(chunk)
		if flusher != nil {
			flusher.Flush()
		}
	}
}

// writeErrorBody replies with status and body, wrapping a body that is not JSON as an OpenAI
// error message.
func writeErrorBody(w http.ResponseWriter, status int, body string) {
	if body == "" {
		body = fmt.Sprintf("llmtest: scripted %d %s", status, http.StatusText(status))
	}
	if !json.Valid([]byte(body)) {
		b, _ := json.Marshal(map[string]any{"error": map[string]any{
			"message": body, "type": "invalid_request_error", "code": nil, "param": nil}})
		body = string(b)
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = io.WriteString(w, body)
}

// pieces splits s into up to n pieces of similar length, cutting between bytes of valid UTF-8.
func pieces(s string, n int) []string {
	if s == "" {
		return nil
	}
	var out []string
	size := max(len(s)/n, 1)
	for len(s) > 0 {
		cut := min(size, len(s))
		for cut < len(s) && !utf8Start(s[cut]) {
			cut++
		}
		out = append(out, s[:cut])
		s = s[cut:]
	}
	return out
}

func utf8Start(b byte) bool { return b&0xC0 != 0x80 }

func mustJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(fmt.Sprintf("llmtest: marshal %T: %v", v, err))
	}
	return string(b)
}

// callID returns the scripted call's ID, or call_N for the i-th call when it has none.
func (c ToolCall) callID(i int) string {
	if c.ID != "" {
		return c.ID
	}
	return fmt.Sprintf("call_%d", i+1)
}

// SetModels makes GET [prefix]/v1/models list these models, each an object such as
// {"id":"qwen3","max_model_len":32768} (fields beyond id as the server reports them). Without
// it the list is empty.
func (s *OpenAIServer) SetModels(models ...map[string]any) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.models = models
}

// Handle makes the server answer method and path (outside the OpenAI API, such as Ollama's
// POST /api/show) with the JSON body.
func (s *OpenAIServer) Handle(method, path, body string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.extra == nil {
		s.extra = map[string]string{}
	}
	s.extra[method+" "+path] = body
}

// serveExtra answers the model list and the handled paths; it reports whether it answered.
// These requests are not recorded: Requests holds the model calls only.
func (s *OpenAIServer) serveExtra(w http.ResponseWriter, r *http.Request) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if body, ok := s.extra[r.Method+" "+r.URL.Path]; ok {
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, body)
		return true
	}
	if r.Method != http.MethodGet || !strings.HasSuffix(r.URL.Path, "/v1/models") {
		return false
	}
	data := []map[string]any{}
	for _, m := range s.models {
		entry := map[string]any{"object": "model", "created": 1700000000, "owned_by": "llmtest"}
		for k, v := range m {
			entry[k] = v
		}
		data = append(data, entry)
	}
	w.Header().Set("Content-Type", "application/json")
	_, _ = io.WriteString(w, mustJSON(map[string]any{"object": "list", "data": data}))
	return true
}
