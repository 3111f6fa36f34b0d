package openai

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"sync"

	"hew/agent/llm"
)

// prefixCache keeps the JSON of each message of the conversation last sent, so that a long
// session's unchanging prefix is encoded once, not through the SDK's types on every request:
// a request's body is the SDK's encoding of everything but the conversation, with the
// conversation's items spliced in, each message's taken from the cache when the message is the
// one encoded before. Comparing a message with its cached copy costs next to nothing when
// their strings share memory, as the agent's growing history does.
type prefixCache struct {
	mu   sync.Mutex
	msgs []llm.Message // the messages last encoded, as they were
	enc  [][]byte      // each one's items, encoded and comma-separated
}

// requestBody is the body of a request whose parameters without the conversation are params:
// their SDK encoding with field set to msgs' items, encoded through c.
func requestBody[T any](params any, field string, c *prefixCache, msgs []llm.Message, items func(llm.Message) ([]T, error)) ([]byte, error) {
	head, err := json.Marshal(params)
	if err != nil {
		return nil, fmt.Errorf("encode the request: %w", err)
	}
	parts, err := encodeMessages(c, msgs, items)
	if err != nil {
		return nil, err
	}
	return splice(head, field, parts)
}

// encodeMessages returns msgs' items as the elements of a JSON array (without the brackets or
// the commas between messages), each message's through items unless the cache holds it.
func encodeMessages[T any](c *prefixCache, msgs []llm.Message, items func(llm.Message) ([]T, error)) ([][]byte, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := make([][]byte, 0, len(msgs))
	for i, m := range msgs {
		if i >= len(c.msgs) || !sameMessage(c.msgs[i], m) {
			c.msgs, c.enc = c.msgs[:i], c.enc[:i]
			enc, err := encodeItems(m, items)
			if err != nil {
				c.msgs, c.enc = nil, nil
				return nil, err
			}
			c.msgs, c.enc = append(c.msgs, m), append(c.enc, enc)
		}
		if enc := c.enc[i]; len(enc) > 0 {
			out = append(out, enc)
		}
	}
	return out, nil
}

func encodeItems[T any](m llm.Message, items func(llm.Message) ([]T, error)) ([]byte, error) {
	its, err := items(m)
	if err != nil {
		return nil, err
	}
	var b []byte
	for i, it := range its {
		enc, err := json.Marshal(it)
		if err != nil {
			return nil, fmt.Errorf("encode a %s message: %w", m.Role, err)
		}
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, enc...)
	}
	return b, nil
}

// sameMessage reports whether a and b are the same message.
func sameMessage(a, b llm.Message) bool {
	return a.Role == b.Role && a.Text == b.Text && a.Commentary == b.Commentary && a.Phase == b.Phase &&
		a.ToolCallID == b.ToolCallID && a.ToolName == b.ToolName && a.IsError == b.IsError &&
		slices.Equal(a.Reasoning, b.Reasoning) &&
		slices.EqualFunc(a.ToolCalls, b.ToolCalls, func(x, y llm.ToolCall) bool {
			return x.ID == y.ID && x.Name == y.Name && x.Arguments == y.Arguments && bytes.Equal(x.Extra, y.Extra)
		})
}

// splice returns the JSON object head (the SDK's encoding of a request without its
// conversation) with field set to the array of items, in one allocation.
func splice(head []byte, field string, items [][]byte) ([]byte, error) {
	head = bytes.TrimSpace(head)
	if len(head) < 2 || head[0] != '{' || head[len(head)-1] != '}' {
		return nil, fmt.Errorf("encode the request: the SDK's encoding is not a JSON object: %.80s", head)
	}
	size := len(head) + len(field) + 8
	for _, it := range items {
		size += len(it) + 1
	}
	body := make([]byte, 0, size)
	body = append(body, head[:len(head)-1]...)
	if len(head) > 2 {
		body = append(body, ',')
	}
	body = append(body, '"')
	body = append(body, field...)
	body = append(body, `":[`...)
	for i, it := range items {
		if i > 0 {
			body = append(body, ',')
		}
		body = append(body, it...)
	}
	return append(body, "]}"...), nil
}
