package config

// The repository's .hew/config.toml comes with the code, so whoever wrote the code — or the
// model, which can propose a new version — wrote it. Until the user trusts that exact file, only
// the settings that can neither move credentials nor weaken containment apply from it (see
// projectSafe); the others are listed in ProjectFile.Ignored for the front ends to name.
//
// Trust is recorded in the user's config directory (TrustFile, mode 0600) keyed by the
// repository's root and the SHA-256 of the file's content: a changed file is untrusted again.

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/BurntSushi/toml"

	"hew/gitops/fsguard"

	"hew/agent/llm/catalog"
)

// ProjectFile describes the repository's .hew/config.toml as Load found it.
type ProjectFile struct {
	// Path is the file's path; "" when the repository has none.
	Path string
	// Root is the repository root as the trust store keys it.
	Root string
	// SHA256 is the hex SHA-256 of the content that was read.
	SHA256 string
	// Trusted reports that every setting of the file applied: the user trusts this content
	// (TrustProject), or the caller said so for this run (LoadOptions.TrustProject).
	Trusted bool
	// Ignored lists the settings of an untrusted file that did not apply, in file order.
	Ignored []Setting
}

// Setting is one key of a config file with its value as written, for people.
type Setting struct {
	Key   string
	Value string
}

// IgnoredKeys lists the keys of Ignored.
func (p ProjectFile) IgnoredKeys() []string {
	out := make([]string, len(p.Ignored))
	for i, s := range p.Ignored {
		out[i] = s.Key
	}
	return out
}

// IgnoredNotice is the one-paragraph notice front ends show when settings were ignored, or ""
// when none were.
func (p ProjectFile) IgnoredNotice() string {
	if len(p.Ignored) == 0 {
		return ""
	}
	return fmt.Sprintf("ignored %s from %s, which you have not trusted: %s. Settings that could send your credentials elsewhere or weaken the sandbox apply only from a trusted file; review it and run 'hew trust' to trust it as it is now (or pass --trust-project-config for one run).",
		plural(len(p.Ignored), "setting"), p.Path, strings.Join(p.IgnoredKeys(), ", "))
}

func plural(n int, what string) string {
	if n == 1 {
		return "1 " + what
	}
	return strconv.Itoa(n) + " " + what + "s"
}

// LoadOptions change how Load treats the repository's file.
type LoadOptions struct {
	// TrustProject applies every setting of the repository's .hew/config.toml for this load,
	// trusted or not (--trust-project-config). Nothing is recorded.
	TrustProject bool
}

// projectSafe are the keys an untrusted repository file may set, each with how it applies: it
// reports false when the value is not applied after all (a model the catalogue does not know, a
// limit looser than the one in force). Every other key — the provider and where requests go,
// the sandbox, approvals and acceptance, the test command, hooks, model prices — is ignored:
// a key added to Config is ignored from untrusted files until it is listed here.
var projectSafe = map[string]func(c, p *Config) bool{
	// A model the catalogue lists for the provider in force: a name cannot move credentials,
	// while an unlisted id (a Bedrock ARN in another account, say) might route requests.
	"model": func(c, p *Config) bool {
		cat, err := catalog.Default().Merge(c.Models)
		if err != nil {
			return false
		}
		if _, ok := cat.Lookup(c.Provider, p.Model); !ok {
			return false
		}
		c.Model = p.Model
		return true
	},
	// The other roles' models under the same rule, named on the provider in force ("openai:…"
	// or "bedrock:…" naming it is the same model); a fallback list can route the conversation to
	// another provider and needs trust.
	"small_model":  func(c, p *Config) bool { return sameProviderModel(c, p.SmallModel, &c.SmallModel) },
	"review_model": func(c, p *Config) bool { return sameProviderModel(c, p.ReviewModel, &c.ReviewModel) },
	// A second opinion only adds a check, with the review model the user's settings allow;
	// the threshold only tightens (a repository cannot stop high findings from blocking).
	"second_opinion": func(c, p *Config) bool {
		if !p.SecondOpinion {
			return false
		}
		c.SecondOpinion = true
		return true
	},
	"review_blocks": func(c, p *Config) bool {
		if blockRank(p.ReviewBlocks) < blockRank(c.ReviewBlocks) {
			return false
		}
		c.ReviewBlocks = p.ReviewBlocks
		return true
	},
	"reasoning_effort":  func(c, p *Config) bool { c.ReasoningEffort = p.ReasoningEffort; return true },
	"max_output_tokens": func(c, p *Config) bool { c.MaxOutputTokens = p.MaxOutputTokens; return true },
	"edit_tool":         func(c, p *Config) bool { c.EditTool = p.EditTool; return true },
	"commit.trailer":    func(c, p *Config) bool { c.Commit.Trailer = p.Commit.Trailer; return true },
	// Limits only tighten: an untrusted file cannot make a run longer or costlier.
	"limits.max_turns":  func(c, p *Config) bool { return tighten(&c.Limits.MaxTurns, p.Limits.MaxTurns) },
	"limits.max_tokens": func(c, p *Config) bool { return tighten(&c.Limits.MaxTokens, p.Limits.MaxTokens) },
	"limits.max_cost":   func(c, p *Config) bool { return tighten(&c.Limits.MaxCost, p.Limits.MaxCost) },
	"limits.timeout": func(c, p *Config) bool {
		return tighten(&c.Limits.Timeout.Duration, p.Limits.Timeout.Duration)
	},
	// Waits on the server only shorten, as limits do; how often to retry needs trust.
	"network.stream_idle_timeout": func(c, p *Config) bool {
		return tighten(&c.Network.StreamIdle.Duration, p.Network.StreamIdle.Duration)
	},
	"network.connect_timeout": func(c, p *Config) bool {
		return tighten(&c.Network.Connect.Duration, p.Network.Connect.Duration)
	},
	"network.max_retry_wait": func(c, p *Config) bool {
		return tighten(&c.Network.MaxRetryWait.Duration, p.Network.MaxRetryWait.Duration)
	},
}

// sameProviderModel sets *dst to ref when ref names a model the catalogue lists for the
// provider in force, and reports whether it did.
func sameProviderModel(c *Config, ref string, dst *string) bool {
	id := ref
	if prov, rest, ok := strings.Cut(ref, ":"); ok && (prov == "openai" || prov == "bedrock") {
		if prov != c.Provider {
			return false
		}
		id = rest
	}
	cat, err := catalog.Default().Merge(c.Models)
	if err != nil {
		return false
	}
	if _, ok := cat.Lookup(c.Provider, id); !ok {
		return false
	}
	*dst = ref
	return true
}

// blockRank orders review_blocks values from the loosest ("none") to the strictest ("low").
func blockRank(v string) int {
	switch v {
	case "none":
		return 0
	case "medium":
		return 2
	case "low":
		return 3
	}
	return 1 // "high", the default
}

// tighten sets a cap (0 means none) to v when v is a tighter cap, and reports whether it did.
func tighten[T int | int64 | float64 | time.Duration](cur *T, v T) bool {
	if v <= 0 || *cur > 0 && v > *cur {
		return false
	}
	*cur = v
	return true
}

// mergeProject merges the repository's file at path: all of it when trusted, else only the
// projectSafe keys, recording the rest in c.Project.Ignored.
func (c *Config) mergeProject(root, path string, getenv func(string) string, o LoadOptions) error {
	data, err := readProjectFile(root, path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	trusted := o.TrustProject
	if !trusted {
		if trusted, err = IsTrusted(getenv, root, HashProject(data)); err != nil {
			return err
		}
	}
	return c.mergeProjectData(root, path, data, trusted)
}

// maxProjectFile caps the repository's config file.
const maxProjectFile = 1 << 20

// readProjectFile reads the repository's config file at path: a regular file of at most
// maxProjectFile bytes inside the repository at root. A symbolic link leading out of the
// repository, a FIFO or a device is refused without being opened, so the file can neither
// hang hew nor make an error message quote a file from elsewhere (~/.aws/credentials).
func readProjectFile(root, path string) ([]byte, error) {
	rel, err := filepath.Rel(root, path)
	if err != nil {
		return nil, fmt.Errorf("read config %s: %w", path, err)
	}
	// Every component counts (.hew itself may be the link), and a FIFO never blocks.
	data, err := fsguard.ReadInAtMost(root, filepath.ToSlash(rel), maxProjectFile+1)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil, err
	case errors.Is(err, fsguard.ErrUnsafe):
		return nil, fmt.Errorf("config %s leads outside the repository or into .git (%v): hew reads only a file inside it", path, err)
	case errors.Is(err, fsguard.ErrNotRegular):
		return nil, fmt.Errorf("config %s is not a regular file: %v", path, err)
	case err != nil:
		return nil, fmt.Errorf("read config %s: %w", path, err)
	case len(data) > maxProjectFile:
		return nil, fmt.Errorf("config %s is over %d bytes, more than hew reads", path, maxProjectFile)
	}
	return data, nil
}

// HashProject is the hash trust is keyed by: the hex SHA-256 of the file's content.
func HashProject(data []byte) string {
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:])
}

// InspectProject reads the repository's config file over the user's as an untrusted one, as
// `hew trust` shows it: its hash, and the settings that apply only once it is trusted. It
// returns the content it read, which is what the hash is of. A missing file is fs.ErrNotExist.
func InspectProject(root string, getenv func(string) string) (ProjectFile, []byte, error) {
	c := Defaults()
	if p := UserFile(getenv); p != "" {
		if err := c.mergeFile(p); err != nil {
			return ProjectFile{}, nil, err
		}
	}
	path := ProjectPath(root)
	data, err := readProjectFile(root, path)
	if err != nil {
		return ProjectFile{}, nil, err
	}
	if err := c.mergeProjectData(root, path, data, false); err != nil {
		return ProjectFile{}, nil, err
	}
	return c.Project, data, nil
}

// mergeProjectData merges the repository's file at path with content data.
func (c *Config) mergeProjectData(root, path string, data []byte, trusted bool) error {
	c.Project = ProjectFile{Path: path, Root: canonicalRoot(root), SHA256: HashProject(data)}
	var p Config
	md, err := toml.Decode(string(data), &p)
	if err == nil && trusted && !md.IsDefined("openai", "api_key") {
		c.Project.Trusted = true
		return c.mergeData(path, data)
	}
	if err != nil {
		return fmt.Errorf("config %s: %w", path, err)
	}
	if u := md.Undecoded(); len(u) > 0 {
		return fmt.Errorf("config %s: unknown key %q (see the README for the keys)", path, u[0].String())
	}
	if md.IsDefined("openai", "api_key") {
		return fmt.Errorf("config %s sets openai.api_key: a key must never be in a repository; remove it (and revoke the key if it was committed), and set OPENAI_API_KEY or the user config instead", path)
	}
	// Values are checked as if every setting applied, so that a mistake is reported whether
	// or not the file is trusted.
	all := *c
	all.MCPServers = maps.Clone(c.MCPServers) // decoding into the shared map would apply the file's servers
	toml.Decode(string(data), &all)           // decoded once already: it cannot fail
	if err := all.Validate(); err != nil {
		return fmt.Errorf("config %s: %w", path, err)
	}
	var raw map[string]any
	toml.Decode(string(data), &raw)
	skip := "" // the key of an array of tables whose keys were all ignored as one
	for _, k := range md.Keys() {
		name := k.String()
		if skip != "" && strings.HasPrefix(name, skip+".") {
			continue
		}
		typ := md.Type(k...)
		if typ == "Hash" && len(k) == 2 && k[0] == "mcp_servers" {
			// An MCP server runs a program or sends data elsewhere: the whole table is one
			// ignored setting.
			c.Project.Ignored = append(c.Project.Ignored, Setting{Key: name, Value: "(an MCP server)"})
			skip = name
			continue
		}
		if typ == "Hash" {
			continue // a table: its keys follow
		}
		if typ == "ArrayHash" {
			skip = name
		}
		if apply, ok := projectSafe[name]; ok && apply(c, &p) {
			continue
		}
		c.Project.Ignored = append(c.Project.Ignored, Setting{Key: name, Value: showValue(lookup(raw, k))})
	}
	c.Files = append(c.Files, path)
	if err := c.Validate(); err != nil {
		return fmt.Errorf("config %s: %w", path, err)
	}
	return nil
}

// lookup finds key in a decoded TOML document.
func lookup(doc map[string]any, key toml.Key) any {
	var v any = doc
	for _, part := range key {
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = m[part]
	}
	return v
}

// showValue writes a setting's value for people, on one line with no control characters.
func showValue(v any) string {
	var s string
	switch v := v.(type) {
	case string:
		s = strconv.Quote(v)
	case []map[string]any:
		s = fmt.Sprintf("(%s)", plural(len(v), "table"))
	case []any:
		parts := make([]string, len(v))
		for i, e := range v {
			parts[i] = showValue(e)
		}
		s = "[" + strings.Join(parts, ", ") + "]"
	case time.Time:
		s = v.Format(time.RFC3339)
	default:
		s = strconv.Quote(fmt.Sprint(v))
		s = s[1 : len(s)-1]
	}
	if r := []rune(s); len(r) > 120 {
		s = string(r[:119]) + "…"
	}
	return s
}
