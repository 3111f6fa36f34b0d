package gitops

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/go-git/go-git/v5/plumbing/format/index"
	"github.com/go-git/go-git/v5/plumbing/object"

	"hew/gitops/ignore"
	"hew/gitops/internal/gitenv"
	"hew/gitops/internal/gitindex"
)

// CheckpointInfo describes one checkpoint.
type CheckpointInfo struct {
	ID    string // the checkpoint's commit hash
	Label string
	Time  time.Time
	Head  string // HEAD's commit when it was taken; "" on an unborn branch
}

// checkpointPrefix is the private namespace of this worktree's checkpoints: one ref per
// checkpoint, named by the time it was taken, so that old ones can be pruned without changing
// the IDs of the others.
func (r *Repo) checkpointPrefix() string {
	if r.gitDir != r.commonDir {
		return "refs/hew/cp/" + filepath.Base(r.gitDir) + "/"
	}
	return "refs/hew/cp/main/"
}

// legacyCheckpointRef is where earlier versions of hew kept this worktree's checkpoints, as one
// chain of commits; they are still listed, and dropped when checkpoints are pruned.
func (r *Repo) legacyCheckpointRef() plumbing.ReferenceName {
	if r.gitDir != r.commonDir {
		return plumbing.ReferenceName("refs/hew/checkpoints-" + filepath.Base(r.gitDir))
	}
	return "refs/hew/checkpoints"
}

// checkpointAuthor signs checkpoint commits, which need no user identity.
var checkpointAuthor = Signature{Name: "hew", Email: "hew@localhost"}

// Default limits of checkpoints (see Options).
const (
	DefaultMaxCheckpoints   = 100
	DefaultMaxUntrackedSize = 10 << 20
)

// CheckpointResult is a checkpoint taken.
type CheckpointResult struct {
	ID string
	// Skipped are the untracked files left out for being larger than Options.MaxUntrackedSize.
	Skipped []string
}

// Checkpoint snapshots the working tree, tracked and untracked files that are not ignored, as a
// commit on a private ref, and returns its ID. The index and the user's refs are not touched.
func (r *Repo) Checkpoint(ctx context.Context, label string) (string, error) {
	res, err := r.TakeCheckpoint(ctx, label)
	return res.ID, err
}

// TakeCheckpoint is Checkpoint, also saying which large untracked files it left out. Untracked
// files larger than Options.MaxUntrackedSize are not kept, and the oldest checkpoints beyond
// Options.MaxCheckpoints are pruned.
func (r *Repo) TakeCheckpoint(ctx context.Context, label string) (CheckpointResult, error) {
	res, _, err := r.checkpoint(ctx, label)
	return res, err
}

func (r *Repo) checkpoint(ctx context.Context, label string) (CheckpointResult, plumbing.Hash, error) {
	if err := r.checkOwnership(); err != nil {
		return CheckpointResult{}, plumbing.ZeroHash, fmt.Errorf("checkpoint: %w", err)
	}
	tree, skipped, err := r.snapshotTree(ctx)
	if err != nil {
		return CheckpointResult{}, plumbing.ZeroHash, fmt.Errorf("checkpoint: %w", err)
	}
	_, head, err := r.head()
	if err != nil {
		return CheckpointResult{}, plumbing.ZeroHash, err
	}
	now := r.opts.Now()
	c := &object.Commit{
		Author: checkpointAuthor.at(now), Committer: checkpointAuthor.at(now), TreeHash: tree,
		Message: strings.TrimSpace(label) + "\n\nhead: " + hashString(head) + "\n",
	}
	h, err := r.writeCommit(c)
	if err != nil {
		return CheckpointResult{}, plumbing.ZeroHash, fmt.Errorf("checkpoint: %w", err)
	}
	existing, err := r.checkpointRefs()
	if err != nil {
		return CheckpointResult{}, plumbing.ZeroHash, err
	}
	stamp := now.UnixNano()
	if len(existing) > 0 {
		if last := existing[len(existing)-1].stamp; stamp <= last {
			stamp = last + 1 // refs sort by name: keep them in the order taken
		}
	}
	name := plumbing.ReferenceName(fmt.Sprintf("%s%020d", r.checkpointPrefix(), stamp))
	if err := r.swapRef(name, plumbing.ZeroHash, h); err != nil {
		return CheckpointResult{}, plumbing.ZeroHash, fmt.Errorf("checkpoint: %w", err)
	}
	r.pruneCheckpoints(append(existing, checkpointRef{name, stamp, h}))
	return CheckpointResult{ID: h.String(), Skipped: skipped}, tree, nil
}

// checkpointRef is one checkpoint's ref.
type checkpointRef struct {
	name  plumbing.ReferenceName
	stamp int64 // when it was taken, in Unix nanoseconds
	hash  plumbing.Hash
}

// checkpointRefs lists this worktree's checkpoint refs, oldest first.
func (r *Repo) checkpointRefs() ([]checkpointRef, error) {
	iter, err := r.git.Storer.IterReferences()
	if err != nil {
		return nil, fmt.Errorf("read checkpoints: %w", err)
	}
	defer iter.Close()
	prefix := r.checkpointPrefix()
	var out []checkpointRef
	err = iter.ForEach(func(ref *plumbing.Reference) error {
		rest, ok := strings.CutPrefix(ref.Name().String(), prefix)
		if !ok || ref.Type() != plumbing.HashReference {
			return nil
		}
		stamp, err := strconv.ParseInt(rest, 10, 64)
		if err == nil {
			out = append(out, checkpointRef{ref.Name(), stamp, ref.Hash()})
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("read checkpoints: %w", err)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].stamp < out[j].stamp })
	return out, nil
}

// pruneCheckpoints deletes the oldest checkpoints beyond Options.MaxCheckpoints, and the
// checkpoints an earlier hew kept as one chain once there are that many of the new kind. It is
// best effort: a checkpoint that stays is harmless.
func (r *Repo) pruneCheckpoints(refs []checkpointRef) {
	limit := r.opts.MaxCheckpoints
	if limit == 0 {
		limit = DefaultMaxCheckpoints
	}
	if limit < 0 || len(refs) < limit {
		return
	}
	_ = r.git.Storer.RemoveReference(r.legacyCheckpointRef())
	for _, ref := range refs[:len(refs)-limit] {
		_ = r.git.Storer.RemoveReference(ref.name)
	}
}

// Checkpoints lists the checkpoints, newest first.
func (r *Repo) Checkpoints() ([]CheckpointInfo, error) {
	refs, err := r.checkpointRefs()
	if err != nil {
		return nil, err
	}
	var out []CheckpointInfo
	for i := len(refs) - 1; i >= 0; i-- {
		info, _, err := r.checkpointInfo(refs[i].hash)
		if err != nil {
			return nil, err
		}
		out = append(out, info)
	}
	ref, err := r.git.Storer.Reference(r.legacyCheckpointRef())
	if errors.Is(err, plumbing.ErrReferenceNotFound) {
		return out, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read checkpoints: %w", err)
	}
	for h := ref.Hash(); !h.IsZero(); {
		info, parent, err := r.checkpointInfo(h)
		if err != nil {
			return nil, err
		}
		out = append(out, info)
		h = parent
	}
	return out, nil
}

// checkpointInfo reads checkpoint commit h, and its parent in an earlier hew's chain.
func (r *Repo) checkpointInfo(h plumbing.Hash) (CheckpointInfo, plumbing.Hash, error) {
	c, err := object.GetCommit(r.git.Storer, h)
	if err != nil {
		return CheckpointInfo{}, plumbing.ZeroHash, fmt.Errorf("read checkpoint %s: %w", h, err)
	}
	label, rest, _ := strings.Cut(c.Message, "\n\n")
	head, _ := strings.CutPrefix(strings.TrimSpace(rest), "head: ")
	var parent plumbing.Hash
	if len(c.ParentHashes) > 0 {
		parent = c.ParentHashes[0]
	}
	return CheckpointInfo{ID: h.String(), Label: label, Time: c.Author.When, Head: head}, parent, nil
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
	_, curTree, err := r.checkpoint(ctx, "before restoring "+target.String()[:12])
	if err != nil {
		return err
	}
	cur, err := r.flatten(curTree)
	if err != nil {
		return err
	}
	var changed []string
	for p, e := range want {
		if cur[p] != e && e.mode != filemode.Submodule {
			changed = append(changed, p)
		}
	}
	cv, err := r.conversionsOf(ctx, changed)
	if err != nil {
		return err
	}
	var ws []write
	for _, p := range changed {
		f, err := cv.smudge(ctx, p, want[p])
		if err != nil {
			return err
		}
		ws = append(ws, write{path: p, file: f})
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

// snapshotTree writes the tree of the working tree's tracked files and untracked files that are
// not ignored, as `git add -A && git write-tree` on a copy of the index would, leaving out
// untracked files larger than Options.MaxUntrackedSize (returned). With the git command, git
// does it on a temporary copy of the index, reusing its stat data and cached trees; without it,
// the tree is built from a scan.
func (r *Repo) snapshotTree(ctx context.Context) (plumbing.Hash, []string, error) {
	if !r.hasGit() {
		files, skipped, err := r.scan(ctx, true)
		if err != nil {
			return plumbing.ZeroHash, nil, err
		}
		tree, err := r.editTree(plumbing.ZeroHash, files)
		return tree, skipped, err
	}
	tmp, real, cleanup, err := r.indexCopy()
	if err != nil {
		return plumbing.ZeroHash, nil, err
	}
	defer cleanup()
	run := func(stdin []byte, args ...string) ([]byte, error) {
		cmd := r.gitCmd(ctx, stdin, args...)
		cmd.Env = append(cmd.Env, "GIT_INDEX_FILE="+tmp, "GIT_LITERAL_PATHSPECS=1")
		return runCmd(cmd)
	}
	if _, err := run(nil, "add", "-A"); err != nil {
		if err := r.addAllButUnborn(ctx, tmp, err); err != nil {
			return plumbing.ZeroHash, nil, err
		}
	}
	// When git add changed nothing, it left the index as it was (the link to the real one): if
	// that is the very file the last snapshot's tree came from, the tree is the same.
	unchanged, sameFile := r.unchangedIndex(tmp)
	has := func(h plumbing.Hash) bool { return r.git.Storer.HasEncodedObject(h) == nil }
	if sameFile && unchanged.tree != (plumbing.Hash{}) && has(unchanged.tree) {
		return unchanged.tree, nil, nil
	}
	// Untracked files too large to keep: the large entries of the snapshot that the index
	// does not have.
	snap, err := os.ReadFile(tmp)
	if err != nil && !errors.Is(err, fs.ErrNotExist) { // none: an empty repository with nothing to add
		return plumbing.ZeroHash, nil, fmt.Errorf("read the temporary index: %w", err)
	}
	var large []string
	limit := r.maxUntrackedSize()
	var exts []gitindex.Extension
	var walkErr error
	if len(snap) > 0 {
		exts, walkErr = gitindex.Walk(snap, gitindex.SHA1, func(name, head []byte, ext uint16) {
			if limit > 0 && int64(gitindex.Size(head)) > limit {
				large = append(large, string(name))
			}
		})
	}
	if walkErr != nil && limit > 0 {
		return plumbing.ZeroHash, nil, fmt.Errorf("read the temporary index: %w", walkErr)
	}
	var skipped []string
	if len(large) > 0 {
		cmd := r.gitCmd(ctx, nil, append([]string{"ls-files", "-z", "--"}, large...)...)
		cmd.Env = append(cmd.Env, "GIT_LITERAL_PATHSPECS=1")
		out, err := runCmd(cmd)
		if err != nil {
			return plumbing.ZeroHash, nil, err
		}
		tracked := map[string]bool{}
		for _, p := range strings.Split(string(out), "\x00") {
			tracked[p] = true
		}
		var drop bytes.Buffer
		for _, p := range large {
			if !tracked[p] {
				skipped = append(skipped, p)
				drop.WriteString(p + "\x00")
			}
		}
		if drop.Len() > 0 {
			if _, err := run(drop.Bytes(), "update-index", "--force-remove", "-z", "--stdin"); err != nil {
				return plumbing.ZeroHash, nil, err
			}
		}
	}
	// When git add changed nothing the cached trees stand for, the index records the tree that
	// git write-tree would write. When it changed no entry, but re-read racily clean files
	// (which drops the cached trees of their directories), the real index's cached tree is it.
	if walkErr == nil && len(skipped) == 0 {
		if tree, ok := cachedRootTree(exts, has); ok {
			if unchanged.file != nil {
				r.rememberIndexTree(unchanged, tree)
			}
			return tree, nil, nil
		}
		if realExts, ok := sameEntries(real(), snap); ok {
			if tree, ok := cachedRootTree(realExts, has); ok {
				return tree, nil, nil
			}
		}
	}
	out, err := run(nil, "write-tree")
	if err != nil {
		return plumbing.ZeroHash, nil, err
	}
	return plumbing.NewHash(strings.TrimSpace(string(out))), skipped, nil
}

// indexCopy makes the temporary index a snapshot is taken in: a hard link to the real index
// where the file system allows one — git replaces an index (it writes a new file and renames it
// over the old) and never writes into it, so the real one stays as it is, and the link shares
// its modification time, by which git tells racily clean entries — else a copy with the same
// modification time. It returns the path of the temporary index (which does not exist when
// the repository has no index yet), a function returning the real index's content as it was,
// and one removing the temporary files.
func (r *Repo) indexCopy() (tmp string, real func() []byte, done func(), err error) {
	parent := filepath.Join(r.gitDir, "hew")
	if err := os.MkdirAll(parent, 0o777); err != nil {
		return "", nil, nil, fmt.Errorf("create %s: %w", parent, err)
	}
	dir, err := os.MkdirTemp(parent, "checkpoint-")
	if err != nil {
		return "", nil, nil, fmt.Errorf("make a temporary index: %w", err)
	}
	cleanup := func() { os.RemoveAll(dir) }
	tmp = filepath.Join(dir, "index")
	index := filepath.Join(r.gitDir, "index")
	f, err := os.Open(index)
	if errors.Is(err, fs.ErrNotExist) {
		return tmp, func() []byte { return nil }, cleanup, nil // no index yet: git starts an empty one
	}
	if err != nil {
		cleanup()
		return "", nil, nil, fmt.Errorf("read the index: %w", err)
	}
	// The open file keeps the content the link shares, whatever replaces the index meanwhile.
	real = sync.OnceValue(func() []byte {
		b, _ := io.ReadAll(f)
		return b
	})
	done = func() {
		f.Close()
		cleanup()
	}
	if os.Link(index, tmp) == nil {
		if fi, err := os.Stat(tmp); err == nil && fi.Size() > 0 {
			return tmp, real, done, nil
		}
		os.Remove(tmp)
	}
	b := real()
	if len(b) == 0 {
		return tmp, real, done, nil
	}
	if err := os.WriteFile(tmp, b, 0o666); err != nil {
		done()
		return "", nil, nil, fmt.Errorf("copy the index: %w", err)
	}
	// git tells a racily clean entry (a file written in the instant the index was) by the index
	// file's own mtime; the copy keeps it, or git would trust stat data the real index does not.
	// The open file's time is the time of the content copied, whatever replaced the index since.
	fi, err := f.Stat()
	if err == nil {
		err = os.Chtimes(tmp, fi.ModTime(), fi.ModTime())
	}
	if err != nil {
		done()
		return "", nil, nil, fmt.Errorf("copy the index: %w", err)
	}
	return tmp, real, done, nil
}

// addAllButUnborn is git add -A into the index tmp again after it failed with addErr, leaving
// out the repositories inside the tree that have no commit yet, which git cannot add (it has no
// commit to record for them) and the snapshot without git leaves out too. It returns addErr when
// there are none.
func (r *Repo) addAllButUnborn(ctx context.Context, tmp string, addErr error) error {
	cmd := r.gitCmd(ctx, nil, "ls-files", "-z", "-o", "--exclude-standard")
	out, err := runCmd(cmd)
	if err != nil {
		return addErr
	}
	args := []string{"add", "-A", "--", ":(top)"}
	for _, p := range strings.Split(string(out), "\x00") {
		if dir, ok := strings.CutSuffix(p, "/"); ok && !hasCommit(filepath.Join(r.root, filepath.FromSlash(dir))) {
			args = append(args, ":(exclude,top,literal)"+dir)
		}
	}
	if len(args) == 4 {
		return addErr
	}
	cmd = r.gitCmd(ctx, nil, args...)
	cmd.Env = append(cmd.Env, "GIT_INDEX_FILE="+tmp) // the pathspecs spell out their magic
	if _, err := runCmd(cmd); err != nil {
		return err
	}
	return nil
}

// hasCommit reports whether the repository at dir has a commit checked out: its HEAD names a
// commit, or a branch that exists.
func hasCommit(dir string) bool {
	d, ok, err := gitenv.At(dir)
	if err != nil || !ok {
		return false
	}
	head, err := os.ReadFile(filepath.Join(d.GitDir, "HEAD"))
	if err != nil {
		return false
	}
	ref, symbolic := strings.CutPrefix(strings.TrimSpace(string(head)), "ref: ")
	if !symbolic {
		return plumbing.IsHash(ref)
	}
	if _, err := os.Stat(filepath.Join(d.CommonDir, filepath.FromSlash(ref))); err == nil {
		return true
	}
	packed, _ := os.ReadFile(filepath.Join(d.CommonDir, "packed-refs"))
	return bytes.Contains(packed, []byte(" "+ref+"\n"))
}

// indexTree is an index file, by its identity and stamp, and the tree its cached trees record.
type indexTree struct {
	file fs.FileInfo // nil for none
	tree plumbing.Hash
}

// unchangedIndex reports whether the temporary index tmp is still the real index's file (git
// add changed nothing) and is the file the last snapshot's tree came from (sameFile, with that
// tree in id). id.file is nil when tmp is another file.
func (r *Repo) unchangedIndex(tmp string) (id indexTree, sameFile bool) {
	ti, err1 := os.Stat(tmp)
	ri, err2 := os.Stat(filepath.Join(r.gitDir, "index"))
	if err1 != nil || err2 != nil || !os.SameFile(ti, ri) {
		return indexTree{}, false
	}
	r.snapMu.Lock()
	defer r.snapMu.Unlock()
	last := r.lastSnap
	if last.file != nil && os.SameFile(last.file, ti) && last.file.Size() == ti.Size() && last.file.ModTime().Equal(ti.ModTime()) {
		return last, true
	}
	return indexTree{file: ti}, false
}

// rememberIndexTree records that index file id holds tree's cached trees, all present.
func (r *Repo) rememberIndexTree(id indexTree, tree plumbing.Hash) {
	r.snapMu.Lock()
	defer r.snapMu.Unlock()
	r.lastSnap = indexTree{file: id.file, tree: tree}
}

// sameEntries reports whether index files a and b record the same entries (see entryDigest),
// and returns a's extensions.
func sameEntries(a, b []byte) ([]gitindex.Extension, bool) {
	da, db := &entryDigest{b: make([]byte, 0, len(a))}, &entryDigest{b: make([]byte, 0, len(b))}
	exts, err := gitindex.Walk(a, gitindex.SHA1, da.add)
	if err != nil {
		return nil, false
	}
	if _, err := gitindex.Walk(b, gitindex.SHA1, db.add); err != nil {
		return nil, false
	}
	return exts, da.equal(db)
}

// entryDigest sums up the entries of an index as a tree is written from them: names, modes,
// blobs and stages. An index with flags beyond those (intent-to-add, skip-worktree) never
// matches another.
type entryDigest struct {
	b     []byte
	other bool
}

func (d *entryDigest) add(name, head []byte, ext uint16) {
	flags := gitindex.Flags(head)
	if ext != 0 {
		d.other = true
	}
	d.b = append(d.b, name...)
	d.b = append(d.b, 0)
	d.b = binary.BigEndian.AppendUint32(d.b, gitindex.Mode(head))
	d.b = append(d.b, gitindex.Hash(head)...)
	d.b = append(d.b, byte(flags>>12)) // assume-valid, extended and stage bits
}

func (d *entryDigest) equal(o *entryDigest) bool {
	return !d.other && !o.other && bytes.Equal(d.b, o.b)
}

// maxUntrackedSize is the size above which checkpoints leave untracked files out; 0 for none.
func (r *Repo) maxUntrackedSize() int64 {
	switch n := r.opts.MaxUntrackedSize; {
	case n == 0:
		return DefaultMaxUntrackedSize
	case n < 0:
		return 0
	default:
		return n
	}
}

// scan lists what `git ls-files -co --exclude-standard` lists: the tracked files present in the
// working tree and the untracked files that are not ignored, each with its mode and blob hash
// as git add would record it (filters and line endings applied). A tracked file whose stat data
// matches its index entry is taken from the index without being read. With store, the blobs of
// the files read are written to the object database.
func (r *Repo) scan(ctx context.Context, store bool) (map[string]entry, []string, error) {
	idx, idxTime, err := readIndexFile(filepath.Join(r.gitDir, "index"))
	if err != nil {
		return nil, nil, err
	}
	root, err := os.OpenRoot(r.root)
	if err != nil {
		return nil, nil, fmt.Errorf("open working tree: %w", err)
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
		return nil, nil, err
	}
	w := walker{root: root, ignore: ign, tracked: tracked, ctx: ctx}
	if err := w.walk("."); err != nil {
		return nil, nil, err
	}
	var skipped []string
	limit := r.maxUntrackedSize()
	for _, p := range w.found {
		if fi, err := root.Lstat(p); store && limit > 0 && err == nil && fi.Mode().IsRegular() && fi.Size() > limit {
			skipped = append(skipped, p)
			continue
		}
		toRead = append(toRead, p)
	}
	var cfg gitConfig
	if len(toRead) > 0 {
		cfg = r.readConfig()
	}
	cv, err := r.conversions(ctx, cfg, toRead)
	if err != nil {
		return nil, nil, err
	}
	var viaGit []string
	for _, p := range toRead {
		if fi, err := root.Lstat(p); err == nil && fi.Mode().IsRegular() && cv.converts(p) {
			viaGit = append(viaGit, p)
			continue
		}
		if err := r.scanFile(root, p, store, files); err != nil {
			return nil, nil, err
		}
	}
	hashes, err := cv.cleanHashes(ctx, viaGit, store)
	if err != nil {
		return nil, nil, err
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
	return files, skipped, nil
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
