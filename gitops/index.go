package gitops

import (
	"bufio"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/format/index"
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

// lockIndex takes index.lock and reads the index.
func (r *Repo) lockIndex() (*lockedIndex, error) {
	p := filepath.Join(r.gitDir, "index")
	lock, err := os.OpenFile(p+".lock", os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o666)
	if errors.Is(err, fs.ErrExist) {
		return nil, fmt.Errorf("%s.lock exists: another git process seems to be running; if none is, remove the file and retry", p)
	}
	if err != nil {
		return nil, fmt.Errorf("lock the index: %w", err)
	}
	li := &lockedIndex{path: p, lock: lock}
	if li.idx, _, err = readIndexFile(p); err != nil {
		li.release()
		return nil, err
	}
	li.byKey = make(map[string]*index.Entry, len(li.idx.Entries))
	li.other = map[string]bool{}
	for _, e := range li.idx.Entries {
		if e.Stage == stageMerged {
			li.byKey[e.Name] = e
		} else {
			li.other[e.Name] = true
		}
	}
	return li, nil
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
	if len(li.other) > 0 {
		li.release()
		return fmt.Errorf("the index has unmerged paths (%s); resolve them with git first", strings.Join(sortedKeys(li.other), ", "))
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
