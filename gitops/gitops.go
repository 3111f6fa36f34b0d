// Package gitops reads and writes the user's git repository with go-git, and with the git
// command for what only git does faithfully: content filters and line endings, signing, the
// identity as git resolves it, index updates that keep git's flags and extensions, and the
// checkpoint snapshot (see gitcli.go and convert.go). Without the git command it refuses what
// would need it.
//
// It accepts proposed changes into the working tree, commits exactly those changes while the
// user's other staged and unstaged work stays as it was, snapshots the working tree as
// checkpoints under private refs, and undoes the last commit hew made when that is safe. Accept,
// Commit and Undo never run a full worktree status: they work from HEAD's tree, the index and the
// files named. Checkpoint walks the working tree for untracked files but reads only the tracked
// files whose stat data no longer matches the index.
package gitops

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/go-git/go-billy/v5"
	"github.com/go-git/go-billy/v5/osfs"
	gogit "github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/cache"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/go-git/go-git/v5/storage/filesystem"
	"github.com/go-git/go-git/v5/storage/filesystem/dotgit"

	"hew/gitops/internal/gitenv"
)

// Repo is a git repository with a working tree.
type Repo struct {
	root      string // the working tree
	gitDir    string // this worktree's git directory (.git, or .git/worktrees/NAME)
	commonDir string // the directory of objects, refs and config shared by all worktrees
	git       *gogit.Repository
	opts      Options
	nowSet    bool // whether Options.Now was given, so commits take their time from it
	permOnce  sync.Once
	objPerm   fs.FileMode // the mode of loose objects, see objectPerm

	// The configuration git last listed, what it was read from, and the stamp of that
	// (see configEntries).
	cfgMu      sync.Mutex
	cfgEntries []configEntry
	cfgOrigins []string
	cfgStamp   string

	pathOnce sync.Once
	path     string // see gitPath

	// The index file the last snapshot's tree was read from (see snapshotTree).
	snapMu   sync.Mutex
	lastSnap indexTree
}

// Options adjusts how Open reads the environment; the zero value uses the process's.
type Options struct {
	// Getenv reads environment variables such as HOME and GIT_AUTHOR_NAME; nil means os.Getenv.
	Getenv func(string) string
	// Now is the clock for commit and checkpoint times; nil means time.Now (and, for commits,
	// git's own clock, which honours GIT_AUTHOR_DATE and GIT_COMMITTER_DATE).
	Now func() time.Time
	// GitProgram is the git command hew runs for what go-git cannot do as git does (filters,
	// line endings, signing, identity); "" looks for git on PATH, "none" does without it.
	GitProgram string
	// RunHookCmd runs a repository hook's prepared command (path, arguments, directory,
	// environment and output are set) and waits for it; a sandbox wraps or replaces the command
	// here. nil runs it as git does, directly.
	RunHookCmd func(cmd *exec.Cmd) error
	// MaxCheckpoints is how many checkpoints of a worktree are kept, the oldest pruned first; 0
	// means DefaultMaxCheckpoints, a negative number no limit.
	MaxCheckpoints int
	// MaxUntrackedSize is the size in bytes above which checkpoints leave an untracked file out
	// (and say so); 0 means DefaultMaxUntrackedSize, a negative number no limit.
	MaxUntrackedSize int64
}

// Open finds the repository containing dir, which may be any directory of its working tree,
// including one of a linked worktree.
func Open(dir string) (*Repo, error) { return OpenWith(dir, Options{}) }

// OpenWith is Open with options.
func OpenWith(dir string, opts Options) (*Repo, error) {
	find := opts.GitProgram == ""
	r, err := openWith(dir, opts)
	if err == nil && find {
		// The git command is never one inside the repository (a PATH entry such as direnv's
		// ./bin would let the repository choose the program hew runs unsandboxed).
		r.opts.GitProgram = findProgram("git", outsideRoot(os.Getenv("PATH"), r.root))
	}
	return r, err
}

// openWith is OpenWith before the git command is looked for.
func openWith(dir string, opts Options) (*Repo, error) {
	if opts.Getenv == nil {
		opts.Getenv = os.Getenv
	}
	nowSet := opts.Now != nil
	if !nowSet {
		opts.Now = time.Now
	}
	switch opts.GitProgram {
	case "":
		opts.GitProgram = gitProgram()
	case "none":
		opts.GitProgram = ""
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("open repository at %s: %w", dir, err)
	}
	if gd := opts.Getenv("GIT_DIR"); gd != "" {
		return openGitDir(abs, gd, opts, nowSet)
	}
	d, err := gitenv.Find(abs)
	if err != nil {
		return nil, err
	}
	if wt := opts.Getenv("GIT_WORK_TREE"); wt != "" {
		d.Root = absFrom(abs, wt)
	}
	g, err := gogit.PlainOpenWithOptions(d.Root, &gogit.PlainOpenOptions{EnableDotGitCommonDir: true})
	if err != nil {
		// A work tree named by GIT_WORK_TREE has no .git of its own.
		g, err = openStorage(d)
	}
	if err != nil {
		return nil, fmt.Errorf("open repository at %s: %w", d.Root, err)
	}
	return &Repo{root: d.Root, gitDir: d.GitDir, commonDir: d.CommonDir, git: g, opts: opts, nowSet: nowSet}, nil
}

// openGitDir opens the repository GIT_DIR names, as git does: its working tree is GIT_WORK_TREE,
// else core.worktree, else the current directory (dir); relative names are taken from dir.
func openGitDir(dir, gitDir string, opts Options, nowSet bool) (*Repo, error) {
	d := gitenv.Dirs{GitDir: absFrom(dir, gitDir)}
	if _, err := os.Stat(filepath.Join(d.GitDir, "HEAD")); err != nil {
		return nil, fmt.Errorf("GIT_DIR=%s is not a git directory (no HEAD in it)", gitDir)
	}
	d.CommonDir = d.GitDir
	if b, err := os.ReadFile(filepath.Join(d.GitDir, "commondir")); err == nil {
		d.CommonDir = absFrom(d.GitDir, strings.TrimSpace(string(b)))
	}
	switch wt := opts.Getenv("GIT_WORK_TREE"); {
	case wt != "":
		d.Root = absFrom(dir, wt)
	default:
		cfg := gitenv.ReadConfig(opts.Getenv, gitenv.Dirs{GitDir: d.GitDir, CommonDir: d.CommonDir})
		if w := cfg.Get("core", "", "worktree"); w != "" {
			d.Root = absFrom(d.GitDir, w)
		} else {
			d.Root = dir
		}
	}
	g, err := openStorage(d)
	if err != nil {
		return nil, fmt.Errorf("open repository %s: %w", d.GitDir, err)
	}
	return &Repo{root: d.Root, gitDir: d.GitDir, commonDir: d.CommonDir, git: g, opts: opts, nowSet: nowSet}, nil
}

// openStorage opens the repository of d through go-git, its git directory apart from its
// working tree.
func openStorage(d gitenv.Dirs) (*gogit.Repository, error) {
	var fs billy.Filesystem = osfs.New(d.GitDir)
	if d.CommonDir != d.GitDir {
		fs = dotgit.NewRepositoryFilesystem(fs, osfs.New(d.CommonDir))
	}
	return gogit.Open(filesystem.NewStorage(fs, cache.NewObjectLRUDefault()), osfs.New(d.Root))
}

// absFrom is p made absolute from base.
func absFrom(base, p string) string {
	if filepath.IsAbs(p) {
		return filepath.Clean(p)
	}
	return filepath.Join(base, p)
}

// Root returns the top directory of the working tree.
func (r *Repo) Root() string { return r.root }

// Head is what HEAD points at.
type Head struct {
	// Branch is the short branch name, such as "main"; empty when HEAD is detached.
	Branch string
	// Hash is the commit, in hex; empty on a branch with no commits yet.
	Hash string
}

// Detached reports whether HEAD names a commit rather than a branch.
func (h Head) Detached() bool { return h.Branch == "" }

// Head returns the current branch, or the commit of a detached HEAD.
func (r *Repo) Head() (Head, error) {
	ref, hash, err := r.head()
	if err != nil {
		return Head{}, err
	}
	h := Head{}
	if ref.IsBranch() {
		h.Branch = ref.Short()
	}
	if !hash.IsZero() {
		h.Hash = hash.String()
	}
	return h, nil
}

// head returns the reference HEAD updates (a branch, or HEAD itself when detached) and the
// commit it points at, zero on an unborn branch.
func (r *Repo) head() (plumbing.ReferenceName, plumbing.Hash, error) {
	ref, err := r.git.Storer.Reference(plumbing.HEAD)
	if err != nil {
		return "", plumbing.ZeroHash, fmt.Errorf("read HEAD: %w", err)
	}
	if ref.Type() == plumbing.HashReference {
		return plumbing.HEAD, ref.Hash(), nil
	}
	target, err := r.git.Storer.Reference(ref.Target())
	if errors.Is(err, plumbing.ErrReferenceNotFound) {
		return ref.Target(), plumbing.ZeroHash, nil
	}
	if err != nil {
		return "", plumbing.ZeroHash, fmt.Errorf("read %s: %w", ref.Target(), err)
	}
	return ref.Target(), target.Hash(), nil
}

// commitTree returns the tree of commit h, or the zero hash when h is zero.
func (r *Repo) commitTree(h plumbing.Hash) (plumbing.Hash, error) {
	if h.IsZero() {
		return plumbing.ZeroHash, nil
	}
	c, err := object.GetCommit(r.git.Storer, h)
	if err != nil {
		return plumbing.ZeroHash, fmt.Errorf("read commit %s: %w", h, err)
	}
	return c.TreeHash, nil
}
