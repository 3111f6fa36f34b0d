package openai

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/openai/openai-go/v3/packages/respjson"

	"hew/agent/llm"
)

// assembler builds an assistant message from streamed pieces, reporting each as it arrives.
type assembler struct {
	answer     strings.Builder
	commentary strings.Builder // Responses "commentary" phase text, kept apart from the answer
	phase      string          // the phase of the answer's message, when the server gave one
	thinking   strings.Builder // streamed reasoning, used when no reasoning items arrive
	blocks     []llm.Reasoning // complete reasoning items (Responses)
	calls      []llm.ToolCall
	announced  []bool         // whether calls[i] was reported
	index      map[string]int // a call's key in the stream -> its place in calls
	usage      llm.Usage
}

func (a *assembler) text(s string, report func(llm.Delta)) {
	if s != "" {
		a.answer.WriteString(s)
		report(llm.Delta{Kind: llm.DeltaText, Text: s})
	}
}

// comment adds commentary: text the model writes to the user while working, not its answer.
func (a *assembler) comment(s string, report func(llm.Delta)) {
	if s != "" {
		a.commentary.WriteString(s)
		report(llm.Delta{Kind: llm.DeltaText, Text: s})
	}
}

// newMessage starts another output message with phase ("commentary", "final_answer" or ""):
// one that follows text already shown is set apart from it by a blank line.
func (a *assembler) newMessage(phase string, report func(llm.Delta)) {
	if phase != "" && phase != "commentary" {
		a.phase = phase
	}
	if a.answer.Len() > 0 || a.commentary.Len() > 0 {
		report(llm.Delta{Kind: llm.DeltaText, Text: "\n\n"})
		if phase == "commentary" && a.commentary.Len() > 0 {
			a.commentary.WriteString("\n\n")
		} else if phase != "commentary" && a.answer.Len() > 0 {
			a.answer.WriteString("\n\n")
		}
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

// toolCallExtra keeps the fields of a streamed tool call that the SDK does not know (Gemini's
// extra_content), so they go back with the call; the first value of each field stays.
func (a *assembler) toolCallExtra(key string, fields map[string]respjson.Field) {
	i, ok := a.index[key]
	if !ok || len(fields) == 0 {
		return
	}
	kept := map[string]json.RawMessage{}
	if len(a.calls[i].Extra) > 0 {
		_ = json.Unmarshal(a.calls[i].Extra, &kept)
	}
	for name, f := range fields {
		if _, seen := kept[name]; !seen && f.Raw() != "" && f.Raw() != "null" && json.Valid([]byte(f.Raw())) {
			kept[name] = json.RawMessage(f.Raw())
		}
	}
	if len(kept) > 0 {
		a.calls[i].Extra, _ = json.Marshal(kept)
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
	msg := llm.Message{Role: llm.RoleAssistant, Text: a.answer.String(), Commentary: a.commentary.String(), Phase: a.phase, Reasoning: a.blocks}
	if len(msg.Reasoning) == 0 && a.thinking.Len() > 0 {
		msg.Reasoning = []llm.Reasoning{{Text: a.thinking.String()}}
	}
	for i, c := range a.calls {
		if c.ID == "" {
			c.ID = fmt.Sprintf("call_%d", i)
		}
		msg.ToolCalls = append(msg.ToolCalls, unwrapParallel(c)...)
	}
	return llm.Response{Message: msg, Usage: a.usage, Stop: stop}
}

// unwrapParallel returns the calls a GPT model packed into one multi_tool_use.parallel call
// ({"tool_uses":[{"recipient_name":"functions.NAME","parameters":{...}}]}), each with its own id
// derived from the wrapper's, or c itself when it is not such a wrapper.
func unwrapParallel(c llm.ToolCall) []llm.ToolCall {
	if c.Name != "multi_tool_use.parallel" && c.Name != "parallel" {
		return []llm.ToolCall{c}
	}
	var args struct {
		ToolUses []struct {
			Recipient  string          `json:"recipient_name"`
			Parameters json.RawMessage `json:"parameters"`
		} `json:"tool_uses"`
	}
	if json.Unmarshal([]byte(c.Arguments), &args) != nil || len(args.ToolUses) == 0 {
		return []llm.ToolCall{c}
	}
	var out []llm.ToolCall
	for i, u := range args.ToolUses {
		name, ok := strings.CutPrefix(u.Recipient, "functions.")
		if !ok || name == "" {
			return []llm.ToolCall{c} // not the wrapper's shape: leave the call to the agent
		}
		params := strings.TrimSpace(string(u.Parameters))
		if params == "" || params == "null" {
			params = "{}"
		}
		out = append(out, llm.ToolCall{ID: fmt.Sprintf("%s_%d", c.ID, i+1), Name: name, Arguments: params})
	}
	return out
}

// thinkSplitter routes a <think>…</think> block at the start of streamed content (llama.cpp
// without a reasoning parser, LM Studio, R1 distills) to reasoning, so that only the text after
// it is the answer. The tags may be split across chunks: text that could be the start of a
// tag is held back until the next chunk decides.
type thinkSplitter struct {
	state   int // 0: nothing of the answer seen yet; 1: inside <think>; 2: after </think>; 3: answer
	pending string
}

const (
	openThink  = "<think>"
	closeThink = "</think>"
)

func (t *thinkSplitter) feed(s string, a *assembler, report func(llm.Delta)) {
	t.pending += s
	for t.pending != "" {
		switch t.state {
		case 0:
			rest := strings.TrimLeft(t.pending, " \t\r\n")
			switch {
			case rest == "" || (len(rest) < len(openThink) && strings.HasPrefix(openThink, rest)):
				return // not yet known whether a think block starts
			case strings.HasPrefix(rest, openThink):
				t.state, t.pending = 1, rest[len(openThink):]
			default:
				t.state = 3
			}
		case 1:
			if i := strings.Index(t.pending, closeThink); i >= 0 {
				a.reasoning(t.pending[:i], report)
				t.state, t.pending = 2, t.pending[i+len(closeThink):]
				continue
			}
			keep := partialSuffix(t.pending, closeThink)
			a.reasoning(t.pending[:len(t.pending)-keep], report)
			t.pending = t.pending[len(t.pending)-keep:]
			return
		case 2:
			t.pending = strings.TrimLeft(t.pending, " \t\r\n") // the blank lines after </think>
			if t.pending != "" {
				t.state = 3
			}
		case 3:
			a.text(t.pending, report)
			t.pending = ""
		}
	}
}

// flush reports what is held back when the stream ends. An answer holding a closing </think>
// with no opening one (the chat template opened the block, as Qwen3 and R1 distills do) keeps
// only the text after it; what came before becomes reasoning. It was already shown as text.
func (t *thinkSplitter) flush(a *assembler, report func(llm.Delta)) {
	if t.state == 1 {
		a.reasoning(t.pending, report)
	} else if t.state != 2 {
		a.text(t.pending, report)
	}
	t.pending = ""
	if t.state != 3 || a.thinking.Len() > 0 {
		return
	}
	answer := a.answer.String()
	if before, after, ok := strings.Cut(answer, closeThink); ok && !strings.Contains(before, openThink) {
		a.thinking.WriteString(before)
		a.answer.Reset()
		a.answer.WriteString(strings.TrimLeft(after, " \t\r\n"))
	}
}

// partialSuffix returns the length of the longest end of s that is a proper start of tag.
func partialSuffix(s, tag string) int {
	for n := min(len(s), len(tag)-1); n > 0; n-- {
		if strings.HasSuffix(s, tag[:n]) {
			return n
		}
	}
	return 0
}
