// Package compact shortens a conversation that no longer fits the model's context window.
//
// Compaction keeps what must never be lost — the user's original request and latest message,
// the current plan and the pending proposal (the system prompt and project instructions are
// sent apart from the conversation and are not touched) — and replaces the older turns with a
// summary the model writes, as often as the conversation fills up again: an earlier summary is
// folded into the next. Tool outputs the model has already seen are trimmed first: they are the
// bulk of most long sessions and can be produced again by running the tool again. Sizes are
// relative to the window (see Target, SendLimit, OutputLimit), which is DefaultWindow for a
// model whose window is unknown, and Fit cuts outputs further until a conversation is under a
// budget, every cut saying what was left out.
package compact

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"hew/agent/event"
	"hew/agent/llm"
	"hew/agent/tools"
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

// ErrTooLarge reports a conversation that does not fit the window even with every tool output
// cut to its head and tail: the latest messages themselves are too long.
var ErrTooLarge = errors.New("the conversation does not fit the model's context window even with every tool output trimmed; start a new session or use a model with a larger window")

// ErrNothingToCompact reports a conversation that is already as short as compaction makes it.
var ErrNothingToCompact = errors.New("the conversation is already as short as compaction can make it")

// Continue is the user message placed before kept messages that start in the middle of a turn.
const Continue = "Continue with the task from where you left off."

// summaryHeader opens the message that stands for the compacted turns; summaryHeaderLatest
// when the summary also covers work done on the latest request, which follows it.
const (
	summaryHeader       = "[Earlier turns of this session were compacted to fit the context window. Summary of the work so far:]"
	summaryHeaderLatest = "[Earlier turns of this session were compacted to fit the context window. Summary of the work so far, including the first steps taken on the latest request below:]"
)

// trimBudget is the share of the window a conversation may fill after trimming alone.
const trimBudget = 0.5

// Compact returns a shorter version of in.History. It first trims the tool outputs the model
// has already answered; when that is not enough (or o.Summarise is set) it asks the model to
// summarise everything but the latest steps and rebuilds the conversation as: the original
// request, the summary with the plan and the proposal, the latest user message (or Continue),
// then the kept messages. It summarises again each time it is called: an earlier summary and
// the Continue message are not taken for user messages, and a later turn of a resumed session
// is summarised like the first. The result is fitted under Target of the window (see Fit).
func Compact(ctx context.Context, o Options, in Input) (Result, error) {
	h := in.History
	window := WindowOr(o.Window)
	target := int64(float64(window) * Target)
	res := Result{Before: Estimate(h) + o.Overhead}
	first := indexOf(h, 0, llm.RoleUser)
	if first < 0 {
		return res, ErrNothingToCompact
	}
	trimmed := TrimSeen(h, seenLimit)
	if !o.Summarise && Estimate(trimmed)+o.Overhead <= int64(float64(window)*trimBudget) {
		res.History, res.After = trimmed, Estimate(trimmed)+o.Overhead
		if res.After >= res.Before {
			return res, ErrNothingToCompact
		}
		return res, nil
	}

	latest := latestUser(h, first)
	cut := keepFrom(h, first, latest, cmpOr(o.KeepSteps, 2))
	if cut <= first+1 {
		// Nothing before the kept steps to summarise: trimming is all there is.
		fitted, ok := Fit(trimmed, target-o.Overhead)
		if res.After = Estimate(fitted) + o.Overhead; res.After < res.Before {
			res.History = fitted
			if !ok {
				return res, ErrTooLarge
			}
			return res, nil
		}
		return res, ErrNothingToCompact
	}
	var older []llm.Message
	for i, m := range h[:cut] {
		if i != first && !(m.Role == llm.RoleUser && m.Text == Continue) {
			older = append(older, m)
		}
	}
	summary, usage, err := summarise(ctx, o, window, h[first].Text, older)
	res.Usage = usage
	if err != nil {
		return res, err
	}

	header := summaryHeader
	if latest > first && latest < cut {
		header = summaryHeaderLatest
	}
	out := []llm.Message{h[first], {Role: llm.RoleAssistant, Text: header + "\n\n" + summary + describeState(in.Plan, in.Proposal)}}
	switch {
	case latest > first && latest < cut:
		out = append(out, h[latest])
	case latest < 0 && h[cut].Role != llm.RoleUser:
		out = append(out, llm.Message{Role: llm.RoleUser, Text: Continue})
	}
	out = append(out, TrimSeen(h[cut:], tailLimit)...)
	fitted, ok := Fit(out, target-o.Overhead)
	res.History, res.After, res.Summarised = fitted, Estimate(fitted)+o.Overhead, true
	if !ok {
		return res, ErrTooLarge
	}
	return res, nil
}

// latestUser returns the index of the latest message the user wrote after the first one, or -1:
// the Continue message compaction inserts is not one.
func latestUser(h []llm.Message, first int) int {
	for i := len(h) - 1; i > first; i-- {
		if h[i].Role == llm.RoleUser && h[i].Text != Continue {
			return i
		}
	}
	return -1
}

// keepFrom returns the index the kept messages start at: the keep-th last model step after
// the latest user message, or that message itself when its turn has fewer steps, or, in one
// long turn, the keep-th last model step.
func keepFrom(h []llm.Message, first, latest, keep int) int {
	from := max(first, latest)
	seen := 0
	for i := len(h) - 1; i > from; i-- {
		if h[i].Role == llm.RoleAssistant {
			if seen++; seen == keep {
				return i
			}
		}
	}
	if latest > first {
		return latest
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
// and the kept ones. An earlier summary among them is given whole, ahead of the transcript,
// so that what it holds is never the part cut for length.
func summarise(ctx context.Context, o Options, window int64, request string, older []llm.Message) (string, llm.Usage, error) {
	budget := min(maxTranscript, CharsFor(window/2))
	var b strings.Builder
	b.WriteString("The user's original request (kept verbatim, do not repeat it):\n\n")
	b.WriteString(request)
	var rest []llm.Message
	for _, m := range older {
		if m.Role == llm.RoleAssistant && strings.HasPrefix(m.Text, summaryHeader[:40]) {
			b.WriteString("\n\nThe summary of the turns before (fold what still matters into your summary):\n\n")
			_, body, _ := strings.Cut(m.Text, "\n\n")
			body = tools.ClipWhy(body, budget/4, "summary clipped")
			b.WriteString(body)
			budget -= len(body)
			continue
		}
		rest = append(rest, m)
	}
	b.WriteString("\n\nThe transcript to summarise:\n\n")
	b.WriteString(Transcript(rest, max(budget, 1<<10)))
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
