// Package compact shortens a conversation that no longer fits the model's context window.
//
// Compaction keeps what must never be lost — the user's original request and latest message,
// the current plan and the pending proposal (the system prompt and project instructions are
// sent apart from the conversation and are not touched) — and replaces the older turns with a
// summary the model writes. Tool outputs the model has already seen are trimmed first: they
// are the bulk of most long sessions and can be produced again by running the tool again.
package compact

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"hew/agent/event"
	"hew/agent/llm"
	"hew/prompts"
)

// Input is the state compaction works from.
type Input struct {
	History []llm.Message
	// Plan is the current plan, kept verbatim.
	Plan []event.PlanStep
	// Proposal describes the pending proposal (see DescribeProposal); "" when there is none.
	Proposal string
}

// Options say how to compact.
type Options struct {
	// Provider and Model write the summary.
	Provider        llm.Provider
	Model           string
	MaxOutputTokens int
	// Window is the model's context window in tokens; 0 when unknown.
	Window int64
	// Overhead is what the request takes besides the conversation (system prompt, tool
	// definitions), in tokens.
	Overhead int64
	// Summarise asks for a summary even when trimming seen tool outputs would be enough (an
	// overflow the estimate did not foresee, or the user asked).
	Summarise bool
	// KeepSteps is how many of the latest model steps a single long turn keeps verbatim; 0
	// means 2.
	KeepSteps int
}

// Result is a compacted conversation.
type Result struct {
	History []llm.Message
	// Usage is what the summarising call cost; zero when no model call was needed.
	Usage llm.Usage
	// Before and After estimate the prompt's size in tokens: the conversation and Overhead.
	Before, After int64
	// Summarised says whether the model wrote a summary (or only tool outputs were trimmed).
	Summarised bool
}

// ErrNothingToCompact reports a conversation that is already as short as compaction makes it.
var ErrNothingToCompact = errors.New("the conversation is already as short as compaction can make it")

// Continue is the user message placed before kept messages that start in the middle of a turn.
const Continue = "Continue with the task from where you left off."

// summaryHeader opens the message that stands for the compacted turns.
const summaryHeader = "[Earlier turns of this session were compacted to fit the context window. Summary of the work so far:]"

// trimBudget is the share of the window a conversation may fill after trimming alone.
const trimBudget = 0.5

// Compact returns a shorter version of in.History. It first trims the tool outputs the model
// has already answered; when that is not enough (or o.Summarise is set) it asks the model to
// summarise everything before the latest user message (or, in one long turn, before the
// latest steps) and rebuilds the conversation as: the original request, the summary with the
// plan and the proposal, then the kept messages.
func Compact(ctx context.Context, o Options, in Input) (Result, error) {
	h := in.History
	res := Result{Before: Estimate(h) + o.Overhead}
	first := indexOf(h, 0, llm.RoleUser)
	if first < 0 {
		return res, ErrNothingToCompact
	}
	trimmed := TrimSeen(h, seenLimit)
	if !o.Summarise && o.Window > 0 && Estimate(trimmed)+o.Overhead <= int64(float64(o.Window)*trimBudget) {
		res.History, res.After = trimmed, Estimate(trimmed)+o.Overhead
		if res.After >= res.Before {
			return res, ErrNothingToCompact
		}
		return res, nil
	}

	cut := keepFrom(h, first, cmpOr(o.KeepSteps, 2))
	if cut <= first+1 {
		if res.After = Estimate(trimmed) + o.Overhead; res.After < res.Before {
			res.History = trimmed
			return res, nil
		}
		return res, ErrNothingToCompact
	}
	older := append(append([]llm.Message(nil), h[:first]...), h[first+1:cut]...)
	summary, usage, err := summarise(ctx, o, h[first].Text, older)
	res.Usage = usage
	if err != nil {
		return res, err
	}

	out := []llm.Message{h[first], {Role: llm.RoleAssistant, Text: summaryHeader + "\n\n" + summary + describeState(in.Plan, in.Proposal)}}
	tail := TrimSeen(h[cut:], tailLimit)
	if tail[0].Role != llm.RoleUser {
		out = append(out, llm.Message{Role: llm.RoleUser, Text: Continue})
	}
	out = append(out, tail...)
	res.History, res.After, res.Summarised = out, Estimate(out)+o.Overhead, true
	return res, nil
}

// keepFrom returns the index the kept messages start at: the latest user message when there
// is more than one, otherwise the keep-th last assistant message of the one long turn.
func keepFrom(h []llm.Message, first, keep int) int {
	for i := len(h) - 1; i > first; i-- {
		if h[i].Role == llm.RoleUser {
			return i
		}
	}
	seen := 0
	for i := len(h) - 1; i > first; i-- {
		if h[i].Role == llm.RoleAssistant {
			if seen++; seen == keep {
				return i
			}
		}
	}
	return first + 1
}

func indexOf(h []llm.Message, from int, r llm.Role) int {
	for i := from; i < len(h); i++ {
		if h[i].Role == r {
			return i
		}
	}
	return -1
}

func cmpOr(n, def int) int {
	if n <= 0 {
		return def
	}
	return n
}

// summarise asks the model for a summary of older, the messages between the original request
// and the kept ones.
func summarise(ctx context.Context, o Options, request string, older []llm.Message) (string, llm.Usage, error) {
	budget := maxTranscript
	if o.Window > 0 {
		budget = min(budget, int(o.Window)*charsPerToken/2)
	}
	var b strings.Builder
	b.WriteString("The user's original request (kept verbatim, do not repeat it):\n\n")
	b.WriteString(request)
	b.WriteString("\n\nThe transcript to summarise:\n\n")
	b.WriteString(Transcript(older, budget))
	req := llm.Request{Model: o.Model, System: prompts.Text("compact.md"), MaxOutputTokens: o.MaxOutputTokens,
		Messages: []llm.Message{{Role: llm.RoleUser, Text: b.String()}}}
	resp, err := o.Provider.Stream(ctx, req, func(llm.Delta) {})
	if err != nil {
		return "", resp.Usage, fmt.Errorf("summarise the earlier turns: %w", err)
	}
	text := strings.TrimSpace(resp.Message.Text)
	if text == "" {
		return "", resp.Usage, errors.New("summarise the earlier turns: the model returned an empty summary")
	}
	return text, resp.Usage, nil
}

// describeState renders the plan and the proposal as they stand, to follow the summary.
func describeState(plan []event.PlanStep, proposal string) string {
	var b strings.Builder
	if len(plan) > 0 {
		b.WriteString("\n\n## Current plan\n")
		for _, s := range plan {
			fmt.Fprintf(&b, "- [%s] %s\n", s.Status, s.Step)
		}
	}
	if proposal != "" {
		b.WriteString("\n\n## Pending proposal (your changes so far, not yet accepted by the user)\n")
		b.WriteString(proposal)
	}
	return strings.TrimRight(b.String(), "\n")
}
