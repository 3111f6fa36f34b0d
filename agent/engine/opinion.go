package engine

import (
	"context"
	"fmt"

	"hew/agent/codereview"
	"hew/agent/event"
	"hew/agent/proposal"
)

// SecondOpinion has another model review the pending proposal before it is accepted: the
// model reference ref (`--review-with`), else review_model, else the agent's model. Findings
// at or above review_blocks (high by default; "none" never blocks) make Blocked true. The
// verdict is reported as an event.SecondOpinion, and the review's cost counts to the session
// under the review role.
func (e *Engine) SecondOpinion(ctx context.Context, ref string) (event.SecondOpinion, error) {
	c, err := e.reviewClient(ctx, ref)
	if err != nil {
		return event.SecondOpinion{}, err
	}
	changes, err := e.layer.Changes()
	if err != nil {
		return event.SecondOpinion{}, err
	}
	files := make([]codereview.File, len(changes))
	for i, ch := range changes {
		files[i] = codereview.File{Path: ch.Path, Old: ch.Old, New: ch.New, Created: ch.Op == proposal.Add, Deleted: ch.Op == proposal.Delete}
		if ch.Op == proposal.Add {
			files[i].Old = nil
		}
	}
	rep, err := codereview.Run(ctx, codereview.Options{Provider: c.Provider, Model: c.Model.ID, MaxOutputTokens: e.cfg.MaxOutputTokens,
		ReasoningEffort: e.cfg.ReasoningEffort, Cost: c.Cost()}, "the proposal", files)
	if rep.Usage.InputTokens+rep.Usage.OutputTokens > 0 {
		e.agent.Account(event.Usage{Model: c.Model.ID, Role: event.RoleReview, Usage: rep.Usage, CostUSD: rep.CostUSD})
	}
	name := c.Model.Provider + ":" + c.Model.ID
	if err != nil {
		return event.SecondOpinion{}, fmt.Errorf("second opinion from %s: %w", name, err)
	}
	blocks := e.cfg.ReviewBlocks
	if blocks == "" {
		blocks = codereview.High
	}
	op := event.SecondOpinion{Model: name, Summary: rep.Summary, Blocks: blocks, Findings: []event.ReviewFinding{},
		Blocked: blocks != "none" && rep.Fails(blocks)}
	for _, f := range rep.Findings {
		op.Findings = append(op.Findings, event.ReviewFinding{Severity: f.Severity, File: f.File, Line: f.StartLine, Title: f.Title, Detail: f.Explanation})
	}
	e.events.Emit(op)
	return op, nil
}
