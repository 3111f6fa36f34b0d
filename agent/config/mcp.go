package config

import (
	"fmt"
	"maps"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"time"
)

// MCPServer is one [mcp_servers.NAME] table: a Model Context Protocol server, reached by
// running Command (stdio) or at URL (streamable HTTP). Exactly one of the two is set.
//
// Values in Env and Headers may name environment variables as $NAME or ${NAME}; those, and
// only those, are read from hew's environment, so a token stays out of the file. A stdio server
// gets the variables Env names and a few that describe the machine (PATH, LANG, the locale and
// time zone), nothing else of hew's environment.
type MCPServer struct {
	// Command and Args start a stdio server; Cwd is its working directory (relative to the
	// repository root; default the root).
	Command string            `toml:"command,omitempty"`
	Args    []string          `toml:"args,omitempty"`
	Env     map[string]string `toml:"env,omitempty"`
	Cwd     string            `toml:"cwd,omitempty"`
	// URL is a streamable HTTP server's endpoint; Headers are sent with every request.
	URL     string            `toml:"url,omitempty"`
	Headers map[string]string `toml:"headers,omitempty"`
	// Enabled false keeps the server configured but not started (default true).
	Enabled *bool `toml:"enabled,omitempty"`
	// StartupTimeout bounds starting the server and listing its tools (default 30s);
	// ToolTimeout bounds each call of one of its tools (default 120s).
	StartupTimeout Duration `toml:"startup_timeout,omitempty"`
	ToolTimeout    Duration `toml:"tool_timeout,omitempty"`
	// AllowedTools are the server's tools (as the server names them) the model may call without
	// asking; "*" allows every one. The others ask each time, and are denied where hew cannot
	// ask (hew exec).
	AllowedTools []string `toml:"allowed_tools,omitempty"`
	// Sandbox false runs a stdio server outside the sandbox, with the user's rights (default
	// true: contained, the repository read-only, no network unless Network).
	Sandbox *bool `toml:"sandbox,omitempty"`
	// Network lets a sandboxed stdio server reach the network.
	Network bool `toml:"network,omitempty"`
}

// The MCP defaults.
const (
	DefaultMCPStartupTimeout = 30 * time.Second
	DefaultMCPToolTimeout    = 120 * time.Second
)

// IsEnabled reports whether the server is to be started.
func (s MCPServer) IsEnabled() bool { return s.Enabled == nil || *s.Enabled }

// Sandboxed reports whether a stdio server runs in the sandbox.
func (s MCPServer) Sandboxed() bool { return s.Sandbox == nil || *s.Sandbox }

// Transport is "stdio" or "http".
func (s MCPServer) Transport() string {
	if s.URL != "" {
		return "http"
	}
	return "stdio"
}

// Startup is the start-up timeout in force.
func (s MCPServer) Startup() time.Duration {
	if s.StartupTimeout.Duration > 0 {
		return s.StartupTimeout.Duration
	}
	return DefaultMCPStartupTimeout
}

// CallTimeout is the tool call timeout in force.
func (s MCPServer) CallTimeout() time.Duration {
	if s.ToolTimeout.Duration > 0 {
		return s.ToolTimeout.Duration
	}
	return DefaultMCPToolTimeout
}

// Allows reports whether the config lets the model call tool without asking.
func (s MCPServer) Allows(tool string) bool {
	return slices.Contains(s.AllowedTools, tool) || slices.Contains(s.AllowedTools, "*")
}

// mcpName is what a server's name may be: it becomes part of its tools' names, which models
// accept only in this alphabet.
var mcpName = regexp.MustCompile(`^[A-Za-z0-9_-]{1,32}$`)

// envRef finds $NAME and ${NAME} in a value.
var envRef = regexp.MustCompile(`\$\{([A-Za-z_][A-Za-z0-9_]*)\}|\$([A-Za-z_][A-Za-z0-9_]*)`)

// CheckMCPName reports an error unless name can name an MCP server.
func CheckMCPName(name string) error {
	if !mcpName.MatchString(name) || strings.Contains(name, "__") {
		return fmt.Errorf("MCP server name %q: use 1 to 32 letters, digits, - or _ (no double underscore), as its tools are offered as mcp__NAME__TOOL", name)
	}
	return nil
}

// Check reports what is wrong with the server's settings, if anything.
func (s MCPServer) Check() error {
	switch {
	case s.Command == "" && s.URL == "":
		return fmt.Errorf("set command (a stdio server) or url (a streamable HTTP server)")
	case s.Command != "" && s.URL != "":
		return fmt.Errorf("set command or url, not both")
	case s.URL != "":
		u, err := url.Parse(s.URL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return fmt.Errorf("url %q is not an http:// or https:// URL", s.URL)
		}
		if u.User != nil {
			return fmt.Errorf("url %q carries credentials: put them in headers, taken from the environment (headers = { Authorization = \"Bearer $TOKEN\" })", u.Redacted())
		}
		if len(s.Args) > 0 || len(s.Env) > 0 || s.Cwd != "" {
			return fmt.Errorf("args, env and cwd are for stdio servers (command); an HTTP server takes url and headers")
		}
	case len(s.Headers) > 0:
		return fmt.Errorf("headers are for HTTP servers (url); a stdio server takes env")
	}
	for k := range s.Env {
		if !envName.MatchString(k) {
			return fmt.Errorf("env: %q is not a variable name", k)
		}
	}
	if s.StartupTimeout.Duration < 0 || s.ToolTimeout.Duration < 0 {
		return fmt.Errorf("timeouts must be positive durations such as 30s")
	}
	return nil
}

var envName = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// validateMCP checks every configured MCP server.
func (c *Config) validateMCP() error {
	for _, name := range slices.Sorted(maps.Keys(c.MCPServers)) {
		if err := CheckMCPName(name); err != nil {
			return err
		}
		if err := c.MCPServers[name].Check(); err != nil {
			return fmt.Errorf("mcp_servers.%s: %w", name, err)
		}
	}
	return nil
}

// ExpandEnv replaces $NAME and ${NAME} in v with the variables' values from getenv. A variable
// that is not set is an error naming it, so that a server never starts with an empty token.
func ExpandEnv(v string, getenv func(string) string) (string, error) {
	var missing []string
	out := envRef.ReplaceAllStringFunc(v, func(ref string) string {
		m := envRef.FindStringSubmatch(ref)
		name := m[1] + m[2]
		val := getenv(name)
		if val == "" {
			missing = append(missing, name)
		}
		return val
	})
	if len(missing) > 0 {
		return "", fmt.Errorf("environment variable %s is not set", strings.Join(missing, ", "))
	}
	return out, nil
}
