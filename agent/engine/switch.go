package engine

import (
	"context"
	"fmt"
	"strings"

	"hew/agent/llm/catalog"
)

// ModelChoice is the outcome of SwitchModel.
type ModelChoice struct {
	Model catalog.Model
	// Known reports that the catalogue (with the configuration's overrides) lists the id;
	// an unknown id is used as given, with no price and no context window.
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
	if len(e.Config.Models) > 0 {
		var err error
		if cat, err = cat.Merge(e.Config.Models); err != nil {
			return ModelChoice{}, fmt.Errorf("switch model: %w", err)
		}
	}
	choice := ModelChoice{}
	choice.Model, choice.Known = cat.Lookup(e.Config.Provider, id)
	if !choice.Known {
		choice.Model = catalog.Model{Provider: e.Config.Provider, ID: id, Tools: true}
		choice.Suggestions = cat.Suggest(id)
	}
	if e.Config.Provider != "bedrock" && choice.Model.API != e.Model.API && e.Config.OpenAI.API == "" {
		// Bedrock's provider routes each request by the catalogue; an OpenAI client is bound
		// to one API.
		p, err := NewProvider(ctx, e.Config, choice.Model, nil) // only Bedrock reads the environment
		if err != nil {
			return ModelChoice{}, fmt.Errorf("switch to %s: %w", id, err)
		}
		e.Provider, e.Agent.Provider = p, p
	}
	e.Model = choice.Model
	e.Agent.Model = choice.Model.ID
	e.Agent.ContextWindow = int64(choice.Model.ContextWindow)
	e.Agent.Cost = nil
	if choice.Known {
		e.Agent.Cost = choice.Model.Cost
	}
	return choice, nil
}
