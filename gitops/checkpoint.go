package gitops

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/go-git/go-git/v5/plumbing/format/index"
	"github.com/go-git/go-git/v5/plumbing/object"

	"hew/gitops/ignore"
)

// CheckpointInfo describes one checkpoint.
type CheckpointInfo struct {
	ID    string // the checkpoint's commit hash
	Label string
	Time  time.Time
	Head  string // HEAD's commit when it was taken; "" on an unborn branch
}

// checkpointRef is the private ref whose history is this worktree's checkpoints, newest first.
func (r *Repo) checkpointRef() plumbing.ReferenceName {
	if r.gitDir != r.commonDir {
		return plumbing.ReferenceName("refs/hew/checkpoints-" + filepath.Base(r.gitDir))
	}
	return "refs/hew/checkpoints"
}

// checkpointAuthor signs checkpoint commits, which need no user identity.
var checkpointAuthor = Signature{Name: "hew", Email: "hew@localhost"}

// Checkpoint snapshots the working tree, tracked and untracked files that are not ignored, as a
// commit on a private ref, and returns its ID. The index and the user's refs are not touched.
func (r *Repo) Checkpoint(ctx context.Context, label string) (string, error) {
	id, _, err := r.checkpoint(ctx, label)
	return id, err
}

func (r *Repo) checkpoint(ctx context.Context, label string) (string, map[string]entry, error) {
	files, err := r.snapshot(ctx)
	if err != nil {
		return "", nil, fmt.Errorf("checkpoint: %w", err)
	}
	tree, err := r.editTree(plumbing.ZeroHash, files)
	if err != nil {
		return "", nil, fmt.Errorf("checkpoint: %w", err)
	}
	_, head, err := r.head()
	if err != nil {
		return "", nil, err
	}
	ref := r.checkpointRef()
	var parent plumbing.Hash
	if cur, err := r.git.Storer.Reference(ref); err == nil {
		parent = cur.Hash()
	}
	now := r.opts.Now()
	c := &object.Commit{
		Author: checkpointAuthor.at(now), Committer: checkpointAuthor.at(now), TreeHash: tree,
		Message: strings.TrimSpace(label) + "\n\nhead: " + hashString(head) + "\n",
	}
	if !parent.IsZero() {
		c.ParentHashes = []plumbing.Hash{parent}
	}
	h, err := r.writeCommit(c)
	if err != nil {
		return "", nil, fmt.Errorf("checkpoint: %w", err)
	}
	if err := r.swapRef(ref, parent, h); err != nil {
		return "", nil, fmt.Errorf("checkpoint: %w", err)
	}
	return h.String(), files, nil
}

// Checkpoints lists the checkpoints, newest first.
func (r *Repo) Checkpoints() ([]CheckpointInfo, error) {
	ref, err := r.git.Storer.Reference(r.checkpointRef())
	if errors.Is(err, plumbing.ErrReferenceNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read checkpoints: %w", err)
	}
	var out []CheckpointInfo
	for h := ref.Hash(); !h.IsZero(); {
		c, err := object.GetCommit(r.git.Storer, h)
		if err != nil {
			return nil, fmt.Errorf("read checkpoint %s: %w", h, err)
		}
		label, rest, _ := strings.Cut(c.Message, "\n\n")
		head, _ := strings.CutPrefix(strings.TrimSpace(rest), "head: ")
		out = append(out, CheckpointInfo{ID: h.String(), Label: label, Time: c.Author.When, Head: head})
		h = plumbing.ZeroHash
		if len(c.ParentHashes) > 0 {
			h = c.ParentHashes[0]
		}
	}
	return out, nil
}

// RestoreCheckpoint puts the working tree back as checkpoint id (or a unique prefix of it, at
// least 4 characters) recorded it: files are rewritten, and files created since are removed.
// Ignored files and the index are left alone. It first takes a checkpoint of the current state,
// labelled "before restoring ID", so that the restore can itself be undone.
func (r *Repo) RestoreCheckpoint(ctx context.Context, id string) error {
	target, err := r.findCheckpoint(id)
	if err != nil {
		return err
	}
	c, err := object.GetCommit(r.git.Storer, target)
	if err != nil {
		return fmt.Errorf("read checkpoint %s: %w", id, err)
	}
	want, err := r.flatten(c.TreeHash)
	if err != nil {
		return err
	}
	_, cur, err := r.checkpoint(ctx, "before restoring "+target.String()[:12])
	if err != nil {
		return err
	}
	var changed []string
	for p, e := range want {
		if cur[p] != e && e.mode != filemode.Submodule {
			changed = append(changed, p)
		}
	}
	var cfg gitConfig
	if len(changed) > 0 {
		cfg = r.readConfig()
	}
	cv, err := r.conversions(ctx, cfg, changed)
	if err != nil {
		return err
	}
	var ws []write
	for _, p := range changed {
		f, err := cv.smudge(ctx, p, want[p])
		if err != nil {
			return err
		}
		ws = append(ws, write{p, f})
	}
	for p, e := range cur {
		if _, ok := want[p]; !ok && e.mode != filemode.Submodule {
			ws = append(ws, write{path: p})
		}
	}
	return r.writeFiles(ws)
}

// findCheckpoint resolves an ID or unique prefix among the checkpoints.
func (r *Repo) findCheckpoint(id string) (plumbing.Hash, error) {
	if len(id) < 4 {
		return plumbing.ZeroHash, fmt.Errorf("checkpoint ID %q is too short; give at least 4 characters", id)
	}
	all, err := r.Checkpoints()
	if err != nil {
		return plumbing.ZeroHash, err
	}
	var found []string
	for _, c := range all {
		if strings.HasPrefix(c.ID, strings.ToLower(id)) {
			found = append(found, c.ID)
		}
	}
	switch len(found) {
	case 0:
		return plumbing.ZeroHash, fmt.Errorf("no checkpoint %s (there are %d; see 'hew undo --list')", id, len(all))
	case 1:
		return plumbing.NewHash(found[0]), nil
	}
	return plumbing.ZeroHash, fmt.Errorf("checkpoint ID %s is ambiguous (%d match); give more characters", id, len(found))
}

// snapshot lists the working tree's tracked files and untracked files that are not ignored, with
// the blob of each stored.
func (r *Repo) snapshot(ctx context.Context) (map[string]entry, error) { return r.scan(ctx, true) }

// scan lists what `git ls-files -co --exclude-standard` lists: the tracked files present in the
// working tree and the untracked files that are not ignored, each with its mode and blob hash
// as git add would record it (filters and line endings applied). A tracked file whose stat data
// matches its index entry is taken from the index without being read. With store, the blobs of
// the files read are written to the object database.
func (r *Repo) scan(ctx context.Context, store bool) (map[string]entry, error) {
	idx, idxTime, err := readIndexFile(filepath.Join(r.gitDir, "index"))
	if err != nil {
		return nil, err
	}
	root, err := os.OpenRoot(r.root)
	if err != nil {
		return nil, fmt.Errorf("open working tree: %w", err)
	}
	defer root.Close()
	tracked := make(map[string]*index.Entry, len(idx.Entries))
	files := make(map[string]entry, len(idx.Entries))
	for _, e := range idx.Entries {
		tracked[e.Name] = e
	}
	var toRead []string
	for p, e := range tracked {
		if e.Mode == filemode.Submodule {
			files[p] = entry{e.Mode, e.Hash}
			continue
		}
		fi, err := root.Lstat(p)
		if err != nil {
			continue // deleted, or a directory now stands there
		}
		if e.Stage == stageMerged && statMatches(e, fi, idxTime) {
			files[p] = entry{e.Mode, e.Hash}
			continue
		}
		toRead = append(toRead, p)
	}
	ign, err := ignore.New(r.root, ignore.Options{Getenv: r.opts.Getenv})
	if err != nil {
		return nil, err
	}
	w := walker{root: root, ignore: ign, tracked: tracked, ctx: ctx}
	if err := w.walk("."); err != nil {
		return nil, err
	}
	toRead = append(toRead, w.found...)
	var cfg gitConfig
	if len(toRead) > 0 {
		cfg = r.readConfig()
	}
	cv, err := r.conversions(ctx, cfg, toRead)
	if err != nil {
		return nil, err
	}
	var viaGit []string
	for _, p := range toRead {
		if fi, err := root.Lstat(p); err == nil && fi.Mode().IsRegular() && cv.converts(p) {
			viaGit = append(viaGit, p)
			continue
		}
		if err := r.scanFile(root, p, store, files); err != nil {
			return nil, err
		}
	}
	hashes, err := cv.cleanHashes(ctx, viaGit, store)
	if err != nil {
		return nil, err
	}
	for _, p := range viaGit {
		fi, err := root.Lstat(p)
		if err != nil {
			continue
		}
		mode := filemode.Regular
		if fi.Mode()&0o111 != 0 {
			mode = filemode.Executable
		}
		files[p] = entry{mode, hashes[p]}
	}
	return files, nil
}

// statMatches reports whether fi is the file e was recorded from, by git's stat comparison, and
// the entry is not racy (written in the same instant the index was).
func statMatches(e *index.Entry, fi fs.FileInfo, idxTime time.Time) bool {
	if !fi.Mode().IsRegular() || int64(e.Size) != fi.Size()&0xffffffff || !e.ModifiedAt.Equal(fi.ModTime()) || !fi.ModTime().Before(idxTime) {
		return false
	}
	probe := &index.Entry{}
	fillStat(probe, fi)
	return probe.Inode == e.Inode && probe.CreatedAt.Equal(e.CreatedAt)
}

// scanFile reads file p into files, storing its blob with store.
func (r *Repo) scanFile(root *os.Root, p string, store bool, files map[string]entry) error {
	f, err := readFile(root, p)
	if err != nil || !f.exists {
		return nil // not a regular file or link (a socket, a directory): not listed
	}
	h := f.hash()
	if store {
		if h, err = r.writeObject(plumbing.BlobObject, f.data); err != nil {
			return err
		}
	}
	files[p] = entry{f.mode, h}
	return nil
}

// walker finds the untracked files that are not ignored.
type walker struct {
	root    *os.Root
	ignore  *ignore.Matcher
	tracked map[string]*index.Entry
	ctx     context.Context
	found   []string // the untracked files, slash-separated
}

// walk visits directory dir (slash-separated, "." for the top).
func (w *walker) walk(dir string) error {
	if err := w.ctx.Err(); err != nil {
		return err
	}
	d, err := w.root.Open(dir)
	if err != nil {
		return fmt.Errorf("read directory %s: %w", dir, err)
	}
	ents, err := d.ReadDir(-1)
	d.Close()
	if err != nil {
		return fmt.Errorf("read directory %s: %w", dir, err)
	}
	for _, de := range ents {
		name := de.Name()
		if name == ".git" {
			continue
		}
		p := name
		if dir != "." {
			p = dir + "/" + name
		}
		if de.IsDir() {
			if _, err := w.root.Lstat(p + "/.git"); err == nil {
				continue // a nested repository: not ours to snapshot
			}
			if !w.ignore.Ignored(p, true) {
				if err := w.walk(p); err != nil {
					return err
				}
			}
			continue
		}
		if _, ok := w.tracked[p]; ok || w.ignore.Ignored(p, false) {
			continue
		}
		w.found = append(w.found, p)
	}
	return nil
}
