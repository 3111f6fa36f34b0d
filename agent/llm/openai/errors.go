package openai

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"syscall"
	"time"

	"github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/packages/ssestream"

	"hew/agent/llm"
	"hew/agent/llm/netwait"
	"hew/agent/llm/retry"
)

// apiError is an error the API reported inside a stream or a failed response.
type apiError struct {
	Code    string `json:"code"`
	Type    string `json:"type"`
	Message string `json:"message"`
}

// classify turns err into an *llm.Error saying what went wrong and what to do. It returns nil
// for nil, ctx's error when ctx has ended, and err itself when it is already an *llm.Error.
func (p *Provider) classify(ctx context.Context, err error, model string) error {
	if err == nil {
		return nil
	}
	if ctx.Err() != nil {
		return ctx.Err()
	}
	var e *llm.Error
	if errors.As(err, &e) {
		return e
	}
	e = &llm.Error{Provider: "openai", Model: model, Err: err}

	var api *openai.Error
	var streamErr *ssestream.StreamError
	switch {
	case errors.As(err, &api):
		e.Status = api.StatusCode
		if api.Response != nil {
			e.RetryAfter = retry.After(api.Response.Header, time.Now())
		}
		body := apiError{Code: api.Code, Type: api.Type, Message: api.Message}
		if body.Message == "" {
			body.Message = bodyMessage(api.Response)
		}
		msg := body.Message
		if msg == "" {
			msg = http.StatusText(api.StatusCode)
		}
		e.Message = fmt.Sprintf("%d %s", api.StatusCode, msg)
		p.setKind(e, api.StatusCode, body)
	case errors.As(err, &streamErr):
		var body struct {
			Error apiError `json:"error"`
		}
		_ = json.Unmarshal(streamErr.Event.Data, &body)
		p.fromAPIError(e, body.Error)
	default:
		p.fromTransport(e, err)
	}
	return e
}

// bodyMessage reads the message of an error reply that is not in OpenAI's {"error":{...}}
// shape: {"message":...} or {"detail":...} (vLLM, llama.cpp, proxies) or plain text.
func bodyMessage(res *http.Response) string {
	if res == nil || res.Body == nil {
		return ""
	}
	raw, _ := io.ReadAll(io.LimitReader(res.Body, 64<<10))
	var body struct {
		Message string `json:"message"`
		Detail  string `json:"detail"`
		Error   string `json:"error"`
	}
	if json.Unmarshal(raw, &body) == nil {
		return cmp.Or(body.Message, body.Detail, body.Error)
	}
	text := strings.TrimSpace(string(raw))
	if len(text) > 300 {
		text = strings.ToValidUTF8(text[:300], "") + "…" // no rune cut in half
	}
	return text
}

// setKind sets e's kind and hint for an error reply with HTTP status and body api.
func (p *Provider) setKind(e *llm.Error, status int, api apiError) {
	switch {
	case isContextOverflow(api):
		e.Kind, e.Hint = llm.ErrContextOverflow, "the conversation is longer than the model's context window; compact it or start a new session"
	case status == http.StatusUnauthorized:
		e.Kind, e.Hint = llm.ErrAuth, "check OPENAI_API_KEY"
		if !p.openAI {
			e.Hint = "check OPENAI_API_KEY, the key " + p.baseURL + " expects"
		}
	case status == http.StatusForbidden:
		e.Kind, e.Hint = llm.ErrPermission, fmt.Sprintf("check that your OpenAI organization and project may use model %q", e.Model)
	case status == http.StatusNotFound && (api.Code == "model_not_found" || strings.Contains(strings.ToLower(api.Message), "model")):
		e.Kind, e.Hint = llm.ErrNotFound, fmt.Sprintf("model %q is unknown to %s; check the model id (`hew models` lists known ones)", e.Model, p.baseURL)
	case status == http.StatusNotFound:
		e.Kind, e.Hint = llm.ErrNotFound, fmt.Sprintf("%s has no %s endpoint; check OPENAI_BASE_URL (it usually ends in /v1) and the API setting", p.baseURL, p.api)
	case status == http.StatusTooManyRequests && (api.Code == "insufficient_quota" || api.Type == "insufficient_quota"):
		e.Kind, e.Final, e.Hint = llm.ErrRateLimit, true, "the account is out of quota; check billing at platform.openai.com"
		if !p.openAI {
			e.Hint = "the account is out of quota; check its billing with the provider of " + p.baseURL
		}
	case status == http.StatusTooManyRequests && tooLarge(api):
		e.Kind, e.Final, e.Hint = llm.ErrRateLimit, true,
			"this one request is larger than the account's tokens-per-minute limit allows, so retrying cannot help; compact the conversation (/compact) or raise the limit"
	case status == http.StatusTooManyRequests:
		if e.RetryAfter == 0 {
			e.RetryAfter = retry.AfterMessage(api.Message)
		}
		e.Kind, e.Hint = llm.ErrRateLimit, "rate limited; wait a moment and try again"
		if e.RetryAfter > 0 {
			e.Hint = fmt.Sprintf("rate limited; try again in %s", e.RetryAfter.Round(time.Second))
		}
	case status >= 500 || status == http.StatusRequestTimeout || status == http.StatusConflict:
		e.Kind, e.Hint = llm.ErrServer, "the server failed; try again later"
	default:
		e.Kind, e.Hint = llm.ErrBadRequest, "the server rejected the request"
	}
}

// fromAPIError classifies an error reported inside a stream, after a 200 reply, as the same
// error in an HTTP reply would be: the stream gives no status and no Retry-After header, so the
// code, type and message decide, and a wait the message names ("try again in 2.4s") counts.
func (p *Provider) fromAPIError(e *llm.Error, api apiError) {
	e.Message = api.Message
	if e.Message == "" {
		e.Message = "the server reported an error in the stream"
	}
	if e.RetryAfter == 0 {
		e.RetryAfter = retry.AfterMessage(api.Message)
	}
	code, typ := strings.ToLower(api.Code), strings.ToLower(api.Type)
	switch {
	case isContextOverflow(api):
		p.setKind(e, http.StatusBadRequest, api)
	case code == "insufficient_quota" || typ == "insufficient_quota" ||
		code == "rate_limit_exceeded" || typ == "rate_limit_error" || typ == "tokens" || typ == "requests" ||
		strings.Contains(code, "rate_limit") || typ == "ratelimiterror":
		p.setKind(e, http.StatusTooManyRequests, api)
	case code == "server_error" || typ == "server_error" || typ == "internalservererror" || code == "500" || code == "503":
		p.setKind(e, http.StatusInternalServerError, api)
	default:
		e.Kind, e.Hint = llm.ErrStream, "the model stopped with an error; try again"
		if api.Code != "" {
			e.Message += " (" + api.Code + ")"
		}
	}
}

// tooLarge reports whether a rate-limit error says the one request asks for more tokens than
// the limit allows at all ("Request too large for gpt-4o-mini ... Limit 30000, Requested
// 35364"): waiting cannot help.
func tooLarge(api apiError) bool {
	return strings.Contains(strings.ToLower(api.Message), "request too large")
}

// fromTransport classifies a failure to reach the server or to read its reply.
func (p *Provider) fromTransport(e *llm.Error, err error) {
	var idle *netwait.IdleError
	if errors.As(err, &idle) {
		e.Kind, e.Message = llm.ErrStream, idle.Error()
		e.Hint = "the server or the model hangs; try again later, or raise stream_idle_timeout in [network] of the config (HEW_STREAM_IDLE_TIMEOUT) if the model is slow to start"
		return
	}
	var op *net.OpError
	if errors.As(err, &op) && op.Op == "dial" {
		e.Kind = llm.ErrServer
		e.Message = fmt.Sprintf("cannot reach %s: %v", p.baseURL, err)
		e.Hint = "check the network, or OPENAI_BASE_URL and that the server is running"
		if errors.Is(err, syscall.ECONNREFUSED) {
			e.Kind = llm.ErrConfig // nothing listens there: retrying will not help
		}
		return
	}
	e.Kind = llm.ErrStream
	e.Message = fmt.Sprintf("the response stream broke: %v", err)
	e.Hint = "try again"
}

// retryable reports whether a request that failed with e may succeed if sent again.
func retryable(e *llm.Error) bool {
	if e.Final {
		return false
	}
	switch e.Kind {
	case llm.ErrRateLimit, llm.ErrServer, llm.ErrStream:
		return true
	}
	return false
}

// isContextOverflow reports whether an API error says the request does not fit the context.
func isContextOverflow(api apiError) bool {
	if api.Code == "context_length_exceeded" {
		return true
	}
	msg := strings.ToLower(api.Message)
	for _, s := range []string{"context length", "context_length", "context window", "maximum context", "prompt is too long", "too many tokens", "exceeds the context"} {
		if strings.Contains(msg, s) {
			return true
		}
	}
	return false
}
