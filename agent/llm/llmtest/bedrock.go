package llmtest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws/protocol/eventstream"
)

// BedrockTurn scripts the server's answer to one Converse or ConverseStream request.
//
// By default the answer is a stream of the events a Bedrock model sends: reasoning (when
// Reasoning is set), text, tool uses, messageStop and metadata. A ConverseStream request receives
// them as AWS event-stream messages; a Converse request receives the same content as one JSON
// document. ErrorType turns the answer into an HTTP error, and StreamException cuts the stream
// with an exception message.
type BedrockTurn struct {
	// Reasoning is the reasoning text in chunks, followed by Signature; RedactedReasoning, if
	// set, adds an encrypted reasoning block.
	Reasoning         []string
	Signature         string
	RedactedReasoning []byte
	// Text is the answer in chunks.
	Text []string
	// Tools are the tool uses, each with its input JSON in chunks.
	Tools []BedrockToolUse
	// Stop is the stop reason; default "tool_use" when Tools is set, else "end_turn".
	Stop  string
	Usage BedrockUsage

	// ErrorType, when set, answers with this HTTP error instead: an X-Amzn-ErrorType header
	// naming ErrorType (such as "ValidationException"), Status (default 400), ErrorMessage in the
	// JSON body and, if set, a Retry-After header.
	ErrorType    string
	Status       int
	ErrorMessage string
	RetryAfter   string

	// StreamException, when set, is the exception type (such as "modelStreamErrorException")
	// sent after the first ExceptionAfter events, ending the stream.
	StreamException string
	ExceptionAfter  int
	ExceptionText   string

	// Hang makes the server accept the request and never answer, until the client gives up
	// (or a minute passes).
	Hang bool
}

// BedrockToolUse is one scripted tool use.
type BedrockToolUse struct {
	ID, Name string
	Input    []string // the input JSON, split across deltas
}

// BedrockUsage is the token usage a turn reports in its metadata event.
type BedrockUsage struct {
	Input, Output, CacheRead, CacheWrite int
}

// BedrockRequest is a request the server received.
type BedrockRequest struct {
	Model  string // the model id from the path, unescaped
	Stream bool   // ConverseStream rather than Converse
	Header http.Header
	Body   map[string]any // the decoded JSON body
	Raw    []byte
}

// BedrockServer is a fake Bedrock runtime endpoint answering scripted turns in order.
type BedrockServer struct {
	// URL is the endpoint, for AWS_ENDPOINT_URL_BEDROCK_RUNTIME or a base endpoint option.
	URL string
	// Client is an HTTP client that trusts the server (needed for the TLS server).
	Client *http.Client

	t     testing.TB
	mu    sync.Mutex
	turns []BedrockTurn
	reqs  []BedrockRequest
	rules []BedrockRule

	control  bool // see SetControlPlane
	models   []BedrockFoundationModel
	profiles []BedrockProfile
}

// NewBedrockServer starts a plain-HTTP fake Bedrock runtime on 127.0.0.1 that answers turns in
// order and fails the test if more requests arrive than there are turns. It stops when the test
// ends.
func NewBedrockServer(t testing.TB, turns ...BedrockTurn) *BedrockServer {
	return startBedrock(t, httptest.NewServer, turns)
}

// NewBedrockTLSServer is NewBedrockServer over HTTPS with a self-signed certificate; use its
// Client, which trusts it. Bearer tokens (AWS_BEARER_TOKEN_BEDROCK) are only sent over HTTPS.
func NewBedrockTLSServer(t testing.TB, turns ...BedrockTurn) *BedrockServer {
	return startBedrock(t, httptest.NewTLSServer, turns)
}

func startBedrock(t testing.TB, start func(http.Handler) *httptest.Server, turns []BedrockTurn) *BedrockServer {
	s := &BedrockServer{t: t, turns: turns}
	srv := start(http.HandlerFunc(s.serve))
	t.Cleanup(srv.Close)
	s.URL, s.Client = srv.URL, srv.Client()
	return s
}

// Requests returns the requests received so far.
func (s *BedrockServer) Requests() []BedrockRequest {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]BedrockRequest(nil), s.reqs...)
}

func (s *BedrockServer) serve(w http.ResponseWriter, r *http.Request) {
	if s.serveControl(w, r) {
		return
	}
	req, err := readBedrockRequest(r)
	if err != nil {
		s.t.Errorf("llmtest: bedrock server: %v", err)
		writeBedrockError(w, BedrockTurn{ErrorType: "ValidationException", ErrorMessage: err.Error()})
		return
	}
	s.mu.Lock()
	s.reqs = append(s.reqs, req)
	var turn BedrockTurn
	ok := len(s.turns) > 0
	if ok {
		turn, s.turns = s.turns[0], s.turns[1:]
	}
	s.mu.Unlock()
	if !ok {
		s.t.Errorf("llmtest: bedrock server: request %d for %s has no scripted turn", len(s.Requests()), req.Model)
		writeBedrockError(w, BedrockTurn{ErrorType: "InternalServerException", Status: 500, ErrorMessage: "llmtest: no scripted turn left"})
		return
	}
	if msg := s.check(req); msg != "" {
		writeBedrockError(w, BedrockTurn{ErrorType: "ValidationException", ErrorMessage: msg})
		return
	}
	switch {
	case turn.Hang:
		select {
		case <-r.Context().Done():
		case <-time.After(time.Minute):
		}
	case turn.ErrorType != "":
		writeBedrockError(w, turn)
	case req.Stream:
		writeBedrockStream(w, turn)
	default:
		writeBedrockConverse(w, turn)
	}
}

// readBedrockRequest checks the path is /model/{id}/converse or /model/{id}/converse-stream and
// decodes the body.
func readBedrockRequest(r *http.Request) (BedrockRequest, error) {
	rest, ok := strings.CutPrefix(r.URL.EscapedPath(), "/model/")
	if !ok || r.Method != http.MethodPost {
		return BedrockRequest{}, fmt.Errorf("unexpected %s %s", r.Method, r.URL.Path)
	}
	escaped, op, _ := strings.Cut(rest, "/")
	model, err := url.PathUnescape(escaped)
	if err != nil || (op != "converse" && op != "converse-stream") {
		return BedrockRequest{}, fmt.Errorf("unexpected path %s", r.URL.Path)
	}
	raw, err := io.ReadAll(r.Body)
	if err != nil {
		return BedrockRequest{}, fmt.Errorf("read body: %w", err)
	}
	req := BedrockRequest{Model: model, Stream: op == "converse-stream", Header: r.Header.Clone(), Raw: raw}
	if err := json.Unmarshal(raw, &req.Body); err != nil {
		return BedrockRequest{}, fmt.Errorf("decode body: %w", err)
	}
	return req, nil
}

func writeBedrockError(w http.ResponseWriter, turn BedrockTurn) {
	status := turn.Status
	if status == 0 {
		status = http.StatusBadRequest
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Amzn-ErrorType", turn.ErrorType)
	if turn.RetryAfter != "" {
		w.Header().Set("Retry-After", turn.RetryAfter)
	}
	w.WriteHeader(status)
	body, _ := json.Marshal(map[string]string{"message": turn.ErrorMessage})
	w.Write(body)
}

// bedrockEvent is one event-stream event: its :event-type and JSON payload.
type bedrockEvent struct {
	typ     string
	payload any
}

type obj = map[string]any

// events lays the turn out as the ConverseStream events Bedrock sends.
func (turn BedrockTurn) events() []bedrockEvent {
	evs := []bedrockEvent{{"messageStart", obj{"role": "assistant"}}}
	block := 0
	delta := func(d obj) {
		evs = append(evs, bedrockEvent{"contentBlockDelta", obj{"contentBlockIndex": block, "delta": d}})
	}
	stop := func() {
		evs = append(evs, bedrockEvent{"contentBlockStop", obj{"contentBlockIndex": block}})
		block++
	}
	if len(turn.Reasoning) > 0 || turn.Signature != "" {
		for _, r := range turn.Reasoning {
			delta(obj{"reasoningContent": obj{"text": r}})
		}
		if turn.Signature != "" {
			delta(obj{"reasoningContent": obj{"signature": turn.Signature}})
		}
		stop()
	}
	if turn.RedactedReasoning != nil {
		delta(obj{"reasoningContent": obj{"redactedContent": turn.RedactedReasoning}})
		stop()
	}
	if len(turn.Text) > 0 {
		for _, t := range turn.Text {
			delta(obj{"text": t})
		}
		stop()
	}
	for _, tu := range turn.Tools {
		evs = append(evs, bedrockEvent{"contentBlockStart", obj{"contentBlockIndex": block,
			"start": obj{"toolUse": obj{"toolUseId": tu.ID, "name": tu.Name}}}})
		for _, in := range tu.Input {
			delta(obj{"toolUse": obj{"input": in}})
		}
		stop()
	}
	evs = append(evs,
		bedrockEvent{"messageStop", obj{"stopReason": turn.stopReason()}},
		bedrockEvent{"metadata", obj{"usage": turn.Usage.json(), "metrics": obj{"latencyMs": 1}}},
	)
	return evs
}

func (turn BedrockTurn) stopReason() string {
	switch {
	case turn.Stop != "":
		return turn.Stop
	case len(turn.Tools) > 0:
		return "tool_use"
	}
	return "end_turn"
}

func (u BedrockUsage) json() obj {
	return obj{"inputTokens": u.Input, "outputTokens": u.Output, "totalTokens": u.Input + u.Output + u.CacheRead + u.CacheWrite,
		"cacheReadInputTokens": u.CacheRead, "cacheWriteInputTokens": u.CacheWrite}
}

// writeBedrockStream sends the turn as AWS event-stream messages, flushing after each so the
// client sees them arrive one by one.
func writeBedrockStream(w http.ResponseWriter, turn BedrockTurn) {
	w.Header().Set("Content-Type", "application/vnd.amazon.eventstream")
	w.Header().Set("X-Amzn-Requestid", "llmtest")
	w.WriteHeader(http.StatusOK)
	enc := eventstream.NewEncoder()
	flush := func() {
		if f, ok := w.(http.Flusher); ok {
			f.Flush()
		}
	}
	for i, ev := range turn.events() {
		if turn.StreamException != "" && i == turn.ExceptionAfter {
			break
		}
		if writeEventMessage(w, enc, "event", ":event-type", ev.typ, ev.payload) != nil {
			return
		}
		flush()
	}
	if turn.StreamException != "" {
		writeEventMessage(w, enc, "exception", ":exception-type", turn.StreamException, obj{"message": turn.ExceptionText})
		flush()
	}
}

// writeEventMessage encodes one event-stream message: its :message-type, the header naming the
// event or exception type, and a JSON payload.
func writeEventMessage(w io.Writer, enc *eventstream.Encoder, msgType, typeHeader, typ string, payload any) error {
	data, err := json.Marshal(payload)
	if err != nil {
		return err
	}
	var msg eventstream.Message
	msg.Headers.Set(":message-type", eventstream.StringValue(msgType))
	msg.Headers.Set(typeHeader, eventstream.StringValue(typ))
	msg.Headers.Set(":content-type", eventstream.StringValue("application/json"))
	msg.Payload = data
	return enc.Encode(w, msg)
}

// writeBedrockConverse sends the turn as one Converse JSON response.
func writeBedrockConverse(w http.ResponseWriter, turn BedrockTurn) {
	var content []obj
	if len(turn.Reasoning) > 0 || turn.Signature != "" {
		content = append(content, obj{"reasoningContent": obj{"reasoningText": obj{
			"text": strings.Join(turn.Reasoning, ""), "signature": turn.Signature}}})
	}
	if len(turn.Text) > 0 {
		content = append(content, obj{"text": strings.Join(turn.Text, "")})
	}
	for _, tu := range turn.Tools {
		content = append(content, obj{"toolUse": obj{"toolUseId": tu.ID, "name": tu.Name,
			"input": json.RawMessage(strings.Join(tu.Input, ""))}})
	}
	body := obj{
		"output":     obj{"message": obj{"role": "assistant", "content": content}},
		"stopReason": turn.stopReason(),
		"usage":      turn.Usage.json(),
		"metrics":    obj{"latencyMs": 1},
	}
	var buf bytes.Buffer
	if err := json.NewEncoder(&buf).Encode(body); err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Write(buf.Bytes())
}
