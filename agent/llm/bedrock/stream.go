package bedrock

import (
	"context"
	"encoding/base64"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/bedrockruntime"
	"github.com/aws/aws-sdk-go-v2/service/bedrockruntime/types"

	"hew/agent/llm"
)

// streamError marks a failure after the stream started, so it is reported as llm.ErrStream.
type streamError struct{ err error }

func (e *streamError) Error() string { return "stream: " + e.err.Error() }
func (e *streamError) Unwrap() error { return e.err }

// converseStream makes one ConverseStream call and assembles its events.
func (p *Provider) converseStream(ctx context.Context, in input, emit func(llm.Delta)) (llm.Response, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	out, err := p.client.ConverseStream(ctx, &bedrockruntime.ConverseStreamInput{
		ModelId: aws.String(in.model), Messages: in.messages, System: in.system,
		ToolConfig: in.tools, InferenceConfig: in.inference, AdditionalModelRequestFields: in.additional,
		GuardrailConfig: in.streamGuardrail(), PerformanceConfig: in.performance,
	})
	if err != nil {
		return llm.Response{}, err
	}
	stream := out.GetStream()
	defer stream.Close()
	var a assembler
	for ev := range stream.Events() {
		if err := a.add(ev, emit); err != nil {
			return llm.Response{}, &streamError{err}
		}
	}
	if err := stream.Err(); err != nil {
		return llm.Response{}, &streamError{err}
	}
	if !a.stopped {
		return llm.Response{}, &streamError{fmt.Errorf("the stream ended before the model finished its message")}
	}
	return a.response()
}

// assembler builds one assistant message from ConverseStream events.
type assembler struct {
	text      strings.Builder
	reasoning []llm.Reasoning
	inReason  bool // the last reasoning block is still open
	calls     []llm.ToolCall
	args      map[int32]*strings.Builder // tool input JSON by content block index
	callAt    map[int32]int              // index into calls by content block index
	stop      types.StopReason
	stopped   bool
	usage     llm.Usage
}

func (a *assembler) add(ev types.ConverseStreamOutput, emit func(llm.Delta)) error {
	switch v := ev.(type) {
	case *types.ConverseStreamOutputMemberContentBlockStart:
		if tu, ok := v.Value.Start.(*types.ContentBlockStartMemberToolUse); ok {
			idx := aws.ToInt32(v.Value.ContentBlockIndex)
			call := llm.ToolCall{ID: aws.ToString(tu.Value.ToolUseId), Name: aws.ToString(tu.Value.Name)}
			a.startCall(idx, call)
			emit(llm.Delta{Kind: llm.DeltaToolCall, ToolCall: call})
		}
	case *types.ConverseStreamOutputMemberContentBlockDelta:
		idx := aws.ToInt32(v.Value.ContentBlockIndex)
		switch d := v.Value.Delta.(type) {
		case *types.ContentBlockDeltaMemberText:
			a.text.WriteString(d.Value)
			emit(llm.Delta{Kind: llm.DeltaText, Text: d.Value})
		case *types.ContentBlockDeltaMemberToolUse:
			b, ok := a.args[idx]
			if !ok {
				return fmt.Errorf("tool input for content block %d before its start", idx)
			}
			b.WriteString(aws.ToString(d.Value.Input))
		case *types.ContentBlockDeltaMemberReasoningContent:
			a.addReasoning(d.Value, emit)
		}
	case *types.ConverseStreamOutputMemberContentBlockStop:
		a.inReason = false
	case *types.ConverseStreamOutputMemberMessageStop:
		a.stop, a.stopped = v.Value.StopReason, true
	case *types.ConverseStreamOutputMemberMetadata:
		a.usage = usage(v.Value.Usage)
	}
	return nil
}

func (a *assembler) startCall(idx int32, call llm.ToolCall) {
	if a.args == nil {
		a.args, a.callAt = map[int32]*strings.Builder{}, map[int32]int{}
	}
	a.args[idx] = &strings.Builder{}
	a.callAt[idx] = len(a.calls)
	a.calls = append(a.calls, call)
}

func (a *assembler) addReasoning(d types.ReasoningContentBlockDelta, emit func(llm.Delta)) {
	if !a.inReason {
		a.reasoning = append(a.reasoning, llm.Reasoning{})
		a.inReason = true
	}
	r := &a.reasoning[len(a.reasoning)-1]
	switch d := d.(type) {
	case *types.ReasoningContentBlockDeltaMemberText:
		r.Text += d.Value
		emit(llm.Delta{Kind: llm.DeltaReasoning, Text: d.Value})
	case *types.ReasoningContentBlockDeltaMemberSignature:
		r.Signature += d.Value
	case *types.ReasoningContentBlockDeltaMemberRedactedContent:
		r.Encrypted = base64.StdEncoding.EncodeToString(d.Value)
	}
}

func (a *assembler) response() (llm.Response, error) {
	for idx, b := range a.args {
		a.calls[a.callAt[idx]].Arguments = b.String()
	}
	msg := llm.Message{Role: llm.RoleAssistant, Text: a.text.String(), Reasoning: a.reasoning, ToolCalls: a.calls}
	return finish(msg, a.stop, a.usage)
}

// finish checks the stop reason: a context window exceeded while writing is an error the agent
// handles by compacting.
func finish(msg llm.Message, stop types.StopReason, u llm.Usage) (llm.Response, error) {
	if stop == types.StopReasonModelContextWindowExceeded {
		return llm.Response{}, &llm.Error{Kind: llm.ErrContextOverflow, Provider: "bedrock",
			Message: "the conversation filled the model's context window",
			Hint:    "compact the conversation or start a new session"}
	}
	resp := llm.Response{Message: msg, Usage: u, Stop: stopReason(stop, len(msg.ToolCalls) > 0)}
	if resp.Stop == llm.StopFiltered || resp.Stop == llm.StopOther {
		resp.StopDetail = string(stop)
	}
	return resp, nil
}

func stopReason(s types.StopReason, calls bool) llm.StopReason {
	switch s {
	case types.StopReasonEndTurn, types.StopReasonStopSequence:
		if calls {
			return llm.StopToolUse
		}
		return llm.StopEnd
	case types.StopReasonToolUse:
		return llm.StopToolUse
	case types.StopReasonMaxTokens:
		return llm.StopMaxTokens
	case types.StopReasonGuardrailIntervened, types.StopReasonContentFiltered:
		return llm.StopFiltered // the text is the guardrail's or filter's, not the model's answer
	}
	return llm.StopOther
}

// usage converts Bedrock's counts, where inputTokens excludes the cached prompt tokens, to
// llm.Usage, where InputTokens includes them.
func usage(u *types.TokenUsage) llm.Usage {
	if u == nil {
		return llm.Usage{}
	}
	read, write := int64(aws.ToInt32(u.CacheReadInputTokens)), int64(aws.ToInt32(u.CacheWriteInputTokens))
	return llm.Usage{
		InputTokens:      int64(aws.ToInt32(u.InputTokens)) + read + write,
		CachedTokens:     read,
		CacheWriteTokens: write,
		OutputTokens:     int64(aws.ToInt32(u.OutputTokens)),
	}
}

// converse makes one non-streaming Converse call, for models that reject tool use while
// streaming, and reports its content as deltas once it arrives.
func (p *Provider) converse(ctx context.Context, in input, emit func(llm.Delta)) (llm.Response, error) {
	out, err := p.client.Converse(ctx, &bedrockruntime.ConverseInput{
		ModelId: aws.String(in.model), Messages: in.messages, System: in.system,
		ToolConfig: in.tools, InferenceConfig: in.inference, AdditionalModelRequestFields: in.additional,
		GuardrailConfig: in.guardrailConfig(), PerformanceConfig: in.performance,
	})
	if err != nil {
		return llm.Response{}, err
	}
	m, ok := out.Output.(*types.ConverseOutputMemberMessage)
	if !ok {
		return llm.Response{}, &streamError{fmt.Errorf("converse answered without a message (stop reason %q)", out.StopReason)}
	}
	msg := llm.Message{Role: llm.RoleAssistant}
	for _, block := range m.Value.Content {
		switch b := block.(type) {
		case *types.ContentBlockMemberText:
			msg.Text += b.Value
			emit(llm.Delta{Kind: llm.DeltaText, Text: b.Value})
		case *types.ContentBlockMemberReasoningContent:
			if rt, ok := b.Value.(*types.ReasoningContentBlockMemberReasoningText); ok {
				msg.Reasoning = append(msg.Reasoning, llm.Reasoning{Text: aws.ToString(rt.Value.Text), Signature: aws.ToString(rt.Value.Signature)})
				emit(llm.Delta{Kind: llm.DeltaReasoning, Text: aws.ToString(rt.Value.Text)})
			}
		case *types.ContentBlockMemberToolUse:
			call := llm.ToolCall{ID: aws.ToString(b.Value.ToolUseId), Name: aws.ToString(b.Value.Name)}
			if b.Value.Input != nil {
				raw, err := b.Value.Input.MarshalSmithyDocument()
				if err != nil {
					return llm.Response{}, fmt.Errorf("decode tool input of %s: %w", call.Name, err)
				}
				call.Arguments = string(raw)
			}
			emit(llm.Delta{Kind: llm.DeltaToolCall, ToolCall: call})
			msg.ToolCalls = append(msg.ToolCalls, call)
		}
	}
	return finish(msg, out.StopReason, usage(out.Usage))
}
