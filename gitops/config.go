package gitops

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/go-git/go-git/v5/plumbing/format/config"
	"github.com/go-git/go-git/v5/plumbing/object"
)

// configFiles lists the git configuration files in the order git reads them, later ones
// overriding earlier: system, global (XDG, then ~/.gitconfig), the repository's.
func (r *Repo) configFiles() []string {
	env := r.opts.Getenv
	var files []string
	if env("GIT_CONFIG_NOSYSTEM") == "" {
		files = append(files, "/etc/gitconfig")
	}
	home := env("HOME")
	xdg := env("XDG_CONFIG_HOME")
	if xdg == "" && home != "" {
		xdg = filepath.Join(home, ".config")
	}
	if xdg != "" {
		files = append(files, filepath.Join(xdg, "git", "config"))
	}
	if g := env("GIT_CONFIG_GLOBAL"); g != "" {
		files = append(files, g)
	} else if home != "" {
		files = append(files, filepath.Join(home, ".gitconfig"))
	}
	return append(files, filepath.Join(r.commonDir, "config"))
}

// gitConfig is the git configuration files as read once, in the order git reads them. An
// operation reads it once and looks up every setting it needs in it.
type gitConfig []*config.Config

// readConfig reads the configuration files that exist and parse; include directives are not
// followed.
func (r *Repo) readConfig() gitConfig {
	var files gitConfig
	for _, path := range r.configFiles() {
		f, err := os.Open(path)
		if err != nil {
			continue
		}
		cfg := config.New()
		err = config.NewDecoder(f).Decode(cfg)
		f.Close()
		if err == nil {
			files = append(files, cfg)
		}
	}
	return files
}

// get returns the value git would use for section[.subsection].key; "" when no file sets it.
func (c gitConfig) get(section, subsection, key string) string {
	var value string
	for _, cfg := range c {
		if !cfg.HasSection(section) {
			continue
		}
		opts := cfg.Section(section).Options
		if subsection != "" {
			if !cfg.Section(section).HasSubsection(subsection) {
				continue
			}
			opts = cfg.Section(section).Subsection(subsection).Options
		}
		if all := opts.GetAll(key); len(all) > 0 {
			value = all[len(all)-1]
		}
	}
	return value
}

// expandHome replaces a leading "~/" in a path from the configuration with the home directory,
// as git does.
func (r *Repo) expandHome(p string) string {
	if rest, ok := strings.CutPrefix(p, "~/"); ok {
		return filepath.Join(r.opts.Getenv("HOME"), rest)
	}
	return p
}

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
			*f.dst = cfg.get("user", "", f.key)
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
