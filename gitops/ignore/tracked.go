package ignore

import (
	"encoding/binary"
	"encoding/hex"
	"os"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/go-git/go-billy/v5/osfs"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/cache"
	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/go-git/go-git/v5/plumbing/storer"
	"github.com/go-git/go-git/v5/storage/filesystem"

	"hew/gitops/internal/gitindex"
)

// indexFile is a repository's index file, read when first needed and again only when it changed.
type indexFile struct {
	path      string
	hashSize  int    // of the repository's object format
	commonDir string // where the objects are, which a sparse index's directory entries name

	mu   sync.Mutex
	size int64
	mod  time.Time
	set  *trackedSet
}

// trackedSet is the paths the index records, sorted as the index sorts them (byte-wise), in one
// string: a lookup is a binary search, and reading the index allocates two blocks.
type trackedSet struct {
	names string   // every path, one after another
	ends  []uint32 // where each path ends in names
	// trees, when the index has sparse directory entries ("dir/"), stand for the paths of
	// their trees, read from the object database when asked about; nil when it has none.
	trees *sparseTrees
}

// sparse reports whether the index has sparse directory entries.
func (t *trackedSet) sparse() bool { return t.trees != nil }

func (t *trackedSet) name(i int) string {
	start := uint32(0)
	if i > 0 {
		start = t.ends[i-1]
	}
	return t.names[start:t.ends[i]]
}

// search returns the index of the first path not less than name.
func (t *trackedSet) search(name string) int {
	return sort.Search(len(t.ends), func(i int) bool { return t.name(i) >= name })
}

// searchFrom is search for a name not less than the path at from: a few steps forward, where
// the next file of a directory usually is, else a binary search over the rest (past the paths
// of a subdirectory).
func (t *trackedSet) searchFrom(from int, name string) int {
	for range 8 {
		if from >= len(t.ends) || t.name(from) >= name {
			return from
		}
		from++
	}
	return from + sort.Search(len(t.ends)-from, func(i int) bool { return t.name(from+i) >= name })
}

func (t *trackedSet) exact(name string) bool {
	i := t.search(name)
	return i < len(t.ends) && t.name(i) == name
}

// has reports whether the index tracks the file (or submodule) name.
func (t *trackedSet) has(name string) bool {
	return t.exact(name) || t.inSparseDir(name, false)
}

// holds reports whether dir is tracked (a submodule) or has a tracked path below it.
func (t *trackedSet) holds(dir string) bool {
	i := t.search(dir + "/")
	return i < len(t.ends) && strings.HasPrefix(t.name(i), dir+"/") || t.exact(dir) || t.inSparseDir(dir, true)
}

// inSparseDir reports whether the tree of a sparse directory entry of the index holds name,
// a directory when isDir, else a file or a submodule.
func (t *trackedSet) inSparseDir(name string, isDir bool) bool {
	if !t.sparse() {
		return false
	}
	for i := strings.IndexByte(name, '/'); i >= 0; {
		if j := t.search(name[:i+1]); j < len(t.ends) && t.name(j) == name[:i+1] {
			return t.trees.has(name[:i+1], name[i+1:], isDir)
		}
		j := strings.IndexByte(name[i+1:], '/')
		if j < 0 {
			break
		}
		i += j + 1
	}
	return false
}

// sparseTrees looks paths up in the trees of a sparse index's directory entries.
type sparseTrees struct {
	hashes  map[string]plumbing.Hash // by directory entry ("dir/")
	objects func() storer.EncodedObjectStorer

	mu sync.Mutex // go-git's object storage is not safe for concurrent use
}

// has reports whether the tree of directory entry dir holds rel, as a directory when isDir.
// Trees that cannot be read hold nothing.
func (s *sparseTrees) has(dir, rel string, isDir bool) bool {
	h, ok := s.hashes[dir]
	if !ok {
		return false
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	tree, err := object.GetTree(s.objects(), h)
	if err != nil {
		return false
	}
	e, err := tree.FindEntry(rel)
	return err == nil && (e.Mode == filemode.Dir) == isDir
}

var noneTracked = &trackedSet{}

// tracked returns the tracked set; an index that is missing or cannot be read tracks nothing.
func (ix *indexFile) tracked() *trackedSet {
	ix.mu.Lock()
	defer ix.mu.Unlock()
	fi, err := os.Stat(ix.path)
	if err != nil {
		ix.set = nil
		return noneTracked
	}
	if ix.set != nil && fi.Size() == ix.size && fi.ModTime().Equal(ix.mod) {
		return ix.set
	}
	ix.set, ix.size, ix.mod = readTracked(ix.path, ix.hashSize), fi.Size(), fi.ModTime()
	if ix.set.sparse() {
		ix.set.trees.objects = sync.OnceValue(func() storer.EncodedObjectStorer {
			return filesystem.NewStorage(osfs.New(ix.commonDir), cache.NewObjectLRUDefault())
		})
	}
	return ix.set
}

// readTracked reads the paths of the index file at p. Entries of every stage count (a path with
// a conflict is tracked), and so do entries marked skip-worktree or intent-to-add, as in git
// ls-files. A split index (core.splitIndex) adds the paths of the shared index it builds on (a
// path deleted from the split index but still in the shared one counts as tracked until git
// merges the two, which it does every few writes).
func readTracked(p string, hashSize int) *trackedSet {
	b, err := os.ReadFile(p)
	if err != nil {
		return noneTracked
	}
	t, shared, ok := decodeTracked(b, hashSize)
	if !ok {
		return noneTracked
	}
	if shared != "" {
		sb, err := os.ReadFile(strings.TrimSuffix(p, "index") + "sharedindex." + shared)
		if err != nil {
			return t
		}
		if s, _, ok := decodeTracked(sb, hashSize); ok {
			t = merge(t, s)
		}
	}
	return t
}

// decodeTracked reads the tracked paths of index file b, and the name of the shared index a
// split index builds on ("" for none).
func decodeTracked(b []byte, hashSize int) (t *trackedSet, shared string, ok bool) {
	var names []byte
	var ends []uint32
	if len(b) >= 12 {
		n := int(binary.BigEndian.Uint32(b[8:12]))
		ends = make([]uint32, 0, min(n, len(b)/64))
		names = make([]byte, 0, len(b)/2)
	}
	var last []byte
	sorted := true
	var trees map[string]plumbing.Hash // of sparse directory entries
	exts, err := gitindex.Walk(b, hashSize, func(name, head []byte, _ uint16) {
		switch {
		case len(name) == 0: // a split index's entry that keeps its shared entry's name
			return
		case len(ends) > 0 && string(name) == string(last):
			return // another stage of the same path
		case len(ends) > 0 && string(name) < string(last):
			sorted = false
		}
		if gitindex.Mode(head)&gitindex.ModeTypeMask == gitindex.ModeDir && hashSize == gitindex.SHA1 {
			if trees == nil {
				trees = map[string]plumbing.Hash{}
			}
			var h plumbing.Hash
			copy(h[:], gitindex.Hash(head))
			trees[string(name)] = h
		}
		names = append(names, name...)
		ends = append(ends, uint32(len(names)))
		last = names[len(names)-len(name):]
	})
	if err != nil || len(names) > 1<<32-1 {
		return nil, "", false
	}
	for _, e := range exts {
		if e.Sig == "link" && len(e.Data) >= hashSize {
			shared = hex.EncodeToString(e.Data[:hashSize])
		}
	}
	t = &trackedSet{names: string(names), ends: ends}
	if trees != nil {
		t.trees = &sparseTrees{hashes: trees}
	}
	if !sorted {
		t = merge(t, noneTracked)
	}
	return t, shared, true
}

// merge returns the union of two tracked sets.
func merge(a, b *trackedSet) *trackedSet {
	var names []string
	for i := range a.ends {
		names = append(names, a.name(i))
	}
	for i := range b.ends {
		names = append(names, b.name(i))
	}
	sort.Strings(names)
	t := &trackedSet{trees: a.trees} // a shared index is never sparse
	var sb strings.Builder
	for i, n := range names {
		if i > 0 && n == names[i-1] {
			continue
		}
		sb.WriteString(n)
		t.ends = append(t.ends, uint32(sb.Len()))
	}
	t.names = sb.String()
	return t
}
