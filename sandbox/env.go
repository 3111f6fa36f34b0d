package sandbox

import (
	"slices"
	"strings"
)

// helperEnv carries the helper stage's instructions; it never reaches the command.
const helperEnv = "HEW_SANDBOX_HELPER"

// secretPrefixes, secretSubstrings and secretSuffixes describe names that carry credentials.
var (
	secretPrefixes   = []string{"AWS_", "AZURE_", "GOOGLE_", "GCP_", "CLOUDSDK_", "OPENAI_", "ANTHROPIC_", "HEW_"}
	secretSubstrings = []string{"TOKEN", "SECRET", "PASSWORD", "PASSWD", "CREDENTIAL", "API_KEY", "APIKEY", "ACCESS_KEY", "PRIVATE_KEY", "AUTH"}
	secretSuffixes   = []string{"_KEY", "_PAT", "_PASS"}
	secretNames      = []string{"SSH_AUTH_SOCK", "GPG_AGENT_INFO", "KUBECONFIG", "NETRC", "DOCKER_CONFIG", helperEnv}
)

// looksSecret reports whether an environment variable's name suggests it holds a credential.
func looksSecret(name string) bool {
	n := strings.ToUpper(name)
	if slices.Contains(secretNames, n) {
		return true
	}
	for _, p := range secretPrefixes {
		if strings.HasPrefix(n, p) {
			return true
		}
	}
	for _, s := range secretSubstrings {
		if strings.Contains(n, s) {
			return true
		}
	}
	for _, s := range secretSuffixes {
		if strings.HasSuffix(n, s) {
			return true
		}
	}
	return false
}

// ScrubEnv returns env ("NAME=value" entries) without the variables that look like credentials
// (API keys, tokens, cloud credentials, agent sockets), except those whose names are in allow.
// Malformed entries are dropped.
func ScrubEnv(env, allow []string) []string {
	out := make([]string, 0, len(env))
	for _, kv := range env {
		name, _, ok := strings.Cut(kv, "=")
		if !ok || name == "" {
			continue
		}
		if looksSecret(name) && (name == helperEnv || !slices.Contains(allow, name)) {
			continue
		}
		out = append(out, kv)
	}
	return out
}

// getenv returns the last value of name in env.
func getenv(env []string, name string) string {
	for i := len(env) - 1; i >= 0; i-- {
		if v, ok := strings.CutPrefix(env[i], name+"="); ok {
			return v
		}
	}
	return ""
}

// setenv returns env with name set to value, replacing earlier entries.
func setenv(env []string, name, value string) []string {
	env = slices.DeleteFunc(env, func(kv string) bool { return strings.HasPrefix(kv, name+"=") })
	return append(env, name+"="+value)
}
