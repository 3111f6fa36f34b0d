package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func env(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func write(t *testing.T, p, s string) {
	t.Helper()
	os.MkdirAll(filepath.Dir(p), 0o755)
	if err := os.WriteFile(p, []byte(s), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestLayering(t *testing.T) {
	home, repo := t.TempDir(), t.TempDir()
	write(t, filepath.Join(home, "hew", "config.toml"), "provider = \"bedrock\"\nmodel = \"user-model\"\n[bedrock]\nregion = \"eu-west-1\"\n[limits]\ntimeout = \"90s\"\n")
	write(t, filepath.Join(repo, ".hew", "config.toml"), "model = \"repo-model\"\ntest_cmd = \"make test\"\n")
	c, err := LoadWith(repo, env(map[string]string{"XDG_CONFIG_HOME": home, "AWS_REGION": "us-west-2", "OPENAI_API_KEY": "sk-123456789"}), LoadOptions{TrustProject: true})
	if err != nil {
		t.Fatal(err)
	}
	if c.Provider != "bedrock" || c.Model != "repo-model" || c.TestCmd != "make test" {
		t.Errorf("files not layered: %+v", c)
	}
	if c.Bedrock.Region != "us-west-2" {
		t.Errorf("environment does not win over files: %s", c.Bedrock.Region)
	}
	if c.Limits.Timeout.Duration != 90*time.Second || len(c.Files) != 2 {
		t.Errorf("timeout %v files %v", c.Limits.Timeout, c.Files)
	}
	if s := c.Secrets(); len(s) != 1 || s[0] != "sk-123456789" {
		t.Errorf("secrets %v", s)
	}
}

func TestErrorsNameTheProblem(t *testing.T) {
	for content, want := range map[string]string{
		"modle = \"x\"\n":                   `unknown key "modle"`,
		"[sandbox]\nnetwrok = true\n":       `unknown key "sandbox.netwrok"`,
		"provider = \"azure\"\n":            `provider = "azure" is not one of openai, bedrock`,
		"[limits]\ntimeout = \"soon\"\n":    "not a duration",
		"model = \n":                        "config",
		"[sandbox]\npolicy = \"yolo\"\n":    "sandbox.policy",
		"[bedrock]\nguardrail = \"gr-1\"\n": `bedrock.guardrail = "gr-1" is not ID:VERSION`,
	} {
		repo := t.TempDir()
		write(t, filepath.Join(repo, ".hew", "config.toml"), content)
		_, err := Load(repo, env(nil))
		if err == nil || !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), ".hew/config.toml") && want != "not a duration" {
			t.Errorf("%q: err = %v, want %q with the file name", content, err, want)
		}
	}
}

func TestNetworkSettings(t *testing.T) {
	repo := t.TempDir()
	write(t, filepath.Join(repo, ".hew", "config.toml"), "[network]\nstream_idle_timeout = \"2m\"\nconnect_timeout = \"5s\"\n")
	c, err := Load(repo, env(map[string]string{"HEW_MAX_RETRY_WAIT": "90s", "HEW_MAX_RETRIES": "0"}))
	if err != nil {
		t.Fatal(err)
	}
	n := c.Network
	if n.StreamIdle.Duration != 2*time.Minute || n.Connect.Duration != 5*time.Second || n.MaxRetryWait.Duration != 90*time.Second || n.RetriesOption() != -1 {
		t.Errorf("network settings: %+v (retries option %d)", n, n.RetriesOption())
	}
	if (Network{}).RetriesOption() != 0 {
		t.Error("unset max_retries must mean the default")
	}
	for k, v := range map[string]string{"HEW_STREAM_IDLE_TIMEOUT": "soon", "HEW_MAX_RETRIES": "-1"} {
		if _, err := Load("", env(map[string]string{k: v})); err == nil || !strings.Contains(err.Error(), k) {
			t.Errorf("%s=%s: err = %v, want it named", k, v, err)
		}
	}
}

func TestReadPathsExpandHome(t *testing.T) {
	getenv := env(map[string]string{"HOME": "/home/u"})
	got := ExpandHome([]string{"~/.nvm", "~", "/opt/tool", "~other/x"}, getenv)
	want := []string{"/home/u/.nvm", "/home/u", "/opt/tool", "~other/x"}
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("ExpandHome = %q, want %q", got, want)
	}
}
