package provider

import (
	"context"
	"time"

	"hew/agent/llm"
	"hew/agent/llm/openai"
)

// ServedWindow returns the context window an OpenAI-compatible server reports for model id in
// its model list (vLLM's max_model_len and the like), or 0 when it reports none, is not such a
// server, or does not answer within a few seconds. A server may serve a model with less context
// than the model has; whoever sizes requests takes the smaller of the two.
func ServedWindow(ctx context.Context, p llm.Provider, id string) int {
	o, ok := p.(*openai.Provider)
	if !ok {
		return 0
	}
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	infos, err := o.ListModels(ctx)
	if err != nil {
		return 0
	}
	for _, info := range infos {
		if info.ID == id {
			return info.ContextWindow
		}
	}
	return 0
}
