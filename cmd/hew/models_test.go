package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
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
