// Package provider makes the model provider a configuration names — the OpenAI client (Responses
// or Chat Completions) or the Bedrock client — and describes the configured model from the
// catalogue. The engine, `hew review` and `hew doctor` start providers only through it.
package provider

import (
	"context"
	"fmt"

	"hew/agent/config"
	"hew/agent/llm"
	"hew/agent/llm/bedrock"
	"hew/agent/llm/catalog"
	"hew/agent/llm/netwait"
	"hew/agent/llm/openai"
)

// New makes the provider the configuration names for model m.
func New(ctx context.Context, cfg config.Config, m catalog.Model, getenv func(string) string) (llm.Provider, error) {
	// The catalogue with the configuration's overrides decides each model's route and which
	// models take reasoning settings.
	cat, err := catalog.Default().Merge(cfg.Models)
	if err != nil {
		return nil, err
	}
	switch cfg.Provider {
	case "bedrock":
		return bedrock.New(ctx, bedrock.Options{Region: cfg.Bedrock.Region, Profile: cfg.Bedrock.Profile,
			BearerToken: cfg.BedrockToken, Getenv: getenv, Catalog: cat, Guardrail: cfg.Bedrock.Guardrail, Latency: cfg.Bedrock.Latency,
			Timeouts: timeouts(cfg), MaxRetryWait: cfg.Network.MaxRetryWait.Duration, MaxRetries: cfg.Network.RetriesOption()})
	default:
		api := cfg.OpenAI.API
		if api == "" {
			api = m.API
		}
		return openai.New(openai.Options{APIKey: cfg.OpenAIKey, BaseURL: cfg.OpenAI.BaseURL, API: api, Catalog: cat,
			Timeouts: timeouts(cfg), MaxRetryWait: cfg.Network.MaxRetryWait.Duration, MaxRetries: cfg.Network.RetriesOption()})
	}
}

// timeouts are the configuration's bounds on waiting for the server.
func timeouts(cfg config.Config) netwait.Timeouts {
	return netwait.Timeouts{Idle: cfg.Network.StreamIdle.Duration, Connect: cfg.Network.Connect.Duration}
}

// Model describes the configured model from the catalogue (with the configuration's overrides);
// a model the catalogue does not know gets no prices and DefaultContextWindow. A bad override is
// a configuration error.
func Model(cfg config.Config) (catalog.Model, error) {
	cat, err := catalog.Default().Merge(cfg.Models)
	if err != nil {
		return catalog.Model{}, err
	}
	id := cfg.ModelOrDefault()
	if m, ok := cat.Lookup(cfg.Provider, id); ok {
		return m, nil
	}
	return Unknown(cfg.Provider, id), nil
}

// DefaultContextWindow is the context window assumed for a model the catalogue does not know
// and discovery did not size: small enough that compaction starts before most servers' limits.
const DefaultContextWindow = 32768

// Unknown describes a model the catalogue lacks: tools assumed, no price, and the conservative
// DefaultContextWindow so that the conversation is compacted in time.
func Unknown(providerName, id string) catalog.Model {
	return catalog.Model{Provider: providerName, ID: id, Tools: true, ContextWindow: DefaultContextWindow}
}

// CheckAgent refuses a model the catalogue says cannot use tools (such as DeepSeek-R1 and
// Mistral 7B on Bedrock) for the agent, which works only through tools; every request would
// fail. `hew review` sends no tools and may still use such a model.
func CheckAgent(m catalog.Model) error {
	if m.Tools {
		return nil
	}
	return fmt.Errorf("model %s cannot use tools (the catalogue says tools = false), and hew's agent works only through tools: "+
		"choose a model with tool use (`hew models` lists them), or use this one with `hew review`", m.ID)
}
