package engine

import (
	"context"
	"fmt"
	"strings"

	"hew/agent/event"
	"hew/agent/llm/catalog"
	"hew/agent/llm/provider"
)

// ModelChoice is the outcome of SwitchModel.
type ModelChoice struct {
	Model catalog.Model
	// Known reports that the catalogue (with the configuration's overrides) lists the id;
	// an unknown id is used as given, with no price and a conservative context window.
	Known bool
	// Suggestions are known ids close to an unknown one.
	Suggestions []string
}

// SwitchModel makes id the model of the next turn, keeping the conversation. It must not be
// called while a turn runs. The provider stays the configuration's; for OpenAI a new client is
// made when the new model is served through another API (Chat Completions or Responses).
func (e *Engine) SwitchModel(ctx context.Context, id string) (ModelChoice, error) {
	id = strings.TrimSpace(id)
	if id == "" {
		return ModelChoice{}, fmt.Errorf("name the model to switch to; 'hew models' lists them")
	}
	cat := catalog.Default()
	if len(e.cfg.Models) > 0 {
		var err error
		if cat, err = cat.Merge(e.cfg.Models); err != nil {
			return ModelChoice{}, fmt.Errorf("switch model: %w", err)
		}
	}
	choice := ModelChoice{}
	choice.Model, choice.Known = cat.Lookup(e.cfg.Provider, id)
	if !choice.Known {
		if listed, ok := e.listed(id); ok {
			// The server listed it: an inference profile's base model, or its context length.
			choice = listed
		} else {
			choice.Model = provider.Unknown(e.cfg.Provider, id)
			choice.Suggestions = cat.Suggest(id)
		}
	}
	if err := provider.CheckAgent(choice.Model); err != nil {
		return ModelChoice{}, err
	}
	if e.cfg.Provider != "bedrock" && choice.Model.API != e.model.API && e.cfg.OpenAI.API == "" {
		// Bedrock's provider routes each request by the catalogue; an OpenAI client is bound
		// to one API.
		p, err := provider.New(ctx, e.cfg, choice.Model, nil) // only Bedrock reads the environment
		if err != nil {
			return ModelChoice{}, fmt.Errorf("switch to %s: %w", id, err)
		}
		e.provider, e.agent.Provider = p, p
	}
	from := e.agent.Model
	e.mu.Lock()
	e.model = choice.Model
	e.mu.Unlock()
	e.agent.Model = choice.Model.ID
	e.events.Emit(event.ModelSwitched{Provider: e.cfg.Provider, Model: choice.Model.ID, From: from})
	e.agent.SetWindow(int64(choice.Model.ContextWindow))
	if e.fallback != nil {
		// The switched-to model leads the chain, back from any fallback in use.
		e.fallback.switchPrimary(e.provider, choice)
		e.agent.Provider, e.agent.Cost = e.fallback.chain, e.fallback.cost
		return choice, nil
	}
	e.agent.Cost = nil
	if choice.Known {
		e.agent.Cost = choice.Model.Cost
	}
	return choice, nil
}

// AvailableModels lists the models the configured provider's server offers to these
// credentials now, each with what the catalogue knows of it (what `hew models --available`
// prints), for the model picker.
func (e *Engine) AvailableModels(ctx context.Context) ([]ModelChoice, error) {
	list, err := provider.Available(ctx, e.cfg, e.getenv)
	if err != nil {
		return nil, fmt.Errorf("list the models %s offers: %w", e.cfg.Provider, err)
	}
	out := make([]ModelChoice, 0, len(list))
	byID := make(map[string]ModelChoice, len(list))
	for _, l := range list {
		c := ModelChoice{Model: l.Model, Known: l.Known}
		out = append(out, c)
		byID[c.Model.ID] = c
	}
	e.mu.Lock()
	e.available = byID
	e.mu.Unlock()
	return out, nil
}

// listed returns the model id as AvailableModels last listed it, if it did.
func (e *Engine) listed(id string) (ModelChoice, bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	c, ok := e.available[id]
	return c, ok
}

// CatalogueModels lists the catalogue's models (with the configuration's overrides) for the
// configured provider, without asking the server: what the model picker offers when the
// server cannot be asked.
func (e *Engine) CatalogueModels() ([]ModelChoice, error) {
	cat, err := catalog.Default().Merge(e.cfg.Models)
	if err != nil {
		return nil, fmt.Errorf("the catalogue: %w", err)
	}
	var out []ModelChoice
	for _, m := range cat.Models(e.cfg.Provider) {
		out = append(out, ModelChoice{Model: m, Known: true})
	}
	return out, nil
}
