package main

import (
	"context"

	"hew/agent/config"
	"hew/agent/llm/provider"
)

// reviewClient makes the client of the model `hew review` uses: review_model when set (any
// provider), else the configured model.
func reviewClient(ctx context.Context, cfg config.Config, getenv func(string) string) (provider.Client, error) {
	ref := provider.Ref{Provider: cfg.Provider, ID: cfg.ModelOrDefault()}
	if cfg.ReviewModel != "" {
		r, err := provider.ParseRef(cfg, cfg.ReviewModel)
		if err != nil {
			return provider.Client{}, usageError("review_model: %v", err)
		}
		ref = r
	}
	c, err := provider.ForRef(ctx, cfg, ref, getenv)
	if err != nil {
		return c, engineError(err)
	}
	return c, nil
}
