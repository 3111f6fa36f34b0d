package provider

import (
	"context"
	"time"

	"hew/agent/config"
	"hew/agent/llm"
	"hew/agent/llm/bedrock"
	"hew/agent/llm/catalog"
	"hew/agent/llm/openai"
)

// Listing is a model the user's credentials can use now, with what the catalogue knows of it.
type Listing struct {
	llm.ModelInfo
	// Model is the catalogue entry (of the model itself, or of an inference profile's base
	// model, under the listed id), or Unknown's description with the context the server
	// reported.
	Model catalog.Model
	Known bool
}

// lister is a provider that can list the models its server offers.
type lister interface {
	ListModels(ctx context.Context) ([]llm.ModelInfo, error)
}

// Available lists the models the configured provider's server offers to these credentials:
// OpenAI and compatible servers through GET /models (with the context length vLLM, Ollama, LM
// Studio and llama.cpp report), Bedrock through its model and inference profile lists and its
// OpenAI-compatible endpoint.
func Available(ctx context.Context, cfg config.Config, getenv func(string) string) ([]Listing, error) {
	cat, err := catalog.Default().Merge(cfg.Models)
	if err != nil {
		return nil, err
	}
	p, err := New(ctx, cfg, Unknown(cfg.Provider, cfg.ModelOrDefault()), getenv)
	if err != nil {
		return nil, err
	}
	l, ok := p.(lister)
	if !ok {
		return nil, nil
	}
	infos, err := l.ListModels(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]Listing, 0, len(infos))
	for _, info := range infos {
		out = append(out, describe(cat, cfg.Provider, info))
	}
	return out, nil
}

// describe joins a listed model with its catalogue entry, or its base model's.
func describe(cat *catalog.Catalog, providerName string, info llm.ModelInfo) Listing {
	for _, id := range []string{info.ID, info.BaseModel} {
		if id == "" {
			continue
		}
		if m, ok := cat.Lookup(providerName, id); ok {
			m.ID = info.ID
			if info.ContextWindow > 0 && m.ContextWindow == 0 {
				m.ContextWindow = info.ContextWindow
			}
			return Listing{ModelInfo: info, Model: m, Known: true}
		}
	}
	m := Unknown(providerName, info.ID)
	if info.ContextWindow > 0 {
		m.ContextWindow = info.ContextWindow
	}
	return Listing{ModelInfo: info, Model: m}
}

// Refine completes the description of a model the catalogue does not know under its own id,
// asking provider p: a Bedrock application inference profile inherits its base model's entry,
// and a model an OpenAI-compatible server lists gets the context length the server reports.
// Without an answer within a few seconds, m stays as it was (DefaultContextWindow).
func Refine(ctx context.Context, cfg config.Config, p llm.Provider, m catalog.Model) catalog.Model {
	cat, err := catalog.Default().Merge(cfg.Models)
	if err != nil {
		return m
	}
	if _, known := cat.Lookup(cfg.Provider, m.ID); known {
		return m
	}
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	switch p := p.(type) {
	case *bedrock.Provider:
		if r, ok := p.Resolve(ctx, m.ID); ok {
			return r
		}
	case *openai.Provider:
		if w := ServedWindow(ctx, p, m.ID); w > 0 {
			m.ContextWindow = w
		}
	}
	return m
}
