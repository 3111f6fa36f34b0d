package gitops

import (
	"context"
	"fmt"
	"os"
	"sort"

	"github.com/go-git/go-git/v5/plumbing/filemode"
)

// WorkingChange is a file whose content in the working tree differs from HEAD's.
type WorkingChange struct {
	Path string
	// Old is HEAD's content, New the working tree's (a symbolic link's target for a link); each
	// is nil when the file does not exist there.
	Old, New []byte
	Created  bool // not in HEAD
	Deleted  bool // not in the working tree, or ignored and untracked there
}

// Uncommitted lists the changes `git diff HEAD` shows plus the untracked files that are not
// ignored, sorted by path: what committing everything would commit. Like git diff, it compares
// files in the form git stores them (filters and line endings applied). A change of mode alone,
// and submodules, are left out. On an unborn branch every file is created.
func (r *Repo) Uncommitted(ctx context.Context) ([]WorkingChange, error) {
	work, _, err := r.scan(ctx, false)
	if err != nil {
		return nil, fmt.Errorf("list uncommitted changes: %w", err)
	}
	_, head, err := r.head()
	if err != nil {
		return nil, err
	}
	tree, err := r.commitTree(head)
	if err != nil {
		return nil, err
	}
	base, err := r.flatten(tree)
	if err != nil {
		return nil, err
	}
	root, err := os.OpenRoot(r.root)
	if err != nil {
		return nil, fmt.Errorf("open working tree: %w", err)
	}
	defer root.Close()
	var changed []string
	for p, e := range work {
		if b, inHead := base[p]; e.mode != filemode.Submodule && (!inHead || b.hash != e.hash && b.mode != filemode.Submodule) {
			changed = append(changed, p)
		}
	}
	// As git diff does, the working-tree side is compared in the form git stores (filters and
	// line endings applied).
	cv, err := r.conversionsOf(ctx, changed)
	if err != nil {
		return nil, err
	}
	var out []WorkingChange
	for _, p := range changed {
		b, inHead := base[p]
		c := WorkingChange{Path: p, Created: !inHead}
		f, err := readFile(root, p)
		if err != nil {
			return nil, err
		}
		if f, err = cv.clean(ctx, p, f, false); err != nil {
			return nil, err
		}
		c.New = f.data
		if c.New == nil {
			c.New = []byte{}
		}
		if inHead {
			if c.Old, err = r.readBlob(b.hash); err != nil {
				return nil, err
			}
		}
		out = append(out, c)
	}
	for p, b := range base {
		if _, ok := work[p]; !ok && b.mode != filemode.Submodule {
			old, err := r.readBlob(b.hash)
			if err != nil {
				return nil, err
			}
			out = append(out, WorkingChange{Path: p, Old: old, Deleted: true})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Path < out[j].Path })
	return out, nil
}
