package main

import (
	"context"
	"fmt"

	"hew/agent/codereview"
	"hew/agent/config"
	"hew/agent/llm/catalog"
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

// reviewerOptions are the options every review runs with, `hew review`'s and `hew mcp serve`'s:
// the review model (reviewClient), its window lowered to what the server runs it with.
func reviewerOptions(ctx context.Context, cfg config.Config, getenv func(string) string) (codereview.Options, error) {
	rc, err := reviewClient(ctx, cfg, getenv)
	if err != nil {
		return codereview.Options{}, err
	}
	m := rc.Model
	if w := provider.ServedWindow(ctx, rc.Provider, m.ID); w > 0 && w < m.ContextWindow {
		m.ContextWindow = w // the server runs the model with less context than it has
	}
	return codereview.Options{Provider: rc.Provider, Model: m.ID, MaxOutputTokens: cfg.MaxOutputTokens,
		ReasoningEffort: cfg.ReasoningEffort, Cost: m.Cost, Window: int64(m.ContextWindow)}, nil
}

// doctorRoles lists the model roles and the fallback chain for `hew doctor` through say, and
// reports each problem through bad: a reference that does not parse, a fallback that cannot
// use tools, an OpenAI model without OPENAI_API_KEY or a base URL. cat is the catalogue the
// doctor's model section merged with the configuration's models.
func doctorRoles(cfg config.Config, cat *catalog.Catalog, say, bad func(string, ...any)) {
	openai := cfg.Provider == "openai"
	show := func(label, ref string, agent bool) {
		r, err := provider.ParseRef(cfg, ref)
		if err != nil {
			bad("%s: %v", label, err)
			return
		}
		openai = openai || r.Provider == "openai"
		m, known := cat.Lookup(r.Provider, r.ID)
		note := ""
		if !known {
			note = " (not in the catalogue: no prices known)"
		}
		say("  %-13s %s%s", label+":", r, note)
		if agent && known {
			if err := provider.CheckAgent(m); err != nil {
				bad("%s: %v", label, err)
			}
		}
	}
	for _, role := range []struct{ label, ref string }{{"small model", cfg.SmallModel}, {"review model", cfg.ReviewModel}} {
		if role.ref != "" {
			show(role.label, role.ref, false)
		}
	}
	for i, ref := range cfg.Fallback {
		show(fmt.Sprintf("fallback %d", i+1), ref, true)
	}
	if cfg.SecondOpinion {
		say("  second opinion before hew exec accepts; blocks at %s", firstNonEmpty(cfg.ReviewBlocks, "high"))
	}
	if openai && cfg.Provider != "openai" && cfg.OpenAIKey == "" && cfg.OpenAI.BaseURL == "" {
		bad("a role or fallback uses OpenAI, and OPENAI_API_KEY is not set")
	}
}
