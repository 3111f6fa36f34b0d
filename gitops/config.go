package gitops

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/go-git/go-git/v5/plumbing/format/config"
	"github.com/go-git/go-git/v5/plumbing/object"

	"hew/gitops/internal/gitenv"
)

// gitConfig is the git configuration as read once for an operation.
type gitConfig = gitenv.Config

// readConfig reads git's configuration for this repository. With the git command it is what
// `git config --list` resolves (includes, includeIf, GIT_CONFIG_COUNT and the other variables
// git reads); without it, the configuration files are read directly, without includes.
func (r *Repo) readConfig() gitConfig {
	if r.hasGit() {
		if entries, err := r.configEntries(context.Background()); err == nil {
			return configOf(entries)
		}
	}
	return gitenv.ReadConfig(r.opts.Getenv, gitenv.Dirs{Root: r.root, GitDir: r.gitDir, CommonDir: r.commonDir})
}

// configEntry is one setting as `git config --list --show-origin --show-scope` lists it.
type configEntry struct {
	scope, origin string
	key, value    string // key is section[.subsection].name, section and name in lower case
	noValue       bool   // "key" alone, which reads as true
}

// configEntries lists every setting git reads for this repository, in the order it reads them.
func (r *Repo) configEntries(ctx context.Context) ([]configEntry, error) {
	out, err := r.runGit(ctx, nil, "config", "--list", "-z", "--show-origin", "--show-scope")
	if err != nil {
		return nil, fmt.Errorf("read the git configuration: %w", err)
	}
	fields := strings.Split(string(out), "\x00")
	var entries []configEntry
	for i := 0; i+2 < len(fields); i += 3 {
		e := configEntry{scope: fields[i], origin: fields[i+1]}
		var hasValue bool
		e.key, e.value, hasValue = strings.Cut(fields[i+2], "\n")
		e.noValue = !hasValue
		entries = append(entries, e)
	}
	return entries, nil
}

// configOf builds the configuration lookups from the entries git listed.
func configOf(entries []configEntry) gitConfig {
	cfg := config.New()
	for _, e := range entries {
		first := strings.IndexByte(e.key, '.')
		last := strings.LastIndexByte(e.key, '.')
		if first < 0 {
			continue
		}
		section, name := e.key[:first], e.key[last+1:]
		sec := cfg.Section(section)
		if first == last {
			sec.Options = append(sec.Options, &config.Option{Key: name, Value: e.value})
			continue
		}
		sub := sec.Subsection(e.key[first+1 : last])
		sub.Options = append(sub.Options, &config.Option{Key: name, Value: e.value})
	}
	return gitConfig{cfg}
}

// expandHome replaces a leading "~/" in a path from the configuration with the home directory,
// as git does.
func (r *Repo) expandHome(p string) string { return gitenv.ExpandHome(p, r.opts.Getenv) }

// Signature is who made a commit.
type Signature struct {
	Name, Email string
}

// Identity returns the author of the commits hew makes: GIT_AUTHOR_NAME and GIT_AUTHOR_EMAIL
// when set, else user.name and user.email from the repository's, the global or the system git
// configuration. The error names the setting that is missing and how to set it.
func (r *Repo) Identity() (Signature, error) { return r.identity(r.readConfig(), "AUTHOR") }

// identity reads the author ("AUTHOR") or committer ("COMMITTER") identity.
func (r *Repo) identity(cfg gitConfig, role string) (Signature, error) {
	var s Signature
	var missing []string
	for _, f := range []struct {
		dst      *string
		env, key string
	}{{&s.Name, "GIT_" + role + "_NAME", "name"}, {&s.Email, "GIT_" + role + "_EMAIL", "email"}} {
		*f.dst = r.opts.Getenv(f.env)
		if *f.dst == "" {
			*f.dst = cfg.Get("user", "", f.key)
		}
		if strings.TrimSpace(*f.dst) == "" {
			missing = append(missing, fmt.Sprintf("user.%s (git config --global user.%s ...) or %s", f.key, f.key, f.env))
		}
	}
	if len(missing) > 0 {
		return Signature{}, fmt.Errorf("no git identity to commit with: set %s", strings.Join(missing, ", and "))
	}
	return s, nil
}

// at is s at time t, as go-git records it.
func (s Signature) at(t time.Time) object.Signature {
	return object.Signature{Name: s.Name, Email: s.Email, When: t}
}

// readGlobalConfig reads the system and global configuration files only, without includes.
func readGlobalConfig(getenv func(string) string) gitConfig {
	return gitenv.ReadConfig(getenv, gitenv.Dirs{})
}
