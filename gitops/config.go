package gitops

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
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
// The list is kept while nothing it was read from changes (see configStamp), since one commit
// asks for it several times and each `git config --list` is a process.
func (r *Repo) configEntries(ctx context.Context) ([]configEntry, error) {
	r.cfgMu.Lock()
	cached, origins, stamp := r.cfgEntries, r.cfgOrigins, r.cfgStamp
	r.cfgMu.Unlock()
	if cached != nil && r.configStamp(origins) == stamp {
		return cached, nil
	}
	entries, err := r.listConfig(ctx)
	if err != nil {
		return nil, err
	}
	origins = r.configOrigins(entries)
	stamp = r.configStamp(origins)
	r.cfgMu.Lock()
	r.cfgEntries, r.cfgOrigins, r.cfgStamp = entries, origins, stamp
	r.cfgMu.Unlock()
	return entries, nil
}

// configOrigins are the files entries came from, and every file git would read configuration
// from if it existed (so that creating one is noticed).
func (r *Repo) configOrigins(entries []configEntry) []string {
	getenv := r.opts.Getenv
	home := getenv("HOME")
	xdg := getenv("XDG_CONFIG_HOME")
	if xdg == "" && home != "" {
		xdg = filepath.Join(home, ".config")
	}
	paths := []string{"/etc/gitconfig", filepath.Join(r.commonDir, "config"), filepath.Join(r.gitDir, "config.worktree")}
	for _, p := range []string{getenv("GIT_CONFIG_SYSTEM"), getenv("GIT_CONFIG_GLOBAL")} {
		if p != "" {
			paths = append(paths, p)
		}
	}
	if xdg != "" {
		paths = append(paths, filepath.Join(xdg, "git", "config"))
	}
	if home != "" {
		paths = append(paths, filepath.Join(home, ".gitconfig"))
	}
	for _, e := range entries {
		if p, ok := strings.CutPrefix(e.origin, "file:"); ok && p != "" {
			if !filepath.IsAbs(p) {
				p = filepath.Join(r.root, p)
			}
			paths = append(paths, p)
		}
	}
	slices.Sort(paths)
	return slices.Compact(paths)
}

// configStamp identifies the state git's configuration is read from: the environment git is
// given, the branch checked out (includeIf onbranch), and each file's identity, size and time.
func (r *Repo) configStamp(origins []string) string {
	var b strings.Builder
	b.WriteString(strings.Join(r.gitEnv(), "\x00"))
	head, _ := os.ReadFile(filepath.Join(r.gitDir, "HEAD"))
	b.Write(head)
	for _, p := range origins {
		b.WriteString("\x00" + p)
		if st, err := os.Stat(p); err == nil {
			var ino uint64
			if sys, ok := st.Sys().(*syscall.Stat_t); ok {
				ino = uint64(sys.Ino)
			}
			fmt.Fprintf(&b, ":%d:%d:%d", st.Size(), st.ModTime().UnixNano(), ino)
		}
	}
	return b.String()
}

// listConfig runs `git config --list` for every setting, with where it comes from.
func (r *Repo) listConfig(ctx context.Context) ([]configEntry, error) {
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

// IdentityInfo is the author git would record for a commit, and where each part came from.
type IdentityInfo struct {
	Signature
	// NameFrom and EmailFrom say where git took the name and the email: an environment
	// variable ("GIT_AUTHOR_NAME", "EMAIL"), or a setting and the file that set it
	// ("user.email in /home/me/.gitconfig-work"); "detected" when git made it up from the
	// system.
	NameFrom, EmailFrom string
}

// Identity returns the author of the commits hew makes, as git would record it.
func (r *Repo) Identity() (Signature, error) {
	info, err := r.AuthorIdentity(context.Background())
	return info.Signature, err
}

// AuthorIdentity returns the author git would record and where it came from. With the git
// command it is what `git var GIT_AUTHOR_IDENT` says, so includes, includeIf, author.*,
// EMAIL and GIT_CONFIG_COUNT count exactly as for git; without it, GIT_AUTHOR_NAME and
// GIT_AUTHOR_EMAIL, then author.* and user.* from the configuration files, then EMAIL. The
// error names the settings to set.
func (r *Repo) AuthorIdentity(ctx context.Context) (IdentityInfo, error) {
	if !r.hasGit() {
		s, err := r.identity(r.readConfig(), "AUTHOR")
		return IdentityInfo{Signature: s}, err
	}
	ids, err := r.identities(ctx, gitConfig{})
	if err != nil {
		return IdentityInfo{}, err
	}
	info := IdentityInfo{Signature: parseIdent(ids[0])}
	entries, _ := r.configEntries(ctx)
	from := func(env string, keys []string, fallback string) string {
		if r.opts.Getenv(env) != "" {
			return env
		}
		for _, k := range keys {
			for i := len(entries) - 1; i >= 0; i-- {
				if e := entries[i]; e.key == k {
					origin := strings.TrimPrefix(e.origin, "file:")
					if origin == "" || e.scope == "command" {
						origin = "the command line (GIT_CONFIG_COUNT or -c)"
					} else if !filepath.IsAbs(origin) {
						origin = filepath.Join(r.root, origin)
					}
					return k + " in " + origin
				}
			}
		}
		if fallback != "" && r.opts.Getenv(fallback) != "" {
			return fallback
		}
		return "detected"
	}
	info.NameFrom = from("GIT_AUTHOR_NAME", []string{"author.name", "user.name"}, "")
	info.EmailFrom = from("GIT_AUTHOR_EMAIL", []string{"author.email", "user.email"}, "EMAIL")
	return info, nil
}

// parseIdent reads "Name <email> 1700000000 +0100".
func parseIdent(s string) Signature {
	i, j := strings.LastIndex(s, " <"), strings.LastIndex(s, ">")
	if i < 0 || j < i {
		return Signature{Name: s}
	}
	return Signature{Name: s[:i], Email: s[i+2 : j]}
}

// identity reads the author ("AUTHOR") or committer ("COMMITTER") identity from the
// environment and the configuration files, for when the git command is not there.
func (r *Repo) identity(cfg gitConfig, role string) (Signature, error) {
	var s Signature
	var missing []string
	for _, f := range []struct {
		dst      *string
		env, key string
	}{{&s.Name, "GIT_" + role + "_NAME", "name"}, {&s.Email, "GIT_" + role + "_EMAIL", "email"}} {
		*f.dst = r.opts.Getenv(f.env)
		if *f.dst == "" {
			*f.dst = cfg.Get(strings.ToLower(role), "", f.key)
		}
		if *f.dst == "" {
			*f.dst = cfg.Get("user", "", f.key)
		}
		if *f.dst == "" && f.key == "email" {
			*f.dst = r.opts.Getenv("EMAIL")
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
