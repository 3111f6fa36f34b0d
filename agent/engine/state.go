package engine

import (
	"context"
	"errors"
	"path/filepath"

	"hew/agent/compact"
	"hew/agent/event"
	"hew/agent/llm"
	"hew/agent/llm/catalog"
	"hew/agent/session"
)

// The session's state, as front ends show it. These are safe to call while a turn runs.

// Usage is what the session has used so far: tokens, cost in US dollars, and whether the cost
// is known (a model the catalogue has no price for counts as $0).
type Usage struct {
	Tokens     llm.Usage
	CostUSD    float64
	PriceKnown bool
	// ByRole is the cost by model role (event.RoleAgent, RoleSmall, RoleReview), for the
	// roles that made calls.
	ByRole map[string]float64
}

// Usage returns the session's usage so far.
func (e *Engine) Usage() Usage {
	u, c := e.agent.Total()
	return Usage{Tokens: u, CostUSD: c, PriceKnown: e.agent.Cost != nil, ByRole: e.agent.RoleCosts()}
}

// ModelInfo names the model the next turn uses.
type ModelInfo struct {
	Provider string
	// Model is the catalogue's description; a model the catalogue does not know has only
	// Provider and ID set.
	Model catalog.Model
}

// Model returns the provider and model the next turn uses.
func (e *Engine) Model() ModelInfo {
	m := e.currentModel()
	p := m.Provider // another provider after a failover
	if p == "" {
		p = e.cfg.Provider
	}
	return ModelInfo{Provider: p, Model: m}
}

// ContextUsed estimates the tokens the next model call's prompt takes, and the context window
// the agent loop compacts to: the model's (from the catalogue or the server's model list), else
// a conservative default, or a smaller one a server's refusal named. It is never 0.
func (e *Engine) ContextUsed() (used, window int64) {
	return e.agent.ContextUsed(), e.agent.Window()
}

// Conversation returns the conversation so far, as the model sees it. The slice must not be
// changed.
func (e *Engine) Conversation() []llm.Message { return e.agent.History() }

// Plan returns the last plan the model set with update_plan.
func (e *Engine) Plan() []event.PlanStep { return e.agent.Plan() }

// ErrNothingToCompact is returned by Compact when the conversation is too short to compact.
var ErrNothingToCompact = compact.ErrNothingToCompact

// Compact summarises the older part of the conversation now, as /compact asks.
func (e *Engine) Compact(ctx context.Context) error { return e.agent.Compact(ctx) }

// Sessions lists the saved sessions of this repository, newest first.
func (e *Engine) Sessions() ([]session.Info, error) {
	infos, err := session.List(filepath.Dir(e.log.Path))
	if err != nil && !errors.Is(err, session.ErrNoSession) {
		return nil, err
	}
	out := infos[:0:0]
	for _, in := range infos {
		if session.SameRepo(in.Repo, e.repo.Root()) {
			out = append(out, in)
		}
	}
	return out, nil
}
