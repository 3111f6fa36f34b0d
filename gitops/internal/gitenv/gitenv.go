// Package gitenv finds a working tree's git directories and reads git's configuration files, for
// gitops and gitops/ignore alike.
package gitenv

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/go-git/go-git/v5/plumbing/format/config"
)

// Dirs are the directories of one working tree.
type Dirs struct {
	Root      string // the top of the working tree, where .git is
	GitDir    string // this worktree's git directory (.git, or .git/worktrees/NAME)
	CommonDir string // objects, refs, config and info/ shared by all worktrees
}

// Find walks up from dir, which must be absolute, to the working tree containing it.
func Find(dir string) (Dirs, error) {
	for d := dir; ; {
		dirs, ok, err := At(d)
		if err != nil || ok {
			return dirs, err
		}
		parent := filepath.Dir(d)
		if parent == d {
			return Dirs{}, fmt.Errorf("%s is not inside a git repository (no .git in it or any parent); run 'git init' first", dir)
		}
		d = parent
	}
}

// At reads root/.git, a directory or a "gitdir: PATH" file; ok is false when root has none.
func At(root string) (d Dirs, ok bool, err error) {
	dotgit := filepath.Join(root, ".git")
	fi, err := os.Stat(dotgit)
	switch {
	case errors.Is(err, os.ErrNotExist):
		return Dirs{}, false, nil
	case err != nil:
		return Dirs{}, false, fmt.Errorf("look for a repository: %w", err)
	}
	d = Dirs{Root: root, GitDir: dotgit}
	if !fi.IsDir() {
		b, err := os.ReadFile(dotgit)
		if err != nil {
			return Dirs{}, false, fmt.Errorf("read %s: %w", dotgit, err)
		}
		target, ok := strings.CutPrefix(strings.TrimSpace(string(b)), "gitdir:")
		if !ok {
			return Dirs{}, false, fmt.Errorf("%s is a file but does not say \"gitdir: PATH\"", dotgit)
		}
		d.GitDir = filepath.Clean(absolute(root, strings.TrimSpace(target)))
	}
	d.CommonDir = d.GitDir
	if b, err := os.ReadFile(filepath.Join(d.GitDir, "commondir")); err == nil {
		d.CommonDir = filepath.Clean(absolute(d.GitDir, strings.TrimSpace(string(b))))
	}
	return d, true, nil
}

func absolute(base, p string) string {
	if filepath.IsAbs(p) {
		return p
	}
	return filepath.Join(base, p)
}

// Config is git's configuration files as read once, in the order git reads them, later ones
// overriding earlier. An operation reads it once and looks up every setting it needs in it.
type Config []*config.Config

// ReadConfig reads the configuration files git would: the system file (unless
// GIT_CONFIG_NOSYSTEM; GIT_CONFIG_SYSTEM names another), the global ones (GIT_CONFIG_GLOBAL, or
// else $XDG_CONFIG_HOME/git/config then ~/.gitconfig), and, when d has a git directory, the
// repository's config and, with extensions.worktreeConfig, the worktree's config.worktree. Files
// that are missing or do not parse are skipped; include directives are not followed.
func ReadConfig(getenv func(string) string, d Dirs) Config {
	var files []string
	if getenv("GIT_CONFIG_NOSYSTEM") == "" {
		files = append(files, cmpOr(getenv("GIT_CONFIG_SYSTEM"), "/etc/gitconfig"))
	}
	if g := getenv("GIT_CONFIG_GLOBAL"); g != "" {
		files = append(files, g)
	} else {
		if xdg := XDGConfigHome(getenv); xdg != "" {
			files = append(files, filepath.Join(xdg, "git", "config"))
		}
		if home := getenv("HOME"); home != "" {
			files = append(files, filepath.Join(home, ".gitconfig"))
		}
	}
	var c Config
	for _, p := range files {
		c = c.read(p)
	}
	if d.CommonDir != "" {
		c = c.read(filepath.Join(d.CommonDir, "config"))
		if c.Bool("extensions", "", "worktreeConfig") {
			c = c.read(filepath.Join(d.GitDir, "config.worktree"))
		}
	}
	return c
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

func (c Config) read(path string) Config {
	f, err := os.Open(path)
	if err != nil {
		return c
	}
	defer f.Close()
	cfg := config.New()
	if config.NewDecoder(f).Decode(cfg) != nil {
		return c
	}
	return append(c, cfg)
}

// Get returns the value git would use for section[.subsection].key; "" when no file sets it.
func (c Config) Get(section, subsection, key string) string {
	v, _ := c.lookup(section, subsection, key)
	return v
}

func (c Config) lookup(section, subsection, key string) (value string, set bool) {
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
			value, set = all[len(all)-1], true
		}
	}
	return value, set
}

// Bool returns a boolean setting as git reads it: true, yes, on, 1, or a key without a value
// (which the decoder cannot tell from "key =", so that counts as true too).
func (c Config) Bool(section, subsection, key string) bool {
	v, set := c.lookup(section, subsection, key)
	switch strings.ToLower(strings.TrimSpace(v)) {
	case "true", "yes", "on", "1":
		return true
	case "":
		return set
	}
	return false
}

// XDGConfigHome is $XDG_CONFIG_HOME, or $HOME/.config when that is unset; "" when neither is.
func XDGConfigHome(getenv func(string) string) string {
	if xdg := getenv("XDG_CONFIG_HOME"); xdg != "" {
		return xdg
	}
	if home := getenv("HOME"); home != "" {
		return filepath.Join(home, ".config")
	}
	return ""
}

// ExpandHome replaces a leading "~" or "~/" in a path from the configuration with the home
// directory, as git does ("~user/" is not expanded).
func ExpandHome(p string, getenv func(string) string) string {
	if p == "~" {
		return getenv("HOME")
	}
	if rest, ok := strings.CutPrefix(p, "~/"); ok {
		return filepath.Join(getenv("HOME"), rest)
	}
	return p
}
