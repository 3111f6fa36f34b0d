package openai

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/openai/openai-go/v3/packages/respjson"

	"hew/agent/llm"
)

// ListModels returns the models the server offers (GET /models) with the context length it
// reports: vLLM's max_model_len, llama.cpp's meta.n_ctx_train, OpenRouter's context_length,
// Groq's context_window. For a local server that reports none, it asks the way Ollama
// (POST /api/show) and LM Studio (GET /api/v0/models) report it; servers that answer neither
// leave the context unknown (0).
func (p *Provider) ListModels(ctx context.Context) ([]llm.ModelInfo, error) {
	page, err := p.client.Models.List(ctx)
	if err != nil {
		return nil, p.classify(ctx, err, "")
	}
	var out []llm.ModelInfo
	missing := false
	for _, m := range page.Data {
		info := llm.ModelInfo{ID: m.ID, Kind: "model", ContextWindow: reportedContext(m.JSON.ExtraFields)}
		missing = missing || info.ContextWindow == 0
		out = append(out, info)
	}
	if missing && !p.openAI && !p.hosted {
		p.localContexts(ctx, out)
	}
	return out, nil
}

// reportedContext reads the context length a /models entry carries, or 0.
func reportedContext(fields map[string]respjson.Field) int {
	for _, name := range []string{"max_model_len", "context_length", "context_window", "max_context_length"} {
		if f, ok := fields[name]; ok {
			var n int
			if json.Unmarshal([]byte(f.Raw()), &n) == nil && n > 0 {
				return n
			}
		}
	}
	if f, ok := fields["meta"]; ok { // llama.cpp
		var meta struct {
			NCtxTrain int `json:"n_ctx_train"`
		}
		if json.Unmarshal([]byte(f.Raw()), &meta) == nil {
			return meta.NCtxTrain
		}
	}
	return 0
}

// localContexts fills in the context lengths of models whose /models entry had none, from LM
// Studio's or Ollama's own API at the server's root. Failures leave them unknown.
func (p *Provider) localContexts(ctx context.Context, models []llm.ModelInfo) {
	root := strings.TrimSuffix(p.baseURL, "/v1")
	var lmstudio struct {
		Data []struct {
			ID               string `json:"id"`
			MaxContextLen    int    `json:"max_context_length"`
			LoadedContextLen int    `json:"loaded_context_length"`
		} `json:"data"`
	}
	if p.getJSON(ctx, http.MethodGet, root+"/api/v0/models", nil, &lmstudio) == nil {
		for i := range models {
			for _, d := range lmstudio.Data {
				if d.ID == models[i].ID && models[i].ContextWindow == 0 {
					// What the loaded model accepts now, else what it could.
					models[i].ContextWindow = cmp.Or(d.LoadedContextLen, d.MaxContextLen)
				}
			}
		}
	}
	for i := range models {
		if models[i].ContextWindow != 0 {
			continue
		}
		var show struct {
			ModelInfo map[string]json.RawMessage `json:"model_info"`
		}
		body, _ := json.Marshal(map[string]string{"model": models[i].ID})
		if p.getJSON(ctx, http.MethodPost, root+"/api/show", body, &show) != nil {
			return // not Ollama: do not ask for every model
		}
		for k, v := range show.ModelInfo {
			var n int
			if strings.HasSuffix(k, ".context_length") && json.Unmarshal(v, &n) == nil && n > 0 {
				models[i].ContextWindow = n
			}
		}
	}
}

// getJSON sends a request to the server outside the OpenAI API and decodes its JSON reply.
func (p *Provider) getJSON(ctx context.Context, method, url string, body []byte, v any) error {
	req, err := http.NewRequestWithContext(ctx, method, url, bytes.NewReader(body))
	if err != nil {
		return err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if p.apiKey != "" {
		req.Header.Set("Authorization", "Bearer "+p.apiKey)
	}
	res, err := p.httpClient.Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return fmt.Errorf("%s %s: %s", method, url, res.Status)
	}
	return json.NewDecoder(io.LimitReader(res.Body, 8<<20)).Decode(v)
}
