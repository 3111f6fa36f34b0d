// Package ignore decides which paths of a git working tree git ignores. It is the one place hew
// answers that question: the tools' listings and searches, the proposal's change set,
// checkpoints and the review of uncommitted changes all ask it.
//
// A Matcher follows git's rules (gitignore(5)). Patterns come from the .gitignore of each
// directory, relative to that directory, deeper files overriding shallower ones; then from
// $GIT_COMMON_DIR/info/exclude (a linked worktree uses the main repository's); then from the file
// core.excludesFile names in the repository's, the global or the system configuration, or when
// that is unset from $XDG_CONFIG_HOME/git/ignore ($HOME/.config/git/ignore). Within one file the
// last matching line wins. Patterns support "!" negation, a trailing "/" for directories only,
// anchoring by a leading or inner "/", "*", "?", "[...]", "**", backslash escapes and
// trailing-space trimming, and a path inside an ignored directory is ignored whatever later
// patterns say: git does not look inside the directory at all, nor read its .gitignore. A
// .gitignore that is a symbolic link is not read, as in git 2.32 and later; core.ignoreCase
// makes matching case-insensitive. Not followed: include directives in the configuration,
// "~user/" paths, and .gitignore files present only in the index (sparse checkouts).
//
// Ignoring says nothing about the index. Ignored answers as `git check-ignore --no-index` does:
// by the patterns alone. Callers that list files want `git ls-files -co --exclude-standard`
// instead, where a tracked file is listed even when a pattern matches it; Excluded answers that,
// reading the index once per Matcher, and says a directory is excluded only when it is ignored
// and holds no tracked file, so a walk may skip it whole; FilterExcluded answers it for a whole
// directory at once. Only the index's paths are read (versions 2 to 4; a split index with its
// shared index; a sparse index's directory entries through their trees).
//
// .gitignore files are read lazily, the first time a path in their directory is asked about,
// and cached for the Matcher's life. A Matcher is safe for concurrent use; it does not notice
// ignore files changing after it read them, so long-lived callers take a new one with Renew.
package ignore

import (
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
	"sync"

	"hew/gitops/internal/gitenv"
	"hew/gitops/internal/gitindex"
)

// Options adjusts where a Matcher reads from; the zero value uses the process environment and
// the disk.
type Options struct {
	// Getenv reads HOME, XDG_CONFIG_HOME and git's GIT_CONFIG_* variables; nil means os.Getenv.
	Getenv func(string) string
	// ReadFile reads a .gitignore, named slash-separated relative to the root ("sub/.gitignore"),
	// such as from a view with pending changes. It should report a symbolic link as not existing.
	// nil reads the disk.
	ReadFile func(name string) ([]byte, error)
}

// Matcher answers whether paths of one working tree are ignored.
type Matcher struct {
	root   string
	opts   Options                           // as given, for Renew
	read   func(name string) ([]byte, error) // reads a .gitignore
	fold   bool
	global *list      // info/exclude, then the excludes file
	index  *indexFile // nil outside a repository; shared with renewed matchers

	tracked func() *trackedSet // the index as this matcher first read it

	mu    sync.Mutex
	state map[string]*dirState
}

// dirState is what a directory's entries are matched against.
type dirState struct {
	// ignoredBy is the pattern that ignores the directory itself or one above it.
	ignoredBy *pattern
	// lists are the patterns for the directory's entries; nil when there are none.
	lists *list
}

// New returns the matcher for the working tree whose top is root (the directory holding .git).
// root may also be a directory outside any repository: then only its .gitignore files and the
// user's excludes file apply, and nothing is tracked.
func New(root string, opts Options) (*Matcher, error) {
	if opts.Getenv == nil {
		opts.Getenv = os.Getenv
	}
	abs, err := filepath.Abs(root)
	if err != nil {
		return nil, fmt.Errorf("ignore rules for %s: %w", root, err)
	}
	m := &Matcher{root: abs, opts: opts, read: opts.ReadFile, state: map[string]*dirState{}}
	if m.read == nil {
		m.read = m.readDisk
	}
	dirs, inRepo, err := gitenv.At(abs) // dirs is zero outside a repository
	if err != nil {
		return nil, fmt.Errorf("ignore rules for %s: %w", root, err)
	}
	cfg := gitenv.ReadConfig(opts.Getenv, dirs)
	if inRepo {
		hashSize := gitindex.SHA1
		if strings.EqualFold(cfg.Get("extensions", "", "objectFormat"), "sha256") {
			hashSize = gitindex.SHA256
		}
		m.setIndex(&indexFile{path: filepath.Join(dirs.GitDir, "index"), hashSize: hashSize, commonDir: dirs.CommonDir})
	}
	m.fold = cfg.Bool("core", "", "ignoreCase")

	excludes := cfg.Get("core", "", "excludesFile")
	if excludes != "" {
		excludes = gitenv.ExpandHome(excludes, opts.Getenv)
		if !filepath.IsAbs(excludes) {
			excludes = filepath.Join(abs, excludes) // git resolves it from the top of the tree
		}
	} else if xdg := gitenv.XDGConfigHome(opts.Getenv); xdg != "" {
		excludes = filepath.Join(xdg, "git", "ignore")
	}
	if excludes != "" {
		m.global = push("", m.parseFile(excludes), nil)
	}
	if inRepo {
		m.global = push("", m.parseFile(filepath.Join(dirs.CommonDir, "info", "exclude")), m.global)
	}
	return m, nil
}

// Renew returns a matcher for the same tree that reads the ignore files and the configuration
// again. It shares the index with m, which either reads again only when the file has changed.
func (m *Matcher) Renew() (*Matcher, error) {
	n, err := New(m.root, m.opts)
	if err != nil {
		return nil, err
	}
	if n.index != nil && m.index != nil && n.index.path == m.index.path && n.index.hashSize == m.index.hashSize {
		n.setIndex(m.index)
	}
	return n, nil
}

func (m *Matcher) setIndex(ix *indexFile) {
	m.index = ix
	m.tracked = sync.OnceValue(ix.tracked)
}

// parseFile reads the patterns of an ignore file outside the tree; a missing file has none.
func (m *Matcher) parseFile(p string) []pattern {
	b, err := os.ReadFile(p)
	if err != nil {
		return nil
	}
	return parse(b, p, m.fold)
}

// readDisk reads a .gitignore from the working tree, not following a symbolic link.
func (m *Matcher) readDisk(name string) ([]byte, error) {
	p := filepath.Join(m.root, filepath.FromSlash(name))
	fi, err := os.Lstat(p)
	if err != nil {
		return nil, err
	}
	if !fi.Mode().IsRegular() {
		return nil, &fs.PathError{Op: "read", Path: p, Err: fs.ErrNotExist}
	}
	return os.ReadFile(p)
}

// Explain returns the rule that decides name, slash-separated and relative to the root, and
// false when no pattern matches: git check-ignore --no-index --verbose. The rule may be a
// negation ("!pattern"), which means not ignored. isDir says whether name is a directory (a
// symbolic link to one is not).
func (m *Matcher) Explain(name string, isDir bool) (Rule, bool) {
	if p := m.match(name, isDir); p != nil {
		return p.rule, true
	}
	return Rule{}, false
}

// Ignored reports whether git's ignore rules exclude name, slash-separated and relative to the
// root, whether or not the index tracks it: git check-ignore --no-index.
func (m *Matcher) Ignored(name string, isDir bool) bool {
	p := m.match(name, isDir)
	return p != nil && !p.negate
}

// Excluded reports whether `git ls-files -co --exclude-standard` leaves name out: it is ignored
// and the index does not track it. A directory is excluded when it is ignored and no tracked
// file lies below it. When the index cannot be read, Excluded is Ignored.
func (m *Matcher) Excluded(name string, isDir bool) bool {
	if !m.Ignored(name, isDir) {
		return false
	}
	if m.index == nil {
		return true
	}
	t := m.tracked()
	if isDir {
		return !t.holds(name)
	}
	return !t.has(name)
}

// FilterExcluded returns the entries of directory dir (slash-separated, "." or "" for the top)
// that Excluded does not exclude, in their order, reusing the storage of ents, which must be
// sorted by name. As git does, it looks a file up in the index before matching it against the
// patterns, which a tracked file need not be: the entries and the index's paths are both sorted,
// so each look-up starts where the last one ended.
func (m *Matcher) FilterExcluded(dir string, ents []fs.DirEntry) []fs.DirEntry {
	prefix := ""
	if dir != "." && dir != "" {
		prefix = strings.Trim(dir, "/") + "/"
	}
	var t *trackedSet
	if m.index != nil {
		t = m.tracked()
	}
	i := 0 // t's first path not less than the last name looked up
	if t != nil && !t.sparse() {
		i = t.search(prefix)
	}
	kept := ents[:0]
	for _, e := range ents {
		name := prefix + e.Name()
		if !e.IsDir() && t != nil && !t.sparse() {
			i = t.searchFrom(i, name)
			if i < len(t.ends) && t.name(i) == name {
				kept = append(kept, e) // tracked: listed whatever the patterns say
				continue
			}
			if !m.Ignored(name, false) {
				kept = append(kept, e)
			}
			continue
		}
		if !m.Excluded(name, e.IsDir()) {
			kept = append(kept, e)
		}
	}
	return kept
}

// Tracked reports whether the index has an entry for name (a file, a symbolic link or a
// submodule); false outside a repository or when the index cannot be read.
func (m *Matcher) Tracked(name string) bool {
	return m.index != nil && m.tracked().has(name)
}

func (m *Matcher) match(name string, isDir bool) *pattern {
	name = strings.Trim(name, "/")
	if name == "" || name == "." {
		return nil
	}
	dir, base := path.Split(name)
	m.mu.Lock()
	st := m.dir(strings.TrimSuffix(dir, "/"))
	m.mu.Unlock()
	if st.ignoredBy != nil {
		return st.ignoredBy
	}
	return st.lists.match(name, base, isDir, m.fold)
}

// dir returns the state of directory dir ("" for the top), computing it and its parents' as
// needed. m.mu is held.
func (m *Matcher) dir(dir string) *dirState {
	if st, ok := m.state[dir]; ok {
		return st
	}
	var st *dirState
	if dir == "" {
		st = &dirState{lists: push("", m.readIgnore(""), m.global)}
	} else {
		parentDir, base := path.Split(dir)
		parent := m.dir(strings.TrimSuffix(parentDir, "/"))
		switch p := parent.lists.match(dir, base, true, m.fold); {
		case parent.ignoredBy != nil:
			st = parent
		case p != nil && !p.negate:
			st = &dirState{ignoredBy: p}
		default:
			st = &dirState{lists: push(dir, m.readIgnore(dir), parent.lists)}
		}
	}
	m.state[dir] = st
	return st
}

// readIgnore parses the .gitignore of directory dir, if it has one.
func (m *Matcher) readIgnore(dir string) []pattern {
	name := path.Join(dir, ".gitignore")
	b, err := m.read(name)
	if err != nil {
		return nil // missing; or unreadable, which git warns about and goes on without
	}
	return parse(b, name, m.fold)
}
