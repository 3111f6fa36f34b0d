// Package config loads hew's settings: the user's config file, then the repository's
// .hew/config.toml, then environment variables; command-line flags are applied by the caller.
// From a repository file the user has not trusted only settings that can neither move
// credentials nor weaken containment apply (see trust.go).
//
// Unknown keys are an error that names the key, so a typo never silently does nothing. Secrets
// (API keys, AWS credentials) come from the environment, with one exception: the OpenAI key the
// first-run screen saves into the user's own config file (openai.api_key, see SaveUser), which
// must then be readable by the user alone. A repository's file can never hold a key.
package config

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/BurntSushi/toml"

	"hew/agent/llm/catalog"
)

// Config is every setting hew reads. The TOML keys are the snake_case field tags.
type Config struct {
	Provider        string `toml:"provider"` // "openai" or "bedrock"
	Model           string `toml:"model"`
	ReasoningEffort string `toml:"reasoning_effort"`
	MaxOutputTokens int    `toml:"max_output_tokens"`
	// EditTool overrides the catalogue's choice: "apply_patch", "edit_file" or "both".
	EditTool string `toml:"edit_tool"`
	TestCmd  string `toml:"test_cmd"`
	Accept   string `toml:"accept"`   // auto, tests or never (hew exec)
	Approval string `toml:"approval"` // untrusted, on-request or never (interactive)

	// The model roles besides the agent's (see README "Working with several models"); each is
	// a model reference: "openai:ID", "bedrock:ID", or an id on the configured provider.
	// SmallModel writes compaction summaries and commit messages; ReviewModel runs `hew
	// review` and the second opinion. Empty means the agent's model.
	SmallModel  string `toml:"small_model"`
	ReviewModel string `toml:"review_model"`
	// Fallback lists the model references a turn continues on, in order, when the model in use
	// stays throttled, overloaded or unreachable after its retries.
	Fallback []string `toml:"fallback"`
	// SecondOpinion has ReviewModel review every proposal before `hew exec` accepts it;
	// findings at or above ReviewBlocks ("high" when empty; "none" never blocks) stop the
	// acceptance.
	SecondOpinion bool   `toml:"second_opinion"`
	ReviewBlocks  string `toml:"review_blocks"`

	OpenAI  OpenAI             `toml:"openai"`
	Bedrock Bedrock            `toml:"bedrock"`
	Sandbox Sandbox            `toml:"sandbox"`
	Commit  Commit             `toml:"commit"`
	Limits  Limits             `toml:"limits"`
	Network Network            `toml:"network"`
	Models  []catalog.Override `toml:"models"`
	// MCPServers are the Model Context Protocol servers whose tools the model is offered, by
	// name (see mcp.go).
	MCPServers map[string]MCPServer `toml:"mcp_servers"`

	// Secrets: OpenAIKey from the environment or the user's config file (see OpenAI.APIKey),
	// BedrockToken from the environment only.
	OpenAIKey    string `toml:"-"`
	BedrockToken string `toml:"-"`
	// OpenAIKeyFrom says where OpenAIKey came from, for people: "OPENAI_API_KEY", the
	// variable openai.api_key_env names, or the user's config file; "" when there is no key.
	OpenAIKeyFrom string `toml:"-"`

	// Files lists the config files that were read, in order.
	Files []string `toml:"-"`
	// Project describes the repository's .hew/config.toml: whether it is trusted, and the
	// settings ignored because it is not.
	Project ProjectFile `toml:"-"`
}

// OpenAI configures the OpenAI provider.
type OpenAI struct {
	BaseURL string `toml:"base_url"`
	API     string `toml:"api"` // "responses" or "chat"; empty picks by base URL
	// APIKey is the API key, from the user's config file only (mode 0600; a repository's
	// file holding one is refused). OPENAI_API_KEY and APIKeyEnv take precedence.
	APIKey string `toml:"api_key"`
	// APIKeyEnv names the environment variable holding the API key, for keys kept under
	// another name (TOGETHER_API_KEY, say); when that variable is set it wins.
	APIKeyEnv string `toml:"api_key_env"`
}

// Bedrock configures the Amazon Bedrock provider.
type Bedrock struct {
	Region  string `toml:"region"`
	Profile string `toml:"profile"`
	// Guardrail applies a Bedrock guardrail to every Converse request, as "ID:VERSION"
	// (VERSION a number or DRAFT); an intervention fails the run naming it.
	Guardrail string `toml:"guardrail"`
	// Latency is "standard" (or "") or "optimized": latency-optimised inference for the
	// models Bedrock offers it for; other models run at standard latency.
	Latency string `toml:"latency"`
}

// Sandbox configures how commands run.
type Sandbox struct {
	Policy   string   `toml:"policy"`  // read-only, workspace-write or full-access
	Backend  string   `toml:"backend"` // auto, bwrap, namespaces, landlock or none
	Network  bool     `toml:"network"`
	AllowEnv []string `toml:"allow_env"` // variables passed to commands besides the allow-list; never ones that look secret
	// ReadPaths are directories under your home that commands may read (a toolchain such as
	// ~/.nvm or ~/.cargo/bin); ~ is your home. Never a home itself, ~/.config, or a place that
	// holds credentials or hew's sessions.
	ReadPaths []string `toml:"read_paths"`
}

// Commit configures commits hew makes.
type Commit struct {
	Trailer  string `toml:"trailer"` // "{model}" is replaced by the model id; "none" for no trailer
	NoVerify bool   `toml:"no_verify"`
}

// Limits caps a headless run; zero means no cap.
type Limits struct {
	MaxTurns  int      `toml:"max_turns"`
	MaxTokens int64    `toml:"max_tokens"`
	MaxCost   float64  `toml:"max_cost"`
	Timeout   Duration `toml:"timeout"`
}

// Network bounds the waits on the model server; zero means the default, a negative duration
// no limit.
type Network struct {
	// StreamIdle is how long the server may stay silent — before answering, or mid-stream —
	// before the request is abandoned (default 300s). Env: HEW_STREAM_IDLE_TIMEOUT.
	StreamIdle Duration `toml:"stream_idle_timeout"`
	// Connect bounds connecting to the server (default 30s). Env: HEW_CONNECT_TIMEOUT.
	Connect Duration `toml:"connect_timeout"`
	// MaxRetryWait is the longest Retry-After hew waits for before retrying (default 5m); a
	// server asking for longer fails the request at once. Env: HEW_MAX_RETRY_WAIT.
	MaxRetryWait Duration `toml:"max_retry_wait"`
	// MaxRetries is how many times a rate-limited, failed (5xx) or broken request is tried
	// again (default 5; 0 for never). Env: HEW_MAX_RETRIES.
	MaxRetries *int `toml:"max_retries"`
}

// RetriesOption returns MaxRetries as the providers' option: 0 for the default, -1 for never.
func (n Network) RetriesOption() int {
	switch {
	case n.MaxRetries == nil:
		return 0
	case *n.MaxRetries <= 0:
		return -1
	}
	return *n.MaxRetries
}

// Duration is a time.Duration written as "90s" or "30m" in TOML.
type Duration struct{ time.Duration }

// MarshalText writes the duration as UnmarshalText reads it, such as "1m30s".
func (d Duration) MarshalText() ([]byte, error) { return []byte(d.String()), nil }

// UnmarshalText parses a Go duration string.
func (d *Duration) UnmarshalText(b []byte) error {
	v, err := time.ParseDuration(string(b))
	if err != nil {
		return fmt.Errorf("%q is not a duration such as 90s or 30m", b)
	}
	d.Duration = v
	return nil
}

// Defaults are the settings before any file is read.
func Defaults() Config {
	return Config{
		Provider: "openai",
		Approval: "on-request",
		Sandbox:  Sandbox{Policy: "workspace-write", Backend: "auto"},
		Commit:   Commit{Trailer: "Co-authored-by: hew ({model}) <hew@users.noreply.github.com>"},
		Limits:   Limits{MaxTurns: 100},
	}
}

// DefaultModel is the model used for a provider when none is configured.
func DefaultModel(provider string) string {
	if provider == "bedrock" {
		return "us.anthropic.claude-sonnet-4-5-20250929-v1:0"
	}
	return "gpt-5.1-codex"
}

// Load reads the user config (under XDG_CONFIG_HOME or ~/.config), the repository's
// .hew/config.toml when repoRoot is not empty — all of it when the user trusts it, else only
// the settings that are safe from anyone (c.Project says which were ignored) — then the
// environment.
func Load(repoRoot string, getenv func(string) string) (Config, error) {
	return LoadWith(repoRoot, getenv, LoadOptions{})
}

// LoadWith is Load with options.
func LoadWith(repoRoot string, getenv func(string) string, o LoadOptions) (Config, error) {
	c := Defaults()
	if p := UserFile(getenv); p != "" {
		if err := c.mergeFile(p); err != nil {
			return c, err
		}
		if err := c.userKey(p); err != nil {
			return c, err
		}
	}
	if repoRoot != "" {
		if err := c.mergeProject(repoRoot, ProjectPath(repoRoot), getenv, o); err != nil {
			return c, err
		}
	}
	if err := c.mergeEnv(getenv); err != nil {
		return c, err
	}
	return c, nil
}

// UserFile is the path of the user's config file.
func UserFile(getenv func(string) string) string {
	if d := getenv("XDG_CONFIG_HOME"); d != "" {
		return filepath.Join(d, "hew", "config.toml")
	}
	if h := getenv("HOME"); h != "" {
		return filepath.Join(h, ".config", "hew", "config.toml")
	}
	return ""
}

// StateDir is where sessions and proposals are kept: $XDG_STATE_HOME/hew or ~/.local/state/hew.
func StateDir(getenv func(string) string) string {
	if d := getenv("XDG_STATE_HOME"); d != "" {
		return filepath.Join(d, "hew")
	}
	if h := getenv("HOME"); h != "" {
		return filepath.Join(h, ".local", "state", "hew")
	}
	return filepath.Join(os.TempDir(), "hew-state")
}

// ProjectPath is the path of the repository's config file.
func ProjectPath(repoRoot string) string { return filepath.Join(repoRoot, ".hew", "config.toml") }

func (c *Config) mergeFile(path string) error {
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("read config %s: %w", path, err)
	}
	return c.mergeData(path, data)
}

// mergeData merges the content of config file path over c.
func (c *Config) mergeData(path string, data []byte) error {
	md, err := toml.Decode(string(data), c)
	if err != nil {
		return fmt.Errorf("config %s: %w", path, err)
	}
	if u := md.Undecoded(); len(u) > 0 {
		return fmt.Errorf("config %s: unknown key %q (see the README for the keys)", path, u[0].String())
	}
	c.Files = append(c.Files, path)
	if err := c.Validate(); err != nil {
		return fmt.Errorf("config %s: %w", path, err)
	}
	return nil
}

// userKey takes the API key the user's config file at path holds, if any, once the file is
// known to be readable by the user alone: like ssh, hew refuses a key others can read.
func (c *Config) userKey(path string) error {
	if c.OpenAI.APIKey == "" {
		return nil
	}
	st, err := os.Stat(path)
	if err != nil {
		return fmt.Errorf("config %s: %w", path, err)
	}
	if perm := st.Mode().Perm(); perm&0o077 != 0 {
		return fmt.Errorf("config %s holds openai.api_key but others can read it (mode %04o): run chmod 600 %s", path, perm, path)
	}
	c.OpenAIKey, c.OpenAIKeyFrom = c.OpenAI.APIKey, path
	return nil
}

func (c *Config) mergeEnv(getenv func(string) string) error {
	set := func(dst *string, names ...string) {
		for _, n := range names {
			if v := getenv(n); v != "" {
				*dst = v
			}
		}
	}
	set(&c.Provider, "HEW_PROVIDER")
	set(&c.Model, "HEW_MODEL")
	set(&c.SmallModel, "HEW_SMALL_MODEL")
	set(&c.ReviewModel, "HEW_REVIEW_MODEL")
	set(&c.TestCmd, "HEW_TEST_CMD")
	set(&c.ReasoningEffort, "HEW_REASONING_EFFORT")
	set(&c.Sandbox.Policy, "HEW_SANDBOX_POLICY")
	set(&c.Sandbox.Backend, "HEW_SANDBOX_BACKEND")
	set(&c.OpenAI.BaseURL, "OPENAI_BASE_URL")
	set(&c.OpenAI.API, "HEW_OPENAI_API")
	set(&c.Bedrock.Region, "AWS_REGION", "HEW_BEDROCK_REGION")
	set(&c.Bedrock.Profile, "AWS_PROFILE", "HEW_BEDROCK_PROFILE")
	set(&c.Bedrock.Guardrail, "HEW_BEDROCK_GUARDRAIL")
	set(&c.Bedrock.Latency, "HEW_BEDROCK_LATENCY")
	if v := getenv("OPENAI_API_KEY"); v != "" {
		c.OpenAIKey, c.OpenAIKeyFrom = v, "OPENAI_API_KEY"
	}
	if n := c.OpenAI.APIKeyEnv; n != "" && getenv(n) != "" {
		c.OpenAIKey, c.OpenAIKeyFrom = getenv(n), n
	}
	set(&c.BedrockToken, "AWS_BEARER_TOKEN_BEDROCK")
	for _, d := range []struct {
		dst  *Duration
		name string
	}{{&c.Network.StreamIdle, "HEW_STREAM_IDLE_TIMEOUT"}, {&c.Network.Connect, "HEW_CONNECT_TIMEOUT"}, {&c.Network.MaxRetryWait, "HEW_MAX_RETRY_WAIT"}} {
		if v := getenv(d.name); v != "" {
			if err := d.dst.UnmarshalText([]byte(v)); err != nil {
				return fmt.Errorf("%s: %w", d.name, err)
			}
		}
	}
	if v := getenv("HEW_MAX_RETRIES"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			return fmt.Errorf("HEW_MAX_RETRIES=%q is not a whole number of 0 or more", v)
		}
		c.Network.MaxRetries = &n
	}
	if v := getenv("HEW_MAX_TURNS"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			return fmt.Errorf("HEW_MAX_TURNS=%q is not a whole number", v)
		}
		c.Limits.MaxTurns = n
	}
	if err := c.Validate(); err != nil {
		return fmt.Errorf("environment: %w", err)
	}
	return nil
}

// Validate checks settings whose values are from a fixed set.
func (c *Config) Validate() error {
	checks := []struct {
		name, value string
		allowed     []string
	}{
		{"provider", c.Provider, []string{"openai", "bedrock"}},
		{"accept", c.Accept, []string{"", "auto", "tests", "never"}},
		{"approval", c.Approval, []string{"untrusted", "on-request", "never"}},
		{"review_blocks", c.ReviewBlocks, []string{"", "high", "medium", "low", "none"}},
		{"edit_tool", c.EditTool, []string{"", "apply_patch", "edit_file", "both"}},
		{"reasoning_effort", c.ReasoningEffort, []string{"", "minimal", "low", "medium", "high"}},
		{"openai.api", c.OpenAI.API, []string{"", "responses", "chat"}},
		{"bedrock.latency", c.Bedrock.Latency, []string{"", "standard", "optimized"}},
		{"sandbox.policy", c.Sandbox.Policy, []string{"read-only", "workspace-write", "full-access"}},
		{"sandbox.backend", c.Sandbox.Backend, []string{"auto", "bwrap", "namespaces", "landlock", "none"}},
	}
	if err := c.validateMCP(); err != nil {
		return err
	}
	if g := c.Bedrock.Guardrail; g != "" {
		id, version, ok := strings.Cut(g, ":")
		if !ok || id == "" || version == "" {
			return fmt.Errorf("bedrock.guardrail = %q is not ID:VERSION (such as \"gr-abc123:1\" or \"gr-abc123:DRAFT\")", g)
		}
	}
	for _, ch := range checks {
		ok := false
		for _, a := range ch.allowed {
			ok = ok || a == ch.value
		}
		if !ok {
			return fmt.Errorf("%s = %q is not one of %s", ch.name, ch.value, strings.Join(nonEmpty(ch.allowed), ", "))
		}
	}
	return nil
}

func nonEmpty(s []string) []string {
	var out []string
	for _, v := range s {
		if v != "" {
			out = append(out, v)
		}
	}
	return out
}

// ModelOrDefault returns the configured model or the provider's default.
func (c *Config) ModelOrDefault() string {
	if c.Model != "" {
		return c.Model
	}
	return DefaultModel(c.Provider)
}

// Secrets lists secret values present in the configuration, for redaction.
func (c *Config) Secrets() []string {
	var out []string
	for _, s := range []string{c.OpenAIKey, c.BedrockToken} {
		if len(s) >= 8 {
			out = append(out, s)
		}
	}
	return out
}

// ExpandHome returns paths with a leading ~ replaced by the home directory getenv names.
func ExpandHome(paths []string, getenv func(string) string) []string {
	out := make([]string, 0, len(paths))
	for _, p := range paths {
		if home := getenv("HOME"); home != "" && (p == "~" || strings.HasPrefix(p, "~/")) {
			p = filepath.Join(home, p[1:])
		}
		out = append(out, p)
	}
	return out
}
