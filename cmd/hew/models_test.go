package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"hew/agent/llm/llmtest"
)

func runModelsCmd(t *testing.T, env map[string]string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	ios, out, errOut := testIO(t, t.TempDir(), env)
	code = Main(append([]string{"models"}, args...), ios)
	return out.String(), errOut.String(), code
}

// row finds the table row of a model id and splits it into columns.
func row(t *testing.T, table, id string) []string {
	t.Helper()
	for _, line := range strings.Split(table, "\n") {
		if f := strings.Fields(line); len(f) > 1 && f[1] == id {
			return f
		}
	}
	t.Fatalf("no row for %s in:\n%s", id, table)
	return nil
}

func TestModelsListsTheCatalogue(t *testing.T) {
	env := map[string]string{"XDG_CONFIG_HOME": t.TempDir()}
	out, errOut, code := runModelsCmd(t, env)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if !strings.HasPrefix(out, "PROVIDER") {
		t.Errorf("no header line:\n%s", out)
	}
	want := []string{"bedrock", "anthropic.claude-sonnet-4-5-20250929-v1:0", "200K", "3.00", "0.30", "15.00", "-", "yes", "yes", "edit_file", "us,eu,apac,global"}
	if got := row(t, out, "anthropic.claude-sonnet-4-5-20250929-v1:0"); strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("Claude row = %q, want %q", got, want)
	}
	gpt := row(t, out, "gpt-4.1")
	if gpt[0] != "openai" || gpt[2] != "1.05M" || gpt[9] != "apply_patch" {
		t.Errorf("gpt-4.1 row = %q", gpt)
	}
	if nova := row(t, out, "amazon.nova-micro-v1:0"); nova[3] != "0.035" || nova[4] != "0.00875" {
		t.Errorf("Nova Micro prices = %q, want 0.035 and 0.00875 kept exact", nova[3:5])
	}
	if sol := row(t, out, "gpt-5.6-sol"); sol[3] != "5.00" || sol[6] != "2026-07-30" {
		t.Errorf("GPT-5.6 Sol row = %q, want its price with the date it was read", sol)
	}
	if sol := row(t, out, "openai.gpt-5.6-sol"); sol[3] != "unknown" || sol[5] != "unknown" {
		t.Errorf("Bedrock GPT-5.6 Sol row = %q, want its price unknown rather than invented", sol)
	}
}

func TestModelsFiltersByProviderAndAppliesConfig(t *testing.T) {
	xdg := t.TempDir()
	cfg := "[[models]]\nprovider = \"bedrock\"\nid = \"amazon.nova-pro-v1:0\"\ninput = 0.5\n\n[[models]]\nprovider = \"bedrock\"\nid = \"my.custom-model-v1:0\"\ncontext = 64000\n"
	if err := os.MkdirAll(filepath.Join(xdg, "hew"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(xdg, "hew", "config.toml"), []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	out, errOut, code := runModelsCmd(t, map[string]string{"XDG_CONFIG_HOME": xdg}, "--provider", "bedrock")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if strings.Contains(out, "\nopenai ") {
		t.Errorf("--provider bedrock listed OpenAI models:\n%s", out)
	}
	if nova := row(t, out, "amazon.nova-pro-v1:0"); nova[3] != "0.50" {
		t.Errorf("Nova Pro input price = %s, want the configured 0.50", nova[3])
	}
	if custom := row(t, out, "my.custom-model-v1:0"); custom[2] != "64K" {
		t.Errorf("custom model row = %q", custom)
	}
}

func TestModelsRejectsBadInput(t *testing.T) {
	env := map[string]string{"XDG_CONFIG_HOME": t.TempDir()}
	_, errOut, code := runModelsCmd(t, env, "--provider", "azure")
	if code != exitUsage || !strings.Contains(errOut, `unknown provider "azure"`) {
		t.Errorf("exit %d, stderr %q; want a usage error naming the provider", code, errOut)
	}
	xdg := t.TempDir()
	os.MkdirAll(filepath.Join(xdg, "hew"), 0o755)
	os.WriteFile(filepath.Join(xdg, "hew", "config.toml"), []byte("[[models]]\nprovider = \"openai\"\nid = \"new\"\n"), 0o644)
	_, errOut, code = runModelsCmd(t, map[string]string{"XDG_CONFIG_HOME": xdg})
	if code != exitUsage || !strings.Contains(errOut, "needs context") {
		t.Errorf("exit %d, stderr %q; want a usage error about the incomplete model", code, errOut)
	}
}

func TestModelsAvailableAsksTheServer(t *testing.T) {
	t.Run("openai-compatible", func(t *testing.T) {
		srv := llmtest.NewOpenAIServer(t)
		srv.SetModels(map[string]any{"id": "qwen3:8b"}, map[string]any{"id": "gpt-4.1"})
		srv.Handle("POST", "/api/show", `{"model_info":{"qwen3.context_length":40960}}`)
		env := fakeServerEnv(srv.URL())
		env["XDG_CONFIG_HOME"] = t.TempDir()
		out, errOut, code := runModelsCmd(t, env, "--available")
		if code != 0 {
			t.Fatalf("exit %d: %s", code, errOut)
		}
		qwen := availableRow(t, out, "qwen3:8b")
		if qwen[2] != "40K" || qwen[3] != "unknown" || qwen[6] != "-" {
			t.Errorf("qwen3 row = %q, want Ollama's context, unknown price, not in the catalogue", qwen)
		}
		if gpt := availableRow(t, out, "gpt-4.1"); gpt[2] != "1.05M" || gpt[3] != "2.00" || gpt[6] != "yes" {
			t.Errorf("gpt-4.1 row = %q, want the catalogue's data", gpt)
		}
	})
	t.Run("bedrock", func(t *testing.T) {
		srv := llmtest.NewBedrockServer(t)
		const arn = "arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/team-a"
		srv.SetControlPlane([]llmtest.BedrockFoundationModel{{ID: "amazon.nova-pro-v1:0"}},
			[]llmtest.BedrockProfile{{ID: "team-a", ARN: arn, Type: "APPLICATION", BaseModel: "anthropic.claude-sonnet-4-5-20250929-v1:0"}})
		mantle := llmtest.NewOpenAIServer(t)
		mantle.SetModels(map[string]any{"id": "openai.gpt-5.6-luna"})
		env := awsEnv(t, map[string]string{"AWS_ENDPOINT_URL_BEDROCK_RUNTIME": srv.URL, "AWS_ENDPOINT_URL_BEDROCK": srv.URL,
			"AWS_ENDPOINT_URL_BEDROCK_MANTLE": mantle.Root(), "AWS_REGION": "us-east-1",
			"AWS_ACCESS_KEY_ID": "AKIAFAKEFAKEFAKE", "AWS_SECRET_ACCESS_KEY": "secret", "XDG_CONFIG_HOME": t.TempDir()})
		out, errOut, code := runModelsCmd(t, env, "--available", "--provider", "bedrock")
		if code != 0 {
			t.Fatalf("exit %d: %s", code, errOut)
		}
		if app := availableRow(t, out, arn); app[1] != "application" || app[3] != "200K" || app[4] != "3.00" || app[7] != "yes" {
			t.Errorf("application profile row = %q, want Claude Sonnet 4.5's data", app)
		}
		if nova := availableRow(t, out, "amazon.nova-pro-v1:0"); nova[3] != "300K" {
			t.Errorf("nova row = %q", nova)
		}
		if luna := availableRow(t, out, "openai.gpt-5.6-luna"); luna[len(luna)-2] != "yes" {
			t.Errorf("luna row = %q, want it known", luna)
		}
	})
}

// availableRow finds the `models --available` row of id and splits it into columns.
func availableRow(t *testing.T, table, id string) []string {
	t.Helper()
	for _, line := range strings.Split(table, "\n") {
		if f := strings.Fields(line); len(f) > 0 && f[0] == id {
			return f
		}
	}
	t.Fatalf("no row for %s in:\n%s", id, table)
	return nil
}
