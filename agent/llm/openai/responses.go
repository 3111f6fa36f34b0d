package openai

import (
	"cmp"
	"context"
	"encoding/json"
	"strings"

	"github.com/openai/openai-go/v3/option"
	"github.com/openai/openai-go/v3/packages/param"
	"github.com/openai/openai-go/v3/responses"
	"github.com/openai/openai-go/v3/shared"

	"hew/agent/llm"
)

// streamResponses makes one streamed Responses API call.
func (p *Provider) streamResponses(ctx context.Context, req llm.Request, report func(llm.Delta)) (llm.Response, error) {
	body, err := p.responsesBody(req)
	if err != nil {
		return llm.Response{}, err
	}
	stream := p.client.Responses.NewStreaming(ctx, responses.ResponseNewParams{}, option.WithRequestBody("application/json", body))
	defer stream.Close()

	var acc assembler
	var final *responses.Response
	phases := map[string]string{} // message item id -> its phase
	for stream.Next() {
		ev := stream.Current()
		switch ev.Type {
		case "response.output_text.delta":
			if phases[ev.ItemID] == "commentary" {
				acc.comment(ev.Delta, report)
			} else {
				acc.text(ev.Delta, report)
			}
		case "response.reasoning_summary_text.delta", "response.reasoning_text.delta":
			acc.reasoning(ev.Delta, report)
		case "response.reasoning_summary_part.added":
			if ev.SummaryIndex > 0 {
				acc.reasoning("\n\n", report)
			}
		case "response.output_item.added":
			if ev.Item.Type == "message" {
				phases[ev.Item.ID] = string(ev.Item.Phase)
				acc.newMessage(string(ev.Item.Phase), report)
			}
			if ev.Item.Type == "function_call" {
				acc.toolCall(ev.Item.ID, ev.Item.CallID, ev.Item.Name, ev.Item.Arguments.OfString, report)
			}
		case "response.function_call_arguments.delta":
			acc.toolCall(ev.ItemID, "", "", ev.Delta, report)
		case "response.output_item.done":
			switch ev.Item.Type {
			case "function_call":
				acc.finishToolCall(ev.Item.ID, ev.Item.Arguments.OfString)
			case "reasoning":
				acc.blocks = append(acc.blocks, reasoningBlock(ev.Item))
			}
		case "response.completed", "response.incomplete", "response.failed":
			r := ev.Response
			final = &r
			acc.usage = llm.Usage{
				InputTokens:     r.Usage.InputTokens,
				CachedTokens:    r.Usage.InputTokensDetails.CachedTokens,
				OutputTokens:    r.Usage.OutputTokens,
				ReasoningTokens: r.Usage.OutputTokensDetails.ReasoningTokens,
			}
		case "error":
			return acc.response(llm.StopOther), p.streamFailed(req.Model, eventError(ev))
		}
	}
	if err := stream.Err(); err != nil {
		return acc.response(llm.StopOther), err
	}
	if final == nil {
		return acc.response(llm.StopOther), p.streamEnded(req.Model)
	}
	switch final.Status {
	case "completed":
		if len(acc.calls) > 0 {
			return acc.response(llm.StopToolUse), nil
		}
		return acc.response(llm.StopEnd), nil
	case "incomplete":
		reason := final.IncompleteDetails.Reason
		if reason == "max_output_tokens" {
			return acc.response(llm.StopMaxTokens), nil
		}
		// The other reason is a content filter: what arrived is not the model's answer.
		resp := acc.response(llm.StopFiltered)
		resp.StopDetail = "incomplete: " + cmp.Or(reason, "no reason given")
		return resp, nil
	default:
		return acc.response(llm.StopOther), p.streamFailed(req.Model,
			apiError{Code: string(final.Error.Code), Message: final.Error.Message})
	}
}

// eventError reads an "error" event, whose fields come flat ({"code","message"}) or nested
// ({"error":{"type","code","message"}}) depending on the server.
func eventError(ev responses.ResponseStreamEventUnion) apiError {
	api := apiError{Code: ev.Code, Message: ev.Message}
	var body struct {
		Error apiError `json:"error"`
	}
	if json.Unmarshal([]byte(ev.RawJSON()), &body) == nil {
		api.Code = cmp.Or(api.Code, body.Error.Code)
		api.Type = body.Error.Type
		api.Message = cmp.Or(api.Message, body.Error.Message)
	}
	return api
}

// streamFailed is the error for a response the server ended with an error.
func (p *Provider) streamFailed(model string, api apiError) *llm.Error {
	e := &llm.Error{Provider: "openai", Model: model}
	p.fromAPIError(e, api)
	return e
}

// reasoningBlock keeps a reasoning item so it can be sent back with the next request.
func reasoningBlock(item responses.ResponseOutputItemUnion) llm.Reasoning {
	var parts []string
	for _, s := range item.Summary {
		parts = append(parts, s.Text)
	}
	return llm.Reasoning{ID: item.ID, Text: strings.Join(parts, "\n\n"), Encrypted: item.EncryptedContent}
}

// assistantMessage is an earlier assistant message to send back, with its phase when it had one.
func assistantMessage(text, phase string) responses.ResponseInputItemUnionParam {
	item := responses.ResponseInputItemParamOfMessage(text, responses.EasyInputMessageRoleAssistant)
	if phase != "" && item.OfMessage != nil {
		item.OfMessage.Phase = responses.EasyInputMessagePhase(phase)
	}
	return item
}

// responsesParams maps req onto a stateless Responses API request, the conversation included:
// nothing is stored on the server, and reasoning travels back and forth encrypted. The request
// sent is responsesBody's, the same JSON with the conversation encoded once (see bodyCache).
func (p *Provider) responsesParams(req llm.Request) (responses.ResponseNewParams, error) {
	params, err := p.responsesSettings(req)
	if err != nil {
		return params, err
	}
	var input responses.ResponseInputParam
	for _, m := range req.Messages {
		items, err := responsesItems(m)
		if err != nil {
			return params, err
		}
		input = append(input, items...)
	}
	params.Input.OfInputItemList = input
	return params, nil
}

// responsesItems maps one message of the conversation onto Responses API input items: none,
// one, or several for an assistant message with reasoning, commentary or tool calls.
func responsesItems(m llm.Message) (responses.ResponseInputParam, error) {
	var input responses.ResponseInputParam
	switch m.Role {
	case llm.RoleUser:
		input = append(input, responses.ResponseInputItemParamOfMessage(m.Text, responses.EasyInputMessageRoleUser))
	case llm.RoleAssistant:
		for _, r := range m.Reasoning {
			if r.ID == "" || r.Encrypted == "" {
				continue // not from the Responses API: nothing to send back
			}
			item := responses.ResponseReasoningItemParam{ID: r.ID, Summary: []responses.ResponseReasoningItemSummaryParam{},
				EncryptedContent: param.NewOpt(r.Encrypted)}
			if r.Text != "" {
				item.Summary = append(item.Summary, responses.ResponseReasoningItemSummaryParam{Text: r.Text})
			}
			input = append(input, responses.ResponseInputItemUnionParam{OfReasoning: &item})
		}
		if m.Commentary != "" {
			input = append(input, assistantMessage(m.Commentary, "commentary"))
		}
		if m.Text != "" {
			input = append(input, assistantMessage(m.Text, m.Phase))
		}
		for _, c := range m.ToolCalls {
			input = append(input, responses.ResponseInputItemParamOfFunctionCall(c.Arguments, c.ID, c.Name))
		}
	case llm.RoleTool:
		out := responses.ResponseInputItemParamOfFunctionCallOutput(m.Text)
		out.OfFunctionCallOutput.CallID = param.NewOpt(m.ToolCallID)
		input = append(input, out)
	default:
		return nil, badMessage(m.Role)
	}
	return input, nil
}

// responsesSettings maps everything of req but the conversation onto a Responses API request.
func (p *Provider) responsesSettings(req llm.Request) (responses.ResponseNewParams, error) {
	params := responses.ResponseNewParams{
		Model: shared.ResponsesModel(req.Model),
		Store: param.NewOpt(false),
	}
	if p.takesReasoning(req.Model) && !p.dropped(req.Model)[paramEncrypted] {
		// Reasoning travels back encrypted; models that do not reason refuse to include it.
		params.Include = []responses.ResponseIncludable{responses.ResponseIncludableReasoningEncryptedContent}
	}
	if req.System != "" {
		params.Instructions = param.NewOpt(req.System)
	}
	for _, t := range req.Tools {
		schema, err := toolSchema(t)
		if err != nil {
			return params, err
		}
		params.Tools = append(params.Tools, responses.ToolUnionParam{OfFunction: &responses.FunctionToolParam{
			Name:        t.Name,
			Description: param.NewOpt(t.Description),
			Parameters:  schema,
			Strict:      param.NewOpt(false),
		}})
	}
	if req.MaxOutputTokens > 0 {
		params.MaxOutputTokens = param.NewOpt(int64(req.MaxOutputTokens))
	}
	if req.ReasoningEffort != "" && p.takesReasoning(req.Model) && !p.dropped(req.Model)[paramReasoning] {
		params.Reasoning = shared.ReasoningParam{Effort: shared.ReasoningEffort(req.ReasoningEffort), Summary: shared.ReasoningSummaryAuto}
	}
	return params, nil
}
