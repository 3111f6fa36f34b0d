package openai

import (
	"context"
	"testing"

	"hew/agent/llm/llmtest"
)

func contexts(t *testing.T, srv *llmtest.OpenAIServer) map[string]int {
	t.Helper()
	models, err := newTestProvider(t, srv, APIChat).ListModels(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]int{}
	for _, m := range models {
		got[m.ID] = m.ContextWindow
	}
	return got
}

func TestListModelsReportsTheServersContextLength(t *testing.T) {
	t.Run("vLLM and llama.cpp in /v1/models", func(t *testing.T) {
		srv := llmtest.NewOpenAIServer(t)
		srv.SetModels(map[string]any{"id": "Qwen/Qwen3-Coder-30B-A3B-Instruct", "max_model_len": 65536},
			map[string]any{"id": "gemma.gguf", "meta": map[string]any{"n_ctx_train": 8192, "n_vocab": 262144}})
		got := contexts(t, srv)
		if got["Qwen/Qwen3-Coder-30B-A3B-Instruct"] != 65536 || got["gemma.gguf"] != 8192 {
			t.Errorf("contexts = %v", got)
		}
	})
	t.Run("Ollama /api/show", func(t *testing.T) {
		srv := llmtest.NewOpenAIServer(t)
		srv.SetModels(map[string]any{"id": "qwen3:8b", "owned_by": "library"})
		srv.Handle("POST", "/api/show", `{"details":{"family":"qwen3"},"model_info":{"general.architecture":"qwen3","qwen3.context_length":40960}}`)
		if got := contexts(t, srv); got["qwen3:8b"] != 40960 {
			t.Errorf("contexts = %v", got)
		}
	})
	t.Run("LM Studio /api/v0/models", func(t *testing.T) {
		srv := llmtest.NewOpenAIServer(t)
		srv.SetModels(map[string]any{"id": "qwen2.5-coder-14b-instruct"})
		srv.Handle("GET", "/api/v0/models", `{"object":"list","data":[{"id":"qwen2.5-coder-14b-instruct","type":"llm","state":"loaded","max_context_length":131072,"loaded_context_length":16384}]}`)
		if got := contexts(t, srv); got["qwen2.5-coder-14b-instruct"] != 16384 {
			t.Errorf("contexts = %v, want the loaded context", got)
		}
	})
	t.Run("no report", func(t *testing.T) {
		srv := llmtest.NewOpenAIServer(t)
		srv.SetModels(map[string]any{"id": "mystery"})
		if got := contexts(t, srv); got["mystery"] != 0 {
			t.Errorf("contexts = %v, want unknown", got)
		}
	})
}
