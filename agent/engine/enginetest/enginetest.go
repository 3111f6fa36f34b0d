// Package enginetest starts engine sessions for tests: against a local fake OpenAI server, with
// the session state in a temporary directory and commands given only PATH.
package enginetest

import (
	"os"
	"testing"

	"hew/agent/config"
	"hew/agent/engine"
	"hew/agent/llm/llmtest"
)

// Options returns engine options for a session in dir whose model is served by srv.
func Options(t testing.TB, dir string, srv *llmtest.OpenAIServer) engine.Options {
	t.Helper()
	state := t.TempDir()
	cfg := config.Defaults()
	cfg.Model = "gpt-5-mini"
	cfg.OpenAIKey = "sk-test"
	cfg.OpenAI.BaseURL = srv.URL()
	getenv := func(k string) string {
		if k == "XDG_STATE_HOME" {
			return state
		}
		return ""
	}
	return engine.Options{Config: cfg, Dir: dir, Getenv: getenv, Env: []string{"PATH=" + os.Getenv("PATH")}}
}
