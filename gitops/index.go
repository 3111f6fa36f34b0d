package gitops

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/go-git/go-git/v5/plumbing/format/index"

	"hew/gitops/internal/gitindex"
)

// lockedIndex is the worktree's index, read under git's index.lock so that no git command
// changes it meanwhile. Call save to write it back, and release in any case.
type lockedIndex struct {
	path  string
	lock  *os.File
	idx   *index.Index
	byKey map[string]*index.Entry // stage-0 entries by path
	other map[string]bool         // paths with unmerged (stage 1-3) entries
}

// lockIndex takes index.lock and reads the index: the stage-0 entries of paths and which paths
// have unmerged entries. With the git command, git reads them (`git ls-files`), which is much
// faster than decoding a large index in Go, and only the entries asked for are kept; without it,
// the whole index is decoded, and save can write it back.
func (r *Repo) lockIndex(ctx context.Context, paths []string) (*lockedIndex, error) {
	p := filepath.Join(r.gitDir, "index")
	lock, err := os.OpenFile(p+".lock", os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o666)
	if errors.Is(err, fs.ErrExist) {
		return nil, fmt.Errorf("%s.lock exists: another git process seems to be running; if none is, remove the file and retry", p)
	}
	if err != nil {
		return nil, fmt.Errorf("lock the index: %w", err)
	}
	li := &lockedIndex{path: p, lock: lock, byKey: map[string]*index.Entry{}, other: map[string]bool{}}
	if r.hasGit() {
		if readIndexEntriesRaw(p, li, paths) {
			return li, nil
		}
		if err := r.readIndexEntries(ctx, li, paths); err != nil {
			li.release()
			return nil, err
		}
		return li, nil
	}
	if li.idx, _, err = readIndexFile(p); err != nil {
		li.release()
		return nil, err
	}
	for _, e := range li.idx.Entries {
		if e.Stage == stageMerged {
			li.byKey[e.Name] = e
		} else {
			li.other[e.Name] = true
		}
	}
	return li, nil
}

// readIndexEntries asks git for the unmerged paths and the entries of paths.
func (r *Repo) readIndexEntries(ctx context.Context, li *lockedIndex, paths []string) error {
	list := func(args ...string) ([]*index.Entry, error) {
		cmd := r.gitCmd(ctx, nil, append([]string{"ls-files", "-z", "-s"}, args...)...)
		cmd.Env = append(cmd.Env, "GIT_LITERAL_PATHSPECS=1")
		out, err := runCmd(cmd)
		if err != nil {
			return nil, fmt.Errorf("read the index: %w", err)
		}
		var entries []*index.Entry
		for _, rec := range strings.Split(string(out), "\x00") {
			meta, name, ok := strings.Cut(rec, "\t")
			f := strings.Fields(meta)
			if !ok || len(f) != 3 {
				continue
			}
			mode, err1 := strconv.ParseUint(f[0], 8, 32)
			stage, err2 := strconv.Atoi(f[2])
			if err1 != nil || err2 != nil {
				return nil, fmt.Errorf("read the index: git ls-files printed %q", rec)
			}
			entries = append(entries, &index.Entry{Name: name, Mode: filemode.FileMode(mode), Hash: plumbing.NewHash(f[1]), Stage: index.Stage(stage)})
		}
		return entries, nil
	}
	unmerged, err := list("-u")
	if err != nil {
		return err
	}
	for _, e := range unmerged {
		li.other[e.Name] = true
	}
	if len(paths) == 0 {
		return nil
	}
	want := map[string]bool{}
	for _, p := range paths {
		want[p] = true
	}
	entries, err := list(append([]string{"--"}, paths...)...)
	if err != nil {
		return err
	}
	for _, e := range entries {
		if want[e.Name] && e.Stage == stageMerged {
			li.byKey[e.Name] = e
		}
	}
	return nil
}

// readIndexFile reads the index at p, without locking it, and its modification time; a missing
// index is an empty one.
func readIndexFile(p string) (*index.Index, time.Time, error) {
	idx := &index.Index{Version: 2}
	f, err := os.Open(p)
	if errors.Is(err, fs.ErrNotExist) {
		return idx, time.Time{}, nil
	}
	if err != nil {
		return nil, time.Time{}, fmt.Errorf("read the index: %w", err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, time.Time{}, fmt.Errorf("read the index: %w", err)
	}
	if err := index.NewDecoder(bufio.NewReader(f)).Decode(idx); err != nil {
		return nil, time.Time{}, fmt.Errorf("read the index %s: %w (hew cannot read split or sparse indexes)", p, err)
	}
	return idx, fi.ModTime(), nil
}

// get returns the stage-0 entry for p, or nil.
func (li *lockedIndex) get(p string) *index.Entry { return li.byKey[p] }

// set records e for p, or removes p when e is zero. The entry carries fi's stat data when given:
// pass it only when the file's content is e's blob, else git would take a changed file for clean.
func (li *lockedIndex) set(p string, e entry, fi fs.FileInfo) {
	if e.hash.IsZero() {
		delete(li.byKey, p)
		return
	}
	ne := &index.Entry{Name: p, Hash: e.hash, Mode: e.mode}
	if fi != nil {
		ne.ModifiedAt = fi.ModTime()
		ne.Size = uint32(fi.Size())
		fillStat(ne, fi)
	}
	li.byKey[p] = ne
}

// save writes the index through its lock file and renames it into place. It refuses an index
// with unmerged entries, which go-git's writer could put out of git's order.
func (li *lockedIndex) save() error {
	if li.idx == nil {
		li.release()
		return errors.New("write the index: it was read through git, which writes it")
	}
	if len(li.other) > 0 {
		li.release()
		return fmt.Errorf("the index has unmerged paths (%s); resolve them with git first", strings.Join(slices.Sorted(maps.Keys(li.other)), ", "))
	}
	entries := make([]*index.Entry, 0, len(li.byKey)+len(li.other))
	for _, e := range li.idx.Entries {
		if e.Stage != stageMerged {
			entries = append(entries, e)
		}
	}
	for _, e := range li.byKey {
		entries = append(entries, e)
	}
	li.idx.Entries = entries
	li.idx.Cache = nil // the cached trees may be stale; git rebuilds them
	li.idx.ResolveUndo = nil
	li.idx.EndOfIndexEntry = nil
	w := bufio.NewWriter(li.lock)
	err := index.NewEncoder(w).Encode(li.idx)
	if err == nil {
		err = w.Flush()
	}
	if err == nil {
		err = li.lock.Close()
	}
	if err == nil {
		err = os.Rename(li.lock.Name(), li.path)
	}
	if err != nil {
		li.release()
		return fmt.Errorf("write the index: %w", err)
	}
	li.lock = nil
	return nil
}

// release gives up the lock without writing.
func (li *lockedIndex) release() {
	if li.lock != nil {
		li.lock.Close()
		os.Remove(li.lock.Name())
		li.lock = nil
	}
}

// blobHash is the blob hash of data.
func blobHash(data []byte) plumbing.Hash { return plumbing.ComputeHash(plumbing.BlobObject, data) }

// stageMerged is the stage of an ordinary index entry (go-git's index.Merged constant is 1, which
// is the stage of a conflict's base, not of a merged entry).
const stageMerged index.Stage = 0

// readIndexEntriesRaw is readIndexEntries reading the index file itself, which spares two git
// processes. It reports false, and the caller asks git, for an index it does not read in full by
// itself: a split index (its entries are in another file) or a sparse one (directories stand for
// the files in them).
func readIndexEntriesRaw(p string, li *lockedIndex, paths []string) bool {
	b, err := os.ReadFile(p)
	if errors.Is(err, fs.ErrNotExist) {
		return true // no index yet: no entries
	}
	if err != nil {
		return false
	}
	want := make(map[string]bool, len(paths))
	for _, p := range paths {
		want[p] = true
	}
	byKey := map[string]*index.Entry{}
	other := map[string]bool{}
	exts, err := gitindex.Walk(b, gitindex.SHA1, func(name, head []byte, _ uint16) {
		stage := index.Stage(gitindex.Stage(head))
		if stage != stageMerged {
			other[string(name)] = true
		}
		if stage == stageMerged && want[string(name)] {
			byKey[string(name)] = &index.Entry{Name: string(name), Mode: filemode.FileMode(gitindex.Mode(head)), Stage: stage}
			copy(byKey[string(name)].Hash[:], gitindex.Hash(head))
		}
	})
	if err != nil {
		return false
	}
	for _, e := range exts {
		if e.Sig == "link" || e.Sig == "sdir" {
			return false
		}
	}
	maps.Copy(li.byKey, byKey)
	maps.Copy(li.other, other)
	return true
}

// cachedRootTree returns the tree of the whole index as its cache-tree extension records it,
// when the extension says it is valid: what git write-tree would write, without the process.
// Like git, it trusts the cached trees only when every one of them is in the object database
// (has says so).
func cachedRootTree(exts []gitindex.Extension, has func(plumbing.Hash) bool) (plumbing.Hash, bool) {
	for _, e := range exts {
		if e.Sig == "link" {
			return plumbing.ZeroHash, false // a split index: its entries are not all here
		}
	}
	for _, e := range exts {
		if e.Sig != "TREE" {
			continue
		}
		// Entries, the root first: a path, NUL, "<entries> <subtrees>\n", then the tree's
		// hash unless <entries> is -1 (invalidated, and so are the directories above it).
		d := e.Data
		var root plumbing.Hash
		for first := true; len(d) > 0; first = false {
			path, rest, ok := bytes.Cut(d, []byte{0})
			if !ok || first && len(path) != 0 {
				return plumbing.ZeroHash, false
			}
			line, rest, ok := bytes.Cut(rest, []byte("\n"))
			counts := strings.Fields(string(line))
			if !ok || len(counts) != 2 {
				return plumbing.ZeroHash, false
			}
			n, err := strconv.Atoi(counts[0])
			if err != nil || first && n < 0 {
				return plumbing.ZeroHash, false
			}
			d = rest
			if n < 0 {
				continue
			}
			if len(d) < 20 {
				return plumbing.ZeroHash, false
			}
			var h plumbing.Hash
			copy(h[:], d[:20])
			d = d[20:]
			if !has(h) {
				return plumbing.ZeroHash, false
			}
			if first {
				root = h
			}
		}
		return root, !root.IsZero()
	}
	return plumbing.ZeroHash, false
}
