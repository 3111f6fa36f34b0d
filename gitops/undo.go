package gitops

import (
	"context"
	"fmt"
	"io/fs"
	"strings"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/go-git/go-git/v5/plumbing/object"

	"hew/gitops/diff"
)

// UndoResult says what Undo reverted.
type UndoResult struct {
	Commit string   // the commit undone
	Parent string   // where the branch points now
	Branch string   // the branch moved; "" for a detached HEAD
	Files  []string // the paths restored to the parent's content
	// Undone holds the working-tree files as they were before the undo, so that a caller can
	// offer the undone change again (the engine returns it to the review as a proposal).
	Undone []UndoneFile
}

// UndoneFile is one working-tree file as it was before an undo.
type UndoneFile struct {
	Path   string
	Exists bool
	Data   []byte      // the content, or a symbolic link's target
	Mode   fs.FileMode // the permission bits, with fs.ModeSymlink for a link
}

// RefusedError is an undo hew declined because it would not be safe; Reason says why.
type RefusedError struct{ Reason string }

func (e *RefusedError) Error() string { return "nothing undone: " + e.Reason }

// Undo reverts the last commit hew made: the branch moves back to its parent, and the committed
// files, in the working tree and the index, lose the commit's change while keeping anything else
// the user had in them. It refuses with a *RefusedError when the commit is no longer HEAD, was
// pushed (is contained in the branch's upstream), or its files were changed since.
func (r *Repo) Undo(ctx context.Context) (UndoResult, error) {
	rec, err := r.lastRecord()
	if err != nil {
		return UndoResult{}, err
	}
	refuse := func(format string, args ...any) (UndoResult, error) {
		return UndoResult{}, &RefusedError{Reason: fmt.Sprintf(format, args...)}
	}
	if rec == nil {
		return refuse("hew has made no commit in this repository that is not undone")
	}
	if err := r.checkOwnership(); err != nil {
		return UndoResult{}, err
	}
	commit := plumbing.NewHash(rec.Commit)
	short := rec.Commit[:min(len(rec.Commit), 12)]
	if rec.Branch != "" {
		return refuse("hew's last commit %s went to branch %s, not to your checkout; delete the branch with 'git branch -D %s' if you do not want it", short, rec.Branch, rec.Branch)
	}
	refName, head, err := r.head()
	if err != nil {
		return UndoResult{}, err
	}
	if head != commit || refName.String() != rec.Ref {
		return refuse("hew's last commit %s is no longer HEAD (HEAD is %s at %s); undo only reverts hew's commit while nothing came after it", short, refName.Short(), hashString(head))
	}
	parent := plumbing.NewHash(rec.Parent)
	if parent.IsZero() {
		return refuse("commit %s is the first of the repository; there is nothing to go back to", short)
	}
	cfg := r.readConfig()
	if up, err := r.pushedTo(ctx, commit); err != nil {
		return UndoResult{}, err
	} else if up != "" {
		return refuse("commit %s was pushed (it is in %s); revert it with 'git revert %s' instead", short, up, short)
	}
	if err := ctx.Err(); err != nil {
		return UndoResult{}, err
	}
	var paths []string
	for _, f := range rec.Files {
		paths = append(paths, f.Path)
	}
	idx, err := r.lockIndex(ctx, paths)
	if err != nil {
		return UndoResult{}, err
	}
	defer idx.release()
	root := guarded(r.root) // what writeFiles will replace: no link followed
	commitTree, err := r.commitTree(commit)
	if err != nil {
		return UndoResult{}, err
	}
	parentTree, err := r.commitTree(parent)
	if err != nil {
		return UndoResult{}, err
	}
	cv, err := r.conversions(ctx, cfg, paths)
	if err != nil {
		return UndoResult{}, err
	}
	var ws []write
	var plan []indexChange
	var changed []string
	var undone []UndoneFile
	for _, f := range rec.Files {
		wt, err := readFile(root, f.Path)
		if err != nil {
			return UndoResult{}, err
		}
		undone = append(undone, undoneFile(f.Path, wt))
		w, c, ok, err := r.undoFile(ctx, cv, idx, f, wt, commitTree, parentTree)
		if err != nil {
			return UndoResult{}, err
		}
		if !ok {
			changed = append(changed, f.Path)
			continue
		}
		ws, plan = append(ws, w), append(plan, c)
	}
	if len(changed) > 0 {
		return refuse("files of commit %s changed since hew committed it: %s", short, strings.Join(changed, ", "))
	}
	if err := r.writeFiles(ws); err != nil {
		return UndoResult{}, err
	}
	who, _ := r.identity(cfg, "COMMITTER") // only for the reflog, which is skipped without one
	if err := r.moveRef(refName, commit, parent, who, "hew undo: back to "+parent.String()[:12]); err != nil {
		return UndoResult{}, err
	}
	res := UndoResult{Commit: commit.String(), Parent: parent.String(), Undone: undone} // full hashes, even from a hand-edited log
	if refName.IsBranch() {
		res.Branch = refName.Short()
	}
	for _, c := range plan {
		res.Files = append(res.Files, c.path)
	}
	if _, err := r.applyIndexPlan(ctx, cv, idx, plan); err != nil {
		return res, fmt.Errorf("the branch moved back to %s, but: %w", rec.Parent, err)
	}
	if err := r.appendRecord(record{Undone: rec.Commit}); err != nil {
		return res, err
	}
	return res, nil
}

// undoFile works out what committed path f, wt in the working tree, returns to when its commit,
// from parentTree to commitTree, is taken out: the working-tree file to write and the index
// entry to set. It reports !ok when the file or its index entry changed since hew committed it,
// and a *RefusedError when the commit's change cannot be taken out of what is there.
func (r *Repo) undoFile(ctx context.Context, cv *conversion, idx *lockedIndex, f recordFile, wt file, commitTree, parentTree plumbing.Hash) (w write, c indexChange, ok bool, err error) {
	staged := entry{}
	if e := idx.get(f.Path); e != nil {
		staged = entry{e.Mode, e.Hash}
	}
	if hashString(wt.entry().hash) != f.Worktree || hashString(staged.hash) != f.Index || idx.other[f.Path] {
		return w, c, false, nil
	}
	committed, err := r.headFile(commitTree, f.Path)
	if err != nil {
		return w, c, false, err
	}
	before, err := r.headFile(parentTree, f.Path)
	if err != nil {
		return w, c, false, err
	}
	if wt, err = cv.clean(ctx, f.Path, wt, false); err != nil {
		return w, c, false, err
	}
	newWT, err := revert(f.Path, committed, wt, before)
	if err != nil {
		return w, c, false, &RefusedError{Reason: err.Error()}
	}
	if newWT, err = cv.smudgeFile(ctx, f.Path, newWT); err != nil {
		return w, c, false, err
	}
	stagedFile := file{}
	if !staged.hash.IsZero() {
		if stagedFile, err = r.entryFile(f.Path, staged); err != nil {
			return w, c, false, err
		}
	}
	newIdx, err := revert(f.Path, committed, stagedFile, before)
	if err != nil {
		return w, c, false, &RefusedError{Reason: err.Error() + " (staged)"}
	}
	if newIdx.exists {
		if _, err := r.writeObject(plumbing.BlobObject, newIdx.data); err != nil {
			return w, c, false, err
		}
	}
	return write{path: f.Path, file: newWT}, indexChange{path: f.Path, entry: newIdx.entry()}, true, nil
}

// revert takes a commit's change (before → committed) out of cur, a later state of the file.
func revert(p string, committed, cur, before file) (file, error) {
	switch {
	case equalFile(cur, committed):
		return before, nil
	case !cur.exists || !committed.exists || !before.exists || cur.mode != committed.mode:
		return file{}, fmt.Errorf("%s differs from the commit in a way hew cannot take the commit out of", p)
	case diff.IsBinary(cur.data) || diff.IsBinary(committed.data) || diff.IsBinary(before.data):
		return file{}, fmt.Errorf("%s is binary and differs from the commit", p)
	}
	text, cs := diff.Merge(committed.data, cur.data, before.data)
	if len(cs) > 0 {
		return file{}, fmt.Errorf("%s: your uncommitted edits touch the lines the commit changed (%s)", p, cs[0].Ours)
	}
	return file{exists: true, data: text, mode: before.mode}, nil
}

// pushedTo returns a remote-tracking ref (refs/remotes/...) that contains commit, whatever the
// branch it was pushed under; "" when none does. A branch that tracks a local branch has no
// remote-tracking ref to check.
func (r *Repo) pushedTo(ctx context.Context, commit plumbing.Hash) (string, error) {
	if r.hasGit() {
		out, err := r.runGit(ctx, nil, "for-each-ref", "--count=1", "--format=%(refname:short)", "--contains", commit.String(), "refs/remotes/")
		if err != nil {
			return "", fmt.Errorf("look for the commit in remote-tracking branches: %w", err)
		}
		return strings.TrimSpace(string(out)), nil
	}
	iter, err := r.git.Storer.IterReferences()
	if err != nil {
		return "", fmt.Errorf("list remote-tracking branches: %w", err)
	}
	defer iter.Close()
	c, err := object.GetCommit(r.git.Storer, commit)
	if err != nil {
		return "", fmt.Errorf("read commit %s: %w", commit, err)
	}
	found := ""
	err = iter.ForEach(func(ref *plumbing.Reference) error {
		if found != "" || !ref.Name().IsRemote() || ref.Type() != plumbing.HashReference {
			return nil
		}
		if ref.Hash() == commit {
			found = ref.Name().Short()
			return nil
		}
		upc, err := object.GetCommit(r.git.Storer, ref.Hash())
		if err != nil {
			return nil // the remote ref names a commit we do not have: it cannot contain ours
		}
		if ok, err := c.IsAncestor(upc); err == nil && ok {
			found = ref.Name().Short()
		}
		return nil
	})
	return found, err
}

// undoneFile describes f, the working tree's p before an undo.
func undoneFile(p string, f file) UndoneFile {
	u := UndoneFile{Path: p, Exists: f.exists, Data: f.data, Mode: f.perm}
	switch {
	case f.mode == filemode.Symlink:
		u.Mode = fs.ModeSymlink | 0o777
	case u.Mode == 0 && f.mode == filemode.Executable:
		u.Mode = 0o755
	case u.Mode == 0:
		u.Mode = 0o644
	}
	return u
}
