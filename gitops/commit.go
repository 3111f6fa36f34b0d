package gitops

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/go-git/go-git/v5/plumbing/object"

	"hew/gitops/diff"
)

// CommitOptions says what Commit records.
type CommitOptions struct {
	// Updates are accepted changes to commit: each file is committed as HEAD has it plus the
	// update's change from Base to New, so edits the user made to the same file and has not
	// committed stay out of the commit.
	Updates []Update
	// Files are paths committed with their whole current working-tree content (a missing file
	// is committed as deleted).
	Files []string
	// Message is the commit message: a subject line, a blank line, a body.
	Message string
	// Trailer, such as "Co-authored-by: hew (gpt-5) <hew@localhost>", is appended to the
	// message when it is not already there.
	Trailer string
	// Branch, when set, names a new branch to commit on, created from HEAD; HEAD, the index and
	// the working tree are left alone. Commit refuses a branch that exists.
	Branch string
	// NoVerify skips the pre-commit and commit-msg hooks.
	NoVerify bool
	// RunHook runs a hook, in the sandbox; nil runs it directly.
	RunHook func(ctx context.Context, h Hook) (output string, err error)
}

// ErrNothingToCommit is returned when the files committed are as HEAD has them.
var ErrNothingToCommit = errors.New("nothing to commit: the files are as HEAD has them")

// Commit makes a commit whose tree is HEAD's tree with exactly the given updates and files and
// returns its hash. The user's other changes stay as they were, staged or not. Unless a branch
// is named, the current branch (or detached HEAD) moves to the commit and the index entries of
// the committed paths are updated so that git shows them clean; a path with staged changes
// keeps them, on top of the commit.
func (r *Repo) Commit(ctx context.Context, opts CommitOptions) (string, error) {
	msg := strings.TrimSpace(opts.Message)
	if msg == "" {
		return "", errors.New("commit: the message is empty")
	}
	if opts.Trailer != "" && !strings.Contains(msg, opts.Trailer) {
		msg += "\n\n" + opts.Trailer
	}
	msg += "\n"
	cfg := r.readConfig()
	author, err := r.identity(cfg, "AUTHOR")
	if err != nil {
		return "", err
	}
	committer, err := r.identity(cfg, "COMMITTER")
	if err != nil {
		return "", err
	}
	refName, parent, err := r.head()
	if err != nil {
		return "", err
	}
	if opts.Branch != "" {
		refName = plumbing.NewBranchReferenceName(opts.Branch)
		if err := refName.Validate(); err != nil || strings.HasPrefix(opts.Branch, "-") {
			return "", fmt.Errorf("commit: %q is not a valid branch name", opts.Branch)
		}
		if _, err := r.git.Storer.Reference(refName); err == nil {
			return "", fmt.Errorf("commit: branch %s already exists; hew does not overwrite branches, choose another name", opts.Branch)
		}
	}
	headTree, err := r.commitTree(parent)
	if err != nil {
		return "", err
	}
	files, err := r.committedFiles(headTree, opts)
	if err != nil {
		return "", err
	}
	var idx *lockedIndex
	if opts.Branch == "" {
		if idx, err = r.lockIndex(); err != nil {
			return "", err
		}
		defer idx.release()
	}
	plan, err := r.indexPlan(idx, headTree, files)
	if err != nil {
		return "", err
	}
	changes := map[string]entry{}
	for _, f := range files {
		e := f.file.entry()
		if f.file.exists {
			if _, err := r.writeObject(plumbing.BlobObject, f.file.data); err != nil {
				return "", err
			}
		}
		changes[f.path] = e
	}
	tree, err := r.editTree(headTree, changes)
	if err != nil {
		return "", err
	}
	if tree == headTree {
		return "", ErrNothingToCommit
	}
	if !opts.NoVerify {
		if msg, err = r.runCommitHooks(ctx, cfg, opts.RunHook, tree, msg); err != nil {
			return "", err
		}
	}
	now := r.opts.Now()
	c := &object.Commit{Author: author.at(now), Committer: committer.at(now), Message: msg, TreeHash: tree}
	if !parent.IsZero() {
		c.ParentHashes = []plumbing.Hash{parent}
	}
	hash, err := r.writeCommit(c)
	if err != nil {
		return "", err
	}
	oldTip := parent
	if opts.Branch != "" {
		oldTip = plumbing.ZeroHash // a new branch
	}
	if err := r.moveRef(refName, oldTip, hash, committer, "commit: "+firstLine(msg)); err != nil {
		return "", err
	}
	rec := record{Commit: hash.String(), Parent: parent.String(), Ref: refName.String(), Branch: opts.Branch}
	if idx != nil {
		if rec.Files, err = r.applyIndexPlan(idx, plan); err != nil {
			return "", fmt.Errorf("commit %s was made, but: %w", hash, err)
		}
	}
	if err := r.appendRecord(rec); err != nil {
		return "", fmt.Errorf("commit %s was made, but: %w", hash, err)
	}
	return hash.String(), nil
}

// committedFile is a path and the content the commit gives it.
type committedFile struct {
	path string
	file file
}

// committedFiles works out the content each update and file is committed with.
func (r *Repo) committedFiles(headTree plumbing.Hash, opts CommitOptions) ([]committedFile, error) {
	var out []committedFile
	seen := map[string]bool{}
	add := func(p string, f file) error {
		if seen[p] {
			return fmt.Errorf("commit: %s is named twice", p)
		}
		seen[p] = true
		out = append(out, committedFile{p, f})
		return nil
	}
	for _, u := range opts.Updates {
		if err := checkPath(u.Path); err != nil {
			return nil, err
		}
		head, err := r.headFile(headTree, u.Path)
		if err != nil {
			return nil, err
		}
		f, fc := merged(u, head)
		if fc != nil {
			return nil, fmt.Errorf("commit: %s in HEAD differs from the proposal's base and %s; commit or stash your own changes to it first, or commit the whole file",
				u.Path, describeConflict(fc))
		}
		if err := add(u.Path, f); err != nil {
			return nil, err
		}
	}
	if len(opts.Files) == 0 {
		return out, nil
	}
	root, err := os.OpenRoot(r.root)
	if err != nil {
		return nil, fmt.Errorf("open working tree: %w", err)
	}
	defer root.Close()
	for _, p := range opts.Files {
		if err := checkPath(p); err != nil {
			return nil, err
		}
		f, err := readFile(root, p)
		if err != nil {
			return nil, err
		}
		if err := add(p, f); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// describeConflict says in a few words why a file conflicts.
func describeConflict(fc *FileConflict) string {
	if fc.Reason != "" {
		return fc.Reason
	}
	var parts []string
	for _, c := range fc.Conflicts {
		parts = append(parts, c.Base.String())
	}
	return "the change overlaps " + strings.Join(parts, ", ")
}

// headFile reads path p from HEAD's tree.
func (r *Repo) headFile(headTree plumbing.Hash, p string) (file, error) {
	e, ok, err := r.lookup(headTree, p)
	if err != nil || !ok {
		return file{}, err
	}
	return r.entryFile(p, e)
}

// entryFile reads the blob of the tree or index entry e for path p.
func (r *Repo) entryFile(p string, e entry) (file, error) {
	if e.mode == filemode.Submodule {
		return file{}, fmt.Errorf("%s is a submodule; hew does not change submodules, commit it with git", p)
	}
	data, err := r.readBlob(e.hash)
	if err != nil {
		return file{}, err
	}
	return file{exists: true, data: data, mode: e.mode}, nil
}

// indexChange is the index entry a committed path gets.
type indexChange struct {
	path     string
	entry    entry // zero to remove
	worktree bool  // whether the working-tree file has exactly this content
}

// indexPlan works out the index entries of the committed paths: the committed content when
// nothing was staged for the path, else the staged content with the commit's change merged in.
// It refuses when the two cannot be merged, before anything is written.
func (r *Repo) indexPlan(idx *lockedIndex, headTree plumbing.Hash, files []committedFile) ([]indexChange, error) {
	if idx == nil {
		return nil, nil
	}
	var plan []indexChange
	for _, f := range files {
		if idx.other[f.path] {
			return nil, fmt.Errorf("commit: %s has unresolved merge conflicts; resolve them first", f.path)
		}
		headEntry, inHead, err := r.lookup(headTree, f.path)
		if err != nil {
			return nil, err
		}
		staged := idx.get(f.path)
		want := f.file.entry()
		switch {
		case staged == nil && !inHead, staged != nil && inHead && staged.Hash == headEntry.hash && staged.Mode == headEntry.mode:
			// Nothing staged: the index takes the committed content.
		case staged != nil && staged.Hash == want.hash && staged.Mode == want.mode:
			// Already staged as committed.
		case staged == nil:
			return nil, fmt.Errorf("commit: %s is staged for deletion; unstage that first (git restore --staged %s)", f.path, f.path)
		default:
			if want, err = r.mergeStaged(f, headEntry, inHead, staged.Hash, staged.Mode); err != nil {
				return nil, err
			}
		}
		plan = append(plan, indexChange{path: f.path, entry: want})
	}
	return plan, nil
}

// mergeStaged returns the index entry for a committed file whose path has staged changes: the
// staged content with the commit's change from HEAD merged in.
func (r *Repo) mergeStaged(f committedFile, head entry, inHead bool, stagedHash plumbing.Hash, stagedMode filemode.FileMode) (entry, error) {
	refuse := func(why string) (entry, error) {
		return entry{}, fmt.Errorf("commit: %s has staged changes that %s; commit or unstage them first", f.path, why)
	}
	if !inHead {
		return refuse("add the file too")
	}
	if !f.file.exists {
		return refuse("the commit would delete")
	}
	if stagedMode != head.mode || f.file.mode != head.mode {
		return refuse("change its mode")
	}
	base, err := r.readBlob(head.hash)
	if err != nil {
		return entry{}, err
	}
	staged, err := r.readBlob(stagedHash)
	if err != nil {
		return entry{}, err
	}
	if diff.IsBinary(base) || diff.IsBinary(staged) || diff.IsBinary(f.file.data) {
		return refuse("are binary and overlap the commit")
	}
	text, cs := diff.Merge(base, staged, f.file.data)
	if len(cs) > 0 {
		return refuse(describeConflict(&FileConflict{Conflicts: cs}))
	}
	h, err := r.writeObject(plumbing.BlobObject, text)
	if err != nil {
		return entry{}, err
	}
	return entry{head.mode, h}, nil
}

// applyIndexPlan writes the planned entries into the index, with the files' stat data where the
// working tree holds exactly the entry's content, and returns what it recorded for undo.
func (r *Repo) applyIndexPlan(idx *lockedIndex, plan []indexChange) ([]recordFile, error) {
	root, err := os.OpenRoot(r.root)
	if err != nil {
		return nil, fmt.Errorf("open working tree: %w", err)
	}
	defer root.Close()
	var recs []recordFile
	for _, c := range plan {
		wt, err := readFile(root, c.path)
		if err != nil {
			return nil, err
		}
		var fi os.FileInfo
		if wt.exists && wt.entry() == c.entry {
			if fi, err = root.Lstat(c.path); err != nil {
				return nil, fmt.Errorf("stat %s: %w", c.path, err)
			}
		}
		idx.set(c.path, c.entry, fi)
		recs = append(recs, recordFile{Path: c.path, Worktree: hashString(wt.entry().hash), Index: hashString(c.entry.hash)})
	}
	return recs, idx.save()
}

// hashString is h in hex, or "" for the zero hash.
func hashString(h plumbing.Hash) string {
	if h.IsZero() {
		return ""
	}
	return h.String()
}

// moveRef moves ref from old to new as swapRef does, and notes the move in the reflogs as made
// by who (no note when who is unknown).
func (r *Repo) moveRef(ref plumbing.ReferenceName, old, new plumbing.Hash, who Signature, why string) error {
	if err := r.swapRef(ref, old, new); err != nil {
		return err
	}
	if who != (Signature{}) {
		r.appendReflog(ref, old, new, who, why)
	}
	return nil
}

// swapRef points ref at new, failing if it no longer points at old (zero: if it exists).
func (r *Repo) swapRef(ref plumbing.ReferenceName, old, new plumbing.Hash) error {
	var oldRef *plumbing.Reference
	if !old.IsZero() {
		oldRef = plumbing.NewHashReference(ref, old)
	}
	if err := r.git.Storer.CheckAndSetReference(plumbing.NewHashReference(ref, new), oldRef); err != nil {
		return fmt.Errorf("move %s to %s: %w (did another git command change it meanwhile?)", ref.Short(), new, err)
	}
	return nil
}

// appendReflog adds a reflog line for ref, and for HEAD when HEAD is on ref; reflogs are a
// convenience, so failures are ignored.
func (r *Repo) appendReflog(ref plumbing.ReferenceName, old, new plumbing.Hash, who Signature, why string) {
	now := r.opts.Now()
	line := fmt.Sprintf("%s %s %s <%s> %d %s\t%s\n", old, new, who.Name, who.Email, now.Unix(), now.Format("-0700"), why)
	var logs []string
	if ref != plumbing.HEAD {
		logs = append(logs, filepath.Join(r.commonDir, "logs", ref.String()))
	}
	if head, err := r.git.Storer.Reference(plumbing.HEAD); err == nil && (ref == plumbing.HEAD || head.Target() == ref) {
		logs = append(logs, filepath.Join(r.gitDir, "logs", "HEAD"))
	}
	for _, p := range logs {
		if err := os.MkdirAll(filepath.Dir(p), 0o777); err != nil {
			continue
		}
		if f, err := os.OpenFile(p, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o666); err == nil {
			_, _ = f.WriteString(line)
			f.Close()
		}
	}
}

// firstLine is the subject of a commit message.
func firstLine(msg string) string {
	line, _, _ := strings.Cut(msg, "\n")
	return line
}
