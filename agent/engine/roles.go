package engine

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"hew/agent/event"
	"hew/agent/llm"
	"hew/agent/llm/catalog"
	"hew/agent/llm/failover"
	"hew/agent/llm/provider"
	"hew/agent/loop"
)

// The model roles besides the agent's (see README "Working with several models"): the small
// model writes summaries and commit messages, the review model reviews. Each may be on any
// provider; what each costs is accounted to its role (event.Usage.Role, Usage().ByRole).

// roleClient makes the client of the model reference ref, named by the config key for errors,
// and returns the reference as it was read.
func (e *Engine) roleClient(ctx context.Context, key, ref string) (provider.Client, provider.Ref, error) {
	r, err := provider.ParseRef(e.cfg, ref)
	if err != nil {
		return provider.Client{}, r, usage("%s: %v", key, err)
	}
	c, err := provider.ForRef(ctx, e.cfg, r, e.getenv)
	if err != nil {
		return provider.Client{}, r, fmt.Errorf("%s = %q: %w", key, ref, err)
	}
	return c, r, nil
}

// setUpRoles gives the agent its small model and its fallback chain, as configured.
func (e *Engine) setUpRoles(ctx context.Context) error {
	if ref := e.cfg.SmallModel; ref != "" {
		c, _, err := e.roleClient(ctx, "small_model", ref)
		if err != nil {
			return err
		}
		e.agent.Small = &loop.Helper{Provider: c.Provider, Model: c.Model.ID, Cost: c.Cost()}
	}
	if len(e.cfg.Fallback) == 0 {
		return nil
	}
	entries := []failover.Entry{{Name: e.model.Provider + ":" + e.agent.Model, Provider: e.agent.Provider, Model: e.agent.Model}}
	clients := []provider.Client{{Provider: e.agent.Provider, Model: e.model, Known: e.agent.Cost != nil}}
	for i, ref := range e.cfg.Fallback {
		c, r, err := e.roleClient(ctx, fmt.Sprintf("fallback[%d]", i), ref)
		if err != nil {
			return err
		}
		if err := provider.CheckAgent(c.Model); err != nil {
			return usage("fallback %q: %v", ref, err)
		}
		entries = append(entries, failover.Entry{Name: r.String(), Provider: c.Provider, Model: c.Model.ID})
		clients = append(clients, c)
	}
	fb := &fallback{clients: clients}
	chain := failover.New(entries, func(s failover.Switch) {
		// Called from the turn's goroutine, between two model calls.
		next := fb.clients[s.Index]
		e.mu.Lock()
		e.model = next.Model
		e.mu.Unlock()
		e.agent.Model = next.Model.ID
		e.agent.SetWindow(int64(next.Model.ContextWindow))
		e.agent.SetHistory(s.Messages)
		e.events.Emit(event.Failover{From: s.From.Name, To: s.To.Name, Reason: reasonOf(s.Cause), Dropped: s.Dropped.String()})
	})
	fb.chain = chain
	e.fallback = fb
	e.agent.Provider = chain
	e.agent.Cost = fb.cost
	return nil
}

// fallback is the session's failover chain with the client of each of its models.
type fallback struct {
	chain   *failover.Chain
	clients []provider.Client
}

// cost prices a call as the model of the chain that answered it.
func (f *fallback) cost(u llm.Usage) float64 {
	_, i := f.chain.Current()
	if cost := f.clients[i].Cost(); cost != nil {
		return cost(u)
	}
	return 0
}

// switchPrimary makes the model the session switched to (served by p) the chain's primary
// and sends requests to it again, even after a failover.
func (f *fallback) switchPrimary(p llm.Provider, c ModelChoice) {
	f.clients[0] = provider.Client{Provider: p, Model: c.Model, Known: c.Known}
	f.chain.Reset(failover.Entry{Name: c.Model.Provider + ":" + c.Model.ID, Provider: p, Model: c.Model.ID})
}

// reasonOf says in a few words why a model's request failed.
func reasonOf(err error) string {
	var le *llm.Error
	if errors.As(err, &le) && le.Message != "" {
		return string(le.Kind) + ": " + clipWords(le.Message, 160)
	}
	return clipWords(err.Error(), 160)
}

// SmallModel returns the small model's provider and id (small_model; the agent's model when
// none is set), for work such as commit messages and titles. Calls made with it should be
// accounted with AccountSmall.
func (e *Engine) SmallModel() (llm.Provider, string) {
	h := e.agent.SmallHelper()
	return h.Provider, h.Model
}

// Summarise asks the small model for a short text: system says what to write, prompt is the
// material. No tools are offered. Its usage and cost count to the session, under the small
// role.
func (e *Engine) Summarise(ctx context.Context, system, prompt string) (string, error) {
	p, model := e.SmallModel()
	resp, err := p.Stream(ctx, llm.Request{Model: model, System: system, MaxOutputTokens: e.cfg.MaxOutputTokens,
		Messages: []llm.Message{{Role: llm.RoleUser, Text: prompt}}}, func(llm.Delta) {})
	if err != nil {
		return "", fmt.Errorf("ask the small model %s: %w", model, err)
	}
	e.AccountSmall(resp.Usage)
	return strings.TrimSpace(resp.Message.Text), nil
}

// AccountSmall counts a call of the small model to the session's usage, under the small role.
func (e *Engine) AccountSmall(u llm.Usage) {
	e.agent.AccountSmall(e.agent.SmallHelper(), u)
}

// ReviewModel makes the client of the review model: ref, else review_model, else the agent's
// model.
func (e *Engine) reviewClient(ctx context.Context, ref string) (provider.Client, error) {
	key := "--review-with"
	if ref == "" {
		ref, key = e.cfg.ReviewModel, "review_model"
	}
	if ref == "" {
		return provider.Client{Provider: e.agent.Provider, Model: e.currentModel(), Known: e.agent.Cost != nil}, nil
	}
	c, _, err := e.roleClient(ctx, key, ref)
	return c, err
}

// currentModel is the model the agent uses now.
func (e *Engine) currentModel() catalog.Model {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.model
}
