package gitops

import (
	"context"
	"fmt"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"
)

// WorkingTreeWith returns the hash of the tree that holds the working tree as a checkpoint
// takes it (tracked files and untracked files that are not ignored) with changes applied over
// it: each Update's New written (with its Mode; zero keeps the file's mode) or, with Delete,
// the file removed. Only New, Delete and Mode of an Update are read. Two views of the
// repository hold the same files exactly when their trees are equal, which tells, for one,
// whether a test run on one of them says anything about the other. (The working tree's files
// are hashed in the form git stores them, changes as given: where git filters a file, equal
// content may hash apart, never the other way.) The tree and its new blobs
// are written to the object store, unreferenced (git gc prunes them).
func (r *Repo) WorkingTreeWith(ctx context.Context, changes []Update) (string, error) {
	base, _, err := r.snapshotTree(ctx)
	if err != nil {
		return "", fmt.Errorf("snapshot the working tree: %w", err)
	}
	var tree *object.Tree
	if !base.IsZero() {
		if tree, err = object.GetTree(r.git.Storer, base); err != nil {
			return "", fmt.Errorf("read tree %s: %w", base, err)
		}
	}
	edits := make(map[string]entry, len(changes))
	for _, u := range changes {
		if u.Delete {
			edits[u.Path] = entry{}
			continue
		}
		var cur file
		if tree != nil {
			if e, err := tree.FindEntry(u.Path); err == nil {
				cur = file{exists: true, mode: e.Mode}
			}
		}
		h, err := r.writeObject(plumbing.BlobObject, u.New)
		if err != nil {
			return "", err
		}
		edits[u.Path] = entry{mode: updateMode(u.Mode, cur), hash: h}
	}
	if len(edits) == 0 {
		return base.String(), nil
	}
	h, err := r.editTree(base, edits)
	if err != nil {
		return "", err
	}
	return h.String(), nil
}
