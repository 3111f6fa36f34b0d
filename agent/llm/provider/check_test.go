package provider

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"hew/agent/config"
	"hew/agent/llm/llmtest"
)

func TestCheckAsksTheServerOnlyWhenLive(t *testing.T) {
	srv := llmtest.NewOpenAIServer(t)
	srv.SetModels(map[string]any{"id": "qwen3-coder", "max_model_len": 32768})
	cfg := config.Defaults()
	cfg.OpenAI.BaseURL = srv.URL()
	cfg.OpenAIKey, cfg.OpenAIKeyFrom = "sk-check-0123456789", "/home/u/.config/hew/config.toml"
	getenv := func(string) string { return "" }

	r := Check(context.Background(), cfg, getenv, false)
	if !r.OK() || r.Asked || len(r.Models) != 0 {
		t.Errorf("offline: %+v", r)
	}
	if want := "API key:  from /home/u/.config/hew/config.toml (openai.api_key) (19 characters)"; !slices.Contains(r.Lines, want) {
		t.Errorf("lines %q lack %q", r.Lines, want)
	}
	r = Check(context.Background(), cfg, getenv, true)
	if !r.OK() || !r.Asked || !slices.Equal(r.Models, []string{"qwen3-coder"}) || !slices.Contains(r.Lines, "server:   answered; it lists 1 model") {
		t.Errorf("live: %+v", r)
	}
	for _, l := range append(r.Lines, r.Problems...) {
		if strings.Contains(l, cfg.OpenAIKey) {
			t.Errorf("the report holds the key: %q", l)
		}
	}

	cfg = config.Defaults() // api.openai.com without a key: a problem, and no request
	r = Check(context.Background(), cfg, getenv, true)
	if r.OK() || r.Asked || !strings.Contains(r.Problems[0], "OPENAI_API_KEY is not set") {
		t.Errorf("no key: %+v", r)
	}
}

// TestCheckAcceptsCredentialsThatMayNotListModels checks that a server refusing the model list
// with 403 (signed in, not allowed to list) is no problem: inference may still be allowed.
func TestCheckAcceptsCredentialsThatMayNotListModels(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusForbidden)
		io.WriteString(w, `{"error":{"message":"You have insufficient permissions for this operation. Missing scopes: api.model.read.","type":"invalid_request_error"}}`)
	}))
	defer srv.Close()
	cfg := config.Defaults()
	cfg.OpenAI.BaseURL, cfg.OpenAIKey = srv.URL+"/v1", "sk-restricted-0123456789"
	r := Check(context.Background(), cfg, func(string) string { return "" }, true)
	if !r.OK() || !slices.ContainsFunc(r.Lines, func(l string) bool { return strings.Contains(l, "does not let them list models") }) {
		t.Errorf("a 403 on the model list: %+v", r)
	}
}
