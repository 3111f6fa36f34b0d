// Package llm is the seam between the agent loop and model providers.
//
// A Provider turns a Request (system prompt, conversation, tool definitions) into one streamed
// assistant Message. Providers report text and reasoning as it arrives through a callback and
// return the complete message, its usage and why it stopped. They know nothing of tools beyond
// their JSON schemas and nothing of the agent.
package llm

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// Role says who wrote a message.
type Role string

// The roles a conversation holds.
const (
	RoleUser      Role = "user"
	RoleAssistant Role = "assistant"
	RoleTool      Role = "tool" // a tool result answering one ToolCall
)

// Message is one entry of the conversation sent to a model.
type Message struct {
	Role Role `json:"role"`
	// Text is the plain text of a user or assistant message, or the output of a tool.
	Text string `json:"text,omitempty"`
	// Reasoning holds the model's reasoning blocks of an assistant message, kept so providers
	// that require them (Claude thinking signatures, Responses encrypted reasoning) can send
	// them back on the next request.
	Reasoning []Reasoning `json:"reasoning,omitempty"`
	// Commentary is what an assistant wrote to the user while working, before its answer
	// (OpenAI Responses "commentary" phase). It is shown but is not the answer, and goes back
	// to the server marked as commentary.
	Commentary string `json:"commentary,omitempty"`
	// Phase is the phase the server gave Text ("final_answer" from the Responses API), sent
	// back with it; "" when the server uses none.
	Phase string `json:"phase,omitempty"`
	// ToolCalls are the tool invocations an assistant message asks for.
	ToolCalls []ToolCall `json:"tool_calls,omitempty"`
	// ToolCallID and ToolName identify the call a RoleTool message answers.
	ToolCallID string `json:"tool_call_id,omitempty"`
	ToolName   string `json:"tool_name,omitempty"`
	// IsError marks a tool result that reports a failure.
	IsError bool `json:"is_error,omitempty"`
}

// Reasoning is one block of model reasoning. Text may be a summary; Signature and Encrypted are
// opaque provider data that must be returned unchanged.
type Reasoning struct {
	Text      string `json:"text,omitempty"`
	Signature string `json:"signature,omitempty"`
	Encrypted string `json:"encrypted,omitempty"`
	ID        string `json:"id,omitempty"`
}

// ToolCall is a model's request to run a tool. Arguments is the raw JSON text the model wrote,
// which may be malformed; the agent validates it.
type ToolCall struct {
	ID        string `json:"id"`
	Name      string `json:"name"`
	Arguments string `json:"arguments"`
	// Extra holds provider fields of the call that the server needs back unchanged, as a JSON
	// object of field name to value (Gemini's extra_content with its thought signature).
	Extra json.RawMessage `json:"extra,omitempty"`
}

// Tool describes a tool to the model.
type Tool struct {
	Name        string          `json:"name"`
	Description string          `json:"description"`
	Parameters  json.RawMessage `json:"parameters"` // a JSON Schema object
}

// Request is one call to a model.
type Request struct {
	Model           string
	System          string
	Messages        []Message
	Tools           []Tool
	MaxOutputTokens int
	// ReasoningEffort is "", "minimal", "low", "medium" or "high"; providers map it to their
	// own setting or ignore it for models without reasoning.
	ReasoningEffort string
}

// Usage counts the tokens of one model call.
type Usage struct {
	InputTokens      int64 `json:"input_tokens"`                 // all prompt tokens, cached ones included
	CachedTokens     int64 `json:"cached_tokens,omitempty"`      // prompt tokens read from a cache
	CacheWriteTokens int64 `json:"cache_write_tokens,omitempty"` // prompt tokens written to a cache
	OutputTokens     int64 `json:"output_tokens"`                // completion tokens, reasoning included
	ReasoningTokens  int64 `json:"reasoning_tokens,omitempty"`
}

// Add returns the sum of two usages.
func (u Usage) Add(o Usage) Usage {
	return Usage{
		InputTokens:      u.InputTokens + o.InputTokens,
		CachedTokens:     u.CachedTokens + o.CachedTokens,
		CacheWriteTokens: u.CacheWriteTokens + o.CacheWriteTokens,
		OutputTokens:     u.OutputTokens + o.OutputTokens,
		ReasoningTokens:  u.ReasoningTokens + o.ReasoningTokens,
	}
}

// Sub returns u less o: what was used between two running totals.
func (u Usage) Sub(o Usage) Usage {
	return Usage{
		InputTokens:      u.InputTokens - o.InputTokens,
		CachedTokens:     u.CachedTokens - o.CachedTokens,
		CacheWriteTokens: u.CacheWriteTokens - o.CacheWriteTokens,
		OutputTokens:     u.OutputTokens - o.OutputTokens,
		ReasoningTokens:  u.ReasoningTokens - o.ReasoningTokens,
	}
}

// StopReason says why a model stopped writing.
type StopReason string

// Stop reasons, normalised across providers.
const (
	StopEnd       StopReason = "end"        // the model finished its answer
	StopToolUse   StopReason = "tool_use"   // the model wants tool results
	StopMaxTokens StopReason = "max_tokens" // the output cap cut the answer
	// StopFiltered: a content filter or guardrail stopped or replaced the answer, so the
	// message is not the model's answer. Response.StopDetail names the filter.
	StopFiltered StopReason = "filtered"
	StopOther    StopReason = "other"
)

// Response is the complete result of one model call.
type Response struct {
	Message Message
	Usage   Usage
	Stop    StopReason
	// StopDetail says what stopped the model in the server's own words, for StopFiltered and
	// StopOther (such as "content_filter" or "guardrail_intervened").
	StopDetail string
}

// DeltaKind says what a Delta carries.
type DeltaKind int

// Kinds of streamed deltas.
const (
	DeltaText      DeltaKind = iota // Text is more of the answer
	DeltaReasoning                  // Text is more reasoning (or a reasoning summary)
	DeltaToolCall                   // a tool call started: ToolCall.ID and Name are known
	DeltaNotice                     // Text is a status line for people, not part of the answer, such as a retry's wait
)

// Delta is a piece of a streamed response, reported while it arrives.
type Delta struct {
	Kind     DeltaKind
	Text     string
	ToolCall ToolCall
}

// Provider streams model responses.
type Provider interface {
	// Name is the provider's configuration name, such as "openai" or "bedrock".
	Name() string
	// Stream sends req and calls onDelta for each piece as it arrives (from the calling
	// goroutine). It returns the complete response once the model stops. Errors are *Error
	// where the provider can classify them.
	Stream(ctx context.Context, req Request, onDelta func(Delta)) (Response, error)
}

// ErrorKind classifies provider failures so the agent and the user know what to do.
type ErrorKind string

// Kinds of provider errors.
const (
	ErrAuth            ErrorKind = "auth"             // missing, wrong or expired credentials
	ErrPermission      ErrorKind = "permission"       // model access not enabled for this account or region
	ErrNotFound        ErrorKind = "model_not_found"  // unknown model id
	ErrRateLimit       ErrorKind = "rate_limit"       // throttled; retried before it surfaces
	ErrServer          ErrorKind = "server"           // 5xx; retried before it surfaces
	ErrContextOverflow ErrorKind = "context_overflow" // the request exceeds the context window
	ErrBadRequest      ErrorKind = "bad_request"
	ErrStream          ErrorKind = "stream" // the stream broke mid-way
	ErrConfig          ErrorKind = "config" // hew's own configuration is incomplete (no region, no key)
)

// Error is a classified provider failure. Message says what went wrong and Hint what to do.
type Error struct {
	Kind       ErrorKind
	Provider   string
	Model      string
	Status     int           // HTTP status, when there was one
	RetryAfter time.Duration // from the server, when it said
	// Final marks a failure that sending the same request again cannot cure (an account out
	// of quota, a request larger than the rate limit ever allows), even when its kind is
	// usually transient.
	Final   bool
	Message string
	Hint    string
	Err     error
}

func (e *Error) Error() string {
	s := fmt.Sprintf("%s: %s", e.Provider, e.Message)
	if e.Hint != "" {
		s += " (" + e.Hint + ")"
	}
	return s
}

func (e *Error) Unwrap() error { return e.Err }

// KindOf returns the kind of a provider error, or "" for other errors.
func KindOf(err error) ErrorKind {
	var e *Error
	if errors.As(err, &e) {
		return e.Kind
	}
	return ""
}

// ModelInfo is a model a server says the caller can use now, as model discovery lists it
// (`hew models --available`).
type ModelInfo struct {
	ID string `json:"id"`
	// ContextWindow is the context length the server reports (vLLM, Ollama, LM Studio,
	// llama.cpp), or 0 when it says none.
	ContextWindow int `json:"context_window,omitempty"`
	// Kind says what the id names: "model", or on Bedrock "foundation model", "cross-region
	// profile" or "application profile".
	Kind string `json:"kind,omitempty"`
	// BaseModel is the foundation model id an inference profile routes to, when it names one.
	BaseModel string `json:"base_model,omitempty"`
}
