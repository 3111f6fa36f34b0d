package main

import (
	"context"
	"errors"
	"os"
	"slices"
	"strings"
	"testing"

	"hew/agent/llm/llmtest"
	"hew/tui/firstrun"
)

// TestFirstRunChecksAndSavesBedrock checks a Bedrock choice as the first-run screen does —
// the credentials resolved, the control plane asked for its models (a fake one) — and saves it,
// after which the configuration loads with the choice and the old provider's model is gone.
func TestFirstRunChecksAndSavesBedrock(t *testing.T) {
	srv := llmtest.NewBedrockServer(t)
	srv.SetControlPlane([]llmtest.BedrockFoundationModel{{ID: "amazon.nova-pro-v1:0"}}, nil)
	mantle := llmtest.NewOpenAIServer(t)
	env := awsEnv(t, map[string]string{"AWS_ENDPOINT_URL_BEDROCK_RUNTIME": srv.URL, "AWS_ENDPOINT_URL_BEDROCK": srv.URL,
		"AWS_ENDPOINT_URL_BEDROCK_MANTLE": mantle.Root(), "AWS_REGION": "", "OPENAI_API_KEY": "", "OPENAI_BASE_URL": "",
		"AWS_ACCESS_KEY_ID": "AKIAFAKEFAKEFAKE", "AWS_SECRET_ACCESS_KEY": "secret-DO-NOT-SAVE"})
	ios, _, _ := testIO(t, goRepo(t), env)
	os.MkdirAll(ios.Getenv("XDG_CONFIG_HOME")+"/hew", 0o700)
	path := ios.Getenv("XDG_CONFIG_HOME") + "/hew/config.toml"
	os.WriteFile(path, []byte("# mine\nmodel = \"gpt-5.1\"\n"), 0o600)
	cfg, err := loadConfig(ios, sessionFlags{})
	if err != nil {
		t.Fatal(err)
	}
	o := firstRunOptions(ios, cfg, errors.New("no API key"))
	if o.Prefill.Kind != firstrun.OpenAI || !strings.HasSuffix(o.ConfigPath, "/config/hew/config.toml") {
		t.Errorf("prefill %+v, path %s", o.Prefill, o.ConfigPath)
	}
	if m := o.DefaultModel(firstrun.Bedrock); m != "us.anthropic.claude-sonnet-4-5-20250929-v1:0" {
		t.Errorf("Bedrock's default model %q, want Bedrock's, not the OpenAI model of the file", m)
	}
	choice := firstrun.Choice{Kind: firstrun.Bedrock, Region: "us-east-1"}
	r := o.Check(context.Background(), choice)
	if len(r.Problems) > 0 || !slices.Contains(r.Models, "amazon.nova-pro-v1:0") {
		t.Fatalf("check: %+v", r)
	}
	if !slices.ContainsFunc(r.Lines, func(l string) bool { return strings.Contains(l, "environment (AWS_ACCESS_KEY_ID)") }) {
		t.Errorf("the check does not say where the credentials come from: %q", r.Lines)
	}
	if _, err := o.Save(choice); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(path)
	if want := "# mine\nprovider = \"bedrock\"\n\n[bedrock]\nregion = \"us-east-1\"\n"; string(b) != want {
		t.Errorf("saved:\n%s\nwant:\n%s", b, want)
	}
	if cfg, err := loadConfig(ios, sessionFlags{}); err != nil || cfg.Provider != "bedrock" || cfg.Bedrock.Region != "us-east-1" {
		t.Errorf("after saving: %s %s %v", cfg.Provider, cfg.Bedrock.Region, err)
	}

	// A key typed as $NAME must name a variable that is set.
	if r := o.Check(context.Background(), firstrun.Choice{Kind: firstrun.OpenAI, KeyEnv: "NO_SUCH_KEY"}); len(r.Problems) != 1 || !strings.Contains(r.Problems[0], "$NO_SUCH_KEY is not set") {
		t.Errorf("an unset $NAME: %+v", r)
	}
}
