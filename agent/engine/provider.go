package engine

import (
	"context"

	"hew/agent/config"
	"hew/agent/llm"
	"hew/agent/llm/bedrock"
	"hew/agent/llm/catalog"
	"hew/agent/llm/openai"
)

// NewProvider makes the provider the configuration names for model m.
func NewProvider(ctx context.Context, cfg config.Config, m catalog.Model, getenv func(string) string) (llm.Provider, error) {
	switch cfg.Provider {
	case "bedrock":
		// The catalogue with the configuration's overrides decides each model's route.
		cat, err := catalog.Default().Merge(cfg.Models)
		if err != nil {
			return nil, err
		}
		return bedrock.New(ctx, bedrock.Options{Region: cfg.Bedrock.Region, Profile: cfg.Bedrock.Profile,
			BearerToken: cfg.BedrockToken, Getenv: getenv, Catalog: cat})
	default:
		api := cfg.OpenAI.API
		if api == "" {
			api = m.API
		}
		return openai.New(openai.Options{APIKey: cfg.OpenAIKey, BaseURL: cfg.OpenAI.BaseURL, API: api})
	}
}
