// Package failover strings model providers into one: a request the model in use cannot
// answer — still throttled, overloaded or failing once its provider's own retries are spent,
// or its server unreachable — is sent again, whole, to the next model of the chain, and the
// conversation stays there from then on.
//
// What one provider wrote for itself alone cannot go to another: reasoning blocks (Claude
// thinking signatures, Responses encrypted reasoning), the Responses API's phase labels and
// providers' opaque tool-call fields are dropped from the conversation at the switch, and the
// Switch says how many of each were.
package failover

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"

	"hew/agent/llm"
)

// Entry is one model of the chain.
type Entry struct {
	// Name is how people know it, such as "bedrock:us.anthropic.claude-sonnet-4-5-…".
	Name     string
	Provider llm.Provider
	// Model is the id requests to Provider carry.
	Model string
}

// Dropped counts what a switch removed from the conversation because the next provider
// cannot take it.
type Dropped struct {
	Reasoning int // reasoning blocks (signed, encrypted or summaries)
	Phases    int // Responses API phase labels
	Extras    int // providers' opaque tool-call fields
}

// Total is the number of items dropped.
func (d Dropped) Total() int { return d.Reasoning + d.Phases + d.Extras }

// String says what was dropped, such as "3 reasoning blocks, 1 phase label", or "nothing".
func (d Dropped) String() string {
	var parts []string
	for _, p := range []struct {
		n    int
		what string
	}{{d.Reasoning, "reasoning block"}, {d.Phases, "phase label"}, {d.Extras, "provider tool-call field"}} {
		switch {
		case p.n == 1:
			parts = append(parts, "1 "+p.what)
		case p.n > 1:
			parts = append(parts, fmt.Sprintf("%d %ss", p.n, p.what))
		}
	}
	if len(parts) == 0 {
		return "nothing"
	}
	return strings.Join(parts, ", ")
}

// Switch reports that the chain moved on to another model.
type Switch struct {
	From, To Entry
	// To is entry number Index of the chain (0 is the primary).
	Index int
	// Cause is the error the previous model's request ended with.
	Cause error
	// Messages is the conversation as the next model receives it; Dropped says what was
	// removed from it.
	Messages []llm.Message
	Dropped  Dropped
}

// Chain is an llm.Provider that fails over along its entries. It is safe for concurrent use.
type Chain struct {
	entries  []Entry
	onSwitch func(Switch)

	mu  sync.Mutex
	cur int
}

// New returns a chain that starts on entries[0]; onSwitch, if not nil, is called (from the
// goroutine of the Stream that switched) each time it moves on, before the next model is asked.
func New(entries []Entry, onSwitch func(Switch)) *Chain {
	return &Chain{entries: entries, onSwitch: onSwitch}
}

// Current returns the entry requests go to now and its index.
func (c *Chain) Current() (Entry, int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.entries[c.cur], c.cur
}

// Reset sends requests to the primary again, as primary now describes it (another model the
// session switched to, say); the entries after it stay.
func (c *Chain) Reset(primary Entry) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.entries[0], c.cur = primary, 0
}

// Name is the current provider's name.
func (c *Chain) Name() string {
	e, _ := c.Current()
	return e.Provider.Name()
}

// Stream sends req to the current model, and on a failure another model may not share, to
// each next one in turn. The primary gets req.Model as given (the session may have switched
// model); a fallback gets its own.
func (c *Chain) Stream(ctx context.Context, req llm.Request, onDelta func(llm.Delta)) (llm.Response, error) {
	var failures []string
	for {
		e, i := c.Current()
		r := req
		if i > 0 {
			r.Model = e.Model
		}
		streamed := false
		resp, err := e.Provider.Stream(ctx, r, func(d llm.Delta) {
			streamed = streamed || d.Kind != llm.DeltaNotice
			if onDelta != nil {
				onDelta(d)
			}
		})
		if err == nil || ctx.Err() != nil || !Transferable(err) {
			return resp, err
		}
		failures = append(failures, e.Name+": "+err.Error())
		c.mu.Lock()
		if c.cur != i || c.cur+1 >= len(c.entries) {
			moved := c.cur != i
			c.mu.Unlock()
			if moved { // another request switched meanwhile: try where it went
				continue
			}
			if len(failures) == 1 {
				return resp, err
			}
			return resp, &llm.Error{Kind: llm.KindOf(err), Provider: e.Provider.Name(), Model: e.Model,
				Message: "every model of the fallback chain failed: " + strings.Join(failures, "; "), Err: err,
				Hint: "try again later, or add another model to fallback in the config"}
		}
		c.cur++
		next := c.entries[c.cur]
		c.mu.Unlock()
		msgs, dropped := Portable(req.Messages)
		req.Messages = msgs
		if c.onSwitch != nil {
			c.onSwitch(Switch{From: e, To: next, Index: i + 1, Cause: err, Messages: msgs, Dropped: dropped})
		}
		if streamed && onDelta != nil {
			// What streamed so far is not the answer: say so before the next model's begins.
			onDelta(llm.Delta{Kind: llm.DeltaNotice, Text: "the answer from " + e.Name + " broke off; " + next.Name + " answers again from the start"})
		}
	}
}

// Transferable reports whether another model might answer a request that failed with err:
// not when the request itself was at fault (malformed, too large for the window, filtered) or
// was cancelled.
func Transferable(err error) bool {
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return false
	}
	switch llm.KindOf(err) {
	case llm.ErrBadRequest, llm.ErrContextOverflow:
		return false
	}
	return true
}

// Portable returns the conversation without what only its provider can read: reasoning
// blocks, phase labels and opaque tool-call fields. The messages given are not changed.
func Portable(msgs []llm.Message) ([]llm.Message, Dropped) {
	var d Dropped
	out := make([]llm.Message, len(msgs))
	for i, m := range msgs {
		d.Reasoning += len(m.Reasoning)
		m.Reasoning = nil
		if m.Phase != "" {
			d.Phases++
			m.Phase = ""
		}
		if len(m.ToolCalls) > 0 {
			calls := make([]llm.ToolCall, len(m.ToolCalls))
			for j, tc := range m.ToolCalls {
				if len(tc.Extra) > 0 {
					d.Extras++
					tc.Extra = nil
				}
				calls[j] = tc
			}
			m.ToolCalls = calls
		}
		out[i] = m
	}
	return out, d
}
