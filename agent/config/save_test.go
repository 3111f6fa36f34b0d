package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func readFile(t *testing.T, p string) string {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestSaveUserCreatesAPrivateFileThatLoads(t *testing.T) {
	home := t.TempDir()
	getenv := env(map[string]string{"HOME": home})
	path, err := SaveUser(getenv, []Value{{"provider", "openai"}, {"openai.api_key", "sk-saved-0123456789"}, {"openai.base_url", ""}})
	if err != nil {
		t.Fatal(err)
	}
	if want := filepath.Join(home, ".config", "hew", "config.toml"); path != want {
		t.Errorf("saved to %s, want %s", path, want)
	}
	for p, mode := range map[string]os.FileMode{path: 0o600, filepath.Dir(path): 0o700} {
		if st, err := os.Stat(p); err != nil || st.Mode().Perm() != mode {
			t.Errorf("%s: mode %v (%v), want %04o", p, st.Mode().Perm(), err, mode)
		}
	}
	c, err := Load("", getenv)
	if err != nil {
		t.Fatal(err)
	}
	if c.OpenAIKey != "sk-saved-0123456789" || c.OpenAIKeyFrom != path || c.OpenAI.BaseURL != "" {
		t.Errorf("loaded key %q from %q, base URL %q", c.OpenAIKey, c.OpenAIKeyFrom, c.OpenAI.BaseURL)
	}
	// The environment wins over the file, and openai.api_key_env over OPENAI_API_KEY.
	c, _ = Load("", env(map[string]string{"HOME": home, "OPENAI_API_KEY": "sk-from-env-0000"}))
	if c.OpenAIKey != "sk-from-env-0000" || c.OpenAIKeyFrom != "OPENAI_API_KEY" {
		t.Errorf("with OPENAI_API_KEY: key %q from %q", c.OpenAIKey, c.OpenAIKeyFrom)
	}
	if _, err := SaveUser(getenv, []Value{{"openai.api_key_env", "TOGETHER_KEY"}}); err != nil {
		t.Fatal(err)
	}
	c, _ = Load("", env(map[string]string{"HOME": home, "OPENAI_API_KEY": "sk-from-env-0000", "TOGETHER_KEY": "tk-123456789"}))
	if c.OpenAIKey != "tk-123456789" || c.OpenAIKeyFrom != "TOGETHER_KEY" {
		t.Errorf("with openai.api_key_env: key %q from %q", c.OpenAIKey, c.OpenAIKeyFrom)
	}
}

func TestSaveUserKeepsTheRestOfTheFile(t *testing.T) {
	home := t.TempDir()
	getenv := env(map[string]string{"XDG_CONFIG_HOME": home})
	path := filepath.Join(home, "hew", "config.toml")
	write(t, path, `# my settings
model = "gpt-5.1"   # the one I like
test_cmd = "make test"

[openai]
# a local server
base_url = "http://old:8080/v1"
api = "chat"

[sandbox]
network = false

[[models]]
provider = "openai"
id = "region"
context = 1000
`)
	_, err := SaveUser(getenv, []Value{{"provider", "bedrock"}, {"model", ""}, {"openai.base_url", ""},
		{"bedrock.region", "eu-west-1"}, {"bedrock.profile", "dev"}, {"sandbox.backend", "bwrap"}})
	if err != nil {
		t.Fatal(err)
	}
	got := readFile(t, path)
	want := `# my settings
test_cmd = "make test"
provider = "bedrock"

[openai]
# a local server
api = "chat"

[sandbox]
network = false
backend = "bwrap"

[[models]]
provider = "openai"
id = "region"
context = 1000

[bedrock]
region = "eu-west-1"
profile = "dev"
`
	if got != want {
		t.Errorf("saved file:\n%s\nwant:\n%s", got, want)
	}
	c, err := Load("", getenv)
	if err != nil || c.Provider != "bedrock" || c.Bedrock.Region != "eu-west-1" || len(c.Models) != 1 {
		t.Errorf("load after save: %+v, %v", c, err)
	}
}

func TestSaveUserLeavesABrokenFileAlone(t *testing.T) {
	home := t.TempDir()
	getenv := env(map[string]string{"XDG_CONFIG_HOME": home})
	path := filepath.Join(home, "hew", "config.toml")
	broken := "provider = \"openai\"\nmodle = \"typo\"\n"
	write(t, path, broken)
	if _, err := SaveUser(getenv, []Value{{"provider", "bedrock"}}); err == nil || !strings.Contains(err.Error(), "modle") {
		t.Errorf("saving over a file with an unknown key: %v, want an error naming it", err)
	}
	if got := readFile(t, path); got != broken {
		t.Errorf("the file changed:\n%s", got)
	}
}

func TestSaveUserFollowsALinkAndNeverWritesAKeyIntoARepository(t *testing.T) {
	home, dotfiles := t.TempDir(), t.TempDir()
	getenv := env(map[string]string{"XDG_CONFIG_HOME": home})
	target := filepath.Join(dotfiles, "hew.toml")
	write(t, target, "model = \"gpt-5.1\"\n")
	os.MkdirAll(filepath.Join(home, "hew"), 0o700)
	if err := os.Symlink(target, filepath.Join(home, "hew", "config.toml")); err != nil {
		t.Fatal(err)
	}
	path, err := SaveUser(getenv, []Value{{"provider", "openai"}})
	if err != nil || path != target {
		t.Fatalf("saved to %s: %v, want the link's target %s", path, err, target)
	}
	if st, err := os.Lstat(filepath.Join(home, "hew", "config.toml")); err != nil || st.Mode()&os.ModeSymlink == 0 {
		t.Errorf("the link was replaced: %v", err)
	}
	if got := readFile(t, target); got != "model = \"gpt-5.1\"\nprovider = \"openai\"\n" {
		t.Errorf("target holds %q", got)
	}

	// The dotfiles directory is a git repository: a key is refused, other settings are not.
	os.Mkdir(filepath.Join(dotfiles, ".git"), 0o755)
	if _, err := SaveUser(getenv, []Value{{"openai.api_key", "sk-never-committed-42"}}); err == nil || !strings.Contains(err.Error(), "git repository") {
		t.Errorf("saving a key into a git work tree: %v, want a refusal", err)
	}
	if strings.Contains(readFile(t, target), "sk-never") {
		t.Error("the key was written into the repository")
	}
}

func TestAKeyOthersCanReadOrInARepositoryIsRefused(t *testing.T) {
	home, repo := t.TempDir(), t.TempDir()
	getenv := env(map[string]string{"XDG_CONFIG_HOME": home})
	path := filepath.Join(home, "hew", "config.toml")
	write(t, path, "[openai]\napi_key = \"sk-readable-0123456\"\n") // mode 0644
	if _, err := Load("", getenv); err == nil || !strings.Contains(err.Error(), "chmod 600") || strings.Contains(err.Error(), "sk-readable") {
		t.Errorf("a key in a file others can read: %v, want a refusal saying chmod 600", err)
	}
	os.Chmod(path, 0o600)
	if c, err := Load("", getenv); err != nil || c.OpenAIKey != "sk-readable-0123456" {
		t.Errorf("a key in a 0600 file: %q, %v", c.OpenAIKey, err)
	}
	write(t, ProjectPath(repo), "[openai]\napi_key = \"sk-committed-0123456\"\n")
	for _, trust := range []bool{false, true} {
		_, err := LoadWith(repo, getenv, LoadOptions{TrustProject: trust})
		if err == nil || !strings.Contains(err.Error(), "never be in a repository") || strings.Contains(err.Error(), "sk-committed") {
			t.Errorf("trusted %v: a key in the repository's config: %v, want a refusal", trust, err)
		}
	}
}
