package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"hew/agent/llm/llmtest"
	"hew/gitops/gittest"
)

// TestFirstRunSetsUpAServerAndRunsATurn drives the built binary in tmux with a home that holds
// no credentials: the first-run screen opens, the user chooses an OpenAI-compatible server
// (the fake one), the check lists its models, the user picks one, the choice is saved to the
// user config, and the UI runs a turn with it. A headless run then uses the saved choice.
func TestFirstRunSetsUpAServerAndRunsATurn(t *testing.T) {
	t.Parallel()
	dir := gittest.NewRepo(t, map[string]string{"a.txt": "hello\n"})
	srv := llmtest.NewOpenAIServer(t, llmtest.Turn{Text: "Hello from the server you set up."}, llmtest.Turn{Text: "Headless too."})
	srv.SetModels(map[string]any{"id": "qwen3-coder", "max_model_len": 32768}, map[string]any{"id": "llama3"})
	home := t.TempDir()
	env := binaryEnv(t, home, "TERM=xterm-256color")
	s := startTmux(t, dir, env, 80, 24)

	s.waitFor("set up a model provider", "no API key for https://api.openai.com/v1", "› OpenAI", "Amazon Bedrock")
	s.keys("Down", "Enter")
	s.waitFor("OpenAI-compatible server:", "Base URL")
	s.keys("-l", srv.URL())
	s.keys("Enter", "Enter") // no key: the server needs none
	scr := s.waitFor("✓ it works", "it lists 2 models", "The server does not list gpt-5.1-codex", "› llama3")
	if !strings.Contains(scr, "endpoint: "+srv.URL()) {
		t.Errorf("the check does not say which server it asked:\n%s", scr)
	}
	s.keys("Down", "Enter")
	s.waitFor("saved the provider to ~/config/hew/config.toml", "openai/qwen3-coder", "Ask for a change")

	path := filepath.Join(home, "config", "hew", "config.toml")
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	want := "provider = \"openai\"\nmodel = \"qwen3-coder\"\n\n[openai]\nbase_url = \"" + srv.URL() + "\"\n"
	if string(b) != want {
		t.Errorf("saved config:\n%s\nwant:\n%s", b, want)
	}
	if st, _ := os.Stat(path); st.Mode().Perm() != 0o600 {
		t.Errorf("config mode %04o, want 0600", st.Mode().Perm())
	}

	s.keys("-l", "say hello")
	s.keys("Enter")
	s.waitFor("Hello from the server you set up.")
	if reqs := srv.Requests(); len(reqs) != 1 || reqs[0].JSON["model"] != "qwen3-coder" {
		t.Errorf("the turn asked for model %v, want qwen3-coder", reqs[0].JSON["model"])
	}
	s.keys("C-c", "C-c")

	// The saved configuration serves headless runs too.
	cmd := exec.Command(hewBinary(t), "exec", "--accept", "never", "say hello again")
	cmd.Dir, cmd.Env = dir, env
	if out, err := cmd.CombinedOutput(); err != nil || !strings.Contains(string(out), "Headless too.") {
		t.Errorf("hew exec after the first run: %v\n%s", err, out)
	}
}

// TestHeadlessWithoutCredentialsFailsFast checks that the commands without a screen never
// open the first-run screen: they say what is missing and how to set it up, and exit 2.
func TestHeadlessWithoutCredentialsFailsFast(t *testing.T) {
	dir := goRepo(t)
	for _, args := range [][]string{{"exec", "fix it"}, {"review", "--uncommitted"}} {
		_, stderr, code, _ := runHewEnv(t, dir, map[string]string{"OPENAI_API_KEY": "", "OPENAI_BASE_URL": ""}, "", args...)
		if code != exitUsage || !strings.Contains(stderr, "no API key") || !strings.Contains(stderr, "OPENAI_API_KEY") ||
			!strings.Contains(stderr, "run hew in a terminal to set up a provider") {
			t.Errorf("hew %s without credentials: exit %d, stderr %q; want exit 2 saying what to set", strings.Join(args, " "), code, stderr)
		}
	}
}
