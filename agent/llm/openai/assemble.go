package openai

import (
	"fmt"
	"strings"

	"hew/agent/llm"
)

// assembler builds an assistant message from streamed pieces, reporting each as it arrives.
type assembler struct {
	answer    strings.Builder
	thinking  strings.Builder // streamed reasoning, used when no reasoning items arrive
	blocks    []llm.Reasoning // complete reasoning items (Responses)
	calls     []llm.ToolCall
	announced []bool         // whether calls[i] was reported
	index     map[string]int // a call's key in the stream -> its place in calls
	usage     llm.Usage
}

func (a *assembler) text(s string, report func(llm.Delta)) {
	if s != "" {
		a.answer.WriteString(s)
		report(llm.Delta{Kind: llm.DeltaText, Text: s})
	}
}

func (a *assembler) reasoning(s string, report func(llm.Delta)) {
	if s != "" {
		a.thinking.WriteString(s)
		report(llm.Delta{Kind: llm.DeltaReasoning, Text: s})
	}
}

// toolCall adds a piece of the tool call the stream knows by key: its ID and name when first
// given, and more of its arguments. The call is reported once its name is known.
func (a *assembler) toolCall(key, id, name, args string, report func(llm.Delta)) {
	if a.index == nil {
		a.index = map[string]int{}
	}
	i, ok := a.index[key]
	if !ok {
		i = len(a.calls)
		a.index[key] = i
		a.calls = append(a.calls, llm.ToolCall{})
		a.announced = append(a.announced, false)
	}
	c := &a.calls[i]
	if c.ID == "" {
		c.ID = id
	}
	if c.Name == "" {
		c.Name = name
	}
	c.Arguments += args
	if !a.announced[i] && c.Name != "" {
		a.announced[i] = true
		if c.ID == "" {
			c.ID = fmt.Sprintf("call_%d", i)
		}
		report(llm.Delta{Kind: llm.DeltaToolCall, ToolCall: llm.ToolCall{ID: c.ID, Name: c.Name}})
	}
}

// finishToolCall replaces the arguments of the call known by key with their final text.
func (a *assembler) finishToolCall(key, args string) {
	if i, ok := a.index[key]; ok {
		a.calls[i].Arguments = args
	}
}

// response returns the message assembled so far.
func (a *assembler) response(stop llm.StopReason) llm.Response {
	msg := llm.Message{Role: llm.RoleAssistant, Text: a.answer.String(), Reasoning: a.blocks}
	if len(msg.Reasoning) == 0 && a.thinking.Len() > 0 {
		msg.Reasoning = []llm.Reasoning{{Text: a.thinking.String()}}
	}
	for i, c := range a.calls {
		if c.ID == "" {
			c.ID = fmt.Sprintf("call_%d", i)
		}
		msg.ToolCalls = append(msg.ToolCalls, c)
	}
	return llm.Response{Message: msg, Usage: a.usage, Stop: stop}
}
