package openai

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"sync"

	"github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/responses"

	"hew/agent/llm"
)

// A long session resends the same conversation with every request, grown by a few messages.
// Encoding all of it through the SDK's parameter types costs milliseconds per request at a
// thousand tool calls, so the provider keeps each message's encoded JSON and builds the body by
// concatenation: the settings are encoded through the SDK's types with a placeholder for the
// conversation, and the placeholder is replaced by the kept messages. The body is byte for byte
// the one the SDK would send for chatParams or responsesParams, but for "stream" coming first.

// cachedConversations is how many conversations a provider keeps encoded: the session's own and
// a few side requests (best-of-N, compaction, a second opinion) that would otherwise evict it.
const cachedConversations = 4

// bodyCache keeps the encoded messages of the conversations a provider sent most recently. It is
// safe for concurrent use.
type bodyCache struct {
	mu    sync.Mutex
	convs [cachedConversations]*encodedConversation
	clock uint64
}

// encodedConversation is one conversation as sent: its messages (deep copies, so that a caller
// changing its own slice cannot make a stale encoding look current) and, for each, its items'
// JSON, comma-separated, empty when the message maps to no item.
type encodedConversation struct {
	msgs []llm.Message
	enc  [][]byte
	used uint64
}

// encode returns the JSON of the items msgs map to, a message's items joined by commas, leaving
// out messages that map to none; items encodes one message. The messages a kept conversation
// starts with are not encoded again. The slices returned are kept: they must not be changed.
func (c *bodyCache) encode(msgs []llm.Message, items func(llm.Message) ([][]byte, error)) ([][]byte, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.clock++
	slot, kept := -1, 0
	for i, conv := range c.convs {
		if conv == nil {
			continue
		}
		if k := commonPrefix(conv.msgs, msgs); k > kept {
			slot, kept = i, k
		}
	}
	conv := &encodedConversation{used: c.clock}
	switch {
	case slot >= 0 && kept == len(c.convs[slot].msgs):
		// The conversation grew: extend it in place (no other slot shares its arrays).
		best := c.convs[slot]
		conv.msgs, conv.enc = best.msgs, best.enc
	case slot >= 0:
		// It went another way (a side request, a rewritten history): keep both, sharing the
		// encoded messages but not the arrays.
		best := c.convs[slot]
		conv.msgs, conv.enc = slices.Clone(best.msgs[:kept]), slices.Clone(best.enc[:kept])
		slot = c.leastRecent()
	default:
		slot = c.leastRecent()
	}
	for _, m := range msgs[kept:] {
		enc, err := items(m)
		if err != nil {
			return nil, err
		}
		conv.msgs = append(conv.msgs, cloneMessage(m))
		conv.enc = append(conv.enc, bytes.Join(enc, []byte(",")))
	}
	c.convs[slot] = conv
	out := make([][]byte, 0, len(conv.enc))
	for _, e := range conv.enc {
		if len(e) > 0 {
			out = append(out, e)
		}
	}
	return out, nil
}

// leastRecent returns the slot to put a conversation not seen before in: an empty one, else the
// one used least recently.
func (c *bodyCache) leastRecent() int {
	slot := 0
	for i, conv := range c.convs {
		if conv == nil {
			return i
		}
		if conv.used < c.convs[slot].used {
			slot = i
		}
	}
	return slot
}

// commonPrefix returns how many messages a and b start with alike.
func commonPrefix(a, b []llm.Message) int {
	n := min(len(a), len(b))
	for i := range n {
		if !sameMessage(&a[i], &b[i]) {
			return i
		}
	}
	return n
}

// sameMessage reports whether a and b are the same message. Strings a caller keeps in its
// history share their bytes with the copies kept here, so the comparisons are cheap.
func sameMessage(a, b *llm.Message) bool {
	return a.Role == b.Role && a.Text == b.Text && a.Commentary == b.Commentary && a.Phase == b.Phase &&
		a.ToolCallID == b.ToolCallID && a.ToolName == b.ToolName && a.IsError == b.IsError &&
		slices.Equal(a.Reasoning, b.Reasoning) &&
		slices.EqualFunc(a.ToolCalls, b.ToolCalls, func(x, y llm.ToolCall) bool {
			return x.ID == y.ID && x.Name == y.Name && x.Arguments == y.Arguments && bytes.Equal(x.Extra, y.Extra)
		})
}

// cloneMessage copies m's slices so that the copy does not change with m.
func cloneMessage(m llm.Message) llm.Message {
	m.Reasoning = slices.Clone(m.Reasoning)
	m.ToolCalls = slices.Clone(m.ToolCalls)
	for i := range m.ToolCalls {
		m.ToolCalls[i].Extra = bytes.Clone(m.ToolCalls[i].Extra)
	}
	return m
}

// placeholder stands for the conversation while the settings are encoded: a user message no
// real request holds (a NUL cannot reach the server otherwise; it is escaped as \u0000).
const placeholder = "\x00hew: the conversation goes here\x00"

// streamField asks for a streamed response. The SDK sets it on the body it is given, after the
// other fields; first in the body, it is found at once rather than after the conversation.
const streamField = `"stream":true,`

// withStream returns body, an encoded JSON object, with streamField first.
func withStream(body []byte) []byte {
	if len(body) < 2 || body[0] != '{' {
		return body
	}
	if string(body) == "{}" {
		return []byte(`{"stream":true}`)
	}
	return append([]byte("{"+streamField), body[1:]...)
}

// splice returns body, the settings encoded with a list holding only the placeholder item ph,
// with that list's contents replaced by items, separated by commas, and streamField first.
func splice(body, ph []byte, items [][]byte) ([]byte, error) {
	list := append(append([]byte{'['}, ph...), ']')
	i := bytes.Index(body, list)
	if i < 0 {
		return nil, fmt.Errorf("openai: encode request: the conversation's place was not found")
	}
	size := len(body) - len(ph) + len(items)
	for _, it := range items {
		size += len(it)
	}
	out := make([]byte, 0, size+len(streamField))
	out = append(append(out, '{'), streamField...)
	out = append(out, body[1:i+1]...)
	for k, it := range items {
		if k > 0 {
			out = append(out, ',')
		}
		out = append(out, it...)
	}
	return append(out, body[i+len(list)-1:]...), nil
}

// marshalItems encodes each item through the SDK's own encoder.
func marshalItems[T json.Marshaler](items []T) ([][]byte, error) {
	out := make([][]byte, len(items))
	for i, it := range items {
		b, err := it.MarshalJSON()
		if err != nil {
			return nil, err
		}
		out[i] = b
	}
	return out, nil
}

// chatBody returns the JSON body of the streamed Chat Completions request for req: chatParams
// as the SDK would encode and send it, with "stream" first instead of last.
func (p *Provider) chatBody(req llm.Request) ([]byte, error) {
	params, err := p.chatSettings(req)
	if err != nil {
		return nil, err
	}
	items, err := p.bodies.encode(req.Messages, func(m llm.Message) ([][]byte, error) {
		msg, err := p.chatMessage(m)
		if err != nil {
			return nil, err
		}
		return marshalItems([]openai.ChatCompletionMessageParamUnion{msg})
	})
	if err != nil {
		return nil, encodeError(err)
	}
	if req.System != "" {
		sys, err := openai.SystemMessage(req.System).MarshalJSON()
		if err != nil {
			return nil, encodeError(err)
		}
		items = append([][]byte{sys}, items...)
	}
	if len(items) == 0 {
		body, err := encodeParams(params)
		return withStream(body), err
	}
	ph := openai.UserMessage(placeholder)
	params.Messages = []openai.ChatCompletionMessageParamUnion{ph}
	return encodeSpliced(params, ph, items)
}

// responsesBody returns the JSON body of the streamed Responses API request for req:
// responsesParams as the SDK would encode and send it, with "stream" first instead of last.
func (p *Provider) responsesBody(req llm.Request) ([]byte, error) {
	params, err := p.responsesSettings(req)
	if err != nil {
		return nil, err
	}
	items, err := p.bodies.encode(req.Messages, func(m llm.Message) ([][]byte, error) {
		items, err := responsesItems(m)
		if err != nil {
			return nil, err
		}
		return marshalItems(items)
	})
	if err != nil {
		return nil, encodeError(err)
	}
	if len(items) == 0 {
		body, err := encodeParams(params)
		return withStream(body), err
	}
	ph := responses.ResponseInputItemParamOfMessage(placeholder, responses.EasyInputMessageRoleUser)
	params.Input.OfInputItemList = responses.ResponseInputParam{ph}
	return encodeSpliced(params, ph, items)
}

// encodeSpliced encodes params, whose conversation is the placeholder item ph alone, and puts
// items in its place.
func encodeSpliced(params, ph json.Marshaler, items [][]byte) ([]byte, error) {
	body, err := encodeParams(params)
	if err != nil {
		return nil, err
	}
	phJSON, err := ph.MarshalJSON()
	if err != nil {
		return nil, encodeError(err)
	}
	return splice(body, phJSON, items)
}

func encodeParams(params json.Marshaler) ([]byte, error) {
	b, err := params.MarshalJSON()
	if err != nil {
		return nil, encodeError(err)
	}
	return b, nil
}

// encodeError reports a request that could not be encoded; an *llm.Error passes unchanged.
func encodeError(err error) error {
	if _, ok := err.(*llm.Error); ok {
		return err
	}
	return &llm.Error{Kind: llm.ErrBadRequest, Provider: "openai", Err: err,
		Message: "the request could not be encoded: " + err.Error(), Hint: "report this as a bug"}
}
