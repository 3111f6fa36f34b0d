package gitops

import (
	"fmt"
	"strings"
	"time"

	"github.com/go-git/go-git/v5/plumbing/object"

	"hew/gitops/internal/gitenv"
)

// gitConfig is the git configuration as read once for an operation.
type gitConfig = gitenv.Config

// readConfig reads git's configuration files for this repository.
func (r *Repo) readConfig() gitConfig {
	return gitenv.ReadConfig(r.opts.Getenv, gitenv.Dirs{Root: r.root, GitDir: r.gitDir, CommonDir: r.commonDir})
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
