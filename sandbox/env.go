package sandbox

import (
	"fmt"
	"slices"
	"strings"
)

// helperEnv carries the helper stage's instructions; it never reaches the command.
const helperEnv = "HEW_SANDBOX_HELPER"

// The environment a command gets is an allow-list: the names and prefixes below, plus the
// caller's AllowEnv; everything else is dropped. A variable that looks like a credential (by its
// name or its value) is dropped even when allow-listed.
var (
	allowNames = []string{
		"PATH", "LANG", "LANGUAGE", "TERM", "COLORTERM", "NO_COLOR", "FORCE_COLOR", "CLICOLOR", "TZ",
		"USER", "LOGNAME", "SHELL", "EDITOR", "VISUAL", "PAGER", "CI", "DEBIAN_FRONTEND",
		"CC", "CXX", "CPP", "LD", "AR", "CFLAGS", "CXXFLAGS", "CPPFLAGS", "LDFLAGS", "PKG_CONFIG_PATH",
		"MAKEFLAGS", "SOURCE_DATE_EPOCH", "JAVA_HOME", "VIRTUAL_ENV", "LD_LIBRARY_PATH", "LIBRARY_PATH",
		"CPATH", "C_INCLUDE_PATH", "CPLUS_INCLUDE_PATH", "PERL5LIB", "RUBYLIB",
		"GIT_AUTHOR_NAME", "GIT_AUTHOR_EMAIL", "GIT_COMMITTER_NAME", "GIT_COMMITTER_EMAIL",
		"HTTP_PROXY", "HTTPS_PROXY", "NO_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "no_proxy", "all_proxy",
		// Set by the sandbox itself; kept here so a caller's value is not reported as dropped.
		"HOME", "TMPDIR",
	}
	allowPrefixes = []string{"LC_", "GO", "CGO_", "RUST", "CARGO_", "NODE_", "NPM_CONFIG_", "PYTHON", "PIP_", "UV_", "PYTEST_", "JAVA_", "MAVEN_", "GRADLE_", "CMAKE_", "YARN_", "PNPM_", "DENO_", "BUN_", "CONDA_"}
)

// secretSubstrings, secretSuffixes and secretNames describe names that carry credentials. (Other
// variables of cloud tools, such as AWS_REGION, are not on the allow-list; allow_env may pass them.)
var (
	secretSubstrings = []string{"TOKEN", "SECRET", "PASSWORD", "PASSWD", "CREDENTIAL", "API_KEY", "APIKEY", "ACCESS_KEY", "PRIVATE_KEY", "AUTH", "COOKIE"}
	secretSuffixes   = []string{"_KEY", "_PAT", "_PASS", "_PWD"}
	secretNames      = []string{"SSH_AUTH_SOCK", "SSH_AGENT_PID", "GPG_AGENT_INFO", "KUBECONFIG", "NETRC", "DOCKER_CONFIG", "DOCKER_HOST",
		"DATABASE_URL", "MYSQL_PWD", "DBUS_SESSION_BUS_ADDRESS", "DBUS_SYSTEM_BUS_ADDRESS", helperEnv}
)

// looksSecret reports whether an environment variable's name suggests it holds a credential.
func looksSecret(name string) bool {
	n := strings.ToUpper(name)
	if slices.Contains(secretNames, n) {
		return true
	}
	unauthored := strings.ReplaceAll(n, "AUTHOR", "") // GIT_AUTHOR_* is not AUTH
	for _, s := range secretSubstrings {
		if strings.Contains(unauthored, s) {
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

// allowed reports whether name is on the sandbox's allow-list or the caller's.
func allowed(name string, allow []string) bool {
	if slices.Contains(allowNames, name) || slices.Contains(allow, name) {
		return true
	}
	for _, p := range allowPrefixes {
		if strings.HasPrefix(name, p) {
			return true
		}
	}
	return false
}

// ScrubEnv returns env ("NAME=value" entries) reduced to the sandbox's allow-list and the names in
// allow, without any variable that looks like a credential by its name (tokens, keys, passwords,
// agent sockets, DATABASE_URL) or its value (a URL with a password, an API key's shape), even when
// allow names it. Malformed entries are dropped.
func ScrubEnv(env, allow []string) []string {
	out, _ := scrubEnv(env, allow)
	return out
}

// scrubEnv is ScrubEnv that also returns a notice for each variable allow named that was not
// passed because it looks secret.
func scrubEnv(env, allow []string) (out, notices []string) {
	out = make([]string, 0, len(env))
	for _, kv := range env {
		name, value, ok := strings.Cut(kv, "=")
		if !ok || name == "" || !allowed(name, allow) {
			continue
		}
		if looksSecret(name) || secretValue(value) {
			if slices.Contains(allow, name) {
				notices = append(notices, fmt.Sprintf("environment: %s was not passed to the command although allow_env names it: its name or value looks like a credential, and the sandbox never passes credentials", name))
			}
			continue
		}
		out = append(out, kv)
	}
	slices.Sort(notices)
	return out, slices.Compact(notices)
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
