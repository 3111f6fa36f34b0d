package gitops

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/filemode"

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
	// NoVerify skips the pre-commit and commit-msg hooks, as git commit --no-verify does
	// (prepare-commit-msg and post-commit still run).
	NoVerify bool
	// RunHook runs a hook, in the sandbox; nil runs it directly.
	RunHook func(ctx context.Context, h Hook) (output string, err error)
}

// ErrNothingToCommit is returned when the files committed are as HEAD has them.
var ErrNothingToCommit = errors.New("nothing to commit: the files are as HEAD has them")

// commitPlan is a commit worked out and checked, with its tree written, before anything the
// user sees changes.
type commitPlan struct {
	msg      string
	refName  plumbing.ReferenceName
	parent   plumbing.Hash
	headTree plumbing.Hash
	tree     plumbing.Hash
	files    []committedFile
	cv       *conversion
	idx      *lockedIndex // nil for a commit to a new branch
	index    []indexChange
	sign     bool // commit.gpgSign asks for a signed commit
}

// CheckCommit checks everything that decides whether Commit(ctx, opts) can be made, as if the
// updates were already accepted, and writes nothing the user sees: the repository is one git
// commits in (ownership, no merge, cherry-pick, revert or rebase stopped, no unmerged paths),
// the identity is set, the filters the files need run, and signing works when
// commit.gpgSign asks for it. Call it before accepting changes that are to be committed, so
// that either both happen or neither.
func (r *Repo) CheckCommit(ctx context.Context, opts CommitOptions) error {
	attrs := r.startCheckAttr(ctx, commitPaths(opts)) // meanwhile
	defer attrs.wait()
	cfg := r.readConfig()
	identities := r.startIdentities(ctx, cfg) // meanwhile
	p, err := r.planCommit(ctx, cfg, opts, attrs)
	if p != nil && p.idx != nil {
		p.idx.release()
	}
	_, idErr := identities()
	if err != nil {
		return err
	}
	if idErr != nil {
		return idErr
	}
	if p.sign {
		// A signature made and thrown away proves the key and the agent work now.
		if _, err := r.makeCommit(ctx, cfg, p, p.msg); err != nil {
			return err
		}
	}
	return nil
}

// Commit makes a commit whose tree is HEAD's tree with exactly the given updates and files and
// returns its hash. The user's other changes stay as they were, staged or not. Unless a branch
// is named, the current branch (or detached HEAD) moves to the commit and the index entries of
// the committed paths are updated so that git shows them clean; a path with staged changes
// keeps them, on top of the commit.
func (r *Repo) Commit(ctx context.Context, opts CommitOptions) (string, error) {
	attrs := r.startCheckAttr(ctx, commitPaths(opts)) // meanwhile
	defer attrs.wait()
	cfg := r.readConfig()
	p, err := r.planCommit(ctx, cfg, opts, attrs)
	if p != nil && p.idx != nil {
		defer p.idx.release()
	}
	if err != nil {
		return "", err
	}
	if err := r.runCommitHooks(ctx, cfg, opts.RunHook, p, opts.NoVerify); err != nil {
		return "", err
	}
	p.msg = cleanupMessage(p.msg, cfg)
	if strings.TrimSpace(p.msg) == "" {
		return "", errors.New("commit: the message is empty after the hooks and git's clean-up; nothing was committed")
	}
	hash, err := r.makeCommit(ctx, cfg, p, p.msg)
	if err != nil {
		return "", err
	}
	oldTip := p.parent
	if opts.Branch != "" {
		oldTip = plumbing.ZeroHash // a new branch
	}
	committer := r.committerOf(hash)
	if err := r.moveRef(p.refName, oldTip, hash, committer, "commit: "+firstLine(p.msg)); err != nil {
		return "", err
	}
	rec := record{Commit: hash.String(), Parent: p.parent.String(), Ref: p.refName.String(), Branch: opts.Branch}
	if p.idx != nil {
		if rec.Files, err = r.applyIndexPlan(ctx, p.cv, p.idx, p.index); err != nil {
			return "", fmt.Errorf("commit %s was made, but: %w", hash, err)
		}
	}
	if err := r.appendRecord(rec); err != nil {
		return "", fmt.Errorf("commit %s was made, but: %w", hash, err)
	}
	r.runPostCommit(ctx, cfg, opts.RunHook)
	return hash.String(), nil
}

// planCommit works out the commit opts asks for and checks it can be made; the index is
// locked (p.idx) unless the commit goes to a new branch, also when an error is returned.
func (r *Repo) planCommit(ctx context.Context, cfg gitConfig, opts CommitOptions, attrs *attrRun) (*commitPlan, error) {
	msg := opts.Message
	if strings.TrimSpace(msg) == "" {
		return nil, errors.New("commit: the message is empty")
	}
	if opts.Trailer != "" && !strings.Contains(msg, opts.Trailer) {
		msg = strings.TrimRight(msg, " \t\r\n") + "\n\n" + opts.Trailer
	}
	if strings.ToLower(cfg.Get("commit", "", "cleanup")) != "verbatim" {
		msg = stripSpace(msg, "") // as git does before the hooks see it
	}
	p := &commitPlan{msg: msg, sign: cfg.Bool("commit", "", "gpgSign")}
	if err := r.checkOwnership(); err != nil {
		return nil, err
	}
	if opts.Branch == "" {
		if err := r.checkNoOperation(); err != nil {
			return nil, err
		}
	}
	if p.sign && !r.hasGit() {
		return nil, errNoGit("signing commits (commit.gpgSign is set)")
	}
	var err error
	if p.refName, p.parent, err = r.head(); err != nil {
		return nil, err
	}
	if opts.Branch != "" {
		p.refName = plumbing.NewBranchReferenceName(opts.Branch)
		if err := p.refName.Validate(); err != nil || strings.HasPrefix(opts.Branch, "-") {
			return nil, fmt.Errorf("commit: %q is not a valid branch name", opts.Branch)
		}
		if _, err := r.git.Storer.Reference(p.refName); err == nil {
			return nil, fmt.Errorf("commit: branch %s already exists; hew does not overwrite branches, choose another name", opts.Branch)
		}
	}
	if p.headTree, err = r.commitTree(p.parent); err != nil {
		return nil, err
	}
	if p.files, p.cv, err = r.committedFiles(ctx, cfg, p.headTree, opts, attrs); err != nil {
		return nil, err
	}
	if opts.Branch == "" {
		paths := make([]string, len(p.files))
		for i, f := range p.files {
			paths[i] = f.path
		}
		if p.idx, err = r.lockIndex(ctx, paths); err != nil {
			return nil, err
		}
		if len(p.idx.other) > 0 {
			return p, fmt.Errorf("commit: the index has unmerged paths (%s); git refuses to commit until they are resolved: fix them, 'git add' them, and retry", strings.Join(slices.Sorted(maps.Keys(p.idx.other)), ", "))
		}
	}
	if p.index, err = r.indexPlan(p.idx, p.headTree, p.files); err != nil {
		return p, err
	}
	changes := map[string]entry{}
	for _, f := range p.files {
		if f.file.exists {
			if _, err := r.writeObject(plumbing.BlobObject, f.file.data); err != nil {
				return p, err
			}
		}
		changes[f.path] = f.file.entry()
	}
	if p.tree, err = r.editTree(p.headTree, changes); err != nil {
		return p, err
	}
	if p.tree == p.headTree {
		return p, ErrNothingToCommit
	}
	return p, nil
}

// cleanupMessage cleans msg as git commit -m does after the hooks (commit.cleanup, default
// "whitespace"): see stripSpace; "strip" also drops comment lines (core.commentChar, "#");
// "verbatim" leaves it alone.
func cleanupMessage(msg string, cfg gitConfig) string {
	switch strings.ToLower(cfg.Get("commit", "", "cleanup")) {
	case "verbatim":
		return msg
	case "strip":
		comment := cfg.Get("core", "", "commentChar")
		if comment == "" || comment == "auto" {
			comment = "#"
		}
		return stripSpace(msg, comment)
	}
	return stripSpace(msg, "")
}

// stripSpace is git stripspace: trailing whitespace and leading and trailing blank lines go,
// runs of blank lines become one, and lines starting with comment (when not "") are dropped.
func stripSpace(msg, comment string) string {
	var out []string
	blank := false
	for _, line := range strings.Split(msg, "\n") {
		if comment != "" && strings.HasPrefix(line, comment) {
			continue
		}
		line = strings.TrimRight(line, " \t\r\v\f")
		if line == "" {
			blank = len(out) > 0
			continue
		}
		if blank {
			out = append(out, "")
			blank = false
		}
		out = append(out, line)
	}
	if len(out) == 0 {
		return ""
	}
	return strings.Join(out, "\n") + "\n"
}

// committedFile is a path and the content the commit gives it.
type committedFile struct {
	path string
	file file
}

// committedFiles works out the content each update and file is committed with, cleaned as git
// add would clean it (filters, line endings), and the conversions of the paths.
func (r *Repo) committedFiles(ctx context.Context, cfg gitConfig, headTree plumbing.Hash, opts CommitOptions, attrs *attrRun) ([]committedFile, *conversion, error) {
	var out []committedFile
	seen := map[string]bool{}
	paths := commitPaths(opts)
	for _, p := range paths {
		if err := checkPath(p); err != nil {
			return nil, nil, err
		}
		if seen[p] {
			return nil, nil, fmt.Errorf("commit: %s is named twice", p)
		}
		seen[p] = true
	}
	cv, err := r.conversionsWith(ctx, cfg, paths, attrs)
	if err != nil {
		return nil, nil, fmt.Errorf("commit: %w", err)
	}
	fileMode := cfg.Get("core", "", "fileMode") == "" || cfg.Bool("core", "", "fileMode")
	for _, u := range opts.Updates {
		head, err := r.headFile(headTree, u.Path)
		if err != nil {
			return nil, nil, err
		}
		if u, err = cv.cleanUpdate(ctx, u, head); err != nil {
			return nil, nil, fmt.Errorf("commit: %w", err)
		}
		f, fc := merged(u, head)
		switch {
		case fc != nil && !head.exists && u.BaseExists:
			return nil, nil, fmt.Errorf("commit: %s is not in HEAD: it is a file of yours that is not committed yet, and hew commits only its own change on top of HEAD; commit the file first (git add %s && git commit), then commit again", u.Path, u.Path)
		case fc != nil && head.exists && !u.BaseExists:
			return nil, nil, fmt.Errorf("commit: HEAD has %s, but it was missing from your working tree when the change was proposed (deleted and not committed); commit or restore the deletion first (git rm %s, or git restore %s), then commit again", u.Path, u.Path, u.Path)
		case fc != nil:
			return nil, nil, fmt.Errorf("commit: %s in HEAD differs from the proposal's base and %s; commit or stash your own changes to it first, or commit the whole file",
				u.Path, describeConflict(fc))
		}
		out = append(out, committedFile{u.Path, f})
	}
	if len(opts.Files) == 0 {
		return out, cv, nil
	}
	root, err := os.OpenRoot(r.root)
	if err != nil {
		return nil, nil, fmt.Errorf("open working tree: %w", err)
	}
	defer root.Close()
	for _, p := range opts.Files {
		f, err := readFile(root, p)
		if err != nil {
			return nil, nil, err
		}
		if f, err = cv.clean(ctx, p, f, true); err != nil {
			return nil, nil, fmt.Errorf("commit: %w", err)
		}
		if f.exists && f.mode != filemode.Symlink && !fileMode {
			// core.fileMode=false: the executable bit on disk means nothing; git keeps the mode
			// the index (here HEAD) has, and a new file is not executable.
			f.mode = filemode.Regular
			if head, ok, err := r.lookup(headTree, p); err == nil && ok && head.mode == filemode.Executable {
				f.mode = filemode.Executable
			}
		}
		out = append(out, committedFile{p, f})
	}
	return out, cv, nil
}

// commitPaths lists the paths opts commits, the updates' first.
func commitPaths(opts CommitOptions) []string {
	var paths []string
	for _, u := range opts.Updates {
		paths = append(paths, u.Path)
	}
	return append(paths, opts.Files...)
}

// cleanUpdate returns u with its Base and New as git stores them, so that they compare with
// HEAD's blobs: an update to a file git converts holds working-tree content.
func (cv *conversion) cleanUpdate(ctx context.Context, u Update, head file) (Update, error) {
	if !cv.converts(u.Path) {
		return u, nil
	}
	mode := updateMode(u.Mode, head)
	if u.BaseExists {
		f, err := cv.clean(ctx, u.Path, file{exists: true, data: u.Base, mode: mode}, true)
		if err != nil {
			return u, err
		}
		u.Base = f.data
	}
	if !u.Delete {
		f, err := cv.clean(ctx, u.Path, file{exists: true, data: u.New, mode: mode}, true)
		if err != nil {
			return u, err
		}
		u.New = f.data
	}
	return u, nil
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
// working tree holds exactly the entry's content, and returns what it recorded for undo. With
// the git command, git writes the index (`git update-index`), so that everything hew does not
// change — flags such as assume-unchanged, the index version and its extensions — stays as git
// keeps it; the lock is given up just before.
func (r *Repo) applyIndexPlan(ctx context.Context, cv *conversion, idx *lockedIndex, plan []indexChange) ([]recordFile, error) {
	root, err := os.OpenRoot(r.root)
	if err != nil {
		return nil, fmt.Errorf("open working tree: %w", err)
	}
	defer root.Close()
	var recs []recordFile
	var fromWorktree, info bytes.Buffer
	for _, c := range plan {
		wt, err := readFile(root, c.path)
		if err != nil {
			return nil, err
		}
		clean, err := cv.clean(ctx, c.path, wt, false)
		if err != nil {
			return nil, err
		}
		var fi os.FileInfo
		matches := clean.exists && clean.entry() == c.entry
		if matches {
			if fi, err = root.Lstat(c.path); err != nil {
				return nil, fmt.Errorf("stat %s: %w", c.path, err)
			}
		}
		idx.set(c.path, c.entry, fi)
		switch {
		case matches || c.entry.hash.IsZero() && !wt.exists:
			fromWorktree.WriteString(c.path + "\x00")
		case c.entry.hash.IsZero():
			fmt.Fprintf(&info, "0 %s\t%s\x00", plumbing.ZeroHash, c.path)
		default:
			fmt.Fprintf(&info, "%o %s\t%s\x00", uint32(c.entry.mode), c.entry.hash, c.path)
		}
		recs = append(recs, recordFile{Path: c.path, Worktree: hashString(wt.entry().hash), Index: hashString(c.entry.hash)})
	}
	if !r.hasGit() {
		return recs, idx.save()
	}
	idx.release()
	if fromWorktree.Len() > 0 {
		if _, err := r.runGit(ctx, fromWorktree.Bytes(), "update-index", "--add", "--remove", "-z", "--stdin"); err != nil {
			return nil, fmt.Errorf("update the index: %w", err)
		}
	}
	if info.Len() > 0 {
		if _, err := r.runGit(ctx, info.Bytes(), "update-index", "-z", "--index-info"); err != nil {
			return nil, fmt.Errorf("update the index: %w", err)
		}
	}
	return recs, nil
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
