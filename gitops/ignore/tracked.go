package ignore

import (
	"bufio"
	"os"
	"path"
	"sync"
	"time"

	"github.com/go-git/go-git/v5/plumbing/format/index"
)

// indexFile is a repository's index file, read when first needed and again only when it changed.
type indexFile struct {
	path string

	mu   sync.Mutex
	size int64
	mod  time.Time
	set  *trackedSet
}

// trackedSet is the paths the index records, and the directories above them.
type trackedSet struct {
	files map[string]struct{}
	dirs  map[string]struct{}
}

func (t *trackedSet) has(name string) bool {
	_, ok := t.files[name]
	return ok
}

// holds reports whether dir is tracked (a submodule) or has a tracked file below it.
func (t *trackedSet) holds(dir string) bool {
	_, ok := t.dirs[dir]
	return ok || t.has(dir)
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
	ix.set, ix.size, ix.mod = readTracked(ix.path), fi.Size(), fi.ModTime()
	return ix.set
}

func readTracked(p string) *trackedSet {
	f, err := os.Open(p)
	if err != nil {
		return noneTracked
	}
	defer f.Close()
	var idx index.Index
	if err := index.NewDecoder(bufio.NewReader(f)).Decode(&idx); err != nil {
		return noneTracked
	}
	t := &trackedSet{files: make(map[string]struct{}, len(idx.Entries)), dirs: map[string]struct{}{}}
	lastDir := ""
	for _, e := range idx.Entries {
		t.files[e.Name] = struct{}{}
		dir := path.Dir(e.Name)
		if dir == lastDir { // entries are sorted: most share the previous one's directory
			continue
		}
		lastDir = dir
		for d := dir; d != "."; d = path.Dir(d) {
			if _, ok := t.dirs[d]; ok {
				break
			}
			t.dirs[d] = struct{}{}
		}
	}
	return t
}
