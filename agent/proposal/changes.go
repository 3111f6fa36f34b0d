package proposal

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"

	"hew/gitops/fsguard"
)

// Op is what a change does to a file.
type Op byte

// The change operations.
const (
	Add    Op = 'A'
	Modify Op = 'M'
	Delete Op = 'D'
)

// Change is one file the proposal changes, compared with the working tree as it is now.
type Change struct {
	Path string
	Op   Op
	// Old is the working tree's content now; New the proposed content (nil for Delete).
	Old, New         []byte
	OldMode, NewMode fs.FileMode
	// Base is the working tree's content when the proposal first touched the path. When it
	// differs from Old the user has edited the file since (see Stale).
	Base       []byte
	BaseExists bool
	// Unsafe, when set, says why accepting this change would be unsafe: it creates a symbolic
	// link leading outside the repository or into .git, or its path passes through a link in
	// the working tree. The review shows it; hew exec never accepts such a change.
	Unsafe string
}

// Stale reports whether the working tree changed under this path since the proposal touched it.
func (c Change) Stale() bool {
	oldExists := c.Op != Add
	return oldExists != c.BaseExists || !bytes.Equal(c.Old, c.Base)
}

// Changes lists the files the proposal changes, sorted by path. Paths git ignores (build
// outputs, caches) are not part of the change set, though they stay visible in the merged view;
// tracked files are, even when an ignore pattern matches them.
func (l *Layer) Changes() ([]Change, error) {
	l.mu.RLock()
	defer l.mu.RUnlock()
	ign := l.ignores()
	var out []Change
	err := filepath.WalkDir(l.upper, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(l.upper, p)
		name := filepath.ToSlash(rel)
		if name == "." {
			return nil
		}
		if fsguard.IsGitName(d.Name()) || ign.Excluded(name, d.IsDir()) {
			if d.IsDir() {
				return fs.SkipDir
			}
			return nil
		}
		if d.IsDir() {
			return nil
		}
		c, ok, err := l.change(name, p)
		if err != nil {
			return fmt.Errorf("compare %s with the working tree: %w", name, err)
		}
		if ok {
			out = append(out, c)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("list proposal changes: %w", err)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Path < out[j].Path })
	return out, nil
}

// change compares one upper entry with the lower file; ok is false when they are the same.
func (l *Layer) change(name, up string) (Change, bool, error) {
	info, err := os.Lstat(up)
	if err != nil {
		return Change{}, false, err
	}
	c := Change{Path: name}
	if !isWhiteout(info) && !tracked(info) {
		return c, false, nil // a FIFO, socket or device a command made: git does not track it
	}
	lower := filepath.Join(l.root, filepath.FromSlash(name))
	if li, err := l.lstatLower(name); err == nil && tracked(li) && l.lowerVisible(path.Dir(name)) {
		if c.Old, err = readLower(lower, li); err != nil {
			return c, false, err
		}
		c.OldMode = li.Mode()
		c.Op = Modify
	} else {
		c.Op = Add
	}
	if isWhiteout(info) {
		if c.Op == Add {
			return c, false, nil // deleting what is not there
		}
		c.Op = Delete
	} else {
		if c.New, err = readLower(up, info); err != nil {
			return c, false, err
		}
		if c.New == nil {
			c.New = []byte{}
		}
		c.NewMode = info.Mode()
		if c.Op == Modify && c.OldMode == c.NewMode && bytes.Equal(c.Old, c.New) {
			return c, false, nil
		}
	}
	c.Unsafe = l.unsafe(c)
	c.Base, c.BaseExists = c.Old, c.Op != Add
	if b, ok := l.bases[name]; ok {
		c.BaseExists = b.Exists
		c.Base = nil
		if b.Exists {
			if c.Base, err = os.ReadFile(l.basePath(name)); err != nil {
				return c, false, err
			}
		}
	}
	return c, true, nil
}

// unsafe says why accepting c would be unsafe, or "".
func (l *Layer) unsafe(c Change) string {
	if _, err := fsguard.ResolveIn(l.root, c.Path, false); err != nil {
		return fmt.Sprintf("its path passes through a symbolic link in your tree (%v)", err)
	}
	if c.Op != Delete && c.NewMode&fs.ModeSymlink != 0 {
		if why := fsguard.LinkTargetSafe(l.root, c.Path, string(c.New)); why != "" {
			return "it creates a symbolic link that " + why
		}
	}
	return ""
}

// Drop removes paths from the proposal: accepted changes once the caller has written them into
// the working tree, or rejected ones. Names not in the proposal are ignored.
func (l *Layer) Drop(names ...string) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, name := range names {
		name, err := l.Clean(name)
		if err != nil {
			return err
		}
		up := filepath.Join(l.upper, filepath.FromSlash(name))
		if err := os.Remove(up); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("drop %s from the proposal: %w", name, err)
		}
		if err := os.Remove(l.basePath(name)); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("drop %s from the proposal: %w", name, err)
		}
		delete(l.bases, name)
		l.pruneEmptyDirs(path.Dir(name))
	}
	return l.saveBases()
}

// pruneEmptyDirs removes empty upper directories from dir upwards.
func (l *Layer) pruneEmptyDirs(dir string) {
	for dir != "." && dir != "/" {
		if os.Remove(filepath.Join(l.upper, filepath.FromSlash(dir))) != nil {
			return
		}
		dir = path.Dir(dir)
	}
}

// Reset discards the whole proposal.
func (l *Layer) Reset() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, d := range []string{"upper", "base", "work"} {
		p := filepath.Join(l.dir, d)
		if err := removeAllWritable(p); err != nil {
			return fmt.Errorf("discard proposal: %w", err)
		}
		if err := os.MkdirAll(p, 0o700); err != nil {
			return fmt.Errorf("discard proposal: %w", err)
		}
	}
	l.bases = map[string]Base{}
	return l.saveBases()
}

// removeAllWritable removes p, first making directories writable (overlayfs leaves its work
// directory unreadable to the user).
func removeAllWritable(p string) error {
	if err := os.RemoveAll(p); err == nil {
		return nil
	}
	filepath.WalkDir(p, func(q string, d fs.DirEntry, err error) error {
		if err == nil && d.IsDir() {
			os.Chmod(q, 0o700)
		}
		return nil
	})
	return os.RemoveAll(p)
}

// Sync brings the upper layer into the form the rest of this package expects after a sandboxed
// command wrote to it through overlayfs: opaque directories and whiteouts that hide whole lower
// directories become explicit per-file whiteouts, upper files identical to the working tree are
// dropped, and every path the command touched has its base recorded.
func (l *Layer) Sync() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if err := l.normalise("."); err != nil {
		return fmt.Errorf("read the proposal after the command: %w", err)
	}
	return l.saveBases()
}

func (l *Layer) normalise(dir string) error {
	updir := filepath.Join(l.upper, filepath.FromSlash(dir))
	if dir != "." && isOpaque(updir) {
		// The command replaced a lower directory wholesale: hide each lower entry explicitly.
		if err := clearOpaque(updir); err != nil {
			return err
		}
		if err := l.whiteoutLowerChildren(dir); err != nil {
			return err
		}
	}
	ents, err := os.ReadDir(updir)
	if err != nil {
		return err
	}
	for _, e := range ents {
		name := path.Join(dir, e.Name())
		if name == ".git" {
			continue
		}
		up := filepath.Join(updir, e.Name())
		info, err := e.Info()
		if err != nil {
			return err
		}
		lower := filepath.Join(l.root, filepath.FromSlash(name))
		li, lerr := l.lstatLower(name)
		switch {
		case isWhiteout(info) && lerr == nil && li.IsDir():
			// A whole lower directory was deleted: spell it out file by file.
			if err := os.Remove(up); err != nil {
				return err
			}
			if err := os.Mkdir(up, li.Mode().Perm()); err != nil {
				return err
			}
			if err := l.whiteoutLowerChildren(name); err != nil {
				return err
			}
			if err := l.normalise(name); err != nil {
				return err
			}
		case info.IsDir():
			if err := l.normalise(name); err != nil {
				return err
			}
		case isWhiteout(info):
			if lerr != nil {
				os.Remove(up) // nothing left to hide
				continue
			}
			if err := l.recordBase(name); err != nil {
				return err
			}
		default:
			if data, err := readLower(up, info); err == nil && equalFile(lower, data, info.Mode()) {
				os.Remove(up)
				os.Remove(l.basePath(name))
				delete(l.bases, name)
				continue
			}
			if err := l.recordBase(name); err != nil {
				return err
			}
		}
	}
	return nil
}

// whiteoutLowerChildren creates a whiteout in the upper dir for every lower entry of dir that
// the upper dir does not have.
func (l *Layer) whiteoutLowerChildren(dir string) error {
	if !l.lowerIsDir(dir) {
		return nil // a link or file the command replaced: nothing below it shows through
	}
	ents, err := os.ReadDir(filepath.Join(l.root, filepath.FromSlash(dir)))
	if err != nil {
		return nil
	}
	for _, e := range ents {
		up := filepath.Join(l.upper, filepath.FromSlash(dir), e.Name())
		if _, err := os.Lstat(up); err == nil {
			continue
		}
		if err := makeWhiteout(up); err != nil {
			return err
		}
	}
	return nil
}
