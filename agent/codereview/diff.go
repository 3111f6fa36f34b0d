package codereview

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sort"

	gogit "github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"

	"hew/gitops"
)

// Target says which change to review. At most one of Base and Commit is set; with neither,
// the uncommitted changes are reviewed.
type Target struct {
	// Base reviews the current branch against REF: the changes from their merge base to HEAD,
	// as a pull request shows them.
	Base string
	// Commit reviews one commit against its first parent.
	Commit string
}

// String names the target for people, such as "uncommitted changes" or "main...HEAD".
func (t Target) String() string {
	switch {
	case t.Commit != "":
		return "commit " + t.Commit
	case t.Base != "":
		return t.Base + "...HEAD"
	}
	return "uncommitted changes"
}

// File is one changed file: its old and new contents, nil where the file does not exist.
type File struct {
	Path     string // the new path, or the old one for a deletion
	Old, New []byte
	Created  bool
	Deleted  bool
}

// ErrBadTarget reports a revision that does not resolve, or a repository that cannot be read.
var ErrBadTarget = errors.New("review target")

// Collect returns the changed files of t in the repository around dir, sorted by path.
func Collect(dir string, t Target) ([]File, error) {
	repo, err := gogit.PlainOpenWithOptions(dir, &gogit.PlainOpenOptions{DetectDotGit: true, EnableDotGitCommonDir: true})
	if err != nil {
		return nil, fmt.Errorf("%w: open the repository at %s: %v", ErrBadTarget, dir, err)
	}
	var files []File
	switch {
	case t.Commit != "":
		files, err = commitFiles(repo, t.Commit)
	case t.Base != "":
		files, err = baseFiles(repo, t.Base)
	default:
		files, err = uncommittedFiles(dir)
	}
	sort.Slice(files, func(i, j int) bool { return files[i].Path < files[j].Path })
	return files, err
}

func resolve(repo *gogit.Repository, rev, flag string) (*object.Commit, error) {
	h, err := repo.ResolveRevision(plumbing.Revision(rev))
	if err != nil {
		return nil, fmt.Errorf("%w: %s %q does not name a commit in this repository: %v", ErrBadTarget, flag, rev, err)
	}
	c, err := repo.CommitObject(*h)
	if err != nil {
		return nil, fmt.Errorf("%w: %s %q: %v", ErrBadTarget, flag, rev, err)
	}
	return c, nil
}

// commitFiles is what commit rev changed against its first parent (everything, for a root).
func commitFiles(repo *gogit.Repository, rev string) ([]File, error) {
	c, err := resolve(repo, rev, "--commit")
	if err != nil {
		return nil, err
	}
	var parent *object.Commit
	if c.NumParents() > 0 {
		if parent, err = c.Parent(0); err != nil {
			return nil, fmt.Errorf("read the parent of %s: %w", rev, err)
		}
	}
	return treeFiles(parent, c)
}

// baseFiles is what HEAD changed since its merge base with rev.
func baseFiles(repo *gogit.Repository, rev string) ([]File, error) {
	base, err := resolve(repo, rev, "--base")
	if err != nil {
		return nil, err
	}
	head, err := resolve(repo, "HEAD", "HEAD")
	if err != nil {
		return nil, err
	}
	bases, err := base.MergeBase(head)
	if err != nil {
		return nil, fmt.Errorf("find the merge base of %s and HEAD: %w", rev, err)
	}
	if len(bases) == 0 {
		return nil, fmt.Errorf("%w: %s and HEAD have no common history", ErrBadTarget, rev)
	}
	return treeFiles(bases[0], head)
}

// treeFiles compares the trees of two commits; a nil from means an empty tree.
func treeFiles(from, to *object.Commit) ([]File, error) {
	var a, b *object.Tree
	var err error
	if from != nil {
		if a, err = from.Tree(); err != nil {
			return nil, fmt.Errorf("read the tree of %s: %w", from.Hash, err)
		}
	}
	if b, err = to.Tree(); err != nil {
		return nil, fmt.Errorf("read the tree of %s: %w", to.Hash, err)
	}
	changes, err := object.DiffTree(a, b)
	if err != nil {
		return nil, fmt.Errorf("compare trees: %w", err)
	}
	var out []File
	for _, ch := range changes {
		f, t, err := ch.Files()
		if err != nil {
			return nil, fmt.Errorf("read the changed files: %w", err)
		}
		var file File
		if f != nil {
			file.Path = ch.From.Name
			if file.Old, err = blob(f); err != nil {
				return nil, err
			}
		}
		if t != nil {
			file.Path = ch.To.Name
			if file.New, err = blob(t); err != nil {
				return nil, err
			}
		}
		file.Created, file.Deleted = f == nil, t == nil
		out = append(out, file)
	}
	return out, nil
}

func blob(f *object.File) ([]byte, error) {
	r, err := f.Reader()
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", f.Name, err)
	}
	defer r.Close()
	b, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", f.Name, err)
	}
	return b, nil
}

// uncommittedFiles compares HEAD with the working tree: staged and unstaged changes, and
// untracked files that are not ignored, by gitops's ignore rules.
func uncommittedFiles(dir string) ([]File, error) {
	repo, err := gitops.Open(dir)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrBadTarget, err)
	}
	changes, err := repo.Uncommitted(context.Background())
	if err != nil {
		return nil, fmt.Errorf("read the uncommitted changes: %w", err)
	}
	out := make([]File, len(changes))
	for i, c := range changes {
		out[i] = File{Path: c.Path, Old: c.Old, New: c.New, Created: c.Created, Deleted: c.Deleted}
	}
	return out, nil
}
