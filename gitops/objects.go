package gitops

import (
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/go-git/go-git/v5/plumbing/object"
)

// entry is a file as a tree records it; a zero hash in a tree edit means "remove".
type entry struct {
	mode filemode.FileMode
	hash plumbing.Hash
}

// writeObject stores an object unless the repository has it already.
func (r *Repo) writeObject(t plumbing.ObjectType, data []byte) (plumbing.Hash, error) {
	h := plumbing.ComputeHash(t, data)
	if r.git.Storer.HasEncodedObject(h) == nil {
		return h, nil
	}
	obj := r.git.Storer.NewEncodedObject()
	obj.SetType(t)
	w, err := obj.Writer()
	if err != nil {
		return h, fmt.Errorf("write %s object: %w", t, err)
	}
	if _, err := w.Write(data); err != nil {
		return h, fmt.Errorf("write %s object: %w", t, err)
	}
	if err := w.Close(); err != nil {
		return h, fmt.Errorf("write %s object: %w", t, err)
	}
	if _, err := r.git.Storer.SetEncodedObject(obj); err != nil {
		return h, fmt.Errorf("write %s object: %w", t, err)
	}
	r.fixObjectPerm(h)
	return h, nil
}

// writeCommit stores commit c and returns its hash.
func (r *Repo) writeCommit(c *object.Commit) (plumbing.Hash, error) { return r.store(c, "commit") }

// store encodes o, a commit or tree, into the repository and returns its hash.
func (r *Repo) store(o interface {
	Encode(plumbing.EncodedObject) error
}, kind string) (plumbing.Hash, error) {
	obj := r.git.Storer.NewEncodedObject()
	if err := o.Encode(obj); err != nil {
		return plumbing.ZeroHash, fmt.Errorf("encode %s: %w", kind, err)
	}
	h, err := r.git.Storer.SetEncodedObject(obj)
	if err != nil {
		return plumbing.ZeroHash, fmt.Errorf("write %s: %w", kind, err)
	}
	r.fixObjectPerm(h)
	return h, nil
}

// StoreBlob stores data in the repository as a blob and returns the blob's id. The blob is
// referenced by nothing, so git gc may prune it after gc.pruneExpire (two weeks by default).
func (r *Repo) StoreBlob(data []byte) (string, error) {
	h, err := r.writeObject(plumbing.BlobObject, data)
	if err != nil {
		return "", err
	}
	return h.String(), nil
}

// Blob returns the content of the blob with id, as StoreBlob returned it.
func (r *Repo) Blob(id string) ([]byte, error) {
	if !plumbing.IsHash(id) {
		return nil, fmt.Errorf("read blob: %q is not a git object id", id)
	}
	return r.readBlob(plumbing.NewHash(id))
}

// readBlob returns the content of blob h.
func (r *Repo) readBlob(h plumbing.Hash) ([]byte, error) {
	obj, err := r.git.Storer.EncodedObject(plumbing.BlobObject, h)
	if err != nil {
		return nil, fmt.Errorf("read blob %s: %w", h, err)
	}
	rd, err := obj.Reader()
	if err != nil {
		return nil, fmt.Errorf("read blob %s: %w", h, err)
	}
	defer rd.Close()
	b, err := io.ReadAll(rd)
	if err != nil {
		return nil, fmt.Errorf("read blob %s: %w", h, err)
	}
	return b, nil
}

// lookup returns the entry for path in tree, and false when the tree has no file there.
func (r *Repo) lookup(tree plumbing.Hash, path string) (entry, bool, error) {
	if tree.IsZero() {
		return entry{}, false, nil
	}
	t, err := object.GetTree(r.git.Storer, tree)
	if err != nil {
		return entry{}, false, fmt.Errorf("read tree %s: %w", tree, err)
	}
	e, err := t.FindEntry(path)
	if errors.Is(err, object.ErrEntryNotFound) || errors.Is(err, object.ErrDirectoryNotFound) {
		return entry{}, false, nil
	}
	if err != nil {
		return entry{}, false, fmt.Errorf("look up %s: %w", path, err)
	}
	if e.Mode == filemode.Dir {
		return entry{}, false, nil
	}
	return entry{e.Mode, e.Hash}, true, nil
}

// editTree returns the tree that is base (zero for empty) with changes applied: each path maps to
// its new entry, or to a zero-hash entry to remove it. Directories left empty disappear. Only the
// trees on the changed paths are read and written.
func (r *Repo) editTree(base plumbing.Hash, changes map[string]entry) (plumbing.Hash, error) {
	entries := map[string]object.TreeEntry{}
	if !base.IsZero() {
		t, err := object.GetTree(r.git.Storer, base)
		if err != nil {
			return plumbing.ZeroHash, fmt.Errorf("read tree %s: %w", base, err)
		}
		for _, e := range t.Entries {
			entries[e.Name] = e
		}
	}
	sub := map[string]map[string]entry{}
	for p, e := range changes {
		name, rest, nested := strings.Cut(p, "/")
		if !nested {
			if e.hash.IsZero() {
				delete(entries, name)
			} else {
				entries[name] = object.TreeEntry{Name: name, Mode: e.mode, Hash: e.hash}
			}
			continue
		}
		if sub[name] == nil {
			sub[name] = map[string]entry{}
		}
		sub[name][rest] = e
	}
	for name, ch := range sub {
		var subBase plumbing.Hash
		if old, ok := entries[name]; ok && old.Mode == filemode.Dir {
			subBase = old.Hash
		}
		h, err := r.editTree(subBase, ch)
		if err != nil {
			return plumbing.ZeroHash, err
		}
		if h == emptyTree {
			delete(entries, name)
		} else {
			entries[name] = object.TreeEntry{Name: name, Mode: filemode.Dir, Hash: h}
		}
	}
	t := object.Tree{Entries: make([]object.TreeEntry, 0, len(entries))}
	for _, e := range entries {
		t.Entries = append(t.Entries, e)
	}
	sort.Sort(object.TreeEntrySorter(t.Entries))
	return r.store(&t, "tree")
}

// emptyTree is the hash of the tree with no entries.
var emptyTree = plumbing.NewHash("4b825dc642cb6eb9a060e54bf8d69288fbee4904")

// flatten lists every file of tree by its slash-separated path.
func (r *Repo) flatten(tree plumbing.Hash) (map[string]entry, error) {
	out := map[string]entry{}
	if tree.IsZero() {
		return out, nil
	}
	t, err := object.GetTree(r.git.Storer, tree)
	if err != nil {
		return nil, fmt.Errorf("read tree %s: %w", tree, err)
	}
	walker := object.NewTreeWalker(t, true, nil)
	defer walker.Close()
	for {
		name, e, err := walker.Next()
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return nil, fmt.Errorf("walk tree %s: %w", tree, err)
		}
		if e.Mode != filemode.Dir {
			out[name] = entry{e.Mode, e.Hash}
		}
	}
}
